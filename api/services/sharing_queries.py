"""Sharing views from the mirror: demands, a unit's incoming demands and grants, a grant's
history with its proofs, scenarios, and the gateway's check (Art. 25).

Due times and idleness are judged at the chain's time (`now`), never the host's clock.
"""

from __future__ import annotations

import functools

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api import paging
from api import sharing_schemas as s
from api.errors import ApiError
from mirror.documents import as_object
from mirror.models import CatalogEntry, ChainEvent
from mirror.sharing_models import (
    SharingDemand,
    SharingGrant,
    SharingGrantResource,
    SharingItem,
    SharingScenario,
    SharingStepRecord,
)

ZERO_ID = "0x" + "00" * 32
ITEM_STATES = ("pending", "overdue", "decided")


def _data_state(row: SharingItem) -> str:
    """The contract's `Item.uncatalogued` means "not ready" (Art. 22): not catalogued, or catalogued
    and not yet collected; the entry named tells them apart."""
    if not row.uncatalogued:
        return "ready"
    return "uncatalogued" if row.entry_id == ZERO_ID else "not_collected"


def _item(row: SharingItem, now: int) -> dict:
    pending = row.status == "pending"
    overdue = pending and row.due_at != 0 and now > row.due_at
    return dict(
        item=row.item,
        owner_unit_id=row.owner_unit_id,
        entry_id=None if row.entry_id == ZERO_ID else row.entry_id,
        version=row.version or None,
        data=_data_state(row),
        status=row.status,
        opened_at=row.opened_at,
        due_at=row.due_at,
        decided_at=row.decided_at,
        code=row.code,
        decider=row.decider,
        overdue=overdue,
        deemed_approvable=overdue and not row.uncatalogued,
    )


def demand(session: Session, demand_id: str, now: int) -> s.DemandPublic:
    d = session.get(SharingDemand, demand_id.lower())
    if d is None:
        raise ApiError(404, "unknown_demand", f"demand_id: no demand {demand_id}", "demand_id")
    items = session.scalars(select(SharingItem).where(SharingItem.demand_id == d.demand_id).order_by(SharingItem.item))
    commitment = {
        "scheme": d.commitment_scheme,
        "key_id": d.commitment_key_id,
        "document": as_object(d.commitment_document),
        "document_hash": d.commitment_hash,
        "signature": d.commitment_signature,
    }
    return s.DemandPublic(
        demand_id=d.demand_id,
        unit_id=d.unit_id,
        status=d.status,
        route=d.route,
        scenario_code=d.scenario_code,
        scenario_class=d.scenario_class,
        method=d.method,
        form=d.form,
        frequency=d.frequency,
        security_level=d.security_level,
        fusion=d.fusion,
        plan_status=d.plan_status,
        plan_due_at=d.plan_due_at,
        conformity_status=d.conformity_status,
        conformity_due_at=d.conformity_due_at,
        document_problem=d.document_problem,
        serve_due_at=d.serve_due_at,
        applied_at=d.applied_at,
        closed_at=d.closed_at,
        document=as_object(d.document),
        commitment=commitment,
        items=[s.DemandItem(**_item(i, now)) for i in items],
        now=now,
    )


def unit_demands(session: Session, unit_id: str, now: int, *, limit: int, offset: int) -> s.DemandPage:
    """A page of the demand unit's own applications, newest first, each as `demand` answers it."""
    query = (
        select(SharingDemand.demand_id)
        .where(SharingDemand.unit_id == unit_id.lower())
        .order_by(SharingDemand.applied_at.desc(), SharingDemand.demand_id)
    )
    ids, total, more = paging.query_page(session, query, limit=limit, offset=offset, scalars=True)
    items = [demand(session, demand_id, now) for demand_id in ids]
    return s.DemandPage(items=items, limit=limit, offset=offset, has_more=more, total=total)


