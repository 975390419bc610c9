"""From a validated document to the on-chain fields of its signed action: the one place that does it.

The contract checks `subject`, `item`, `code`, `at` and `terms`; the document travels beside
them in full. Deriving them here, from the document alone, means an officer signs nothing the
document does not say.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace

from pydantic import BaseModel

from chain.sharing import (
    REJECT_LEGAL_BASIS,
    REJECT_NONCONFORMING,
    STEP_RULES,
    TERMINATE_ADJUSTMENT,
    TERMINATE_SCENARIO_WITHDRAWN,
    TERMINATE_SECURITY,
    AdjustmentTerms,
    ApplyTerms,
    CommitmentProof,
    DataForm,
    DecideTerms,
    Disposition,
    Frequency,
    Method,
    Resource,
    ScenarioTerms,
    SharingAction,
    StepKind,
    demand_id_for,
    items_hash,
    scenario_id_for,
)
from sharing.document import (
    AdjustmentAcknowledgement,
    AdjustmentPlan,
    Application,
    Class4Basis,
    ConformityReview,
    DemandDecision,
    Dispute,
    DisputeResolution,
    Escalation,
    EscalationOutcome,
    FusionServed,
    IdleReason,
    IdleReasonReview,
    Objection,
    ObjectionDismissal,
    PlanReview,
    Reinstatement,
    RejectReason,
    ScenarioEvaluation,
    ScenarioWithdrawal,
    SecuritySuspension,
    Termination,
    TerminationGround,
    UsageRecord,
)

SCHEMAS: dict[StepKind, type[BaseModel]] = {
    StepKind.APPLY: Application,
    StepKind.DECIDE: DemandDecision,
    StepKind.REVIEW_PLAN: PlanReview,
    StepKind.RECORD_SERVED: FusionServed,
    StepKind.RECORD_USE: UsageRecord,
    StepKind.FILE_IDLE_REASON: IdleReason,
    StepKind.SECURITY_SUSPEND: SecuritySuspension,
    StepKind.OBJECT: Objection,
    StepKind.REINSTATE: Reinstatement,
    StepKind.DISMISS_OBJECTION: ObjectionDismissal,
    StepKind.TERMINATE: Termination,
    StepKind.APPROVE_SCENARIO: ScenarioEvaluation,
    StepKind.WITHDRAW_SCENARIO: ScenarioWithdrawal,
    StepKind.RECORD_ADJUSTMENT_PLAN: AdjustmentPlan,
    StepKind.OPEN_DISPUTE: Dispute,
    StepKind.RESOLVE_DISPUTE: DisputeResolution,
    StepKind.ESCALATE: Escalation,
    StepKind.RECORD_ESCALATION_OUTCOME: EscalationOutcome,
    StepKind.CONFIRM_CONFORMITY: ConformityReview,
    StepKind.REVIEW_IDLE_REASON: IdleReasonReview,
    StepKind.ACKNOWLEDGE_ADJUSTMENT: AdjustmentAcknowledgement,
}

# The codes the contract records, and the words the documents use for them.
DECISION_CODES: dict[int, str] = {
    0: "approve",
    REJECT_NONCONFORMING: RejectReason.NONCONFORMING.value,
    REJECT_LEGAL_BASIS: RejectReason.LEGAL_BASIS.value,
}
TERMINATION_CODES: dict[TerminationGround, int] = {
    TerminationGround.NO_LONGER_NEEDED: 0,
    TerminationGround.SECURITY_RISK: TERMINATE_SECURITY,
    TerminationGround.CATALOG_ADJUSTMENT: TERMINATE_ADJUSTMENT,
    TerminationGround.SCENARIO_WITHDRAWN: TERMINATE_SCENARIO_WITHDRAWN,
}
# Art. 19 (4): the ground of a class-4 scenario is the form its grant serves the data in.
DATA_FORMS: dict[Class4Basis | None, DataForm] = {
    None: DataForm.FULL,
    Class4Basis.SUBJECT_AUTHORISED: DataForm.SUBJECT_AUTHORISED,
    Class4Basis.BATCH_COMPARISON: DataForm.COMPARISON_RESULT,
    Class4Basis.DESENSITISED: DataForm.DESENSITISED,
}
DISPUTE_OUTCOMES: dict[int, str] = {1: "settled", 2: "upheld", 3: "overturned"}
ESCALATION_OUTCOMES: dict[int, str] = {1: "served", 2: "refused"}
_DECISION = {word: code for code, word in DECISION_CODES.items()}
_DISPUTE = {word: code for code, word in DISPUTE_OUTCOMES.items()}
_ESCALATION = {word: code for code, word in ESCALATION_OUTCOMES.items()}

_SHANGHAI = dt.timezone(dt.timedelta(hours=8))
_ZERO_ID = b"\x00" * 32


@dataclass(frozen=True)
class StepFields:
    """What a signed action carries beside its document (see ISharing.SignedAction)."""

    subject: bytes
    item: int = 0
    code: int = 0
    at: int = 0
    terms: bytes = b""


def _id(value: str) -> bytes:
    return bytes.fromhex(value[2:])


def apply_terms(app: Application, commitment: CommitmentProof) -> ApplyTerms:
    """The `ApplyTerms` of an application: what the contract checks of it (Art. 17–19, 22)."""
    return ApplyTerms(
        scenario_class=app.scenario.klass,
        scenario_id=scenario_id_for(app.scenario.code),
        method=Method[app.method.name],
        form=DATA_FORMS[app.scenario.class4_basis],
        frequency=Frequency[app.frequency.name],
        frequency_reason=app.frequency_reason is not None,
        fusion=app.fusion_plan is not None,
        security_level=int(app.security_level.value[1:]),
        resources=tuple(
            Resource(
                _id(r.entry_id) if r.entry_id else _ZERO_ID, r.version or 0, _id(r.owner_unit_id), items_hash(r.items)
            )
            for r in app.resources
        ),
        commitment=commitment,
    )


def _end_of_day(date: str) -> int:
    """23:59:59 Asia/Shanghai of `date`, in unix seconds: an excuse covers the whole day."""
    return int(dt.datetime.combine(dt.date.fromisoformat(date), dt.time(23, 59, 59), _SHANGHAI).timestamp())


def step_fields(
    kind: StepKind, doc: BaseModel, document_bytes: bytes, *, commitment: CommitmentProof | None = None
) -> StepFields:
    """The on-chain fields of the `kind` action whose document is `doc`.

    Preconditions: `doc` is the `SCHEMAS[kind]` model validated from the document whose
    canonical bytes are `document_bytes` (an APPLY's demand id hashes them). `commitment` is
    the signed commitment of an APPLY, and only of an APPLY.
    Raises ValueError for a step that is not signed, a missing or stray commitment, and
    TypeError for a document of another step's model.
    """
    model = SCHEMAS.get(kind)
    if model is None:
        raise ValueError(f"{kind.name} is not a signed step")
    if not isinstance(doc, model):
        raise TypeError(f"{kind.name} takes a {model.__name__}, got {type(doc).__name__}")
    if (commitment is not None) != (kind == StepKind.APPLY):
        raise ValueError("an APPLY needs its commitment; no other step takes one")

    fields = _derive(kind, doc, document_bytes, commitment)
    rule = STEP_RULES[kind]
    # The contract refuses a field its step does not use (SharingUnexpectedField): never build one.
    stray = (fields.item and not rule.uses_item) or (fields.at and not rule.uses_at)
    if stray or (fields.terms and not rule.uses_terms):
        raise AssertionError(f"{kind.name}: the derivation and STEP_RULES disagree")
    return fields


def _derive(kind: StepKind, doc: BaseModel, document_bytes: bytes, commitment: CommitmentProof | None) -> StepFields:
    match doc:
        case Application():
            subject = demand_id_for(_id(doc.demand_unit_id), document_bytes)
            return StepFields(subject, terms=apply_terms(doc, commitment).encode())
        case DemandDecision():
            code = _DECISION["approve" if doc.decision == "approve" else doc.reason_code.value]
            terms = b""
            elements = sum(e.bit for e in doc.nonconforming or ())
            if doc.entry_id is not None or doc.legal_basis is not None or elements:
                terms = DecideTerms(
                    _id(doc.entry_id) if doc.entry_id else _ZERO_ID,
                    doc.version or 0,
                    doc.legal_basis or "",
                    elements,
                ).encode()
            signed_at = int(dt.datetime.fromisoformat(doc.signed_at).timestamp())
            return StepFields(_id(doc.demand_id), item=doc.item, code=code, at=signed_at, terms=terms)
        case PlanReview():  # and ConformityReview, its subclass
            return StepFields(_id(doc.demand_id), code=doc.reason_code or 0)
        case IdleReasonReview():
            return StepFields(_id(doc.grant_id), code=0 if doc.decision == "accept" else 1)
        case UsageRecord():
            return StepFields(_id(doc.grant_id), at=int(dt.datetime.fromisoformat(doc.used_at).timestamp()))
        case IdleReason():
            return StepFields(_id(doc.grant_id), at=_end_of_day(doc.until))
        case ObjectionDismissal():
            return StepFields(_id(doc.grant_id), code=doc.reason_code)
        case Termination():
            return StepFields(_id(doc.grant_id), code=TERMINATION_CODES[doc.ground])
        case FusionServed() | SecuritySuspension() | Objection() | Reinstatement():
            return StepFields(_id(doc.grant_id))
        case ScenarioEvaluation():
            terms = ScenarioTerms(doc.klass, tuple(map(_id, doc.units)), tuple(map(_id, doc.entries)))
            return StepFields(scenario_id_for(doc.scenario_code), terms=terms.encode())
        case ScenarioWithdrawal():
            return StepFields(scenario_id_for(doc.scenario_code))
        case AdjustmentPlan():
            disposition = Disposition.MOVE if doc.disposition == "move" else Disposition.END
            return StepFields(_id(doc.entry_id), terms=AdjustmentTerms(disposition).encode())
        case AdjustmentAcknowledgement():
            return StepFields(_id(doc.entry_id))
        case Dispute():
            return StepFields(_id(doc.demand_id), item=doc.item)
        case DisputeResolution():
            return StepFields(_id(doc.demand_id), item=doc.item, code=_DISPUTE[doc.outcome])
        case Escalation():
            return StepFields(_id(doc.demand_id))
        case EscalationOutcome():
            return StepFields(_id(doc.demand_id), code=_ESCALATION[doc.outcome])
    raise AssertionError(f"no derivation for {kind.name}")  # SCHEMAS and the cases above disagree


def unsigned_action(
    kind: StepKind, doc: BaseModel, document_bytes: bytes, nonce: int, *, commitment: CommitmentProof | None = None
) -> SharingAction:
    """The action an officer signs for this step: its document and the fields derived from it."""
    f = step_fields(kind, doc, document_bytes, commitment=commitment)
    return SharingAction(kind, f.subject, document_bytes, nonce, f.item, f.code, f.at, f.terms)


def application_terms_problem(document: bytes, terms: ApplyTerms) -> str | None:
    """Why an application's document cannot be taken for its signed `terms`, or None when it says
    exactly what they say. The API derives the terms from the document, so they always agree;
    a direct call to the contract can sign any pair, and the mirror and the auditor read the
    document only through this. The commitment is the contract's to check, not compared here."""
    try:
        app = Application.model_validate(json.loads(document))
    except (ValueError, UnicodeDecodeError) as exc:
        first = exc.errors()[0] if hasattr(exc, "errors") else None
        where = ".".join(str(p) for p in first["loc"]) + ": " + first["msg"] if first else str(exc)
        return f"not a valid application: {where}"
    said = replace(apply_terms(app, terms.commitment), commitment=terms.commitment)
    for name in (
        "scenario_class",
        "scenario_id",
        "method",
        "form",
        "frequency",
        "frequency_reason",
        "fusion",
        "security_level",
        "resources",
    ):
        if getattr(said, name) != getattr(terms, name):
            return f"the document's {name} is not the signed terms'"
    return None
