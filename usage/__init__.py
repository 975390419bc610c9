"""The usage log (issue 11): an append-only RFC 9162 Merkle tree of usage records, and its proofs.

Public surface: the hashers (`SM3`, the ledger's; `SHA256`, the RFC's vectors), `MerkleTree`
over a `NodeStore` (`MemoryNodeStore`, `SqlNodeStore`), and the verifiers, which need only a
hasher: `verify_inclusion`, `verify_consistency`.
"""

from usage.errors import UsageError
from usage.hasher import SHA256, SM3, TreeHasher
from usage.merkle import MerkleTree
from usage.nodes import MemoryNodeStore, NodeStore
from usage.proofs import verify_consistency, verify_inclusion
from usage.sql_nodes import SqlNodeStore

__all__ = [
    "SHA256",
    "SM3",
    "MemoryNodeStore",
    "MerkleTree",
    "NodeStore",
    "SqlNodeStore",
    "TreeHasher",
    "UsageError",
    "verify_consistency",
    "verify_inclusion",
]
