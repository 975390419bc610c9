"""The Office's decisions on the validators, on the chain (contracts/ValidatorGovernance.sol).

An Office officer signs a `ValidatorDecision` (EIP-712, domain `PutuoValidators`) with an SM2 or
ECDSA key the UnitRegistry holds; any account relays it; the contract checks the signature and
that the signer is the Office's. `network/voting.py` then has the validators vote it. The struct
here must match `ValidatorGovernance.ACTION_TYPEHASH` (tests/contracts/test_validator_governance.py).
"""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import keccak, to_checksum_address
from web3 import Web3

from chain.actions import EIP712_DOMAIN_FIELDS, domain_separator
from chain.client import Sender, contract_at, deploy_contract
from chain.signatures import sign_digest
from network.errors import NetworkError
from signer.keys import SigningKey

DOMAIN_NAME = "PutuoValidators"
DOMAIN_VERSION = "1"
TYPE_STRING = "ValidatorDecision(uint8 kind,address validator,bytes32 unitId,bytes document,uint256 nonce)"
ACTION_TYPEHASH = keccak(text=TYPE_STRING)
ACTION_TYPES = {
    "ValidatorDecision": [
        {"name": "kind", "type": "uint8"},
        {"name": "validator", "type": "address"},
        {"name": "unitId", "type": "bytes32"},
        {"name": "document", "type": "bytes"},
        {"name": "nonce", "type": "uint256"},
    ]
}
RECORD = "governance.json"  # in the network's directory: where the contract is


class DecisionKind(enum.IntEnum):
    """IValidatorGovernance.DecisionKind."""

    NONE = 0
    ADD = 1
    REMOVE = 2


class NoGovernance(NetworkError):
    """Raised when the network has no ValidatorGovernance deployed (or its record is of another chain)."""


@dataclass(frozen=True)
class ValidatorDecision:
    """One Office decision. `document` is canonical JSON bytes; `signature` ECDSA r‖s‖v or SM2 key id ‖ DER."""

    kind: DecisionKind
    validator: str
    unit_id: bytes
    document: bytes
    nonce: int
    signature: bytes = b""

    def as_tuple(self) -> tuple:
        """The `SignedAction` tuple in the contract's field order."""
        return (int(self.kind), self.validator, self.unit_id, self.document, self.nonce, self.signature)

    def message(self) -> dict:
        return {
            "kind": int(self.kind),
            "validator": self.validator,
            "unitId": self.unit_id,
            "document": self.document,
            "nonce": self.nonce,
        }

    def digest(self, *, chain_id: int, governance: str) -> bytes:
        """The EIP-712 digest, as `ValidatorGovernance.actionDigest` computes it."""
        struct_hash = keccak(
            abi_encode(
                ["bytes32", "uint8", "address", "bytes32", "bytes32", "uint256"],
                [ACTION_TYPEHASH, int(self.kind), self.validator, self.unit_id, keccak(self.document), self.nonce],
            )
        )
        return keccak(b"\x19\x01" + domain_separator(chain_id, governance, DOMAIN_NAME) + struct_hash)

    def typed_data(self, *, chain_id: int, governance: str) -> dict:
        """The full EIP-712 message an officer's wallet signs."""
        domain = {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": chain_id, "verifyingContract": governance}
        return {
            "types": {"EIP712Domain": EIP712_DOMAIN_FIELDS, **ACTION_TYPES},
            "primaryType": "ValidatorDecision",
            "domain": domain,
            "message": self.message(),
        }

    def signed(self, key, *, chain_id: int, governance: str) -> "ValidatorDecision":
        """This decision signed by `key`: a signer.keys.SigningKey of either scheme, or a raw
        secp256k1 private key."""
        if isinstance(key, SigningKey):
            signature = sign_digest(key, self.digest(chain_id=chain_id, governance=governance))
        else:
            full = self.typed_data(chain_id=chain_id, governance=governance)
            signature = bytes(Account.sign_typed_data(key, full_message=full).signature)
        return ValidatorDecision(**{**self.__dict__, "signature": signature})


@dataclass(frozen=True)
class GovernanceRecord:
    """Where the network's ValidatorGovernance is, with its deploy block to tell chains apart."""

    address: str
    chain_id: int
    deploy_block: int
    deploy_block_hash: str

    def save(self, directory: Path) -> None:
        (Path(directory) / RECORD).write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, directory: Path, w3: Web3 | None = None) -> "GovernanceRecord":
        """The record in `directory`; checked against the chain of `w3` when given."""
        path = Path(directory) / RECORD
        if not path.is_file():
            raise NoGovernance(f"no validator governance in {directory}: run `ledger network govern` first")
        record = cls(**json.loads(path.read_text()))
        if w3 is not None:
            block = w3.eth.get_block(record.deploy_block)
            if block["hash"].to_0x_hex() != record.deploy_block_hash:
                raise NoGovernance(f"{path} describes another chain: run `ledger network govern` again")
        return record


def deploy_governance(office: Sender, registry: str, directory: Path) -> GovernanceRecord:
    """Deploy ValidatorGovernance over the UnitRegistry at `registry`; record it in `directory`."""
    contract, receipt = deploy_contract(office, "ValidatorGovernance", registry)
    record = GovernanceRecord(
        contract.address, office.w3.eth.chain_id, receipt["blockNumber"], receipt["blockHash"].to_0x_hex()
    )
    record.save(directory)
    return record


def record_decision(relayer: Sender, governance: str, decision: ValidatorDecision) -> dict:
    """Relay a signed decision; the receipt. Raises ActionRevertedError with the contract's error."""
    contract = contract_at(relayer.w3, "ValidatorGovernance", governance)
    return relayer.send(contract.functions.execute(decision.as_tuple()))


@dataclass(frozen=True)
class Decision:
    """IValidatorGovernance.Decision, as a node holds it."""

    kind: DecisionKind
    decided_block: int
    decided_at: int
    unit_id: bytes
    officer: str
    document_hash: bytes


def decision_of(w3: Web3, governance: str, validator: str, block: int | str = "latest") -> Decision:
    """The latest Office decision on `validator` in the chain `w3` holds, as of `block`; none at a
    block before the contract was deployed."""
    contract = contract_at(w3, "ValidatorGovernance", governance)
    if not w3.eth.get_code(contract.address, block):
        return Decision(DecisionKind.NONE, 0, 0, bytes(32), "0x" + "00" * 20, bytes(32))
    kind, number, at, unit_id, officer, document_hash = contract.functions.decision(
        to_checksum_address(validator)
    ).call(block_identifier=block)
    return Decision(DecisionKind(kind), number, at, bytes(unit_id), officer, bytes(document_hash))


def decided_validators(w3: Web3, governance: str) -> set[str]:
    """The validators the Office decided in and not out (checksummed)."""
    contract = contract_at(w3, "ValidatorGovernance", governance)
    return {to_checksum_address(a) for a in contract.functions.validators().call()}
