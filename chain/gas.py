"""Gas as the network sets it: the fees from the base fee and the tip the node suggests, the room
from the block gas limit.

Nothing here is a constant of one node: a Clique network's genesis sets its own gas limit and base
fee, its validators their minimum tip (`--miner.gasprice`), and London's base fee moves by up to
12.5 % a block. The readings are kept for `TTL_S` (a relayer sends many batches a second; the
round trips are what this saves) and re-read after it, or at once on `refresh()`.

Transactions are EIP-1559's (type 2): the tip is what the node suggests, the fee cap leaves room
for the base fee to double. A legacy price "twice eth_gasPrice" would pay the whole surplus as
tip; geth's price oracle suggests the tips recent blocks paid, so every such transaction would
raise the next suggestion (seen: a 3 gwei minimum tip suggested at 27 gwei after a deployment),
until a batch's fee passed the node's transaction fee cap (1 ether by default) and was refused.
"""

from __future__ import annotations

import threading
import time

from web3 import Web3

from chain.errors import ChainError

TTL_S = 1.0  # at most one block period of a Clique network here
# Fee cap = base fee × 2 + tip: the base fee may rise 12.5 % a block for five blocks (1.95×)
# before a transaction sent now stops being includable; only the base fee and the tip are paid.
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
        self._base_fee: int | None = 0
        self._tip = 0
        self._block_limit = 0

    def refresh(self) -> None:
        """Read the price and the block gas limit again at the next use (the node changed)."""
        with self._lock:
            self._read_at = float("-inf")

    def _current(self) -> tuple[int | None, int, int]:
        with self._lock:
            if time.monotonic() - self._read_at > self.ttl_s:
                latest = self.w3.eth.get_block("latest")
                self._block_limit = int(latest["gasLimit"])
                # The next block's base fee, the last of eth_feeHistory's (every client of London
                # answers it): the latest block's may not be the next one's basis (anvil keeps its
                # fee schedule across evm_revert).
                next_fee = self.w3.eth.fee_history(1, "latest")["baseFeePerGas"][-1]
                self._base_fee = None if latest.get("baseFeePerGas") is None else int(next_fee)
                # Before London there is no base fee: the tip is the whole (legacy) price.
                self._tip = int(self.w3.eth.gas_price if self._base_fee is None else self.w3.eth.max_priority_fee)
                self._read_at = time.monotonic()
            return self._base_fee, self._tip, self._block_limit

    def fees(self) -> dict[str, int]:
        """The fee fields of a transaction: EIP-1559's cap and tip where the chain has a base fee
        (the tip suggested by the node, the cap with room for the base fee to rise while the
        transaction waits), a legacy `gasPrice` where it has none."""
        base_fee, tip, _ = self._current()
        if base_fee is None:
            return {"gasPrice": tip * PRICE_MARGIN}
        return {"maxFeePerGas": int(base_fee) * PRICE_MARGIN + tip, "maxPriorityFeePerGas": tip}

    def block_limit(self) -> int:
        """The gas limit of the latest block."""
        return self._current()[2]

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
