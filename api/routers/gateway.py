"""The gateway's check (Art. 25): the platform's hottest route, in a router of its own that the app
includes first. Starlette matches a request against each route in turn; the check, matched
after sixty others, spent as long in matching as in answering.

It is `async def`, against the API's rule of plain `def` routes, measured: its work is one
indexed read of the mirror (≈50 µs on SQLite), and the hop to the thread pool a plain route
takes cost ten times that. The chain's clock is read on the loop only from its cache; a refresh
(one round trip to the node, once a second) goes to the thread pool."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api import schemas
from api import sharing_schemas as s
from api.auth import PrincipalDep
from api.auth.access import require_unit
from api.deps import RuntimeDep
from api.responses import INVALID_FIELD, json_response
from api.services import sharing_queries

router = APIRouter(
    tags=["sharing"],
    responses=INVALID_FIELD,
)


class CheckQuery(BaseModel):
    """The check's query, validated as one model: pydantic-core checks the whole of it at once,
    where FastAPI validating nine parameters one by one cost a third of the request."""

    model_config = ConfigDict(extra="forbid")
    unit_id: str = Field(pattern=r"^0x[0-9a-fA-F]{64}$", description="The calling unit: the grant's holder")
    entry_id: str = Field(pattern=r"^0x[0-9a-fA-F]{64}$", description="The catalog entry")
    version: int = Field(ge=1, le=2**32 - 1, description="The catalog version the data served is of")
    items: list[str] = Field(
        min_length=1, max_length=200, description="The data items served, by name (repeat the parameter)"
    )
    scenario: str = Field(min_length=1, max_length=200, description="The scenario code")
    method: str = Field(pattern="^(interface|batch_comparison|other)$")
    form: str = Field(
        "full",
        pattern="^(full|subject_authorised|comparison_result|desensitised)$",
        description="The form the data is served in; an Art. 19 (4) grant allows only its own",
    )
    grant_id: str | None = Field(
        None, pattern=r"^0x[0-9a-fA-F]{64}$", description="The grant the caller presents, if any"
    )


@router.get(
    "/v1/sharing/check",
    response_model=s.CheckAnswer,
    responses={
        401: {"model": schemas.ErrorBody, "description": "No platform credential or officer's token"},
        403: {"model": schemas.ErrorBody, "description": "`unit_not_allowed`: an officer asking for another unit"},
    },
)
async def check(runtime: RuntimeDep, who: PrincipalDep, q: Annotated[CheckQuery, Query()]) -> Response:
    """May the unit use these data items of the entry at this version, for the scenario, by the
    method, in the form, now (Art. 25)? For gateways: one indexed lookup, answered yes or no with
    the reason. The scenario, method and form are the grant's signed on-chain terms.

    Asked by the platform's share service (the platform credential), or by an officer for its own
    unit (the overseers: for any unit): whether a unit holds a grant is that unit's business."""
    require_unit(who, q.unit_id)
    now = runtime.clock.cached()
    if now is None:
        now = await run_in_threadpool(runtime.clock.now)
    answer = sharing_queries.check(runtime.store.engine, **q.model_dump(), now=now)
    return json_response(answer)
