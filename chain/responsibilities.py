"""Responsibilities actions (Art. 5, 11) as EIP-712 typed data: what an officer signs.

The struct here must match `Responsibilities.ACTION_TYPEHASH`; a test recomputes the contract's
digest from this module. Settings are keyed by keccak256 of their names (`SETTINGS`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import keccak

from chain.actions import EIP712_DOMAIN_FIELDS, domain_separator
from chain.signatures import sign_digest
from signer.keys import SigningKey

DOMAIN_NAME = "PutuoResponsibilities"


class ActionKind(enum.IntEnum):
    RECORD_RESPONSIBILITY = 0
    REVIEW_RESPONSIBILITY = 1
    DESIGNATE = 2
    RECORD_REFUSAL = 3
    REPORT_REFUSAL = 4
    PUBLISH_SETTING = 5
    RECORD_CATALOG_EXPORT = 6


# What each kind acts on: the action's subject type in the API (api.services.intake.subject_type).
RESPONSIBILITY_SUBJECTS = {
    ActionKind.RECORD_RESPONSIBILITY: "responsibility",
    ActionKind.REVIEW_RESPONSIBILITY: "responsibility",
    ActionKind.DESIGNATE: "entry",
    ActionKind.RECORD_REFUSAL: "refusal",
    ActionKind.REPORT_REFUSAL: "refusal",
    ActionKind.PUBLISH_SETTING: "setting",
    ActionKind.RECORD_CATALOG_EXPORT: "export",
}


class ResponsibilityStatus(enum.IntEnum):
    NONE = 0
    PENDING = 1
    APPROVED = 2
    RETURNED = 3


class Disposition(enum.IntEnum):
    """What a designation does with the old owner's open duties on the entry (Art. 5)."""

    NONE = 0
    MOVE_OPEN_DUTIES = 1
    KEEP_OPEN_DUTIES = 2


class RefusalGround(enum.IntEnum):
    """Art. 11: whether a unit refusing to collect cited a legal basis."""

    NONE = 0
    NO_LEGAL_BASIS = 1
    LEGAL_BASIS_CITED = 2


def setting_key(name: str) -> bytes:
    return keccak(text=f"putuo.setting.{name}")


# The Office's settings (Responsibilities constructor: default, min, max); docs/MEASURES.md says why.
SETTINGS = {
    "refusalReportDays": (5, 1, 30),  # working days for the Office's report of a refusal (Art. 11)
    "responsibilityRequired": (0, 0, 1),  # 1: every entry version must name a responsibility
    "objectionHandlingDays": (5, 1, 30),  # working days for the unit to handle a data objection (Art. 16)
}
SETTING_NAMES = {setting_key(name): name for name in SETTINGS}

ACTION_TYPES = {
    "ResponsibilityAction": [
        {"name": "kind", "type": "uint8"},
        {"name": "subject", "type": "bytes32"},
        {"name": "target", "type": "bytes32"},
        {"name": "code", "type": "uint16"},
        {"name": "value", "type": "uint40"},
        {"name": "document", "type": "bytes"},
        {"name": "nonce", "type": "uint256"},
    ]
}
ACTION_TYPEHASH = keccak(
    text="ResponsibilityAction(uint8 kind,bytes32 subject,bytes32 target,uint16 code,uint40 value,bytes document,"
    "uint256 nonce)"
)


@dataclass(frozen=True)
class ResponsibilityAction:
    kind: ActionKind
    subject: bytes
    document: bytes
    nonce: int
    target: bytes = bytes(32)
    code: int = 0
    value: int = 0
    signature: bytes = b""

    def as_tuple(self) -> tuple:
        """The `SignedAction` tuple in the contract's field order."""
        return (
            int(self.kind),
            self.subject,
            self.target,
            self.code,
            self.value,
            self.document,
            self.nonce,
            self.signature,
        )

    def message(self) -> dict:
        return {
            "kind": int(self.kind),
            "subject": self.subject,
            "target": self.target,
            "code": self.code,
            "value": self.value,
            "document": self.document,
            "nonce": self.nonce,
        }


def responsibility_id_for(unit_id: bytes, code: str) -> bytes:
    """A responsibility's id from its unit and its code in the unit's list (职责清单)."""
    return keccak(b"putuo.responsibility:" + unit_id + code.encode("utf-8"))


def typed_data(action: ResponsibilityAction, *, chain_id: int, address: str) -> dict:
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN_FIELDS, **ACTION_TYPES},
        "primaryType": "ResponsibilityAction",
        "domain": {"name": DOMAIN_NAME, "version": "1", "chainId": chain_id, "verifyingContract": address},
        "message": action.message(),
    }


def digest(action: ResponsibilityAction, *, chain_id: int, address: str) -> bytes:
    """The EIP-712 digest of `action`, as `Responsibilities.actionDigest` computes it."""
    struct_hash = keccak(
        abi_encode(
            ["bytes32", "uint8", "bytes32", "bytes32", "uint16", "uint40", "bytes32", "uint256"],
            [
                ACTION_TYPEHASH,
                int(action.kind),
                action.subject,
                action.target,
                action.code,
                action.value,
                keccak(action.document),
                action.nonce,
            ],
        )
    )
    return keccak(b"\x19\x01" + domain_separator(chain_id, address, DOMAIN_NAME) + struct_hash)


def sign(action: ResponsibilityAction, key, *, chain_id: int, address: str) -> ResponsibilityAction:
    """`action` signed by `key`: a signer.keys.SigningKey of either scheme, or a raw secp256k1 key."""
    if isinstance(key, SigningKey):
        signature = sign_digest(key, digest(action, chain_id=chain_id, address=address))
    else:
        signature = bytes(
            Account.sign_typed_data(key, full_message=typed_data(action, chain_id=chain_id, address=address)).signature
        )
    return ResponsibilityAction(**{**action.__dict__, "signature": signature})
