"""How each event of the Sharing contract changes the mirror's sharing tables (mirror.sharing_models).

Event order. Every step, signed or permissionless, is recorded by its SharingStep first and then
its effects (DemandItemOpened, DemandPlanOpened, DemandPlanReviewed, DemandItemClosed,
DemandClosed, GrantIssued, GrantStatusChanged), one order the contract keeps for every step
(Sharing._execute, SharingCommon.permissionlessStep). So:

- the Apply step creates the demand row whole (terms, documents, commitment); its items, its
  plan and, on the scenario route, its grant follow and read what they need from it;
- a step's own columns (an item's decider and code, a grant's `termination`) are written by the
  step before the lifecycle event that moves the status; the status event never touches them.

A rebuild from block 0 and a rollback's replay of a subject's events (in chain order) give identical
rows. Every sharing event's subject (mirror.apply.subject_of) is
the demand/grant, scenario or entry id that keys the rows it changes, or the digest of a rejected
action, so a rollback forgets and replays exactly those rows.

Handlers write through to the database at once (no batching: sharing events are few beside the
catalog's, and the rows a later event of the same batch reads must be there).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from eth_utils import to_checksum_address
from sqlalchemy import insert, select, update

from chain.events import EventRecord
from chain.keccak import keccak256
from chain.sharing import (
    ApplyTerms,
    DataForm,
    DemandStatus,
    Frequency,
    GrantStatus,
    ItemStatus,
    KeyScheme,
    Method,
    PlanStatus,
    ScenarioTerms,
    StepKind,
    Suspension,
)
from mirror.documents import as_object, checked_document, field, hex0x, stored_text
from mirror.models import CatalogCollection, ChainEvent
from mirror.rejections import action_rejected
from mirror.sharing_models import (
    SharingDemand,
    SharingGrant,
    SharingGrantResource,
    SharingItem,
    SharingScenario,
    SharingStepRecord,
)
from sharing import timing
from sharing.fields import application_terms_problem

if TYPE_CHECKING:
    from mirror.apply import ApplyContext

DEMANDS = SharingDemand.__table__
ITEMS = SharingItem.__table__
GRANTS = SharingGrant.__table__
GRANT_RESOURCES = SharingGrantResource.__table__
SCENARIOS = SharingScenario.__table__
STEPS = SharingStepRecord.__table__
COLLECTIONS = CatalogCollection.__table__
JOURNAL = ChainEvent.__table__

ZERO_HASH = "0x" + "00" * 32


def _name(enum_value) -> str:
    """How the mirror stores a chain.sharing enum: its lower-case name."""
    return enum_value.name.lower()


def _text(value) -> str:
    """A string field of a document as every backend stores it (PostgreSQL refuses NUL); "" if
    the document has no string there."""
    return value.replace("\x00", "") if isinstance(value, str) else ""


def _checked_document(ev: EventRecord, where: str) -> str:
    """The step's document as text, checked against its on-chain hash (mirror.documents); a
    permissionless step has neither."""
    if not ev.args["document"] and ev.args["documentHash"] == bytes(32):
        return ""
    return checked_document(ev, where)


def _time(ctx: ApplyContext, ev: EventRecord) -> int:
    return ctx.block_times[ev.block_number]


# ---------------------------------------------------------------- rows


def _get(ctx: ApplyContext, table, **key) -> dict | None:
    row = ctx.conn.execute(select(table).where(*(table.c[k] == v for k, v in key.items()))).mappings().first()
    return dict(row) if row is not None else None


def _set(ctx: ApplyContext, table, key: dict, values: dict) -> None:
    ctx.conn.execute(update(table).where(*(table.c[k] == v for k, v in key.items())).values(**values))


def _save_grant(ctx: ApplyContext, grant: dict) -> None:
    """Write a grant back, its idle_from recomputed as `Sharing.idleFrom` gives it (0 unless active)."""
    grant["idle_from"] = _idle_from(grant)
    _set(ctx, GRANTS, {"grant_id": grant["grant_id"]}, {k: v for k, v in grant.items() if k != "grant_id"})


def _idle_from(grant: dict) -> int:
    """`Sharing.idleFrom`: 0 unless active with no reason awaiting the Data Center's review."""
    if grant["status"] != _name(GrantStatus.ACTIVE) or grant["reason_until"]:
        return 0
    g = grant
    return timing.idle_from(g["last_used_at"], g["frequency"], g["frequency_reason"], g["excused_until"])


