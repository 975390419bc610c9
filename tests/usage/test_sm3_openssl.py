"""A small SM3 tree, every hash of it recomputed by hand with OpenSSL (`openssl dgst -sm3`)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from usage import SM3, MemoryNodeStore, MerkleTree, verify_consistency, verify_inclusion

OPENSSL = shutil.which("openssl")
LEAVES = [b"", b"\x00", "普陀区 共享使用 1".encode(), b'{"grant":"0x01","items":["A"]}', b"record 4"]


def openssl_sm3(data: bytes) -> bytes:
    """SM3 by the OpenSSL CLI: independent of GmSSL, which the ledger's SM3 calls."""
    out = subprocess.run([OPENSSL, "dgst", "-sm3", "-binary"], input=data, capture_output=True, check=True).stdout
    assert len(out) == 32
    return out


@pytest.fixture(scope="module")
def by_hand() -> dict[str, bytes]:
    """Leaf and node hashes of the 5-leaf tree, named by the leaves they cover: RFC 9162 by hand."""
    if OPENSSL is None:
        pytest.skip("openssl CLI not available")
    h = {f"{i}": openssl_sm3(b"\x00" + leaf) for i, leaf in enumerate(LEAVES)}
    h["01"] = openssl_sm3(b"\x01" + h["0"] + h["1"])
    h["23"] = openssl_sm3(b"\x01" + h["2"] + h["3"])
    h["0123"] = openssl_sm3(b"\x01" + h["01"] + h["23"])
    h["012"] = openssl_sm3(b"\x01" + h["01"] + h["2"])  # size 3 splits at 2
    h["01234"] = openssl_sm3(b"\x01" + h["0123"] + h["4"])  # size 5 splits at 4
    return h


@pytest.fixture
def tree() -> MerkleTree:
    tree = MerkleTree(SM3, MemoryNodeStore())
    tree.append(LEAVES)
    return tree


def test_empty_root_is_sm3_of_nothing(by_hand: dict[str, bytes]) -> None:
    assert MerkleTree(SM3, MemoryNodeStore()).root() == openssl_sm3(b"")


def test_leaf_and_node_hashes(by_hand: dict[str, bytes], tree: MerkleTree) -> None:
    assert [tree.leaf_hash(i) for i in range(5)] == [by_hand[str(i)] for i in range(5)]
    assert SM3.node(by_hand["0"], by_hand["1"]) == by_hand["01"]


def test_roots_of_every_size(by_hand: dict[str, bytes], tree: MerkleTree) -> None:
    assert [tree.root(n) for n in range(1, 6)] == [by_hand[k] for k in ("0", "01", "012", "0123", "01234")]


def test_inclusion_proofs(by_hand: dict[str, bytes], tree: MerkleTree) -> None:
    assert tree.inclusion_proof(2) == [by_hand["3"], by_hand["01"], by_hand["4"]]
    assert tree.inclusion_proof(4) == [by_hand["0123"]]
    assert tree.inclusion_proof(2, 3) == [by_hand["01"]]
    verify_inclusion(SM3, index=2, size=5, leaf_hash=by_hand["2"], proof=tree.inclusion_proof(2), root=by_hand["01234"])


def test_consistency_proofs(by_hand: dict[str, bytes], tree: MerkleTree) -> None:
    assert tree.consistency_proof(3, 5) == [by_hand["2"], by_hand["3"], by_hand["01"], by_hand["4"]]
    assert tree.consistency_proof(4, 5) == [by_hand["4"]]
    assert tree.consistency_proof(2, 5) == [by_hand["23"], by_hand["4"]]
    verify_consistency(
        SM3, first=3, second=5, first_root=by_hand["012"], second_root=by_hand["01234"], proof=tree.consistency_proof(3)
    )
