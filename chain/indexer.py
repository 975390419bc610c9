"""Follow the chain into the mirror: bounded block ranges, resumable, reorg-aware.

Each range is read with one `eth_getLogs` over our contracts, decoded by `chain.events`,
and applied by the store in one transaction together with the cursor. On resume the stored
cursor hash is checked against the chain; if the chain has reorganised (or the node came back
from an older state), the mirror is rolled back to the newest block both still agree on.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

from chain.deploy import Deployment
from chain.errors import ChainReorganisingError
from chain.events import EventRecord, decode_log
from chain.rpc import RpcClient
from mirror.store import MirrorStore

log = logging.getLogger(__name__)

DEFAULT_RANGE = 2_000  # the most blocks one eth_getLogs asks for
FIRST_RANGE = 32  # blocks of the first range, before the chain's density is known
EVENTS_PER_RANGE = 1_000


def _next_size(size: int, events: int, most: int) -> int:
    """The next range's size in blocks, aiming at EVENTS_PER_RANGE events, growing at most 4x a step."""
    wanted = size * 4 if events == 0 else size * EVENTS_PER_RANGE // events
    return max(1, min(most, size * 4, wanted))


@dataclass
class SyncReport:
    from_block: int
    to_block: int
    events: int
    rolled_back: int = 0


