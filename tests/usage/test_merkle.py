"""The tree against RFC 6962's reference vectors (SHA-256), on each node store."""

from __future__ import annotations

import pytest

from tests.usage.conftest import hexes, load_vector
from usage import SHA256, MerkleTree, NodeStore
from usage.errors import LeafIndexOutOfRange, SizeBeyondTree, TreeSizesOutOfOrder

RFC = load_vector("merkle-rfc6962-sha256.json")
LEAVES = hexes(RFC["leaves"])
ROOTS = {int(size): bytes.fromhex(root) for size, root in RFC["roots"].items()}
EMPTY_ROOT = bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")  # SHA-256("")


@pytest.fixture
def tree(store: NodeStore) -> MerkleTree:
    """The 8-leaf reference tree, appended one leaf at a time."""
    tree = MerkleTree(SHA256, store)
    for leaf in LEAVES:
        tree.append([leaf])
    return tree


def test_empty_tree_root_is_hash_of_empty_string(store: NodeStore) -> None:
    tree = MerkleTree(SHA256, store)
    assert (tree.size, tree.root()) == (0, EMPTY_ROOT)


def test_root_after_each_append_is_the_reference_root(store: NodeStore) -> None:
    tree = MerkleTree(SHA256, store)
    for size, leaf in enumerate(LEAVES, start=1):
        assert tree.append([leaf]) == size
        assert tree.root() == ROOTS[size]


def test_root_of_every_past_size(tree: MerkleTree) -> None:
    assert [tree.root(size) for size in range(1, 9)] == [ROOTS[size] for size in range(1, 9)]
    assert tree.root(0) == EMPTY_ROOT


def test_reference_roots_from_the_definition() -> None:
    assert [SHA256.root(LEAVES[:size]) for size in range(1, 9)] == [ROOTS[size] for size in range(1, 9)]


@pytest.mark.parametrize("split", [1, 3, 5, 7])
def test_batch_append_builds_the_same_tree(store: NodeStore, split: int) -> None:
    tree = MerkleTree(SHA256, store)
    tree.append(LEAVES[:split])
    tree.append(LEAVES[split:])
    assert [tree.root(size) for size in range(1, 9)] == [ROOTS[size] for size in range(1, 9)]


@pytest.mark.parametrize("vector", RFC["inclusion"], ids=lambda v: f"leaf{v['leaf_index']}-of-{v['tree_size']}")
def test_reference_inclusion_proofs(tree: MerkleTree, vector: dict) -> None:
    assert tree.inclusion_proof(vector["leaf_index"], vector["tree_size"]) == hexes(vector["proof"])


@pytest.mark.parametrize("vector", RFC["consistency"], ids=lambda v: f"{v['first']}-to-{v['second']}")
def test_reference_consistency_proofs(tree: MerkleTree, vector: dict) -> None:
    assert tree.consistency_proof(vector["first"], vector["second"]) == hexes(vector["proof"])


def test_reopened_tree_continues_where_the_store_ended(store: NodeStore) -> None:
    MerkleTree(SHA256, store).append(LEAVES[:5])
    reopened = MerkleTree(SHA256, store)
    assert (reopened.size, reopened.root()) == (5, ROOTS[5])
    reopened.append(LEAVES[5:])
    assert reopened.root() == ROOTS[8]
    assert reopened.leaf_hash(7) == SHA256.leaf(LEAVES[7])


def test_proofs_beyond_the_tree_are_refused(tree: MerkleTree) -> None:
    with pytest.raises(SizeBeyondTree) as beyond:
        tree.inclusion_proof(0, 9)
    assert (beyond.value.size, beyond.value.tree_size) == (9, 8)
    with pytest.raises(LeafIndexOutOfRange) as index:
        tree.inclusion_proof(5, 5)
    assert (index.value.index, index.value.size) == (5, 5)
    with pytest.raises(TreeSizesOutOfOrder) as order:
        tree.consistency_proof(6, 5)
    assert (order.value.first, order.value.second) == (6, 5)
    with pytest.raises(TreeSizesOutOfOrder):
        tree.consistency_proof(0, 5)
    with pytest.raises(SizeBeyondTree):
        tree.root(9)
