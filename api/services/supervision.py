"""Accepting Supervision actions (Art. 29: incidents, their acknowledgement, handling and closure;
Art. 31: the Data Center's evaluations and its reports of suspensions and terminations), and
reading what the mirror holds of them."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import ApiError
from api.runtime import Runtime
from api.services import intake
from api.services.intake import Accepted, Prepared, document_bytes, validate_model
from api.services.officer_signatures import action_signer, parse_action_signature
from chain.supervision import ActionKind, EvaluationKind, MeasureKind, Severity, SupervisionAction, digest
from mirror.sharing_models import SharingGrant
from mirror.supervision_models import SupervisionStep
from sharing.supervision_documents import SCHEMA_BY_KIND, EvaluationNotice, EvaluationResults, fields


def prepare(runtime: Runtime, *, kind: ActionKind, document: dict, nonce: int, signature: str) -> Prepared:
    """Validate the document, derive the signed fields from it, recover the signer."""
    parsed = validate_model(SCHEMA_BY_KIND[kind], document)
    raw = document_bytes(document)
    subject, target, code, value = fields(kind, parsed, document=raw)
    if isinstance(parsed, EvaluationResults):
        _check_results(parsed)
    elif isinstance(parsed, EvaluationNotice):
        with runtime.store.sessions() as session:
            _check_notice(session, parsed, now=runtime.clock.now())
    action = SupervisionAction(kind, subject, raw, nonce, target, code, value, parse_action_signature(signature))
    signed = digest(action, chain_id=runtime.chain_id, address=runtime.deployment.supervision)
    signer = action_signer(runtime, signed, action.signature)
    return Prepared(action, signer, "0x" + signed.hex(), "0x" + subject.hex(), "supervision")


def _check_results(parsed: EvaluationResults) -> None:
    """The period's last second is `date_to`'s (Asia/Shanghai), after `date_from`."""
    from api.services.evaluation import bounds, day

    start, end = day(parsed.date_from, "document.date_from"), day(parsed.date_to, "document.date_to")
    if start > end:
        raise ApiError(422, "invalid_period", f"document.date_from: {start} is after {end}", "document.date_from")
    if parsed.period_end != bounds(start, end)[1]:
        raise ApiError(
            422,
            "period_end_mismatch",
            f"document.period_end: the last second of {end}, Asia/Shanghai, is {bounds(start, end)[1]}",
            "document.period_end",
        )


def _check_notice(session: Session, parsed: EvaluationNotice, *, now: int) -> None:
    """Each line's unit is in the published results, and each piece of evidence is a duty of that
    unit, of the line's group, that was not done on time (overdue, late or missed): the notice
    names units for what the chain shows, not for what the Office declares."""
    from api.services.duties import snapshot
    from api.services.evaluation import GROUPS

    results = results_row(session, parsed.results_id)
    if results is None:
        raise ApiError(
            409, "unknown_results", "document.results_id: no published results have this id", "document.results_id"
        )
    listed = {u["unit_id"] for u in json.loads(results.document)["units"]}
    duties = {(d.rule, d.subject_id, d.item, d.version): d for d in snapshot(session, now=now).duties}
    for i, line in enumerate(parsed.lines):
        if line.unit_id.lower() not in listed:
            field = f"document.lines.{i}.unit_id"
            raise ApiError(422, "unit_not_in_results", f"{field}: not a unit of the results", field)
        for j, e in enumerate(line.evidence):
            field = f"document.lines.{i}.evidence.{j}"
            duty = duties.get((e.rule, e.subject_id.lower(), e.item, e.version))
            if duty is None or duty.start_tx != e.start_tx.lower() or GROUPS.get(e.rule) != line.group:
                raise ApiError(
                    422,
                    "no_such_duty",
                    f"{field}: no {line.group} duty {e.rule} of {e.subject_id} started in {e.start_tx}",
                    field,
                )
            if duty.owed_by != line.unit_id.lower():
                raise ApiError(422, "not_the_units_duty", f"{field}: the duty is owed by {duty.owed_by}", field)
            state = duty.state(now)
            if state not in ("overdue", "done_late", "missed"):
                raise ApiError(422, "duty_met", f"{field}: the duty is {state}, not a failure to notify", field)


def results_row(session: Session, results_id: str) -> SupervisionStep | None:
    return session.scalars(
        select(SupervisionStep).where(
            SupervisionStep.step == "results_published", SupervisionStep.subject == results_id.lower()
        )
    ).first()


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
    reports: dict[str, list[SupervisionStep]] = {}
    for m in steps(session, "measure_reported"):
        reports.setdefault(m.target, []).append(m)
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
                "grants": [_grant_now(session, g, reports) for g in json.loads(r.document).get("grants", [])],
            }
        )
    return out


def _grant_now(session: Session, grant_id: str, reports: dict[str, list[SupervisionStep]]) -> dict:
    """A grant an incident concerns, as it stands: whether the Data Center suspended or ended it
    (Art. 31) and its reports of that to the regulators and the Office."""
    grant = session.get(SharingGrant, grant_id.lower())
    return {
        "grant_id": grant_id.lower(),
        "status": grant.status if grant else None,
        "suspension": grant.suspension if grant else None,
        "measure_reports": [
            {"report_id": m.subject, "measure": MeasureKind(m.code).name.lower(), "taken_at": m.value}
            for m in reports.get(grant_id.lower(), [])
        ],
    }


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


def published_results(session: Session) -> list[dict]:
    """The Office's published evaluation results (Art. 32), each with its proof."""
    return [{"results_id": r.subject, "period_end": r.value, **_row(r)} for r in steps(session, "results_published")]


def notices(session: Session, *, now: int) -> list[dict]:
    """The Office's notices (通报, Art. 32): each line's evidence resolved to the duty the chain
    recorded (its due time, the transactions that started and met it, its state now), and the
    published results it rests on."""
    from api.services.duties import snapshot

    duties = {(d.rule, d.subject_id, d.item, d.version): d for d in snapshot(session, now=now).duties}
    results = {r.subject: r for r in steps(session, "results_published")}
    out = []
    for n in steps(session, "notice_published"):
        document = json.loads(n.document)
        lines = []
        for line in document["lines"]:
            resolved = []
            for e in line["evidence"]:
                d = duties.get((e["rule"], e["subject_id"].lower(), e.get("item"), e.get("version")))
                resolved.append(
                    {
                        **e,
                        "due_at": d.due_at if d else None,
                        "done_at": d.done_at if d else None,
                        "done_tx": d.done_tx if d else None,
                        "state": d.state(now) if d else None,
                    }
                )
            lines.append({**line, "evidence": resolved})
        rested = results.get(n.target)
        out.append(
            {
                "notice_id": n.subject,
                "results_id": n.target,
                "scope": document["scope"],
                "lines": lines,
                "proof": _row(n)["proof"],
                "results_proof": _row(rested)["proof"] if rested else None,
            }
        )
    return out