# ---------------------------------------------------------------- demands and items


def _collected_before(ctx: ApplyContext, entry_id: str, ev: EventRecord) -> bool:
    """Whether the entry's data was recorded collected (CatalogDataCollected, Art. 15) before `ev`.

    The collection row (one per entry) may come from later in the chain when a rollback replays an
    older event: its block decides, and within one block its position in the journal, where it
    is journaled already; an unjournaled one was applied in this batch, so before `ev`."""
    row = ctx.conn.execute(select(COLLECTIONS.c.block_number).where(COLLECTIONS.c.entry_id == entry_id)).first()
    if row is None or row.block_number != ev.block_number:
        return row is not None and row.block_number < ev.block_number
    position = ctx.conn.execute(
        select(JOURNAL.c.position).where(
            JOURNAL.c.block_number == ev.block_number,
            JOURNAL.c.subject == entry_id,
            JOURNAL.c.name == "CatalogDataCollected",
        )
    ).scalar()
    return position is None or position < ev.position


def _item_opened(ctx: ApplyContext, ev: EventRecord) -> None:
    a = ev.args
    demand_id, entry_id = hex0x(a["demandId"]), hex0x(a["entryId"])
    # Art. 22: not ready when asked, so no deemed approval: not catalogued (no entry), or its
    # approved entry's data not yet collected to the platform (the contract's Item.uncatalogued).
    not_ready = entry_id == ZERO_HASH or not _collected_before(ctx, entry_id, ev)
    ctx.conn.execute(
        insert(ITEMS).values(
            demand_id=demand_id,
            item=a["item"],
            owner_unit_id=hex0x(a["ownerUnitId"]),
            # Its Apply step came first: one column, not the demand's documents, per item.
            demand_unit_id=ctx.conn.execute(
                select(DEMANDS.c.unit_id).where(DEMANDS.c.demand_id == demand_id)
            ).scalar_one(),
            entry_id=entry_id,
            version=a["version"],
            uncatalogued=not_ready,
            status=_name(ItemStatus(a["status"])),
            opened_at=_time(ctx, ev),
            due_at=a["dueAt"],
            decided_at=0,
            code=0,
            decider=None,
            decision_tx=None,
        )
    )


def _item_closed(ctx: ApplyContext, ev: EventRecord) -> None:
    a = ev.args
    # The code and the deciding officer come with the Decide step; a deemed approval (FinaliseItem)
    # and an item closed by a returned plan have neither.
    _set(
        ctx,
        ITEMS,
        {"demand_id": hex0x(a["demandId"]), "item": a["item"]},
        {
            "status": _name(ItemStatus(a["status"])),
            "decided_at": _time(ctx, ev),
            "entry_id": hex0x(a["entryId"]),
            "version": a["version"],
            "decision_tx": ev.tx_hash,
        },
    )


def _plan_opened(ctx: ApplyContext, ev: EventRecord) -> None:
    demand_id = hex0x(ev.args["demandId"])
    _set(ctx, DEMANDS, {"demand_id": demand_id}, {"plan_status": "pending", "plan_due_at": ev.args["dueAt"]})


def _conformity_opened(ctx: ApplyContext, ev: EventRecord) -> None:
    demand_id = hex0x(ev.args["demandId"])
    _set(
        ctx, DEMANDS, {"demand_id": demand_id}, {"conformity_status": "pending", "conformity_due_at": ev.args["dueAt"]}
    )


def _conformity_reviewed(ctx: ApplyContext, ev: EventRecord) -> None:
    """The Data Center confirmed the scenario-route application conforms, or returned it (Art. 19)."""
    _set(
        ctx,
        DEMANDS,
        {"demand_id": hex0x(ev.args["demandId"])},
        {"conformity_status": _name(PlanStatus(ev.args["status"])), "conformity_decided_at": _time(ctx, ev)},
    )


def _demand_closed(ctx: ApplyContext, ev: EventRecord) -> None:
    demand_id = hex0x(ev.args["demandId"])
    _set(
        ctx,
        DEMANDS,
        {"demand_id": demand_id},
        {"status": _name(DemandStatus(ev.args["status"])), "closed_at": _time(ctx, ev)},
    )


def scenario_code_of(doc: dict) -> str:
    """The application's scenario code: `scenario.code` (putuo.demand/1), or `scenario` when it
    is a plain string; "" when the document says neither."""
    scenario = field(doc, "scenario", default=None)
    if isinstance(scenario, dict):
        return _text(scenario.get("code"))
    return _text(scenario)


