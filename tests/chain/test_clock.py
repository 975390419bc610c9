"""chain.clock: the chain's time from the latest block, re-read after its ttl; `cached` never asks the node."""

from __future__ import annotations

from chain.clock import ChainClock


class CountingRpc:
    """A node whose latest block is at `timestamp`; counts the reads."""

    def __init__(self, timestamp: int) -> None:
        self.timestamp, self.calls = timestamp, 0

    def call(self, method: str, params: list) -> dict:
        assert (method, params) == ("eth_getBlockByNumber", ["latest", False])
        self.calls += 1
        return {"timestamp": hex(self.timestamp)}


def test_now_reads_the_block_once_per_ttl_and_cached_never_reads_it():
    rpc = CountingRpc(1_772_416_800)
    clock = ChainClock(rpc, ttl_s=60)
    assert clock.cached() is None and rpc.calls == 0  # nothing read yet: the caller must read
    assert clock.now() == 1_772_416_800 and rpc.calls == 1
    rpc.timestamp += 5
    assert clock.now() == clock.cached() == 1_772_416_800 and rpc.calls == 1  # within the ttl: no read


def test_cached_is_none_once_the_ttl_has_passed():
    rpc = CountingRpc(1_772_416_800)
    clock = ChainClock(rpc, ttl_s=0)
    assert clock.now() == 1_772_416_800
    assert clock.cached() is None  # stale at once: a loop caller hands the read to a thread
