"""Checking inclusion and consistency proofs: RFC 9162 §2.1.3.2 and §2.1.4.2, step by step.

Before running the RFC's loops, the inputs are checked against what the sizes call for (the
index in range, every hash one digest long, the exact proof length), so that a bad proof
fails with an error naming what was wrong rather than only "root mismatch". The loops keep the
RFC's own length checks (``sn`` reaching 0) as a second line.
"""

from __future__ import annotations

from collections.abc import Sequence

from usage._layout import consistency_length, inclusion_length
from usage.errors import (
    HashLengthMismatch,
    LeafIndexOutOfRange,
    ProofLengthMismatch,
    RootMismatch,
    TreeSizesOutOfOrder,
)
from usage.hasher import TreeHasher


def verify_inclusion(
    hasher: TreeHasher, *, index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``size`` leaves whose root is ``root``.

    Returns None when the proof holds; raises a :class:`~usage.errors.ProofError` subclass
    otherwise: LeafIndexOutOfRange, HashLengthMismatch, ProofLengthMismatch or RootMismatch.
    """
    if not 0 <= index < size:
        raise LeafIndexOutOfRange(index=index, size=size)
    _check_digests(hasher, leaf_hash, proof, leaf_field="leaf hash")
    _check_length(proof, inclusion_length(index, size))
    got = _root_from_inclusion(hasher, index, size, leaf_hash, proof)
    if got != root:
        raise RootMismatch(which="tree", expected=root, got=got)


def verify_consistency(
    hasher: TreeHasher, *, first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of ``second`` leaves with ``second_root`` extends the one of ``first`` with ``first_root``.

    Requires 0 < first <= second (TreeSizesOutOfOrder otherwise: every tree extends the empty
    one, so a proof from size 0 proves nothing). Equal sizes take an empty proof and equal roots.
    Raises HashLengthMismatch, ProofLengthMismatch or RootMismatch (``which`` is "first" or
    "second") when the proof fails.
    """
    if not 0 < first <= second:
        raise TreeSizesOutOfOrder(first=first, second=second)
    _check_digests(hasher, None, proof)
    _check_length(proof, consistency_length(first, second))
    if first == second:
        if first_root != second_root:
            raise RootMismatch(which="second", expected=second_root, got=first_root)
        return
    # §2.1.4.2, steps 2-7.
    path = [first_root, *proof] if first & (first - 1) == 0 else list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofLengthMismatch(expected=consistency_length(first, second), got=len(proof))
        if fn & 1 or fn == sn:
            fr = hasher.node(c, fr)
            sr = hasher.node(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = hasher.node(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofLengthMismatch(expected=consistency_length(first, second), got=len(proof))
    if fr != first_root:
        raise RootMismatch(which="first", expected=first_root, got=fr)
    if sr != second_root:
        raise RootMismatch(which="second", expected=second_root, got=sr)


def _root_from_inclusion(hasher: TreeHasher, index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes]) -> bytes:
    """§2.1.3.2, steps 2-5: the root that ``proof`` leads to from ``leaf_hash``."""
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofLengthMismatch(expected=inclusion_length(index, size), got=len(proof))
        if fn & 1 or fn == sn:
            r = hasher.node(p, r)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = hasher.node(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofLengthMismatch(expected=inclusion_length(index, size), got=len(proof))
    return r


def _check_length(proof: Sequence[bytes], expected: int) -> None:
    if len(proof) != expected:
        raise ProofLengthMismatch(expected=expected, got=len(proof))


def _check_digests(hasher: TreeHasher, leaf_hash: bytes | None, proof: Sequence[bytes], leaf_field: str = "") -> None:
    if leaf_hash is not None and len(leaf_hash) != hasher.digest_size:
        raise HashLengthMismatch(field=leaf_field, expected=hasher.digest_size, got=len(leaf_hash))
    for i, h in enumerate(proof):
        if len(h) != hasher.digest_size:
            raise HashLengthMismatch(field=f"proof[{i}]", expected=hasher.digest_size, got=len(h))
