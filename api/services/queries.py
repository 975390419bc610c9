"""Catalog lookups, all answered from the mirror."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import ApiError
from catalog.search_terms import normalise
from mirror import search
from mirror.models import CatalogEntry, CatalogVersion, OfficerKey, OutboxAction, Unit

MAX_OFFSET = 10_000


def entry_or_404(session: Session, entry_id: str) -> CatalogEntry:
    entry = session.scalars(select(CatalogEntry).where(CatalogEntry.entry_id == entry_id.lower())).first()
    if entry is None:
        raise ApiError(404, "unknown_entry", f"entry_id: no catalog entry {entry_id}", "entry_id")
    return entry


def current_document(session: Session, entry: CatalogEntry) -> dict:
    number = entry.approved_version or entry.latest_version
    version = session.get(CatalogVersion, (entry.entry_id, number))
    return json.loads(version.document)


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
) -> tuple[list[CatalogEntry], bool]:
    """A page of entries, newest first, and whether more follow."""
    if offset > MAX_OFFSET:
        raise ApiError(422, "offset_too_large", f"offset: at most {MAX_OFFSET}; narrow the filters instead", "offset")
    query = select(CatalogEntry)
    if q is not None and q.strip():
        condition = search.match(session.bind.dialect.name, q)
        if condition is None:
            raise ApiError(422, "empty_query", "q: has no searchable characters", "q")
        needle = "%" + normalise(q.strip()).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(condition, CatalogEntry.search_text.like(needle, escape="\\"))
    filters = {
        CatalogEntry.unit_id: unit_id.lower() if unit_id else None,
        CatalogEntry.sharing: sharing,
        CatalogEntry.category: category,
        CatalogEntry.grade: grade,
        CatalogEntry.update_frequency: update_frequency,
        CatalogEntry.status: status,
    }
    for column, value in filters.items():
        if value is not None:
            query = query.where(column == value)
    if status is None:
        query = query.where(CatalogEntry.status != "deleted")  # asked for explicitly with status=deleted
    rows = session.scalars(query.order_by(CatalogEntry.seq.desc()).limit(limit + 1).offset(offset)).all()
    return list(rows[:limit]), len(rows) > limit


def versions(session: Session, entry_id: str) -> list[CatalogVersion]:
    entry_or_404(session, entry_id)
    return list(
        session.scalars(select(CatalogVersion).where(CatalogVersion.entry_id == entry_id.lower()).order_by(CatalogVersion.version))
    )


def possible_duplicates(session: Session, entry: CatalogEntry) -> list[CatalogEntry]:
    """Other live entries of the same unit with the same resource name (Art. 13 重复性), newest first."""
    return list(
        session.scalars(
            select(CatalogEntry).where(
                CatalogEntry.unit_id == entry.unit_id,
                CatalogEntry.name_key == entry.name_key,
                CatalogEntry.entry_id != entry.entry_id,
                CatalogEntry.status != "deleted",
            ).order_by(CatalogEntry.seq.desc())
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
    return list(session.scalars(select(OfficerKey).where(OfficerKey.unit_id == unit_id.lower()).order_by(OfficerKey.registered_block, OfficerKey.key_id)))


