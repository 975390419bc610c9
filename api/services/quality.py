"""Accepting DataQuality actions (Art. 15–16: update frequencies, updates received,
reconciliations, objections and their handling), and reading what the mirror holds of them."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import ApiError
from api.runtime import Runtime
from api.services import intake
from api.services.intake import Accepted, Prepared, document_bytes, validate_model
from api.services.officer_signatures import action_signer, parse_action_signature
from catalog.quality_documents import SCHEMA_BY_KIND, FrequencyDeclaration, fields, grant_of
from chain.quality import (
    PERIOD_SECONDS,
    ActionKind,
    ObjectionOutcome,
    ObjectionSource,
    QualityAction,
    ReconciliationResult,
    UpdateFrequency,
    digest,
)
from mirror.models import CatalogVersion
from mirror.quality_models import QualityStep


def prepare(runtime: Runtime, *, kind: ActionKind, document: dict, nonce: int, signature: str) -> Prepared:
    """Validate the document, derive the signed fields from it, recover the signer."""
    parsed = validate_model(SCHEMA_BY_KIND[kind], document)
    raw = document_bytes(document)
    subject, target, code, value = fields(kind, parsed, document=raw)
    if isinstance(parsed, FrequencyDeclaration):
        _check_catalogued_frequency(runtime, parsed)
    action = QualityAction(
        kind, subject, raw, nonce, target, code, value, parse_action_signature(signature), grant=grant_of(parsed)
    )
    signed = digest(action, chain_id=runtime.chain_id, address=runtime.deployment.data_quality)
    signer = action_signer(runtime, signed, action.signature)
    return Prepared(action, signer, "0x" + signed.hex(), "0x" + subject.hex(), "data_quality")


def accept(runtime: Runtime, **fields_) -> Accepted:
    """Validate, simulate and store one signed action; raises ApiError with nothing changed."""
    return intake.accept(runtime, prepare(runtime, **fields_))


def _check_catalogued_frequency(runtime: Runtime, parsed: FrequencyDeclaration) -> None:
    """The frequency declared is the one the entry's latest approved catalog version states
    (an early answer: the contract checks the signer is the entry's unit, the API the document)."""
    with runtime.store.sessions() as session:
        row = session.scalars(
            select(CatalogVersion)
            .where(CatalogVersion.entry_id == parsed.entry_id.lower(), CatalogVersion.status == "approved")
            .order_by(CatalogVersion.version.desc())
            .limit(1)
        ).first()
        document = row.document if row is not None else None
    if document is None:
        raise ApiError(409, "entry_not_approved", f"entry_id: {parsed.entry_id} has no approved version", "entry_id")
    stated = json.loads(document).get("update_frequency")
    if stated != parsed.update_frequency.value:
        raise ApiError(
            422,
            "frequency_mismatch",
            f"update_frequency: the entry's approved catalog version states {stated!r}",
            "update_frequency",
        )


# ---- reading


def _proof(step: QualityStep) -> dict:
    return {
        "tx_hash": step.tx_hash,
        "block_number": step.block_number,
        "document_hash": step.document_hash,
        "signer": step.signer,
    }


def _row(step: QualityStep) -> dict:
    return {"step": step.step, "at": step.at, "proof": _proof(step), "document": json.loads(step.document)}


def steps(session: Session, *names: str, unit_id: str | None = None, entry_id: str | None = None) -> list[QualityStep]:
    query = select(QualityStep).where(QualityStep.step.in_(names)).order_by(QualityStep.seq)
    if unit_id:
        query = query.where(QualityStep.unit_id == unit_id.lower())
    if entry_id:
        query = query.where(QualityStep.entry_id == entry_id.lower())
    return list(session.scalars(query))


def update_periods(session: Session, *, now: int, unit_id: str | None = None) -> list[dict]:
    """Each declared entry's periods up to the one `now` falls in: when each began and ended, the
    updates received in it, and whether it was missed (ended without one). A new declaration starts
    the periods again from its own time, as the contract counts them."""
    declarations = steps(session, "update_frequency_declared", unit_id=unit_id)
    updates = steps(session, "update_recorded", unit_id=unit_id)
    latest: dict[str, QualityStep] = {}
    for d in declarations:
        latest[d.entry_id] = d
    out = []
    for entry_id, d in latest.items():
        length = d.value
        received: dict[int, list[QualityStep]] = {}
        for u in updates:
            if u.entry_id == entry_id and u.seq > d.seq:
                received.setdefault(u.value, []).append(u)
        if length == 0:
            continue  # irregular: no periods
        current = max(0, (now - d.starts_at) // length)
        for period in range(current + 1):
            begins, ends = d.starts_at + period * length, d.starts_at + (period + 1) * length
            got = received.get(period, [])
            out.append(
                {
                    "entry_id": entry_id,
                    "unit_id": d.unit_id,
                    "frequency": UpdateFrequency(d.code).name.lower(),
                    "period": period,
                    "begins_at": begins,
                    "ends_at": ends,
                    "declared": d,
                    "updates": got,
                    "missed": not got and ends < now,
                }
            )
    return out


def schedules(session: Session, *, now: int, unit_id: str | None = None) -> list[dict]:
    """Each entry's declared frequency with its periods: updates received and periods missed."""
    by_entry: dict[str, dict] = {}
    for d in steps(session, "update_frequency_declared", unit_id=unit_id):
        by_entry[d.entry_id] = {
            "entry_id": d.entry_id,
            "unit_id": d.unit_id,
            "frequency": UpdateFrequency(d.code).name.lower(),
            "period_seconds": d.value,
            "starts_at": d.starts_at,
            "declared": _row(d),
            "periods": [],
        }
    for p in update_periods(session, now=now, unit_id=unit_id):
        by_entry[p["entry_id"]]["periods"].append(
            {
                "period": p["period"],
                "begins_at": p["begins_at"],
                "ends_at": p["ends_at"],
                "missed": p["missed"],
                "updates": [{"update_id": u.subject, **_row(u)} for u in p["updates"]],
            }
        )
    for item in by_entry.values():
        item["missed_periods"] = sum(p["missed"] for p in item["periods"])
    return list(by_entry.values())


def reconciliations(session: Session, *, unit_id: str | None = None) -> list[dict]:
    return [
        {
            "reconciliation_id": r.subject,
            "unit_id": r.unit_id,
            "result": ReconciliationResult(r.code).name.lower(),
            **_row(r),
        }
        for r in steps(session, "reconciliation_recorded", unit_id=unit_id)
    ]


def objections(session: Session, *, now: int, unit_id: str | None = None) -> list[dict]:
    """Each objection with its due time and handling: state open, overdue, handled_on_time, handled_late."""
    handled = {h.subject: h for h in steps(session, "objection_handled", unit_id=unit_id)}
    out = []
    for r in steps(session, "objection_raised", unit_id=unit_id):
        h = handled.get(r.subject)
        if h is None:
            state = "open" if now <= r.due_at else "overdue"
        else:
            state = "handled_on_time" if h.at <= r.due_at else "handled_late"
        out.append(
            {
                "objection_id": r.subject,
                "entry_id": r.entry_id,
                "unit_id": r.unit_id,
                "raiser_unit": r.raiser_unit,
                "grant_id": r.grant_id,
                "source": ObjectionSource(r.code).name.lower(),
                "due_at": r.due_at,
                "state": state,
                "outcome": ObjectionOutcome(h.code).name.lower() if h else None,
                "raised": _row(r),
                "handling": _row(h) if h else None,
            }
        )
    return out


__all__ = ["PERIOD_SECONDS", "accept", "objections", "reconciliations", "schedules", "update_periods"]
