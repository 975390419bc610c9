"""The mirror store: where decoded chain events become queryable rows.

`MirrorStore` states the invariants; `SqlMirrorStore` keeps them with SQLAlchemy on SQLite or
PostgreSQL.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from typing import ContextManager, Iterable, Iterator, Protocol

from sqlalchemy import Connection, Engine, bindparam, delete, insert, inspect, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from chain.errors import CursorMovedBackError
from chain.events import EventRecord, decode_log
from mirror import outbox_lifecycle, search
from mirror.apply import HANDLERS, ApplyContext, Prepared, subject_of
from mirror.models import (
    Base,
    CatalogCollection,
    CatalogEntry,
    CatalogVersion,
    ChainEvent,
    MirrorBase,
    MirrorSchema,
    OfficerKey,
    OutboxAction,
    RejectedAction,
    SeenBlock,
    SyncCursor,
    Unit,
)
from mirror.quality_models import QualityStep
from mirror.responsibility_models import ResponsibilityStep
from mirror.rows import insert_rows
from mirror.sharing_models import (
    SharingDemand,
    SharingGrant,
    SharingGrantResource,
    SharingItem,
    SharingScenario,
    SharingStepRecord,
)
from mirror.supervision_models import SupervisionStep


class MirrorStore(Protocol):
    """What the indexer needs from a store.

    Invariants:
    - `apply` is atomic: the events, the rows they derive and the cursor commit together or not at all.
    - Applying an event twice changes nothing (events are keyed by their chain position).
    - The cursor only moves forward in `apply`; only `rollback_to` moves it back.
    """

    def cursor(self) -> tuple[int, str] | None:
        """(block number, block hash) of the last applied block, None before the first."""

    def apply(
        self,
        events: list[EventRecord],
        *,
        to_block: int,
        to_block_hash: str,
        block_times: dict[int, int],
        prepared: object | None = None,
    ) -> None:
        """Apply `events` (in chain order, all in blocks ≤ `to_block`) and move the cursor to `to_block`.

        `prepared`, if given, is what `prepare` returned for the same events and block times."""

    def prepare(self, events: list[EventRecord], block_times: dict[int, int]) -> object:
        """Work out ahead, outside any transaction, what `apply` will need from `events` alone
        (the indexer calls it in its prefetch thread). It neither reads nor writes the mirror."""

    def seen_blocks(self) -> Iterable[tuple[int, str]]:
        """Applied blocks with their hashes, newest first: candidates for the fork point."""

    def rollback_to(self, block_number: int, block_hash: str | None) -> int:
        """Undo every event after `block_number`; returns how many were undone."""

    def reset(self) -> None:
        """Drop and recreate every derived table (the outbox stays)."""

    def bulk_load(self) -> ContextManager[None]:
        """A context for applying a whole rebuild at once (the store may defer index upkeep)."""


def _schema_fingerprint() -> str:
    """A hash of the derived tables' shape (and of the search index's), to notice a mirror
    written by another version of the code."""
    digest = hashlib.sha256(search.SCHEMA.encode())
    for table in MirrorBase.metadata.sorted_tables:
        digest.update(table.name.encode())
        for column in table.columns:
            digest.update(f"{column.name}:{column.type}:{column.nullable}".encode())
    return digest.hexdigest()[:16]


SCHEMA_FINGERPRINT = _schema_fingerprint()


def _migrate_outbox(engine: Engine) -> None:
    """The outbox is not derived, so it is migrated rather than rebuilt: a column added since
    the table was created is added to it (an outbox from before sharing actions has no
    `contract`, its rows are catalog actions; one from before rejections kept their revert data
    has no `reason`)."""
    table = OutboxAction.__table__
    columns = {c["name"] for c in inspect(engine).get_columns(table.name)}
    for column in table.columns:
        if column.name in columns:
            continue
        ddl = f"{column.name} {column.type.compile(engine.dialect)}"
        if column.server_default is not None:
            ddl += f" NOT NULL DEFAULT '{column.server_default.arg}'"
        elif not column.nullable:
            raise RuntimeError(f"outbox.{column.name}: a new column needs a server default or to be nullable")
        with engine.begin() as conn:
            conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {ddl}"))


_CURSOR = select(SyncCursor.block_number, SyncCursor.block_hash).where(SyncCursor.id == 1)
# The cursor row, locked until the transaction ends: two indexers sharing a PostgreSQL mirror take
# turns, the second reading what the first committed (on SQLite, where one writer holds the
# database, FOR UPDATE is not rendered).
_CURSOR_LOCKED = _CURSOR.with_for_update()
_MOVE_CURSOR = (
    update(SyncCursor)
    .where(SyncCursor.id == 1)
    .values(block_number=bindparam("block_number"), block_hash=bindparam("block_hash"))
)
_DELETE_SEEN = delete(SeenBlock).where(SeenBlock.block_number == bindparam("n"))
_APPLIED = select(ChainEvent.position).where(ChainEvent.position.between(bindparam("low"), bindparam("high")))


def read_snapshot(session: Session) -> None:
    """Make `session`'s reads, from here to its end, see one state of the database (the first
    read's), whatever commits meanwhile: what a computation that names the block it read
    (an evaluation) needs. Call it before the session's first statement.

    SQLite: the driver runs each SELECT outside a transaction unless one is open, so one is
    opened (in WAL, a read transaction holds its snapshot and blocks no writer). PostgreSQL:
    REPEATABLE READ, whose snapshot is taken at the first statement."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("BEGIN")
    else:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


