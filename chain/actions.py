"""Catalog actions as EIP-712 typed data: what an officer signs and the relayer sends.

The struct here must match `Catalog.ACTION_TYPEHASH`; a test recomputes the contract's
digest from this module to keep the two in step.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from functools import lru_cache

from coincurve import PublicKey
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import keccak, to_checksum_address

from chain.signatures import sign_digest
from signer.keys import SigningKey

DOMAIN_NAME = "PutuoCatalog"
DOMAIN_VERSION = "1"


class ActionKind(enum.IntEnum):
    SUBMIT = 0
    RESUBMIT = 1
    REQUEST_CHANGE = 2
    REQUEST_DELETE = 3
    REVIEW = 4
    RECORD_COLLECTION = 5


class EntryStatus(enum.IntEnum):
    NONE = 0
    UNDER_REVIEW = 1
    RETURNED = 2
    ACTIVE = 3
    CHANGE_PENDING = 4
    DELETE_PENDING = 5
    DELETED = 6


class SharingAttribute(enum.IntEnum):
    """ICatalog.SharingAttribute: an entry version's signed sharing attribute (共享属性, Art. 7, 11)."""

    NONE = 0  # not an entry version: a deletion request, a review, a collection record
    UNCONDITIONAL = 1
    CONDITIONAL = 2
    NOT_SHARED = 3


# The actions whose document is an entry version, and which therefore sign its sharing attribute.
VERSION_KINDS = frozenset({ActionKind.SUBMIT, ActionKind.RESUBMIT, ActionKind.REQUEST_CHANGE})


class VersionKind(enum.IntEnum):
    INITIAL = 0
    RESUBMISSION = 1
    CHANGE = 2
    DELETION = 3


ACTION_TYPES = {
    "CatalogAction": [
        {"name": "kind", "type": "uint8"},
        {"name": "entryId", "type": "bytes32"},
        {"name": "version", "type": "uint32"},
        {"name": "reasonCode", "type": "uint16"},
        {"name": "document", "type": "bytes"},
        {"name": "nonce", "type": "uint256"},
        {"name": "declaredAt", "type": "uint40"},
        {"name": "sharing", "type": "uint8"},
        {"name": "responsibility", "type": "bytes32"},
    ]
}


@dataclass(frozen=True)
class CatalogAction:
    """One officer action. `document` is canonical JSON bytes; `signature` 65 bytes r‖s‖v."""

    kind: ActionKind
    entry_id: bytes
    version: int
    reason_code: int
    document: bytes
    nonce: int
    signature: bytes = b""
    declared_at: int = 0  # Submit only: the declared approval/acceptance time (Art. 11), unix seconds
    sharing: SharingAttribute = SharingAttribute.NONE  # an entry version's: its document's sharing.attribute
    # an entry version's: the responsibility (职责, Art. 11) its document names, 32 zero bytes for none
    responsibility: bytes = bytes(32)

    def as_tuple(self) -> tuple:
        """The `SignedAction` tuple in the contract's field order."""
        return (
            int(self.kind),
            self.entry_id,
            self.version,
            self.reason_code,
            self.document,
            self.nonce,
            self.declared_at,
            int(self.sharing),
            self.responsibility,
            self.signature,
        )

    def message(self) -> dict:
        return {
            "kind": int(self.kind),
            "entryId": self.entry_id,
            "version": self.version,
            "reasonCode": self.reason_code,
            "document": self.document,
            "nonce": self.nonce,
            "declaredAt": self.declared_at,
            "sharing": int(self.sharing),
            "responsibility": self.responsibility,
        }


