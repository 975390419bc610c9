// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ISignedActions} from "./ISignedActions.sol";

/// @title Security incidents, the Data Center's evaluations and its reports of Art. 31 measures
/// @notice Art. 29: a unit or the Data Center that has a data security incident reports it at once
/// (what, when, which data and grants, measures taken) as a signed record, which the Office and the
/// regulators (unit kind Auditor) acknowledge; its handling and closure are recorded by the unit
/// that reported it. Art. 31: the Data Center's data quality, sharing effectiveness and security
/// evaluations of a unit or a grant are recorded with their score, and a grant it suspended or
/// terminated for a security risk is reported (报送) to the regulators and the Office as a step of
/// its own, checked against the grant's state in {ISharing}, and acknowledged like an incident.
/// Art. 32: the Office publishes a period's evaluation results once the period has ended, and its
/// notice (通报) of the units that did not carry out their duties, resting on published results.
interface ISupervision is ISignedActions {
    /// @dev The numbering is part of the signed message: never reorder.
    enum SupervisionActionKind {
        ReportIncident, // a unit or the Data Center: subject = incident id, code = Severity, value = when it occurred
        Acknowledge, // the Office or a regulator: subject = incident id or measure report id
        RecordHandling, // the reporting unit: subject = incident id
        CloseIncident, // the reporting unit: subject = incident id
        RecordEvaluation, // the Data Center: subject = evaluation id, target = unit or grant, code = EvaluationKind, value = score
        ReportMeasure, // the Data Center: subject = grant id, code = MeasureKind
        PublishResults, // the Office (Art. 32): subject = results id, value = the period's last second
        PublishNotice // the Office (Art. 32, 通报): subject = notice id, target = the results it rests on
    }

    /// @dev The national grading of cyber security incidents: 一般, 较大, 重大, 特别重大.
    enum Severity {
        None,
        General,
        Larger,
        Major,
        Especially
    }

    enum EvaluationKind {
        None,
        Quality,
        Effectiveness,
        Security
    }

    enum MeasureKind {
        None,
        Suspension,
        Termination
    }

    struct SignedAction {
        SupervisionActionKind kind;
        bytes32 subject;
        bytes32 target; // RecordEvaluation: the unit or grant evaluated; else 0
        uint16 code; // see SupervisionActionKind
        uint40 value; // ReportIncident: when it occurred; RecordEvaluation: the score, 0–100; else 0
        bytes document;
        uint256 nonce;
        bytes signature; // over the EIP-712 digest of the fields above (ECDSA, or SM2 key id ‖ DER)
    }

    struct Incident {
        bytes32 unitId; // who reported it, who handles and closes it
        Severity severity;
        uint40 occurredAt;
        uint40 reportedAt;
        uint40 closedAt;
        uint16 handlings;
        uint16 acknowledgements;
    }

    error SupervisionWrongUnitKind(address signer, uint8 actual);
    error SupervisionUnexpectedField(uint8 kind);
    error SupervisionInvalidCode(uint8 kind, uint16 code);
    error SupervisionExists(bytes32 id);
    error SupervisionUnknownIncident(bytes32 incidentId);
    error SupervisionNotReporter(bytes32 incidentId, bytes32 reporterUnit, bytes32 signerUnit);
    error SupervisionIncidentClosed(bytes32 incidentId, uint40 closedAt);
    /// @dev When it occurred must be given and not in the future.
    error SupervisionInvalidTime(uint40 occurredAt, uint256 now);
    error SupervisionNothingToAcknowledge(bytes32 id);
    error SupervisionAlreadyAcknowledged(bytes32 id, bytes32 unitId);
    /// @dev An evaluation is of a registered unit or an issued grant; a score is 0–100.
    error SupervisionInvalidTarget(bytes32 target);
    error SupervisionInvalidScore(uint40 score);
    /// @dev The grant is not under the measure reported: suspended for security, or terminated.
    error SupervisionNoMeasure(bytes32 grantId, uint8 status, uint8 suspension);
    /// @dev Results are published for a period that has ended.
    error SupervisionPeriodNotEnded(uint40 periodEnd, uint256 now);
    /// @dev A notice rests on results the Office published.
    error SupervisionUnknownResults(bytes32 resultsId);

    event IncidentReported(
        bytes32 indexed incidentId,
        bytes32 indexed unitId,
        Severity severity,
        uint40 occurredAt,
        address signer,
        uint256 nonce,
        bytes32 documentHash,
        bytes document
    );
    event Acknowledged(
        bytes32 indexed id,
        bytes32 indexed unitId,
        uint16 acknowledgements,
        address signer,
        uint256 nonce,
        bytes32 documentHash,
        bytes document
    );
    event IncidentHandlingRecorded(
        bytes32 indexed incidentId,
        bytes32 indexed unitId,
        uint16 handlings,
        address signer,
        uint256 nonce,
        bytes32 documentHash,
        bytes document
    );
    event IncidentClosed(
        bytes32 indexed incidentId,
        bytes32 indexed unitId,
        address signer,
        uint256 nonce,
        bytes32 documentHash,
        bytes document
    );
    event EvaluationRecorded(
        bytes32 indexed evaluationId,
        bytes32 indexed target,
        EvaluationKind evaluation,
        uint40 score,
        bool grant,
        address signer,
        uint256 nonce,
        bytes32 documentHash,
        bytes document
    );
    event MeasureReported(
        bytes32 indexed reportId,
        bytes32 indexed grantId,
        bytes32 indexed unitId,
        MeasureKind measure,
        uint40 takenAt,
        address signer,
        uint256 nonce,
        bytes32 documentHash,
        bytes document
    );

    event ResultsPublished(
        bytes32 indexed resultsId,
        uint40 periodEnd,
        address signer,
        uint256 nonce,
        bytes32 documentHash,
        bytes document
    );
    event NoticePublished(
        bytes32 indexed noticeId,
        bytes32 indexed resultsId,
        address signer,
        uint256 nonce,
        bytes32 documentHash,
        bytes document
    );

    /// @notice Run one signed action.
    /// Requirements: a valid signature of an active officer, an unused nonce, and the kind's rules
    /// (see {SupervisionActionKind}). Emits one of the events above.
    function execute(SignedAction calldata action) external;

    /// @notice Run many; a failing one is skipped and reported (`ActionRejected`).
    function executeBatch(SignedAction[] calldata actions) external;

    /// @notice Always reverts with `BatchSimulated`: what `executeBatch` would do with each.
    function simulateBatch(SignedAction[] calldata actions) external;

    /// @notice The EIP-712 digest an officer signs for `action`.
    function actionDigest(SignedAction calldata action) external view returns (bytes32);

    /// @notice The incident `incidentId` (reportedAt 0: never reported), with its counts of handling
    /// steps and acknowledgements and its closure time.
    function incident(bytes32 incidentId) external view returns (Incident memory);

    /// @notice The id of the report of `measure` on `grantId` taken at `takenAt`:
    /// keccak256(abi.encode(grantId, measure, takenAt)).
    /// IMPORTANT: a grant suspended twice has two reports, one per suspension.
    function measureReportId(bytes32 grantId, MeasureKind measure, uint40 takenAt) external pure returns (bytes32);

    /// @notice When the results `resultsId` were published (0: never).
    function resultsPublishedAt(bytes32 resultsId) external view returns (uint40);

    /// @notice Whether `unitId` acknowledged the incident or measure report `id`.
    function acknowledged(bytes32 id, bytes32 unitId) external view returns (bool);
}