def incoming(session: Session, unit_id: str, now: int, state: str | None, *, limit: int, offset: int) -> s.IncomingPage:
    """A page of what a responsible unit was asked for, oldest due first; `state` narrows to
    pending, overdue (pending after the due time) or decided items."""
    query = (
        select(SharingItem, SharingDemand.scenario_code, SharingDemand.applied_at)
        .join(SharingDemand, SharingDemand.demand_id == SharingItem.demand_id)
        .where(SharingItem.owner_unit_id == unit_id.lower())
    )
    if state in ("pending", "overdue"):
        query = query.where(SharingItem.status == "pending")
    if state == "overdue":
        query = query.where(SharingItem.due_at != 0, SharingItem.due_at < now)
    if state == "decided":
        query = query.where(SharingItem.status != "pending")
    query = query.order_by(SharingItem.due_at, SharingItem.demand_id, SharingItem.item)
    rows, total, more = paging.query_page(session, query, limit=limit, offset=offset)
    items = [
        s.IncomingItem(
            **_item(i, now),
            demand_id=i.demand_id,
            demand_unit_id=i.demand_unit_id,
            scenario_code=code,
            applied_at=applied,
        )
        for i, code, applied in rows
    ]
    return s.IncomingPage(items=items, limit=limit, offset=offset, has_more=more, total=total, now=now)


def _grant(g: SharingGrant, resources: list[SharingGrantResource]) -> s.GrantPublic:
    return s.GrantPublic(
        grant_id=g.grant_id,
        unit_id=g.unit_id,
        scenario_code=g.scenario_code,
        scenario_class=g.scenario_class,
        method=g.method,
        form=g.form,
        frequency=g.frequency,
        security_level=g.security_level,
        document_problem=g.document_problem,
        status=g.status,
        suspension=g.suspension,
        objection_pending=g.objection_pending,
        objection_answer_due_at=g.objection_answer_due_at,
        issued_at=g.issued_at,
        last_used_at=g.last_used_at,
        idle_from=g.idle_from,
        excused_until=g.excused_until,
        reason_until=g.reason_until,
        reason_due_at=g.reason_due_at,
        suspended_at=g.suspended_at,
        objection_due_at=g.objection_due_at,
        serve_due_at=g.serve_due_at,
        served_at=g.served_at,
        terminated_at=g.terminated_at,
        termination=g.termination,
        resources=[
            s.GrantResource(entry_id=r.entry_id, version=r.version, items=r.items.split("\n") if r.items else [])
            for r in resources
        ],
    )


def _resources(session: Session, grant_ids: list[str]) -> dict[str, list[SharingGrantResource]]:
    out: dict[str, list[SharingGrantResource]] = {g: [] for g in grant_ids}
    rows = session.scalars(
        select(SharingGrantResource)
        .where(SharingGrantResource.grant_id.in_(grant_ids))
        .order_by(SharingGrantResource.grant_id, SharingGrantResource.idx)
    )
    for r in rows:
        out[r.grant_id].append(r)
    return out


def grant(session: Session, grant_id: str) -> s.GrantPublic:
    g = session.get(SharingGrant, grant_id.lower())
    if g is None:
        raise ApiError(404, "unknown_grant", f"grant_id: no grant {grant_id}", "grant_id")
    return _grant(g, _resources(session, [g.grant_id])[g.grant_id])


def unit_grants(session: Session, unit_id: str, status: str | None, *, limit: int, offset: int) -> s.GrantPage:
    """A page of the demand unit's grants, oldest issued first."""
    query = select(SharingGrant).where(SharingGrant.unit_id == unit_id.lower())
    if status is not None:
        query = query.where(SharingGrant.status == status)
    query = query.order_by(SharingGrant.issued_at, SharingGrant.grant_id)
    grants, total, more = paging.query_page(session, query, limit=limit, offset=offset, scalars=True)
    resources = _resources(session, [g.grant_id for g in grants])
    return s.GrantPage(
        items=[_grant(g, resources[g.grant_id]) for g in grants], limit=limit, offset=offset, has_more=more, total=total
    )


