"""`ledger units register | add-officer | revoke | list`, run in-process against a real node."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from chain.actions import unit_id_for
from chain.devkeys import OFFICE_DEV_KEY, RELAYER_DEV_KEY
from ledger_cli.main import app
from signer.keys import SigningKey
from signer.keystore import save_key
from signer.registry import local_time, registered_key
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N
from tests.signer.registry_helpers import District

MZJ = "0x" + unit_id_for("PT-MZJ").hex()


@pytest.fixture
def keystore(tmp_path):
    return tmp_path / "keys"


@pytest.fixture
def run(system, tmp_path, keystore, monkeypatch):
    """`ledger units ARGS` as the Office (or `key`), with the test node and keystore in the environment."""
    District(system).save_deployment(tmp_path)
    monkeypatch.delenv("LEDGER_KEY_PASSWORD", raising=False)  # registering needs no password

    def invoke(*args: str, key: str = OFFICE_DEV_KEY):
        env = {
            "LEDGER_DATA_DIR": str(tmp_path),
            "LEDGER_RPC_URL": system.node.url,
            "LEDGER_OFFICE_KEY": key,
            "LEDGER_KEYSTORE_DIR": str(keystore),
        }
        result = CliRunner().invoke(app, ["units", *args], env=env)
        system.office.resync()  # the CLI sent from the Office's account with its own nonce count
        return result

    return invoke


def key_in(keystore, scheme: str, name: str, **kwargs) -> SigningKey:
    key = SigningKey.generate(scheme, name=name, **kwargs)
    save_key(key, PASSWORD, directory=keystore, scrypt_n=TEST_SCRYPT_N)
    return key


def last_tx(system) -> str:
    return system.w3.eth.get_block("latest")["transactions"][0].to_0x_hex()


def block_time(system, number="latest") -> str:
    return local_time(system.w3.eth.get_block(number)["timestamp"])


def assert_one_line_error(result, expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr == f"error: {expected}\n", result.stderr
    assert result.stdout == ""


def test_register_add_officer_revoke_list(system, run, keystore):
    assert (run("list").exit_code, run("list").stdout) == (0, "no units registered\n")

    result = run("register", "PT-MZJ", "--kind", "ordinary", "--name", "普陀区民政局")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"registered ordinary unit PT-MZJ (普陀区民政局) as {MZJ} in {last_tx(system)}\n"
    registered_unit_at = block_time(system)

    ecdsa = key_in(keystore, "ecdsa", "zhang-ecdsa")
    sm2 = key_in(keystore, "sm2", "zhang-sm2")
    result = run("add-officer", "PT-MZJ", "--key", "zhang-ecdsa", "--sm2-key", sm2.key_id[:10])
    assert result.exit_code == 0, result.output
    tx = last_tx(system)
    assert result.stdout.splitlines() == [
        f"registered ecdsa key {ecdsa.key_id} for unit PT-MZJ ({MZJ}) in {tx}",
        f"registered sm2 key {sm2.key_id} for unit PT-MZJ ({MZJ}) in {tx}",
    ]
    record = registered_key(system.w3, system.deployment.registry, sm2.key_id)
    assert (record.unit_id.hex(), record.public_key) == (MZJ[2:], sm2.public_key)
    registered_at = block_time(system)

    system.w3.provider.make_request("evm_increaseTime", [120])
    result = run("revoke", sm2.key_id)
    assert result.exit_code == 0, result.output
    revoked_at = block_time(system)
    assert result.stdout == (
        f"revoked sm2 key {sm2.key_id} of 普陀区民政局 ({MZJ}) at {revoked_at} in {last_tx(system)}\n"
    )

    result = run("register", "PT-WXB", "--kind", "auditor", "--name", "区委网信办")
    assert result.exit_code == 0, result.output
    result = run("list")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{MZJ}  ordinary     普陀区民政局",
        f"    ecdsa  {ecdsa.key_id}  registered {registered_at}",
        f"    sm2    {sm2.key_id}  registered {registered_at}  revoked {revoked_at}",
        f"0x{unit_id_for('PT-WXB').hex()}  auditor      区委网信办",
    ]
    assert registered_unit_at <= registered_at


def test_refusals_are_one_line(system, run, keystore):
    assert run("register", "PT-MZJ", "--kind", "ordinary", "--name", "普陀区民政局").exit_code == 0
    ecdsa = key_in(keystore, "ecdsa", "li")
    sm2 = key_in(keystore, "sm2", "li-sm2")
    custom = key_in(keystore, "sm2", "wang-sm2", user_id=b"wang@putuo")
    key_in(keystore, "ecdsa", "fresh")

    assert_one_line_error(
        run("register", "PT-MZJ", "--kind", "ordinary", "--name", "again"), f"unit PT-MZJ ({MZJ}) is already registered"
    )
    assert_one_line_error(
        run("register", "PT-X", "--kind", "ordinary", "--name", " padded"),
        "--name ' padded': must be non-empty, without surrounding spaces",
    )
    unknown = "0x" + unit_id_for("PT-NONE").hex()
    assert_one_line_error(
        run("add-officer", "PT-NONE", "--key", "li"),
        f"no unit PT-NONE ({unknown}) is registered; register it first: "
        "`ledger units register PT-NONE --kind KIND --name NAME`",
    )
    assert_one_line_error(
        run("add-officer", "PT-MZJ", "--key", "li-sm2"),
        "--key li-sm2 is an sm2 key; pass the officer's ECDSA key to --key and the SM2 key to --sm2-key",
    )
    assert_one_line_error(
        run("add-officer", "PT-MZJ", "--key", "li", "--sm2-key", "wang-sm2"),
        "--sm2-key wang-sm2 has SM2 user id 'wang@putuo'; the registry records none, so verifiers "
        "assume 1234567812345678: use a key made without --user-id",
    )
    assert_one_line_error(
        run("add-officer", "PT-MZJ", "--key", "nobody"),
        f"--key nobody: no key 'nobody' in {keystore}; list the keys with `ledger keys list`",
    )
    assert run("add-officer", "PT-MZJ", "--key", "li", "--sm2-key", "li-sm2").exit_code == 0
    assert_one_line_error(
        run("add-officer", "PT-MZJ", "--key", "li"),
        f"key {ecdsa.key_id} is already registered (a key id is never reused, even after revocation)",
    )
    stranger = "0x" + "12" * 20
    assert_one_line_error(
        run("revoke", stranger), f"key {stranger} is not registered; list the keys with `ledger units list`"
    )
    assert run("revoke", sm2.key_id).exit_code == 0
    revoked_block = system.w3.eth.block_number
    assert_one_line_error(run("revoke", sm2.key_id), f"key {sm2.key_id} was already revoked in block {revoked_block}")
    assert_one_line_error(
        run("add-officer", "PT-MZJ", "--key", "fresh", "--sm2-key", "li-sm2"),
        f"key {sm2.key_id} is already registered (a key id is never reused, even after revocation)",
    )
    assert_one_line_error(run("revoke", "0x1234"), "KEY_ID '0x1234': must be 0x followed by 40 hex digits")
    assert custom.key_id not in run("list").stdout


def test_a_non_office_key_is_refused(system, run, keystore):
    result = run("register", "PT-MZJ", "--kind", "ordinary", "--name", "普陀区民政局", key=RELAYER_DEV_KEY)
    assert_one_line_error(
        result,
        "account 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 does not hold the Office role "
        "on the UnitRegistry; set LEDGER_OFFICE_KEY to the Office's key",
    )
    assert run("list").stdout == "no units registered\n"


def test_an_sm2_only_officer(system, run, keystore):
    """An officer may hold an SM2 key alone (国密): the contracts verify its signatures themselves."""
    assert run("register", "PT-CSLJD", "--kind", "ordinary", "--name", "长寿路街道办事处").exit_code == 0
    sm2 = key_in(keystore, "sm2", "zhao-sm2")
    result = run("add-officer", "PT-CSLJD", "--sm2-key", "zhao-sm2")
    assert result.exit_code == 0, result.output
    street = "0x" + unit_id_for("PT-CSLJD").hex()
    assert result.stdout == f"registered sm2 key {sm2.key_id} for unit PT-CSLJD ({street}) in {last_tx(system)}\n"
    record = registered_key(system.w3, system.deployment.registry, sm2.key_id)
    assert (record.scheme, record.public_key) == ("sm2", sm2.public_key)
    assert_one_line_error(run("add-officer", "PT-CSLJD"), "give --key (ECDSA), --sm2-key (SM2), or both")
