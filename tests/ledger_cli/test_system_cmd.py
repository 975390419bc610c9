"""`ledger deploy`, `ledger demo seed` and `ledger reindex` against a node of their own."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.runtime import Runtime
from api.settings import Settings
from chain.actions import unit_id_for
from chain.node import LocalNode, free_port
from ledger_cli.main import app
from tests.api.auth_helpers import PLATFORM

# The demo's catalog dates are October–November 2026; its deadlines must stay inside 2026,
# whatever today is, so this node's clock starts on Monday 2026-11-16 09:00 Asia/Shanghai.
DEMO_CHAIN_START = 1794790800
LOOKUPS = [
    "/v1/units",
    "/v1/catalog/entries",
    "/v1/catalog/entries?q=信息",
    "/v1/catalog/entries?status=returned",
    "/v1/catalog/entries?sharing=conditional&grade=L3",
    "/v1/catalog/entries?q=人口",
    "/v1/responsibilities",
    "/v1/designations",
    "/v1/refusals",
    "/v1/settings",
    "/v1/catalog/supplementary/exports",
]


@pytest.fixture
def district(tmp_path, monkeypatch):
    node = LocalNode("anvil", tmp_path / "node", free_port(), start_time=DEMO_CHAIN_START).start()
    for name, value in {
        "LEDGER_DATA_DIR": str(tmp_path),
        "LEDGER_RPC_URL": node.url,
        "LEDGER_KEY_PASSWORD": "test-password",
        "LEDGER_ENV": "development",
    }.items():
        monkeypatch.setenv(name, value)
    yield tmp_path
    node.stop()


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _id(code: str) -> str:
    return "0x" + unit_id_for(code).hex()


def snapshot() -> dict:
    """Every lookup's answer, through the API on the mirror (the runtime syncs it on start)."""
    runtime = Runtime(Settings())
    with TestClient(create_app(runtime=runtime), headers=PLATFORM) as client:
        runtime.indexer.sync()
        answers = {path: client.get(path).json() for path in LOOKUPS}
        for item in answers["/v1/catalog/entries"]["items"]:
            entry_path = f"/v1/catalog/entries/{item['entry_id']}"
            answers[entry_path] = client.get(entry_path).json()
            answers[entry_path + "/versions"] = client.get(entry_path + "/versions").json()
        for unit in ("PT-CSLJD", "PT-RSJ"):  # the demand units' grants, each with its history
            grants = answers[f"grants of {unit}"] = client.get(f"/v1/units/{_id(unit)}/grants").json()
            for grant in grants["items"]:
                answers[grant["grant_id"]] = client.get(f"/v1/grants/{grant['grant_id']}/history").json()
        answers["scenarios"] = client.get("/v1/scenarios").json()
        answers["incoming"] = client.get(f"/v1/units/{_id('PT-SCJGJ')}/incoming-demands").json()
        answers["incoming"].pop("now")
    runtime.engine.dispose()
    return answers


def test_deploy_seed_and_a_reindex_that_changes_no_answer(district):
    code, out = run("deploy")
    assert code == 0 and out.startswith("registry 0x")
    assert run("deploy") == (0, out)  # a valid deployment is kept
    code, out = run("demo", "seed")
    assert code == 0, out
    assert "seeded 8 units, 8 entries, 7 reviews, 3 collections, 10 sharing steps" in out
    assert run("demo", "seed") == (0, "demo district already seeded\n")
    before = snapshot()
    assert len(before["/v1/catalog/entries"]["items"]) == 8 and before["/v1/catalog/entries?q=人口"]["items"]
    # #15: every cataloguing unit's responsibility approved, and required; a designation (Art. 5); a
    # refusal the Office reported (Art. 11); the supplementary catalog's export, verified (Art. 12).
    assert {r["status"] for r in before["/v1/responsibilities"]} == {"approved"}
    assert len(before["/v1/responsibilities"]) == 6
    assert {s["name"]: s["value"] for s in before["/v1/settings"]}["responsibilityRequired"] == 1
    [designation] = before["/v1/designations"]
    assert designation["unit_id"] == _id("PT-CSLJD") and designation["from_unit"] == _id("PT-RSJ")
    [refusal] = before["/v1/refusals"]
    assert refusal["reported_at"] is not None and refusal["reported_at"] <= refusal["report_due_at"]
    [export] = before["/v1/catalog/supplementary/exports"]
    assert (export["sequence"], export["items"], export["verified"]) == (1, 2, True)
    # Art. 19 (1) and (2) granted on the Data Center's confirmation, Art. 20 approved by the owner, one
    # demand awaiting its owner; the register holds the two scenarios they rest on.
    assert len(before["grants of PT-CSLJD"]["items"]) == 2 and len(before["grants of PT-RSJ"]["items"]) == 1
    assert [(s["scenario_class"], s["approved"]) for s in before["scenarios"]["items"]] == [(2, True), (1, True)]
    assert [i["status"] for i in before["incoming"]["items"]] == ["pending"]

    code, out = run("reindex")
    assert code == 0, out
    assert "reindex" in out and "mirrored" in out and "events from blocks" in out
    assert snapshot() == before


def test_a_cli_error_is_one_line_and_a_nonzero_exit(district, monkeypatch):
    monkeypatch.setenv("LEDGER_RPC_URL", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    code, out = run("reindex")
    assert code == 1
    assert len(out.strip().splitlines()) == 1 and out.startswith("error: ")
    assert "Traceback" not in out