def step_proof(r: SharingStepRecord) -> s.StepProof:
    """One step of the Sharing contract with its on-chain proof, as the history views show it."""
    return s.StepProof(
        kind=r.kind,
        item=r.item,
        unit_id=None if r.unit_id == ZERO_ID else r.unit_id,
        actor=r.actor,
        code=r.code,
        at=r.at,
        document=as_object(r.document) if r.document else None,
        document_hash=r.document_hash,
        block_number=r.block_number,
        block_time=r.block_time,
        tx_hash=r.tx_hash,
        log_index=r.log_index,
    )


def history(session: Session, grant_id: str) -> s.GrantHistory:
    """Every step of the demand and its grant, oldest first, each with its on-chain position."""
    grant_id = grant_id.lower()
    steps = list(
        session.scalars(
            select(SharingStepRecord).where(SharingStepRecord.subject == grant_id).order_by(SharingStepRecord.position)
        )
    )
    if not steps:
        raise ApiError(404, "unknown_grant", f"grant_id: no demand or grant {grant_id}", "grant_id")
    issued = session.execute(
        select(ChainEvent).where(ChainEvent.subject == grant_id, ChainEvent.name == "GrantIssued")
    ).scalar_one_or_none()
    issued_step = None
    if issued is not None:
        issued_step = s.StepProof(
            kind="grant_issued",
            item=0,
            unit_id=None,
            actor=issued.address,
            code=0,
            at=0,
            document=None,
            document_hash=ZERO_ID,
            block_number=issued.block_number,
            block_time=issued.block_time,
            tx_hash=issued.tx_hash,
            log_index=issued.log_index,
        )
    return s.GrantHistory(grant_id=grant_id, issued=issued_step, steps=[step_proof(r) for r in steps])


def scenarios(session: Session, *, limit: int, offset: int) -> s.ScenarioPage:
    """A page of the evaluated scenarios, by code."""
    query = select(SharingScenario).order_by(SharingScenario.code)
    rows, total, more = paging.query_page(session, query, limit=limit, offset=offset, scalars=True)
    items = [
        s.ScenarioPublic(
            scenario_id=r.scenario_id,
            code=r.code,
            name=r.name,
            scenario_class=r.scenario_class,
            units=r.units.split("\n") if r.units else [],
            entries=r.entries.split("\n") if r.entries else [],
            approved=r.approved,
            approved_at=r.approved_at,
            withdrawn_at=r.withdrawn_at,
            evaluation_hash=r.evaluation_hash,
        )
        for r in rows
    ]
    return s.ScenarioPage(items=items, limit=limit, offset=offset, has_more=more, total=total)


# ---- the check (Art. 25, 26, 31)

