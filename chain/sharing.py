"""Sharing actions as EIP-712 typed data, and the ABI of what the Sharing contract checks.

Mirrors `contracts/interfaces/ISharing.sol`: the enums (their numbering is part of the signed
message), the `SharingAction` struct an officer signs, and the `terms` an Apply or Decide
carries. A test recomputes the contract's digest from this module to keep the two in step.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import keccak

from chain.actions import (
    DOMAIN_VERSION,
    EIP712_DOMAIN_FIELDS,
    domain_separator,
    recover_digest,
)
from chain.signatures import sign_digest
from signer.canonical import canonical_bytes
from signer.keys import SigningKey

DOMAIN_NAME = "PutuoSharing"


class StepKind(enum.IntEnum):
    APPLY = 0
    DECIDE = 1
    REVIEW_PLAN = 2
    RECORD_SERVED = 3
    RECORD_USE = 4
    FILE_IDLE_REASON = 5
    SECURITY_SUSPEND = 6
    OBJECT = 7
    REINSTATE = 8
    DISMISS_OBJECTION = 9
    TERMINATE = 10
    APPROVE_SCENARIO = 11
    WITHDRAW_SCENARIO = 12
    RECORD_ADJUSTMENT_PLAN = 13
    OPEN_DISPUTE = 14
    RESOLVE_DISPUTE = 15
    ESCALATE = 16
    RECORD_ESCALATION_OUTCOME = 17
    # Permissionless calls: never signed, recorded by the same event.
    FINALISE_ITEM = 18
    SUSPEND_IDLE = 19
    FINALISE_LAPSE = 20
    # Signed again: kinds added later are appended (the numbering is signed).
    CONFIRM_CONFORMITY = 21
    REVIEW_IDLE_REASON = 22
    ACKNOWLEDGE_ADJUSTMENT = 23
    FOLLOW_ADJUSTMENT = 24  # permissionless


PERMISSIONLESS_KINDS = frozenset(
    {StepKind.FINALISE_ITEM, StepKind.SUSPEND_IDLE, StepKind.FINALISE_LAPSE, StepKind.FOLLOW_ADJUSTMENT}
)
SIGNED_KINDS = tuple(k for k in StepKind if k not in PERMISSIONLESS_KINDS)


class Method(enum.IntEnum):
    NONE = 0
    INTERFACE = 1
    BATCH_COMPARISON = 2
    OTHER = 3


class DataForm(enum.IntEnum):
    """ISharing.DataForm: what the grant serves; Art. 19 (4) grants rest on one of the last three."""

    FULL = 0
    SUBJECT_AUTHORISED = 1
    COMPARISON_RESULT = 2
    DESENSITISED = 3


class Disposition(enum.IntEnum):
    """ISharing.Disposition: what an adjustment plan does to the entry's live grants (Art. 14)."""

    NONE = 0
    MOVE = 1
    END = 2


class Frequency(enum.IntEnum):
    NONE = 0
    CONTINUOUS = 1
    DAILY = 2
    WEEKLY = 3
    MONTHLY = 4
    QUARTERLY = 5
    SEMI_ANNUAL = 6
    ANNUAL = 7


class DemandStatus(enum.IntEnum):
    NONE = 0
    OPEN = 1
    GRANTED = 2
    REJECTED = 3
    RETURNED = 4


class ItemStatus(enum.IntEnum):
    NONE = 0
    AUTHORISED = 1
    PENDING = 2
    APPROVED = 3
    REJECTED = 4
    DEEMED_APPROVED = 5
    CLOSED = 6
    SUPERSEDED = 7  # its entry changed, was deleted or made not shared before the grant (Art. 7, 14)


class PlanStatus(enum.IntEnum):
    NONE = 0
    PENDING = 1
    APPROVED = 2
    RETURNED = 3


class GrantStatus(enum.IntEnum):
    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2
    TERMINATED = 3


class Suspension(enum.IntEnum):
    NONE = 0
    IDLE = 1
    SECURITY = 2


class KeyScheme(enum.IntEnum):
    NONE = 0
    ECDSA = 1
    SM2 = 2


class UnitKind(enum.IntEnum):
    """IUnitRegistry.UnitKind."""

    NONE = 0
    OFFICE = 1
    DATA_CENTER = 2
    ORDINARY = 3
    AUDITOR = 4


class CodeRule(enum.IntEnum):
    """ISharing.CodeRule: the codes a step takes."""

    ZERO = 0
    ANY = 1
    NONZERO = 2
    DECISION = 3  # 0 approve, 1 non-conforming, 2 legal basis
    TERMINATION = 4  # 0 by the holder; by the Data Center 1 security risk, 2 catalog adjustment, 3 scenario withdrawn