class SqlMirrorStore:
    """The mirror in a SQL database through SQLAlchemy."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        Base.metadata.create_all(engine)
        _migrate_outbox(engine)
        if self._stored_schema() != SCHEMA_FINGERPRINT:
            # The mirror is derived: a mirror written by another version of this code is rebuilt
            # from the chain rather than migrated (the outbox, which is not derived, stays).
            self.reset()
            return
        MirrorBase.metadata.create_all(engine)
        search.create(engine)

    def _stored_schema(self) -> str | None:
        if not inspect(self.engine).has_table(MirrorSchema.__tablename__):
            return None
        with self.sessions() as session:
            return session.scalar(select(MirrorSchema.fingerprint))

    def reset(self) -> None:
        search.drop(self.engine)
        MirrorBase.metadata.drop_all(self.engine)
        MirrorBase.metadata.create_all(self.engine)
        search.create(self.engine)
        with self.sessions.begin() as session:
            session.add(MirrorSchema(fingerprint=SCHEMA_FINGERPRINT))
            outbox_lifecycle.await_replay(session.connection())

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Apply a whole rebuild without the secondary indexes, then build them once: cheaper than
        updating nine indexes per row. Only the indexes that `apply` itself reads (primary keys,
        unique entry ids) stay; lookups must wait for the rebuild to finish anyway."""
        indexes = [i for t in MirrorBase.metadata.sorted_tables for i in t.indexes if not i.unique]
        for index in indexes:
            index.drop(self.engine, checkfirst=True)
        try:
            yield
        finally:
            for index in indexes:
                index.create(self.engine, checkfirst=True)

    def cursor(self) -> tuple[int, str] | None:
        # Read on every poll of the follower: a plain select, not an ORM session and identity map.
        with self.engine.connect() as conn:
            row = conn.execute(_CURSOR).first()
            return (row[0], row[1]) if row else None

    def seen_blocks(self) -> Iterable[tuple[int, str]]:
        with self.sessions() as session:
            rows = session.execute(
                select(SeenBlock.block_number, SeenBlock.block_hash).order_by(SeenBlock.block_number.desc())
            )
            return [(n, h) for n, h in rows]

    def prepare(self, events: list[EventRecord], block_times: dict[int, int]) -> PreparedEvents:
        return PreparedEvents(events, block_times)

    def apply(
        self,
        events: list[EventRecord],
        *,
        to_block: int,
        to_block_hash: str,
        block_times: dict[int, int],
        prepared: PreparedEvents | None = None,
    ) -> None:
        # Core, not an ORM session: the follower applies a range per block when it keeps up, and a
        # session's identity map and flush cost more than the cursor's two statements.
        with self.engine.begin() as conn:
            current = conn.execute(_CURSOR_LOCKED).first()
            if current is not None and to_block < current[0]:
                raise CursorMovedBackError(f"cursor moves only forward: at {current[0]}, asked {to_block}")
            fresh = self._unapplied(conn, events)
            if prepared is None:  # the three-argument form, as rollback_to calls it too
                self._apply_events(conn, fresh, block_times)
            else:
                self._apply_events(conn, fresh, block_times, prepared)
            seen = dict({(e.block_number, e.block_hash) for e in fresh} | {(to_block, to_block_hash)})
            # Two statements for the whole range: a merge per block cost more than applying its events.
            conn.execute(_DELETE_SEEN, [{"n": n} for n in seen])
            insert_rows(conn, SeenBlock.__table__, [{"block_number": n, "block_hash": h} for n, h in seen.items()])
            cursor = {"block_number": to_block, "block_hash": to_block_hash}
            conn.execute(insert(SyncCursor).values(id=1, **cursor) if current is None else _MOVE_CURSOR, cursor)

    @staticmethod
    def _lock_cursor(session: Session) -> SyncCursor | None:
        """The cursor row, locked until the transaction ends: two indexers sharing a PostgreSQL
        mirror take turns, the second reading what the first committed (on SQLite, a no-op)."""
        return session.get(SyncCursor, 1, with_for_update=True)

    def _unapplied(self, conn: Connection, events: list[EventRecord]) -> list[EventRecord]:
        if not events:
            return []
        positions = [e.position for e in events]
        done = set(conn.scalars(_APPLIED, {"low": min(positions), "high": max(positions)}))
        return [e for e in events if e.position not in done]

    def _apply_events(
        self,
        conn: Connection,
        events: list[EventRecord],
        block_times: dict[int, int],
        prepared: PreparedEvents | None = None,
    ) -> None:
        if prepared is not None and prepared.block_times is not block_times:
            prepared = None  # prepared for other block times: not to be trusted
        ctx = ApplyContext(conn, block_times, prepared.handlers if prepared is not None else None)
        ctx.preload(events)
        for ev in events:
            handler = HANDLERS.get(ev.name)
            if handler is not None:
                handler(ctx, ev)
        ctx.flush()
        outbox_lifecycle.confirm(conn, events)
        journal = prepared.journal if prepared is not None else {}
        rows = []
        for ev in events:
            ready = journal.get(ev.position)
            rows.append(ready[1] if ready is not None and ready[0] is ev else _journal_row(ev, block_times))
        insert_rows(conn, ChainEvent.__table__, rows)

    def rollback_to(self, block_number: int, block_hash: str | None) -> int:
        with self.sessions.begin() as session:
            self._lock_cursor(session)
            undone = session.scalars(select(ChainEvent).where(ChainEvent.block_number > block_number)).all()
            subjects = {e.subject for e in undone}
            for ev in undone:
                # Its action (confirmed or rejected) is no longer on-chain: the relayer sends it again.
                outbox_lifecycle.undo(session.connection(), journal_record(ev))
            session.execute(delete(ChainEvent).where(ChainEvent.block_number > block_number))
            session.execute(delete(SeenBlock).where(SeenBlock.block_number > block_number))
            self._forget_subjects(session, subjects)
            replay = session.scalars(
                select(ChainEvent).where(ChainEvent.subject.in_(subjects)).order_by(ChainEvent.position)
            ).all()
            records = [journal_record(e) for e in replay]
            session.execute(delete(ChainEvent).where(ChainEvent.subject.in_(subjects)))
            session.flush()
            times = {e.block_number: e.block_time for e in replay}
            self._apply_events(session.connection(), records, times)
            if block_hash is None:
                session.execute(delete(SyncCursor))
            else:
                session.merge(SyncCursor(id=1, block_number=block_number, block_hash=block_hash))
            return len(undone)

    @staticmethod
    def _forget_subjects(session: Session, subjects: set[str]) -> None:
        seqs = list(session.scalars(select(CatalogEntry.seq).where(CatalogEntry.entry_id.in_(subjects))))
        search.remove(session.connection(), seqs)
        session.execute(delete(CatalogVersion).where(CatalogVersion.entry_id.in_(subjects)))
        session.execute(delete(CatalogCollection).where(CatalogCollection.entry_id.in_(subjects)))
        session.execute(delete(CatalogEntry).where(CatalogEntry.entry_id.in_(subjects)))
        session.execute(delete(OfficerKey).where(OfficerKey.key_id.in_(subjects)))
        session.execute(delete(Unit).where(Unit.unit_id.in_(subjects)))
        session.execute(delete(RejectedAction).where(RejectedAction.digest.in_(subjects)))
        # Sharing rows are keyed by their demand (= grant), scenario or entry id; steps by their subject.
        session.execute(delete(SharingDemand).where(SharingDemand.demand_id.in_(subjects)))
        session.execute(delete(SharingItem).where(SharingItem.demand_id.in_(subjects)))
        session.execute(delete(SharingGrant).where(SharingGrant.grant_id.in_(subjects)))
        session.execute(delete(SharingGrantResource).where(SharingGrantResource.grant_id.in_(subjects)))
        session.execute(delete(SharingScenario).where(SharingScenario.scenario_id.in_(subjects)))
        session.execute(delete(SharingStepRecord).where(SharingStepRecord.subject.in_(subjects)))
        session.execute(delete(ResponsibilityStep).where(ResponsibilityStep.subject.in_(subjects)))
        session.execute(delete(QualityStep).where(QualityStep.subject.in_(subjects)))
        session.execute(delete(SupervisionStep).where(SupervisionStep.subject.in_(subjects)))