# When no grant allows the use, the answer names the closest one's problem. Most telling first: a
# refusal that no action of the demand unit can cure comes before one it can, and a grant's
# standing before how the use departs from its terms.
_REFUSALS = (
    "not_grant_holder",
    "entry_deleted",
    "entry_not_shared",
    "entry_invalid",
    "entry_changed",
    "document_mismatch",
    "scenario_withdrawn",
    "before_grant",
    "terminated",
    "suspended",
    "idle",
    "version_not_pinned",
    "item_not_granted",
    "form_not_granted",
    "method_not_granted",
    "scenario_not_granted",
)
_MESSAGES = {
    "granted": "the grant allows this use",
    "no_grant": "the unit holds no grant for this resource: apply for it (Art. 17)",
    "not_grant_holder": "the grant is another unit's: only its holder may use it (Art. 25)",
    "scenario_not_granted": "the unit's grants for this resource are for other scenarios (Art. 25)",
    "method_not_granted": "the grant for this scenario allows another method of use (Art. 21)",
    "form_not_granted": "the grant serves the data in another form only (Art. 19 (4)): serve that form",
    "item_not_granted": "a data item asked for is not in the grant (Art. 17, 25): apply for it",
    "version_not_pinned": "the grant is pinned to another catalog version (Art. 14): serve that version",
    "suspended": "the grant is suspended (Art. 26, 31); the demand unit may object within 30 days",
    "before_grant": "the use is dated before the grant was issued: no grant covered it (Art. 17, 25)",
    "terminated": "the grant is terminated: using the data again needs a new application (Art. 26)",
    "idle": "the grant has not been used for 3 months with no reason on file; it is due to be suspended (Art. 26)",
    "scenario_withdrawn": "the Data Center withdrew the registered scenario the grant rests on (Art. 19): apply again",
    "document_mismatch": "the application's document disagrees with its signed terms: the grant serves nothing",
    "entry_deleted": "the catalog entry was deleted (Art. 14): no grant serves it any more",
    "entry_not_shared": "the entry's version in force is not shared (不予共享, Art. 7): no grant serves it",
    "entry_invalid": "the entry's catalog document cannot be judged (#10 rule 8): nothing may rely on it",
    "entry_changed": "the entry changed since the grant (Art. 14): its adjustment plan moves the grant or ends it",
}
# Plain SQL through the driver on purpose: building and caching a Core select per call cost four
# times the query itself (180 µs against 45 µs on SQLite), and a SQLAlchemy Connection another 35 µs
# over the driver's own cursor, on a route a gateway asks on every use. The scenario register is
# joined only for the classes it governs (a class-0 or class-4 code is no register entry).
_COLUMNS = (
    "SELECT g.grant_id, g.unit_id, g.scenario_code, g.method, g.form, g.status, g.idle_from, g.document_problem,"
    " sc.withdrawn_at, r.version, r.items, e.status, e.sharing, e.approved_version, e.document_problem, g.issued_at"
    " FROM sharing_grant_resources r JOIN sharing_grants g ON g.grant_id = r.grant_id"
    " LEFT JOIN catalog_entries e ON e.entry_id = r.entry_id"
    " LEFT JOIN sharing_scenarios sc ON sc.scenario_id = g.scenario_id AND g.scenario_class BETWEEN 1 AND 3"
)
_BY_UNIT = _COLUMNS + " WHERE r.unit_id = {unit_id} AND r.entry_id = {entry_id}"
_BY_GRANT = _COLUMNS + " WHERE r.grant_id = {grant_id} AND r.entry_id = {entry_id}"
# The placeholders of the drivers the project installs, by dialect: sqlite3 takes named
# parameters, psycopg pyformat ones.
_MARKS = {"sqlite": ":{}", "postgresql": "%({})s"}


@functools.cache
def _check_sql(dialect: str) -> tuple[str, str]:
    mark = _MARKS[dialect]
    names = {n: mark.format(n) for n in ("unit_id", "entry_id", "grant_id")}
    return _BY_UNIT.format(**names), _BY_GRANT.format(**names)


def _refusal(
    row, *, unit_id: str, version: int, items: list[str], scenario: str, method: str, form: str, now: int, dated: bool
):
    """Why the grant resource `row` does not allow the use, or None when it does. `dated`: `now` is
    the time a reporter gave a use (the usage log), not the chain's clock. A check "now" reads the
    clock through a cache that may lag the chain by a block, while any grant the mirror holds was
    issued by the chain's present time: only a reported time can fall before the grant."""
    (
        _,
        holder,
        code,
        granted_method,
        granted_form,
        status,
        idle_from,
        problem,
        withdrawn,
        pinned,
        granted,
        e_status,
        sharing,
        in_force,
        e_problem,
        issued_at,
    ) = row
    if holder != unit_id:
        return "not_grant_holder"
    if e_status == "deleted":
        return "entry_deleted"
    if sharing == "not_shared":
        return "entry_not_shared"
    if e_problem is not None:
        return "entry_invalid"
    if in_force != pinned:
        return "entry_changed"
    if problem is not None:
        return "document_mismatch"
    if withdrawn:
        return "scenario_withdrawn"
    if dated and now < issued_at:
        return "before_grant"  # a use logged for a time before the grant (the usage log's records)
    if status != "active":
        return status  # suspended | terminated
    if idle_from and now >= idle_from:
        return "idle"
    if version != pinned:
        return "version_not_pinned"
    if not set(items) <= set(granted.split("\n")):
        return "item_not_granted"
    if granted_form != form:
        return "form_not_granted"
    if granted_method != method:
        return "method_not_granted"
    if code != scenario:
        return "scenario_not_granted"
    return None


