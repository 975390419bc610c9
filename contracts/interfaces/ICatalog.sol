// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IResponsibilities} from "./IResponsibilities.sol";
import {ISharing} from "./ISharing.sol";
import {ISignedActions} from "./ISignedActions.sol";

/// @title Catalog of public data resources (公共数据目录, Art. 11–14)
/// @notice Entries and their versions. Every version's full canonical JSON document travels in
/// calldata and in the event that records it; storage keeps its keccak256, status and owner.
/// Every action is an officer's EIP-712 signature that the contract checks, so the account that
/// relays the transaction can neither forge nor replay it.
interface ICatalog is ISignedActions {
    /// @dev What an officer asks for. The numbering is part of the signed message: never reorder.
    enum ActionKind {
        Submit, // a responsible unit submits a new entry (Art. 11)
        Resubmit, // ... resubmits a returned entry (Art. 13)
        RequestChange, // ... asks to change an approved entry (Art. 14)
        RequestDelete, // ... asks to delete an approved entry (Art. 14)
        Review, // the Data Center approves (reasonCode 0) or returns (reasonCode > 0) a pending version
        RecordCollection // the Data Center records the entry's data collected to the platform (Art. 15)
    }

    enum VersionKind {
        Initial,
        Resubmission,
        Change,
        Deletion
    }

    enum VersionStatus {
        None,
        Pending,
        Approved,
        Returned
    }

    enum EntryStatus {
        None,
        UnderReview, // first version (or a resubmission) awaits review
        Returned, // returned with a reason; the unit resubmits (Art. 13)
        Active, // has an approved version and no pending request
        ChangePending, // a change request awaits evaluation (Art. 14)
        DeletePending, // a delete request awaits evaluation (Art. 14)
        Deleted
    }

    /// @dev The entry's sharing attribute (共享属性, Art. 7, 11), signed with each version: the
    /// document states it, the officer signs it as a field the contract can check, and Sharing
    /// never grants an entry whose approved version is NotShared (不予共享).
    enum SharingAttribute {
        None, // not an entry version (a deletion request, a review, a collection record)
        Unconditional,
        Conditional,
        NotShared
    }

    struct SignedAction {
        ActionKind kind;
        bytes32 entryId;
        uint32 version; // the version reviewed; 0 for the owner's actions
        uint16 reasonCode; // Review only: 0 approves, anything else returns with that reason
        bytes document; // canonical JSON (RFC 8785): entry, deletion request or review note
        uint256 nonce; // any unused number of the signer's; refused once used
        uint40 declaredAt; // Submit only: the business approval / system acceptance time (Art. 11)
        SharingAttribute sharing; // Submit, Resubmit, RequestChange: the version's sharing attribute; None otherwise
        // Submit, Resubmit, RequestChange: the approved responsibility (职责, Art. 11) of the entry's
        // unit the version serves (IResponsibilities.checkServes); 0 otherwise, or where the Office
        // does not yet require one. A Data Center submission names its Art. 12 responsibility:
        // that makes the entry a district supplementary entry.
        bytes32 responsibility;
        bytes signature; // over the EIP-712 digest of the fields above: 65-byte ECDSA, or SM2 key id ‖ DER (IUnitRegistry.tryRecoverSigner)
    }

    /// @dev Due times are the ends of working days (see WorkCalendar); 0 where no duty is open.
    struct Entry {
        bytes32 unitId;
        uint32 latestVersion;
        uint32 approvedVersion;
        uint32 pendingVersion;
        EntryStatus status;
        uint40 createdAt;
        uint40 resubmitDueAt; // Art. 13: 3 working days after a return
        uint40 collectionDueAt; // Art. 15: 10 working days after the first approval
        uint40 collectedAt;
        SharingAttribute sharing; // the approved version's (None until one is approved)
        bytes32 responsibility; // the responsibility the latest version named (0: none named)
        bool supplementary; // compiled by the Data Center for data returned from the city (Art. 12)
    }

    /// @dev `dueAt` is when its review is due (1 working day, Art. 13/14); `compileDueAt` (first
    /// version only) is 10 working days after the declared approval or acceptance (Art. 11), 0 when
    /// that date lies in a year the calendar does not hold. `reviewedAt`/`reviewer` are zero until reviewed.
    struct Version {
        bytes32 documentHash;
        address submitter;
        uint40 submittedAt;
        uint40 dueAt;
        VersionKind kind;
        VersionStatus status;
        address reviewer;
        uint40 reviewedAt;
        uint16 reasonCode;
        uint40 compileDueAt;
        SharingAttribute sharing; // None for a deletion request
    }

