// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ICatalog} from "../interfaces/ICatalog.sol";
import {ISharing} from "../interfaces/ISharing.sol";
import {SharingStorage} from "./SharingStorage.sol";

/// @title SharingCases
/// @notice Sharing's registers and cases: the Data Center's approved scenarios (Art. 19 (2)),
/// adjustment plans before a catalog change touches live grants (Art. 14), disputes over an item
/// (Art. 24) and escalations to the city (Art. 23). Linked into {Sharing} and run in its storage
/// by DELEGATECALL.
library SharingCases {
    /// @notice ApproveScenario / WithdrawScenario by the Data Center.
    function scenarioStep(ISharing.SignedAction calldata a) external {
        ISharing.Scenario storage sc = SharingStorage.layout().scenarios[a.subject];
        bool approve = a.kind == ISharing.StepKind.ApproveScenario;
        if (sc.approved == approve) revert ISharing.SharingScenarioState(a.subject, sc.approved);
        sc.approved = approve;
        sc.approvedAt = approve ? uint40(block.timestamp) : 0;
        sc.evaluationHash = approve ? keccak256(a.document) : bytes32(0);
    }

    /// @notice RecordAdjustmentPlan by the entry's responsible unit, for an entry live grants use.
    function adjustmentPlan(ISharing.SignedAction calldata a, bytes32 unitId) external {
        SharingStorage.Layout storage s = SharingStorage.layout();
        ICatalog.Entry memory e = s.catalog.entry(a.subject);
        if (e.unitId != unitId) revert ISharing.SharingNotEntryOwner(a.subject, e.unitId, unitId);
        if (s.liveGrants[a.subject] == 0) revert ISharing.SharingNoLiveGrants(a.subject);
        s.adjustmentPlans[a.subject] = true;
    }

    /// @notice Disputes over a demand item (Art. 24) and escalations of a demand (Art. 23).
    function caseStep(ISharing.SignedAction calldata a, bytes32 unitId) external {
        SharingStorage.Layout storage s = SharingStorage.layout();
        ISharing.Demand storage d = s.demands[a.subject];
        if (d.status == ISharing.DemandStatus.None) revert ISharing.SharingUnknownDemand(a.subject);
        ISharing.StepKind k = a.kind;
        if (k == ISharing.StepKind.OpenDispute || k == ISharing.StepKind.ResolveDispute) {
            if (a.item >= d.itemCount) revert ISharing.SharingUnknownItem(a.subject, a.item);
            bool open = s.openDisputes[a.subject][a.item];
            if (k == ISharing.StepKind.OpenDispute) {
                if (unitId != d.unitId && unitId != s.items[a.subject][a.item].ownerUnitId) {
                    revert ISharing.SharingNotParty(a.subject, a.item, unitId);
                }
                if (open) revert ISharing.SharingDisputeState(a.subject, a.item, open);
            } else if (!open) {
                revert ISharing.SharingDisputeState(a.subject, a.item, open);
            }
            s.openDisputes[a.subject][a.item] = !open;
        } else {
            bool open = s.openEscalations[a.subject];
            if (open != (k == ISharing.StepKind.RecordEscalationOutcome)) {
                revert ISharing.SharingEscalationState(a.subject, open);
            }
            s.openEscalations[a.subject] = !open;
        }
    }

    /// @notice Asked by the Catalog before a change or deletion request (Art. 14).
    function beforeCatalogChange(bytes32 entryId) external {
        SharingStorage.Layout storage s = SharingStorage.layout();
        if (msg.sender != address(s.catalog)) revert ISharing.SharingNotCatalog(msg.sender);
        uint256 live = s.liveGrants[entryId];
        if (live == 0) return;
        if (!s.adjustmentPlans[entryId]) revert ISharing.SharingAdjustmentPlanRequired(entryId, live);
        s.adjustmentPlans[entryId] = false;
        emit ISharing.AdjustmentPlanUsed(entryId, live);
    }
}
