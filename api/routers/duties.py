"""Duties and their deadlines (catalog: Art. 11, 13, 14, 15; sharing: Art. 19, 20, 22, 26): the overdue views."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api import schemas
from api.auth import PrincipalDep
from api.auth.access import oversees_all, require_unit
from api.deps import RuntimeDep, SessionDep
from api.paging import Limit, Offset
from api.responses import INVALID_PARAMETER, NODE_DOWN, json_response
from api.services import duties

# Bad parameters are answered with ErrorBody (api/errors.py), not FastAPI's default 422 body.
router = APIRouter(
    tags=["duties"],
    responses={
        **INVALID_PARAMETER,
        **NODE_DOWN,
        # Duties need an officer's token or the platform credential (api/auth): a unit sees its own,
        # the overseers and the platform every unit's.
        401: {
            "model": schemas.ErrorBody,
            "description": "No officer's token or platform credential, or not a valid one",
        },
        403: {"model": schemas.ErrorBody, "description": "`unit_not_allowed`: another unit's duties"},
    },
)

UnitId = Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{64}$", examples=["0x" + "ab" * 32])]
State = Annotated[
    str | None,
    Query(
        pattern="^(" + "|".join(duties.STATES) + ")$",
        description=" | ".join(duties.STATES),
    ),
]
Rule = Annotated[str | None, Query(pattern="^(" + "|".join(duties.RULES) + ")$", description=" | ".join(duties.RULES))]
OwedBy = Annotated[
    str | None,
    Query(
        pattern="^(unit|data_center)$",
        description="unit: what the unit owes; data_center: what the Data Center owes on its entries, demands and grants",
    ),
]


def _page(runtime, session, *, unit_id, owed_by, state, rule, limit, offset, office: bool = True) -> Response:
    block, now = duties.chain_now(runtime.rpc)
    calendar = [
        schemas.CalendarDuty(year=d.year, message=d.message, command=d.command, due_at=d.due_at, state=d.state(now))
        for d in (runtime.calendar_watch.duties() if office else [])
    ]
    found, total, more = duties.page(
        session, now=now, unit_id=unit_id, owed_by=owed_by, state=state, rule=rule, limit=limit, offset=offset
    )
    items = [
        schemas.Duty(
            subject_type=d.subject_type,
            subject_id=d.subject_id,
            entry_id=d.entry_id,
            unit_id=d.unit_id,
            owed_by=d.owed_by,
            rule=d.rule,
            article=duties.RULES[d.rule].article,
            working_days=duties.RULES[d.rule].working_days,
            version=d.version,
            item=d.item,
            started_at=d.started_at,
            start_tx=d.start_tx,
            due_at=d.due_at,
            done_at=d.done_at,
            done_tx=d.done_tx,
            state=s,
        )
        for d, s in found
    ]
    return json_response(
        schemas.DutyPage(
            items=items,
            limit=limit,
            offset=offset,
            has_more=more,
            total=total,
            now=now,
            now_block=block,
            calendar=calendar,
        )
    )


@router.get("/v1/duties", response_model=schemas.DutyPage)
def list_duties(
    runtime: RuntimeDep,
    session: SessionDep,
    caller: PrincipalDep,
    state: State = None,
    rule: Rule = None,
    unit_id: Annotated[
        str | None,
        Query(
            pattern=r"^0x[0-9a-fA-F]{64}$",
            description="The unit a duty concerns: an entry's or demand item's responsible unit, a demand's or "
            "grant's demand unit",
        ),
    ] = None,
    owed_by: OwedBy = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    """Every duty of the district, catalog and sharing, with its due time and state, oldest due
    first: the Office's view (Art. 11: every unit's overdue duties are reported to it).

    States are judged at the chain's latest block time (`now`): a duty is overdue one second
    after its `due_at`. `start_tx` recorded the due time; `started_at` plus `working_days`
    recomputes it on the WorkCalendar contract (addWorkingDays).

    The Office, the Data Center and the regulators see every unit's; an ordinary unit's officer
    sees the duties concerning its own unit (`unit_id` is then its unit, or refused if another).
    """
    if not oversees_all(caller):
        if unit_id is not None:
            require_unit(caller, unit_id)
        unit_id = caller.unit_id
    return _page(runtime, session, unit_id=unit_id, owed_by=owed_by, state=state, rule=rule, limit=limit, offset=offset)


@router.get(
    "/v1/units/{unit_id}/duties",
    response_model=schemas.DutyPage,
    responses={404: {"model": schemas.ErrorBody, "description": "Unknown unit"}},
)
def list_unit_duties(
    runtime: RuntimeDep,
    session: SessionDep,
    caller: PrincipalDep,
    unit_id: UnitId,
    state: State = None,
    rule: Rule = None,
    owed_by: OwedBy = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    """One unit's duties: an ordinary unit's are those on its entries and the demand items it must
    decide, and the Data Center's duties on its entries, demands and grants (`owed_by=unit` leaves
    those out); the Data Center's are those it owes; the Office's are every unit's, as in `/v1/duties`.
    For the unit's own officers and the overseers."""
    require_unit(caller, unit_id)
    unit = duties.unit_or_404(session, unit_id)
    scope, owed = duties.unit_scope(unit, owed_by)
    return _page(
        runtime,
        session,
        unit_id=scope,
        owed_by=owed,
        state=state,
        rule=rule,
        limit=limit,
        offset=offset,
        office=unit.kind == "office",
    )
