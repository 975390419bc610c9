// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ISignedActions} from "./ISignedActions.sol";

/// @title Collection updates, reconciliations and data objections (Art. 15–16)
/// @notice The responsible unit declares how often an entry's data is updated (更新频率, as its
/// catalog document states it); the Data Center records each update it receives, counted in the
/// period it falls in, so a period without one is the unit's missed duty. The Data Center records
/// each reconciliation (对账) with a unit. A data objection (异议) — from the Data Center's quality
/// monitoring or a reconciliation, or from a unit using the data — goes to the entry's responsible
/// unit, which verifies and handles it within the Office's setting `objectionHandlingDays` (read
/// from {IResponsibilities.setting}). A using unit objects under a grant it holds on the entry
/// ({ISharing.grant}): the action signs the grant and the contract checks it. Every step is an
/// officer's signed action.
interface IDataQuality is ISignedActions {
    /// @dev The numbering is part of the signed message: never reorder.
    enum QualityActionKind {
        DeclareFrequency, // the entry's unit: subject = entry, code = UpdateFrequency
        RecordUpdate, // the Data Center: subject = update id, target = entry
        RecordReconciliation, // the Data Center: subject = reconciliation id, target = unit, code = ReconciliationResult
        RaiseObjection, // the Data Center or a using unit: subject = objection id, target = entry, code = ObjectionSource, grant (a using unit's)
        HandleObjection // the entry's unit when raised: subject = objection id, code = ObjectionOutcome
    }

    /// @dev The period of each, in days from the declaration: Realtime is checked daily; Irregular has no periods.
    enum UpdateFrequency {
        None,
        Realtime,
        Daily,
        Weekly,
        Monthly,
        Quarterly,
        Semiannual,
        Annual,
        Irregular
    }

    enum ReconciliationResult {
        None,
        Consistent,
        Discrepancies
    }

    /// @dev QualityMonitoring and Reconciliation are the Data Center's (Art. 16 ¶3); UsingUnit an ordinary unit's.
    enum ObjectionSource {
        None,
        QualityMonitoring,
        Reconciliation,
        UsingUnit
    }

    /// @dev Corrected: the objection held and the data was corrected; Confirmed: verified as correct.
    enum ObjectionOutcome {
        None,
        Corrected,
        Confirmed
    }

    struct SignedAction {
        QualityActionKind kind;
        bytes32 subject;
        bytes32 target; // RecordUpdate, RaiseObjection: the entry; RecordReconciliation: the unit; else 0
        bytes32 grant; // RaiseObjection by a using unit: its grant covering the entry (Art. 16); else 0
        uint16 code; // see QualityActionKind
        uint40 value; // unused: 0
        bytes document; // canonical JSON: the declaration, update receipt, reconciliation, objection or handling
        uint256 nonce;
        bytes signature; // over the EIP-712 digest of the fields above (ECDSA, or SM2 key id ‖ DER)
    }

    struct Schedule {
        UpdateFrequency frequency;
        uint40 startsAt; // period 0 begins here (the declaration's block time)
        uint32 periodSeconds; // 0: Irregular
    }

    struct Objection {
        bytes32 entryId;
        bytes32 ownerUnit; // the entry's unit when raised: who must handle it
        bytes32 raiserUnit;
        bytes32 grantId; // a using unit's grant on the entry; 0 for the Data Center's
        ObjectionSource source;
        ObjectionOutcome outcome; // None while open
        uint40 raisedAt;
        uint40 dueAt; // `objectionHandlingDays` working days after it was raised
        uint40 handledAt;
    }