    error CatalogWrongUnitKind(address signer, uint8 expected, uint8 actual);
    error CatalogNotOwner(bytes32 entryId, bytes32 ownerUnit, bytes32 signerUnit);
    error CatalogEntryExists(bytes32 entryId);
    error CatalogUnknownEntry(bytes32 entryId);
    error CatalogInvalidStatus(bytes32 entryId, EntryStatus expected, EntryStatus actual);
    error CatalogNotPendingVersion(bytes32 entryId, uint32 pendingVersion, uint32 version);
    error CatalogUnexpectedField(ActionKind kind);
    /// @dev An entry version must state its sharing attribute; no other action may.
    error CatalogInvalidSharing(ActionKind kind, SharingAttribute sharing);
    /// @dev A submission's declared approval/acceptance time is missing (0) or in the future.
    error CatalogInvalidDeclaredAt(uint40 declaredAt, uint256 now_);
    error CatalogNotApproved(bytes32 entryId);
    error CatalogAlreadyCollected(bytes32 entryId, uint40 collectedAt);
    error CatalogNotDeployer(address caller);
    error CatalogSharingBound(address sharing);
    error CatalogResponsibilitiesBound(address responsibilities);
    /// @dev Only the bound Responsibilities contract carries out the Office's designations (Art. 5).
    error CatalogNotResponsibilities(address caller);
    /// @dev A designation names the unit that already owns the entry, or a deleted entry.
    error CatalogDesignationRefused(bytes32 entryId, bytes32 ownerUnit, EntryStatus status);

    event CatalogVersionSubmitted(
        bytes32 indexed entryId,
        uint32 indexed version,
        bytes32 indexed unitId,
        VersionKind kind,
        address signer,
        uint256 nonce,
        bytes32 documentHash,
        uint40 dueAt,
        uint40 declaredAt,
        uint40 compileDueAt,
        SharingAttribute sharing,
        bytes32 responsibility,
        bytes document
    );

    /// @dev The Office designated `toUnit` the entry's responsible unit (Art. 5); the signed
    /// decision is {IResponsibilities.EntryDesignated} in the same transaction.
    event CatalogOwnerDesignated(bytes32 indexed entryId, bytes32 indexed fromUnit, bytes32 indexed toUnit);

    event CatalogVersionReviewed(
        bytes32 indexed entryId,
        uint32 indexed version,
        address indexed reviewer,
        uint256 nonce,
        uint16 reasonCode,
        EntryStatus entryStatus,
        uint40 nextDueAt, // resubmission due after a return; collection due after a first approval
        bytes32 documentHash,
        bytes document
    );

    event CatalogDataCollected(
        bytes32 indexed entryId,
        address indexed recorder,
        uint256 nonce,
        uint40 collectionDueAt,
        bytes32 documentHash,
        bytes document
    );

    /// @notice Binds the Sharing contract asked before change and deletion requests (Art. 14).
    /// Requirements: the caller deployed this contract; no Sharing contract is bound yet.
    function bindSharing(ISharing sharing_) external;

    /// @notice Binds the Responsibilities contract that checks the responsibility each version
    /// names and carries out the Office's designations (Art. 5, 11).
    /// Requirements: the caller deployed this contract; none is bound yet.
    function bindResponsibilities(IResponsibilities responsibilities_) external;

    /// @notice The bound Responsibilities contract (0 before binding).
    function responsibilities() external view returns (IResponsibilities);

    /// @notice Transfers `entryId` to `unitId` (Art. 5: the Office designates the responsible unit).
    /// Requirements: the caller is the bound Responsibilities contract (which checks the Office's
    /// signature); the entry exists, is not deleted and is not already `unitId`'s.
    /// Emits {CatalogOwnerDesignated}. Returns the previous owner.
    function designateOwner(bytes32 entryId, bytes32 unitId) external returns (bytes32 fromUnit);

    /// @notice Executes one signed action.
    /// Requirements: the signature recovers to an active officer key; its nonce is unused; the
    /// signer's unit may take this action on this entry in its current status.
    /// Emits {CatalogVersionSubmitted} or {CatalogVersionReviewed}.
    function execute(SignedAction calldata action) external;

    /// @notice Executes many signed actions in one transaction. An action that fails is skipped
    /// and reported with {ISignedActions.ActionRejected}; the others still take effect.
    /// IMPORTANT: actions run in array order, so a review must come after the version it reviews.
    function executeBatch(SignedAction[] calldata actions) external;

    /// @notice Runs `actions` as {executeBatch} would, then reverts with {ISignedActions.BatchSimulated}
    /// saying which would fail and why. It never changes state: call it with `eth_call`.
    /// Later actions see the effects of earlier ones, so a batch may submit and then review.
    function simulateBatch(SignedAction[] calldata actions) external;

    /// @notice The EIP-712 digest an officer signs for `action` (its signature field is ignored).
    function actionDigest(SignedAction calldata action) external view returns (bytes32);

    function entry(bytes32 entryId) external view returns (Entry memory);

    function version(bytes32 entryId, uint32 number) external view returns (Version memory);
}
