"""What the benchmarks share: a fresh node with the system deployed, timing and reporting."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account

from chain.actions import unit_id_for
from chain.client import Sender, connect, contract_at
from chain.deploy import deploy_all, deployment_path
from chain.devkeys import OFFICE_DEV_KEY, RELAYER_DEV_KEY
from chain.node import LocalNode, free_port
from workdays.publish import calendar_at, publish_years

# As in the tests: a chain clock inside the published calendar years, whatever today is.
CHAIN_START = 1772413200  # Monday 2026-03-02 09:00 Asia/Shanghai
CALENDAR_YEARS = (2025, 2026)


@dataclass
class BenchSystem:
    node: LocalNode
    data_dir: Path

    def __post_init__(self) -> None:
        self.w3 = connect(self.node.url)
        self.office = Sender.from_key(self.w3, OFFICE_DEV_KEY)
        self.relayer = Sender.from_key(self.w3, RELAYER_DEV_KEY)
        self.deployment = deploy_all(self.office)
        publish_years(self.office, calendar_at(self.w3, self.deployment.calendar), CALENDAR_YEARS)
        self.deployment.save(deployment_path(self.data_dir, self.w3.eth.chain_id))  # for `ledger serve`
        self.registry = contract_at(self.w3, "UnitRegistry", self.deployment.registry)
        self.catalog = contract_at(self.w3, "Catalog", self.deployment.catalog)

    def close(self) -> None:
        """Stop the node and remove the run's data (a chain, its mirrors: hundreds of MB a run)."""
        self.node.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def register(self, code: str, kind: int, name: str):
        """A unit with one officer account (returned)."""
        unit_id = unit_id_for(code)
        self.office.send(self.registry.functions.registerUnit(code, kind, name))
        officer = Account.create()
        self.office.send(self.registry.functions.registerOfficer(unit_id, officer.address, b""))
        return unit_id, officer


def start_system(kind: str = "anvil") -> BenchSystem:
    data_dir = Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    node = LocalNode(kind, data_dir / "node", free_port(), start_time=CHAIN_START).start()
    return BenchSystem(node, data_dir)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def p(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000


def closed_loop(fn, *, threads: int, seconds: float) -> LoadResult:
    """Call `fn(i)` from `threads` threads for `seconds`; every call timed."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    stop = time.perf_counter() + seconds

    def worker(t: int) -> None:
        i = t
        while time.perf_counter() < stop:
            start = time.perf_counter()
            fn(i)
            latencies[t].append(time.perf_counter() - start)
            i += threads

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    began = time.perf_counter()
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    elapsed = time.perf_counter() - began
    flat = [x for lat in latencies for x in lat]
    return LoadResult(len(flat), elapsed, flat)


def report(title: str, rows: list[tuple[str, str, str, str]]) -> None:
    """Print a table: what, ours, baseline, ratio."""
    print(f"\n== {title}")
    width = max(len(r[0]) for r in rows)
    print(f"{'':{width}}  {'ours':>16}  {'baseline':>16}  {'ratio':>8}")
    for name, ours, base, ratio in rows:
        print(f"{name:{width}}  {ours:>16}  {base:>16}  {ratio:>8}")
