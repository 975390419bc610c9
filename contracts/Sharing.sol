// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {SignedActions} from "./base/SignedActions.sol";
import {ICatalog} from "./interfaces/ICatalog.sol";
import {ISharing} from "./interfaces/ISharing.sol";
import {IUnitRegistry} from "./interfaces/IUnitRegistry.sol";
import {IWorkCalendar} from "./interfaces/IWorkCalendar.sol";
import {SharingCases} from "./sharing/SharingCases.sol";
import {SharingCommon} from "./sharing/SharingCommon.sol";
import {SharingDemands} from "./sharing/SharingDemands.sol";
import {SharingGrants} from "./sharing/SharingGrants.sol";
import {SharingRules} from "./sharing/SharingRules.sol";
import {SharingStorage} from "./sharing/SharingStorage.sol";

/// @title Sharing
/// @notice Demands, commitments and grants (Art. 17–26, 31). See {ISharing} for the model.
/// @dev The entry point: it authenticates each signed step ({SignedActions}), checks it against
/// the per-step rules table ({SharingRules}), records it ({SharingStep}, always before the step's
/// effects) and hands it to its module. The modules are external libraries run in this
/// contract's storage by DELEGATECALL ({SharingStorage}), as Aave v3 splits its pool into logic
/// libraries: every rule can grow without pushing this contract past EIP-170's 24,576 bytes, and
/// one address still holds the state, the nonces and every event.
contract Sharing is ISharing, SignedActions {
    bytes32 public constant ACTION_TYPEHASH = keccak256(
        "SharingAction(uint8 kind,bytes32 subject,uint32 item,uint16 code,uint40 at,bytes terms,bytes document,uint256 nonce)"
    );

    /// @dev Rejection codes of {StepKind.Decide} (Art. 20), see {SharingCommon}.
    uint16 public constant REJECT_NONCONFORMING = SharingCommon.REJECT_NONCONFORMING;
    uint16 public constant REJECT_LEGAL_BASIS = SharingCommon.REJECT_LEGAL_BASIS;
    uint256 public constant MAX_RESOURCES = SharingCommon.MAX_RESOURCES;
    /// @dev How long after an item's due time a decision signed by then is still taken (Art. 20).
    uint256 public constant DECISION_GRACE = SharingCommon.DECISION_GRACE;
    /// @dev Codes of the Data Center's {StepKind.Terminate}: a security risk (Art. 31), a catalog
    /// adjustment (Art. 14), a withdrawn scenario (Art. 19).
    uint16 public constant TERMINATE_SECURITY = SharingCommon.TERMINATE_SECURITY;
    uint16 public constant TERMINATE_ADJUSTMENT = SharingCommon.TERMINATE_ADJUSTMENT;
    uint16 public constant TERMINATE_SCENARIO_WITHDRAWN = SharingCommon.TERMINATE_SCENARIO_WITHDRAWN;

    IWorkCalendar public immutable calendar;
    ICatalog public immutable catalog;
    /// @dev The usage log whose anchored checkpoints move the grants' idle clocks (Art. 26, 30).
    /// Bound once after deployment: the log names Sharing, so it is deployed after it.
    address public usageLog;
    address private immutable _deployer;

    constructor(IUnitRegistry registry_, IWorkCalendar calendar_, ICatalog catalog_)
        SignedActions(registry_, "PutuoSharing", "1")
    {
        calendar = calendar_;
        catalog = catalog_;
        _deployer = msg.sender;
        SharingStorage.Layout storage s = SharingStorage.layout();
        (s.registry, s.calendar, s.catalog) = (registry_, calendar_, catalog_);
    }

    // ---------------------------------------------------------------- entry points

    /// @inheritdoc ISharing
    function execute(SignedAction calldata action) external {
        _execute(action);
    }

    /// @inheritdoc ISharing
    function executeBatch(SignedAction[] calldata actions) external {
        for (uint256 i = 0; i < actions.length; ++i) {
            // The external self-call gives each action its own revert scope.
            try this.executeFromBatch(actions[i]) {}
            catch (bytes memory reason) {
                _rejected(i, actionDigest(actions[i]), reason);
            }
        }
    }

    /// @inheritdoc ISharing
    function simulateBatch(SignedAction[] calldata actions) external {
        bytes[] memory reasons = new bytes[](actions.length);
        for (uint256 i = 0; i < actions.length; ++i) {
            try this.executeFromBatch(actions[i]) {}
            catch (bytes memory reason) {
                reasons[i] = reason;
            }
        }
        revert BatchSimulated(reasons);
    }

    /// @dev Only for {executeBatch} and {simulateBatch}.
    function executeFromBatch(SignedAction calldata action) external {
        _requireSelf();
        _execute(action);
    }

    /// @inheritdoc ISharing
    function bindUsageLog(address log) external {
        if (msg.sender != _deployer) revert SharingNotDeployer(msg.sender);
        if (usageLog != address(0)) revert SharingUsageLogBound(usageLog);
        usageLog = log;
    }

    /// @inheritdoc ISharing
    function recordAnchoredUses(bytes32[] calldata grantIds, uint40[] calldata usedAt) external {
        if (msg.sender != usageLog || usageLog == address(0)) revert SharingNotUsageLog(msg.sender);
        for (uint256 i = 0; i < grantIds.length; ++i) {
            // Each use in its own revert scope: one that does not count never blocks the anchor.
            try this.anchoredUseFromLog(grantIds[i], usedAt[i]) {}
            catch (bytes memory reason) {
                emit AnchoredUseNotCounted(grantIds[i], usedAt[i], reason);
            }
        }
    }

    /// @dev Only for {recordAnchoredUses}.
    function anchoredUseFromLog(bytes32 grantId, uint40 at) external {
        _requireSelf();
        SharingGrants.anchoredUse(grantId, at, usageLog);
    }

    /// @inheritdoc ISharing
    function finaliseItem(bytes32 demandId, uint32 index) external {
        SharingDemands.finaliseItem(demandId, index);
    }

    /// @inheritdoc ISharing
    function followDesignation(bytes32 demandId, uint32 index) external {
        SharingDemands.followDesignation(demandId, index);
    }

    /// @inheritdoc ISharing
    function suspendIdle(bytes32 grantId) external {
        SharingGrants.suspendIdle(grantId);
    }

    /// @inheritdoc ISharing
    function finaliseLapse(bytes32 grantId) external {
        SharingGrants.finaliseLapse(grantId);
    }

    /// @inheritdoc ISharing
    function followAdjustment(bytes32 grantId) external {
        SharingGrants.followAdjustment(grantId);
    }

    /// @inheritdoc ISharing
    function adjustmentPlan(bytes32 entryId) external view returns (Plan memory, Adjustment memory) {
        SharingStorage.Layout storage s = SharingStorage.layout();
        return (s.plans[entryId], s.adjustments[entryId]);
    }

    /// @inheritdoc ISharing
    function beforeCatalogChange(bytes32 entryId) external {
        SharingCases.beforeCatalogChange(entryId);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ISharing
    function actionDigest(SignedAction calldata a) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    ACTION_TYPEHASH,
                    a.kind,
                    a.subject,
                    a.item,
                    a.code,
                    a.at,
                    keccak256(a.terms),
                    keccak256(a.document),
                    a.nonce
                )
            )
        );
    }

    function demand(bytes32 demandId) external view returns (Demand memory) {
        return SharingStorage.layout().demands[demandId];
    }

    function item(bytes32 demandId, uint32 index) external view returns (Item memory) {
        return SharingStorage.layout().items[demandId][index];
    }

    function grant(bytes32 grantId) external view returns (Grant memory) {
        return SharingStorage.layout().grants[grantId];
    }

    function grantResource(bytes32 grantId, uint256 index) external view returns (bytes32, uint32) {
        Pinned storage r = SharingStorage.layout().grantResources[grantId][index];
        return (r.entryId, r.version);
    }

    function scenario(bytes32 scenarioId) external view returns (Scenario memory) {
        return SharingStorage.layout().scenarios[scenarioId];
    }

    /// @inheritdoc ISharing
    function scenarioCovers(bytes32 scenarioId, bytes32 unitId, bytes32 entryId)
        external
        view
        returns (bool unit, bool entry)
    {
        SharingStorage.Layout storage s = SharingStorage.layout();
        Scenario storage sc = s.scenarios[scenarioId];
        return (sc.anyUnit || s.scenarioUnits[scenarioId][unitId], sc.anyEntry || s.scenarioEntries[scenarioId][entryId]);
    }

    function idleFrom(bytes32 grantId) external view returns (uint256) {
        Grant storage g = SharingStorage.layout().grants[grantId];
        return g.status == GrantStatus.Active && !g.reasonPending ? SharingGrants.idleFrom(g) : 0;
    }

    function liveGrants(bytes32 entryId) external view returns (uint256) {
        return SharingStorage.layout().liveGrants[entryId];
    }

    /// @inheritdoc ISharing
    function stepRule(StepKind kind) external pure returns (StepRule memory) {
        return SharingRules.rule(kind);
    }

    // ---------------------------------------------------------------- signed steps

    function _execute(SignedAction calldata a) private {
        SharingRules.requireSigned(a.kind);
        (address signer, bytes32 unitId, IUnitRegistry.UnitKind unitKind) =
            _authenticate(actionDigest(a), a.document, a.signature, a.nonce);
        SharingRules.check(a, signer, unitKind);
        // One order for every step, signed or permissionless: the step, then its effects.
        emit SharingStep(
            a.subject, a.kind, a.item, unitId, signer, a.nonce, a.code, a.at, a.terms, keccak256(a.document), a.document
        );
        StepKind k = a.kind;
        StepModule m = SharingRules.module(k);
        if (m == StepModule.Demands) {
            if (k == StepKind.Apply) SharingDemands.applyDemand(a, unitId);
            else if (k == StepKind.Decide) SharingDemands.decide(a, unitId);
            else if (k == StepKind.ConfirmConformity) SharingDemands.confirmConformity(a);
            else SharingDemands.reviewPlan(a);
        } else if (m == StepModule.Grants) {
            SharingGrants.grantStep(a, unitId);
        } else if (k == StepKind.ApproveScenario || k == StepKind.WithdrawScenario) {
            SharingCases.scenarioStep(a);
        } else if (k == StepKind.RecordAdjustmentPlan) {
            SharingCases.adjustmentPlan(a, unitId);
        } else if (k == StepKind.AcknowledgeAdjustment) {
            SharingCases.acknowledgeAdjustment(a.subject, unitId, unitKind == IUnitRegistry.UnitKind.DataCenter);
        } else {
            SharingCases.caseStep(a, unitId);
        }
    }
}