    error DataQualityWrongUnitKind(address signer, uint8 actual);
    error DataQualityUnexpectedField(uint8 kind);
    error DataQualityInvalidCode(uint8 kind, uint16 code);
    /// @dev The entry has no approved version (nothing catalogued to update or object to).
    error DataQualityEntryNotApproved(bytes32 entryId);
    error DataQualityNotOwner(bytes32 entryId, bytes32 ownerUnit, bytes32 signerUnit);
    error DataQualityNoSchedule(bytes32 entryId);
    error DataQualityInvalidUnit(bytes32 unitId, uint8 kind);
    error DataQualityExists(bytes32 id);
    error DataQualityUnknownObjection(bytes32 objectionId);
    /// @dev A unit does not raise an objection to its own data: it corrects it.
    error DataQualityOwnData(bytes32 entryId, bytes32 unitId);
    error DataQualityObjectionHandled(bytes32 objectionId, uint40 handledAt);
    /// @dev A using unit's objection names no grant, or one Sharing never issued.
    error DataQualityUnknownGrant(bytes32 grantId);
    /// @dev The grant is another unit's: a unit objects only to data it was granted.
    error DataQualityGrantNotHeld(bytes32 grantId, bytes32 holderUnit, bytes32 signerUnit);
    /// @dev The grant does not cover the entry objected to.
    error DataQualityGrantNotCovering(bytes32 grantId, bytes32 entryId);

    event UpdateFrequencyDeclared(
        bytes32 indexed entryId,
        bytes32 indexed unitId,
        UpdateFrequency frequency,
        uint40 startsAt,
        uint32 periodSeconds,
        address signer,
        uint256 nonce,
        bytes32 documentHash,
        bytes document
    );
    event UpdateRecorded(
        bytes32 indexed updateId,
        bytes32 indexed entryId,
        bytes32 indexed unitId,
        uint32 period,
        address signer,
        uint256 nonce,
        bytes32 documentHash,
        bytes document
    );
    event ReconciliationRecorded(
        bytes32 indexed reconciliationId,
        bytes32 indexed unitId,
        ReconciliationResult result,
        address signer,
        uint256 nonce,
        bytes32 documentHash,
        bytes document
    );
    event ObjectionRaised(
        bytes32 indexed objectionId,
        bytes32 indexed entryId,
        bytes32 indexed unitId,
        bytes32 raiserUnit,
        bytes32 grantId,
        ObjectionSource source,
        uint40 dueAt,
        address signer,
        uint256 nonce,
        bytes32 documentHash,
        bytes document
    );
    event ObjectionHandled(
        bytes32 indexed objectionId,
        bytes32 indexed entryId,
        bytes32 indexed unitId,
        ObjectionOutcome outcome,
        uint40 dueAt,
        address signer,
        uint256 nonce,
        bytes32 documentHash,
        bytes document
    );

    /// @notice Run one signed action.
    /// Requirements: a valid signature of an active officer, an unused nonce, and the kind's rules
    /// (see {QualityActionKind}): the entry approved, the signer's unit the one the kind names.
    /// Emits one of the events above.
    function execute(SignedAction calldata action) external;

    /// @notice Run many; a failing one is skipped and reported (`ActionRejected`).
    function executeBatch(SignedAction[] calldata actions) external;

    /// @notice Always reverts with `BatchSimulated`: what `executeBatch` would do with each.
    function simulateBatch(SignedAction[] calldata actions) external;

    /// @notice The EIP-712 digest an officer signs for `action`.
    function actionDigest(SignedAction calldata action) external view returns (bytes32);

    /// @notice The entry's declared update schedule (frequency None: never declared).
    function schedule(bytes32 entryId) external view returns (Schedule memory);

    /// @notice Whether an update of `entryId` was recorded in `period` of its current schedule.
    /// IMPORTANT: a new declaration starts the periods again from 0.
    function updated(bytes32 entryId, uint32 period) external view returns (bool);

    /// @notice The period of `entryId`'s schedule that `timestamp` falls in (0 for Irregular).
    function periodAt(bytes32 entryId, uint256 timestamp) external view returns (uint32);

    /// @notice The objection `objectionId` (raisedAt 0: never raised), its due time and handling.
    function objection(bytes32 objectionId) external view returns (Objection memory);
}
