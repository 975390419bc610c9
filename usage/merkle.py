"""An append-only RFC 9162 Merkle tree over a `NodeStore`: roots and proofs of every size it has had.

Appending n leaves writes their hashes and the full parents they complete (O(log n) hashes a
leaf, amortised 1). The tree keeps its compact range (the full nodes of the right border, at
most one a level) so the current root costs one fold of at most log2(n) hashes; a past size's
root or a proof reads O(log n) nodes from the store in one call and hashes only the ephemeral
right-border nodes. Single writer: two trees appending to one store would each check, through
`NodeRunOutOfPlace`, that the other has not moved on, and one would fail.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from usage._layout import Node, consistency_plan, inclusion_plan, range_nodes
from usage.errors import (
    HashLengthMismatch,
    LeafIndexOutOfRange,
    NodeRunOutOfPlace,
    SizeBeyondTree,
    TreeSizesOutOfOrder,
)
from usage.hasher import TreeHasher
from usage.nodes import NodeStore, Run


@dataclass(frozen=True)
class Growth:
    """An append prepared but not yet adopted: the tree's size before and after, the nodes to
    store, and the compact range after."""

    before: int
    size: int
    runs: list[Run]
    frontier: list[bytes]


class MerkleTree:
    """The tree whose full nodes are in ``store``, hashed with ``hasher``.

    Opening a tree over a non-empty store reads its compact range (log2(n) nodes); use
    :meth:`root` against an anchored checkpoint to check the store before trusting it.
    """

    def __init__(self, hasher: TreeHasher, store: NodeStore) -> None:
        if store.digest_size != hasher.digest_size:
            raise HashLengthMismatch(field="store node", expected=hasher.digest_size, got=store.digest_size)
        self.hasher = hasher
        self.store = store
        size = store.size()
        # (size, compact range largest subtree first) in one attribute: a reader on another thread
        # (the anchorer's root) sees one state or the next, never the size of one with the range of another.
        self._state: tuple[int, list[bytes]] = (size, store.get(range_nodes(0, size)))

    @property
    def size(self) -> int:
        """The number of leaves."""
        return self._state[0]

    def append(self, leaves: Iterable[bytes]) -> int:
        """Append leaves (their data: each is hashed as HASH(0x00 || data)); returns the new size."""
        return self.append_hashes([self.hasher.leaf(d) for d in leaves])

    def append_hashes(self, leaf_hashes: Sequence[bytes]) -> int:
        """Append leaves by their leaf hashes (already HASH(0x00 || data)); returns the new size."""
        growth = self.prepare(leaf_hashes)
        if growth.runs:
            self.store.append(growth.runs)
        return self.adopt(growth)

    def prepare(self, leaf_hashes: Sequence[bytes]) -> Growth:
        """The nodes appending ``leaf_hashes`` writes, and the tree after them, without touching
        the store or this tree: the caller stores ``runs`` (in a transaction of its own, as the
        usage intake does beside its records), then :meth:`adopt`s the growth once that has
        committed. Nothing else may append in between (the intake holds its write lock)."""
        for i, h in enumerate(leaf_hashes):
            if len(h) != self.hasher.digest_size:
                raise HashLengthMismatch(field=f"leaf_hashes[{i}]", expected=self.hasher.digest_size, got=len(h))
        before, frontier = self._state
        if not leaf_hashes:
            return Growth(before, before, [], frontier)
        node = self.hasher.node
        runs: list[Run] = []
        level, first, run = 0, before, list(leaf_hashes)
        # Each level's new nodes complete parents pairwise; a run starting at an odd index pairs
        # its first node with the left sibling already stored, which is on the frontier.
        known = {n: h for n, h in zip(range_nodes(0, before), frontier)}
        while run:
            runs.append((level, first, run))
            pairs = [known[(level, first - 1)], *run] if first & 1 else run
            run = [node(pairs[i], pairs[i + 1]) for i in range(0, len(pairs) - 1, 2)]
            level, first = level + 1, first >> 1
        size = before + len(leaf_hashes)
        # The new compact range: each of its nodes is on the old one or among the new runs.
        for lv, start, hashes in runs:  # the last node of a level's run is the only one it can be
            known[(lv, start + len(hashes) - 1)] = hashes[-1]
        return Growth(before, size, runs, [known[n] for n in range_nodes(0, size)])

    def adopt(self, growth: Growth) -> int:
        """Take ``growth`` (from :meth:`prepare`) as stored; returns the new size."""
        if growth.before != self._state[0]:
            raise NodeRunOutOfPlace(level=0, expected=self._state[0], got=growth.before)
        self._state = (growth.size, growth.frontier)
        return growth.size

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (default: all of them)."""
        current, frontier = self._state
        if size is None or size == current:
            return self._fold(frontier)
        self._check_size(size)
        return self._fold(self.store.get(range_nodes(0, size)))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 PATH(index, D[size]): the proof that leaf ``index`` is in the tree of ``size`` leaves."""
        size = self.size if size is None else size
        self._check_size(size)
        if not 0 <= index < size:
            raise LeafIndexOutOfRange(index=index, size=size)
        return self._resolve(inclusion_plan(index, size))

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        """RFC 9162 PROOF(first, D[second]): that the tree of ``second`` leaves extends the one of ``first``."""
        second = self.size if second is None else second
        self._check_size(second)
        if not 0 < first <= second:
            raise TreeSizesOutOfOrder(first=first, second=second)
        return self._resolve(consistency_plan(first, second))

    def leaf_hash(self, index: int) -> bytes:
        """The stored hash of leaf ``index``."""
        if not 0 <= index < self.size:
            raise LeafIndexOutOfRange(index=index, size=self.size)
        return self.store.get([(0, index)])[0]

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise SizeBeyondTree(size=size, tree_size=self.size)

    def _resolve(self, plan: list[list[Node]]) -> list[bytes]:
        """One store read for every node of the plan, then each element folded from its nodes."""
        hashes = iter(self.store.get([n for element in plan for n in element]))
        return [self._fold([next(hashes) for _ in element]) for element in plan]

    def _fold(self, hashes: Sequence[bytes]) -> bytes:
        """The hash of adjacent full subtrees, largest first, as RFC 9162 splits them: right to left."""
        if not hashes:
            return self.hasher.empty_root()
        acc = hashes[-1]
        for h in reversed(hashes[:-1]):
            acc = self.hasher.node(h, acc)
        return acc
