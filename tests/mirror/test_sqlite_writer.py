"""The writers of one process queue on their own lock for a SQLite file (mirror/sqlite_writer)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from api.runtime import make_engine
from mirror import sqlite_writer


@pytest.fixture
def database(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    yield url, engine
    engine.dispose()


def _lock(url: str) -> threading.Lock:
    return sqlite_writer._lock_for(url.removeprefix("sqlite:///"))


def test_writers_of_two_engines_on_one_file_take_turns_and_none_is_refused(database):
    url, engine = database
    other = make_engine(url)  # a second engine on the same file shares the lock
    errors: list[BaseException] = []

    def write(e, base: int) -> None:
        try:
            for k in range(50):
                with e.begin() as conn:
                    conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": base + k})
                    time.sleep(0.001)  # holding the lock with the interpreter's lock released
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(e, 100 * i)) for i, e in enumerate([engine, other] * 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM t")) == 300
    assert not _lock(url).locked()
    other.dispose()


def test_the_lock_is_held_from_the_first_write_to_the_end_of_the_transaction(database):
    url, engine = database
    lock = _lock(url)
    with engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM t"))
        assert not lock.locked()  # reads take nothing
        conn.rollback()
        with conn.begin():
            conn.execute(text("INSERT INTO t VALUES (1)"))
            assert lock.locked()
            conn.execute(text("INSERT INTO t VALUES (2)"))  # the same connection does not wait for itself
        assert not lock.locked()  # committed
        with pytest.raises(RuntimeError):
            with conn.begin():
                conn.execute(text("UPDATE t SET x = 3"))
                raise RuntimeError("abandoned")
        assert not lock.locked()  # rolled back
    with engine.connect() as conn:
        assert sorted(conn.scalars(text("SELECT x FROM t"))) == [1, 2]


def test_a_reader_is_not_kept_waiting_by_a_writer(database):
    url, engine = database
    with engine.connect() as writer, writer.begin():
        writer.execute(text("INSERT INTO t VALUES (1)"))
        began = time.perf_counter()
        with engine.connect() as reader:
            assert reader.scalar(text("SELECT count(*) FROM t")) == 0  # WAL: the committed state
        assert time.perf_counter() - began < 1


def test_a_writer_kept_past_the_timeout_gets_sqlites_own_error_and_writes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'slow.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    patient = make_engine(url)
    # An engine whose writers wait 0.2 s for the lock, as SQLite's busy timeout would.
    from sqlalchemy import create_engine

    hasty = create_engine(url, connect_args={"check_same_thread": False, "timeout": 0.2})
    sqlite_writer.queue_writers(hasty, timeout=0.2)
    with patient.connect() as holder, holder.begin():
        holder.execute(text("INSERT INTO t VALUES (1)"))
        began = time.perf_counter()
        with pytest.raises(OperationalError, match="database is locked"):
            with hasty.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (2)"))
        assert 0.15 < time.perf_counter() - began < 5
    with engine.connect() as conn:
        assert list(conn.scalars(text("SELECT x FROM t"))) == [1]
    assert not _lock(url).locked()
    for e in (engine, patient, hasty):
        e.dispose()


def test_a_connection_closed_mid_transaction_lets_the_next_writer_in(database):
    url, engine = database
    conn = engine.connect()
    conn.begin()
    conn.execute(text("INSERT INTO t VALUES (1)"))
    assert _lock(url).locked()
    conn.invalidate()  # dropped, as on a lost connection: SQLite released its lock with it
    assert not _lock(url).locked()
    with engine.begin() as other:
        other.execute(text("INSERT INTO t VALUES (2)"))
    with engine.connect() as check:
        assert list(check.scalars(text("SELECT x FROM t"))) == [2]