class Indexer:
    """Moves the mirror from its cursor to the chain head, or `settle_blocks` behind it.

    A local node (anvil, Hardhat) has instant finality: 0. Clique has none: with N signers a block
    is settled once ⌊N/2⌋+1 more are on it (no majority can seal a competing branch past them), so
    the mirror, and every status it confirms, stays that far behind the head; a reorg above that
    depth never reaches it, one below it is still rolled back (`check_fork`)."""

    def __init__(
        self,
        rpc: RpcClient,
        deployment: Deployment,
        store: MirrorStore,
        *,
        block_range: int = DEFAULT_RANGE,
        settle_blocks: int = 0,
    ):
        self.rpc = rpc
        self.deployment = deployment
        self.store = store
        self.block_range = block_range
        self.settle_blocks = settle_blocks
        self.addresses = [
            deployment.registry,
            deployment.catalog,
            deployment.sharing,
            deployment.responsibilities,
            deployment.data_quality,
            deployment.supervision,
        ]

    def node_head(self) -> int:
        return int(self.rpc.call("eth_blockNumber", []), 16)

    def head(self) -> int:
        """The latest settled block: the node's head less the settlement depth."""
        return self.node_head() - self.settle_blocks

    def block_hash(self, number: int) -> str | None:
        block = self.rpc.call("eth_getBlockByNumber", [hex(number), False])
        return block["hash"] if block else None

    def check_fork(self) -> int:
        """Roll the mirror back to the fork point if the chain no longer has its cursor block.

        Returns the number of events undone (0 when the chain agrees with the mirror).
        """
        cursor = self.store.cursor()
        if cursor is None or self.block_hash(cursor[0]) == cursor[1]:
            return 0
        for number, stored_hash in self.store.seen_blocks():
            if number <= cursor[0] and self.block_hash(number) == stored_hash:
                log.warning("chain reorganised: rolling the mirror back to block %d", number)
                return self.store.rollback_to(number, stored_hash)
        log.warning("chain reorganised below every block the mirror knows: rolling back to the deployment")
        return self.store.rollback_to(self.deployment.deploy_block - 1, None)

    def sync(self, *, to_block: int | None = None, progress: Callable[[int, int], None] | None = None) -> SyncReport:
        """Apply every block from the cursor to `to_block` (default: the latest settled block)."""
        cursor = self.store.cursor()
        if cursor is not None and to_block is None:  # the head and the cursor's block: one round trip
            head, block = self.rpc.batch([("eth_blockNumber", []), ("eth_getBlockByNumber", [hex(cursor[0]), False])])
            end, cursor_hash = int(head, 16) - self.settle_blocks, block["hash"] if block else None
            if cursor_hash == cursor[1]:
                if end <= cursor[0]:
                    return SyncReport(cursor[0] + 1, end, 0, 0)  # nothing new: the usual answer while following
                return self._sync_range(cursor[0] + 1, end, progress, rolled_back=0)
        rolled_back = self.check_fork()
        cursor = self.store.cursor()
        start = cursor[0] + 1 if cursor else self.deployment.deploy_block
        end = self.head() if to_block is None else to_block
        return self._sync_range(start, end, progress, rolled_back=rolled_back)

    def _sync_range(
        self, start: int, end: int, progress: Callable[[int, int], None] | None, *, rolled_back: int
    ) -> SyncReport:
        total = 0
        # While one range is applied, the next is read, decoded and prepared (`store.prepare`): the
        # node's answer, that work and the database's writes overlap instead of taking turns.
        # Ranges are still applied strictly in order, and sized to hold about EVENTS_PER_RANGE
        # events (up to `block_range` blocks), so a dense chain still gives the overlap several
        # ranges to work with.
        size = min(self.block_range, FIRST_RANGE)
        if start <= end and end - start < size:  # one range (a follower's usual sync): no prefetch thread
            _, high, events, times, high_hash, prepared = self._fetch(start, end)
            self._apply(events, high, high_hash, times, prepared)
            if progress:
                progress(end - start + 1, end - start + 1)
            return SyncReport(start, end, len(events), rolled_back)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch") as pool:
            upcoming = pool.submit(self._fetch, start, min(start + size - 1, end)) if start <= end else None
            while upcoming is not None:
                low, high, events, times, high_hash, prepared = upcoming.result()
                size = _next_size(size, len(events), self.block_range)
                upcoming = pool.submit(self._fetch, high + 1, min(high + size, end)) if high < end else None
                self._apply(events, high, high_hash, times, prepared)
                total += len(events)
                if progress:
                    progress(high - start + 1, end - start + 1)
        return SyncReport(start, end, total, rolled_back)

    def _apply(self, events, high: int, high_hash: str, times: dict[int, int], prepared) -> None:
        if prepared is None:
            self.store.apply(events, to_block=high, to_block_hash=high_hash, block_times=times)
        else:
            self.store.apply(events, to_block=high, to_block_hash=high_hash, block_times=times, prepared=prepared)

    def rebuild(self, *, progress: Callable[[int, int], None] | None = None) -> SyncReport:
        """Drop the mirror and build it again from the deployment block (what `ledger reindex` does)."""
        self.store.reset()
        with self.store.bulk_load():
            return self.sync(progress=progress)

    def _fetch(self, low: int, high: int):
        """A range read, checked and prepared for the store: all that needs no database, done in
        the prefetch thread while the previous range is written (SQLite and PostgreSQL let go of
        the GIL while they work)."""
        events, times, high_hash = self._consistent_range(low, high, self.read(low, high))
        prepare = getattr(self.store, "prepare", None)
        return low, high, events, times, high_hash, prepare(events, times) if prepare is not None else None

    def read(self, low: int, high: int) -> list[EventRecord]:
        logs = self.rpc.call("eth_getLogs", [{"fromBlock": hex(low), "toBlock": hex(high), "address": self.addresses}])
        return [decode_log(entry) for entry in logs if not entry.get("removed")]

    def _consistent_range(self, low: int, high: int, events: list[EventRecord], attempts: int = 3):
        """The range's events with block timestamps and the hash of `high`, all from one branch.

        Logs and blocks come from two requests; if the chain reorganises between them, an
        event's block hash differs from the block fetched for its number, and the range is read
        again rather than stored half from each branch.
        """
        for _ in range(attempts):
            times, hashes = self._block_facts({e.block_number for e in events}, high)
            if all(hashes[e.block_number] == e.block_hash for e in events):
                return events, times, hashes[high]
            log.warning("blocks %d..%d changed while being read; reading them again", low, high)
            events = self.read(low, high)
        raise ChainReorganisingError(f"blocks {low}..{high} kept changing while being read")

    def _block_facts(self, numbers: set[int], high: int) -> tuple[dict[int, int], dict[int, str]]:
        """Timestamps and hashes of the blocks that hold events and of `high` (one batched request)."""
        wanted = sorted(numbers | {high})
        blocks = self.rpc.batch([("eth_getBlockByNumber", [hex(n), False]) for n in wanted])
        times = {n: int(b["timestamp"], 16) for n, b in zip(wanted, blocks)}
        return times, {n: b["hash"] for n, b in zip(wanted, blocks)}
