"""A four-validator geth Clique network on loopback, shared by the tests of this directory.

It needs the geth that scripts/setup builds. Without one the tests skip, saying so, except in CI
(CI=true), where setup must have built it and its absence fails them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from eth_account import Account

from chain.client import Sender, connect
from chain.deploy import deploy_all
from chain.devkeys import DEV_KEYS, OFFICE_DEV_KEY, RELAYER_DEV_KEY
from chain.node import free_port
from ledger_cli.demo import publish_demo_calendar
from network import GethNode, Manifest, provision
from network.errors import GethNotFound
from network.geth import check_version, geth_binary
from network.lifecycle import down, network_nodes, up
from network.voting import settle_depth
from tests.conftest import Units
from workdays.publish import calendar_at

PERIOD_S = 1  # Clique period for tests: a block a second keeps each wait short
PASSWORD = "validator-test-password"
# The Office, the tests' relayer, and the API's relayer in the failover test (a key of its own, so
# that the tests' senders keep their nonces).
API_RELAYER_KEY = DEV_KEYS[2]
FUNDED = {Account.from_key(k).address: 10**24 for k in (OFFICE_DEV_KEY, RELAYER_DEV_KEY, API_RELAYER_KEY)}


def wait_until(predicate, timeout: float, what: str, poll: float = 0.2):
    """Poll `predicate` until it returns something truthy; that value. Fails naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    pytest.fail(f"{what}: not within {timeout:.0f} s")


@pytest.fixture(scope="session")
def geth() -> Path:
    try:
        binary = geth_binary()
    except GethNotFound as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must build geth (scripts/setup): {exc}")
        pytest.skip(f"geth v1.13.15 not built: {exc}")
    check_version(binary)
    return binary


class Clique:
    """The running network: its directory, manifest and nodes (index 0 is the Data Center's)."""

    def __init__(self, directory: Path, manifest: Manifest, nodes: list[GethNode]) -> None:
        self.directory, self.manifest, self.nodes = directory, manifest, nodes

    @property
    def signers(self) -> list[str]:
        return sorted((s.signer for s in self.manifest.nodes), key=str.lower)


@pytest.fixture(scope="session")
def clique(tmp_path_factory, geth) -> Clique:
    directory = tmp_path_factory.mktemp("clique")
    manifest = provision(
        directory,
        validators=4,
        period=PERIOD_S,
        password=PASSWORD,
        keystore_dir=directory / "keys",
        funded=FUNDED,
        geth=geth,
        ports=[(free_port(), free_port(), free_port()) for _ in range(4)],
    )
    try:
        up(directory, geth)
        yield Clique(directory, manifest, network_nodes(directory, geth)[1])
    finally:
        down(directory, geth)


class NetworkSystem:
    """The contracts deployed through the Data Center's node, as tests.conftest.System on anvil
    (no snapshots on geth: tests here work on their own entries)."""

    def __init__(self, url: str) -> None:
        self.w3 = connect(url)
        self.office = Sender.from_key(self.w3, OFFICE_DEV_KEY)
        self.relayer = Sender.from_key(self.w3, RELAYER_DEV_KEY)
        self.deployment = deploy_all(self.office, settle_blocks=settle_depth(4))
        now = self.w3.eth.get_block("latest")["timestamp"]
        publish_demo_calendar(self.office, calendar_at(self.w3, self.deployment.calendar), now)


@pytest.fixture(scope="session")
def network_system(clique) -> NetworkSystem:
    return NetworkSystem(clique.manifest.nodes[0].rpc_url)


@pytest.fixture(scope="session")
def network_units(network_system) -> Units:
    """The test district's units and officers, registered once on the network."""
    return Units(network_system)


def network_runtime(system: NetworkSystem, data_dir: Path, urls: list[str], **overrides):
    """The API's runtime (relayer, follower) on the network's `urls`, started; the caller stops it."""
    from api.runtime import Runtime
    from api.settings import Settings
    from chain.deploy import deployment_path

    system.deployment.save(deployment_path(data_dir, system.w3.eth.chain_id))
    settings = Settings(
        env="test",
        data_dir=data_dir,
        rpc_urls=urls,
        relayer_key=API_RELAYER_KEY,
        poll_interval_s=0.05,
        **overrides,
    )
    runtime = Runtime(settings)
    runtime.start()
    return runtime
