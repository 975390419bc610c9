"""Gas as the network sets it: the price from `eth_gasPrice`, the room from the block gas limit.

Nothing here is a constant of one node: a Clique network's genesis sets its own gas limit and base
fee, its validators their minimum tip (`--miner.gasprice`), and London's base fee moves by up to
12.5 % a block. Both readings are kept for `TTL_S` (a relayer sends many batches a second; the
price of one round trip each is what this saves) and re-read after it, or at once on `refresh()`.
"""

from __future__ import annotations

import threading
import time

from web3 import Web3

from chain.errors import ChainError

TTL_S = 1.0  # at most one block period of a Clique network here
# Offered price = eth_gasPrice × 2: the base fee may rise 12.5 % a block for five blocks (1.95×)
# before a transaction sent now stops being includable; the validators take only what is due.
PRICE_MARGIN = 2
# One transaction takes at most 5/6 of a block (50M of the local nodes' 60M), so a full batch
# never waits for an empty block and another sender's transaction still fits beside it.
BLOCK_SHARE = (5, 6)
# An estimate runs the call on the node's head: the state it runs on when mined may differ.
ESTIMATE_MARGIN, ESTIMATE_EXTRA = 1.2, 10_000


class GasLimitExceeded(ChainError):
    """Raised when a transaction needs more gas than one block of this network holds."""

    def __init__(self, needed: int, block_limit: int) -> None:
        super().__init__(f"the transaction needs {needed} gas, more than a block of this network holds ({block_limit})")
        self.needed, self.block_limit = needed, block_limit


class NetworkGas:
    """The gas price to offer and the gas one transaction may take, read from the node of `w3`."""

    def __init__(self, w3: Web3, ttl_s: float = TTL_S) -> None:
        self.w3, self.ttl_s = w3, ttl_s
        self._lock = threading.Lock()
        self._read_at = float("-inf")
        self._price = 0
        self._block_limit = 0

    def refresh(self) -> None:
        """Read the price and the block gas limit again at the next use (the node changed)."""
        with self._lock:
            self._read_at = float("-inf")

    def _current(self) -> tuple[int, int]:
        with self._lock:
            if time.monotonic() - self._read_at > self.ttl_s:
                self._price = int(self.w3.eth.gas_price)
                self._block_limit = int(self.w3.eth.get_block("latest")["gasLimit"])
                self._read_at = time.monotonic()
            return self._price, self._block_limit

    def price(self) -> int:
        """The gas price to offer: the node's `eth_gasPrice` (base fee and the tip validators
        take) with room for the base fee to rise while the transaction waits."""
        return self._current()[0] * PRICE_MARGIN

    def block_limit(self) -> int:
        """The gas limit of the latest block."""
        return self._current()[1]

    def budget(self) -> int:
        """The most gas one transaction of ours may take: a share of the block gas limit."""
        share, of = BLOCK_SHARE
        return self.block_limit() * share // of

    def limit_for(self, estimate: int) -> int:
        """The gas limit for a call the node estimated at `estimate`, with a margin. Raises
        GasLimitExceeded when even the estimate does not fit a block."""
        limit = int(estimate * ESTIMATE_MARGIN) + ESTIMATE_EXTRA
        block_limit = self.block_limit()
        if estimate > block_limit:
            raise GasLimitExceeded(estimate, block_limit)
        return min(limit, block_limit)
