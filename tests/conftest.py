"""One fixture builds a deployed system; each test starts from a clean state.

On the dev nodes (anvil, Hardhat) a test starts from a chain snapshot it reverts. geth has no
`evm_snapshot`: on the geth Clique network each test gets a fresh deployment of the contracts
(under a second), so nothing of another test's contracts is visible to it.
"""

from __future__ import annotations

import os

import pytest
from eth_account import Account

from chain.client import Sender, connect
from chain.deploy import deploy_all
from chain.devkeys import DEV_KEYS, OFFICE_DEV_KEY, RELAYER_DEV_KEY
from chain.node import NODE_KINDS, LocalNode, free_port
from tests.signed_fields import version_sharing
from workdays.publish import calendar_at, publish_years

# Every test chain starts on Monday 2026-03-02 09:00 Asia/Shanghai, whatever today is: deadlines
# (up to 10 working days here) then fall in years the test calendar publishes (2024–2026).
TEST_CHAIN_START = 1772413200
CALENDAR_YEARS = (2024, 2025, 2026)
# A submission's declared approval date (Art. 11), a week before the chain starts.
DECLARED_AT = TEST_CHAIN_START - 7 * 86400

# The suite's node kinds: the two dev nodes, and geth v1.13.15 Clique (network/local.py) sealing on
# demand (period 0: a block as soon as a transaction waits). Measured here: a deployment takes
# 22 s at a 1 s period on four validators, 4 s at period 0 on four, 0.4 s at period 0 on one. On
# four at period 0 an out-of-turn block is often replaced by the in-turn one (a transaction
# reaches the in-turn signer up to 0.5 s late), which tests written for a node whose blocks stay do
# not expect (seen: a sharing apply reverted on-chain after a passing simulation, one run in two;
# likely another sender's earlier transaction left out of the replacing block). So the flow tests
# run on one validator, the engine and its
# limits (fork, gas, 128 KiB transactions, JSON-RPC) as on four; "geth4" is four validators on
# demand, for what needs several (a real fork: tests/chain/test_indexer.py), and tests/network
# runs four at a 1 s period for the faults. Its clock is the wall clock.
GETH, GETH4 = "geth", "geth4"
TEST_NODE_KINDS = (*NODE_KINDS, GETH)
GETH_VALIDATORS = {GETH: 1, GETH4: 4}
# CI runs the chain flows on every kind; a developer may narrow with LEDGER_TEST_NODES=anvil.
TEST_NODES = tuple(k for k in os.environ.get("LEDGER_TEST_NODES", ",".join(TEST_NODE_KINDS)).split(",") if k)
NO_DEV_RPC = "geth has no evm_increaseTime, evm_mine, evm_snapshot: its clock is the wall clock, its forks real"
# The accounts anvil and the Hardhat node fund (mnemonic "test test ... junk"), funded on geth too.
DEV_MNEMONIC, DEV_ACCOUNTS = "test test test test test test test test test test test junk", 10


def pytest_generate_tests(metafunc):
    """`@pytest.mark.every_node`: the test's `system` (and all built on it) once per TEST_NODES."""
    if metafunc.definition.get_closest_marker("every_node") and "system" in metafunc.fixturenames:
        metafunc.parametrize("system", TEST_NODES, indirect=True)


def _geth_network(directory, validators: int):
    """Validators on loopback sealing on demand; skipped (failed in CI) when scripts/setup has not
    built geth."""
    from network.errors import GethNotFound
    from network.geth import geth_binary
    from network.local import LocalNetwork

    try:
        binary = geth_binary()
    except GethNotFound as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must build geth (scripts/setup): {exc}")
        pytest.skip(f"geth v1.13.15 not built: {exc}")
    Account.enable_unaudited_hdwallet_features()
    paths = (f"m/44'/60'/0'/0/{i}" for i in range(DEV_ACCOUNTS))
    funded = {Account.from_mnemonic(DEV_MNEMONIC, account_path=p).address: 10**24 for p in paths}
    assert {Account.from_key(k).address for k in DEV_KEYS} <= set(funded)
    return LocalNetwork(directory, funded, validators=validators, period=0, geth=binary).start()


@pytest.fixture(scope="session")
def node_factory(tmp_path_factory):
    started: dict = {}

    def get(kind: str):
        if kind not in started:
            directory = tmp_path_factory.mktemp(kind)
            if kind in GETH_VALIDATORS:
                started[kind] = _geth_network(directory, GETH_VALIDATORS[kind])
            else:
                started[kind] = LocalNode(kind, directory, free_port(), start_time=TEST_CHAIN_START).start()
        return started[kind]

    yield get
    for node in started.values():
        node.stop()


class System:
    """A node with the contracts deployed, the Office's and the relayer's senders."""

    def __init__(self, node) -> None:
        self.node = node
        self.kind = node.kind
        self.w3 = connect(node.url)
        self.office = Sender.from_key(self.w3, OFFICE_DEV_KEY)
        self.relayer = Sender.from_key(self.w3, RELAYER_DEV_KEY)
        self.deployment = deploy_all(self.office)
        calendar = calendar_at(self.w3, self.deployment.calendar)
        if self.kind in GETH_VALIDATORS:  # the wall clock's years (a provisional one where no package has it yet)
            from ledger_cli.demo import publish_demo_calendar

            publish_demo_calendar(self.office, calendar, self.w3.eth.get_block("latest")["timestamp"])
        else:
            publish_years(self.office, calendar, CALENDAR_YEARS)

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
def system(request, _systems, node_factory):
    """A deployed system on anvil, reverted to its deployed state after the test; with
    `@pytest.mark.every_node`, once per supported node."""
    yield from _clean_system(request, getattr(request, "param", "anvil"), _systems, node_factory)


