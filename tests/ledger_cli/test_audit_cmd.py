"""`ledger audit`: an auditor outside the platform verifies the demo district from the chain alone —
only an RPC URL and the deployment the API publishes — after the node was restarted (no view
call at a past block can be answered then; every log survives)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.runtime import Runtime
from api.settings import Settings
from chain.actions import entry_id_for, unit_id_for
from chain.client import connect
from chain.node import LocalNode, free_port
from chain.sharing import demand_id_for
from ledger_cli import demo_data, demo_sharing
from ledger_cli.demo_responsibilities import with_duty
from ledger_cli.main import app
from signer.canonical import canonical_bytes
from tests.ledger_cli.test_system_cmd import DEMO_CHAIN_START


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def restarted(tmp_path_factory):
    """The demo district on a node of its own, its deployment saved as an auditor would, then the
    node restarted from its state dump."""
    tmp = tmp_path_factory.mktemp("audit")
    node = LocalNode("anvil", tmp / "node", free_port(), start_time=DEMO_CHAIN_START).start()
    env = {
        "LEDGER_DATA_DIR": str(tmp),
        "LEDGER_RPC_URL": node.url,
        "LEDGER_KEY_PASSWORD": "test-password",
        "LEDGER_ENV": "development",
    }
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        assert run("deploy")[0] == 0
        code, out = run("demo", "seed")
        assert code == 0, out
        runtime = Runtime(Settings())
        with TestClient(create_app(runtime=runtime)) as client:
            (tmp / "deployment.json").write_text(json.dumps(client.get("/v1/deployment").json()))
        runtime.engine.dispose()
        w3 = connect(node.url)
        for _ in range(3):  # the seed's blocks become history
            w3.provider.make_request("evm_mine", [])
        node.stop()
        node.start()
        mp.setenv("LEDGER_RPC_URL", node.url)
        yield tmp
    node.stop()


def entry(unit: str, code: str) -> str:
    return "0x" + entry_id_for(unit_id_for(unit), code).hex()


def test_a_catalog_version_by_entry_and_by_document(restarted):
    deployment = str(restarted / "deployment.json")
    code, out = run("audit", "version", entry("PT-MZJ", "MZJ-0001"), "--deployment", deployment)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == f"entry {entry('PT-MZJ', 'MZJ-0001')}"
    assert [line.split(" by ")[0] for line in lines[1:]] == [
        "  ok  v1 submitted (initial)",
        "  ok  v1 reviewed: approved",
        "  ok  data collected (Art. 15)",
    ]
    assert "上海市普陀区民政局" in lines[1] and "上海市普陀区大数据中心" in lines[2]

    # The document as the demo submitted it: naming its unit's responsibility (Art. 11).
    returned = next(with_duty(u, d) for u, d in demo_data.ENTRIES if d["code"] == "SCJG-0002")
    (restarted / "doc.json").write_text(json.dumps(returned, ensure_ascii=False, indent=2), encoding="utf-8")
    code, out = run("audit", "version", "--document", str(restarted / "doc.json"), "--deployment", deployment)
    assert code == 0, out
    assert "v1 submitted (initial)" in out and "v1 reviewed: returned (code 1)" in out
    # The SM2-only street's version, signed with SM2 and verified from the calldata.
    code, out = run("audit", "version", entry("PT-CSLJD", "CSLJD-0001"), "--deployment", deployment)
    assert code == 0 and "ok  v1 submitted (initial)" in out, out


def test_commitments_and_grants_after_the_restart(restarted):
    deployment = str(restarted / "deployment.json")
    for unit_code, document in demo_sharing.DEMANDS:
        demand_id = "0x" + demand_id_for(unit_id_for(unit_code), canonical_bytes(document)).hex()
        code, out = run("audit", "commitment", demand_id, "--deployment", deployment)
        assert code == 0 and out.startswith(f"valid: commitment of {demand_id} signed by "), out
        assert run("sharing", "verify", demand_id)[0] == 0  # the platform's own command, too
    first = "0x" + demand_id_for(unit_id_for(demo_sharing.STREET), canonical_bytes(demo_sharing.DEMANDS[0][1])).hex()
    code, out = run("audit", "grant", first, "--deployment", deployment)
    assert code == 0, out
    assert out.startswith(f"grant {first} of unit 0x{unit_id_for(demo_sharing.STREET).hex()}: active, method interface")
    assert "  ok  commitment: sm2 key " in out and "  ok  apply by " in out and "  ok  record_use by " in out


def test_what_to_audit_must_be_said(restarted):
    assert run("audit", "version", entry("PT-MZJ", "MZJ-0001")) == (
        1,
        "error: give --deployment FILE (GET /v1/deployment) or --registry --catalog\n",
    )
    code, out = run("audit", "grant", "0x" + "ab" * 32, "--deployment", str(restarted / "deployment.json"))
    assert code == 1 and out.startswith("error: no grant 0xabab"), out
