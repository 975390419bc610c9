"""The usage log's intake (Art. 30, #11 part 1): each use the share service reports is checked
against its grant by the gateway's own rule (Art. 25, `sharing_queries.check_many`) at the time
it happened, and stored as a leaf of the log, accepted or refused, before it is acknowledged."""

from __future__ import annotations

from api.errors import ApiError
from api.services import sharing_queries
from usage.records import UsageRecordIn, leaf_bytes, leaf_document
from usage.sql_log import NewRecord, Stored, UsageRecordStore

# How far past the chain's clock a use may be dated: the share service's clock against the
# chain's latest block (a local node's clock stands still between blocks).
FUTURE_SKEW_S = 300


def owners(engine, entry_ids: set[str]) -> dict[str, str]:
    """The unit of each entry the mirror knows, by entry id."""
    if not entry_ids:
        return {}
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    ids = sorted(entry_ids)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            f"SELECT entry_id, unit_id FROM catalog_entries WHERE entry_id IN ({', '.join(mark for _ in ids)})",
            tuple(ids),
        ).all()
    return dict(rows)


def intake(*, engine, store: UsageRecordStore, records: list[UsageRecordIn], now: int) -> list[Stored]:
    """Check and store `records`; what it returns is durable. A record dated after `now` (the
    chain's clock) by more than FUTURE_SKEW_S is refused with nothing stored."""
    for i, r in enumerate(records):
        if r.used_at > now + FUTURE_SKEW_S:
            raise ApiError(
                422,
                "used_at_in_future",
                f"records.{i}.used_at: {r.used_at} is after the chain's time {now}: report a use once it happened",
                f"records.{i}.used_at",
            )
    answers = sharing_queries.check_many(
        engine,
        [
            {
                "unit_id": r.unit_id,
                "entry_id": r.entry_id,
                "grant_id": r.grant_id,
                "version": r.version,
                "items": r.items,
                "scenario": r.scenario,
                "method": r.method,
                "form": r.form,
                "now": r.used_at,
            }
            for r in records
        ],
    )
    owner_of = owners(engine, {r.entry_id for r in records})
    rows = []
    for r, answer in zip(records, answers):
        outcome = "accepted" if answer.allowed else "refused"
        leaf = leaf_bytes(leaf_document(r, outcome=outcome, reason=answer.reason))
        rows.append(
            NewRecord(
                request_id=r.request_id,
                grant_id=r.grant_id,
                entry_id=r.entry_id,
                owner_unit_id=owner_of.get(r.entry_id),
                unit_id=r.unit_id,
                scenario=r.scenario,
                method=r.method,
                used_at=r.used_at,
                outcome=outcome,
                reason=answer.reason,
                leaf=leaf,
            )
        )
    return store.append(rows)