def domain(chain_id: int, catalog_address: str) -> dict:
    return {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": chain_id, "verifyingContract": catalog_address}


EIP712_DOMAIN_FIELDS = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def typed_data(action: CatalogAction, *, chain_id: int, catalog_address: str) -> dict:
    """The full EIP-712 message an officer's wallet or `signer` signs."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN_FIELDS, **ACTION_TYPES},
        "primaryType": "CatalogAction",
        "domain": domain(chain_id, catalog_address),
        "message": action.message(),
    }


ACTION_TYPEHASH = keccak(
    text="CatalogAction(uint8 kind,bytes32 entryId,uint32 version,uint16 reasonCode,bytes document,uint256 nonce,"
    "uint40 declaredAt,uint8 sharing,bytes32 responsibility)"
)
_DOMAIN_TYPEHASH = keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@lru_cache(maxsize=16)
def domain_separator(chain_id: int, contract_address: str, name: str = DOMAIN_NAME) -> bytes:
    """The EIP-712 domain separator of one of our contracts (all use version "1")."""
    return keccak(
        abi_encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [_DOMAIN_TYPEHASH, keccak(text=name), keccak(text=DOMAIN_VERSION), chain_id, contract_address],
        )
    )


def digest(action: CatalogAction, *, chain_id: int, catalog_address: str) -> bytes:
    """The EIP-712 digest of `action`, as `Catalog.actionDigest` computes it (a test keeps them equal).

    Hand-encoded because the struct is fixed and this is on the API's hot path; `typed_data`
    gives wallets the same message in the standard form.
    """
    struct_hash = keccak(
        abi_encode(
            ["bytes32", "uint8", "bytes32", "uint32", "uint16", "bytes32", "uint256", "uint40", "uint8", "bytes32"],
            [
                ACTION_TYPEHASH,
                int(action.kind),
                action.entry_id,
                action.version,
                action.reason_code,
                keccak(action.document),
                action.nonce,
                action.declared_at,
                int(action.sharing),
                action.responsibility,
            ],
        )
    )
    return keccak(b"\x19\x01" + domain_separator(chain_id, catalog_address) + struct_hash)


def recover_signer(action: CatalogAction, *, chain_id: int, catalog_address: str) -> str:
    """The address that signed `action`, refusing what the contract's ECDSA refuses (high s, bad v).

    Raises ValueError when the signature is malformed.
    """
    return recover_digest(digest(action, chain_id=chain_id, catalog_address=catalog_address), action.signature)


def recover_digest(message: bytes, signature: bytes) -> str:
    """The address that signed the 32-byte `message`, refusing what OpenZeppelin's ECDSA refuses.

    Raises ValueError when the signature is malformed.
    """
    if len(signature) != 65:
        raise ValueError(f"signature must be 65 bytes, got {len(signature)}")
    s, v = int.from_bytes(signature[32:64], "big"), signature[64]
    if s > SECP256K1_N // 2 or v not in (27, 28):
        raise ValueError("signature has a high s or a bad v")
    public = PublicKey.from_signature_and_message(signature[:64] + bytes([v - 27]), message, hasher=None)
    return to_checksum_address(keccak(public.format(compressed=False)[1:])[12:])


def sign_action(action: CatalogAction, key, *, chain_id: int, catalog_address: str) -> CatalogAction:
    """`action` with the officer's signature: `key` is a signer.keys.SigningKey of either scheme
    (chain/signatures.py), or a raw secp256k1 private key (eth-account signs low-s)."""
    if isinstance(key, SigningKey):
        signature = sign_digest(key, digest(action, chain_id=chain_id, catalog_address=catalog_address))
    else:
        signature = bytes(
            Account.sign_typed_data(
                key, full_message=typed_data(action, chain_id=chain_id, catalog_address=catalog_address)
            ).signature
        )
    return CatalogAction(**{**action.__dict__, "signature": signature})


def fresh_nonce() -> int:
    """An unordered nonce: 128 random bits make collisions between an officer's actions negligible."""
    return secrets.randbits(128)


def entry_id_for(unit_id: bytes, code: str) -> bytes:
    """The entry id of catalog code `code` of unit `unit_id`: stable across all its versions."""
    return keccak(unit_id + code.encode("utf-8"))


def unit_id_for(code: str) -> bytes:
    """A unit's on-chain id from its code (e.g. its unified social credit code)."""
    return keccak(text=f"putuo.unit:{code}")


def encode_execute(action: CatalogAction) -> bytes:
    """Calldata of `Catalog.execute(action)`."""
    from chain.signed_contracts import SIGNED_CONTRACTS  # the table reads the compiled ABI

    return SIGNED_CONTRACTS["catalog"].execute_calldata(action.as_tuple())