def _applied(ctx: ApplyContext, ev: EventRecord, demand_id: str, document: str) -> None:
    a = ev.args
    terms = ApplyTerms.decode(a["terms"])
    unit_id = hex0x(a["unitId"])
    commitment = terms.commitment
    scenario_code = scenario_code_of(as_object(document))
    # Rule 6: the scenario, method and form the grant serves come from the signed terms; a
    # document that says otherwise (a direct call can sign any pair) marks the demand.
    problem = application_terms_problem(document.encode("utf-8"), terms) if document else "no document"
    fields = {
        "unit_id": unit_id,
        "applicant": a["actor"],
        "route": "scenario" if terms.scenario_class != 0 else "owner_review",
        "scenario_code": scenario_code,
        "scenario_id": hex0x(terms.scenario_id),
        "scenario_class": terms.scenario_class,
        "method": _name(Method(terms.method)),
        "form": _name(DataForm(terms.form)),
        "frequency": _name(Frequency(terms.frequency)),
        "frequency_reason": bool(terms.frequency_reason),
        "fusion": bool(terms.fusion),
        "document_problem": problem,
        "security_level": terms.security_level,
        "applied_at": _time(ctx, ev),
        "block_number": ev.block_number,
        "tx_hash": ev.tx_hash,
        "document": document,
        "document_hash": hex0x(a["documentHash"]),
        "commitment_scheme": _name(KeyScheme(commitment.scheme)),
        "commitment_key_id": to_checksum_address(commitment.key_id),
        "commitment_document": stored_text(commitment.document),
        "commitment_hash": hex0x(keccak256(commitment.document)),
        "commitment_signature": hex0x(commitment.signature),
    }
    # What the lifecycle events set later, at its start: open, no plan, nothing due yet.
    lifecycle = {
        "status": "open",
        "plan_status": "none",
        "plan_due_at": 0,
        "plan_decided_at": 0,
        "conformity_status": "none",
        "conformity_due_at": 0,
        "conformity_decided_at": 0,
        "serve_due_at": 0,
        "closed_at": 0,
    }
    ctx.conn.execute(insert(DEMANDS).values(demand_id=demand_id, **fields, **lifecycle))


def _decided(ctx: ApplyContext, ev: EventRecord, demand_id: str, document: str) -> None:
    _set(
        ctx,
        ITEMS,
        {"demand_id": demand_id, "item": ev.args["item"]},
        {"decider": ev.args["actor"], "code": ev.args["code"]},
    )


def _plan_reviewed(ctx: ApplyContext, ev: EventRecord) -> None:
    """The Data Center's review of the fusion plan or technical evaluation (Art. 21, 22): approved,
    with the 10-working-day service due, or returned (no service due)."""
    demand_id = hex0x(ev.args["demandId"])
    _set(
        ctx,
        DEMANDS,
        {"demand_id": demand_id},
        {
            "plan_status": _name(PlanStatus(ev.args["status"])),
            "plan_decided_at": _time(ctx, ev),
            "serve_due_at": ev.args["serveDueAt"],
        },
    )


# ---------------------------------------------------------------- grants


def _grant_issued(ctx: ApplyContext, ev: EventRecord) -> None:
    a = ev.args
    grant_id, unit_id, at = hex0x(a["grantId"]), hex0x(a["unitId"]), _time(ctx, ev)
    demand = _get(ctx, DEMANDS, demand_id=grant_id)  # its Apply step came first (the grant id is the demand's)
    grant = {
        "grant_id": grant_id,
        "unit_id": unit_id,
        "scenario_id": hex0x(a["scenarioId"]),
        "scenario_code": demand["scenario_code"],
        "scenario_class": a["scenarioClass"],
        "method": _name(Method(a["method"])),
        "form": demand["form"],
        "frequency": _name(Frequency(a["frequency"])),
        "frequency_reason": demand["frequency_reason"],
        "security_level": a["securityLevel"],
        "document_problem": demand["document_problem"],
        "status": _name(GrantStatus.ACTIVE),
        "suspension": _name(Suspension.NONE),
        "objection_pending": False,
        "objected": False,
        "issued_at": at,
        "issued_block": ev.block_number,
        "issued_tx": ev.tx_hash,
        "last_used_at": at,
        "excused_until": 0,
        "reason_until": 0,
        "reason_due_at": 0,
        "suspended_at": 0,
        "objection_due_at": 0,
        "objection_answer_due_at": 0,
        "serve_due_at": a["serveDueAt"],
        "served_at": 0,
        "terminated_at": 0,
        "termination": "",
    }
    grant["idle_from"] = _idle_from(grant)
    ctx.conn.execute(insert(GRANTS).values(grant))
    items = _granted_items(ctx, demand, len(a["entryIds"]))
    ctx.conn.execute(
        insert(GRANT_RESOURCES),
        [
            {
                "grant_id": grant_id,
                "idx": i,
                "entry_id": hex0x(entry_id),
                "version": version,
                "unit_id": unit_id,
                "items": items[i],
            }
            for i, (entry_id, version) in enumerate(zip(a["entryIds"], a["versions"], strict=True))
        ],
    )


