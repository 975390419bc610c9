"""An auditor's check of a demand's commitment (Art. 18) from the chain alone.

The Sharing contract verifies an ECDSA commitment itself but cannot verify SM2 (no precompile):
the API verifies SM2 before relaying, and this module lets anyone verify either again with
nothing but an RPC endpoint and the contract addresses. It reads the demand's Apply step
(`SharingStep` with the demand id as its indexed subject), decodes the commitment the contract
recorded, and checks it against the key registered on-chain (`signer.registry`): the signature,
the key's unit, the key active at the signing time, and that the commitment names this demand
and the demand unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import to_checksum_address

from chain.errors import ChainError
from chain.events import EventRecord, decode_log, event_topic
from chain.sharing import ApplyTerms, KeyScheme, StepKind
from signer import ecdsa
from signer.commitment import validate_commitment
from signer.detached import DetachedSignature, file_document_hash, signed_message
from signer.errors import SignerError
from signer.registry import (
    OnChainVerification,
    registered_key,
    verify_commitment_on_chain,
)
from signer.sm2 import DEFAULT_USER_ID


class UnknownDemand(ChainError):
    """No Apply step of this demand id is on the chain."""


@dataclass(frozen=True)
class CommitmentAudit:
    demand_id: str
    demand_unit_id: str
    apply_tx: str
    apply_block: int
    scheme: str
    key_id: str
    verification: OnChainVerification
    problem: str | None  # the first failure, in words; None when valid

    @property
    def valid(self) -> bool:
        return self.problem is None


def apply_step(w3, sharing_address: str, demand_id: bytes) -> EventRecord:
    """The demand's Apply step, from `eth_getLogs` on the Sharing contract."""
    params = {"address": to_checksum_address(sharing_address), "fromBlock": "0x0", "toBlock": "latest",
              "topics": [event_topic("Sharing", "SharingStep"), "0x" + demand_id.hex(),
                         "0x" + int(StepKind.APPLY).to_bytes(32, "big").hex()]}
    reply = w3.provider.make_request("eth_getLogs", [params])
    if "error" in reply:
        raise ChainError(f"eth_getLogs failed: {reply['error'].get('message')}")
    if not reply["result"]:
        raise UnknownDemand(f"no application 0x{demand_id.hex()} on the Sharing contract at {sharing_address}")
    return decode_log(reply["result"][0])


def _detached(scheme: KeyScheme, key_id: str, public_key: bytes | None, document: bytes, signature: bytes):
    digest = file_document_hash(document)
    if scheme == KeyScheme.SM2:
        return DetachedSignature("sm2", key_id.lower(), public_key, digest, signature, DEFAULT_USER_ID)
    # ECDSA: the registry keeps only the address; the public key is recovered from the signature
    # and must hash to it (signer.registry checks that).
    recovered = ecdsa.recover_message_public_key(signed_message(digest), signature)
    return DetachedSignature("ecdsa", to_checksum_address(key_id), recovered, digest, signature)


def audit_commitment(w3, registry_address: str, sharing_address: str, demand_id: bytes) -> CommitmentAudit:
    """Verify the commitment the chain recorded for `demand_id`; chain failures are raised."""
    step = apply_step(w3, sharing_address, demand_id)
    terms = ApplyTerms.decode(step.args["terms"])
    proof = terms.commitment
    unit_hex = "0x" + step.args["unitId"].hex()
    demand_hex = "0x" + demand_id.hex()
    problem = None
    try:
        commitment = validate_commitment(proof.document)
        key = registered_key(w3, registry_address, proof.key_id, block=step.block_number)
        signature = _detached(proof.scheme, proof.key_id, key.public_key, proof.document, proof.signature)
        checked = verify_commitment_on_chain(w3, registry_address, proof.document, signature)
    except SignerError as exc:
        checked = OnChainVerification(False, exc, None)  # type: ignore[arg-type]
        commitment = None
    if not checked.ok:
        problem = checked.error.one_line() if checked.error else "does not verify"
    elif commitment.demand_id != demand_hex:
        problem = f"the commitment names demand {commitment.demand_id}"
    elif commitment.signing_unit_id.lower() != unit_hex:
        problem = f"the commitment names unit {commitment.signing_unit_id}, the demand's is {unit_hex}"
    return CommitmentAudit(demand_hex, unit_hex, step.tx_hash, step.block_number,
                           "sm2" if proof.scheme == KeyScheme.SM2 else "ecdsa", proof.key_id, checked, problem)
