"""Catalog duties and whether they were met (Art. 11, 13, 14, 15), derived from the mirror.

A duty is a step the regulation requires by a deadline that the chain recorded when the step
that started it was taken (docs/WORKDAYS.md: the end of the N-th working day, Asia/Shanghai):

| rule             | owed by      | started by                          | due (recorded on-chain)            | done by                         |
|------------------|--------------|-------------------------------------|------------------------------------|---------------------------------|
| `art11_compile`  | the unit     | the declared approval/acceptance    | first version's `compileDueAt`     | that first submission           |
| `art13_review`   | Data Center  | an initial version or resubmission  | the version's `dueAt`              | its review                      |
| `art14_review`   | Data Center  | a change or deletion request        | the version's `dueAt`              | its review                      |
| `art13_resubmit` | the unit     | a return of an initial/resubmission | the review's `nextDueAt`           | the next version (resubmission) |
| `art15_collect`  | the unit     | the first approval                  | the review's `nextDueAt`           | the Data Center's collection record |

States, judged at `now` (the chain's latest block time, never the host's clock):
`due` (open, now <= due_at), `overdue` (open, now > due_at: one second after the due time),
`done_on_time` (done_at <= due_at), `done_late`, `unknown` (Art. 11 when the declared date lies
in a year the calendar does not hold: the contract records 0 rather than guess) and `cancelled`
(a collection duty of an entry deleted before its data was collected: it can no longer be met).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Row, and_, select
from sqlalchemy.orm import Session

from api import paging
from api.errors import ApiError
from chain.events import decode_log
from chain.rpc import RpcClient
from mirror.models import (
    CatalogCollection,
    CatalogEntry,
    CatalogVersion,
    ChainEvent,
    Unit,
)

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
DATA_CENTER = "data_center"
STATES = ("due", "overdue", "done_on_time", "done_late", "unknown", "cancelled")


@dataclass(frozen=True)
class Rule:
    code: str
    article: str
    working_days: int
    owed_by_data_center: bool


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule("art11_compile", "Art. 11 (10 working days)", 10, False),
        Rule("art13_review", "Art. 13 (1 working day)", 1, True),
        Rule("art13_resubmit", "Art. 13 (3 working days)", 3, False),
        Rule("art14_review", "Art. 14 (1 working day)", 1, True),
        Rule("art15_collect", "Art. 15 (10 working days)", 10, False),
    )
}
_RULE_ORDER = {code: i for i, code in enumerate(RULES)}


@dataclass(slots=True)
class Duty:
    """One duty. `started_at` + the rule's working days gives `due_at` (WorkCalendar.addWorkingDays);
    `start_tx` is the transaction that recorded the due time, `done_tx` the one that met it."""

    entry_id: str
    unit_id: str  # the entry's (responsible) unit, also for the Data Center's review duties
    rule: str
    version: int | None  # the version reviewed, returned, or first submitted; None for collection
    started_at: int
    start_tx: str
    due_at: int  # 0: not computable (Art. 11 only)
    done_at: int | None = None
    done_tx: str | None = None
    cancelled: bool = False  # done_at/done_tx are then the deletion's approval

    @property
    def owed_by(self) -> str:
        return DATA_CENTER if RULES[self.rule].owed_by_data_center else self.unit_id

    def state(self, now: int) -> str:
        if self.due_at == 0:
            return "unknown"
        if self.cancelled:
            return "cancelled"
        if self.done_at is None:
            return "due" if now <= self.due_at else "overdue"
        return "done_on_time" if self.done_at <= self.due_at else "done_late"

    def sort_key(self) -> tuple:
        """Oldest due first (unknown due times last), then entry, rule and version: a stable page order."""
        return (self.due_at == 0, self.due_at, self.entry_id, _RULE_ORDER[self.rule], self.version or 0)


@dataclass(frozen=True)
class Snapshot:
    versions: list[Row]  # the columns of VERSION_COLUMNS and ENTRY_COLUMNS (never a document)
    duties: list[Duty]


def chain_now(rpc: RpcClient) -> tuple[int, int]:
    """(block number, timestamp) of the chain's latest block: the "now" duties are judged at."""
    block = rpc.call("eth_getBlockByNumber", ["latest", False])
    return int(block["number"], 16), int(block["timestamp"], 16)