_GRANTED = tuple(_name(s) for s in (ItemStatus.AUTHORISED, ItemStatus.APPROVED, ItemStatus.DEEMED_APPROVED))


def _granted_items(ctx: ApplyContext, demand: dict, count: int) -> list[str]:
    """The data items of each resource a grant pins, one per line, from the application's document.

    The contract pins the demand's items in order, skipping the rejected and superseded ones (their
    DemandItemClosed came first), so the i-th pinned resource is the i-th granted item. The names
    are taken only from a document that agrees with the signed terms, whose `items` hash them."""
    if demand["document_problem"] is not None:
        return [""] * count
    resources = as_object(demand["document"])["resources"]
    granted = ctx.conn.execute(
        select(ITEMS.c.item)
        .where(ITEMS.c.demand_id == demand["demand_id"], ITEMS.c.status.in_(_GRANTED))
        .order_by(ITEMS.c.item)
    ).scalars()
    return ["\n".join(sorted(resources[i]["items"])) for i in granted]


def _grant_status_changed(ctx: ApplyContext, ev: EventRecord) -> None:
    a = ev.args
    grant = _get(ctx, GRANTS, grant_id=hex0x(a["grantId"]))
    if grant is None:
        return
    status, at = GrantStatus(a["status"]), _time(ctx, ev)
    grant.update(
        status=_name(status), suspension=_name(Suspension(a["suspension"])), objection_due_at=a["objectionDueAt"]
    )
    if status == GrantStatus.ACTIVE:
        # Issued, or reinstated: the contract clears the suspension and restarts the idle clock.
        grant.update(
            objection_pending=False, objection_answer_due_at=0, objected=False, suspended_at=0, last_used_at=at
        )
    elif status == GrantStatus.SUSPENDED:
        grant["suspended_at"] = at
    elif status == GrantStatus.TERMINATED:
        # `termination` comes from the step; nothing stays due of an ended grant.
        grant.update(
            objection_pending=False, objection_answer_due_at=0, reason_until=0, reason_due_at=0, terminated_at=at
        )
    _save_grant(ctx, grant)


def _grant_step(change: Callable[[dict, EventRecord, int], None]):
    """A step handler that changes the grant `subject` with `change(grant, event, block time)`."""

    def handle(ctx: ApplyContext, ev: EventRecord, grant_id: str, document: str) -> None:
        grant = _get(ctx, GRANTS, grant_id=grant_id)
        if grant is None:  # the contract refuses a step on an unknown grant; nothing to change
            return
        change(grant, ev, _time(ctx, ev))
        _save_grant(ctx, grant)

    return handle


def _used(grant: dict, ev: EventRecord, at: int) -> None:
    # Uses may be recorded late and out of order, after a suspension or the end too (the contract
    # accepts only those from while the grant was active): the latest counts.
    grant["last_used_at"] = max(grant["last_used_at"], ev.args["at"])


def _served(grant: dict, ev: EventRecord, at: int) -> None:
    # The data is available from the serving: the idle clock counts from it (Sharing._grantStep).
    grant.update(served_at=at, last_used_at=max(grant["last_used_at"], at))


def _objected(grant: dict, ev: EventRecord, at: int) -> None:
    grant.update(objected=True, objection_pending=True)  # its answer's due time: ObjectionFiled


def _objection_dismissed(grant: dict, ev: EventRecord, at: int) -> None:
    grant.update(objection_pending=False, objection_answer_due_at=0)


