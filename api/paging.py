"""How every collection that grows with use is paged: `limit` and `offset` in, a `schemas.Page`
(`{items, limit, offset, has_more, total}`) out, oldest-first or newest-first as each route says.

The offset is bounded because a deep offset costs the database as much as reading every row
before it; past MAX_OFFSET a client narrows its filters instead. The bound is declared in the
OpenAPI document (the `maximum` of `offset`) and enforced here, with its own error code.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from api.errors import ApiError

MAX_LIMIT = 100
MAX_OFFSET = 10_000

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page, at most {MAX_LIMIT}")]
# `maximum` is shown, not enforced by FastAPI: `check_offset` refuses with `offset_too_large`.
Offset = Annotated[
    int,
    Query(
        ge=0,
        json_schema_extra={"maximum": MAX_OFFSET},
        description=f"Items to skip, at most {MAX_OFFSET:,}; narrow the filters to reach further",
    ),
]


def check_offset(offset: int) -> None:
    """Raises the 422 `offset_too_large` past MAX_OFFSET."""
    if offset > MAX_OFFSET:
        raise ApiError(422, "offset_too_large", f"offset: at most {MAX_OFFSET}; narrow the filters instead", "offset")


def window(rows: list, *, limit: int, offset: int) -> tuple[list, int, bool]:
    """A page of `rows` already in page order: (the page, how many in all, whether more follow)."""
    check_offset(offset)
    return rows[offset : offset + limit], len(rows), len(rows) > offset + limit


def query_page(session: Session, query: Select, *, limit: int, offset: int, scalars: bool = False):
    """A page of an ordered `query`, counted in the same session: (rows, total, has_more)."""
    check_offset(offset)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    paged = query.limit(limit).offset(offset)
    rows = list(session.scalars(paged) if scalars else session.execute(paged).all())
    return rows, total, total > offset + limit
