"""An officer's whole journey with `ledger` commands only, against a real API on a real node.

The API is served by uvicorn on a free port (the commands talk HTTP, as from an officer's machine);
the commands get nothing else: no node URL, no database, no deployment file. The officers' keys
are in a keystore of their own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from types import SimpleNamespace

import pytest
import uvicorn
from eth_utils import keccak, to_checksum_address
from sqlalchemy import func, select
from typer.testing import CliRunner

from api.app import create_app
from api.schemas import EXAMPLE_DOCUMENT
from chain.actions import entry_id_for
from chain.node import free_port
from ledger_cli import officer_actions
from ledger_cli.main import app
from mirror.models import OutboxAction, Unit
from signer.canonical import canonical_bytes
from signer.keys import SigningKey
from signer.keystore import save_key
from tests.api.conftest import make_runtime, wait_for
from tests.sharing_desk import SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
SCENARIO = "低保审核"
ITEM = "姓名"  # a data item the application asks for


def named(key: SigningKey, name: str) -> SigningKey:
    return SigningKey(key.scheme, key.private_key, key.public_key, key.user_id, name)


@pytest.fixture
def platform(system, tmp_path):
    """The district's API on a free port; each unit's officer keys (`mzj`, `mzj-sm2`, …) in a keystore."""
    desk = SharingDesk(system)
    keystore = tmp_path / "officer" / "keys"
    officers = {"dsjzx": desk.data_center, "mzj": desk.civil, "scjgj": desk.market, "cfjd": desk.street}
    for name, officer in officers.items():
        save_key(named(officer.ecdsa, name), PASSWORD, directory=keystore, scrypt_n=TEST_SCRYPT_N)
        save_key(named(officer.sm2, f"{name}-sm2"), PASSWORD, directory=keystore, scrypt_n=TEST_SCRYPT_N)
    port = free_port()
    runtime = make_runtime(system, tmp_path / "platform", auth_audience=f"http://127.0.0.1:{port}")
    runtime.start()
    server = uvicorn.Server(
        uvicorn.Config(create_app(runtime=runtime), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started)
    wait_for(lambda: len(mirrored_units(runtime)) == 5)  # the follower has mirrored the units and their keys
    # The officer's machine: no node (nothing answers at its RPC URL), no deployment file, no database.
    env = {
        "LEDGER_API_URL": f"http://127.0.0.1:{port}",
        "LEDGER_KEYSTORE_DIR": str(keystore),
        "LEDGER_KEY_PASSWORD": PASSWORD,
        "LEDGER_RPC_URL": f"http://127.0.0.1:{free_port()}",
        "LEDGER_DATA_DIR": str(tmp_path / "officer"),
    }
    try:
        yield SimpleNamespace(
            desk=desk, system=system, runtime=runtime, env=env, tmp=tmp_path, url=env["LEDGER_API_URL"]
        )
    finally:
        server.should_exit = True
        thread.join(10)
        runtime.stop()


def mirrored_units(runtime) -> list:
    with runtime.store.sessions() as session:
        return list(session.scalars(select(Unit)))


def ledger(platform, *args: str):
    """`ledger ARGS` in-process, as on an officer's machine: the API's URL, the keystore and the password."""
    result = CliRunner().invoke(app, list(args), env=platform.env)
    return SimpleNamespace(code=result.exit_code, out=result.stdout, err=result.stderr)


def proof(out: str) -> dict[str, str]:
    """The proof rows a confirmed action prints: {'transaction': …, 'block': …, …}."""
    rows = {}
    for line in out.splitlines()[1:]:
        label, _, value = line.strip().partition("  ")
        rows[label] = value.strip()
    return rows


def write(platform, name: str, document: dict):
    path = platform.tmp / name
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return str(path)


def entry_document(code: str = "MZJ-0101") -> dict:
    return {**EXAMPLE_DOCUMENT, "code": code, "basis_event": {"kind": "system_acceptance", "date": "2026-02-23"}}


def outbox_rows(platform) -> int:
    with platform.runtime.store.sessions() as session:
        return session.scalar(select(func.count()).select_from(OutboxAction))


def assert_on_chain(platform, rows: dict[str, str]) -> None:
    """The printed proof is the chain's: the transaction is mined in the printed block."""
    receipt = platform.system.w3.eth.get_transaction_receipt(rows["transaction"])
    assert receipt["status"] == 1 and rows["block"] == str(receipt["blockNumber"]), rows


