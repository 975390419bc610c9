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


# --- officers -----------------------------------------------------------------------------

from eth_account import Account  # noqa: E402

from chain.actions import ActionKind, CatalogAction, fresh_nonce, sign_action, unit_id_for  # noqa: E402
from chain.client import contract_at  # noqa: E402

UNIT_KINDS = {"office": 1, "data_center": 2, "ordinary": 3, "auditor": 4}


class Officer:
    """A registered officer key of a unit, able to sign catalog actions."""

    def __init__(self, system: System, unit_id: bytes, account) -> None:
        self.system = system
        self.unit_id = unit_id
        self.account = account

    @property
    def address(self) -> str:
        return self.account.address

    def action(self, kind: ActionKind, entry_id: bytes, document: bytes, *, version: int = 0,
               reason_code: int = 0, nonce: int | None = None) -> CatalogAction:
        unsigned = CatalogAction(kind, entry_id, version, reason_code, document,
                                 fresh_nonce() if nonce is None else nonce)
        return sign_action(unsigned, self.account.key, chain_id=self.system.w3.eth.chain_id,
                           catalog_address=self.system.deployment.catalog)


class Units:
    """The units of a test district: the Data Center, two ordinary units and an auditor."""

    def __init__(self, system: System) -> None:
        self.system = system
        self.registry = contract_at(system.w3, "UnitRegistry", system.deployment.registry)
        self.catalog = contract_at(system.w3, "Catalog", system.deployment.catalog)
        self.data_center = self.register("PT-DSJZX", "data_center", "普陀区大数据中心")
        self.civil = self.register("PT-MZJ", "ordinary", "普陀区民政局")
        self.market = self.register("PT-SCJGJ", "ordinary", "普陀区市场监督管理局")
        self.auditor = self.register("PT-WXB", "auditor", "区委网信办")

    def register(self, code: str, kind: str, name: str) -> Officer:
        unit_id = unit_id_for(code)
        self.system.office.send(self.registry.functions.registerUnit(unit_id, UNIT_KINDS[kind], name))
        return self.add_officer(unit_id)

    def add_officer(self, unit_id: bytes, sm2_public_key: bytes = b"") -> Officer:
        account = Account.create()
        self.system.office.send(self.registry.functions.registerOfficer(unit_id, account.address, sm2_public_key))
        return Officer(self.system, unit_id, account)


@pytest.fixture
def units(system) -> Units:
    return Units(system)
