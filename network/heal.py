"""Two branches of equal weight after a partition: the remedy (go-ethereum#18402).

Clique takes the heavier branch (an in-turn block weighs 2, an out-of-turn one 1). When a healed
partition leaves two branches of equal total difficulty, geth keeps its own head, and each half's
signers have "signed recently" on their own branch, so neither seals again: the network stalls
with two heads (seen here once in a few runs of a 45 s 2|2 cut). The remedy is one rule that every
organisation computes alike from the chain: keep the branch whose first block after the fork has
the lower hash, and rewind each node on the other branch to the fork block (`debug_setHead` over
its owner-only IPC socket), its sealing stopped meanwhile. The node then takes the kept branch
from its peers, and its signers seal on it; the transactions of the dropped blocks go back into
the pools (sent again by `heal`: geth's rewind keeps none) and are mined again.

`heal` acts only on a stall: several heads, and no head has moved for `still_s` seconds. A node
that is merely behind, or a fork that Clique resolves by weight, is left to Clique.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from chain.rpc import RpcClient, RpcError
from network.errors import NetworkError
from network.ipc import ipc_call, ipc_path
from network.nodes import GethNode


@dataclass(frozen=True)
class Split:
    """Two branches seen by the nodes: the fork block, the branch kept and the nodes rewound."""

    fork: int
    kept: str  # the hash of the kept branch's first block after the fork
    rewound: tuple[str, ...]  # the codes of the nodes rewound to the fork
    resent: int = 0  # transactions of the dropped blocks sent again (those the kept branch lacked)


def _block(rpc: RpcClient, number_or_tag) -> dict:
    tag = number_or_tag if isinstance(number_or_tag, str) else hex(number_or_tag)
    return rpc.call("eth_getBlockByNumber", [tag, False])


def _heads(nodes: list[GethNode]) -> list[tuple[GethNode, RpcClient, dict]]:
    found = []
    for node in nodes:
        rpc = RpcClient([node.spec.rpc_url])
        found.append((node, rpc, _block(rpc, "latest")))
    return found


def _number(block: dict) -> int:
    return int(block["number"], 16)


def _common_ancestor(rpc_a: RpcClient, rpc_b: RpcClient, below: int) -> int:
    """The highest block at or below `below` that the two nodes hold alike."""
    number = below
    while number > 0 and _block(rpc_a, number)["hash"] != _block(rpc_b, number)["hash"]:
        number -= 1
    return number


def _fork(heads: list[tuple[GethNode, RpcClient, dict]]) -> int | None:
    """The lowest block where two of the nodes' branches part, if any two have parted (a side of a
    partition can itself hold two branches: two out-of-turn blocks at one height)."""
    forks = []
    for i, (_, rpc_a, head_a) in enumerate(heads):
        for _, rpc_b, head_b in heads[i + 1 :]:
            lower = min(_number(head_a), _number(head_b))
            fork = _common_ancestor(rpc_a, rpc_b, lower)
            if fork < lower:  # each holds a block the other's branch does not
                forks.append(fork)
    return min(forks, default=None)


def find_split(nodes: list[GethNode]) -> Split | None:
    """The split the nodes' heads show (None when they agree, or when some are merely behind on
    another's branch): the fork is the last block two parted branches share; the kept branch is the
    one whose first block after it has the lower hash."""
    heads = _heads(nodes)
    fork = _fork(heads)
    if fork is None:
        return None
    # Every node past the fork is on one branch or another, named by its first block after it.
    firsts = {node.spec.code: _block(rpc, fork + 1)["hash"] for node, rpc, head in heads if _number(head) > fork}
    kept = min(firsts.values())
    rewound = tuple(code for code, first in firsts.items() if first != kept)
    return Split(fork=fork, kept=kept, rewound=rewound)


def heal(
    nodes: list[GethNode], *, still_s: float = 10.0, poll_s: float = 1.0, take_timeout_s: float = 90.0
) -> Split | None:
    """Rewind the nodes on the dropped branch of a stalled split to the fork block. Returns the
    split acted on, or None when there is none or the heads moved within `still_s` seconds.

    A rewound node's signers may seal again at once (their blocks after the fork are gone), and a
    block of theirs at the fork's height would start a third branch, which could outweigh the kept
    one: so their sealing stops (`miner_stop`) until each has taken the kept branch from its peers
    (geth's sync cycle is 10 s), then starts again. Raises NetworkError when one has not taken it
    within `take_timeout_s` (its sealing is started again all the same)."""
    before = [head["hash"] for _, _, head in _heads(nodes)]
    deadline = time.monotonic() + still_s
    while time.monotonic() < deadline:
        time.sleep(poll_s)
        if [head["hash"] for _, _, head in _heads(nodes)] != before:
            return None  # the network moves: not stalled
    split = find_split(nodes)
    if split is None:
        return None
    rewound = [node for node in nodes if node.spec.code in split.rewound]
    # geth does not put a rewound block's transactions back into its pool (unlike a reorg by
    # weight: core/txpool/legacypool reset, "Skipping transaction reset caused by setHead"), so
    # they are read first and sent again once the node holds the kept branch.
    dropped = _dropped_transactions(rewound, split.fork)
    for node in rewound:
        ipc_call(ipc_path(node.directory), "miner_stop", [])
    try:
        for node in rewound:
            ipc_call(ipc_path(node.directory), "debug_setHead", [hex(split.fork)])
        _wait_on_kept(rewound, split, take_timeout_s, poll_s)
        resent = _send_again(rewound, dropped)
    finally:
        for node in rewound:
            ipc_call(ipc_path(node.directory), "miner_start", [])
    return replace(split, resent=resent)


def _dropped_transactions(rewound: list[GethNode], fork: int) -> list[str]:
    """The signed transactions (raw) of every block the rewound nodes hold past the fork."""
    raw: dict[str, str] = {}
    for node in rewound:
        rpc = RpcClient([node.spec.rpc_url])
        for number in range(fork + 1, _number(_block(rpc, "latest")) + 1):
            for tx_hash in _block(rpc, number)["transactions"]:
                raw.setdefault(tx_hash, rpc.call("eth_getRawTransactionByHash", [tx_hash]))
    return list(raw.values())


def _send_again(rewound: list[GethNode], raw_transactions: list[str]) -> int:
    """Send the dropped transactions to a rewound node, now on the kept branch; how many it took
    (one the kept branch holds too is refused as known or as a used nonce, one whose nonce another
    pending transaction took as underpriced: each skipped)."""
    if not rewound:
        return 0
    rpc = RpcClient([rewound[0].spec.rpc_url])
    taken = 0
    for raw in raw_transactions:
        try:
            rpc.call("eth_sendRawTransaction", [raw])
            taken += 1
        except RpcError as exc:
            if not any(known in str(exc) for known in ("nonce too low", "already known", "underpriced")):
                raise NetworkError(f"a transaction of the dropped branch was refused when sent again: {exc}") from exc
    return taken


def _wait_on_kept(rewound: list[GethNode], split: Split, timeout_s: float, poll_s: float) -> None:
    """Until every rewound node holds the kept branch's first block after the fork."""
    deadline = time.monotonic() + timeout_s
    waiting = list(rewound)
    while waiting:
        waiting = [
            n for n in waiting if (_block(RpcClient([n.spec.rpc_url]), split.fork + 1) or {}).get("hash") != split.kept
        ]
        if not waiting:
            return
        if time.monotonic() > deadline:
            raise NetworkError(
                f"{', '.join(n.spec.code for n in waiting)} did not take the kept branch ({split.kept[:10]}) from its "
                f"peers within {timeout_s:.0f} s of the rewind: check their peers (`ledger network status`)"
            )
        time.sleep(poll_s)
