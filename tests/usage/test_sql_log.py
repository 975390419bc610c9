"""The usage log's record store on SQLite and PostgreSQL: records numbered 0..n-1 without gaps,
even from concurrent writers; a request id once; a failed batch stores nothing and leaves no gap."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest

from api.runtime import make_engine
from usage.sql_log import NewRecord, UsageRecordStore


@pytest.fixture(params=["sqlite", "postgresql"])
def records(request, tmp_path) -> Iterator[UsageRecordStore]:
    url = f"sqlite:///{tmp_path / 'log.db'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")()
    engine = make_engine(url)
    yield UsageRecordStore(engine)
    engine.dispose()


def new(request_id: str, leaf: bytes | None = None) -> NewRecord:
    return NewRecord(
        request_id=request_id,
        grant_id="0x" + "1d" * 32,
        entry_id="0x" + "e1" * 32,
        owner_unit_id=None,
        unit_id="0x" + "5a" * 32,
        scenario="PT-SC-1",
        method="interface",
        used_at=1772413200,
        outcome="accepted",
        reason="granted",
        leaf=leaf if leaf is not None else b'{"request_id":"%s"}' % request_id.encode(),
    )


def test_numbered_without_gaps_and_a_request_id_once(records: UsageRecordStore):
    first = records.append([new("a"), new("b"), new("a")])
    assert [(s.seq, s.duplicate) for s in first] == [(0, False), (1, False), (0, True)]
    second = records.append([new("b"), new("c")])
    assert [(s.seq, s.duplicate) for s in second] == [(1, True), (2, False)]
    assert records.size() == 3 and records.leaves(0, 3) == [
        b'{"request_id":"a"}',
        b'{"request_id":"b"}',
        b'{"request_id":"c"}',
    ]


def test_a_failed_batch_stores_nothing_and_leaves_no_gap(records: UsageRecordStore):
    records.append([new("a")])
    with pytest.raises(Exception):  # noqa: B017 - the driver's own NOT NULL error, whichever backend
        records.append([new("b"), replace(new("c"), leaf=None)])
    assert records.size() == 1
    assert [s.seq for s in records.append([new("b")])] == [1]


def test_concurrent_writers_number_without_gaps(records: UsageRecordStore):
    def write(t: int) -> None:
        for b in range(5):
            records.append([new(f"{t}-{b}-{k}") for k in range(20)] + [new(f"shared-{b}-{k}") for k in range(5)])

    threads = [threading.Thread(target=write, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = 4 * 5 * 20 + 5 * 5
    assert records.size() == total
    with records.engine.connect() as conn:
        seqs = [r[0] for r in conn.exec_driver_sql("SELECT seq FROM usage_records ORDER BY seq")]
        ids = conn.exec_driver_sql("SELECT count(DISTINCT request_id) FROM usage_records").scalar()
    assert seqs == list(range(total)) and ids == total
