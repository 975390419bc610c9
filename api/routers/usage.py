"""The usage log (Art. 30, #11): the share service's intake."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api import schemas
from api import usage_schemas as u
from api.deps import RuntimeDep
from api.errors import ApiError
from api.services import usage

router = APIRouter(
    tags=["usage"],
    responses={422: {"model": schemas.ErrorBody, "description": "A field is invalid; `field` names it"}},
)


async def share_service() -> None:
    """Who may report uses: the platform's share service. The one place the intake's caller is
    checked (officer and platform authentication, #11 part 6, replaces this body)."""


@router.post(
    "/v1/usage",
    response_model=u.UsageBatchLogged,
    dependencies=[Depends(share_service)],
    responses={503: {"model": schemas.ErrorBody, "description": "Anchoring has failed for too long"}},
)
def report_uses(runtime: RuntimeDep, batch: u.UsageBatch) -> u.UsageBatchLogged:
    """Log uses of shared data (Art. 30). Each is checked against its grant at the time it
    happened (Art. 25, the gateway's rule): in scope, `accepted`; otherwise `refused`, with the
    reason, and shown to the Data Center and the entry's owner. Every record is stored before the
    answer; a request id already logged is answered with the stored record (`duplicate`)."""
    if runtime.usage_anchor.stalled():
        raise ApiError(
            503,
            "usage_anchoring_stalled",
            f"records: anchoring has failed for over {runtime.settings.usage_anchor_stall_s:.0f} s;"
            " the log takes no records until a checkpoint is anchored again (the chain or the Data Center's key)",
            "records",
        )
    stored = usage.intake(
        engine=runtime.engine, store=runtime.usage_records, records=batch.records, now=runtime.clock.now()
    )
    logged = [
        u.UsageLogged(request_id=s.request_id, id=s.seq, outcome=s.outcome, reason=s.reason, duplicate=s.duplicate)
        for s in stored
    ]
    return u.UsageBatchLogged(
        records=logged,
        accepted=sum(1 for s in stored if not s.duplicate and s.outcome == "accepted"),
        refused=sum(1 for s in stored if not s.duplicate and s.outcome == "refused"),
        duplicates=sum(1 for s in stored if s.duplicate),
    )
