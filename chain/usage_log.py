"""The usage log's contract (`UsageLog`, #11): its EIP-712 actions and their documents.

An anchor's document is abi.encode(uint64 size, bytes32 root, bytes32[] grantIds, uint40[] usedAt),
a co-signature's abi.encode(uint64 size, bytes32 root): the contract decodes the document itself,
so the signed bytes and the checked fields are one thing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak

from chain.actions import domain_separator
from chain.signatures import sign_digest

DOMAIN_NAME = "PutuoUsageLog"
ACTION_TYPEHASH = keccak(text="UsageAction(uint8 kind,bytes document,uint256 nonce)")
ACTION_ABI = "(uint8,bytes,uint256,bytes)"
ANCHOR_TYPES = ["uint64", "bytes32", "bytes32[]", "uint40[]"]
COSIGN_TYPES = ["uint64", "bytes32"]
# An anchor's document holds 64 bytes a grant: this many keep it far under the contracts'
# 32 KiB document bound (SignedActions.MAX_DOCUMENT_BYTES); a batch using more grants is anchored
# in several checkpoints.
MAX_GRANTS_PER_ANCHOR = 400


class UsageActionKind(enum.IntEnum):
    ANCHOR = 0
    COSIGN = 1


@dataclass(frozen=True)
class UsageAction:
    kind: UsageActionKind
    document: bytes
    nonce: int
    signature: bytes = b""

    def as_tuple(self) -> tuple:
        return (int(self.kind), self.document, self.nonce, self.signature)


def anchor_document(size: int, root: bytes, uses: dict[str, int]) -> bytes:
    """The anchor of the checkpoint (size, root) carrying each grant's latest use (grant id hex → time)."""
    grants = sorted(uses)
    return abi_encode(ANCHOR_TYPES, [size, root, [bytes.fromhex(g[2:]) for g in grants], [uses[g] for g in grants]])


def decode_anchor(document: bytes) -> tuple[int, bytes, dict[str, int]]:
    size, root, grants, times = abi_decode(ANCHOR_TYPES, document)
    return size, root, {"0x" + g.hex(): t for g, t in zip(grants, times)}


def cosign_document(size: int, root: bytes) -> bytes:
    return abi_encode(COSIGN_TYPES, [size, root])


def digest(action: UsageAction, *, chain_id: int, address: str) -> bytes:
    """The EIP-712 digest of `action`, as `UsageLog.actionDigest` computes it."""
    struct_hash = keccak(
        abi_encode(
            ["bytes32", "uint8", "bytes32", "uint256"],
            [ACTION_TYPEHASH, int(action.kind), keccak(action.document), action.nonce],
        )
    )
    return keccak(b"\x19\x01" + domain_separator(chain_id, address, DOMAIN_NAME) + struct_hash)


def sign(action: UsageAction, key, *, chain_id: int, address: str) -> UsageAction:
    """`action` signed by `key` (a signer.keys.SigningKey, ECDSA or SM2)."""
    return replace(action, signature=sign_digest(key, digest(action, chain_id=chain_id, address=address)))


def log_id(chain_id: int, address: str) -> bytes:
    """`UsageLog.logId()`: keccak256(abi.encode(chain id, address))."""
    return keccak(abi_encode(["uint256", "address"], [chain_id, address]))
