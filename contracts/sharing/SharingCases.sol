// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ICatalog} from "../interfaces/ICatalog.sol";
import {ISharing} from "../interfaces/ISharing.sol";
import {IUnitRegistry} from "../interfaces/IUnitRegistry.sol";
import {SharingStorage} from "./SharingStorage.sol";

/// @title SharingCases
/// @notice Sharing's registers and cases: the Data Center's register of scenarios (Art. 19 (1)–(3)),
/// adjustment plans before a catalog change touches live grants (Art. 14), disputes over an item
/// (Art. 24) and escalations to the city (Art. 23). Linked into {Sharing} and run in its storage
/// by DELEGATECALL.
library SharingCases {
    /// @notice ApproveScenario / WithdrawScenario by the Data Center: the register of Art. 19 (1)–(3)
    /// scenarios, each with its basis document (the step's), its class, and the units and entries it
    /// authorises. A withdrawal is final: the id cannot be approved again (a new code is a new id).
    function scenarioStep(ISharing.SignedAction calldata a) external {
        SharingStorage.Layout storage s = SharingStorage.layout();
        ISharing.Scenario storage sc = s.scenarios[a.subject];
        bool approve = a.kind == ISharing.StepKind.ApproveScenario;
        if (sc.approved == approve || sc.withdrawnAt != 0) revert ISharing.SharingScenarioState(a.subject, sc.approved);
        if (!approve) {
            sc.approved = false;
            sc.withdrawnAt = uint40(block.timestamp);
            return;
        }
        if (a.terms.length == 0) revert ISharing.SharingBadTerms(a.kind);
        ISharing.ScenarioTerms memory t = abi.decode(a.terms, (ISharing.ScenarioTerms));
        // Class 4 is a method of use, not a register (the grant holds to its data form).
        if (t.scenarioClass == 0 || t.scenarioClass > 3) revert ISharing.SharingInvalidScenarioClass(t.scenarioClass);
        // Art. 19 (2): evaluated for named units and named data, which alone may use it.
        if (t.scenarioClass == 2 && (t.units.length == 0 || t.entries.length == 0)) {
            revert ISharing.SharingBadTerms(a.kind);
        }
        for (uint256 i = 0; i < t.units.length; ++i) {
            if (s.registry.unitKind(t.units[i]) != IUnitRegistry.UnitKind.Ordinary) {
                revert ISharing.SharingUnknownUnit(t.units[i]);
            }
            s.scenarioUnits[a.subject][t.units[i]] = true;
        }
        for (uint256 i = 0; i < t.entries.length; ++i) {
            if (s.catalog.entry(t.entries[i]).status == ICatalog.EntryStatus.None) {
                revert ISharing.SharingUnknownEntry(t.entries[i]);
            }
            s.scenarioEntries[a.subject][t.entries[i]] = true;
        }
        sc.approved = true;
        sc.scenarioClass = t.scenarioClass;
        sc.anyUnit = t.units.length == 0;
        sc.anyEntry = t.entries.length == 0;
        sc.approvedAt = uint40(block.timestamp);
        sc.evaluationHash = keccak256(a.document);
    }

    /// @notice RecordAdjustmentPlan by the entry's responsible unit, for an entry live grants use:
    /// what happens to them (move or end). A new round: the parties acknowledge it afresh.
    function adjustmentPlan(ISharing.SignedAction calldata a, bytes32 unitId) external {
        SharingStorage.Layout storage s = SharingStorage.layout();
        ICatalog.Entry memory e = s.catalog.entry(a.subject);
        if (e.unitId != unitId) revert ISharing.SharingNotEntryOwner(a.subject, e.unitId, unitId);
        if (s.liveGrants[a.subject] == 0) revert ISharing.SharingNoLiveGrants(a.subject);
        if (a.terms.length == 0) revert ISharing.SharingBadTerms(a.kind);
        ISharing.AdjustmentTerms memory t = abi.decode(a.terms, (ISharing.AdjustmentTerms));
        if (t.disposition == ISharing.Disposition.None) revert ISharing.SharingBadTerms(a.kind);
        ISharing.Plan storage p = s.plans[a.subject];
        (p.disposition, p.dataCenter, p.acknowledged) = (t.disposition, false, 0);
        ++p.round;
    }

    /// @notice AcknowledgeAdjustment (Art. 14: the plan is formed together): the Data Center, or a
    /// unit holding a live grant on the entry, agrees the plan of this round.
    function acknowledgeAdjustment(bytes32 entryId, bytes32 unitId, bool dataCenter) external {
        SharingStorage.Layout storage s = SharingStorage.layout();
        ISharing.Plan storage p = s.plans[entryId];
        if (p.disposition == ISharing.Disposition.None) revert ISharing.SharingNoAdjustmentPlan(entryId);
        if (!dataCenter && s.holderGrants[entryId][unitId] == 0) revert ISharing.SharingNotAffected(entryId, unitId);
        mapping(bytes32 => bool) storage acked = s.acknowledgements[entryId][p.round];
        if (acked[unitId]) revert ISharing.SharingAlreadyAcknowledged(entryId, unitId);
        acked[unitId] = true;
        if (dataCenter) p.dataCenter = true;
        else ++p.acknowledged;
    }

    /// @dev A holder's last live grant on `entryId` ended: it is no longer a party to the entry's plan.
    function holderLeft(SharingStorage.Layout storage s, bytes32 entryId, bytes32 unitId) internal {
        --s.holderCount[entryId];
        ISharing.Plan storage p = s.plans[entryId];
        if (p.disposition != ISharing.Disposition.None && s.acknowledgements[entryId][p.round][unitId]) {
            --p.acknowledged;
        }
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
        ISharing.Plan storage p = s.plans[entryId];
        if (p.disposition == ISharing.Disposition.None) revert ISharing.SharingAdjustmentPlanRequired(entryId, live);
        uint256 holders = s.holderCount[entryId];
        if (!p.dataCenter || p.acknowledged < holders) {
            revert ISharing.SharingAdjustmentPlanNotAgreed(entryId, p.acknowledged, holders, p.dataCenter);
        }
        // The grants pinned to the version in force now follow the plan once the request is decided.
        s.adjustments[entryId] = ISharing.Adjustment(p.disposition, s.catalog.entry(entryId).approvedVersion);
        (p.disposition, p.dataCenter, p.acknowledged) = (ISharing.Disposition.None, false, 0);
        ++p.round;
        emit ISharing.AdjustmentPlanUsed(entryId, live);
    }
}