def check(
    engine: Engine,
    *,
    unit_id: str,
    entry_id: str,
    version: int,
    items: list[str],
    scenario: str,
    method: str,
    form: str = "full",
    grant_id: str | None = None,
    now: int,
) -> s.CheckAnswer:
    """May `unit_id` use these data items of `entry_id` at `version`, for `scenario`, by `method`, in
    `form`, at `now` (Art. 25)? One indexed lookup through the driver; with `grant_id`, of that
    grant only."""
    unit_id, entry_id = unit_id.lower(), entry_id.lower()
    connection = engine.raw_connection()
    try:
        rows = _check_rows(connection, engine.dialect.name, unit_id, entry_id, grant_id)
    finally:
        connection.close()  # back to the pool, which ends the read (rollback on return): the next sees new rows
    return _judge(
        rows, unit_id=unit_id, version=version, items=items, scenario=scenario, method=method, form=form, now=now
    )


def check_many(engine: Engine, uses: list[dict]) -> list[tuple[str, str | None]]:
    """The reason `check` gives each use (a dict of its keyword arguments, `now` included), with
    the grant it judged, on one connection: the usage log checks a batch of records at once, each
    at its own time, by exactly the gateway's rule. `("granted", grant id)` when allowed.

    The grant resources of every use that names its grant are read in one query for the batch
    (`_rows_by_grant`: what `_check_rows` reads key by key); 120 grants in a batch of 400 records
    were 120 queries, 20 µs a record of the usage log's intake (#11). Uses without a grant are
    read one (unit, entry) at a time."""
    answers = []
    dialect = engine.dialect.name
    keys = []
    for use in uses:
        grant_id = use.get("grant_id")
        keys.append((use["unit_id"].lower(), use["entry_id"].lower(), grant_id and grant_id.lower()))
    connection = engine.raw_connection()
    try:
        fetched = _rows_by_grant(connection, dialect, {k for k in keys if k[2] is not None})
        for use, key in zip(uses, keys):
            if key not in fetched:
                fetched[key] = _check_rows(connection, dialect, *key)
            judged = {k: v for k, v in use.items() if k not in ("unit_id", "entry_id", "grant_id")}
            reason, grant, _ = _reason(fetched[key], unit_id=key[0], dated=True, **judged)
            answers.append((reason, grant))
    finally:
        connection.close()
    return answers


# _BY_GRANT for many grants at once, with each row's entry to sort the rows by (grant, entry).
_BY_GRANTS = (
    _COLUMNS.replace(" FROM ", ", r.entry_id FROM ", 1) + " WHERE r.grant_id IN ({marks}) ORDER BY r.grant_id, r.idx"
)
_IN_SLICE = 500


def _rows_by_grant(connection, dialect: str, keys: set[tuple]) -> dict[tuple, list]:
    """For each (unit, entry, grant) key, the rows `_check_rows` gives it (by grant and entry:
    the unit plays no part), from one query per 500 grants."""
    grants = sorted({k[2] for k in keys})
    found: dict[tuple[str, str], list] = {}
    cursor = connection.cursor()
    for i in range(0, len(grants), _IN_SLICE):
        part = grants[i : i + _IN_SLICE]
        marks = ", ".join(_MARKS[dialect].format(f"g{j}") for j in range(len(part)))
        cursor.execute(_BY_GRANTS.format(marks=marks), {f"g{j}": g for j, g in enumerate(part)})
        for row in cursor.fetchall():
            found.setdefault((row[0], row[-1]), []).append(row[:-1])
    cursor.close()
    return {k: found.get((k[2], k[1]), []) for k in keys}


