"""Duties and whether they were met (Art. 11, 13, 14, 15, 19, 20, 22, 26), derived from the mirror.

A duty is a step the regulation requires by a deadline that the chain recorded when the step
that started it was taken (docs/WORKDAYS.md: the end of the N-th working day, Asia/Shanghai).
Each has a subject (`entry`, `demand_item`, `demand`, `grant`) and is owed by a unit or the
Data Center:

| rule                     | subject     | owed by     | started by                               | due (recorded on-chain)                  | done by                                   |
|--------------------------|-------------|-------------|------------------------------------------|------------------------------------------|-------------------------------------------|
| `art11_compile`          | entry       | the unit    | the declared approval/acceptance         | first version's `compileDueAt`           | that first submission                     |
| `art13_review`           | entry       | Data Center | an initial version or resubmission       | the version's `dueAt`                    | its review                                |
| `art14_review`           | entry       | Data Center | a change or deletion request             | the version's `dueAt`                    | its review                                |
| `art13_resubmit`         | entry       | the unit    | a return of an initial/resubmission      | the review's `nextDueAt`                 | the next version (resubmission)           |
| `art15_collect`          | entry       | the unit    | the first approval                       | the review's `nextDueAt`                 | the Data Center's collection record       |
| `art19_confirm`          | demand      | Data Center | a scenario-route Apply                   | `DemandConformityOpened.dueAt`           | ConfirmConformity (confirmed or returned) |
| `art20_review`           | demand_item | its unit    | the Apply forwarding it                  | `DemandItemOpened.dueAt`                 | the owner's Decide; FinaliseItem: missed  |
| `art22_catalogue`        | demand_item | its unit    | the Apply, the data not ready            | `DemandItemOpened.dueAt` (15 days)       | the owner's Decide (never deemed)         |
| `art22_plan_review`      | demand      | Data Center | an Apply with a fusion plan / method     | `DemandPlanOpened.dueAt`                 | ReviewPlan (approved or returned)         |
| `art22_serve`            | demand      | Data Center | the plan's approval                      | `DemandPlanReviewed.serveDueAt`          | RecordServed on its grant                 |
| `art26_reason_review`    | grant       | Data Center | a FileIdleReason                         | `IdleReasonFiled.reviewDueAt`            | ReviewIdleReason                          |
| `art26_objection_answer` | grant       | Data Center | an Object                                | `ObjectionFiled.answerDueAt`             | Reinstate or DismissObjection             |
| `art16_update`           | entry       | the unit    | the period's start (declared frequency)  | the period's end                         | an UpdateRecorded in the period           |
| `art16_objection`        | objection   | the unit    | an ObjectionRaised                       | `ObjectionRaised.dueAt`                  | ObjectionHandled                          |

States, judged at `now` (the chain's latest block time, never the host's clock):
`due` (open, now <= due_at), `overdue` (open, now > due_at: one second after the due time),
`done_on_time` (done_at <= due_at, or an Art. 20 decision the contract took as signed in time),
`done_late`, `missed` (closed without the one who owed it acting: an item approved by silence),
`unknown` (Art. 11 when the declared date lies in a year the calendar does not hold: the contract
records 0 rather than guess) and `cancelled` (the subject closed otherwise: an entry deleted
before its data was collected, a demand returned or rejected, a grant terminated).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from api import paging
from api.errors import ApiError
from api.services.duties._catalog import catalog_duties, catalog_rows
from api.services.duties._model import DATA_CENTER, RULES, STATES, SUBJECT_TYPES, Duty, Rule
from api.services.duties._quality import quality_duties
from api.services.duties._sharing import sharing_duties
from chain.rpc import RpcClient
from mirror.models import SyncCursor, Unit
from mirror.store import read_snapshot

__all__ = [
    "DATA_CENTER",
    "RULES",
    "STATES",
    "SUBJECT_TYPES",
    "Duty",
    "Rule",
    "Snapshot",
    "chain_now",
    "mirror_now",
    "page",
    "snapshot",
    "unit_or_404",
    "unit_scope",
]


@dataclass(frozen=True)
class Snapshot:
    versions: list[Row]  # the catalog's version rows (api.services.duties._catalog.VERSION_COLUMNS)
    duties: list[Duty]


def mirror_now(session: Session, runtime, *, catch_up_s: float = 5.0) -> tuple[int, int]:
    """(block number, timestamp) of the last block the mirror applied, once it holds what the
    follower should hold now (the head, or `settle_blocks` behind it; the follower is woken and
    waited for up to `catch_up_s`, past which the block it holds is taken), and `session` made to
    read the mirror as of that block: one snapshot for all its reads
    (`mirror.store.read_snapshot`), the cursor read in it.

    What an evaluation is judged at: its results name that block, and anyone computes them again
    from the chain up to it (`ledger audit evaluation`). Judged at the head while reading a mirror
    a block behind, or one that moved on during the reads, they could not be. The head, before the
    mirror holds any block."""
    target = runtime.indexer.head()
    deadline = time.monotonic() + catch_up_s
    while (cursor := runtime.store.cursor()) is not None and cursor[0] < target and time.monotonic() < deadline:
        if not runtime.wake_follower():
            break  # nobody to wait for: judged at what the mirror holds
        time.sleep(0.02)
    read_snapshot(session)
    row = session.execute(select(SyncCursor.block_number, SyncCursor.block_hash)).first()
    block = runtime.rpc.call("eth_getBlockByHash", [row[1], False]) if row is not None else None
    if block is None:  # nothing mirrored yet (or that block was just replaced: the follower rolls back)
        return chain_now(runtime.rpc)
    return row[0], int(block["timestamp"], 16)


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
    entries, its demand items and its demands and grants; a Data Center's are those it owes (of
    every unit); the Office's are every unit's (Art. 11: it is reported every overdue duty)."""
    if unit.kind == "office":
        return None, owed_by
    if unit.kind == "data_center" and owed_by != "unit":
        return None, DATA_CENTER
    return unit.unit_id, owed_by


def snapshot(session: Session, *, unit_id: str | None = None, now: int | None = None) -> Snapshot:
    """Every catalog version row and every duty, of one unit (see unit_scope) or of all. Update
    periods (Art. 16) are counted up to `now`: without it, none."""
    only = unit_id.lower() if unit_id else None
    conn = session.connection()
    versions, collections, resubmit_due = catalog_rows(conn, only)
    duties = [
        *catalog_duties(versions, collections, resubmit_due),
        *sharing_duties(conn, only),
        *quality_duties(session, only, now),
    ]
    return Snapshot(versions, duties)


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

    `unit_id` is the unit a duty concerns (an entry's or demand item's responsible unit, a demand's
    or grant's demand unit; the Data Center's duties on them included); `owed_by` is "unit" or
    "data_center".
    """
    paging.check_offset(offset)
    matching = []
    for duty in snapshot(session, unit_id=unit_id, now=now).duties:
        if rule is not None and duty.rule != rule:
            continue
        if owed_by is not None and (duty.owed_by == DATA_CENTER) != (owed_by == DATA_CENTER):
            continue
        duty_state = duty.state(now)
        if state is None or duty_state == state:
            matching.append((duty, duty_state))
    matching.sort(key=lambda pair: pair[0].sort_key())
    return paging.window(matching, limit=limit, offset=offset)
