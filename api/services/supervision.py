"""Accepting Supervision actions (Art. 29: incidents, their acknowledgement, handling and closure;
Art. 31: the Data Center's evaluations and its reports of suspensions and terminations), and
reading what the mirror holds of them."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.runtime import Runtime
from api.services import intake
from api.services.intake import Accepted, Prepared, document_bytes, validate_model
from api.services.officer_signatures import action_signer, parse_action_signature
from chain.supervision import ActionKind, EvaluationKind, MeasureKind, Severity, SupervisionAction, digest
from mirror.supervision_models import SupervisionStep
from sharing.supervision_documents import SCHEMA_BY_KIND, fields


def prepare(runtime: Runtime, *, kind: ActionKind, document: dict, nonce: int, signature: str) -> Prepared:
    """Validate the document, derive the signed fields from it, recover the signer."""
    parsed = validate_model(SCHEMA_BY_KIND[kind], document)
    raw = document_bytes(document)
    subject, target, code, value = fields(kind, parsed, document=raw)
    action = SupervisionAction(kind, subject, raw, nonce, target, code, value, parse_action_signature(signature))
    signed = digest(action, chain_id=runtime.chain_id, address=runtime.deployment.supervision)
    signer = action_signer(runtime, signed, action.signature)
    return Prepared(action, signer, "0x" + signed.hex(), "0x" + subject.hex(), "supervision")


def accept(runtime: Runtime, **fields_) -> Accepted:
    """Validate, simulate and store one signed action; raises ApiError with nothing changed."""
    return intake.accept(runtime, prepare(runtime, **fields_))


# ---- reading


def _row(step: SupervisionStep) -> dict:
    return {
        "step": step.step,
        "unit_id": step.unit_id,
        "at": step.at,
        "proof": {
            "tx_hash": step.tx_hash,
            "block_number": step.block_number,
            "document_hash": step.document_hash,
            "signer": step.signer,
        },
        "document": json.loads(step.document),
    }


def steps(session: Session, *names: str) -> list[SupervisionStep]:
    query = select(SupervisionStep).where(SupervisionStep.step.in_(names)).order_by(SupervisionStep.seq)
    return list(session.scalars(query))


def _acknowledgements(session: Session) -> dict[str, list[SupervisionStep]]:
    out: dict[str, list[SupervisionStep]] = {}
    for a in steps(session, "acknowledged"):
        out.setdefault(a.subject, []).append(a)
    return out


def incidents(session: Session, *, unit_id: str | None = None, unacknowledged_by: str | None = None) -> list[dict]:
    """Each incident with its acknowledgements by the Office and the regulators, its handling and
    closure (Art. 29). `unacknowledged_by`: only those that unit has not yet acknowledged."""
    acks = _acknowledgements(session)
    follow: dict[str, list[SupervisionStep]] = {}
    for s in steps(session, "incident_handling_recorded", "incident_closed"):
        follow.setdefault(s.subject, []).append(s)
    out = []
    for r in steps(session, "incident_reported"):
        if unit_id and r.unit_id != unit_id.lower():
            continue
        acked = acks.get(r.subject, [])
        if unacknowledged_by and any(a.unit_id == unacknowledged_by.lower() for a in acked):
            continue
        later = follow.get(r.subject, [])
        closed = next((s for s in later if s.step == "incident_closed"), None)
        out.append(
            {
                "incident_id": r.subject,
                "unit_id": r.unit_id,
                "severity": Severity(r.code).name.lower(),
                "occurred_at": r.value,
                "reported_at": r.at,
                "state": "closed" if closed else "open",
                "reported": _row(r),
                "acknowledgements": [_row(a) for a in acked],
                "handling": [_row(s) for s in later if s.step == "incident_handling_recorded"],
                "closure": _row(closed) if closed else None,
            }
        )
    return out


def evaluations(session: Session, *, target: str | None = None) -> list[dict]:
    """The Data Center's evaluations (Art. 31), of a unit or a grant, with their scores."""
    out = []
    for r in steps(session, "evaluation_recorded"):
        if target and r.target != target.lower():
            continue
        out.append(
            {
                "evaluation_id": r.subject,
                "evaluation": EvaluationKind(r.code).name.lower(),
                "target": r.target,
                "scope": "grant" if r.grant else "unit",
                "score": r.value,
                **_row(r),
            }
        )
    return out


def measure_reports(session: Session, *, unit_id: str | None = None) -> list[dict]:
    """Each report (报送) of a suspension or termination to the regulators and the Office, with
    their acknowledgements (Art. 31)."""
    acks = _acknowledgements(session)
    return [
        {
            "report_id": r.subject,
            "grant_id": r.target,
            "unit_id": r.unit_id,
            "measure": MeasureKind(r.code).name.lower(),
            "taken_at": r.value,
            "reported": _row(r),
            "acknowledgements": [_row(a) for a in acks.get(r.subject, [])],
        }
        for r in steps(session, "measure_reported")
        if not unit_id or r.unit_id == unit_id.lower()
    ]
