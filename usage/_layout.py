"""Which full-subtree nodes make up a root or a proof: the arithmetic, no hashing, no storage.

A node (level, index) is the hash of the full subtree over leaves [index * 2**level,
(index + 1) * 2**level). In a tree of size n, a node is *full* when that range lies within
[0, n); full nodes never change as the tree grows, so a store of them serves roots and proofs
of every past size. A range that does not end on a power-of-two boundary (the right border of
a tree) is *ephemeral*: its hash is folded from the full nodes of its binary decomposition.
"""

from __future__ import annotations

Node = tuple[int, int]  # (level, index)

# One proof element: the nodes to fold right to left (one node when the sibling is full).
Plan = list[list[Node]]


def range_nodes(start: int, end: int) -> list[Node]:
    """The full nodes covering [start, end), largest first, for a ``start`` aligned to their sizes.

    Precondition: start is a multiple of the largest power of two not above end - start (true
    of every right sibling on a proof path, and of 0).
    """
    nodes: list[Node] = []
    width = end - start
    for level in range(width.bit_length() - 1, -1, -1):
        if width >> level & 1:
            nodes.append((level, start >> level))
            start += 1 << level
    return nodes


def _path(level: int, index: int, size: int) -> Plan:
    """RFC 9162 PATH of node (level, index) in the tree of ``size`` leaves, bottom up.

    Below the level where the paths to ``index`` and to the last node diverge ("inner"), the
    siblings sit inside a full subtree; at that level the sibling is the right border's
    ephemeral range; above it ("border"), a sibling exists only where the path turns left.
    """
    last = (size - 1) >> level
    inner = (index ^ last).bit_length()
    plan: Plan = [[(level + k, (index >> k) ^ 1)] for k in range(inner - 1)]
    if inner:
        k = inner - 1
        plan.append(range_nodes(((index >> k) + 1) << (level + k), size))
    k = inner
    while index >> k:
        if index >> k & 1:
            plan.append([(level + k, (index >> k) - 1)])
        k += 1
    return plan


def inclusion_plan(index: int, size: int) -> Plan:
    """The nodes of the inclusion proof of leaf ``index`` in the tree of ``size`` leaves (0 <= index < size)."""
    return _path(0, index, size)


def consistency_plan(first: int, second: int) -> Plan:
    """The nodes of the consistency proof from size ``first`` to ``second`` (0 < first <= second).

    RFC 9162 SUBPROOF unrolled: the proof is the inclusion path, in the larger tree, of the
    largest full node ending at ``first``, preceded by that node itself unless it is the whole
    first tree (a power of two), whose root the verifier already holds.
    """
    if first == second:
        return []
    level = (first & -first).bit_length() - 1  # trailing zeros
    index = (first - 1) >> level
    head: Plan = [[(level, index)]] if index else []
    return head + _path(level, index, second)


def inclusion_length(index: int, size: int) -> int:
    """How many hashes the inclusion proof of ``index`` in a tree of ``size`` has (0 <= index < size)."""
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def consistency_length(first: int, second: int) -> int:
    """How many hashes the consistency proof from ``first`` to ``second`` has (0 < first <= second)."""
    if first == second:
        return 0
    level = (first & -first).bit_length() - 1
    index = (first - 1) >> level
    inner = (index ^ ((second - 1) >> level)).bit_length()
    return (index != 0) + inner + (index >> inner).bit_count()