class StepModule(enum.IntEnum):
    """ISharing.StepModule: the library that runs a step."""

    DEMANDS = 0
    GRANTS = 1
    CASES = 2


@dataclass(frozen=True)
class StepRule:
    """One row of the contract's per-step rules table (contracts/sharing/SharingRules.sol,
    `Sharing.stepRule`); a test holds this table against the contract's."""

    signer: UnitKind  # NONE: a permissionless step, never signed
    module: StepModule
    uses_item: bool = False
    uses_at: bool = False
    uses_terms: bool = False
    code: CodeRule = CodeRule.ZERO
    data_center_too: bool = False  # Terminate: the holder (Art. 26) or the Data Center (Art. 31)


_O, _DC, _OFFICE, _NONE = UnitKind.ORDINARY, UnitKind.DATA_CENTER, UnitKind.OFFICE, UnitKind.NONE
_D, _G, _C = StepModule.DEMANDS, StepModule.GRANTS, StepModule.CASES
STEP_RULES: dict[StepKind, StepRule] = {
    StepKind.APPLY: StepRule(_O, _D, uses_terms=True),
    StepKind.DECIDE: StepRule(_O, _D, uses_item=True, uses_at=True, uses_terms=True, code=CodeRule.DECISION),
    StepKind.REVIEW_PLAN: StepRule(_DC, _D, code=CodeRule.ANY),
    StepKind.RECORD_SERVED: StepRule(_DC, _G),
    StepKind.RECORD_USE: StepRule(_DC, _G, uses_at=True),
    StepKind.FILE_IDLE_REASON: StepRule(_O, _G, uses_at=True),
    StepKind.SECURITY_SUSPEND: StepRule(_DC, _G),
    StepKind.OBJECT: StepRule(_O, _G),
    StepKind.REINSTATE: StepRule(_DC, _G),
    StepKind.DISMISS_OBJECTION: StepRule(_DC, _G, code=CodeRule.NONZERO),
    StepKind.TERMINATE: StepRule(_O, _G, code=CodeRule.TERMINATION, data_center_too=True),
    StepKind.APPROVE_SCENARIO: StepRule(_DC, _C, uses_terms=True),
    StepKind.WITHDRAW_SCENARIO: StepRule(_DC, _C),
    StepKind.RECORD_ADJUSTMENT_PLAN: StepRule(_O, _C, uses_terms=True),
    StepKind.OPEN_DISPUTE: StepRule(_O, _C, uses_item=True),
    StepKind.RESOLVE_DISPUTE: StepRule(_OFFICE, _C, uses_item=True, code=CodeRule.NONZERO),
    StepKind.ESCALATE: StepRule(_OFFICE, _C),
    StepKind.RECORD_ESCALATION_OUTCOME: StepRule(_OFFICE, _C, code=CodeRule.NONZERO),
    StepKind.FINALISE_ITEM: StepRule(_NONE, _D),
    StepKind.SUSPEND_IDLE: StepRule(_NONE, _G),
    StepKind.FINALISE_LAPSE: StepRule(_NONE, _G),
    StepKind.CONFIRM_CONFORMITY: StepRule(_DC, _D, code=CodeRule.ANY),
    StepKind.REVIEW_IDLE_REASON: StepRule(_DC, _G, code=CodeRule.ANY),
    StepKind.ACKNOWLEDGE_ADJUSTMENT: StepRule(_O, _C, data_center_too=True),
    StepKind.FOLLOW_ADJUSTMENT: StepRule(_NONE, _G),
}


# Sharing.REJECT_NONCONFORMING / REJECT_LEGAL_BASIS: the codes of a Decide rejection (Art. 20).
REJECT_NONCONFORMING = 1
REJECT_LEGAL_BASIS = 2
# Sharing.DECISION_GRACE: a decision signed by an item's due time is taken up to this long after it,
# and silence approves only after it (Art. 20).
DECISION_GRACE_S = 3600
# Sharing.TERMINATE_SECURITY / TERMINATE_ADJUSTMENT: the grounds of a Data Center's termination.
TERMINATE_SECURITY = 1  # Art. 31: a security risk, at any time
TERMINATE_ADJUSTMENT = 2  # Art. 14: an entry the grant pins was deleted or changed
TERMINATE_SCENARIO_WITHDRAWN = 3  # Art. 19: the registered scenario it rests on was withdrawn

