"""The Art. 32 evaluation's other dimensions, per unit and period, beside the duties' timeliness:
data quality (objections to its data, Art. 16; the Data Center's quality evaluations, Art. 31),
security (incidents it reported, Art. 29; security evaluations) and sharing effectiveness (uses of
granted data in the usage log, Art. 30; effectiveness evaluations of it or of grants it holds or
serves). Every figure is read from records the chain holds or anchors; each names its evidence
route (docs/RULES.md, "Evaluation")."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from chain.quality import ObjectionOutcome
from chain.supervision import EvaluationKind, Severity
from mirror.models import Unit
from mirror.quality_models import QualityStep
from mirror.sharing_models import SharingDemand, SharingItem
from mirror.supervision_models import SupervisionStep
from usage.sql_log import usage_records

DIMENSION_FIGURES = {
    "quality": ("objections", "corrected", "evaluation"),
    "security": ("incidents", "most_severe", "unacknowledged", "evaluation"),
    "effectiveness": ("uses_served", "uses_made", "evaluation"),
}


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _grant_parties(session: Session) -> dict[str, set[str]]:
    """Each grant's (= demand's) demand unit and the owners of the data it serves."""
    parties: dict[str, set[str]] = {}
    for demand_id, unit_id in session.execute(select(SharingDemand.demand_id, SharingDemand.unit_id)):
        parties.setdefault(demand_id, set()).add(unit_id)
    for demand_id, owner in session.execute(select(SharingItem.demand_id, SharingItem.owner_unit_id)):
        parties.setdefault(demand_id, set()).add(owner)
    return parties


def _uses(session: Session, column, start: int, end: int) -> dict[str, int]:
    try:
        rows = session.execute(
            select(column, func.count())
            .where(usage_records.c.outcome == "accepted", usage_records.c.used_at.between(start, end))
            .group_by(column)
        )
        return {unit: count for unit, count in rows if unit}
    except (OperationalError, ProgrammingError):  # a database without the usage log's table
        session.rollback()
        return {}


def dimensions(session: Session, unit_ids: list[str], *, start: int, end: int) -> dict[str, dict]:
    """{unit id: {"quality": …, "security": …, "effectiveness": …}} for the period [start, end]."""
    within = lambda t: start <= t <= end  # noqa: E731
    out = {
        u: {
            "quality": {"objections": 0, "corrected": 0, "evaluation": []},
            "security": {"incidents": 0, "most_severe": 0, "unacknowledged": 0, "evaluation": []},
            "effectiveness": {"uses_served": 0, "uses_made": 0, "evaluation": []},
        }
        for u in unit_ids
    }
    for s in session.scalars(
        select(QualityStep).where(QualityStep.step.in_(("objection_raised", "objection_handled")))
    ):
        row = out.get(s.unit_id)
        if row is None or not within(s.at):
            continue
        if s.step == "objection_raised":
            row["quality"]["objections"] += 1
        elif s.code == ObjectionOutcome.CORRECTED:
            row["quality"]["corrected"] += 1
    steps = list(session.scalars(select(SupervisionStep).order_by(SupervisionStep.seq)))
    acked = {(s.subject, s.unit_id) for s in steps if s.step == "acknowledged"}
    ack_units = {s.subject: set() for s in steps}
    for subject, unit in acked:
        ack_units.setdefault(subject, set()).add(unit)
    kinds = dict(session.execute(select(Unit.unit_id, Unit.kind)).all())  # who acknowledged: the Office, regulators
    parties = None
    for s in steps:
        if s.step == "incident_reported" and s.unit_id in out and within(s.value):
            security = out[s.unit_id]["security"]
            security["incidents"] += 1
            security["most_severe"] = max(security["most_severe"], s.code)
            overseers = {kinds.get(u) for u in ack_units.get(s.subject, set())}
            security["unacknowledged"] += not ({"office", "auditor"} <= overseers)
        elif s.step == "evaluation_recorded" and within(s.at):
            targets = [s.target] if not s.grant else None
            if targets is None:
                parties = parties if parties is not None else _grant_parties(session)
                targets = sorted(parties.get(s.target, ()))
            dimension = {
                EvaluationKind.QUALITY: "quality",
                EvaluationKind.SECURITY: "security",
                EvaluationKind.EFFECTIVENESS: "effectiveness",
            }[EvaluationKind(s.code)]
            for target in targets:
                if target in out:
                    out[target][dimension]["evaluation"].append(s.value)
    for unit, count in _uses(session, usage_records.c.owner_unit_id, start, end).items():
        if unit in out:
            out[unit]["effectiveness"]["uses_served"] = count
    for unit, count in _uses(session, usage_records.c.unit_id, start, end).items():
        if unit in out:
            out[unit]["effectiveness"]["uses_made"] = count
    for row in out.values():
        for figures in row.values():
            figures["evaluation"] = _mean(figures["evaluation"])
        worst = row["security"]["most_severe"]
        row["security"]["most_severe"] = Severity(worst).name.lower() if worst else None
    return out
