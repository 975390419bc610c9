"""A quiet local chain's clock is kept running: `ledger serve` mines an empty block whenever no
block came for LEDGER_HEARTBEAT_S, so overdue duties and deemed approvals do not wait for an
unrelated transaction (anvil and Hardhat mine only when a transaction arrives)."""

from __future__ import annotations

from api.app import create_app
from tests.api.conftest import make_runtime


def test_heartbeat_mines_only_when_the_chain_is_quiet(system, tmp_path):
    runtime = make_runtime(system, tmp_path)
    try:
        head = system.w3.eth.block_number
        runtime.heartbeat()  # first look: remembers the head
        assert system.w3.eth.block_number == head
        runtime.heartbeat()  # nothing came since: one empty block
        assert system.w3.eth.block_number == head + 1
        assert system.w3.eth.get_block("latest")["transactions"] == []
        system.office.send_value(system.relayer.account.address, 1)  # a transaction came
        runtime.heartbeat()
        assert system.w3.eth.block_number == head + 2
    finally:
        runtime.engine.dispose()


def test_serve_runs_the_heartbeat_on_a_local_node_only(system, tmp_path):
    from fastapi.testclient import TestClient

    for node, expected in (("anvil", True), ("external", False)):
        app = create_app(make_runtime(system, tmp_path / node, node=node, heartbeat_s=3600).settings)
        with TestClient(app):
            loops = [name for name, _, _ in app.state.runtime._loops]
            assert ("heartbeat" in loops) is expected, loops
