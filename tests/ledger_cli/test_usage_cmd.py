"""Proofs for anyone (#11 part 4) and witnesses (part 3), with `ledger` commands against a real API
(uvicorn, a free port) on a real node: a record's evidence bundle verifies from the chain alone
and a tampered record fails; witnesses co-sign consistent checkpoints and refuse a forked log."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace

import pytest
import uvicorn
from fastapi.testclient import TestClient

from api.app import create_app
from chain.node import free_port
from signer.keystore import save_key
from tests.api.conftest import make_runtime, wait_for
from tests.api.test_sharing_api import Api
from tests.api.test_usage_intake import PLATFORM, logged, record
from tests.ledger_cli.test_officer_journey import ledger, named
from tests.sharing_desk import SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N
from usage.hasher import SM3
from usage.proofs import verify_consistency


@pytest.fixture
def platform(system, tmp_path):
    desk = SharingDesk(system)
    auditor = desk.unit("PT-SJJ", "auditor", "普陀区审计局")
    keystore = tmp_path / "witness" / "keys"
    for name, officer in {"office": desk.office, "audit": auditor}.items():
        save_key(named(officer.ecdsa, name), PASSWORD, directory=keystore, scrypt_n=TEST_SCRYPT_N)
        save_key(named(officer.sm2, f"{name}-sm2"), PASSWORD, directory=keystore, scrypt_n=TEST_SCRYPT_N)
    port = free_port()
    runtime = make_runtime(
        system,
        tmp_path / "platform",
        auth_audience=f"http://127.0.0.1:{port}",  # the URL the witnesses log in to
        clock_ttl_s=0,
        usage_key=f"ecdsa:{desk.data_center.ecdsa.private_key.hex()}",
        usage_anchor_poll_s=0,
        usage_checkpoint_records=4,
    )
    runtime.start()
    server = uvicorn.Server(
        uvicorn.Config(create_app(runtime=runtime), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started)
    env = {
        "LEDGER_API_URL": f"http://127.0.0.1:{port}",
        "LEDGER_KEYSTORE_DIR": str(keystore),
        "LEDGER_KEY_PASSWORD": PASSWORD,
        "LEDGER_RPC_URL": system.node.url,
    }
    try:
        with TestClient(create_app(runtime=runtime)) as client:
            api = Api(desk, client, runtime)
            grant_id = api.apply(api.application(scenario_class=1))
            yield SimpleNamespace(api=api, grant_id=grant_id, env=env, tmp=tmp_path, runtime=runtime)
    finally:
        server.should_exit = True
        thread.join(10)
        runtime.stop()


def log_records(p, start: int, count: int) -> None:
    logged(p.api, *[record(p.api, p.grant_id, n) for n in range(start, start + count)])
    while p.runtime.usage_anchor.step():
        pass


def test_an_evidence_bundle_verifies_from_the_chain_and_a_tampered_one_fails(platform):
    p = platform
    logged(p.api, record(p.api, p.grant_id, 0))
    pending = p.api.client.get("/v1/usage/0", headers=PLATFORM).json()
    assert (pending["checkpoint"], pending["proof"]) == (None, None)  # not anchored yet
    log_records(p, 1, 7)  # 8 records: checkpoints of 4 and 8
    assert [c["size"] for c in p.api.get("/v1/usage/checkpoints")["items"]] == [8, 4]
    bundle = p.api.client.get("/v1/usage/5", headers=PLATFORM).json()
    assert bundle["checkpoint"]["size"] == 8 and json.loads(bundle["record"])["request_id"] == "req-5"
    path = p.tmp / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    done = ledger(p, "audit", "usage", str(path), "--rpc-url", p.env["LEDGER_RPC_URL"])
    assert done.code == 0, done.out + done.err
    assert done.out.startswith(f"valid: record 5 is leaf 5 of checkpoint size 8 root {bundle['checkpoint']['root']}")
    # To an older checkpoint, too.
    older = p.api.client.get("/v1/usage/1", params={"size": 4}, headers=PLATFORM).json()
    assert older["checkpoint"]["size"] == 4

    tampered = {**bundle, "record": bundle["record"].replace('"count":3', '"count":2')}
    assert tampered["record"] != bundle["record"]
    path.write_text(json.dumps(tampered), encoding="utf-8")
    failed = ledger(p, "audit", "usage", str(path), "--rpc-url", p.env["LEDGER_RPC_URL"])
    assert failed.code == 3
    assert "proof: the record is not leaf 5 of the anchored checkpoint" in failed.out

    forged_root = {**bundle, "checkpoint": {**bundle["checkpoint"], "root": "0x" + "11" * 32}}
    path.write_text(json.dumps(forged_root), encoding="utf-8")
    failed = ledger(p, "audit", "usage", str(path), "--rpc-url", p.env["LEDGER_RPC_URL"])
    assert failed.code == 3 and "checkpoint: the chain anchored size 8 root" in failed.out

    proof = p.api.get("/v1/usage/consistency", first=4, second=8)
    verify_consistency(
        SM3,
        first=4,
        second=8,
        first_root=bytes.fromhex(proof["first"]["root"][2:]),
        second_root=bytes.fromhex(proof["second"]["root"][2:]),
        proof=[bytes.fromhex(h[2:]) for h in proof["proof"]],
    )
    missing = p.api.client.get("/v1/usage/consistency", params={"first": 3, "second": 8})
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "checkpoint_unknown")


def test_witnesses_cosign_consistent_checkpoints_and_refuse_a_fork(platform):
    p = platform
    office_state, audit_state = p.tmp / "office.json", p.tmp / "audit.json"
    log_records(p, 0, 4)
    assert ledger(p, "login", "--key", "office").code == 0
    first = ledger(p, "witness", "--key", "office", "--state", str(office_state))
    assert first.code == 0, first.out + first.err
    assert "co-signed checkpoint size 4" in first.out and "trusted on first use" in first.out
    log_records(p, 4, 4)
    for key, state, count in (("office", office_state, 1), ("audit-sm2", audit_state, 2)):
        assert ledger(p, "login", "--key", key).code == 0  # the API relays for a logged-in witness
        done = ledger(p, "witness", "--key", key, "--state", str(state))
        assert done.code == 0, done.out + done.err
        assert "co-signed checkpoint size 8" in done.out and f"{count} witness(es) now" in done.out
        assert ("consistent with size 4" if key == "office" else "trusted on first use") in done.out
    assert ledger(p, "login", "--key", "office").code == 0
    again = ledger(p, "witness", "--key", "office", "--state", str(office_state))
    assert again.code == 0 and "already co-signed by this witness: nothing new" in again.out
    checkpoints = {c["size"]: c["cosignatures"] for c in p.api.get("/v1/usage/checkpoints")["items"]}
    assert checkpoints == {4: 1, 8: 2}

    # A split view: this witness was shown another root for size 8 than the one the chain holds.
    seen = json.loads(office_state.read_text())
    office_state.write_text(json.dumps({**seen, "root": "0x" + "22" * 32}))
    log_records(p, 8, 4)
    refused = ledger(p, "witness", "--key", "office", "--state", str(office_state))
    assert refused.code == 3
    assert refused.err.startswith("refused: forked log: checkpoint size 8 has root")
    assert "refusing to co-sign" in refused.err
    assert {c["size"]: c["cosignatures"] for c in p.api.get("/v1/usage/checkpoints")["items"]}[12] == 0
