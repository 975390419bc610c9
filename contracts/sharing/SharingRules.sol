// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ISharing} from "../interfaces/ISharing.sol";
import {IUnitRegistry} from "../interfaces/IUnitRegistry.sol";

/// @title SharingRules
/// @notice Which unit signs each step, which of the action's fields it uses, which codes it takes
/// and which module runs it: one table of bitmaps over {ISharing.StepKind} (as OpenZeppelin's
/// Governor keeps the states each operation allows), read by {Sharing} before any step runs and
/// published whole by {ISharing.stepRule}.
library SharingRules {
    using SharingRules for ISharing.StepKind;

    /// @dev Every kind up to RecordEscalationOutcome, and those appended after the permissionless three.
    uint256 private constant ALL_SIGNED = ((1 << (uint256(ISharing.StepKind.RecordEscalationOutcome) + 1)) - 1)
        | (1 << uint256(ISharing.StepKind.ConfirmConformity)) | (1 << uint256(ISharing.StepKind.ReviewIdleReason))
        | (1 << uint256(ISharing.StepKind.AcknowledgeAdjustment));

    /// @dev Steps the Data Center signs: it evaluates, serves, records use and supervises grants.
    uint256 private constant DATA_CENTER = (1 << uint256(ISharing.StepKind.ReviewPlan))
        | (1 << uint256(ISharing.StepKind.RecordServed)) | (1 << uint256(ISharing.StepKind.RecordUse))
        | (1 << uint256(ISharing.StepKind.SecuritySuspend)) | (1 << uint256(ISharing.StepKind.Reinstate))
        | (1 << uint256(ISharing.StepKind.DismissObjection)) | (1 << uint256(ISharing.StepKind.ApproveScenario))
        | (1 << uint256(ISharing.StepKind.WithdrawScenario)) | (1 << uint256(ISharing.StepKind.ConfirmConformity))
        | (1 << uint256(ISharing.StepKind.ReviewIdleReason));
    /// @dev Steps the Office signs: it coordinates disputes (Art. 24) and escalations (Art. 23).
    uint256 private constant OFFICE = (1 << uint256(ISharing.StepKind.ResolveDispute))
        | (1 << uint256(ISharing.StepKind.Escalate)) | (1 << uint256(ISharing.StepKind.RecordEscalationOutcome));
    /// @dev Steps an ordinary unit's or, besides, the Data Center's officer signs: Terminate is the
    /// holder's (Art. 26) or the Data Center's (Art. 31).
    uint256 private constant DATA_CENTER_TOO =
        (1 << uint256(ISharing.StepKind.Terminate)) | (1 << uint256(ISharing.StepKind.AcknowledgeAdjustment));

    uint256 private constant USES_ITEM = (1 << uint256(ISharing.StepKind.Decide))
        | (1 << uint256(ISharing.StepKind.OpenDispute)) | (1 << uint256(ISharing.StepKind.ResolveDispute));
    /// @dev RecordUse: when the use happened; FileIdleReason: until when; Decide: when it was signed.
    uint256 private constant USES_AT = (1 << uint256(ISharing.StepKind.RecordUse))
        | (1 << uint256(ISharing.StepKind.FileIdleReason)) | (1 << uint256(ISharing.StepKind.Decide));
    uint256 private constant USES_TERMS = (1 << uint256(ISharing.StepKind.Apply))
        | (1 << uint256(ISharing.StepKind.Decide)) | (1 << uint256(ISharing.StepKind.ApproveScenario))
        | (1 << uint256(ISharing.StepKind.RecordAdjustmentPlan));

    /// @dev Codes: Decide 0 approve, 1 non-conforming, 2 legal basis; ReviewPlan, ConfirmConformity
    /// and ReviewIdleReason 0 approve or any reason for not; DismissObjection a reason and ResolveDispute / RecordEscalationOutcome an
    /// outcome, never 0; every other step 0.
    uint256 private constant CODE_DECISION = 1 << uint256(ISharing.StepKind.Decide);
    uint256 private constant CODE_ANY = (1 << uint256(ISharing.StepKind.ReviewPlan))
        | (1 << uint256(ISharing.StepKind.ConfirmConformity)) | (1 << uint256(ISharing.StepKind.ReviewIdleReason));
    uint256 private constant CODE_NONZERO = (1 << uint256(ISharing.StepKind.DismissObjection))
        | (1 << uint256(ISharing.StepKind.ResolveDispute)) | (1 << uint256(ISharing.StepKind.RecordEscalationOutcome));
    uint16 private constant MAX_DECISION_CODE = 2; // SharingCommon.REJECT_LEGAL_BASIS
    uint256 private constant CODE_TERMINATION = 1 << uint256(ISharing.StepKind.Terminate);
    uint16 private constant MAX_TERMINATION_CODE = 3; // SharingCommon.TERMINATE_SCENARIO_WITHDRAWN

    uint256 private constant DEMANDS = (1 << uint256(ISharing.StepKind.Apply))
        | (1 << uint256(ISharing.StepKind.Decide)) | (1 << uint256(ISharing.StepKind.ReviewPlan))
        | (1 << uint256(ISharing.StepKind.FinaliseItem)) | (1 << uint256(ISharing.StepKind.ConfirmConformity));
    uint256 private constant CASES = (1 << uint256(ISharing.StepKind.ApproveScenario))
        | (1 << uint256(ISharing.StepKind.WithdrawScenario)) | (1 << uint256(ISharing.StepKind.RecordAdjustmentPlan))
        | (1 << uint256(ISharing.StepKind.OpenDispute)) | (1 << uint256(ISharing.StepKind.ResolveDispute))
        | (1 << uint256(ISharing.StepKind.Escalate)) | (1 << uint256(ISharing.StepKind.RecordEscalationOutcome))
        | (1 << uint256(ISharing.StepKind.AcknowledgeAdjustment));

    /// @dev Reverts unless the signed step `a`'s signer's unit kind, fields and code the table allows.
    function check(ISharing.SignedAction calldata a, address signer, IUnitRegistry.UnitKind unitKind) internal pure {
        ISharing.StepKind k = a.kind;
        if (
            (!k.isIn(USES_ITEM) && a.item != 0) || (!k.isIn(USES_AT) && a.at != 0)
                || (!k.isIn(USES_TERMS) && a.terms.length != 0)
        ) revert ISharing.SharingUnexpectedField(k);
        IUnitRegistry.UnitKind required = signerKind(k);
        if (unitKind != required && !(k.isIn(DATA_CENTER_TOO) && unitKind == IUnitRegistry.UnitKind.DataCenter)) {
            revert ISharing.SharingWrongUnitKind(signer, uint8(required), uint8(unitKind));
        }
        if (!codeAllowed(k, a.code)) revert ISharing.SharingInvalidCode(k, a.code);
    }

    /// @dev Reverts unless `k` is a signed step (checked before the signature is recovered).
    function requireSigned(ISharing.StepKind k) internal pure {
        if (!k.isIn(ALL_SIGNED)) revert ISharing.SharingNotSignedStep(k);
    }

    /// @dev The unit kind whose officers sign step `k` (Ordinary for a permissionless one: nobody signs it).
    function signerKind(ISharing.StepKind k) internal pure returns (IUnitRegistry.UnitKind) {
        if (k.isIn(DATA_CENTER)) return IUnitRegistry.UnitKind.DataCenter;
        if (k.isIn(OFFICE)) return IUnitRegistry.UnitKind.Office;
        return IUnitRegistry.UnitKind.Ordinary;
    }

    function codeAllowed(ISharing.StepKind k, uint16 code) internal pure returns (bool) {
        if (k.isIn(CODE_DECISION)) return code <= MAX_DECISION_CODE;
        if (k.isIn(CODE_TERMINATION)) return code <= MAX_TERMINATION_CODE; // whose code is which: SharingGrants
        if (k.isIn(CODE_ANY)) return true;
        if (k.isIn(CODE_NONZERO)) return code != 0;
        return code == 0;
    }

    function module(ISharing.StepKind k) internal pure returns (ISharing.StepModule) {
        if (k.isIn(DEMANDS)) return ISharing.StepModule.Demands;
        if (k.isIn(CASES)) return ISharing.StepModule.Cases;
        return ISharing.StepModule.Grants;
    }

    /// @dev The whole row of the table for step `k`, for {ISharing.stepRule}.
    function rule(ISharing.StepKind k) internal pure returns (ISharing.StepRule memory r) {
        r.signed = k.isIn(ALL_SIGNED);
        r.signerKind = r.signed ? signerKind(k) : IUnitRegistry.UnitKind.None;
        r.dataCenterToo = k.isIn(DATA_CENTER_TOO);
        r.usesItem = k.isIn(USES_ITEM);
        r.usesAt = k.isIn(USES_AT);
        r.usesTerms = k.isIn(USES_TERMS);
        if (k.isIn(CODE_DECISION)) r.code = ISharing.CodeRule.Decision;
        else if (k.isIn(CODE_TERMINATION)) r.code = ISharing.CodeRule.Termination;
        else if (k.isIn(CODE_ANY)) r.code = ISharing.CodeRule.Any;
        else if (k.isIn(CODE_NONZERO)) r.code = ISharing.CodeRule.NonZero;
        r.module = module(k);
    }

    function isIn(ISharing.StepKind k, uint256 set) internal pure returns (bool) {
        return set & (1 << uint256(k)) != 0;
    }
}
