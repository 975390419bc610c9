"""The catalog's duties (Art. 11, 13, 14, 15), each keyed by its entry, from the mirror's catalog tables."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Row, and_, select
from sqlalchemy.engine import Connection

from api.services.duties._model import Duty
from mirror.models import CatalogCollection, CatalogEntry, CatalogVersion, ChainEvent
from mirror.store import journal_record

VERSION_COLUMNS = (
    "entry_id",
    "version",
    "kind",
    "status",
    "due_at",
    "submitted_at",
    "submitted_tx",
    "reviewer",
    "reviewed_at",
    "reviewed_tx",
    "declared_at",
    "compile_due_at",
)
ENTRY_COLUMNS = ("unit_id", "collection_due_at", "resubmit_due_at", "latest_version")


def catalog_rows(conn: Connection, only_unit: str | None) -> tuple[list[Row], dict, dict]:
    """The version rows (VERSION_COLUMNS and ENTRY_COLUMNS, never a document), the collections and
    the past returns' due times, of one responsible unit's entries or of all."""
    v, e = CatalogVersion.__table__.c, CatalogEntry.__table__.c
    only = [e.unit_id == only_unit] if only_unit else []
    # One statement for versions and their entries' duty columns, so both come from one state of
    # the mirror; what is read after (collections, the journal) can only add steps taken since.
    query = (
        select(*(v[name] for name in VERSION_COLUMNS), *(e[name] for name in ENTRY_COLUMNS))
        .join_from(CatalogVersion, CatalogEntry, e.entry_id == v.entry_id)
        .where(*only)
        .order_by(v.entry_id, v.version)
    )
    versions = list(conn.execute(query))
    c = CatalogCollection.__table__.c
    collections = {
        row.entry_id: row
        for row in conn.execute(
            select(c.entry_id, c.collected_at, c.tx_hash)
            .join_from(CatalogCollection, CatalogEntry, e.entry_id == c.entry_id)
            .where(*only)
        )
    }
    return versions, collections, _resubmit_due_times(conn, only)


def _resubmit_due_times(conn: Connection, only: list) -> dict[tuple[str, int], int]:
    """(entry id, version) → the `nextDueAt` the review that returned it recorded (Art. 13).

    The mirror keeps only the entry's current `resubmit_due_at` (0 once resubmitted), so the due
    time of a past return is read from the mirror's journal of raw events, decoded as the indexer
    decodes them. A `catalog_versions.next_due_at` column would make this a plain column read.
    """
    v, e, j = CatalogVersion.__table__.c, CatalogEntry.__table__.c, ChainEvent.__table__.c
    query = (
        select(j.topics, j.data, j.address, j.block_number, j.block_hash, j.tx_hash, j.log_index)
        .join_from(ChainEvent, CatalogVersion, and_(v.entry_id == j.subject, v.reviewed_block == j.block_number))
        .join(CatalogEntry, e.entry_id == v.entry_id)
        .where(
            j.name == "CatalogVersionReviewed", v.status == "returned", v.kind.in_(("initial", "resubmission")), *only
        )
        .distinct()
    )
    out: dict[tuple[str, int], int] = {}
    for row in conn.execute(query):
        event = journal_record(row)
        if event.args["reasonCode"] != 0:
            out[("0x" + event.args["entryId"].hex(), event.args["version"])] = event.args["nextDueAt"]
    return out


def _entry_duty(r: Row, rule: str, version: int | None, started_at: int, start_tx: str, due_at: int, **done) -> Duty:
    return Duty(
        "entry", r.entry_id, r.unit_id, rule, started_at, start_tx, due_at, entry_id=r.entry_id, version=version, **done
    )


def catalog_duties(versions: list[Row], collections: dict, resubmit_due: dict) -> Iterable[Duty]:
    """Every catalog duty of `versions` (catalog_rows), open or closed."""
    by_number = {(r.entry_id, r.version): r for r in versions}
    deleted = {r.entry_id: r for r in versions if r.kind == "deletion" and r.status == "approved"}
    for r in versions:
        review = "art14_review" if r.kind in ("change", "deletion") else "art13_review"
        yield _entry_duty(
            r, review, r.version, r.submitted_at, r.submitted_tx, r.due_at, done_at=r.reviewed_at, done_tx=r.reviewed_tx
        )
        if r.version == 1:
            yield _entry_duty(
                r,
                "art11_compile",
                1,
                r.declared_at,
                r.submitted_tx,
                r.compile_due_at,
                done_at=r.submitted_at,
                done_tx=r.submitted_tx,
            )
        if r.kind not in ("initial", "resubmission"):
            continue
        if r.status == "returned":
            due = resubmit_due.get((r.entry_id, r.version))
            if due is None and r.version == r.latest_version:
                due = r.resubmit_due_at
            after = by_number.get((r.entry_id, r.version + 1))
            yield _entry_duty(
                r,
                "art13_resubmit",
                r.version,
                r.reviewed_at,
                r.reviewed_tx,
                due or 0,
                done_at=after.submitted_at if after else None,
                done_tx=after.submitted_tx if after else None,
            )
        elif r.status == "approved":  # the first approval: only one initial/resubmission is ever approved
            collected = collections.get(r.entry_id)
            gone = deleted.get(r.entry_id)
            if collected is not None:
                done = {"done_at": collected.collected_at, "done_tx": collected.tx_hash}
            elif gone is not None:
                done = {"done_at": gone.reviewed_at, "done_tx": gone.reviewed_tx, "cancelled": True}
            else:
                done = {}
            yield _entry_duty(r, "art15_collect", None, r.reviewed_at, r.reviewed_tx, r.collection_due_at, **done)
