"""network/heal.find_split on real nodes: three anvil chains from one genesis, which share blocks
and then part, stand in for validators after a partition (a split needs no geth to be found; the
rewind itself, over geth's IPC, is exercised by tests/network/test_partition.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chain.node import LocalNode, free_port
from chain.rpc import RpcClient
from network.heal import find_split, heal
from network.manifest import NodeSpec
from network.nodes import GethNode

GENESIS_TIME = 1_800_000_000
SHARED = 5  # blocks every node holds before the branches part


@pytest.fixture
def anvils(tmp_path):
    started = []
    try:
        for i in range(3):
            started.append(LocalNode("anvil", tmp_path / f"n{i}", port=free_port(), start_time=GENESIS_TIME).start())
        yield started
    finally:
        for node in started:
            node.stop(hard=True)


def _as_validator(node: LocalNode, index: int) -> GethNode:
    spec = NodeSpec(index, f"ORG{index}", f"Org {index}", "0x" + "00" * 20, 0, node.port, 0, "enode://x@127.0.0.1:0")
    return GethNode(spec, node.data_dir, Path("geth"), 31337)


def _mine(node: LocalNode, timestamp: int) -> str:
    rpc = RpcClient([node.url])
    rpc.call("evm_mine", [timestamp])
    return rpc.call("eth_getBlockByNumber", ["latest", False])["hash"]


def test_agreeing_nodes_and_a_node_merely_behind_are_no_split(anvils):
    validators = [_as_validator(n, i) for i, n in enumerate(anvils)]
    for k in range(1, SHARED + 1):
        assert len({_mine(n, GENESIS_TIME + 5 * k) for n in anvils}) == 1  # one genesis, the same blocks
    assert find_split(validators) is None
    _mine(anvils[0], GENESIS_TIME + 100)  # one node ahead on the same branch: Clique's to resolve
    _mine(anvils[1], GENESIS_TIME + 100)
    assert find_split(validators) is None
    # heal() leaves it alone too, without touching a node.
    assert heal(validators, still_s=0.2, poll_s=0.1) is None


def test_two_branches_keep_the_lower_first_hash_and_rewind_the_other_side(anvils):
    validators = [_as_validator(n, i) for i, n in enumerate(anvils)]
    for k in range(1, SHARED + 1):
        for n in anvils:
            _mine(n, GENESIS_TIME + 5 * k)
    # Nodes 0 and 1 take one branch (node 1 a block behind), node 2 another.
    first_a = _mine(anvils[0], GENESIS_TIME + 100)
    assert _mine(anvils[1], GENESIS_TIME + 100) == first_a
    _mine(anvils[0], GENESIS_TIME + 105)
    first_b = _mine(anvils[2], GENESIS_TIME + 200)
    assert first_a != first_b

    split = find_split(validators)

    assert split is not None and split.fork == SHARED
    assert split.kept == min(first_a, first_b)
    assert split.rewound == (("ORG2",) if split.kept == first_a else ("ORG0", "ORG1"))
    # Every organisation computes the same, whichever node it asks first.
    other = find_split(list(reversed(validators)))
    assert (other.fork, other.kept, set(other.rewound)) == (split.fork, split.kept, set(split.rewound))


def test_a_side_split_in_two_above_the_fork_still_gives_the_lowest_fork(anvils):
    """Two out-of-turn blocks at one height can part a side's own nodes too: the split acted on
    first is the lowest, where the two sides part; the side's own split is the next round's."""
    validators = [_as_validator(n, i) for i, n in enumerate(anvils)]
    for k in range(1, SHARED + 1):
        for n in anvils:
            _mine(n, GENESIS_TIME + 5 * k)
    first_a = _mine(anvils[0], GENESIS_TIME + 100)
    assert _mine(anvils[1], GENESIS_TIME + 100) == first_a
    _mine(anvils[0], GENESIS_TIME + 110)  # side A's nodes part one block above the fork
    _mine(anvils[1], GENESIS_TIME + 120)
    first_b = _mine(anvils[2], GENESIS_TIME + 200)

    split = find_split(validators)

    assert split is not None and split.fork == SHARED
    assert split.kept == min(first_a, first_b)
    assert set(split.rewound) == ({"ORG2"} if split.kept == first_a else {"ORG0", "ORG1"})
