"""A usage record acknowledged is durable (#11 part 1): the API runs as `ledger serve` in a process
of its own, is killed with SIGKILL right after a 2xx, and every acknowledged record is in its
database; started again, it goes on numbering after them and knows their request ids."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from api.runtime import make_engine
from api.settings import Settings
from chain.deploy import deployment_path
from chain.node import free_port
from tests.api import test_sharing_api
from tests.api.test_sharing_api import Api
from tests.api.test_usage_intake import PLATFORM, record
from usage.hasher import SM3
from usage.merkle import MerkleTree
from usage.sql_nodes import SqlNodeStore

LEDGER = Path(sys.executable).parent / "ledger"

api = test_sharing_api.api  # the fixture: a desk, a real node, the API over a SQLite file


def serve(api: Api, data_dir: Path, port: int) -> subprocess.Popen:
    api.runtime.deployment.save(deployment_path(data_dir, api.desk.chain_id))
    env = {
        **os.environ,
        "LEDGER_ENV": "test",
        "LEDGER_DATA_DIR": str(data_dir),
        "LEDGER_RPC_URL": api.desk.system.node.url,
        "LEDGER_PORT": str(port),
        "LEDGER_TIMEKEEPER_INTERVAL_S": "0",
        "LEDGER_HEARTBEAT_S": "0",
    }
    log = open(data_dir / "serve.log", "a+b")
    process = subprocess.Popen([str(LEDGER), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, (data_dir / "serve.log").read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("ledger serve did not come up")


def test_kill_9_right_after_the_acknowledgement_loses_nothing(api: Api, tmp_path: Path):
    grant_id = api.apply(api.application(scenario_class=1))
    data_dir, port = tmp_path / "served", free_port()
    data_dir.mkdir()
    process = serve(api, data_dir, port)
    acknowledged: dict[str, int] = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for batch in range(5):
                records = [record(api, grant_id, batch * 100 + k) for k in range(100)]
                answer = client.post("/v1/usage", json={"records": records}, headers=PLATFORM)
                assert answer.status_code == 200, answer.text
                assert {r["outcome"] for r in answer.json()["records"]} == {"accepted"}
                acknowledged.update((r["request_id"], r["id"]) for r in answer.json()["records"])
        process.send_signal(signal.SIGKILL)  # at once after the last 2xx: no shutdown, no flush
    finally:
        process.kill()
        process.wait(timeout=10)
    db = sqlite3.connect(data_dir / "mirror.db")
    stored = dict(db.execute("SELECT request_id, seq FROM usage_records").fetchall())
    leaves = [bytes(r[0]) for r in db.execute("SELECT leaf FROM usage_records ORDER BY seq")]
    db.close()
    assert stored == acknowledged and sorted(stored.values()) == list(range(500))
    # The tree's nodes went in with the records (one transaction): the tree over them is whole.
    tree = MerkleTree(SM3, SqlNodeStore(make_engine(f"sqlite:///{data_dir / 'mirror.db'}")))
    assert tree.size == 500 and tree.root() == SM3.root(leaves)

    process = serve(api, data_dir, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            again = client.post(
                "/v1/usage", json={"records": [record(api, grant_id, 0), record(api, grant_id, 500)]}, headers=PLATFORM
            )
        assert [(r["id"], r["duplicate"]) for r in again.json()["records"]] == [(0, True), (500, False)]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@pytest.mark.parametrize(("setting", "pragma"), [("NORMAL", 1), ("FULL", 2)])
def test_sqlite_durability_is_a_setting(tmp_path: Path, setting: str, pragma: int):
    """WAL with NORMAL (the default) survives kill -9, as above, not a power loss; FULL survives
    both (api/runtime.make_engine, docs/DEPLOYMENT.md)."""
    settings = Settings(sqlite_synchronous=setting)
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}", sqlite_synchronous=settings.sqlite_synchronous)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == pragma
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    with pytest.raises(ValidationError, match="sqlite_synchronous"):
        Settings(sqlite_synchronous="OFF")
