"""The sharing duties (Art. 19, 20, 22, 26), from the mirror's sharing tables, its steps and its journal.

Every due time is one the contract recorded (an event's `dueAt`, `serveDueAt`, `reviewDueAt`,
`answerDueAt`, kept in the mirror's columns or its journal of raw events), never recomputed here.
A duty is met by the step that answers it, read from `sharing_steps` (its block time and
transaction), not from a status column a later event may overwrite: an item the owner approved
and a later settlement superseded keeps the time of the owner's decision. A duty whose subject
closed otherwise (a demand returned or rejected, a grant terminated) is cancelled at the closing
transaction; an item approved by silence (Art. 20) is missed at the FinaliseItem.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Row, Select, select
from sqlalchemy.engine import Connection

from api.services.duties._model import Duty
from mirror.models import ChainEvent
from mirror.sharing_models import SharingDemand, SharingGrant, SharingItem, SharingStepRecord
from mirror.store import journal_record

ZERO_HASH = "0x" + "00" * 32
_ITEM_STEPS = ("decide", "finalise_item")
_DEMAND_STEPS = (
    "review_plan",
    "confirm_conformity",
    "record_served",
    "terminate",
    "finalise_lapse",
    "follow_adjustment",
)
_GRANT_STEPS = (
    "review_idle_reason",
    "reinstate",
    "dismiss_objection",
    "terminate",
    "finalise_lapse",
    "follow_adjustment",  # ends the grant, or moves it (Art. 14): only the grant's status tells
)
_ENDS_GRANT = ("terminate", "finalise_lapse")


@dataclass(frozen=True)
class _At:
    """Where a step or event is: its block time, transaction and position in the chain."""

    time: int
    tx: str
    position: int = 0


def sharing_duties(conn: Connection, only_unit: str | None) -> list[Duty]:
    """Every sharing duty, open or closed; with `only_unit`, those of its items (as their
    responsible unit) and of its demands and grants (as their demand unit)."""
    return [*_item_duties(conn, only_unit), *_demand_duties(conn, only_unit), *_grant_duties(conn, only_unit)]


def _steps(conn: Connection, kinds: tuple[str, ...], subjects: Select) -> dict[tuple[str, str, int], list[_At]]:
    """(subject, kind, item) → the steps of those kinds on `subjects`, in chain order."""
    s = SharingStepRecord.__table__.c
    query = (
        select(s.subject, s.kind, s.item, s.block_time, s.tx_hash, s.position)
        .where(s.kind.in_(kinds), s.subject.in_(subjects))
        .order_by(s.position)
    )
    out: dict[tuple[str, str, int], list[_At]] = defaultdict(list)
    for row in conn.execute(query):
        out[(row.subject, row.kind, row.item)].append(_At(row.block_time, row.tx_hash, row.position))
    return out


def _item_duties(conn: Connection, only_unit: str | None) -> Iterable[Duty]:
    """Art. 20 (review) and Art. 22 (not ready when asked: catalogue, collect and decide): each item
    forwarded to its responsible unit, which the Apply opened with a due time (an item authorised
    by scenario has none)."""
    i, d = SharingItem.__table__.c, SharingDemand.__table__.c
    only = [i.owner_unit_id == only_unit] if only_unit else []
    rows = list(
        conn.execute(
            select(
                i.demand_id,
                i.item,
                i.owner_unit_id,
                i.entry_id,
                i.version,
                i.uncatalogued,
                i.status,
                i.opened_at,
                i.due_at,
                i.decided_at,
                i.decision_tx,
                d.tx_hash,
            )
            .join_from(SharingItem, SharingDemand, d.demand_id == i.demand_id)
            .where(i.due_at != 0, *only)
        )
    )
    steps = _steps(conn, _ITEM_STEPS, select(i.demand_id).where(i.due_at != 0, *only))
    for r in rows:
        decided = steps.get((r.demand_id, "decide", r.item))
        deemed = steps.get((r.demand_id, "finalise_item", r.item))
        if decided:
            # Art. 20: the contract takes a decision only if signed by the due time (and mined
            # within the grace), so one it took was in time; Art. 22's late decision stands, late.
            done = {"done_at": decided[0].time, "done_tx": decided[0].tx}
            if not r.uncatalogued:
                done["signed_in_time"] = True
        elif deemed:
            done = {"done_at": deemed[0].time, "done_tx": deemed[0].tx, "missed": True}
        elif r.status != "pending":  # closed with its demand (a returned plan or application)
            done = {"done_at": r.decided_at, "done_tx": r.decision_tx, "cancelled": True}
        else:
            done = {}
        yield Duty(
            "demand_item",
            r.demand_id,
            r.owner_unit_id,
            "art22_catalogue" if r.uncatalogued else "art20_review",
            r.opened_at,
            r.tx_hash,
            r.due_at,
            entry_id=None if r.entry_id == ZERO_HASH else r.entry_id,
            version=r.version or None,
            item=r.item,
            **done,
        )


def _demand_duties(conn: Connection, only_unit: str | None) -> Iterable[Duty]:
    """The Data Center's on a demand: confirming a scenario-route application conforms (Art. 19),
    reviewing a fusion plan or technical evaluation (Art. 21, 22), serving a fusion demand (Art. 22)."""
    d, g, j = SharingDemand.__table__.c, SharingGrant.__table__.c, ChainEvent.__table__.c
    only = [d.unit_id == only_unit] if only_unit else []
    owed = (d.plan_due_at != 0) | (d.conformity_due_at != 0) | (d.serve_due_at != 0)
    rows = list(
        conn.execute(
            select(
                d.demand_id,
                d.unit_id,
                d.status,
                d.applied_at,
                d.tx_hash,
                d.plan_due_at,
                d.plan_decided_at,
                d.conformity_due_at,
                d.conformity_decided_at,
                d.serve_due_at,
                g.served_at,
                g.status.label("grant_status"),
            )
            .join_from(SharingDemand, SharingGrant, g.grant_id == d.demand_id, isouter=True)
            .where(owed, *only)
        )
    )
    subjects = select(d.demand_id).where(owed, *only)
    steps = _steps(conn, _DEMAND_STEPS, subjects)
    closed = {
        row.subject: _At(row.block_time, row.tx_hash)
        for row in conn.execute(
            select(j.subject, j.block_time, j.tx_hash).where(j.name == "DemandClosed", j.subject.in_(subjects))
        )
    }

    def first(demand_id: str, kind: str) -> _At | None:
        found = steps.get((demand_id, kind, 0))
        return found[0] if found else None

    for r in rows:
        ended = closed.get(r.demand_id) if r.status != "granted" else None  # returned or rejected

        applied = _At(r.applied_at, r.tx_hash)
        if r.conformity_due_at:
            met = first(r.demand_id, "confirm_conformity") if r.conformity_decided_at else None
            yield _demand_duty(r, "art19_confirm", applied, r.conformity_due_at, met, ended)
        if r.plan_due_at:
            met = first(r.demand_id, "review_plan") if r.plan_decided_at else None
            yield _demand_duty(r, "art22_plan_review", applied, r.plan_due_at, met, ended)
        if r.serve_due_at:  # recorded by the plan's approval (DemandPlanReviewed.serveDueAt)
            served = first(r.demand_id, "record_served") if r.served_at else None
            ends = ("terminate", "finalise_lapse", "follow_adjustment") if r.grant_status == "terminated" else ()
            terminated = next((a for k in ends if (a := _last(steps, r.demand_id, k))), None)
            yield _demand_duty(
                r, "art22_serve", first(r.demand_id, "review_plan"), r.serve_due_at, served, ended or terminated
            )


def _last(steps: dict, subject: str, kind: str) -> _At | None:
    found = steps.get((subject, kind, 0))
    return found[-1] if found else None


def _demand_duty(r: Row, rule: str, started: _At, due_at: int, met: _At | None, cancel: _At | None) -> Duty:
    if met is not None:
        done = {"done_at": met.time, "done_tx": met.tx}
    elif cancel is not None:
        done = {"done_at": cancel.time, "done_tx": cancel.tx, "cancelled": True}
    else:
        done = {}
    return Duty("demand", r.demand_id, r.unit_id, rule, started.time, started.tx, due_at, **done)


def _grant_duties(conn: Connection, only_unit: str | None) -> Iterable[Duty]:
    """The Data Center's on a grant (Art. 26): reviewing each reason filed for idleness, and
    answering each objection to a suspension. A grant may hold several over its life; the mirror's
    columns keep only the pending one, so each is read from the journal's IdleReasonFiled and
    ObjectionFiled (their due times) and met by the next review, or reinstatement or dismissal."""
    g, j = SharingGrant.__table__.c, ChainEvent.__table__.c
    only = [g.unit_id == only_unit] if only_unit else []
    rows = conn.execute(select(g.grant_id, g.unit_id, g.status).where(*only)).all()
    if not rows:
        return
    holders = {r.grant_id: r.unit_id for r in rows}
    ended = {r.grant_id for r in rows if r.status == "terminated"}
    subjects = select(g.grant_id).where(*only)
    timeline: dict[str, list[tuple[int, str, _At, int]]] = defaultdict(list)  # grant → (position, what, at, due)
    query = select(j.topics, j.data, j.address, j.block_number, j.block_hash, j.tx_hash, j.log_index, j.position)
    query = query.add_columns(j.subject, j.block_time, j.name)
    filed = query.where(j.name.in_(("IdleReasonFiled", "ObjectionFiled")), j.subject.in_(subjects))
    for row in conn.execute(filed):
        event = journal_record(row)
        rule, due = (
            ("art26_reason_review", event.args["reviewDueAt"])
            if row.name == "IdleReasonFiled"
            else ("art26_objection_answer", event.args["answerDueAt"])
        )
        timeline[row.subject].append((row.position, rule, _At(row.block_time, row.tx_hash), due))
    for (grant_id, kind, _), found in _steps(conn, _GRANT_STEPS, subjects).items():
        timeline[grant_id] += [(at.position, kind, at, 0) for at in found]
    for grant_id, events in timeline.items():
        open_: dict[str, Duty] = {}
        followed: _At | None = None  # the last FollowAdjustment: it ended the grant if the grant ended since
        for _, what, at, due in sorted(events, key=lambda e: e[0]):
            if what.startswith("art26_"):
                open_[what] = Duty("grant", grant_id, holders[grant_id], what, at.time, at.tx, due)
                continue
            if what == "follow_adjustment":
                followed = at
                continue
            answers = {
                "review_idle_reason": ("art26_reason_review",),
                "reinstate": ("art26_objection_answer",),
                "dismiss_objection": ("art26_objection_answer",),
            }.get(what, ("art26_reason_review", "art26_objection_answer"))
            for rule in answers:
                duty = open_.pop(rule, None)
                if duty is not None:
                    duty.done_at, duty.done_tx, duty.cancelled = at.time, at.tx, what in _ENDS_GRANT
                    yield duty
        if grant_id in ended and followed is not None:  # ended by following its entry's adjustment
            for duty in open_.values():
                duty.done_at, duty.done_tx, duty.cancelled = followed.time, followed.tx, True
        yield from open_.values()
