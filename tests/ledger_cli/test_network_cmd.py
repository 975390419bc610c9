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


def _one_line_refusal(result: tuple[int, str], pattern: str) -> None:
    code, out = result
    assert code == 1 and out.count("\n") == 1 and re.fullmatch(f"error: {pattern}\n", out), (code, out)


def test_join_and_govern_through_the_cli(data_dir, geth, monkeypatch):  # noqa: F811
    network_dir = data_dir / "network"

    def ports(*given: int) -> list[str]:
        p2p, http, auth = given or (free_port(), free_port(), free_port())
        return ["--p2p-port", str(p2p), "--http-port", str(http), "--authrpc-port", str(auth)]

    # Nothing to join or govern yet: one line each, nothing written.
    _one_line_refusal(
        run("network", "join", "PT-SJJ", "上海市普陀区审计局", *ports()),
        re.escape(f"no network in {network_dir}: run `ledger network init` first"),
    )
    _one_line_refusal(run("network", "govern"), r"no ledger data: looked for .*")
    assert not network_dir.exists()

    code, out = run("network", "init", "--validators", "1", "--period", "1", *ports())
    assert code == 0, out
    signer = re.search(r"signer (0x[0-9a-fA-F]{40})", out).group(1)
    first_http = int(re.search(r"rpc http://127\.0\.0\.1:(\d+)", out).group(1))
    monkeypatch.setenv("LEDGER_RPC_URL", f"http://127.0.0.1:{first_http}")
    try:
        assert run("network", "up")[0] == 0
        manifest_before = (network_dir / "network.json").read_bytes()
        keys_before = run("keys", "list")[1]
        # A unit that already holds a node, and ports another node has: refused, nothing changes.
        _one_line_refusal(
            run("network", "join", "PT-DSJZX", "上海市普陀区大数据中心", *ports()),
            "PT-DSJZX already holds a node of this network",
        )
        _one_line_refusal(
            run("network", "join", "PT-SJJ", "上海市普陀区审计局", *ports(free_port(), first_http, free_port())),
            rf"ports \[{first_http}\] are taken by another node of this network",
        )
        assert (network_dir / "network.json").read_bytes() == manifest_before
        assert run("keys", "list")[1] == keys_before

        # The 审计局 joins: its node follows the chain, peered with the validator, not signing.
        code, out = run("network", "join", "PT-SJJ", "上海市普陀区审计局", *ports())
        assert code == 0, out
        newcomer = re.match(r"PT-SJJ    signer (0x[0-9a-fA-F]{40})  rpc http://\S+  p2p \d+  following\n", out)
        assert newcomer, out
        assert out.splitlines()[1] == (
            f"next: the Office decides, then `ledger network propose {newcomer.group(1)} add --unit PT-SJJ ...`"
        )
        assert newcomer.group(1) in run("keys", "list")[1]
        code, out = run("network", "status")
        assert code == 0, out
        lines = out.splitlines()
        assert len(lines) == 3 and lines[2].startswith("validators: no Office decisions")
        for line in lines[:2]:  # both nodes: one peer, the one genesis signer
            assert re.search(rf"peers 1  signers 1: {signer[:8].lower()}$", line), line

        # govern needs the platform's contracts: without them one line, then deployed once.
        _one_line_refusal(run("network", "govern"), r"no ledger data: looked for .*")
        assert run("deploy")[0] == 0
        code, out = run("network", "govern")
        assert code == 0, out
        deployed = re.fullmatch(
            r"ValidatorGovernance at (0x[0-9a-fA-F]{40}) \(block \d+\), over the registry 0x[0-9a-fA-F]{40}\n", out
        )
        assert deployed, out
        assert run("network", "govern") == (0, f"already deployed at {deployed.group(1)}\n")
        # The genesis validator now signs with no Office decision behind it: status says so.
        code, out = run("network", "status")
        assert code == 4 and out.count("signing without an Office decision") == 1, out
    finally:
        assert run("network", "down") == (0, "stopped 2 node(s)\n")
