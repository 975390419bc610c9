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


def find_split(nodes: list[GethNode]) -> Split | None:
    """The split the nodes' heads show (None when they agree): the fork is the last block the two
    branches share; the kept branch is the one whose first block after it has the lower hash."""
    heads = _heads(nodes)
    if len({head["hash"] for _, _, head in heads}) < 2:
        return None
    (_, rpc_a, head_a) = heads[0]
    other = next((rpc, head) for _, rpc, head in heads if head["hash"] != head_a["hash"])
    rpc_b, head_b = other
    fork = min(int(head_a["number"], 16), int(head_b["number"], 16))
    while fork > 0 and _block(rpc_a, fork)["hash"] != _block(rpc_b, fork)["hash"]:
        fork -= 1
    firsts = {}
    for node, rpc, head in heads:
        if int(head["number"], 16) > fork:
            firsts[node.spec.code] = _block(rpc, fork + 1)["hash"]
    if len(set(firsts.values())) < 2:
        return None  # one branch ahead of nodes that are merely behind: Clique's to resolve
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
