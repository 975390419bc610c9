"""The signed action shape the measures' smaller contracts share (`DataQuality`, `Supervision`):
`(uint8 kind, bytes32 subject, bytes32 target, uint16 code, uint40 value, bytes document, uint256
nonce)`, as the `Responsibilities` action, under each contract's own type name and EIP-712 domain;
`DataQuality`'s adds `bytes32 grant` after `target` (QUALITY_FIELDS)."""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import keccak

from chain.actions import EIP712_DOMAIN_FIELDS, domain_separator
from chain.responsibilities import ResponsibilityAction
from chain.signatures import sign_digest
from signer.keys import SigningKey

FIELDS = [
    {"name": "kind", "type": "uint8"},
    {"name": "subject", "type": "bytes32"},
    {"name": "target", "type": "bytes32"},
    {"name": "code", "type": "uint16"},
    {"name": "value", "type": "uint40"},
    {"name": "document", "type": "bytes"},
    {"name": "nonce", "type": "uint256"},
]
# DataQuality: a using unit's objection signs the grant it holds on the entry (Art. 16).
QUALITY_FIELDS = [*FIELDS[:3], {"name": "grant", "type": "bytes32"}, *FIELDS[3:]]


@dataclass(frozen=True)
class ActionDomain:
    """One contract's typed action: its EIP-712 domain name and primary type."""

    domain_name: str
    primary_type: str
    fields: tuple = tuple(f["name"] for f in FIELDS)

    @property
    def _fields(self) -> list[dict]:
        by_name = {f["name"]: f for f in QUALITY_FIELDS}
        return [by_name[name] for name in self.fields]

    @property
    def types(self) -> dict:
        return {self.primary_type: self._fields}

    @property
    def typehash(self) -> bytes:
        fields = ",".join(f"{f['type']} {f['name']}" for f in self._fields)
        return keccak(text=f"{self.primary_type}({fields})")

    def typed_data(self, action: ResponsibilityAction, *, chain_id: int, address: str) -> dict:
        return {
            "types": {"EIP712Domain": EIP712_DOMAIN_FIELDS, **self.types},
            "primaryType": self.primary_type,
            "domain": {"name": self.domain_name, "version": "1", "chainId": chain_id, "verifyingContract": address},
            "message": action.message(),
        }

    def digest(self, action: ResponsibilityAction, *, chain_id: int, address: str) -> bytes:
        """The EIP-712 digest of `action`, as the contract's `actionDigest` computes it."""
        message = action.message()
        types = ["bytes32" if f["type"] == "bytes" else f["type"] for f in self._fields]
        values = [keccak(message[f["name"]]) if f["type"] == "bytes" else message[f["name"]] for f in self._fields]
        struct_hash = keccak(abi_encode(["bytes32", *types], [self.typehash, *values]))
        return keccak(b"\x19\x01" + domain_separator(chain_id, address, self.domain_name) + struct_hash)

    def sign(self, action, key, *, chain_id: int, address: str):
        """`action` signed by `key`: a signer.keys.SigningKey of either scheme, or a raw secp256k1 key."""
        if isinstance(key, SigningKey):
            signature = sign_digest(key, self.digest(action, chain_id=chain_id, address=address))
        else:
            message = self.typed_data(action, chain_id=chain_id, address=address)
            signature = bytes(Account.sign_typed_data(key, full_message=message).signature)
        return type(action)(**{**action.__dict__, "signature": signature})
