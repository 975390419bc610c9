"""Where the tree keeps its full-subtree hashes: the `NodeStore` protocol and an in-memory store.

A tree of n leaves holds, at each level L, exactly the full nodes 0 .. (n >> L) - 1 (about 2n
hashes in all: 64 bytes a leaf with a 32-byte hash). Proofs and roots of every size up to n
are read from these alone, so nothing needs the leaves themselves in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from usage._layout import Node
from usage.errors import MissingNode, NodeRunOutOfPlace

# Nodes appended at one level: (level, index of the first, their hashes in index order).
Run = tuple[int, int, Sequence[bytes]]


class NodeStore(Protocol):
    """What the tree needs from storage.

    Invariants:
    - A node, once written, never changes: it is the hash of a full subtree, which appending
      leaves cannot alter.
    - Each level grows only at its end: a run starts at the level's current node count
      (NodeRunOutOfPlace otherwise), so level L always holds nodes 0 .. count(L) - 1.
    - `append` is atomic: the leaves and the parents they complete are stored together or not
      at all, so the size read back (the count at level 0) always has its parents.
    """

    digest_size: int

    def size(self) -> int:
        """The number of leaves stored (the node count at level 0)."""

    def get(self, nodes: Sequence[Node]) -> list[bytes]:
        """The hashes of ``nodes``, in order; MissingNode for one not stored."""

    def append(self, runs: Sequence[Run]) -> None:
        """Store each run at the end of its level, all or nothing."""


class MemoryNodeStore:
    """A `NodeStore` in one bytearray per level (exactly ``digest_size`` bytes a node, no per-node objects)."""

    def __init__(self, digest_size: int = 32) -> None:
        self.digest_size = digest_size
        self._levels: list[bytearray] = []

    def size(self) -> int:
        return len(self._levels[0]) // self.digest_size if self._levels else 0

    def count(self, level: int) -> int:
        """The number of nodes stored at ``level``."""
        return len(self._levels[level]) // self.digest_size if level < len(self._levels) else 0

    def get(self, nodes: Sequence[Node]) -> list[bytes]:
        d, levels, out = self.digest_size, self._levels, []
        for level, index in nodes:
            if level >= len(levels) or not 0 <= index < len(levels[level]) // d:
                raise MissingNode(level=level, index=index)
            out.append(bytes(levels[level][index * d : (index + 1) * d]))
        return out

    def append(self, runs: Sequence[Run]) -> None:
        for level, first, _hashes in runs:  # check everything before writing anything
            if first != self.count(level):
                raise NodeRunOutOfPlace(level=level, expected=self.count(level), got=first)
        for level, _, hashes in runs:
            while len(self._levels) <= level:
                self._levels.append(bytearray())
            self._levels[level] += b"".join(hashes)

    def nbytes(self) -> int:
        """Bytes of hashes held (what the store costs, beyond a few objects per level)."""
        return sum(len(level) for level in self._levels)
