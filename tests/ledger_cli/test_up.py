"""The README's first command, `ledger up` (what `scripts/up` runs after installing), on any date.

Run as a user runs it, in a process of its own, with the new chain's clock pinned: in late
December, when the next year is in no package yet, and in January, when the current year is
not. The demo then comes up on a clearly marked provisional year, and says so.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from chain.actions import unit_id_for
from chain.node import free_port
from tests.api.auth_helpers import PLATFORM

ROOT = Path(__file__).resolve().parents[2]
LEDGER = Path(sys.executable).parent / "ledger"


@pytest.mark.parametrize(
    "start, provisional, warning",
    [
        ("2026-12-20T09:00:00+08:00", [2027], "2027 is only a provisional demo calendar"),
        ("2027-01-05T09:00:00+08:00", [2027, 2028], "2027, the current year, is only a provisional demo calendar"),
    ],
)
def test_up_comes_up_on_any_date(tmp_path, start, provisional, warning):
    port, rpc_port = free_port(), free_port()
    env = {
        **os.environ,
        "LEDGER_DATA_DIR": str(tmp_path / "data"),
        "LEDGER_RPC_URL": f"http://127.0.0.1:{rpc_port}",
        "LEDGER_PORT": str(port),
        "LEDGER_CHAIN_START": start,
        "LEDGER_ENV": "development",
        "LEDGER_KEY_PASSWORD": "test-password",
        "LEDGER_TIMEKEEPER_INTERVAL_S": "0",
    }
    log = open(tmp_path / "up.log", "w+b")
    process = subprocess.Popen(
        [str(LEDGER), "up"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        health = _wait_for_health(f"http://127.0.0.1:{port}", process, tmp_path / "up.log")
        assert health["calendar"]["chain_date"] == start[:10]
        assert health["calendar"]["provisional"] == provisional
        assert health["calendar"]["warnings"][0]["message"].startswith(warning)
        assert health["calendar"]["warnings"][0]["command"] == f"ledger calendar publish {provisional[0]} --notice FILE"
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=PLATFORM) as client:
            assert len(client.get("/v1/units").json()) == 8
            assert len(client.get(f"/v1/units/0x{unit_id_for('PT-CSLJD').hex()}/grants").json()["items"]) == 2
            found = client.get("/v1/catalog/entries", params={"q": "低保"}).json()["items"]  # the README's example
            assert [e["code"] for e in found] == ["MZJ-0001"]
            # Art. 16: the objection a reconciliation raised, handled; a street's, open; an update recorded.
            objections = client.get("/v1/quality/objections").json()
            assert sorted((o["source"], o["state"]) for o in objections) == [
                ("reconciliation", "handled_on_time"),
                ("using_unit", "open"),
            ]
            updates = {u["entry_id"]: u for u in client.get("/v1/quality/updates").json()}
            assert len(updates) == 2 and len(client.get("/v1/quality/reconciliations").json()) == 1
            assert sum(len(p["updates"]) for u in updates.values() for p in u["periods"]) == 1
            # Art. 29, 31: the incident acknowledged and closed, the suspension reported, three evaluations.
            [incident] = client.get("/v1/supervision/incidents").json()
            assert (incident["state"], len(incident["acknowledgements"]), incident["unit_id"]) == (
                "closed",
                2,
                "0x" + unit_id_for("PT-CSLJD").hex(),
            )
            [report] = client.get("/v1/supervision/measure-reports").json()
            assert (report["measure"], len(report["acknowledgements"])) == ("suspension", 1)
            [grant] = incident["grants"]  # the grant the incident concerns: suspended for security, reported
            assert (grant["status"], grant["suspension"], grant["measure_reports"][0]["report_id"]) == (
                "suspended",
                "security",
                report["report_id"],
            )
            scores = {e["evaluation"]: e["score"] for e in client.get("/v1/supervision/evaluations").json()}
            assert scores == {"quality": 86, "effectiveness": 92, "security": 61}
            # Art. 32: the results published and the notice on them, every line's evidence an unmet duty.
            [results] = client.get("/v1/evaluation/results").json()
            [notice] = client.get("/v1/evaluation/notices").json()
            assert notice["results_id"] == results["results_id"] and notice["lines"]
            states = {e["state"] for line in notice["lines"] for e in line["evidence"]}
            assert states and states <= {"overdue", "done_late", "missed"}
        output = (tmp_path / "up.log").read_text()
        assert "seeded 8 units, 8 entries, 7 reviews, 3 collections, 10 sharing steps" in output
        assert f"the demo chain got a PROVISIONAL {provisional[0]}" in output
        assert f"WARNING: {warning}" in output
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    assert process.returncode == 0, (tmp_path / "up.log").read_text()


def _wait_for_health(url: str, process, log: Path, timeout: float = 180.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"ledger up exited with {process.returncode}:\n{log.read_text()}")
        try:
            return httpx.get(url + "/healthz", timeout=2).json()
        except httpx.HTTPError:
            time.sleep(0.5)
    raise AssertionError(f"ledger up did not serve within {timeout:.0f} s:\n{log.read_text()}")
