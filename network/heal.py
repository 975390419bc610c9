"""Two branches of equal weight after a partition: the remedy (go-ethereum#18402).

Clique takes the heavier branch (an in-turn block weighs 2, an out-of-turn one 1). When a healed
partition leaves two branches of equal total difficulty, geth keeps its own head, and each half's
signers have "signed recently" on their own branch, so neither seals again: the network stalls
with two heads (seen here once in a few runs of a 45 s 2|2 cut). The remedy is one rule that every
organisation computes alike from the chain: keep the branch whose first block after the fork has
the lower hash, and rewind each node on the other branch to the fork block (`debug_setHead` over
its owner-only IPC socket). The node then takes the kept branch from its peers, and its signers
seal on it; the transactions of the dropped blocks go back into the pools and are mined again.

`heal` acts only on a stall: several heads, and no head has moved for `still_s` seconds. A node
that is merely behind, or a fork that Clique resolves by weight, is left to Clique.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from chain.rpc import RpcClient
from network.ipc import ipc_call, ipc_path
from network.nodes import GethNode


@dataclass(frozen=True)
class Split:
    """Two branches seen by the nodes: the fork block, the branch kept and the nodes rewound."""

    fork: int
    kept: str  # the hash of the kept branch's first block after the fork
    rewound: tuple[str, ...]  # the codes of the nodes rewound to the fork


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
    """The block where two of the nodes' branches part, if any two have parted."""
    for i, (_, rpc_a, head_a) in enumerate(heads):
        for _, rpc_b, head_b in heads[i + 1 :]:
            lower = min(_number(head_a), _number(head_b))
            fork = _common_ancestor(rpc_a, rpc_b, lower)
            if fork < lower:  # each holds a block the other's branch does not
                return fork
    return None


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


def heal(nodes: list[GethNode], *, still_s: float = 10.0, poll_s: float = 1.0) -> Split | None:
    """Rewind the nodes on the dropped branch of a stalled split to the fork block. Returns the
    split acted on, or None when there is none or the heads moved within `still_s` seconds."""
    before = [head["hash"] for _, _, head in _heads(nodes)]
    deadline = time.monotonic() + still_s
    while time.monotonic() < deadline:
        time.sleep(poll_s)
        if [head["hash"] for _, _, head in _heads(nodes)] != before:
            return None  # the network moves: not stalled
    split = find_split(nodes)
    if split is None:
        return None
    for node in nodes:
        if node.spec.code in split.rewound:
            ipc_call(ipc_path(node.directory), "debug_setHead", [hex(split.fork)])
    return split
