"""SQLite's one writer, queued in the process instead of by SQLite's busy handler.

SQLite lets one connection write at a time. A connection that wants to write while another holds
the lock is refused, and the driver's busy handler retries after sleeping 1, 2, 5, 10, 15, 20,
25... ms (sqlite3_busy_timeout). Under a steady load of short writers (the intake's outbox
commits, the relayer's, the follower's) a writer that found the lock taken for 1 ms slept 8 ms
or 18 ms, and one action a request spent most of its time to the 202 asleep there (measured with
a wall-clock profile of bench (a)'s one-action run).

So the writers of one process wait on a lock of their own, per database file, taken at a
connection's first writing statement and released when its transaction ends: the next writer
starts the moment the previous commits. Writers of other processes (a CLI command) still meet
SQLite's own lock and its busy handler; nothing here is needed for correctness.

A connection that cannot have the lock within the engine's busy timeout gets SQLite's own error
("database is locked"), as it would have from SQLite.
"""

from __future__ import annotations

import sqlite3
import threading

from sqlalchemy import event
from sqlalchemy.engine import Engine

# Statements that take SQLite's write lock (the driver opens a transaction before the first DML).
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")

_locks: dict[str, threading.Lock] = {}  # database file -> its writers' lock, shared by every engine on it
_locks_guard = threading.Lock()


def _lock_for(database: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(database, threading.Lock())


def queue_writers(engine: Engine, timeout: float) -> None:
    """Make the writers of `engine` (SQLite, a file) wait for each other in the process."""
    database = engine.url.database
    if not database or database == ":memory:":
        return  # one connection's own database: nobody to wait for
    lock = _lock_for(str(database))
    holders: set[int] = set()  # id() of the DBAPI connections holding `lock`

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip()[:7].upper().startswith(_WRITES):
            raw = cursor.connection
            if id(raw) not in holders:
                if not lock.acquire(timeout=timeout):
                    raise sqlite3.OperationalError("database is locked")
                holders.add(id(raw))

    def _release(connection) -> None:
        # The dialect is given the pool's proxy of the connection; the events, the driver's own.
        raw = getattr(connection, "dbapi_connection", connection)
        if id(raw) in holders:
            holders.discard(id(raw))
            lock.release()

    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    # After the driver's commit or rollback (the pool's reset on return is a rollback too): the
    # lock is SQLite's until then.
    def do_commit(raw) -> None:
        try:
            commit(raw)
        finally:
            _release(raw)

    def do_rollback(raw) -> None:
        try:
            rollback(raw)
        finally:
            _release(raw)

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]

    # A connection closed or dropped mid-transaction has released SQLite's lock too.
    @event.listens_for(engine.pool, "close")
    def _pool_closed(raw, _record):
        _release(raw)

    @event.listens_for(engine.pool, "invalidate")
    def _invalidated(raw, _record, _exc):
        _release(raw)