def unit_or_404(session: Session, unit_id: str) -> Unit:
    unit = session.get(Unit, unit_id.lower())
    if unit is None:
        raise ApiError(404, "unknown_unit", f"unit_id: no unit {unit_id}", "unit_id")
    return unit


def unit_scope(unit: Unit, owed_by: str | None) -> tuple[str | None, str | None]:
    """The (unit_id, owed_by) filters of one unit's duties: a responsible unit's are those on its
    entries; a Data Center's are the reviews it owes (of every unit's entries)."""
    if unit.kind == "data_center" and owed_by != "unit":
        return None, DATA_CENTER
    return unit.unit_id, owed_by


def snapshot(session: Session, *, unit_id: str | None = None) -> Snapshot:
    """Every version row and every duty, of one responsible unit's entries or of all."""
    v, e = CatalogVersion.__table__.c, CatalogEntry.__table__.c
    only = [e.unit_id == unit_id.lower()] if unit_id else []
    conn = session.connection()
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
    return Snapshot(versions, list(_derive(versions, collections, _resubmit_due_times(session, only))))


def _resubmit_due_times(session: Session, only: list) -> dict[tuple[str, int], int]:
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
    for row in session.connection().execute(query):
        event = decode_log(
            {
                "topics": ["0x" + row.topics[i : i + 32].hex() for i in range(0, len(row.topics), 32)],
                "data": "0x" + row.data.hex(),
                "address": row.address,
                "blockNumber": hex(row.block_number),
                "blockHash": row.block_hash,
                "transactionHash": row.tx_hash,
                "logIndex": hex(row.log_index),
            }
        )
        if event.args["reasonCode"] != 0:
            out[("0x" + event.args["entryId"].hex(), event.args["version"])] = event.args["nextDueAt"]
    return out


def _derive(versions: list[Row], collections: dict, resubmit_due: dict) -> Iterable[Duty]:
    by_number = {(r.entry_id, r.version): r for r in versions}
    deleted = {r.entry_id: r for r in versions if r.kind == "deletion" and r.status == "approved"}
    for r in versions:
        review = "art14_review" if r.kind in ("change", "deletion") else "art13_review"
        yield Duty(
            r.entry_id,
            r.unit_id,
            review,
            r.version,
            r.submitted_at,
            r.submitted_tx,
            r.due_at,
            r.reviewed_at,
            r.reviewed_tx,
        )
        if r.version == 1:
            yield Duty(
                r.entry_id,
                r.unit_id,
                "art11_compile",
                1,
                r.declared_at,
                r.submitted_tx,
                r.compile_due_at,
                r.submitted_at,
                r.submitted_tx,
            )
        if r.kind not in ("initial", "resubmission"):
            continue
        if r.status == "returned":
            due = resubmit_due.get((r.entry_id, r.version))
            if due is None and r.version == r.latest_version:
                due = r.resubmit_due_at
            after = by_number.get((r.entry_id, r.version + 1))
            yield Duty(
                r.entry_id,
                r.unit_id,
                "art13_resubmit",
                r.version,
                r.reviewed_at,
                r.reviewed_tx,
                due or 0,
                after.submitted_at if after else None,
                after.submitted_tx if after else None,
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
            yield Duty(
                r.entry_id, r.unit_id, "art15_collect", None, r.reviewed_at, r.reviewed_tx, r.collection_due_at, **done
            )


def page(
    session: Session,
    *,
    now: int,
    unit_id: str | None,
    owed_by: str | None,
    state: str | None,
    rule: str | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Duty, str]], int, bool]:
    """A page of (duty, state) oldest due first, the number of matching duties, and whether more follow.

    `unit_id` is the responsible unit (the entry's unit, the Data Center's reviews of its entries
    included); `owed_by` is "unit" or "data_center".
    """
    paging.check_offset(offset)
    matching = []
    for duty in snapshot(session, unit_id=unit_id).duties:
        if rule is not None and duty.rule != rule:
            continue
        if owed_by is not None and (duty.owed_by == DATA_CENTER) != (owed_by == DATA_CENTER):
            continue
        duty_state = duty.state(now)
        if state is None or duty_state == state:
            matching.append((duty, duty_state))
    matching.sort(key=lambda pair: pair[0].sort_key())
    return paging.window(matching, limit=limit, offset=offset)
