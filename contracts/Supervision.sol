// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {SignedActions} from "./base/SignedActions.sol";
import {ISharing} from "./interfaces/ISharing.sol";
import {ISupervision} from "./interfaces/ISupervision.sol";
import {IUnitRegistry} from "./interfaces/IUnitRegistry.sol";

/// @title Supervision
/// @notice Security incidents (Art. 29), the Data Center's evaluations and its reports of Art. 31
/// measures. See {ISupervision}.
contract Supervision is ISupervision, SignedActions {
    bytes32 public constant ACTION_TYPEHASH = keccak256(
        "SupervisionAction(uint8 kind,bytes32 subject,bytes32 target,uint16 code,uint40 value,bytes document,uint256 nonce)"
    );
    uint40 public constant MAX_SCORE = 100;

    ISharing public immutable sharing;

    mapping(bytes32 incidentId => Incident) private _incidents;
    mapping(bytes32 id => bool) private _evaluations;
    mapping(bytes32 reportId => uint16) private _reportAcks; // acknowledgements + 1 once reported
    mapping(bytes32 id => mapping(bytes32 unitId => bool)) private _acked;
    mapping(bytes32 resultsId => uint40) private _results;
    mapping(bytes32 noticeId => bool) private _notices;

    constructor(IUnitRegistry registry_, ISharing sharing_) SignedActions(registry_, "PutuoSupervision", "1") {
        sharing = sharing_;
    }

    /// @inheritdoc ISupervision
    function execute(SignedAction calldata action) external {
        _execute(action);
    }

    /// @inheritdoc ISupervision
    function executeBatch(SignedAction[] calldata actions) external {
        for (uint256 i = 0; i < actions.length; ++i) {
            try this.executeFromBatch(actions[i]) {}
            catch (bytes memory reason) {
                _rejected(i, actionDigest(actions[i]), reason);
            }
        }
    }

    /// @inheritdoc ISupervision
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

    /// @inheritdoc ISupervision
    function actionDigest(SignedAction calldata a) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    ACTION_TYPEHASH, a.kind, a.subject, a.target, a.code, a.value, keccak256(a.document), a.nonce
                )
            )
        );
    }

    /// @inheritdoc ISupervision
    function incident(bytes32 incidentId) external view returns (Incident memory) {
        return _incidents[incidentId];
    }

    /// @inheritdoc ISupervision
    function measureReportId(bytes32 grantId, MeasureKind measure, uint40 takenAt) public pure returns (bytes32) {
        return keccak256(abi.encode(grantId, measure, takenAt));
    }

    /// @inheritdoc ISupervision
    function resultsPublishedAt(bytes32 resultsId) external view returns (uint40) {
        return _results[resultsId];
    }

    /// @inheritdoc ISupervision
    function acknowledged(bytes32 id, bytes32 unitId) external view returns (bool) {
        return _acked[id][unitId];
    }

    function _execute(SignedAction calldata a) private {
        (address signer, bytes32 unitId, IUnitRegistry.UnitKind unitKind) =
            _authenticate(actionDigest(a), a.document, a.signature, a.nonce);
        SupervisionActionKind kind = a.kind;
        if (kind != SupervisionActionKind.RecordEvaluation && kind != SupervisionActionKind.PublishNotice && a.target != 0) {
            revert SupervisionUnexpectedField(uint8(kind));
        }
        if (kind == SupervisionActionKind.ReportIncident) {
            if (unitKind != IUnitRegistry.UnitKind.Ordinary && unitKind != IUnitRegistry.UnitKind.DataCenter) {
                revert SupervisionWrongUnitKind(signer, uint8(unitKind));
            }
            _report(a, signer, unitId);
        } else if (kind == SupervisionActionKind.Acknowledge) {
            if (unitKind != IUnitRegistry.UnitKind.Office && unitKind != IUnitRegistry.UnitKind.Auditor) {
                revert SupervisionWrongUnitKind(signer, uint8(unitKind));
            }
            _noCodeOrValue(a);
            _acknowledge(a, signer, unitId);
        } else if (kind == SupervisionActionKind.PublishResults || kind == SupervisionActionKind.PublishNotice) {
            if (unitKind != IUnitRegistry.UnitKind.Office) revert SupervisionWrongUnitKind(signer, uint8(unitKind));
            _publish(a, signer);
        } else if (kind == SupervisionActionKind.RecordHandling || kind == SupervisionActionKind.CloseIncident) {
            _noCodeOrValue(a);
            _follow(a, signer, unitId);
        } else {
            if (unitKind != IUnitRegistry.UnitKind.DataCenter) revert SupervisionWrongUnitKind(signer, uint8(unitKind));
            if (kind == SupervisionActionKind.RecordEvaluation) _evaluate(a, signer);
            else _reportMeasure(a, signer);
        }
    }

    function _report(SignedAction calldata a, address signer, bytes32 unitId) private {
        if (a.code == 0 || a.code > uint16(Severity.Especially)) revert SupervisionInvalidCode(uint8(a.kind), a.code);
        if (a.value == 0 || a.value > block.timestamp) revert SupervisionInvalidTime(a.value, block.timestamp);
        Incident storage i = _incidents[a.subject];
        if (a.subject == 0 || i.reportedAt != 0) revert SupervisionExists(a.subject);
        (i.unitId, i.severity, i.occurredAt, i.reportedAt) = (unitId, Severity(a.code), a.value, uint40(block.timestamp));
        emit IncidentReported(a.subject, unitId, i.severity, a.value, signer, a.nonce, keccak256(a.document), a.document);
    }

    /// @dev Each of the Office and the regulators acknowledges once what was reported to them.
    function _acknowledge(SignedAction calldata a, address signer, bytes32 unitId) private {
        uint16 count;
        Incident storage i = _incidents[a.subject];
        if (i.reportedAt != 0) {
            count = ++i.acknowledgements;
        } else if (_reportAcks[a.subject] != 0) {
            count = _reportAcks[a.subject]++;
        } else {
            revert SupervisionNothingToAcknowledge(a.subject);
        }
        if (_acked[a.subject][unitId]) revert SupervisionAlreadyAcknowledged(a.subject, unitId);
        _acked[a.subject][unitId] = true;
        emit Acknowledged(a.subject, unitId, count, signer, a.nonce, keccak256(a.document), a.document);
    }

    function _follow(SignedAction calldata a, address signer, bytes32 unitId) private {
        Incident storage i = _incidents[a.subject];
        if (i.reportedAt == 0) revert SupervisionUnknownIncident(a.subject);
        if (i.unitId != unitId) revert SupervisionNotReporter(a.subject, i.unitId, unitId);
        if (i.closedAt != 0) revert SupervisionIncidentClosed(a.subject, i.closedAt);
        if (a.kind == SupervisionActionKind.RecordHandling) {
            emit IncidentHandlingRecorded(a.subject, unitId, ++i.handlings, signer, a.nonce, keccak256(a.document), a.document);
        } else {
            i.closedAt = uint40(block.timestamp);
            emit IncidentClosed(a.subject, unitId, signer, a.nonce, keccak256(a.document), a.document);
        }
    }

    function _evaluate(SignedAction calldata a, address signer) private {
        if (a.code == 0 || a.code > uint16(EvaluationKind.Security)) revert SupervisionInvalidCode(uint8(a.kind), a.code);
        if (a.value > MAX_SCORE) revert SupervisionInvalidScore(a.value);
        bool unit = registry.unitKind(a.target) != IUnitRegistry.UnitKind.None;
        if (!unit && sharing.grant(a.target).status == ISharing.GrantStatus.None) revert SupervisionInvalidTarget(a.target);
        if (a.subject == 0 || _evaluations[a.subject]) revert SupervisionExists(a.subject);
        _evaluations[a.subject] = true;
        emit EvaluationRecorded(
            a.subject, a.target, EvaluationKind(a.code), a.value, !unit, signer, a.nonce, keccak256(a.document), a.document
        );
    }

    /// @dev The measure must be in force: a security suspension not yet lifted, or a termination.
    function _reportMeasure(SignedAction calldata a, address signer) private {
        if (a.value != 0) revert SupervisionUnexpectedField(uint8(a.kind));
        ISharing.Grant memory g = sharing.grant(a.subject);
        uint40 takenAt;
        if (a.code == uint16(MeasureKind.Suspension)) {
            if (g.status == ISharing.GrantStatus.Suspended && g.suspension == ISharing.Suspension.Security) {
                takenAt = g.suspendedAt;
            }
        } else if (a.code == uint16(MeasureKind.Termination)) {
            if (g.status == ISharing.GrantStatus.Terminated) takenAt = g.terminatedAt;
        } else {
            revert SupervisionInvalidCode(uint8(a.kind), a.code);
        }
        if (takenAt == 0) revert SupervisionNoMeasure(a.subject, uint8(g.status), uint8(g.suspension));
        bytes32 reportId = measureReportId(a.subject, MeasureKind(a.code), takenAt);
        if (_reportAcks[reportId] != 0) revert SupervisionExists(reportId);
        _reportAcks[reportId] = 1;
        emit MeasureReported(
            reportId, a.subject, g.unitId, MeasureKind(a.code), takenAt, signer, a.nonce, keccak256(a.document), a.document
        );
    }

    /// @dev Art. 32: results once their period has ended; a notice only on published results.
    function _publish(SignedAction calldata a, address signer) private {
        if (a.code != 0) revert SupervisionUnexpectedField(uint8(a.kind));
        bytes32 documentHash = keccak256(a.document);
        if (a.kind == SupervisionActionKind.PublishResults) {
            if (a.value == 0 || a.value >= block.timestamp) revert SupervisionPeriodNotEnded(a.value, block.timestamp);
            if (a.subject == 0 || _results[a.subject] != 0) revert SupervisionExists(a.subject);
            _results[a.subject] = uint40(block.timestamp);
            emit ResultsPublished(a.subject, a.value, signer, a.nonce, documentHash, a.document);
        } else {
            if (a.value != 0) revert SupervisionUnexpectedField(uint8(a.kind));
            if (_results[a.target] == 0) revert SupervisionUnknownResults(a.target);
            if (a.subject == 0 || _notices[a.subject]) revert SupervisionExists(a.subject);
            _notices[a.subject] = true;
            emit NoticePublished(a.subject, a.target, signer, a.nonce, documentHash, a.document);
        }
    }

    function _noCodeOrValue(SignedAction calldata a) private pure {
        if (a.code != 0 || a.value != 0) revert SupervisionUnexpectedField(uint8(a.kind));
    }
}
