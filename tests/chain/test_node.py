"""chain.node: local nodes start, stop by their own pid, and anvil keeps its chain across restarts."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from chain.actions import unit_id_for
from chain.client import contract_at
from chain.errors import NodeStartError
from chain.node import LocalNode, free_port, rpc_ready
from tests.conftest import System


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _hashes(w3, low: int, high: int) -> dict[int, str]:
    return {n: w3.eth.get_block(n)["hash"].to_0x_hex() for n in range(low, high + 1)}


def _dumped_after(path: Path, moment: float) -> bool:
    return path.exists() and path.stat().st_mtime > moment + 0.05


@pytest.fixture
def anvil(tmp_path):
    node = LocalNode("anvil", tmp_path / "anvil", free_port())
    yield node
    node.stop()


def test_anvil_restart_keeps_blocks_and_contract_state(anvil):
    system = System(anvil.start())
    registry = contract_at(system.w3, "UnitRegistry", system.deployment.registry)
    unit_id = unit_id_for("PT-TJJ")
    system.office.send(registry.functions.registerUnit("PT-TJJ", 3, "普陀区统计局"))
    head = system.w3.eth.block_number
    # Block 0 is left out: anvil sometimes restores a different genesis hash (DESIGN.md); every
    # block the contracts live in must survive.
    before = _hashes(system.w3, 1, head)
    nonce = system.w3.eth.get_transaction_count(system.office.account.address)
    pid = anvil.pid()

    anvil.stop()
    assert _gone(pid) and anvil.pid() is None and not anvil.pid_file.exists()
    assert rpc_ready(anvil.url) is False and anvil.running() is False
    assert anvil.state_file.stat().st_size > 0

    anvil.start()
    assert anvil.pid() != pid
    assert system.w3.eth.block_number == head
    assert _hashes(system.w3, 1, head) == before
    assert registry.functions.unitKind(unit_id).call() == 3
    assert system.w3.eth.get_transaction_count(system.office.account.address) == nonce
    receipt = system.office.send(registry.functions.registerUnit("PT-SWJ", 3, "普陀区税务局"))
    assert receipt["blockNumber"] == head + 1 and receipt["status"] == 1


def _whole(path) -> bool:
    try:
        json.loads(path.read_bytes())
    except ValueError:
        return False
    return True


def test_anvil_killed_hard_stops_serving_and_keeps_what_it_dumped(anvil):
    system = System(anvil.start())
    registry = contract_at(system.w3, "UnitRegistry", system.deployment.registry)
    unit_id = unit_id_for("PT-WJW")
    receipt = system.office.send(registry.functions.registerUnit("PT-WJW", 3, "普陀区卫生健康委员会"))
    sent_at = time.time()
    deadline = time.monotonic() + 15  # a loaded machine may skip an interval or two
    # --state-interval 1: wait for a whole dump that includes the transaction, and kill just after
    # it: anvil rewrites the file in place each second, and a kill during a write leaves it cut short
    # (then anvil refuses to start, naming the file).
    while not (_dumped_after(anvil.state_file, sent_at) and _whole(anvil.state_file)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _dumped_after(anvil.state_file, sent_at)
    pid = anvil.pid()

    anvil.stop(hard=True)  # a crash: nothing may answer on the port afterwards
    assert _gone(pid)
    assert rpc_ready(anvil.url) is False

    anvil.start()
    assert system.w3.eth.get_block(receipt["blockNumber"])["hash"] == receipt["blockHash"]
    assert registry.functions.unitKind(unit_id).call() == 3


def test_anvil_start_twice_reuses_the_running_node(anvil):
    anvil.start()
    pid = anvil.pid()
    assert anvil.start().pid() == pid and anvil.running() is True


def test_hardhat_node_starts_and_stops_by_its_pid(tmp_path):
    node = LocalNode("hardhat", tmp_path / "hardhat", free_port())
    try:
        node.start()
        pid = node.pid()
        assert node.running() is True and rpc_ready(node.url) is True
        assert b"hardhat" in Path(f"/proc/{pid}/cmdline").read_bytes()
        System(node)  # something to lose: the Hardhat node keeps nothing across restarts

        node.stop()
        assert _gone(pid) and not node.pid_file.exists()
        assert rpc_ready(node.url) is False and node.running() is False

        node.start()
        assert int(_rpc(node.url, "eth_blockNumber"), 16) == 0
    finally:
        node.stop()
    assert rpc_ready(node.url) is False


def _rpc(url: str, method: str):
    from chain.indexer import RpcClient

    return RpcClient(url).call(method, [])


def test_rpc_ready_is_false_where_nothing_listens():
    assert rpc_ready(f"http://127.0.0.1:{free_port()}", timeout=0.2) is False


def test_stop_without_start_does_nothing(tmp_path):
    node = LocalNode("anvil", tmp_path / "never", free_port())
    node.stop()
    node.stop(hard=True)
    assert node.pid() is None and node.running() is False


def test_unknown_node_kind_is_refused(tmp_path):
    with pytest.raises(NodeStartError, match=r"node kind must be one of \('anvil', 'hardhat'\), got 'geth'"):
        LocalNode("geth", tmp_path)


def test_a_relative_data_dir_is_the_callers_not_the_project_roots(tmp_path, monkeypatch):
    """`ledger up` passes `.ledger/node`: anvil (run from the project root) must dump state there."""
    monkeypatch.chdir(tmp_path)
    node = LocalNode("anvil", Path("relative") / "node", free_port()).start()
    try:
        assert node.data_dir == tmp_path / "relative" / "node"
    finally:
        node.stop()
    assert (tmp_path / "relative" / "node" / "anvil-state.json").stat().st_size > 0