def _grant_event(change: Callable[[dict, dict], None]):
    """An event handler that changes the grant `grantId` with `change(grant, event args)`."""

    def handle(ctx: ApplyContext, ev: EventRecord) -> None:
        grant = _get(ctx, GRANTS, grant_id=hex0x(ev.args["grantId"]))
        if grant is not None:
            change(grant, ev.args)
            _save_grant(ctx, grant)

    return handle


def _reason_filed(grant: dict, a: dict) -> None:
    """A reason for idleness awaits the Data Center (Art. 26): no idle suspension meanwhile."""
    grant.update(reason_until=a["until"], reason_due_at=a["reviewDueAt"])


def _reason_reviewed(grant: dict, a: dict) -> None:
    grant.update(excused_until=a["excusedUntil"], reason_until=0, reason_due_at=0)


def _objection_filed(grant: dict, a: dict) -> None:
    grant["objection_answer_due_at"] = a["answerDueAt"]


def _terminated(grant: dict, ev: EventRecord, at: int) -> None:
    # The holder's own termination (Art. 26), or the Data Center's (Art. 31).
    grant["termination"] = "voluntary" if hex0x(ev.args["unitId"]) == grant["unit_id"] else "data_center"


def _lapsed(grant: dict, ev: EventRecord, at: int) -> None:
    grant["termination"] = "lapsed"  # its GrantStatusChanged(Terminated) follows


def _followed(grant: dict, ev: EventRecord, at: int) -> None:
    # Art. 14: ended as the entry's adjustment said (its GrantStatusChanged follows); a grant moved
    # instead gets GrantRepinned, which clears this again.
    grant["termination"] = "adjustment"


def _repinned(ctx: ApplyContext, ev: EventRecord) -> None:
    """A grant moved to its entry's version now in force (Art. 14): the check serves that version."""
    a = ev.args
    grant_id = hex0x(a["grantId"])
    _set(ctx, GRANT_RESOURCES, {"grant_id": grant_id, "entry_id": hex0x(a["entryId"])}, {"version": a["toVersion"]})
    _set(ctx, GRANTS, {"grant_id": grant_id}, {"termination": ""})  # moved, not ended (see _followed)


# ---------------------------------------------------------------- scenarios


def _scenario_step(ctx: ApplyContext, ev: EventRecord, scenario_id: str, document: str) -> None:
    approve = StepKind(ev.args["kind"]) == StepKind.APPROVE_SCENARIO
    at = _time(ctx, ev)
    doc = as_object(document)
    row = _get(ctx, SCENARIOS, scenario_id=scenario_id)
    code, name = field(doc, "scenario_code", default=""), field(doc, "name", default="")
    values = {"approved": approve, "changed_at": at}
    if approve:  # the register's entry: its class, whom and what it authorises, its basis document
        terms = ScenarioTerms.decode(ev.args["terms"])
        values.update(
            scenario_class=terms.scenario_class,
            units="\n".join(hex0x(u) for u in terms.units),
            entries="\n".join(hex0x(e) for e in terms.entries),
            approved_at=at,
            withdrawn_at=0,
            evaluation_hash=hex0x(ev.args["documentHash"]),
        )
    else:  # a withdrawal is final; the register keeps what it was (Sharing refuses a second approval)
        values["withdrawn_at"] = at
    if row is None:  # an approval: the contract withdraws only a scenario it approved
        ctx.conn.execute(
            insert(SCENARIOS).values(scenario_id=scenario_id, code=_text(code), name=_text(name), **values)
        )
        return
    for key, value in (("code", code), ("name", name)):  # a withdrawal keeps them unless it states them
        if isinstance(value, str) and value:
            values[key] = _text(value)
    _set(ctx, SCENARIOS, {"scenario_id": scenario_id}, values)


# ---------------------------------------------------------------- steps


StepEffect = Callable[["ApplyContext", EventRecord, str, str], None]

