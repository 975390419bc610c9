"""Proof verification: transparency-dev/merkle's probes, named failures with their values, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.usage.conftest import hexes, load_vector
from usage import SHA256, SM3, MemoryNodeStore, MerkleTree, verify_consistency, verify_inclusion
from usage import errors as usage_errors
from usage.errors import HashLengthMismatch, LeafIndexOutOfRange, ProofLengthMismatch, RootMismatch

INCLUSION = load_vector("merkle-inclusion-probes.json")["cases"]
CONSISTENCY = load_vector("merkle-consistency-probes.json")["cases"]
RFC = load_vector("merkle-rfc6962-sha256.json")
LEAVES = hexes(RFC["leaves"])
ROOT = {int(size): bytes.fromhex(root) for size, root in RFC["roots"].items()}


def _check(case: dict, verify) -> None:
    if case["error"] is None:
        assert verify() is None
        return
    with pytest.raises(getattr(usage_errors, case["error"])):
        verify()


@pytest.mark.parametrize("case", INCLUSION, ids=[c["name"] for c in INCLUSION])
def test_inclusion_probe(case: dict) -> None:
    assert (case["error"] is not None) == case["want_error"]  # our verdict is upstream's
    _check(
        case,
        lambda: verify_inclusion(
            SHA256,
            index=case["leaf_index"],
            size=case["tree_size"],
            leaf_hash=bytes.fromhex(case["leaf_hash"]),
            proof=hexes(case["proof"]),
            root=bytes.fromhex(case["root"]),
        ),
    )


@pytest.mark.parametrize("case", CONSISTENCY, ids=[c["name"] for c in CONSISTENCY])
def test_consistency_probe(case: dict) -> None:
    assert (case["error"] is not None) == case["want_error"]
    _check(
        case,
        lambda: verify_consistency(
            SHA256,
            first=case["first"],
            second=case["second"],
            first_root=bytes.fromhex(case["first_root"]),
            second_root=bytes.fromhex(case["second_root"]),
            proof=hexes(case["proof"]),
        ),
    )


# --- named failures, with the values each error carries ----------------------------------

LEAF5 = SHA256.leaf(LEAVES[5])
PROOF5 = hexes(next(v for v in RFC["inclusion"] if v["leaf_index"] == 5)["proof"])  # leaf 5 of 8
PROOF_6_8 = hexes(next(v for v in RFC["consistency"] if (v["first"], v["second"]) == (6, 8))["proof"])


def _flip(proof: list[bytes], element: int, bit: int) -> list[bytes]:
    changed = bytearray(proof[element])
    changed[bit // 8] ^= 1 << (bit % 8)
    return [*proof[:element], bytes(changed), *proof[element + 1 :]]


def test_reference_inclusion_proof_holds() -> None:
    assert verify_inclusion(SHA256, index=5, size=8, leaf_hash=LEAF5, proof=PROOF5, root=ROOT[8]) is None


@pytest.mark.parametrize("element", [0, 1, 2])
def test_inclusion_modified_proof_bit(element: int) -> None:
    with pytest.raises(RootMismatch) as failed:
        verify_inclusion(SHA256, index=5, size=8, leaf_hash=LEAF5, proof=_flip(PROOF5, element, 4), root=ROOT[8])
    assert failed.value.which == "tree"
    assert failed.value.expected == ROOT[8] and failed.value.got != ROOT[8]


def test_inclusion_wrong_index() -> None:
    with pytest.raises(RootMismatch):
        verify_inclusion(SHA256, index=4, size=8, leaf_hash=LEAF5, proof=PROOF5, root=ROOT[8])


def test_inclusion_index_beyond_size() -> None:
    with pytest.raises(LeafIndexOutOfRange) as failed:
        verify_inclusion(SHA256, index=8, size=8, leaf_hash=LEAF5, proof=PROOF5, root=ROOT[8])
    assert (failed.value.index, failed.value.size) == (8, 8)


def test_inclusion_wrong_size() -> None:
    with pytest.raises(ProofLengthMismatch) as smaller:
        verify_inclusion(SHA256, index=5, size=6, leaf_hash=LEAF5, proof=PROOF5, root=ROOT[6])
    assert (smaller.value.expected, smaller.value.got) == (2, 3)
    with pytest.raises(RootMismatch) as same_shape:
        verify_inclusion(SHA256, index=5, size=7, leaf_hash=LEAF5, proof=PROOF5, root=ROOT[7])
    assert (same_shape.value.expected, same_shape.value.got) == (ROOT[7], ROOT[8])
    with pytest.raises(ProofLengthMismatch) as failed:
        verify_inclusion(SHA256, index=5, size=16, leaf_hash=LEAF5, proof=PROOF5, root=ROOT[8])
    assert (failed.value.expected, failed.value.got) == (4, 3)


def test_a_proof_binds_the_root_not_the_size() -> None:
    """IMPORTANT for checkpoints: leaf 5's path has the same shape in trees of 7 and 8 leaves (and
    so has the consistency path from 6), so a proof for size 8 also "verifies" for a claimed size 7
    against the size-8 root. A proof shows the leaf under that root; only a checkpoint signing
    (size, root) together ties a size to it, and a verifier must take both from the checkpoint."""
    assert verify_inclusion(SHA256, index=5, size=7, leaf_hash=LEAF5, proof=PROOF5, root=ROOT[8]) is None
    assert (
        verify_consistency(SHA256, first=6, second=7, first_root=ROOT[6], second_root=ROOT[8], proof=PROOF_6_8) is None
    )


def test_inclusion_extra_element() -> None:
    with pytest.raises(ProofLengthMismatch) as failed:
        verify_inclusion(SHA256, index=5, size=8, leaf_hash=LEAF5, proof=[*PROOF5, ROOT[8]], root=ROOT[8])
    assert (failed.value.expected, failed.value.got) == (3, 4)


def test_inclusion_missing_element() -> None:
    with pytest.raises(ProofLengthMismatch) as failed:
        verify_inclusion(SHA256, index=5, size=8, leaf_hash=LEAF5, proof=PROOF5[:-1], root=ROOT[8])
    assert (failed.value.expected, failed.value.got) == (3, 2)


def test_inclusion_truncated_hash() -> None:
    with pytest.raises(HashLengthMismatch) as failed:
        verify_inclusion(SHA256, index=5, size=8, leaf_hash=LEAF5, proof=[*PROOF5[:2], PROOF5[2][:31]], root=ROOT[8])
    assert (failed.value.field, failed.value.expected, failed.value.got) == ("proof[2]", 32, 31)


def test_reference_consistency_proof_holds() -> None:
    assert (
        verify_consistency(SHA256, first=6, second=8, first_root=ROOT[6], second_root=ROOT[8], proof=PROOF_6_8) is None
    )


@pytest.mark.parametrize(("element", "which"), [(0, "first"), (1, "second"), (2, "first")])
def test_consistency_modified_proof_bit(element: int, which: str) -> None:
    # proof[0] (the node (1, 2)) and proof[2] rebuild both roots, the first checked first;
    # proof[1], the right sibling (1, 3), only the second.
    with pytest.raises(RootMismatch) as failed:
        verify_consistency(
            SHA256, first=6, second=8, first_root=ROOT[6], second_root=ROOT[8], proof=_flip(PROOF_6_8, element, 4)
        )
    assert failed.value.which == which


def test_consistency_wrong_size() -> None:
    with pytest.raises(RootMismatch) as failed:
        verify_consistency(SHA256, first=6, second=7, first_root=ROOT[6], second_root=ROOT[7], proof=PROOF_6_8)
    assert (failed.value.which, failed.value.expected, failed.value.got) == ("second", ROOT[7], ROOT[8])
    with pytest.raises(ProofLengthMismatch) as short:
        verify_consistency(SHA256, first=4, second=8, first_root=ROOT[4], second_root=ROOT[8], proof=PROOF_6_8)
    assert (short.value.expected, short.value.got) == (1, 3)


def test_consistency_extra_and_missing_element() -> None:
    with pytest.raises(ProofLengthMismatch) as extra:
        verify_consistency(
            SHA256, first=6, second=8, first_root=ROOT[6], second_root=ROOT[8], proof=[*PROOF_6_8, ROOT[8]]
        )
    assert (extra.value.expected, extra.value.got) == (3, 4)
    with pytest.raises(ProofLengthMismatch) as missing:
        verify_consistency(SHA256, first=6, second=8, first_root=ROOT[6], second_root=ROOT[8], proof=PROOF_6_8[1:])
    assert (missing.value.expected, missing.value.got) == (3, 2)


def test_consistency_swapped_roots() -> None:
    with pytest.raises(RootMismatch) as failed:
        verify_consistency(SHA256, first=6, second=8, first_root=ROOT[8], second_root=ROOT[6], proof=PROOF_6_8)
    assert failed.value.which == "first"


# --- properties: every proof the tree makes verifies (SM3, the ledger's hash) -------------


def _sm3_tree(size: int) -> MerkleTree:
    tree = MerkleTree(SM3, MemoryNodeStore())
    tree.append(f"record {i}".encode() for i in range(size))
    return tree


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_every_inclusion_proof_verifies(data: st.DataObject) -> None:
    tree = _sm3_tree(data.draw(st.integers(1, 300), label="tree size"))
    size = data.draw(st.integers(1, tree.size), label="proven size")
    root = tree.root(size)
    assert root == SM3.root([f"record {i}".encode() for i in range(size)])
    for index in range(size):
        proof = tree.inclusion_proof(index, size)
        verify_inclusion(SM3, index=index, size=size, leaf_hash=tree.leaf_hash(index), proof=proof, root=root)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 130))
def test_every_consistency_proof_verifies(size: int) -> None:
    tree = _sm3_tree(size)
    roots = [tree.root(n) for n in range(size + 1)]
    for second in range(1, size + 1):
        for first in range(1, second + 1):
            proof = tree.consistency_proof(first, second)
            verify_consistency(
                SM3, first=first, second=second, first_root=roots[first], second_root=roots[second], proof=proof
            )


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_a_proof_of_another_tree_fails(data: st.DataObject) -> None:
    size = data.draw(st.integers(2, 200), label="size")
    tree = _sm3_tree(size)
    other = MerkleTree(SM3, MemoryNodeStore())
    other.append(f"record {i}".encode() if i else b"rewritten" for i in range(size))  # leaf 0 rewritten
    index = data.draw(st.integers(1, size - 1), label="index")
    with pytest.raises(RootMismatch):
        verify_inclusion(
            SM3,
            index=index,
            size=size,
            leaf_hash=tree.leaf_hash(index),
            proof=tree.inclusion_proof(index),
            root=other.root(),
        )
    first = data.draw(st.integers(1, size - 1), label="first")
    with pytest.raises(RootMismatch):
        verify_consistency(
            SM3,
            first=first,
            second=size,
            first_root=other.root(first),
            second_root=tree.root(),
            proof=tree.consistency_proof(first),
        )
