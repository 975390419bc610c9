"""One fixture builds a deployed system; each test starts from a chain snapshot it reverts."""

from __future__ import annotations

import os

import pytest

from chain.client import Sender, connect
from chain.deploy import deploy_all
from chain.devkeys import OFFICE_DEV_KEY, RELAYER_DEV_KEY
from chain.node import NODE_KINDS, LocalNode, free_port

# CI runs the chain flows on every supported node; a developer may narrow with LEDGER_TEST_NODES=anvil.
TEST_NODES = tuple(k for k in os.environ.get("LEDGER_TEST_NODES", ",".join(NODE_KINDS)).split(",") if k)


@pytest.fixture(scope="session")
def node_factory(tmp_path_factory):
    started: dict[str, LocalNode] = {}

    def get(kind: str) -> LocalNode:
        if kind not in started:
            started[kind] = LocalNode(kind, tmp_path_factory.mktemp(kind), free_port()).start()
        return started[kind]

    yield get
    for node in started.values():
        node.stop()


class System:
    """A node with the contracts deployed, the Office's and the relayer's senders."""

    def __init__(self, node: LocalNode) -> None:
        self.node = node
        self.w3 = connect(node.url)
        self.office = Sender.from_key(self.w3, OFFICE_DEV_KEY)
        self.relayer = Sender.from_key(self.w3, RELAYER_DEV_KEY)
        self.deployment = deploy_all(self.office)

    def snapshot(self) -> str:
        return self.w3.provider.make_request("evm_snapshot", [])["result"]

    def revert(self, snapshot_id: str) -> None:
        assert self.w3.provider.make_request("evm_revert", [snapshot_id])["result"] is True
        self.office.resync()
        self.relayer.resync()


@pytest.fixture(scope="session")
def _systems(node_factory):
    systems: dict[str, System] = {}

    def get(kind: str) -> System:
        if kind not in systems:
            systems[kind] = System(node_factory(kind))
        return systems[kind]

    return get


@pytest.fixture
def system(_systems):
    """A deployed system on anvil, reverted to its deployed state after the test."""
    yield from _with_snapshot(_systems("anvil"))


@pytest.fixture(params=TEST_NODES)
def any_system(request, _systems):
    """The same, once per supported node (anvil and the Hardhat node)."""
    yield from _with_snapshot(_systems(request.param))


def _with_snapshot(system: System):
    snap = system.snapshot()
    try:
        yield system
    finally:
        system.revert(snap)
