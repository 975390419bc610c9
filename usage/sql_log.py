"""The usage log's records and checkpoints in SQL (SQLite or PostgreSQL), beside the tree's nodes.

Records are primary data, not derived from the chain: `ledger reindex` never drops them. Each
record's `seq` is its leaf index: records are numbered 0, 1, 2, … without gaps, in the one
transaction that stores them, under the lock of the single `usage_log_state` row (an UPDATE takes
it first, on SQLite the database's write lock, on PostgreSQL the row's), so two intakes at once
are serialised and a rolled-back batch leaves no hole. A request id is stored once: a record whose
request id is already logged is answered with the stored one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from usage.errors import NodeRunOutOfPlace
from usage.merkle import MerkleTree
from usage.sql_nodes import metadata

# Rows of one intake go to the driver's executemany; ids are asked for in slices of this many.
_IN_SLICE = 500

usage_records = Table(
    "usage_records",
    metadata,
    Column("seq", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False),
    Column("request_id", String(128), nullable=False, unique=True),
    Column("grant_id", String(66), nullable=False),
    Column("entry_id", String(66), nullable=False),
    Column("owner_unit_id", String(66), nullable=True),  # the entry's unit, from the mirror at intake
    Column("unit_id", String(66), nullable=False),  # the calling unit
    Column("scenario", Text, nullable=False),
    Column("method", String(24), nullable=False),
    Column("used_at", BigInteger, nullable=False),
    Column("outcome", String(16), nullable=False),  # accepted | refused
    Column("reason", String(32), nullable=False),  # the check's reason: granted, or why not
    Column("leaf", LargeBinary, nullable=False),  # the canonical JSON the tree hashes
    Index("ix_usage_records_owner", "owner_unit_id", "used_at"),
    Index("ix_usage_records_unit", "unit_id", "used_at"),
)

usage_log_state = Table(
    "usage_log_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),  # records stored: the next record's seq
)


@dataclass(frozen=True)
class NewRecord:
    """A checked record, ready to store."""

    request_id: str
    grant_id: str
    entry_id: str
    owner_unit_id: str | None
    unit_id: str
    scenario: str
    method: str
    used_at: int
    outcome: str
    reason: str
    leaf: bytes


@dataclass(frozen=True)
class Stored:
    """A record's place in the log, and whether it was already there (same request id)."""

    seq: int
    request_id: str
    outcome: str
    reason: str
    duplicate: bool


class UsageRecordStore:
    """The records of the usage log in ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self._mark = mark
        # Held around each write of the log in this process: `append` (records, and the tree's
        # nodes over them) and the anchorer's catch-up of a lagging tree (Anchorer.grow). It keeps
        # the in-memory tree's prepare / store / adopt of one batch from meeting another's, and it
        # makes one writer wait for another here, woken as the lock is released, rather than in
        # SQLite's busy handler, which sleeps 1, 2, 5, 10 ms … between tries (#11). Another
        # process still meets the database's own lock.
        self.write_lock = threading.Lock()
        columns = [c.name for c in usage_records.columns]
        self._insert = f"INSERT INTO usage_records ({', '.join(columns)}) VALUES ({', '.join(mark for _ in columns)})"
        with engine.begin() as conn:
            if conn.exec_driver_sql("SELECT count(*) FROM usage_log_state").scalar() == 0:
                conn.exec_driver_sql("INSERT INTO usage_log_state (id, size) VALUES (1, 0)")

    def size(self) -> int:
        """The number of records stored."""
        with self.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT size FROM usage_log_state WHERE id = 1").scalar()

    def append(self, records: list[NewRecord], tree: MerkleTree | None = None) -> list[Stored]:
        """Store `records` in order, each new request id once, and commit before returning: what
        this returns is durable. One answer per record, a repeated request id with the stored one.

        With `tree` (the anchorer's, over `SqlNodeStore` in this database), the new records' leaves
        are appended to it in the same transaction, when it holds every earlier record: no second
        writer, and no reading the leaves back (#11). A tree that lags (opened over older records)
        is left to catch up on its own (`Anchorer.grow`)."""
        with self.write_lock:
            return self._append(records, tree)

    def _append(self, records: list[NewRecord], tree: MerkleTree | None) -> list[Stored]:
        mark = self._mark
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            # The lock first: the numbering and the request-id check below see every earlier intake.
            cursor.execute("UPDATE usage_log_state SET size = size WHERE id = 1")
            cursor.execute("SELECT size FROM usage_log_state WHERE id = 1")
            size = cursor.fetchone()[0]
            ids = list(dict.fromkeys(r.request_id for r in records))
            known: dict[str, tuple[int, str, str]] = {}
            for i in range(0, len(ids), _IN_SLICE):
                part = ids[i : i + _IN_SLICE]
                cursor.execute(
                    "SELECT request_id, seq, outcome, reason FROM usage_records"
                    f" WHERE request_id IN ({', '.join(mark for _ in part)})",
                    part,
                )
                known.update((row[0], (row[1], row[2], row[3])) for row in cursor.fetchall())
            rows, answers = [], []
            for r in records:
                if r.request_id in known:
                    seq, outcome, reason = known[r.request_id]
                    answers.append(Stored(seq, r.request_id, outcome, reason, True))
                    continue
                seq = size + len(rows)
                known[r.request_id] = (seq, r.outcome, r.reason)
                rows.append(
                    (
                        seq,
                        r.request_id,
                        r.grant_id,
                        r.entry_id,
                        r.owner_unit_id,
                        r.unit_id,
                        r.scenario,
                        r.method,
                        r.used_at,
                        r.outcome,
                        r.reason,
                        r.leaf,
                    )
                )
                answers.append(Stored(seq, r.request_id, r.outcome, r.reason, False))
            growth = None
            if rows:
                cursor.executemany(self._insert, rows)
                cursor.execute(f"UPDATE usage_log_state SET size = {mark} WHERE id = 1", (size + len(rows),))
                if tree is not None and tree.size == size:
                    growth = tree.prepare([tree.hasher.leaf(row[-1]) for row in rows])
                    try:
                        tree.store.append_on(cursor, growth.runs)
                    except NodeRunOutOfPlace:  # another writer's nodes (a second process): the records still go in
                        growth = None
            connection.commit()
            cursor.close()
            if growth is not None:
                tree.adopt(growth)  # committed: the tree may take it (under write_lock, so nothing came between)
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.close()
        return answers

    def leaves(self, start: int, stop: int) -> list[bytes]:
        """The leaves of records start .. stop - 1, in order."""
        mark = self._mark
        with self.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                f"SELECT leaf FROM usage_records WHERE seq >= {mark} AND seq < {mark} ORDER BY seq", (start, stop)
            ).all()
        return [bytes(r[0]) for r in rows]


# Checkpoints as the chain has them: rebuilt from UsageLog's events (chain/usage_log.py), never
# written from anything else; `cosignatures` is the latest count the events gave.
usage_checkpoints = Table(
    "usage_checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", String(66), nullable=False),
    Column("signer", String(42), nullable=False),
    Column("tx_hash", String(66), nullable=False),
    Column("block_number", BigInteger, nullable=False),
    Column("block_hash", String(66), nullable=False),
    Column("log_index", Integer, nullable=False),
    Column("cosignatures", Integer, nullable=False),
)
usage_chain_cursor = Table(
    "usage_chain_cursor",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("block_number", BigInteger, nullable=False),  # UsageLog's events read up to here
)
