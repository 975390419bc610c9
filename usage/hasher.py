"""The RFC 9162 (§2.1.1) tree hash, over any hash function: SM3 for the ledger, SHA-256 for the RFC's vectors.

MTH({}) = HASH(), MTH({d0}) = HASH(0x00 || d0), and for n > 1, with k the largest power of two
smaller than n, MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n])). The two prefixes keep a
leaf from ever hashing like an interior node (second-preimage resistance across levels).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from signer.sm3 import sm3

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


@dataclass(frozen=True)
class TreeHasher:
    """Leaf and node hashes of RFC 9162 trees under one hash function.

    ``digest`` must be a deterministic function of its input returning ``digest_size`` bytes.
    """

    name: str
    digest: Callable[[bytes], bytes]
    digest_size: int

    def empty_root(self) -> bytes:
        """The root of the tree with no leaves: the hash of the empty string."""
        return self.digest(b"")

    def leaf(self, data: bytes) -> bytes:
        """HASH(0x00 || data)."""
        return self.digest(LEAF_PREFIX + data)

    def node(self, left: bytes, right: bytes) -> bytes:
        """HASH(0x01 || left || right)."""
        return self.digest(NODE_PREFIX + left + right)

    def root(self, leaves: Sequence[bytes]) -> bytes:
        """MTH of ``leaves`` straight from the definition (recursive, all in memory: for tests and small trees)."""
        return self._mth([self.leaf(d) for d in leaves]) if leaves else self.empty_root()

    def _mth(self, hashes: Sequence[bytes]) -> bytes:
        if len(hashes) == 1:
            return hashes[0]
        k = 1 << ((len(hashes) - 1).bit_length() - 1)  # largest power of two smaller than n
        return self.node(self._mth(hashes[:k]), self._mth(hashes[k:]))


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


SM3 = TreeHasher("sm3", sm3, 32)
SHA256 = TreeHasher("sha256", _sha256, 32)
