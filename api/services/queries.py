"""Catalog lookups, all answered from the mirror."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from api.errors import ApiError
from api.paging import check_offset
from catalog.search_terms import normalise
from mirror import search
from mirror.documents import as_object
from mirror.models import CatalogEntry, CatalogVersion, OfficerKey, OutboxAction, Unit

SUMMARY_COLUMNS = tuple(
    getattr(CatalogEntry, name)
    for name in (
        "entry_id",
        "unit_id",
        "code",
        "name",
        "description",
        "status",
        "sharing",
        "opening",
        "category",
        "grade",
        "update_frequency",
        "latest_version",
        "approved_version",
        "pending_version",
        "created_at",
        "resubmit_due_at",
        "collection_due_at",
        "collected_at",
        "document_problem",
    )
)


def entry_or_404(session: Session, entry_id: str) -> CatalogEntry:
    entry = session.scalars(select(CatalogEntry).where(CatalogEntry.entry_id == entry_id.lower())).first()
    if entry is None:
        raise ApiError(404, "unknown_entry", f"entry_id: no catalog entry {entry_id}", "entry_id")
    return entry


def current_document(session: Session, entry: CatalogEntry) -> dict:
    number = entry.approved_version or entry.latest_version
    version = session.get(CatalogVersion, (entry.entry_id, number))
    return as_object(version.document)


FILTER_COLUMNS = ("unit_id", "sharing", "category", "grade", "update_frequency", "status")


def search_entries(
    session: Session,
    *,
    q: str | None,
    unit_id: str | None,
    sharing: str | None,
    category: str | None,
    grade: str | None,
    update_frequency: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict], bool]:
    """A page of entry summaries (dicts of SUMMARY_COLUMNS), newest first, and whether more follow.

    Deleted entries only when asked for (`status`); entries with a `document_problem` never."""
    check_offset(offset)
    values = {
        "unit_id": unit_id.lower() if unit_id else None,
        "sharing": sharing,
        "category": category,
        "grade": grade,
        "update_frequency": update_frequency,
        "status": status,
    }
    params = {f"f_{name}": value for name, value in values.items() if value is not None}
    params.update(p_limit=limit + 1, p_offset=offset)
    searching = q is not None and bool(q.strip())
    if searching:
        terms = search.query_param(session.bind.dialect.name, q)
        if terms is None:
            raise ApiError(422, "empty_query", "q: has no searchable characters", "q")
        escaped = normalise(q.strip()).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.update(p_terms=terms, p_needle=f"%{escaped}%")
    statement = _page_statement(session.bind.dialect.name, searching, tuple(n for n in FILTER_COLUMNS if values[n]))
    # Core, not the ORM: these are plain columns, and ORM row loading doubled the cost of a page.
    rows = session.connection().execute(statement, params).mappings().all()
    return list(rows[:limit]), len(rows) > limit


def count_entries(
    session: Session,
    *,
    unit_id: str | None,
    sharing: str | None,
    category: str | None,
    grade: str | None,
    update_frequency: str | None,
    status: str | None,
) -> int:
    """How many entries the filters of `search_entries` match (without `q`: a full-text search is
    not counted, it stops after its page)."""
    values = {
        "unit_id": unit_id.lower() if unit_id else None,
        "sharing": sharing,
        "category": category,
        "grade": grade,
        "update_frequency": update_frequency,
        "status": status,
    }
    query = select(func.count()).select_from(CatalogEntry)
    for name, value in values.items():
        if value is not None:
            query = query.where(getattr(CatalogEntry, name) == value)
    if status is None:
        query = query.where(CatalogEntry.status != "deleted")
    return session.scalar(query.where(CatalogEntry.document_problem.is_(None)))


@lru_cache(maxsize=256)
def _page_statement(dialect: str, searching: bool, filters: tuple[str, ...]) -> Select:
    """The page query for one shape of request, built once: building SQL expressions cost more
    than running them on a warm SQLite."""
    query = select(*SUMMARY_COLUMNS)  # not the search columns: a page never shows them
    order = CatalogEntry.seq.desc()
    if searching:
        query, order = search.restrict(query, dialect, bindparam("p_terms"))
        query = query.where(CatalogEntry.search_text.like(bindparam("p_needle"), escape="\\"))
    for name in filters:
        query = query.where(getattr(CatalogEntry, name) == bindparam(f"f_{name}"))
    if "status" not in filters:
        query = query.where(CatalogEntry.status != "deleted")  # asked for explicitly with status=deleted
    # An entry whose shown document cannot be judged (#10 rule 8) is in no list: a client that
    # does not read `document_problem` would show it as a normal entry. Its own view shows it.
    query = query.where(CatalogEntry.document_problem.is_(None))
    return query.order_by(order).limit(bindparam("p_limit")).offset(bindparam("p_offset"))


def versions(session: Session, entry_id: str) -> list[CatalogVersion]:
    entry_or_404(session, entry_id)
    return list(
        session.scalars(
            select(CatalogVersion).where(CatalogVersion.entry_id == entry_id.lower()).order_by(CatalogVersion.version)
        )
    )


def possible_duplicates(session: Session, entry: CatalogEntry) -> list[CatalogEntry]:
    """Other live entries of the same unit with the same resource name (Art. 13 重复性), newest first."""
    return list(
        session.scalars(
            select(CatalogEntry)
            .where(
                CatalogEntry.unit_id == entry.unit_id,
                CatalogEntry.name_key == entry.name_key,
                CatalogEntry.entry_id != entry.entry_id,
                CatalogEntry.status != "deleted",
            )
            .order_by(CatalogEntry.seq.desc())
        )
    )


def action_status(session: Session, action_id: str) -> OutboxAction:
    row = session.scalars(select(OutboxAction).where(OutboxAction.digest == action_id.lower())).first()
    if row is None:
        raise ApiError(404, "unknown_action", f"action_id: no accepted action {action_id}", "action_id")
    return row


def units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).order_by(Unit.registered_block, Unit.unit_id)))


def unit_keys(session: Session, unit_id: str) -> list[OfficerKey]:
    if session.get(Unit, unit_id.lower()) is None:
        raise ApiError(404, "unknown_unit", f"unit_id: no unit {unit_id}", "unit_id")
    return list(
        session.scalars(
            select(OfficerKey)
            .where(OfficerKey.unit_id == unit_id.lower())
            .order_by(OfficerKey.registered_block, OfficerKey.key_id)
        )
    )
