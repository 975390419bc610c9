// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {SignedActions} from "./base/SignedActions.sol";
import {ICatalog} from "./interfaces/ICatalog.sol";
import {IDataQuality} from "./interfaces/IDataQuality.sol";
import {IResponsibilities} from "./interfaces/IResponsibilities.sol";
import {ISharing} from "./interfaces/ISharing.sol";
import {IUnitRegistry} from "./interfaces/IUnitRegistry.sol";
import {IWorkCalendar} from "./interfaces/IWorkCalendar.sol";

/// @title DataQuality
/// @notice Update schedules and the updates received, reconciliations and data objections
/// (Art. 15–16). See {IDataQuality}.
contract DataQuality is IDataQuality, SignedActions {
    bytes32 public constant ACTION_TYPEHASH = keccak256(
        "QualityAction(uint8 kind,bytes32 subject,bytes32 target,bytes32 grant,uint16 code,uint40 value,bytes document,uint256 nonce)"
    );
    /// @dev The Office's setting (in {IResponsibilities}): working days to handle an objection.
    bytes32 public constant OBJECTION_HANDLING_DAYS = keccak256("putuo.setting.objectionHandlingDays");

    ICatalog public immutable catalog;
    IWorkCalendar public immutable calendar;
    IResponsibilities public immutable responsibilities;
    ISharing public immutable sharing;

    mapping(bytes32 entryId => Schedule) private _schedules;
    // (entry, startsAt << 32 | period) => an update was recorded: a new schedule starts afresh.
    mapping(bytes32 entryId => mapping(uint72 key => bool)) private _updated;
    mapping(bytes32 id => bool) private _recorded; // update and reconciliation ids
    mapping(bytes32 objectionId => Objection) private _objections;

    constructor(
        IUnitRegistry registry_,
        ICatalog catalog_,
        IWorkCalendar calendar_,
        IResponsibilities responsibilities_,
        ISharing sharing_
    ) SignedActions(registry_, "PutuoDataQuality", "1") {
        catalog = catalog_;
        calendar = calendar_;
        responsibilities = responsibilities_;
        sharing = sharing_;
    }

    /// @inheritdoc IDataQuality
    function execute(SignedAction calldata action) external {
        _execute(action);
    }

    /// @inheritdoc IDataQuality
    function executeBatch(SignedAction[] calldata actions) external {
        for (uint256 i = 0; i < actions.length; ++i) {
            try this.executeFromBatch(actions[i]) {}
            catch (bytes memory reason) {
                _rejected(i, actionDigest(actions[i]), reason);
            }
        }
    }

    /// @inheritdoc IDataQuality
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

    /// @inheritdoc IDataQuality
    function actionDigest(SignedAction calldata a) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    ACTION_TYPEHASH,
                    a.kind,
                    a.subject,
                    a.target,
                    a.grant,
                    a.code,
                    a.value,
                    keccak256(a.document),
                    a.nonce
                )
            )
        );
    }

    /// @inheritdoc IDataQuality
    function schedule(bytes32 entryId) external view returns (Schedule memory) {
        return _schedules[entryId];
    }

    /// @inheritdoc IDataQuality
    function updated(bytes32 entryId, uint32 period) external view returns (bool) {
        return _updated[entryId][_key(_schedules[entryId].startsAt, period)];
    }

    /// @inheritdoc IDataQuality
    function periodAt(bytes32 entryId, uint256 timestamp) public view returns (uint32) {
        Schedule storage s = _schedules[entryId];
        if (s.periodSeconds == 0 || timestamp < s.startsAt) return 0;
        return uint32((timestamp - s.startsAt) / s.periodSeconds);
    }

    /// @inheritdoc IDataQuality
    function objection(bytes32 objectionId) external view returns (Objection memory) {
        return _objections[objectionId];
    }

    function _execute(SignedAction calldata a) private {
        (address signer, bytes32 unitId, IUnitRegistry.UnitKind unitKind) =
            _authenticate(actionDigest(a), a.document, a.signature, a.nonce);
        QualityActionKind kind = a.kind;
        if (a.value != 0 || (a.grant != 0 && kind != QualityActionKind.RaiseObjection)) {
            revert DataQualityUnexpectedField(uint8(kind));
        }
        if (kind == QualityActionKind.DeclareFrequency) {
            _declare(a, signer, unitId);
        } else if (kind == QualityActionKind.RaiseObjection) {
            _raise(a, signer, unitId, unitKind);
        } else if (kind == QualityActionKind.HandleObjection) {
            _handle(a, signer, unitId);
        } else {
            if (unitKind != IUnitRegistry.UnitKind.DataCenter) revert DataQualityWrongUnitKind(signer, uint8(unitKind));
            if (kind == QualityActionKind.RecordUpdate) _recordUpdate(a, signer);
            else _reconcile(a, signer);
        }
    }

    function _declare(SignedAction calldata a, address signer, bytes32 unitId) private {
        if (a.target != 0) revert DataQualityUnexpectedField(uint8(a.kind));
        if (a.code == 0 || a.code > uint16(UpdateFrequency.Irregular)) revert DataQualityInvalidCode(uint8(a.kind), a.code);
        bytes32 owner = _approvedOwner(a.subject);
        if (owner != unitId) revert DataQualityNotOwner(a.subject, owner, unitId);
        UpdateFrequency frequency = UpdateFrequency(a.code);
        uint32 period = _periodSeconds(frequency);
        _schedules[a.subject] = Schedule(frequency, uint40(block.timestamp), period);
        emit UpdateFrequencyDeclared(
            a.subject, unitId, frequency, uint40(block.timestamp), period, signer, a.nonce, keccak256(a.document), a.document
        );
    }

    function _recordUpdate(SignedAction calldata a, address signer) private {
        if (a.code != 0) revert DataQualityUnexpectedField(uint8(a.kind));
        bytes32 owner = _approvedOwner(a.target);
        Schedule storage s = _schedules[a.target];
        if (s.frequency == UpdateFrequency.None) revert DataQualityNoSchedule(a.target);
        _claim(a.subject);
        uint32 period = periodAt(a.target, block.timestamp);
        _updated[a.target][_key(s.startsAt, period)] = true;
        emit UpdateRecorded(a.subject, a.target, owner, period, signer, a.nonce, keccak256(a.document), a.document);
    }

    function _reconcile(SignedAction calldata a, address signer) private {
        if (a.code == 0 || a.code > uint16(ReconciliationResult.Discrepancies)) {
            revert DataQualityInvalidCode(uint8(a.kind), a.code);
        }
        IUnitRegistry.UnitKind targetKind = registry.unitKind(a.target);
        if (targetKind != IUnitRegistry.UnitKind.Ordinary) revert DataQualityInvalidUnit(a.target, uint8(targetKind));
        _claim(a.subject);
        emit ReconciliationRecorded(
            a.subject, a.target, ReconciliationResult(a.code), signer, a.nonce, keccak256(a.document), a.document
        );
    }

    /// @dev The Data Center raises from its monitoring or a reconciliation, naming no grant; an
    /// ordinary unit as a user of the data, under a grant it holds that covers the entry (whatever
    /// the grant's status now: a suspended or ended grant's data was still used). The due time is
    /// fixed when raised, from the Office's setting then.
    function _raise(SignedAction calldata a, address signer, bytes32 unitId, IUnitRegistry.UnitKind unitKind) private {
        bool dataCenter = unitKind == IUnitRegistry.UnitKind.DataCenter;
        if (!dataCenter && unitKind != IUnitRegistry.UnitKind.Ordinary) {
            revert DataQualityWrongUnitKind(signer, uint8(unitKind));
        }
        ObjectionSource source = ObjectionSource(a.code > 3 ? 0 : a.code);
        if (source == ObjectionSource.None || dataCenter != (source != ObjectionSource.UsingUnit)) {
            revert DataQualityInvalidCode(uint8(a.kind), a.code);
        }
        bytes32 owner = _approvedOwner(a.target);
        if (owner == unitId) revert DataQualityOwnData(a.target, unitId);
        if (dataCenter) {
            if (a.grant != 0) revert DataQualityUnexpectedField(uint8(a.kind));
        } else {
            _requireGrant(a.grant, unitId, a.target);
        }
        Objection storage o = _objections[a.subject];
        if (o.raisedAt != 0) revert DataQualityExists(a.subject);
        uint40 dueAt = uint40(calendar.addWorkingDays(block.timestamp, responsibilities.setting(OBJECTION_HANDLING_DAYS)));
        (o.entryId, o.ownerUnit, o.raiserUnit, o.grantId, o.source, o.raisedAt, o.dueAt) =
            (a.target, owner, unitId, a.grant, source, uint40(block.timestamp), dueAt);
        emit ObjectionRaised(
            a.subject, a.target, owner, unitId, a.grant, source, dueAt, signer, a.nonce, keccak256(a.document), a.document
        );
    }

    /// @dev The grant was issued by Sharing to `unitId` and pins `entryId` among its resources.
    function _requireGrant(bytes32 grantId, bytes32 unitId, bytes32 entryId) private view {
        ISharing.Grant memory g = sharing.grant(grantId);
        if (grantId == 0 || g.status == ISharing.GrantStatus.None) revert DataQualityUnknownGrant(grantId);
        if (g.unitId != unitId) revert DataQualityGrantNotHeld(grantId, g.unitId, unitId);
        for (uint256 i = 0; i < g.resourceCount; ++i) {
            (bytes32 covered,) = sharing.grantResource(grantId, i);
            if (covered == entryId) return;
        }
        revert DataQualityGrantNotCovering(grantId, entryId);
    }

    function _handle(SignedAction calldata a, address signer, bytes32 unitId) private {
        if (a.target != 0) revert DataQualityUnexpectedField(uint8(a.kind));
        if (a.code == 0 || a.code > uint16(ObjectionOutcome.Confirmed)) revert DataQualityInvalidCode(uint8(a.kind), a.code);
        Objection storage o = _objections[a.subject];
        if (o.raisedAt == 0) revert DataQualityUnknownObjection(a.subject);
        if (o.handledAt != 0) revert DataQualityObjectionHandled(a.subject, o.handledAt);
        if (o.ownerUnit != unitId) revert DataQualityNotOwner(o.entryId, o.ownerUnit, unitId);
        o.outcome = ObjectionOutcome(a.code);
        o.handledAt = uint40(block.timestamp);
        emit ObjectionHandled(
            a.subject, o.entryId, unitId, o.outcome, o.dueAt, signer, a.nonce, keccak256(a.document), a.document
        );
    }

    /// @dev The entry's unit, provided a version of it was approved and it is not deleted.
    function _approvedOwner(bytes32 entryId) private view returns (bytes32) {
        ICatalog.Entry memory e = catalog.entry(entryId);
        if (e.approvedVersion == 0 || e.status == ICatalog.EntryStatus.Deleted) revert DataQualityEntryNotApproved(entryId);
        return e.unitId;
    }

    function _claim(bytes32 id) private {
        if (id == 0 || _recorded[id]) revert DataQualityExists(id);
        _recorded[id] = true;
    }

    /// @dev Fixed lengths from the declaration (docs/MEASURES.md): a month is 30 days, a quarter
    /// 91, a half-year 182, a year 365; realtime data is checked daily.
    function _periodSeconds(UpdateFrequency f) private pure returns (uint32) {
        if (f == UpdateFrequency.Realtime || f == UpdateFrequency.Daily) return 1 days;
        if (f == UpdateFrequency.Weekly) return 7 days;
        if (f == UpdateFrequency.Monthly) return 30 days;
        if (f == UpdateFrequency.Quarterly) return 91 days;
        if (f == UpdateFrequency.Semiannual) return 182 days;
        if (f == UpdateFrequency.Annual) return 365 days;
        return 0;
    }

    function _key(uint40 startsAt, uint32 period) private pure returns (uint72) {
        return (uint72(startsAt) << 32) | period;
    }
}