def _journal_row(ev: EventRecord, block_times: dict[int, int]) -> dict:
    """The event's row in the mirror's journal (`chain_events`)."""
    return {
        "position": ev.position,
        "block_number": ev.block_number,
        "log_index": ev.log_index,
        "tx_hash": ev.tx_hash,
        "name": ev.name,
        "subject": subject_of(ev),
        "address": ev.address,
        "block_hash": ev.block_hash,
        "block_time": block_times[ev.block_number],
        "topics": b"".join([bytes.fromhex(t[2:]) for t in ev.topics]),
        "data": bytes.fromhex(ev.data[2:]),
    }


class PreparedEvents:
    """What `SqlMirrorStore.apply` needs from a batch of events alone (see `MirrorStore.prepare`):
    the handlers' share (`mirror.apply.Prepared`) and the journal rows. An event it could not
    prepare is left to `apply`, which fails on it where it would have anyway."""

    def __init__(self, events: list[EventRecord], block_times: dict[int, int]) -> None:
        self.block_times = block_times
        self.handlers = Prepared(events)
        self.journal: dict[int, tuple[EventRecord, dict]] = {}  # position -> (event, row)
        for ev in events:
            try:
                self.journal[ev.position] = (ev, _journal_row(ev, block_times))
            except Exception:  # noqa: BLE001 - left to apply
                continue


def journal_record(row: ChainEvent) -> EventRecord:
    """A journal row (`chain_events`, or any row with its columns) decoded as the indexer decoded
    the log it came from; raises `UndecodableLogError` as `decode_log` does."""
    return decode_log(
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
