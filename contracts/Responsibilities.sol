// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {SignedActions} from "./base/SignedActions.sol";
import {ICatalog} from "./interfaces/ICatalog.sol";
import {IResponsibilities} from "./interfaces/IResponsibilities.sol";
import {IUnitRegistry} from "./interfaces/IUnitRegistry.sol";
import {IWorkCalendar} from "./interfaces/IWorkCalendar.sol";

/// @title Responsibilities
/// @notice Units' responsibilities approved by the Office, the Office's designations of the
/// responsible unit, refusals to collect and their reports (Art. 5, 11), and the Office's
/// settings. See {IResponsibilities}.
contract Responsibilities is IResponsibilities, SignedActions {
    bytes32 public constant ACTION_TYPEHASH = keccak256(
        "ResponsibilityAction(uint8 kind,bytes32 subject,bytes32 target,uint16 code,uint40 value,bytes document,uint256 nonce)"
    );

    /// @dev Working days the Office has to report a refusal without a legal basis (Art. 11: 及时报告).
    bytes32 public constant REFUSAL_REPORT_DAYS = keccak256("putuo.setting.refusalReportDays");
    /// @dev 1: every new entry version must name an approved responsibility of its unit; 0: naming
    /// one is checked, not naming one is allowed (while the units' lists are being approved).
    bytes32 public constant RESPONSIBILITY_REQUIRED = keccak256("putuo.setting.responsibilityRequired");
    /// @dev Working days a responsible unit has to verify and handle a data objection (Art. 16,
    /// read by {DataQuality} when an objection is raised).
    bytes32 public constant OBJECTION_HANDLING_DAYS = keccak256("putuo.setting.objectionHandlingDays");

    IWorkCalendar public immutable calendar;
    ICatalog public catalog;
    address private immutable _deployer;

    mapping(bytes32 id => Responsibility) private _responsibilities;
    mapping(bytes32 id => uint32) private _approvedVersion;
    mapping(bytes32 id => Refusal) private _refusals;
    mapping(bytes32 key => uint256) private _settings;
    mapping(bytes32 key => uint256[2]) private _bounds; // [min, max]; max 0 = unknown key
    mapping(bytes32 entryId => bytes32[2]) private _designated; // [from, to] of the latest designation
    mapping(bytes32 entryId => DesignationDisposition) private _disposition;
    uint32 private _exports;
    uint40 private _exportedTo;

    constructor(IUnitRegistry registry_, IWorkCalendar calendar_) SignedActions(registry_, "PutuoResponsibilities", "1") {
        calendar = calendar_;
        _deployer = msg.sender;
        // Defaults (docs/MEASURES.md says why each); the Office changes them with PublishSetting.
        _define(REFUSAL_REPORT_DAYS, 5, 1, 30);
        _define(RESPONSIBILITY_REQUIRED, 0, 0, 1);
        _define(OBJECTION_HANDLING_DAYS, 5, 1, 30);
    }

    /// @inheritdoc IResponsibilities
    function bindCatalog(address catalog_) external {
        if (msg.sender != _deployer) revert ResponsibilitiesNotDeployer(msg.sender);
        if (address(catalog) != address(0)) revert ResponsibilitiesCatalogBound(address(catalog));
        catalog = ICatalog(catalog_);
    }

    /// @inheritdoc IResponsibilities
    function execute(SignedAction calldata action) external {
        _execute(action);
    }

    /// @inheritdoc IResponsibilities
    function executeBatch(SignedAction[] calldata actions) external {
        for (uint256 i = 0; i < actions.length; ++i) {
            try this.executeFromBatch(actions[i]) {}
            catch (bytes memory reason) {
                _rejected(i, actionDigest(actions[i]), reason);
            }
        }
    }

    /// @inheritdoc IResponsibilities
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

    /// @inheritdoc IResponsibilities
    function actionDigest(SignedAction calldata a) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    ACTION_TYPEHASH, a.kind, a.subject, a.target, a.code, a.value, keccak256(a.document), a.nonce
                )
            )
        );
    }

    /// @inheritdoc IResponsibilities
    function checkServes(bytes32 responsibilityId, bytes32 unitId) external view {
        if (responsibilityId == 0) {
            if (_settings[RESPONSIBILITY_REQUIRED] != 0) revert ResponsibilitiesRequired();
            return;
        }
        Responsibility storage r = _responsibilities[responsibilityId];
        if (r.unitId != unitId || _approvedVersion[responsibilityId] == 0) {
            revert ResponsibilitiesNotServed(responsibilityId, unitId, r.unitId, r.status);
        }
    }

    /// @inheritdoc IResponsibilities
    function responsibility(bytes32 responsibilityId) external view returns (Responsibility memory) {
        return _responsibilities[responsibilityId];
    }

    /// @notice The latest approved version of `responsibilityId` (0: never approved).
    function approvedVersion(bytes32 responsibilityId) external view returns (uint32) {
        return _approvedVersion[responsibilityId];
    }

    /// @inheritdoc IResponsibilities
    function refusal(bytes32 refusalId) external view returns (Refusal memory) {
        return _refusals[refusalId];
    }

    /// @inheritdoc IResponsibilities
    function setting(bytes32 key) external view returns (uint256) {
        if (_bounds[key][1] == 0) revert ResponsibilitiesUnknownSetting(key);
        return _settings[key];
    }

    /// @inheritdoc IResponsibilities
    function designation(bytes32 entryId)
        external
        view
        returns (bytes32 fromUnit, bytes32 toUnit, DesignationDisposition disposition)
    {
        return (_designated[entryId][0], _designated[entryId][1], _disposition[entryId]);
    }

    /// @inheritdoc IResponsibilities
    function lastExport() external view returns (uint32 sequence, uint40 toBlock) {
        return (_exports, _exportedTo);
    }

    /// @notice The range the Office may set `key` to (min, max).
    function settingBounds(bytes32 key) external view returns (uint256 min, uint256 max) {
        if (_bounds[key][1] == 0) revert ResponsibilitiesUnknownSetting(key);
        return (_bounds[key][0], _bounds[key][1]);
    }

    function _execute(SignedAction calldata a) private {
        (address signer, bytes32 unitId, IUnitRegistry.UnitKind unitKind) =
            _authenticate(actionDigest(a), a.document, a.signature, a.nonce);
        ResponsibilityActionKind kind = a.kind;
        if (kind == ResponsibilityActionKind.RecordResponsibility) {
            if (unitKind != IUnitRegistry.UnitKind.Ordinary && unitKind != IUnitRegistry.UnitKind.DataCenter) {
                revert ResponsibilitiesWrongUnitKind(signer, uint8(unitKind));
            }
            _noExtra(a, true, true, true);
            _record(a, signer, unitId);
        } else if (kind == ResponsibilityActionKind.RecordRefusal) {
            _requireKind(signer, IUnitRegistry.UnitKind.DataCenter, unitKind);
            _noExtra(a, false, false, true);
            _recordRefusal(a, signer);
        } else if (kind == ResponsibilityActionKind.RecordCatalogExport) {
            _requireKind(signer, IUnitRegistry.UnitKind.DataCenter, unitKind);
            _noExtra(a, true, true, false);
            _recordExport(a, signer);
        } else {
            _requireKind(signer, IUnitRegistry.UnitKind.Office, unitKind);
            if (kind == ResponsibilityActionKind.ReviewResponsibility) {
                _noExtra(a, true, false, true);
                _review(a, signer);
            } else if (kind == ResponsibilityActionKind.Designate) {
                _noExtra(a, false, false, true);
                _designate(a, signer);
            } else if (kind == ResponsibilityActionKind.ReportRefusal) {
                _noExtra(a, true, true, true);
                _report(a, signer);
            } else {
                _noExtra(a, true, true, false);
                _publish(a.subject, a.value, signer, a.nonce, a.document);
            }
        }
    }

    function _record(SignedAction calldata a, address signer, bytes32 unitId) private {
        Responsibility storage r = _responsibilities[a.subject];
        if (r.status != ResponsibilityStatus.None && r.unitId != unitId) {
            revert ResponsibilitiesNotOwner(a.subject, r.unitId, unitId);
        }
        if (r.status == ResponsibilityStatus.Pending) revert ResponsibilitiesInvalidStatus(a.subject, r.status);
        bytes32 documentHash = keccak256(a.document);
        r.unitId = unitId;
        r.status = ResponsibilityStatus.Pending;
        r.version += 1;
        r.documentHash = documentHash;
        r.recordedAt = uint40(block.timestamp);
        (r.reviewedAt, r.reasonCode) = (0, 0);
        emit ResponsibilityRecorded(a.subject, unitId, r.version, signer, a.nonce, documentHash, a.document);
    }

    /// @dev An approved responsibility revised and pending again stays servable at its approved
    /// version until the Office decides on the revision.
    function _review(SignedAction calldata a, address reviewer) private {
        Responsibility storage r = _responsibilities[a.subject];
        if (r.status != ResponsibilityStatus.Pending) revert ResponsibilitiesInvalidStatus(a.subject, r.status);
        bool approved = a.code == 0;
        r.status = approved ? ResponsibilityStatus.Approved : ResponsibilityStatus.Returned;
        r.reviewedAt = uint40(block.timestamp);
        r.reasonCode = a.code;
        if (approved) _approvedVersion[a.subject] = r.version;
        emit ResponsibilityReviewed(a.subject, r.version, reviewer, a.nonce, a.code, keccak256(a.document), a.document);
    }

    function _designate(SignedAction calldata a, address signer) private {
        if (a.code == uint16(DesignationDisposition.None) || a.code > uint16(DesignationDisposition.KeepOpenDuties)) {
            revert ResponsibilitiesInvalidCode(uint8(a.kind), a.code);
        }
        IUnitRegistry.UnitKind targetKind = registry.unitKind(a.target);
        if (targetKind != IUnitRegistry.UnitKind.Ordinary) revert ResponsibilitiesInvalidUnit(a.target, uint8(targetKind));
        bytes32 fromUnit = catalog.designateOwner(a.subject, a.target);
        _designated[a.subject] = [fromUnit, a.target];
        _disposition[a.subject] = DesignationDisposition(a.code);
        emit EntryDesignated(
            a.subject, fromUnit, a.target, DesignationDisposition(a.code), signer, a.nonce, keccak256(a.document), a.document
        );
    }

    function _recordRefusal(SignedAction calldata a, address signer) private {
        if (a.code == uint16(RefusalGround.None) || a.code > uint16(RefusalGround.LegalBasisCited)) {
            revert ResponsibilitiesInvalidCode(uint8(a.kind), a.code);
        }
        IUnitRegistry.UnitKind targetKind = registry.unitKind(a.target);
        if (targetKind != IUnitRegistry.UnitKind.Ordinary) revert ResponsibilitiesInvalidUnit(a.target, uint8(targetKind));
        Refusal storage f = _refusals[a.subject];
        if (f.recordedAt != 0) revert ResponsibilitiesRefusalExists(a.subject);
        RefusalGround ground = RefusalGround(a.code);
        uint40 dueAt = ground == RefusalGround.NoLegalBasis
            ? uint40(calendar.addWorkingDays(block.timestamp, _settings[REFUSAL_REPORT_DAYS]))
            : 0;
        bytes32 documentHash = keccak256(a.document);
        (f.unitId, f.ground, f.recordedAt, f.reportDueAt, f.documentHash) =
            (a.target, ground, uint40(block.timestamp), dueAt, documentHash);
        emit RefusalRecorded(a.subject, a.target, ground, dueAt, signer, a.nonce, documentHash, a.document);
    }

    function _report(SignedAction calldata a, address signer) private {
        Refusal storage f = _refusals[a.subject];
        if (f.recordedAt == 0) revert ResponsibilitiesUnknownRefusal(a.subject);
        if (f.ground != RefusalGround.NoLegalBasis || f.reportedAt != 0) {
            revert ResponsibilitiesNothingToReport(a.subject, f.ground, f.reportedAt);
        }
        f.reportedAt = uint40(block.timestamp);
        emit RefusalReported(a.subject, signer, a.nonce, f.reportDueAt, keccak256(a.document), a.document);
    }

    /// @dev Exports are contiguous: each starts after the previous one's last block, so the city
    /// can tell a missing one, and ends at a block that exists (the platform exports settled blocks).
    function _recordExport(SignedAction calldata a, address signer) private {
        uint256 fromBlock = uint256(_exportedTo) + 1;
        if (a.value < fromBlock || a.value > block.number) {
            revert ResponsibilitiesInvalidExportRange(fromBlock, a.value, block.number);
        }
        uint32 sequence = ++_exports;
        _exportedTo = a.value;
        emit CatalogExportRecorded(
            a.subject, sequence, uint40(fromBlock), a.value, signer, a.nonce, keccak256(a.document), a.document
        );
    }

    function _publish(bytes32 key, uint256 value, address signer, uint256 nonce, bytes memory document) private {
        uint256[2] storage b = _bounds[key];
        if (b[1] == 0) revert ResponsibilitiesUnknownSetting(key);
        if (value < b[0] || value > b[1]) revert ResponsibilitiesSettingOutOfRange(key, value, b[0], b[1]);
        _settings[key] = value;
        emit SettingPublished(key, value, signer, nonce, keccak256(document), document);
    }

    /// @dev A default is readable on-chain from deployment ({setting}, with {settingBounds}); it
    /// emits nothing, so the deployment's events stay the registry's alone.
    function _define(bytes32 key, uint256 value, uint256 min, uint256 max) private {
        _bounds[key] = [min, max];
        _settings[key] = value;
    }

    /// @dev Fields an action of this kind does not take must be zero: `target`, `code`, `value`.
    function _noExtra(SignedAction calldata a, bool noTarget, bool noCode, bool noValue) private pure {
        if ((noTarget && a.target != 0) || (noCode && a.code != 0) || (noValue && a.value != 0)) {
            revert ResponsibilitiesUnexpectedField(uint8(a.kind));
        }
    }

    function _requireKind(address signer, IUnitRegistry.UnitKind expected, IUnitRegistry.UnitKind actual)
        private
        pure
    {
        if (expected != actual) revert ResponsibilitiesWrongUnitKind(signer, uint8(actual));
    }
}