ACTION_FIELDS = [
    {"name": "kind", "type": "uint8"},
    {"name": "subject", "type": "bytes32"},
    {"name": "item", "type": "uint32"},
    {"name": "code", "type": "uint16"},
    {"name": "at", "type": "uint40"},
    {"name": "terms", "type": "bytes"},
    {"name": "document", "type": "bytes"},
    {"name": "nonce", "type": "uint256"},
]
ACTION_TYPEHASH = keccak(text="SharingAction(" + ",".join(f"{f['type']} {f['name']}" for f in ACTION_FIELDS) + ")")
RESOURCE_ABI = "(bytes32,uint32,bytes32,bytes32)"
COMMITMENT_ABI = "(uint8,address,bytes,bytes)"
APPLY_TERMS_ABI = f"(uint8,bytes32,uint8,uint8,uint8,bool,bool,uint8,{RESOURCE_ABI}[],{COMMITMENT_ABI})"
DECIDE_TERMS_ABI = "(bytes32,uint32,string,uint16)"
SCENARIO_TERMS_ABI = "(uint8,bytes32[],bytes32[])"
ADJUSTMENT_TERMS_ABI = "(uint8)"
BATCH_SIMULATED_SELECTOR = keccak(text="BatchSimulated(bytes[])")[:4]


@dataclass(frozen=True)
class Resource:
    """A resource asked for: a catalog entry at its approved version, or (entry_id zero) data
    not yet catalogued, asked of `owner_unit_id` (Art. 22)."""

    entry_id: bytes
    version: int
    owner_unit_id: bytes
    items: bytes  # items_hash of the data items asked for (what the grant serves of the entry)

    def as_tuple(self) -> tuple:
        return (self.entry_id, self.version, self.owner_unit_id, self.items)


def items_hash(names) -> bytes:
    """`Resource.items`: keccak256 of the RFC 8785 JSON array of the data items' names, sorted by
    code point: one hash for one set, whatever order the application lists them in."""
    return keccak(canonical_bytes(sorted(names)))


@dataclass(frozen=True)
class CommitmentProof:
    """The signed commitment as the contract records it (Art. 18)."""

    scheme: KeyScheme
    key_id: str
    document: bytes
    signature: bytes

    def as_tuple(self) -> tuple:
        return (int(self.scheme), self.key_id, self.document, self.signature)


@dataclass(frozen=True)
class ApplyTerms:
    scenario_class: int
    scenario_id: bytes
    method: Method
    form: DataForm
    frequency: Frequency
    frequency_reason: bool
    fusion: bool
    security_level: int
    resources: tuple[Resource, ...]
    commitment: CommitmentProof

    def encode(self) -> bytes:
        return abi_encode(
            [APPLY_TERMS_ABI],
            [
                (
                    self.scenario_class,
                    self.scenario_id,
                    int(self.method),
                    int(self.form),
                    int(self.frequency),
                    self.frequency_reason,
                    self.fusion,
                    self.security_level,
                    [r.as_tuple() for r in self.resources],
                    self.commitment.as_tuple(),
                )
            ],
        )

    @classmethod
    def decode(cls, data: bytes) -> "ApplyTerms":
        (sc, sid, method, form, freq, reason, fusion, level, resources, c) = abi_decode([APPLY_TERMS_ABI], data)[0]
        return cls(
            sc,
            sid,
            Method(method),
            DataForm(form),
            Frequency(freq),
            reason,
            fusion,
            level,
            tuple(Resource(*r) for r in resources),
            CommitmentProof(KeyScheme(c[0]), c[1], c[2], c[3]),
        )


@dataclass(frozen=True)
class DecideTerms:
    """An uncatalogued item's approval names the entry catalogued for it; a rejection on a legal
    basis cites it; a rejection for non-conformity names the Art. 17 elements that do not conform."""

    entry_id: bytes = b"\x00" * 32
    version: int = 0
    legal_basis: str = ""
    nonconforming: int = 0  # a non-conformity's Art. 17 elements, a bit each (ISharing.DecideTerms)

    def encode(self) -> bytes:
        return abi_encode([DECIDE_TERMS_ABI], [(self.entry_id, self.version, self.legal_basis, self.nonconforming)])

    @classmethod
    def decode(cls, data: bytes) -> "DecideTerms":
        return cls(*abi_decode([DECIDE_TERMS_ABI], data)[0]) if data else cls()


@dataclass(frozen=True)
class ScenarioTerms:
    """An ApproveScenario's terms: the Art. 19 class (1–3) and the units and entries the scenario
    authorises (class 2 names both; none named: any)."""

    scenario_class: int
    units: tuple[bytes, ...] = ()
    entries: tuple[bytes, ...] = ()

    def encode(self) -> bytes:
        return abi_encode([SCENARIO_TERMS_ABI], [(self.scenario_class, list(self.units), list(self.entries))])

    @classmethod
    def decode(cls, data: bytes) -> "ScenarioTerms":
        klass, units, entries = abi_decode([SCENARIO_TERMS_ABI], data)[0]
        return cls(klass, tuple(units), tuple(entries))


