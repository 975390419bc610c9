"""The node stores keep the `NodeStore` invariants (the same suite on memory and SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from usage import SM3, MerkleTree, NodeStore, SqlNodeStore
from usage.errors import HashLengthMismatch, MissingNode, NodeRunOutOfPlace

A, B, C = b"a" * 32, b"b" * 32, b"c" * 32


def test_levels_grow_at_their_end(store: NodeStore) -> None:
    store.append([(0, 0, [A, B]), (1, 0, [C])])
    store.append([(0, 2, [C])])
    assert store.size() == 3
    assert store.get([(0, 2), (1, 0), (0, 0)]) == [C, C, A]


def test_a_run_out_of_place_writes_nothing(store: NodeStore) -> None:
    store.append([(0, 0, [A])])
    with pytest.raises(NodeRunOutOfPlace) as failed:
        store.append([(0, 1, [B]), (1, 1, [C])])  # level 1 is empty: its run must start at 0
    assert (failed.value.level, failed.value.expected, failed.value.got) == (1, 0, 1)
    assert store.size() == 1
    with pytest.raises(NodeRunOutOfPlace):
        store.append([(0, 0, [B])])  # a node, once written, is never replaced
    assert store.get([(0, 0)]) == [A]


def test_missing_node(store: NodeStore) -> None:
    store.append([(0, 0, [A])])
    with pytest.raises(MissingNode) as failed:
        store.get([(0, 0), (1, 0)])
    assert (failed.value.level, failed.value.index) == (1, 0)


def test_every_full_node_is_stored_once(store: NodeStore) -> None:
    tree = MerkleTree(SM3, store)
    for batch in ([b"0"], [b"1", b"2"], [b"3", b"4", b"5", b"6"], [b"7"], [b"8", b"9", b"10"]):
        tree.append(batch)
    for level in range(5):
        count = 11 >> level
        assert len(store.get([(level, i) for i in range(count)])) == count
        with pytest.raises(MissingNode):
            store.get([(level, count)])
    assert tree.root() == SM3.root([str(i).encode() for i in range(11)])


def test_leaf_hash_of_the_wrong_length(store: NodeStore) -> None:
    tree = MerkleTree(SM3, store)
    with pytest.raises(HashLengthMismatch) as failed:
        tree.append_hashes([A, b"short"])
    assert (failed.value.field, failed.value.expected, failed.value.got) == ("leaf_hashes[1]", 32, 5)
    assert store.size() == 0


def test_sql_store_survives_reopening(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nodes.db'}"
    engine = create_engine(url)
    MerkleTree(SM3, SqlNodeStore(engine)).append([b"x", b"y", b"z"])
    engine.dispose()
    engine = create_engine(url)
    tree = MerkleTree(SM3, SqlNodeStore(engine))
    assert (tree.size, tree.root()) == (3, SM3.root([b"x", b"y", b"z"]))
    engine.dispose()
