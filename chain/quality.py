"""DataQuality actions (Art. 15–16) as EIP-712 typed data: what an officer signs.

The action has the Responsibilities action's shape (kind, subject, target, code, value, document,
nonce) under its own type name and domain; a test recomputes the contract's digest from here.
"""

from __future__ import annotations

import enum

from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import keccak

from chain.actions import EIP712_DOMAIN_FIELDS, domain_separator
from chain.responsibilities import ResponsibilityAction
from chain.signatures import sign_digest
from signer.keys import SigningKey

DOMAIN_NAME = "PutuoDataQuality"
PRIMARY_TYPE = "QualityAction"


class ActionKind(enum.IntEnum):
    DECLARE_FREQUENCY = 0
    RECORD_UPDATE = 1
    RECORD_RECONCILIATION = 2
    RAISE_OBJECTION = 3
    HANDLE_OBJECTION = 4


# What each kind acts on: the action's subject type in the API (api.services.intake.subject_type).
QUALITY_SUBJECTS = {
    ActionKind.DECLARE_FREQUENCY: "entry",
    ActionKind.RECORD_UPDATE: "update",
    ActionKind.RECORD_RECONCILIATION: "reconciliation",
    ActionKind.RAISE_OBJECTION: "objection",
    ActionKind.HANDLE_OBJECTION: "objection",
}


class UpdateFrequency(enum.IntEnum):
    """IDataQuality.UpdateFrequency: the catalog document's `update_frequency`, signed."""

    NONE = 0
    REALTIME = 1
    DAILY = 2
    WEEKLY = 3
    MONTHLY = 4
    QUARTERLY = 5
    SEMIANNUAL = 6
    ANNUAL = 7
    IRREGULAR = 8


DAY = 86_400
# DataQuality._periodSeconds: fixed lengths from the declaration (docs/MEASURES.md says why).
PERIOD_SECONDS = {
    UpdateFrequency.REALTIME: DAY,
    UpdateFrequency.DAILY: DAY,
    UpdateFrequency.WEEKLY: 7 * DAY,
    UpdateFrequency.MONTHLY: 30 * DAY,
    UpdateFrequency.QUARTERLY: 91 * DAY,
    UpdateFrequency.SEMIANNUAL: 182 * DAY,
    UpdateFrequency.ANNUAL: 365 * DAY,
    UpdateFrequency.IRREGULAR: 0,
}


class ReconciliationResult(enum.IntEnum):
    NONE = 0
    CONSISTENT = 1
    DISCREPANCIES = 2


class ObjectionSource(enum.IntEnum):
    NONE = 0
    QUALITY_MONITORING = 1
    RECONCILIATION = 2
    USING_UNIT = 3


class ObjectionOutcome(enum.IntEnum):
    NONE = 0
    CORRECTED = 1
    CONFIRMED = 2


ACTION_TYPES = {
    PRIMARY_TYPE: [
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
    text=f"{PRIMARY_TYPE}(uint8 kind,bytes32 subject,bytes32 target,uint16 code,uint40 value,bytes document,"
    "uint256 nonce)"
)


class QualityAction(ResponsibilityAction):
    """A DataQuality action: the same fields as a Responsibilities action, `kind` an ActionKind here."""


def typed_data(action: QualityAction, *, chain_id: int, address: str) -> dict:
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN_FIELDS, **ACTION_TYPES},
        "primaryType": PRIMARY_TYPE,
        "domain": {"name": DOMAIN_NAME, "version": "1", "chainId": chain_id, "verifyingContract": address},
        "message": action.message(),
    }


def digest(action: QualityAction, *, chain_id: int, address: str) -> bytes:
    """The EIP-712 digest of `action`, as `DataQuality.actionDigest` computes it."""
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


def sign(action: QualityAction, key, *, chain_id: int, address: str) -> QualityAction:
    """`action` signed by `key`: a signer.keys.SigningKey of either scheme, or a raw secp256k1 key."""
    if isinstance(key, SigningKey):
        signature = sign_digest(key, digest(action, chain_id=chain_id, address=address))
    else:
        signature = bytes(
            Account.sign_typed_data(key, full_message=typed_data(action, chain_id=chain_id, address=address)).signature
        )
    return QualityAction(**{**action.__dict__, "signature": signature})


def record_id(kind: ActionKind, document: bytes) -> bytes:
    """An update's, reconciliation's or objection's id: keccak256 of its kind's tag and its canonical document."""
    return keccak(f"putuo.quality.{kind.name.lower()}:".encode() + document)