@pytest.fixture(params=TEST_NODES)
def any_system(request, _systems, node_factory):
    """The same, once per supported node (anvil, the Hardhat node, the geth network)."""
    yield from _clean_system(request, request.param, _systems, node_factory)


def _clean_system(request, kind: str, systems, node_factory):
    """`@pytest.mark.dev_rpc` tests (they move the clock, mine or revert) are skipped on geth."""
    if kind in GETH_VALIDATORS:
        if request.node.get_closest_marker("dev_rpc"):
            pytest.skip(NO_DEV_RPC)
        yield System(node_factory(kind))  # a fresh deployment: no snapshots on geth
        return
    yield from _with_snapshot(systems(kind))


def _with_snapshot(system: System):
    snap = system.snapshot()
    try:
        yield system
    finally:
        system.revert(snap)


# --- officers -----------------------------------------------------------------------------

from chain.actions import (  # noqa: E402
    ActionKind,
    CatalogAction,
    SharingAttribute,
    fresh_nonce,
    sign_action,
    unit_id_for,
)
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

    def action(
        self,
        kind: ActionKind,
        entry_id: bytes,
        document: bytes,
        *,
        version: int = 0,
        reason_code: int = 0,
        nonce: int | None = None,
        declared_at: int | None = None,
        sharing: SharingAttribute | None = None,
        responsibility: bytes = bytes(32),
    ) -> CatalogAction:
        if declared_at is None:
            declared_at = DECLARED_AT if kind == ActionKind.SUBMIT else 0
        unsigned = CatalogAction(
            kind,
            entry_id,
            version,
            reason_code,
            document,
            fresh_nonce() if nonce is None else nonce,
            declared_at=declared_at,
            sharing=version_sharing(kind, document) if sharing is None else sharing,
            responsibility=responsibility,
        )
        return sign_action(
            unsigned,
            self.account.key,
            chain_id=self.system.w3.eth.chain_id,
            catalog_address=self.system.deployment.catalog,
        )


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
        self.system.office.send(self.registry.functions.registerUnit(code, UNIT_KINDS[kind], name))
        return self.add_officer(unit_id)

    def add_officer(self, unit_id: bytes, sm2_public_key: bytes = b"") -> Officer:
        account = Account.create()
        self.system.office.send(self.registry.functions.registerOfficer(unit_id, account.address, sm2_public_key))
        return Officer(self.system, unit_id, account)


@pytest.fixture
def units(system) -> Units:
    return Units(system)


# --- PostgreSQL -----------------------------------------------------------------------------

import itertools  # noqa: E402
import pwd  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import psycopg  # noqa: E402

POSTGRES_BIN_DIRS = Path("/usr/lib/postgresql")


def _postgres_bin_dir() -> Path | None:
    """The newest Debian-installed PostgreSQL server's bin directory, if any."""
    found = [p.parent for p in POSTGRES_BIN_DIRS.glob("*/bin/initdb")]
    return max(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, default=None)


class PostgresServer:
    """A throwaway cluster for one test session: trust auth on 127.0.0.1 only, durability off.

    initdb refuses to run as root, so as root the cluster belongs to the `postgres` OS user, in a
    directory of its own (pytest's tmp dirs are root-only, 0700).
    """

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="ledger-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            account = pwd.getpwnam("postgres")  # Debian's postgresql package creates it
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self._names = itertools.count(1)
        self._admin = None
        self._running = False

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [*self.as_user, str(self.bin_dir / args[0]), *args[1:]], cwd=self.root, capture_output=True, text=True
        )
        if done.returncode != 0:
            log = self.root / "server.log"
            raise RuntimeError(
                f"{args[0]} failed ({done.returncode}): {done.stderr.strip()}"
                + (f"\n{log.read_text()}" if log.exists() else "")
            )

    def start(self) -> "PostgresServer":
        self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"
        )
        # Nothing here outlives the session, so nothing needs to survive a crash: no fsync.
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "30",
            "start",
        )
        self._running = True
        self._admin = psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        )
        return self

    def new_database(self) -> str:
        """The SQLAlchemy URL of a new, empty database.

        It collates text linguistically (ICU's root locale), as a production database usually
        does, not bytewise as SQLite does: an order that differs between the two shows up here.
        """
        name = f"test_{next(self._names)}"
        self._admin.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'und' LOCALE 'C'"
        )
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
        try:
            if self._running:  # fast: open connections are ended, not waited for
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url():
    """Call it for the URL of a fresh database on a real PostgreSQL server started once per session.

    The server binaries are required (scripts/setup installs them for CI): without them this
    fails rather than skips, unless LEDGER_SKIP_POSTGRES=1 says to skip the PostgreSQL runs.
    """
    if os.environ.get("LEDGER_SKIP_POSTGRES") == "1":
        pytest.skip("LEDGER_SKIP_POSTGRES=1: PostgreSQL runs skipped")
    bin_dir = _postgres_bin_dir()
    if bin_dir is None:
        pytest.fail(
            f"no PostgreSQL server under {POSTGRES_BIN_DIRS}/*/bin: run LEDGER_WITH_POSTGRES=1 scripts/setup "
            "(or set LEDGER_SKIP_POSTGRES=1 to skip the PostgreSQL runs)",
            pytrace=False,
        )
    server = PostgresServer(bin_dir)
    try:
        server.start()
        yield server.new_database
    finally:
        server.stop()
