"""The Art. 32 evaluation of units: JSON, CSV and a ranking chart."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api import schemas
from api.deps import RuntimeDep, SessionDep
from api.responses import INVALID_PARAMETER, NODE_DOWN
from api.services import duties, evaluation

# Bad parameters are answered with ErrorBody (api/errors.py), not FastAPI's default 422 body.
router = APIRouter(
    prefix="/v1",
    tags=["evaluation"],
    responses={
        **INVALID_PARAMETER,
        **NODE_DOWN,
    },
)

# ISO dates as text, parsed by the service: FastAPI's `date` would also take unix seconds (`to=0`
# as 1970-01-01). The pattern states the range a period may name (evaluation.FIRST_DAY … LAST_DAY).
_DAY = {"pattern": evaluation.DAY_PATTERN, "json_schema_extra": {"format": "date"}}
From = Annotated[
    str | None,
    Query(
        alias="from",
        description=f"First day (Asia/Shanghai), {evaluation.FIRST_DAY} to "
        f"{evaluation.LAST_DAY}; default: the first of `to`'s month",
        examples=["2026-03-01"],
        **_DAY,
    ),
]
To = Annotated[
    str | None,
    Query(
        alias="to",
        description=f"Last day, inclusive, {evaluation.FIRST_DAY} to "
        f"{evaluation.LAST_DAY}; default: today on the chain's clock",
        examples=["2026-03-31"],
        **_DAY,
    ),
]


def _evaluate(runtime, session, date_from: str | None, date_to: str | None) -> schemas.Evaluation:
    start, end = evaluation.day(date_from, "from"), evaluation.day(date_to, "to")
    block, now = duties.mirror_now(session, runtime)  # reproducible: see evaluation_audit
    start, end = evaluation.period(start, end, now)
    return evaluation.evaluate(session, date_from=start, date_to=end, now=now, now_block=block)


@router.get("/evaluation", response_model=schemas.Evaluation)
def get_evaluation(runtime: RuntimeDep, session: SessionDep, date_from: From = None, date_to: To = None) -> Response:
    """Each unit's on-time rates for compilation (Art. 11), collection (Art. 15), resubmission
    (Art. 13) and, for the Data Center, review (Art. 13/14), with counts of entries, versions,
    returns and changes; ranked by score (docs/RULES.md). Judged at the chain's latest block time."""
    return Response(
        _evaluate(runtime, session, date_from, date_to).model_dump_json(by_alias=True), media_type="application/json"
    )


@router.get(
    "/evaluation.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per unit, with a header row"}},
)
def get_evaluation_csv(
    runtime: RuntimeDep, session: SessionDep, date_from: From = None, date_to: To = None
) -> Response:
    """The evaluation as CSV (UTF-8): rank, score, unit, counts, then each rule group's figures."""
    result = _evaluate(runtime, session, date_from, date_to)
    name = f"evaluation-{result.date_from}-{result.date_to}.csv"
    return Response(
        evaluation.to_csv(result),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/evaluation/chart.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The ranking as a bar chart"}},
)
def get_evaluation_chart(
    runtime: RuntimeDep, session: SessionDep, date_from: From = None, date_to: To = None
) -> Response:
    """The ranking as a horizontal bar chart (PNG), best on top; units are labelled by name when
    the server has a CJK font, else by short id."""
    return Response(evaluation.chart_png(_evaluate(runtime, session, date_from, date_to)), media_type="image/png")