def test_an_officers_journey_from_catalog_entry_to_grant_with_ledger_commands_only(platform):
    desk = platform.desk
    # The reads behind the commands (the chain's clock, a grant's history) need a token: the Data
    # Center's officer logs in on this machine, and the others act through it (api/auth).
    done = ledger(platform, "login", "--key", "dsjzx")
    assert done.code == 0, done.err
    civil, street = "0x" + desk.civil.unit_id.hex(), "0x" + desk.street.unit_id.hex()
    entry = "0x" + entry_id_for(desk.civil.unit_id, "MZJ-0101").hex()

    # 民政局 catalogues its data (Art. 11) with its ECDSA key.
    done = ledger(platform, "catalog", "submit", write(platform, "entry.json", entry_document()), "--key", "mzj")
    assert done.code == 0, done.err
    assert done.out.splitlines()[0] == f"confirmed: catalog submission of entry {entry}, version 1"
    rows = proof(done.out)
    assert_on_chain(platform, rows)
    assert rows["document hash"] == "0x" + keccak(canonical_bytes(entry_document())).hex()
    assert rows["signed by"] == f"{desk.civil.address} (ecdsa)"

    # The Data Center reviews (Art. 13) and records the collection (Art. 15).
    done = ledger(platform, "catalog", "review", entry, "1", "--approve", "--key", "dsjzx")
    assert done.code == 0, done.err
    assert done.out.splitlines()[0] == f"confirmed: catalog review of entry {entry}, version 1"
    assert_on_chain(platform, proof(done.out))
    done = ledger(
        platform, "catalog", "collect", entry, "--key", "dsjzx", "--description", "已归集至区大数据资源分平台"
    )
    assert done.code == 0, done.err
    assert done.out.splitlines()[0] == f"confirmed: catalog collection record (Art. 15) of entry {entry}"
    assert platform.system.w3.eth.get_transaction_receipt(proof(done.out)["transaction"])["status"] == 1

    # 长风新村街道 applies (Art. 17), its commitment signed with its SM2 key (Art. 18).
    application = {
        "schema": "putuo.demand/1",
        "application_no": "CF-2026-101",
        "demand_unit_id": street,
        "demand_type": "routine",
        "scenario": {"code": SCENARIO, "name": "低保申请审核", "class": 0},
        "legal_basis": "《社会救助暂行办法》第十一条",
        "business_goal": "核实低保申请家庭的保障情况",
        "resources": [{"entry_id": entry, "version": 1, "owner_unit_id": civil, "items": ["姓名", "保障金额"]}],
        "method": "interface",
        "frequency": "monthly",
        "security_level": "L2",
        "safeguards": ["专人专岗"],
    }
    done = ledger(
        platform,
        "sharing",
        "apply",
        write(platform, "demand.json", application),
        "--key",
        "cfjd",
        "--commitment-key",
        "cfjd-sm2",
    )
    assert done.code == 0, done.err
    demand = done.out.splitlines()[0].removeprefix("confirmed: application ")
    rows = proof(done.out)
    assert_on_chain(platform, rows)
    assert rows["commitment"].startswith(f"sm2 key {desk.street.sm2.key_id}, signed at 2026-")
    assert rows["grant issued"] == "not yet: the responsible units decide (Art. 20)"
    assert desk.record("demand", bytes.fromhex(demand[2:])).unitId == desk.street.unit_id

    # 民政局 approves the item (Art. 20): the grant is issued in the same transaction.
    done = ledger(platform, "sharing", "decide", demand, "0", "--approve", "--key", "mzj")
    assert done.code == 0, done.err
    rows = proof(done.out)
    assert_on_chain(platform, rows)
    assert rows["grant issued"] == demand
    check = ledger(platform, "sharing", "check", street, entry, "1", SCENARIO, "--item", ITEM, "--api", platform.url)
    assert (check.code, check.out.split(" — ")[0]) == (0, "yes: granted"), check.out

    # Any other step goes through `step`: the platform's usage record (Art. 30). Then the street ends the grant.
    now = platform.system.w3.eth.get_block("latest")["timestamp"]
    use = {
        "schema": "putuo.grant-use/1",
        "grant_id": demand,
        "calls": 3,
        "used_at": dt.datetime.fromtimestamp(now, SHANGHAI).isoformat(),
    }
    done = ledger(platform, "sharing", "step", "record_use", write(platform, "use.json", use), "--key", "cfjd")
    assert (done.code, done.err) == (
        1,
        "error: the signer's unit may not take this step: SharingWrongUnitKind("
        f"signer={desk.street.address}, expected=2, actual=3)\n",
    )  # the Data Center's
    done = ledger(platform, "sharing", "step", "record_use", write(platform, "use.json", use), "--key", "dsjzx-sm2")
    assert done.code == 0, done.err
    assert done.out.splitlines()[0] == f"confirmed: record_use on {demand}"
    assert_on_chain(platform, proof(done.out))
    done = ledger(platform, "sharing", "terminate", demand, "--reason", "业务调整，不再使用", "--key", "cfjd-sm2")
    assert done.code == 0, done.err
    assert proof(done.out)["signed by"].endswith("(sm2)")  # an SM2 key signs the action itself
    check = ledger(platform, "sharing", "check", street, entry, "1", SCENARIO, "--item", ITEM, "--api", platform.url)
    assert (check.code, check.out.split(" — ")[0]) == (3, "no: terminated"), check.out


