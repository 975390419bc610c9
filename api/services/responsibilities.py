"""Accepting the Office's, the Data Center's and units' signed Responsibilities actions (Art. 5,
11, 12), and reading what the mirror holds of them."""

from __future__ import annotations

import json

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import ApiError
from api.runtime import Runtime
from api.services import intake
from api.services.intake import Accepted, Prepared, document_bytes, validate_model
from api.services.officer_signatures import action_signer, parse_action_signature
from catalog.responsibility_documents import SCHEMA_BY_KIND, ResponsibilityDocument, fields
from chain.responsibilities import (
    SETTING_NAMES,
    SETTINGS,
    ActionKind,
    ResponsibilityAction,
    digest,
    responsibility_id_for,
)
from mirror.models import CatalogEntry, OfficerKey
from mirror.responsibility_models import ResponsibilityStep


def _bytes32(value: str, field: str) -> bytes:
    try:
        raw = bytes.fromhex(value[2:]) if value.startswith("0x") else b""
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise ApiError(422, "invalid_id", f"{field}: 0x and 64 hexadecimal digits", field)
    return raw


def prepare(
    runtime: Runtime, *, kind: ActionKind, subject: str, document: dict, nonce: int, signature: str
) -> Prepared:
    """Validate the document, derive the signed fields from it, recover the signer."""
    parsed = validate_model(SCHEMA_BY_KIND[kind], document)
    subject_b, target, code, value = fields(kind, parsed, subject=_bytes32(subject, "subject"))
    if subject_b != _bytes32(subject, "subject"):
        raise ApiError(
            422, "subject_mismatch", f"subject: the document names 0x{subject_b.hex()} for this action", "subject"
        )
    action = ResponsibilityAction(
        kind, subject_b, document_bytes(document), nonce, target, code, value, parse_action_signature(signature)
    )
    signed = digest(action, chain_id=runtime.chain_id, address=runtime.deployment.responsibilities)
    signer = action_signer(runtime, signed, action.signature)
    if isinstance(parsed, ResponsibilityDocument):
        _check_responsibility_id(runtime, subject_b, parsed, signer)
    return Prepared(action, signer, "0x" + signed.hex(), "0x" + subject_b.hex(), "responsibilities")


def accept(runtime: Runtime, **fields_) -> Accepted:
    """Validate, simulate and store one signed action; raises ApiError with nothing changed."""
    return intake.accept(runtime, prepare(runtime, **fields_))


def _check_responsibility_id(runtime: Runtime, subject: bytes, parsed: ResponsibilityDocument, signer: str) -> None:
    """A responsibility's id is derived from its unit and code (docs/PROTOCOL.md, section 6)."""
    with runtime.store.sessions() as session:
        key = session.get(OfficerKey, signer)
    if key is None:
        return  # the contract answers for an unknown key
    expected = responsibility_id_for(bytes.fromhex(key.unit_id[2:]), parsed.code)
    if subject != expected:
        raise ApiError(
            422,
            "responsibility_id_mismatch",
            'subject: must be keccak256("putuo.responsibility:" ‖ unit id ‖ document.code) of the signer\'s unit',
            "subject",
        )


# ---- reading


def _row(step: ResponsibilityStep) -> dict:
    return {
        "step": step.step,
        "subject": step.subject,
        "unit_id": step.unit_id,
        "from_unit": step.from_unit,
        "code": step.code,
        "value": step.value,
        "due_at": step.due_at,
        "at": step.at,
        "proof": {
            "tx_hash": step.tx_hash,
            "block_number": step.block_number,
            "document_hash": step.document_hash,
            "signer": step.signer,
        },
        "document": json.loads(step.document) if step.document else None,
    }


def steps(session: Session, *, step: tuple[str, ...], subject: str | None = None, unit_id: str | None = None) -> list:
    query = select(ResponsibilityStep).where(ResponsibilityStep.step.in_(step)).order_by(ResponsibilityStep.seq)
    if subject:
        query = query.where(ResponsibilityStep.subject == subject.lower())
    if unit_id:
        query = query.where(ResponsibilityStep.unit_id == unit_id.lower())
    return list(session.scalars(query))


def responsibilities(session: Session, *, unit_id: str | None = None) -> list[dict]:
    """Each responsibility's current state (status, versions) with every step behind it."""
    out: dict[str, dict] = {}
    recorded = steps(session, step=("responsibility_recorded",), unit_id=unit_id)
    reviews = steps(session, step=("responsibility_reviewed",))
    for r in recorded:
        item = out.setdefault(r.subject, {"responsibility_id": r.subject, "unit_id": r.unit_id, "steps": []})
        item.update(version=r.value, status="pending", document=json.loads(r.document))
        item["steps"].append(_row(r))
    for r in reviews:
        item = out.get(r.subject)
        if item is None:
            continue
        item["steps"].append(_row(r))
        if r.value == item["version"]:
            item["status"] = "approved" if r.code == 0 else "returned"
        if r.code == 0:
            item["approved_version"] = r.value
    for item in out.values():
        item.setdefault("approved_version", 0)
        item["steps"].sort(key=lambda s: (s["proof"]["block_number"], s["at"]))
    return list(out.values())


def refusals(session: Session, *, unit_id: str | None = None) -> list[dict]:
    """Each refusal with its report due time and the Office's report, if any (Art. 11)."""
    reports = {r.subject: r for r in steps(session, step=("refusal_reported",))}
    out = []
    for r in steps(session, step=("refusal_recorded",), unit_id=unit_id):
        report = reports.get(r.subject)
        out.append(
            {
                "refusal_id": r.subject,
                "unit_id": r.unit_id,
                "ground": "no_legal_basis" if r.code == 1 else "legal_basis_cited",
                "report_due_at": r.due_at or None,
                "reported_at": report.at if report else None,
                "recorded": _row(r),
                "report": _row(report) if report else None,
            }
        )
    return out


def settings(session: Session) -> list[dict]:
    """The value in force of each of the Office's settings, with the step that published it."""
    latest = {r.subject: r for r in steps(session, step=("setting_published",))}
    out = []
    for key, name in SETTING_NAMES.items():
        row = latest.get("0x" + key.hex())
        default, low, high = SETTINGS[name]
        out.append(
            {
                "name": name,
                "key": "0x" + key.hex(),
                "value": row.value if row else default,
                "min": low,
                "max": high,
                "published": _row(row) if row else None,
            }
        )
    return out


def designations(session: Session, *, entry_id: str | None = None) -> list[dict]:
    return [_row(r) for r in steps(session, step=("entry_designated",), subject=entry_id)]


def entry_exists(session: Session, entry_id: str) -> bool:
    return session.scalar(select(CatalogEntry.seq).where(CatalogEntry.entry_id == entry_id.lower())) is not None


def as_model(value: BaseModel) -> dict:
    return value.model_dump(by_alias=True)