@dataclass(frozen=True)
class AdjustmentTerms:
    """A RecordAdjustmentPlan's terms: whether the entry's live grants move to its next version or end."""

    disposition: Disposition

    def encode(self) -> bytes:
        return abi_encode([ADJUSTMENT_TERMS_ABI], [(int(self.disposition),)])

    @classmethod
    def decode(cls, data: bytes) -> "AdjustmentTerms":
        return cls(Disposition(abi_decode([ADJUSTMENT_TERMS_ABI], data)[0][0]))


@dataclass(frozen=True)
class SharingAction:
    """One officer step. `document` is canonical JSON bytes; `signature` 65 bytes r‖s‖v."""

    kind: StepKind
    subject: bytes
    document: bytes
    nonce: int
    item: int = 0
    code: int = 0
    at: int = 0
    terms: bytes = b""
    signature: bytes = field(default=b"", repr=False)

    def as_tuple(self) -> tuple:
        """The `SignedAction` tuple in the contract's field order."""
        return (
            int(self.kind),
            self.subject,
            self.item,
            self.code,
            self.at,
            self.terms,
            self.document,
            self.nonce,
            self.signature,
        )

    @classmethod
    def from_tuple(cls, t: tuple) -> "SharingAction":
        kind, subject, item, code, at, terms, document, nonce, signature = t
        return cls(StepKind(kind), subject, document, nonce, item, code, at, terms, signature)

    def message(self) -> dict:
        return {
            "kind": int(self.kind),
            "subject": self.subject,
            "item": self.item,
            "code": self.code,
            "at": self.at,
            "terms": self.terms,
            "document": self.document,
            "nonce": self.nonce,
        }


def typed_data(action: SharingAction, *, chain_id: int, sharing_address: str) -> dict:
    """The full EIP-712 message an officer's wallet signs."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN_FIELDS, "SharingAction": ACTION_FIELDS},
        "primaryType": "SharingAction",
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": chain_id,
            "verifyingContract": sharing_address,
        },
        "message": action.message(),
    }


def digest(action: SharingAction, *, chain_id: int, sharing_address: str) -> bytes:
    """The EIP-712 digest of `action`, as `Sharing.actionDigest` computes it."""
    struct_hash = keccak(
        abi_encode(
            ["bytes32", "uint8", "bytes32", "uint32", "uint16", "uint40", "bytes32", "bytes32", "uint256"],
            [
                ACTION_TYPEHASH,
                int(action.kind),
                action.subject,
                action.item,
                action.code,
                action.at,
                keccak(action.terms),
                keccak(action.document),
                action.nonce,
            ],
        )
    )
    return keccak(b"\x19\x01" + domain_separator(chain_id, sharing_address, DOMAIN_NAME) + struct_hash)


def recover_signer(action: SharingAction, *, chain_id: int, sharing_address: str) -> str:
    """The address that signed `action`; ValueError when the signature is malformed."""
    return recover_digest(digest(action, chain_id=chain_id, sharing_address=sharing_address), action.signature)


def sign_action(action: SharingAction, key, *, chain_id: int, sharing_address: str) -> SharingAction:
    """`action` with the officer's signature (`key`: a SigningKey of either scheme, or a raw
    secp256k1 private key), as chain.actions.sign_action."""
    if isinstance(key, SigningKey):
        return replace(
            action, signature=sign_digest(key, digest(action, chain_id=chain_id, sharing_address=sharing_address))
        )
    signed = Account.sign_typed_data(
        key, full_message=typed_data(action, chain_id=chain_id, sharing_address=sharing_address)
    )
    return replace(action, signature=bytes(signed.signature))


def demand_id_for(unit_id: bytes, document: bytes) -> bytes:
    """A demand's id, as the contract derives it: keccak256(abi.encode(unitId, keccak256(document)))."""
    return keccak(abi_encode(["bytes32", "bytes32"], [unit_id, keccak(document)]))


def scenario_id_for(code: str) -> bytes:
    """A scenario's on-chain id: keccak256 of its code."""
    return keccak(code.encode("utf-8"))


def encode_execute(action: SharingAction) -> bytes:
    """Calldata of `Sharing.execute(action)`."""
    from chain.signed_contracts import SIGNED_CONTRACTS  # the table reads the compiled ABI

    return SIGNED_CONTRACTS["sharing"].execute_calldata(action.as_tuple())