def test_a_document_with_a_bad_field_is_refused_in_one_line_and_nothing_is_sent(platform):
    bad = entry_document()
    bad["sharing"] = {"attribute": "conditional"}
    done = ledger(platform, "catalog", "submit", write(platform, "bad.json", bad), "--key", "mzj")
    assert (done.code, done.out) == (1, "")
    assert done.err == "error: document.sharing: Value error, conditional sharing needs `conditions`\n"
    assert outbox_rows(platform) == 0
    use = write(platform, "use.json", {"schema": "putuo.grant-use/1"})
    done = ledger(platform, "sharing", "step", "record_use", use, "--key", "cfjd")
    assert (done.code, done.err) == (1, "error: document.grant_id: Field required\n")
    assert outbox_rows(platform) == 0


def test_a_wrong_key_is_refused_by_the_api_in_one_line(platform):
    entry = "0x" + entry_id_for(platform.desk.civil.unit_id, "MZJ-0101").hex()
    submitted = ledger(platform, "catalog", "submit", write(platform, "entry.json", entry_document()), "--key", "mzj")
    assert submitted.code == 0, submitted.err
    done = ledger(platform, "catalog", "review", entry, "1", "--approve", "--key", "mzj")  # not the Data Center's
    assert (done.code, done.out) == (1, "")
    assert done.err.startswith("error: the signer's unit may not take this action: CatalogWrongUnitKind(")
    assert done.err.count("\n") == 1

    # The Data Center's key returns it (Art. 13); 民政局 resubmits the corrected document.
    done = ledger(
        platform,
        "catalog",
        "review",
        entry,
        "1",
        "--return",
        "incomplete",
        "--reason",
        "缺少数据项说明",
        "--key",
        "dsjzx",
    )
    assert done.code == 0, done.err
    corrected = {
        **entry_document(),
        "description": "全区最低生活保障对象的家庭成员、保障金额与认定时间（含数据项说明）。",
    }
    done = ledger(platform, "catalog", "resubmit", write(platform, "corrected.json", corrected), "--key", "mzj")
    assert done.code == 0, done.err
    assert done.out.splitlines()[0] == f"confirmed: catalog resubmission of entry {entry}, version 2"
    assert_on_chain(platform, proof(done.out))


def test_a_signature_over_other_fields_is_a_signature_mismatch(platform, monkeypatch):
    """An SM2 signature made over another message (a tampered signer): the API's 403, said plainly."""
    sign = officer_actions.sign_digest_of

    def tampered(action, key, chain_id, contract):
        other = sign(dataclasses.replace(action, nonce=action.nonce + 1), key, chain_id, contract)
        return dataclasses.replace(action, signature=other.signature)

    monkeypatch.setattr(officer_actions, "sign_digest_of", tampered)
    done = ledger(platform, "catalog", "submit", write(platform, "entry.json", entry_document()), "--key", "mzj-sm2")
    assert (done.code, done.out) == (1, "")
    assert done.err == (
        f"error: the signature does not match the document: signature: the SM2 signature of key "
        f"{to_checksum_address(platform.desk.civil.sm2.key_id)} does not match this action: it was "
        "made over other fields or another document, or by another key\n"
    )
    assert outbox_rows(platform) == 0


def test_an_unreachable_api_is_one_line(platform):
    nowhere = f"http://127.0.0.1:{free_port()}"
    done = ledger(
        platform, "catalog", "submit", write(platform, "entry.json", entry_document()), "--key", "mzj", "--api", nowhere
    )
    assert (done.code, done.out) == (1, "")
    assert done.err.startswith(f"error: cannot reach the API at {nowhere}: ") and done.err.count("\n") == 1
    assert done.err.endswith("; check --api or LEDGER_API_URL\n")


def test_the_keystore_default_is_the_data_directory(tmp_path, monkeypatch):
    """One rule for every command and the demo: $LEDGER_KEYSTORE_DIR, else $LEDGER_DATA_DIR/keys."""
    key = SigningKey.generate("sm2", name="demo-officer")
    save_key(key, PASSWORD, directory=tmp_path / "keys", scrypt_n=TEST_SCRYPT_N)
    monkeypatch.delenv("LEDGER_KEYSTORE_DIR", raising=False)
    result = CliRunner().invoke(app, ["keys", "list"], env={"LEDGER_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 0 and key.key_id in result.stdout and "demo-officer" in result.stdout, result.output
    result = CliRunner().invoke(
        app,
        ["keys", "list"],
        env={"LEDGER_DATA_DIR": str(tmp_path / "elsewhere"), "LEDGER_KEYSTORE_DIR": str(tmp_path / "keys")},
    )
    assert result.exit_code == 0 and key.key_id in result.stdout, result.output
