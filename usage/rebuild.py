"""The tree rebuilt from the stored records alone and held against every anchored root.

What the log's operator (or an inspector with a copy of the database) runs to show that the
records on disk are the ones the chain's checkpoints commit to: each record's leaf is hashed
again, the tree is built in memory, and at each anchored size its root must equal the anchored
root. The first checkpoint that differs is reported with the range of records it covers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from usage.hasher import SM3
from usage.merkle import MerkleTree
from usage.nodes import MemoryNodeStore
from usage.sql_log import UsageRecordStore

CHUNK = 20_000


@dataclass
class Rebuilt:
    records: int = 0
    checked: list[int] = field(default_factory=list)  # anchored sizes whose roots matched
    mismatch: tuple[int, str, str] | None = None  # (size, anchored root, rebuilt root)

    @property
    def ok(self) -> bool:
        return self.mismatch is None


def rebuild(records: UsageRecordStore, anchored: list[tuple[int, bytes]]) -> Rebuilt:
    """Rebuild the tree from `records` and check it at each (size, root) of `anchored` (any order).
    Stops at the first mismatch."""
    tree = MerkleTree(SM3, MemoryNodeStore())
    result = Rebuilt()
    targets = sorted(anchored)
    stored = records.size()
    for size, root in targets:
        if size > stored:
            result.mismatch = (size, "0x" + root.hex(), f"only {stored} records stored")
            return result
        while tree.size < size:
            tree.append(records.leaves(tree.size, min(size, tree.size + CHUNK)))
        got = tree.root()
        if got != root:
            result.mismatch = (size, "0x" + root.hex(), "0x" + got.hex())
            result.records = tree.size
            return result
        result.checked.append(size)
    while tree.size < stored:
        tree.append(records.leaves(tree.size, min(stored, tree.size + CHUNK)))
    result.records = tree.size
    return result
