"""The chain's clock, cheaply: deadlines are judged at the chain's time, never the host's.

Reading the latest block costs a round trip; a gateway asking "may U use R now?" on every
request cannot pay it each time. The clock keeps the latest block's timestamp and adds the
host's elapsed monotonic time since it was read, re-reading after `ttl_s`.
"""

from __future__ import annotations

import threading
import time

from chain.rpc import RpcClient


class ChainClock:
    def __init__(self, rpc: RpcClient, ttl_s: float = 1.0) -> None:
        self.rpc = rpc
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._block_time = 0
        self._read_at = float("-inf")

    def now(self) -> int:
        """The chain's current time in unix seconds (never before the latest block's)."""
        with self._lock:
            elapsed = time.monotonic() - self._read_at
            if elapsed >= self.ttl_s:
                block = self.rpc.call("eth_getBlockByNumber", ["latest", False])
                self._block_time, self._read_at, elapsed = int(block["timestamp"], 16), time.monotonic(), 0.0
            return self._block_time + int(elapsed)

    def cached(self) -> int | None:
        """`now()` when it needs no round trip (read within `ttl_s`), else None: for a caller on
        an event loop, which must not wait on the node."""
        elapsed = time.monotonic() - self._read_at
        return self._block_time + int(elapsed) if elapsed < self.ttl_s else None
