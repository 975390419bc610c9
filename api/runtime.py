"""What a running API holds: the database, the chain connection, the relayer and the follower.

The relayer sends accepted actions from the outbox in batches; the follower runs the indexer.
Both are plain threads (web3 calls block), started and stopped with the app.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Engine

from api.micro_batch import Combiner
from api.settings import Settings
from chain.client import Sender, connect, contract_at
from chain.clock import ChainClock
from chain.deploy import Deployment, deployment_path
from chain.failover import Endpoints
from chain.indexer import Indexer
from chain.rpc import RpcClient
from chain.signed_contracts import SIGNED_CONTRACTS
from mirror.outbox import Relayer
from mirror.sqlite_writer import queue_writers
from mirror.store import SqlMirrorStore
from usage.sql_log import UsageRecordStore
from workdays.publish import calendar_at

log = logging.getLogger(__name__)


def make_engine(url: str, *, sqlite_synchronous: str = "NORMAL") -> Engine:
    """The engine of `url`. On SQLite: WAL, and `sqlite_synchronous` (`LEDGER_SQLITE_SYNCHRONOUS`).

    IMPORTANT: with WAL, NORMAL makes a commit durable against a crash of the process (kill -9:
    the commit is in the write-ahead log, in the operating system's hands) but not against a
    power loss or a kernel crash, which may lose the last commits before a checkpoint; FULL syncs
    the log at every commit and survives those too, at the cost of an fsync per commit. The usage
    log acknowledges a record once committed (docs/DEPLOYMENT.md, "Backups")."""
    if sqlite_synchronous not in ("NORMAL", "FULL"):
        raise ValueError(f"sqlite_synchronous: NORMAL or FULL, got {sqlite_synchronous!r}")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=8)
        queue_writers(engine, timeout=30)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # WAL lets lookups read while the indexer writes
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={sqlite_synchronous}")
            cursor.close()

        return engine
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        # psycopg 3 is the driver the project installs; a bare URL would ask for psycopg2 on SQLAlchemy 2.0.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_size=10, max_overflow=10, pool_pre_ping=True)


# How soon the follower looks again, in the moments after the relayer sent a transaction, when
# it has not found the block yet: the relayer wakes it as it sends, but a local node mines a few
# milliseconds after it answers, so the first look finds nothing, and waiting a whole
# poll_interval_s then was about a fifth of an action's time to confirmation (bench (a), #12).
AFTER_SEND_POLL_S = 0.01


def follower_wait_s(settings: Settings, pending: int, since_send_s: float) -> float:
    """How long the follower waits after a look that found nothing new (a wake cuts it short).

    Quick while our own actions await confirmation, quicker still just after a send; otherwise a
    slow poll catches other writers (the Office's registrations, another API instance).
    """
    if pending == 0:
        return settings.idle_poll_s
    if since_send_s < settings.poll_interval_s:
        return min(settings.poll_interval_s, AFTER_SEND_POLL_S)
    return settings.poll_interval_s


@dataclass
class Runtime:
    settings: Settings
    engine: Engine = field(init=False)
    store: SqlMirrorStore = field(init=False)
    deployment: Deployment = field(init=False)

    def __post_init__(self) -> None:
        s = self.settings
        # One list of nodes for web3 and the raw client, so that both move to the next node together.
        endpoints = Endpoints(s.rpc_endpoints)
        self.w3 = connect(s.rpc_url if len(endpoints.urls) == 1 else endpoints)
        self.chain_id = self.w3.eth.chain_id
        # The deployment first: without one, nothing is created (no data directory, no empty mirror).
        self.deployment = Deployment.load(deployment_path(s.data_dir, self.chain_id), self.w3)
        s.data_dir.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(s.resolved_database_url, sqlite_synchronous=s.sqlite_synchronous)
        self.store = SqlMirrorStore(self.engine)
        self.usage_records = UsageRecordStore(self.engine)  # the usage log (#11): primary data, not derived
        self.usage_intake = Combiner()  # usage batches arriving together share one transaction
        self.catalog = contract_at(self.w3, "Catalog", self.deployment.catalog)
        self.registry = contract_at(self.w3, "UnitRegistry", self.deployment.registry)
        self.sharing = contract_at(self.w3, "Sharing", self.deployment.sharing)
        from api.services.calendar_watch import CalendarWatch  # services import the runtime's module

        self.calendar_watch = CalendarWatch(calendar_at(self.w3, self.deployment.calendar))
        self.rpc = RpcClient(endpoints)
        self.sender = Sender.from_key(self.w3, s.relayer_key.get_secret_value(), rpc=self.rpc)
        # A transaction the dead node never passed on would leave a gap in the relayer's nonces:
        # number them again from the new node's pool (the outbox resends what never landed).
        endpoints.on_switch(lambda _url: self.sender.mark_stale())
        self.clock = ChainClock(self.rpc, s.clock_ttl_s)
        self.auth = self._authenticator()
        self.indexer = Indexer(self.rpc, self.deployment, self.store, settle_blocks=s.settle_blocks)
        self.relayer = Relayer(
            self.store.sessions,
            self.sender,
            {
                "catalog": self.catalog,
                "sharing": self.sharing,
                "responsibilities": contract_at(self.w3, "Responsibilities", self.deployment.responsibilities),
                "data_quality": contract_at(self.w3, "DataQuality", self.deployment.data_quality),
                "supervision": contract_at(self.w3, "Supervision", self.deployment.supervision),
            },
            batch_max=s.batch_max,
            resend_after_s=s.resend_after_s,
        )
        # Concurrent single actions, checked, simulated and stored together (api/services/intake.accept).
        self.intake_batches = {contract: Combiner(overlap=s.intake_overlap) for contract in SIGNED_CONTRACTS}
        # Their stores, group-committed: batches simulated while another is being stored go in the
        # next transaction together (api/services/intake._store_batches).
        self.intake_stores = {contract: Combiner() for contract in SIGNED_CONTRACTS}
        from api.services.usage_anchor import Anchorer, usage_key  # services import the runtime's module

        self.usage_anchor = Anchorer(
            self,
            usage_key(s),
            every=s.usage_checkpoint_records,
            interval_s=s.usage_checkpoint_interval_s,
            stall_s=s.usage_anchor_stall_s,
        )
        self._relayed_at = float("-inf")  # when the relayer last sent a transaction
        self._last_head: str | None = None  # the heartbeat's last look at the chain head
        self._stop = threading.Event()
        self._follower_wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._loops: list[tuple[str, object, float]] = []  # (name, step, pause seconds) added by add_loop

    def _authenticator(self):
        from api.auth.service import Authenticator  # api.auth's dependencies import this module
        from api.services.officer_signatures import sm2_public_key

        s = self.settings
        return Authenticator(
            secret=s.auth_secret.get_secret_value().encode(),
            platform_credential=s.platform_credential.get_secret_value().encode(),
            audience=s.resolved_auth_audience,
            challenge_ttl_s=s.auth_challenge_ttl_s,
            token_ttl_s=s.auth_token_ttl_s,
            rpc=self.rpc,
            engine=self.engine,
            chain_id=self.chain_id,
            registry_address=self.deployment.registry,
            sm2_public_key_of=lambda key_id: sm2_public_key(self, key_id),
        )

    def start(self) -> None:
        """Recover the outbox, catch the mirror up, then start the relayer and the follower."""
        self.indexer.sync()
        self.relayer.recover()
        loops = [("relayer", self._relay, self._relayer_pause), ("follower", self._follow, self._follower_pause)]
        if self.settings.usage_anchor_poll_s > 0:
            seconds = self.settings.usage_anchor_poll_s
            loops.append(("usage-anchor", self.usage_anchor.step, lambda s=seconds: self._stop.wait(s)))
        loops += [(name, step, lambda s=seconds: self._stop.wait(s)) for name, step, seconds in self._loops]
        for name, step, pause in loops:
            thread = threading.Thread(target=self._loop, args=(name, step, pause), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def add_loop(self, name: str, step, pause_s: float) -> None:
        """Run `step()` on a thread of its own from `start` on, pausing `pause_s` whenever it
        reports nothing done (returns False)."""
        self._loops.append((name, step, pause_s))

    def heartbeat(self) -> bool:
        """Mine an empty block when none came since the last call (local nodes only: their clock
        stands still between transactions, and every "now" of the ledger is the chain's)."""
        head = self.rpc.call("eth_blockNumber", [])
        if head == self._last_head:
            self.rpc.call("evm_mine", [])
            log.debug("heartbeat: mined an empty block after %s", head)
        self._last_head = head
        return False

    def stop(self) -> None:
        self._stop.set()
        self.relayer.wake()
        self._follower_wake.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self.engine.dispose()

    def wake_follower(self) -> bool:
        """Have the follower look at the chain now, not at its next poll (an evaluation waits for
        it); False when no follower runs (a runtime not started: tests that sync by hand)."""
        self._follower_wake.set()
        return any(t.name == "follower" and t.is_alive() for t in self._threads)

    def _follow(self) -> bool:
        return self.indexer.sync().events > 0

    def _relay(self) -> bool:
        # Paced: at most one transaction per relay_interval_s; what arrives meanwhile joins it.
        if self._stop.wait(self.settings.relay_interval_s - (time.monotonic() - self._relayed_at)):
            return False
        if self.settings.relay_gather_s:
            # Actions being simulated or stored now go in this transaction, not one of their own:
            # a wait bounded by relay_gather_s, and none when no batch is in progress.
            for combiner in self.intake_batches.values():
                combiner.wait_idle(self.settings.relay_gather_s)
        sent = self.relayer.step()
        if sent:
            self._relayed_at = time.monotonic()
            self._follower_wake.set()  # what the relayer sent, the follower should look for
        return sent

    def _relayer_pause(self) -> None:
        # An accept wakes the relayer at once; the timeout only paces the resend of stale rows.
        self.relayer.wait(self.settings.idle_poll_s)

    def _follower_pause(self) -> None:
        since_send = time.monotonic() - self._relayed_at
        self._follower_wake.wait(follower_wait_s(self.settings, self.relayer.pending(), since_send))
        self._follower_wake.clear()

    def _loop(self, name: str, step, pause) -> None:
        while not self._stop.is_set():
            try:
                busy = step()
            except Exception:  # noqa: BLE001 - a loop must outlive a node hiccup; it is logged
                log.exception("%s step failed; retrying", name)
                busy = False
            if not busy:
                pause()
