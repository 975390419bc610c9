"""The usage log (Art. 30, #11): the share service's intake."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Path, Query, Response

from api import raw_body, schemas
from api import usage_schemas as u
from api.auth import Caller, PrincipalDep, current_platform, require_role
from api.deps import RuntimeDep
from api.errors import ApiError
from api.paging import Limit, Offset, check_offset
from api.services import evaluation, usage, usage_queries

router = APIRouter(
    tags=["usage"],
    responses={
        422: {"model": schemas.ErrorBody, "description": "A field is invalid; `field` names it"},
        401: {"model": schemas.ErrorBody, "description": "No valid credential where one is needed (api/auth)"},
        403: {"model": schemas.ErrorBody, "description": "The caller may not: another unit's record, or another role"},
    },
)


# Who may report uses: the platform's share service, by the platform credential (#11 part 6).
share_service = current_platform


@router.post(
    "/v1/usage",
    response_model=u.UsageBatchLogged,
    dependencies=[Depends(share_service)],
    responses={503: {"model": schemas.ErrorBody, "description": "Anchoring has failed for too long"}},
    openapi_extra=raw_body.documented(u.UsageBatch),
)
def report_uses(runtime: RuntimeDep, body: raw_body.BodyBytes) -> Response:
    """Log uses of shared data (Art. 30). Each is checked against its grant at the time it
    happened (Art. 25, the gateway's rule): in scope, `accepted`; otherwise `refused`, with the
    reason, and shown to the Data Center and the entry's owner. Every record is stored before the
    answer; a request id already logged is answered with the stored record (`duplicate`)."""
    # From the bytes in one call, in this worker thread: the hot path of the log (api/raw_body.py).
    batch = raw_body.parse(u.UsageBatch, body)
    if runtime.usage_anchor.stalled():
        raise ApiError(
            503,
            "usage_anchoring_stalled",
            f"records: anchoring has failed for over {runtime.settings.usage_anchor_stall_s:.0f} s;"
            " the log takes no records until a checkpoint is anchored again (the chain or the Data Center's key)",
            "records",
        )
    stored = usage.intake(
        engine=runtime.engine,
        store=runtime.usage_records,
        records=batch.records,
        now=runtime.clock.now(),
        combiner=runtime.usage_intake,
        tree=runtime.usage_anchor.tree,
    )
    # UsageBatchLogged as orjson writes it from plain values: a pydantic model a record cost 4 µs
    # of the intake's budget (#11); tests/api/test_usage_intake.py holds the answer to the model.
    answer = {
        "records": [
            {
                "request_id": s.request_id,
                "id": s.seq,
                "outcome": s.outcome,
                "reason": s.reason,
                "duplicate": s.duplicate,
            }
            for s in stored
        ],
        "accepted": sum(1 for s in stored if not s.duplicate and s.outcome == "accepted"),
        "refused": sum(1 for s in stored if not s.duplicate and s.outcome == "refused"),
        "duplicates": sum(1 for s in stored if s.duplicate),
    }
    return Response(orjson.dumps(answer), media_type="application/json")


@router.get("/v1/usage/checkpoints", response_model=u.CheckpointPage)
def list_checkpoints(runtime: RuntimeDep, limit: Limit = 20, offset: Offset = 0) -> u.CheckpointPage:
    """Anchored checkpoints, newest first, with how many witnesses co-signed each. Public, as
    their roots are on-chain: they hold no record."""
    check_offset(offset)
    items, total = usage.checkpoints(runtime.engine, limit=limit, offset=offset)
    return u.CheckpointPage(items=items, limit=limit, offset=offset, has_more=offset + len(items) < total, total=total)


@router.get(
    "/v1/usage/consistency",
    response_model=u.ConsistencyProof,
    responses={404: {"model": schemas.ErrorBody}},
)
def consistency_proof(
    runtime: RuntimeDep,
    first: Annotated[int, Query(ge=1, le=2**48)],
    second: Annotated[int, Query(ge=1, le=2**48)],
) -> u.ConsistencyProof:
    """The RFC 9162 consistency proof between the anchored checkpoints of sizes `first` and
    `second` (for witnesses; hashes only, public)."""
    return u.ConsistencyProof.model_validate(usage.consistency(runtime, first, second))


@router.post(
    "/v1/usage/cosignatures",
    response_model=u.Cosigned,
    responses={409: {"model": schemas.ErrorBody}, 403: {"model": schemas.ErrorBody}},
)
def cosign(
    runtime: RuntimeDep, body: u.CosignRequest, witness: Annotated[Caller, require_role("office", "auditor")]
) -> u.Cosigned:
    """Relay a witness's signed co-signature of an anchored checkpoint to UsageLog (the contract
    checks the signature, the witness's unit and the checkpoint), and wait for it. For a logged-in
    officer of the Office or an auditor unit (the platform pays the gas)."""
    return u.Cosigned.model_validate(usage.relay_cosignature(runtime, body))


_ID = {"pattern": r"^0x[0-9a-fA-F]{64}$"}
_DAY = {"pattern": evaluation.DAY_PATTERN, "json_schema_extra": {"format": "date"}}


def usage_filters(
    entry_id: Annotated[str | None, Query(description="The catalog entry used", **_ID)] = None,
    unit_id: Annotated[str | None, Query(description="The demand unit that used the data", **_ID)] = None,
    owner_unit_id: Annotated[str | None, Query(description="The unit whose data was used", **_ID)] = None,
    scenario: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    method: Annotated[str | None, Query(pattern="^(interface|batch_comparison|other)$")] = None,
    outcome: Annotated[str | None, Query(pattern="^(accepted|refused)$")] = None,
    date_from: Annotated[str | None, Query(alias="from", description="First day (Asia/Shanghai)", **_DAY)] = None,
    date_to: Annotated[str | None, Query(alias="to", description="Last day, inclusive", **_DAY)] = None,
) -> usage_queries.Filters:
    return usage_queries.Filters(entry_id, unit_id, owner_unit_id, scenario, method, outcome, date_from, date_to)


FiltersDep = Annotated[usage_queries.Filters, Depends(usage_filters)]


@router.get("/v1/usage", response_model=u.UsagePage)
def list_uses(runtime: RuntimeDep, who: PrincipalDep, filters: FiltersDep, limit: Limit = 20, offset: Offset = 0):
    """Uses of shared data, newest first (Art. 30): a unit sees the uses it made and the uses of its
    own data, by entry, demand unit, scenario, method, outcome and days; the Office, the Data
    Center and the regulators see every use."""
    check_offset(offset)
    items, total = usage_queries.records(runtime.engine, filters, who, limit=limit, offset=offset)
    return u.UsagePage(items=items, limit=limit, offset=offset, has_more=offset + len(items) < total, total=total)


@router.get("/v1/usage/daily", response_model=list[u.UsageDay])
def uses_per_day(runtime: RuntimeDep, who: PrincipalDep, filters: FiltersDep):
    """Uses per day (Asia/Shanghai), accepted and refused, of what the caller may read."""
    return usage_queries.daily(runtime.engine, filters, who)


@router.get(
    "/v1/usage.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 with a BOM, a header row, oldest first"}},
)
def uses_csv(runtime: RuntimeDep, who: PrincipalDep, filters: FiltersDep) -> Response:
    """The uses as CSV, UTF-8 with a byte order mark so that Excel on a Chinese Windows reads it."""
    return Response(
        usage_queries.to_csv(runtime.engine, filters, who),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="usage.csv"'},
    )


@router.get(
    "/v1/usage/chart.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "Uses per day, accepted and refused"}},
)
def uses_chart(runtime: RuntimeDep, who: PrincipalDep, filters: FiltersDep) -> Response:
    """Uses per day as a stacked bar chart (PNG)."""
    days = usage_queries.daily(runtime.engine, filters, who)
    return Response(usage_queries.chart_png(days, "uses of shared data per day"), media_type="image/png")


@router.get("/v1/usage/inspection", response_model=u.Inspection)
def inspection(runtime: RuntimeDep, _: Annotated[Caller, require_role("office", "data_center", "auditor")]):
    """The regulators' inspection view (Art. 30): refused uses, uses on suspended or terminated
    grants, grants used far above their declared frequency in the last 30 days, grants that fall
    idle (Art. 26) within 30 days. For the Office, the Data Center and the auditor units."""
    return usage_queries.inspection(runtime.engine, now=runtime.clock.now())


@router.get(
    "/v1/usage/{record_id:int}",
    response_model=u.UsageEvidence,
    responses={404: {"model": schemas.ErrorBody}, 403: {"model": schemas.ErrorBody}},
)
def usage_record(
    runtime: RuntimeDep,
    who: PrincipalDep,
    record_id: Annotated[int, Path(ge=0, le=2**48)],
    size: Annotated[
        int | None, Query(ge=1, le=2**48, description="The checkpoint to prove to; default the latest")
    ] = None,
) -> u.UsageEvidence:
    """A usage record with its inclusion proof to an anchored checkpoint and the anchor: the
    evidence bundle `ledger audit usage` verifies with the chain alone. Usage records are not
    public: the demand unit that used the data and the entry's owner see theirs, the Office, the
    Data Center and the regulators every one (Art. 30)."""
    return u.UsageEvidence.model_validate(usage.evidence(runtime, record_id, size, who=who))
