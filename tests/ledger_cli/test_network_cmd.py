"""`ledger network init|up|status|down|propose` on loopback, and its one-line refusals."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from chain.node import free_port
from ledger_cli.main import app
from tests.network.conftest import geth  # noqa: F401 - the fixture: skips (or fails in CI) without geth


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LEDGER_KEY_PASSWORD", "validator-test-password")
    monkeypatch.delenv("LEDGER_KEYSTORE_DIR", raising=False)
    return tmp_path


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_status_without_a_network_says_what_to_run(data_dir):
    assert run("network", "status") == (
        1,
        f"error: no network in {data_dir / 'network'}: run `ledger network init` first\n",
    )


def test_propose_refuses_bad_input_in_one_line(data_dir):
    assert run("network", "propose", "0x5a5a", "add") == (
        1,
        "error: ADDRESS: must be 0x and 40 hexadecimal digits, got '0x5a5a'\n",
    )
    assert run("network", "propose", "0x" + "5a" * 20, "add") == (
        1,
        f"error: no network in {data_dir / 'network'}: run `ledger network init` first\n",
    )
    code, out = run("network", "propose", "0x" + "5a" * 20, "promote")
    assert code == 2 and "promote" in out  # click's usage error names the bad choice


def test_more_validators_than_organisations_is_refused(data_dir):
    assert run("network", "init", "--validators", "5") == (
        1,
        "error: --validators must be 1 to 4 (one per organisation)\n",
    )


def test_init_up_status_down(data_dir, geth):  # noqa: F811
    # Three consecutive free ports are not guaranteed; one node each keeps this honest and quick.
    ports = ["--p2p-port", str(free_port()), "--http-port", str(free_port()), "--authrpc-port", str(free_port())]
    code, out = run("network", "init", "--validators", "1", "--period", "1", *ports)
    assert code == 0, out
    assert re.match(r"PT-DSJZX  signer (0x[0-9a-fA-F]{40})  rpc http://127\.0\.0\.1:\d+", out)
    signer = re.search(r"signer (0x[0-9a-fA-F]{40})", out).group(1)
    assert run("keys", "list")[1] == f"{signer}  ecdsa  validator-PT-DSJZX\n"
    assert run("network", "init", "--validators", "1")[0] == 1
    try:
        code, out = run("network", "up")
        assert code == 0, out
        code, out = run("network", "status")
        assert code == 0, out
        assert re.fullmatch(
            rf"PT-DSJZX  http://\S+  head \d+ 0x[0-9a-f]{{8}}  peers 0  signers 1: {signer[:8].lower()}\n"
            r"validators: no Office decisions on this chain yet \(`ledger network govern` deploys their contract\)\n",
            out,
        )
    finally:
        assert run("network", "down") == (0, "stopped 1 node(s)\n")
    code, out = run("network", "status")
    assert code == 3 and out.endswith("not answering (ConnectionError)\n")
