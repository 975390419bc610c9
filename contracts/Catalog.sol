// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {SignedActions} from "./base/SignedActions.sol";
import {ICatalog} from "./interfaces/ICatalog.sol";
import {IResponsibilities} from "./interfaces/IResponsibilities.sol";
import {ISharing} from "./interfaces/ISharing.sol";
import {IUnitRegistry} from "./interfaces/IUnitRegistry.sol";
import {IWorkCalendar} from "./interfaces/IWorkCalendar.sol";

/// @title Catalog
/// @notice Catalog entries and every version of them (Art. 11–14). Responsible units submit,
/// resubmit and request changes or deletion; the Data Center reviews. Nothing changes an entry
/// without a Data Center approval, and every step is an officer's signed action.
contract Catalog is ICatalog, SignedActions {
    /// @dev The struct an officer signs. `document` is hashed as EIP-712 `bytes` (keccak256).
    bytes32 public constant ACTION_TYPEHASH = keccak256(
        "CatalogAction(uint8 kind,bytes32 entryId,uint32 version,uint16 reasonCode,bytes document,uint256 nonce,uint40 declaredAt,uint8 sharing,bytes32 responsibility)"
    );

    /// @dev Working-day periods of the measures.
    uint256 private constant REVIEW_DAYS = 1; // Art. 13 review, Art. 14 change/delete evaluation
    uint256 private constant RESUBMIT_DAYS = 3; // Art. 13
    uint256 private constant COMPILE_DAYS = 10; // Art. 11
    uint256 private constant COLLECT_DAYS = 10; // Art. 15

    /// @dev Every due time comes from here; a step whose deadline falls in a year the Office has
    /// not published is refused (the calendar's own error), never guessed in calendar days.
    IWorkCalendar public immutable calendar;

    /// @dev Asked before a change or deletion request whether live grants use the entry (Art. 14).
    /// Bound once after deployment: Sharing reads the catalog, so it is deployed second.
    ISharing public sharing;
    /// @dev Checks each version's responsibility and designates owners (Art. 5, 11); bound once.
    IResponsibilities public responsibilities;
    address private immutable _deployer;

    mapping(bytes32 entryId => Entry) private _entries;
    mapping(bytes32 entryId => mapping(uint32 number => Version)) private _versions;

    constructor(IUnitRegistry registry_, IWorkCalendar calendar_) SignedActions(registry_, "PutuoCatalog", "1") {
        calendar = calendar_;
        _deployer = msg.sender;
    }

    /// @inheritdoc ICatalog
    function bindSharing(ISharing sharing_) external {
        if (msg.sender != _deployer) revert CatalogNotDeployer(msg.sender);
        if (address(sharing) != address(0)) revert CatalogSharingBound(address(sharing));
        sharing = sharing_;
    }

    /// @inheritdoc ICatalog
    function bindResponsibilities(IResponsibilities responsibilities_) external {
        if (msg.sender != _deployer) revert CatalogNotDeployer(msg.sender);
        if (address(responsibilities) != address(0)) revert CatalogResponsibilitiesBound(address(responsibilities));
        responsibilities = responsibilities_;
    }

    /// @inheritdoc ICatalog
    function designateOwner(bytes32 entryId, bytes32 unitId) external returns (bytes32 fromUnit) {
        if (msg.sender != address(responsibilities)) revert CatalogNotResponsibilities(msg.sender);
        Entry storage e = _entries[entryId];
        fromUnit = e.unitId;
        if (e.status == EntryStatus.None || e.status == EntryStatus.Deleted || fromUnit == unitId) {
            revert CatalogDesignationRefused(entryId, fromUnit, e.status);
        }
        e.unitId = unitId;
        emit CatalogOwnerDesignated(entryId, fromUnit, unitId);
    }

    /// @inheritdoc ICatalog
    function execute(SignedAction calldata action) external {
        _execute(action);
    }

    /// @inheritdoc ICatalog
    function executeBatch(SignedAction[] calldata actions) external {
        for (uint256 i = 0; i < actions.length; ++i) {
            // The external self-call gives each action its own revert scope.
            try this.executeFromBatch(actions[i]) {}
            catch (bytes memory reason) {
                _rejected(i, actionDigest(actions[i]), reason);
            }
        }
    }

    /// @inheritdoc ICatalog
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

    /// @dev Only for {executeBatch} and {simulateBatch}; not part of the interface.
    function executeFromBatch(SignedAction calldata action) external {
        _requireSelf();
        _execute(action);
    }

    /// @inheritdoc ICatalog
    function actionDigest(SignedAction calldata a) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    ACTION_TYPEHASH,
                    a.kind,
                    a.entryId,
                    a.version,
                    a.reasonCode,
                    keccak256(a.document),
                    a.nonce,
                    a.declaredAt,
                    a.sharing,
                    a.responsibility
                )
            )
        );
    }

    /// @inheritdoc ICatalog
    function entry(bytes32 entryId) external view returns (Entry memory) {
        return _entries[entryId];
    }

    /// @inheritdoc ICatalog
    function version(bytes32 entryId, uint32 number) external view returns (Version memory) {
        return _versions[entryId][number];
    }

    function _execute(SignedAction calldata a) private {
        (address signer, bytes32 unitId, IUnitRegistry.UnitKind unitKind) =
            _authenticate(actionDigest(a), a.document, a.signature, a.nonce);
        if (a.kind != ActionKind.Submit && a.declaredAt != 0) revert CatalogUnexpectedField(a.kind);
        // Art. 7, 11: every entry version states its sharing attribute; nothing else carries one.
        bool isVersion = a.kind <= ActionKind.RequestChange;
        if (isVersion == (a.sharing == SharingAttribute.None)) revert CatalogInvalidSharing(a.kind, a.sharing);
        if (!isVersion && a.responsibility != 0) revert CatalogUnexpectedField(a.kind);
        if (a.kind == ActionKind.Review) {
            _requireKind(signer, IUnitRegistry.UnitKind.DataCenter, unitKind);
            _review(a, signer);
            return;
        }
        if (a.version != 0 || a.reasonCode != 0) revert CatalogUnexpectedField(a.kind);
        if (a.kind == ActionKind.RecordCollection) {
            _requireKind(signer, IUnitRegistry.UnitKind.DataCenter, unitKind);
            _recordCollection(a, signer);
        } else {
            // Art. 12: the Data Center compiles supplementary entries, each naming its Art. 12
            // responsibility (checked below), and keeps them as their owner.
            bool supplementary = unitKind == IUnitRegistry.UnitKind.DataCenter
                && (a.kind != ActionKind.Submit || a.responsibility != 0);
            if (!supplementary) _requireKind(signer, IUnitRegistry.UnitKind.Ordinary, unitKind);
            _ownerAction(a, signer, unitId, supplementary);
        }
    }

    function _ownerAction(SignedAction calldata a, address signer, bytes32 unitId, bool supplementary) private {
        Entry storage e = _entries[a.entryId];
        VersionKind vk;
        EntryStatus next;
        uint40 compileDueAt;
        if (a.kind == ActionKind.Submit) {
            if (e.status != EntryStatus.None) revert CatalogEntryExists(a.entryId);
            compileDueAt = _compileDue(a.declaredAt);
            e.unitId = unitId;
            e.createdAt = uint40(block.timestamp);
            e.supplementary = supplementary;
            (vk, next) = (VersionKind.Initial, EntryStatus.UnderReview);
        } else {
            if (e.status == EntryStatus.None) revert CatalogUnknownEntry(a.entryId);
            if (e.unitId != unitId) revert CatalogNotOwner(a.entryId, e.unitId, unitId);
            if (a.kind == ActionKind.Resubmit) {
                _requireStatus(a.entryId, EntryStatus.Returned, e.status);
                e.resubmitDueAt = 0; // the duty is done (on time or not: the version's time says)
                (vk, next) = (VersionKind.Resubmission, EntryStatus.UnderReview);
            } else {
                _requireStatus(a.entryId, EntryStatus.Active, e.status);
                // Art. 14: a change touching live share services needs an adjustment plan first.
                if (address(sharing) != address(0)) sharing.beforeCatalogChange(a.entryId);
                (vk, next) = a.kind == ActionKind.RequestChange
                    ? (VersionKind.Change, EntryStatus.ChangePending)
                    : (VersionKind.Deletion, EntryStatus.DeletePending);
            }
        }
        // Art. 11: the version serves an approved responsibility of the entry's unit.
        if (vk != VersionKind.Deletion) {
            if (address(responsibilities) != address(0)) responsibilities.checkServes(a.responsibility, unitId);
            e.responsibility = a.responsibility;
        }
        uint32 number = e.latestVersion + 1;
        e.latestVersion = number;
        e.pendingVersion = number;
        e.status = next;
        bytes32 documentHash = keccak256(a.document);
        uint40 reviewDueAt = _due(block.timestamp, REVIEW_DAYS);
        _versions[a.entryId][number] = Version({
            documentHash: documentHash,
            submitter: signer,
            submittedAt: uint40(block.timestamp),
            dueAt: reviewDueAt,
            kind: vk,
            status: VersionStatus.Pending,
            reviewer: address(0),
            reviewedAt: 0,
            reasonCode: 0,
            compileDueAt: compileDueAt,
            sharing: a.sharing
        });
        emit CatalogVersionSubmitted(
            a.entryId,
            number,
            unitId,
            vk,
            signer,
            a.nonce,
            documentHash,
            reviewDueAt,
            a.declaredAt,
            compileDueAt,
            a.sharing,
            a.responsibility,
            a.document
        );
    }

    function _review(SignedAction calldata a, address reviewer) private {
        Entry storage e = _entries[a.entryId];
        if (e.status == EntryStatus.None) revert CatalogUnknownEntry(a.entryId);
        if (e.pendingVersion == 0 || e.pendingVersion != a.version) {
            revert CatalogNotPendingVersion(a.entryId, e.pendingVersion, a.version);
        }
        Version storage v = _versions[a.entryId][a.version];
        bool approved = a.reasonCode == 0;
        v.status = approved ? VersionStatus.Approved : VersionStatus.Returned;
        v.reviewer = reviewer;
        v.reviewedAt = uint40(block.timestamp);
        v.reasonCode = a.reasonCode;
        e.pendingVersion = 0;
        e.status = _statusAfterReview(e, v, approved, a.version);
        uint40 nextDueAt = _nextDuty(e, v.kind, approved);
        emit CatalogVersionReviewed(
            a.entryId, a.version, reviewer, a.nonce, a.reasonCode, e.status, nextDueAt, keccak256(a.document), a.document
        );
    }

    /// @dev The duty a review starts: the unit resubmits a returned entry within 3 working days
    /// (Art. 13); the unit collects a newly approved entry's data within 10 (Art. 15).
    function _nextDuty(Entry storage e, VersionKind kind, bool approved) private returns (uint40) {
        if (kind != VersionKind.Initial && kind != VersionKind.Resubmission) return 0;
        if (!approved) return e.resubmitDueAt = _due(block.timestamp, RESUBMIT_DAYS);
        return e.collectionDueAt = _due(block.timestamp, COLLECT_DAYS);
    }

    function _recordCollection(SignedAction calldata a, address recorder) private {
        Entry storage e = _entries[a.entryId];
        if (e.status == EntryStatus.None) revert CatalogUnknownEntry(a.entryId);
        if (e.approvedVersion == 0 || e.status == EntryStatus.Deleted) revert CatalogNotApproved(a.entryId);
        if (e.collectedAt != 0) revert CatalogAlreadyCollected(a.entryId, e.collectedAt);
        e.collectedAt = uint40(block.timestamp);
        emit CatalogDataCollected(a.entryId, recorder, a.nonce, e.collectionDueAt, keccak256(a.document), a.document);
    }

    /// @dev The end of the n-th working day after `from`; reverts for an unpublished year.
    function _due(uint256 from, uint256 n) private view returns (uint40) {
        return uint40(calendar.addWorkingDays(from, n));
    }

    /// @dev Art. 11's deadline from the declared date. A date in a year the calendar does not hold
    /// (an old system catalogued late) gives 0, "not computable", rather than refusing the entry.
    function _compileDue(uint40 declaredAt) private view returns (uint40) {
        if (declaredAt == 0 || declaredAt > block.timestamp) revert CatalogInvalidDeclaredAt(declaredAt, block.timestamp);
        (bool ok, uint256 dueAt,) = calendar.tryAddWorkingDays(declaredAt, COMPILE_DAYS);
        return ok ? uint40(dueAt) : 0;
    }

    /// @dev The one place the review outcome moves an entry. A returned change or deletion
    /// leaves the approved version in force (Art. 14: only an approved request changes the entry).
    function _statusAfterReview(Entry storage e, Version storage v, bool approved, uint32 number)
        private
        returns (EntryStatus)
    {
        VersionKind kind = v.kind;
        if (kind == VersionKind.Initial || kind == VersionKind.Resubmission) {
            if (!approved) return EntryStatus.Returned;
            _approve(e, v, number);
            return EntryStatus.Active;
        }
        if (!approved) return EntryStatus.Active;
        if (kind == VersionKind.Deletion) return EntryStatus.Deleted;
        _approve(e, v, number);
        return EntryStatus.Active;
    }

    /// @dev The entry now stands at version `number`, with that version's sharing attribute.
    function _approve(Entry storage e, Version storage v, uint32 number) private {
        e.approvedVersion = number;
        e.sharing = v.sharing;
    }

    function _requireKind(address signer, IUnitRegistry.UnitKind expected, IUnitRegistry.UnitKind actual)
        private
        pure
    {
        if (expected != actual) revert CatalogWrongUnitKind(signer, uint8(expected), uint8(actual));
    }

    function _requireStatus(bytes32 entryId, EntryStatus expected, EntryStatus actual) private pure {
        if (expected != actual) revert CatalogInvalidStatus(entryId, expected, actual);
    }
}