STEP_EFFECTS: dict[StepKind, StepEffect] = {
    StepKind.APPLY: _applied,
    StepKind.DECIDE: _decided,
    StepKind.RECORD_SERVED: _grant_step(_served),
    StepKind.RECORD_USE: _grant_step(_used),
    StepKind.OBJECT: _grant_step(_objected),
    StepKind.DISMISS_OBJECTION: _grant_step(_objection_dismissed),
    StepKind.TERMINATE: _grant_step(_terminated),
    StepKind.FINALISE_LAPSE: _grant_step(_lapsed),
    StepKind.FOLLOW_ADJUSTMENT: _grant_step(_followed),
    StepKind.APPROVE_SCENARIO: _scenario_step,
    StepKind.WITHDRAW_SCENARIO: _scenario_step,
    # Carried by their effect events: ReviewPlan (DemandPlanReviewed), ConfirmConformity
    # (DemandConformityReviewed), FileIdleReason and ReviewIdleReason (IdleReasonFiled, -Reviewed), SecuritySuspend, SuspendIdle
    # (GrantStatusChanged Suspended), Reinstate (GrantStatusChanged Active), FinaliseItem
    # (DemandItemClosed). Recorded steps only: RecordAdjustmentPlan, disputes and escalations.
}


def _sharing_step(ctx: ApplyContext, ev: EventRecord) -> None:
    a = ev.args
    kind = StepKind(a["kind"])
    subject = hex0x(a["subject"])
    document = _checked_document(ev, f"sharing step {_name(kind)} of {subject}")
    ctx.conn.execute(
        insert(STEPS).values(
            position=ev.position,
            subject=subject,
            kind=_name(kind),
            item=a["item"],
            unit_id=hex0x(a["unitId"]),
            actor=a["actor"],
            nonce=str(a["nonce"]),
            code=a["code"],
            at=a["at"],
            terms=hex0x(a["terms"]),
            document=document,
            document_hash=hex0x(a["documentHash"]),
            block_number=ev.block_number,
            block_time=_time(ctx, ev),
            tx_hash=ev.tx_hash,
            log_index=ev.log_index,
        )
    )
    effect = STEP_EFFECTS.get(kind)
    if effect is not None:
        effect(ctx, ev, subject, document)


def _adjustment_plan_used(ctx: ApplyContext, ev: EventRecord) -> None:
    """A catalog change consumed the entry's adjustment plan (Art. 14). No table holds plans: the
    RecordAdjustmentPlan step is in sharing_steps and this event in the journal (chain_events)."""


def _item_owner_moved(ctx: ApplyContext, ev: EventRecord) -> None:
    """Art. 5: the pending item is the designated unit's to decide now (its duty row follows)."""
    a = ev.args
    ctx.conn.execute(
        update(ITEMS)
        .where(ITEMS.c.demand_id == hex0x(a["demandId"]), ITEMS.c.item == a["item"])
        .values(owner_unit_id=hex0x(a["toUnit"]))
    )


SHARING_HANDLERS: dict[str, Callable[["ApplyContext", EventRecord], None]] = {
    "SharingStep": _sharing_step,
    "DemandItemOwnerMoved": _item_owner_moved,
    "DemandItemOpened": _item_opened,
    "DemandItemClosed": _item_closed,
    "DemandPlanOpened": _plan_opened,
    "DemandPlanReviewed": _plan_reviewed,
    "DemandClosed": _demand_closed,
    "GrantIssued": _grant_issued,
    "GrantStatusChanged": _grant_status_changed,
    "DemandConformityOpened": _conformity_opened,
    "DemandConformityReviewed": _conformity_reviewed,
    "IdleReasonFiled": _grant_event(_reason_filed),
    "IdleReasonReviewed": _grant_event(_reason_reviewed),
    "ObjectionFiled": _grant_event(_objection_filed),
    "GrantRepinned": _repinned,
    "AdjustmentPlanUsed": _adjustment_plan_used,
    "ActionRejected": action_rejected,
}

# The argument naming the subject of each sharing event (mirror.apply.subject_of): checked before
# the catalog's keys, since DemandItemOpened also has an entryId and GrantIssued and SharingStep a unitId.
SUBJECT_KEYS: dict[str, str] = {
    "SharingStep": "subject",
    "DemandItemOpened": "demandId",
    "DemandItemClosed": "demandId",
    "DemandItemOwnerMoved": "demandId",
    "DemandPlanOpened": "demandId",
    "DemandPlanReviewed": "demandId",
    "DemandClosed": "demandId",
    "GrantIssued": "grantId",
    "GrantStatusChanged": "grantId",
    "DemandConformityOpened": "demandId",
    "DemandConformityReviewed": "demandId",
    "IdleReasonFiled": "grantId",
    "IdleReasonReviewed": "grantId",
    "ObjectionFiled": "grantId",
    "GrantRepinned": "grantId",
    "AdjustmentPlanUsed": "entryId",
    "ActionRejected": "digest",
}