def _check_rows(connection, dialect: str, unit_id: str, entry_id: str, grant_id: str | None) -> list:
    by_unit, by_grant = _check_sql(dialect)
    cursor = connection.cursor()
    if grant_id is None:
        cursor.execute(by_unit, {"unit_id": unit_id, "entry_id": entry_id})
    else:
        cursor.execute(by_grant, {"grant_id": grant_id.lower(), "entry_id": entry_id})
    rows = cursor.fetchall()
    cursor.close()
    return rows


def _judge(
    rows, *, unit_id: str, version: int, items: list[str], scenario: str, method: str, form: str = "full", now: int
) -> s.CheckAnswer:
    reason, grant_id, pinned = _reason(
        rows, unit_id=unit_id, version=version, items=items, scenario=scenario, method=method, form=form, now=now
    )
    return s.CheckAnswer(
        allowed=reason == "granted",
        reason=reason,
        message=_MESSAGES[reason],
        grant_id=grant_id,
        version=pinned,
        now=now,
    )


def _reason(
    rows,
    *,
    unit_id: str,
    version: int,
    items: list[str],
    scenario: str,
    method: str,
    form: str = "full",
    now: int,
    dated: bool = False,
) -> tuple[str, str | None, int | None]:
    """(reason, grant id, pinned version) of the best answer among the grant resources `rows`."""
    best: tuple[int, str, str, int] | None = None  # (rank, reason, grant id, version)
    for row in rows:
        reason = _refusal(
            row,
            unit_id=unit_id,
            version=version,
            items=items,
            scenario=scenario,
            method=method,
            form=form,
            now=now,
            dated=dated,
        )
        if reason is None:
            return "granted", row[0], row[9]
        rank = _REFUSALS.index(reason)
        if best is None or rank < best[0]:
            best = (rank, reason, row[0], row[9])
    if best is None:
        return "no_grant", None, None
    return best[1], best[2], best[3]


ADJUSTMENT_STEPS = ("record_adjustment_plan", "acknowledge_adjustment")


def adjustment(session: Session, entry_id: str, *, unit_id: str | None, overseer: bool) -> s.EntryAdjustment:
    """Art. 14: the entry's live grants (every one for the entry's unit and the overseers, else
    `unit_id`'s own) and its adjustment plans and their acknowledgements, oldest first."""
    entry_id = entry_id.lower()
    owner = session.scalar(select(CatalogEntry.unit_id).where(CatalogEntry.entry_id == entry_id))
    all_grants = overseer or (owner is not None and owner == unit_id)
    live = session.execute(
        select(SharingGrant.grant_id, SharingGrant.unit_id, SharingGrant.status)
        .join(SharingGrantResource, SharingGrantResource.grant_id == SharingGrant.grant_id)
        .where(SharingGrantResource.entry_id == entry_id, SharingGrant.status != "terminated")
        .distinct()
        .order_by(SharingGrant.grant_id)
    ).all()
    steps = session.scalars(
        select(SharingStepRecord)
        .where(SharingStepRecord.subject == entry_id, SharingStepRecord.kind.in_(ADJUSTMENT_STEPS))
        .order_by(SharingStepRecord.position)
    )
    return s.EntryAdjustment(
        entry_id=entry_id,
        live_grants=[s.LiveGrant(grant_id=g, unit_id=u, status=st) for g, u, st in live if all_grants or u == unit_id],
        steps=[step_proof(r) for r in steps],
    )
