"""An auditor's check of a demand's commitment (Art. 18) and of its grant, from the chain alone.

The Sharing contract verifies commitments itself (ECDSA and SM2, through the registry); this
module lets anyone verify them again with nothing but an RPC endpoint and the contract
addresses. It reads the demand's Apply step (`SharingStep` with the demand id as its indexed
subject), decodes the commitment the contract recorded, and checks it against the key
registered on-chain (`signer.registry`, from the registry's events): the signature, the key's
unit, the key active at the signing time, and that the commitment names this demand and the
demand unit. `audit_grant` adds every step of the demand and grant, each signed step's
signature checked against the transaction's calldata.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import to_checksum_address

from chain.calldata import signature_problem
from chain.errors import ChainError
from chain.events import EventRecord, decode_log, event_topic
from chain.sharing import (
    SIGNED_KINDS,
    ApplyTerms,
    GrantStatus,
    KeyScheme,
    Method,
    SharingAction,
    StepKind,
    digest,
)
from chain.signed_contracts import SIGNED_CONTRACTS
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
    params = {
        "address": to_checksum_address(sharing_address),
        "fromBlock": "0x0",
        "toBlock": "latest",
        "topics": [
            event_topic("Sharing", "SharingStep"),
            "0x" + demand_id.hex(),
            "0x" + int(StepKind.APPLY).to_bytes(32, "big").hex(),
        ],
    }
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
    return CommitmentAudit(
        demand_hex,
        unit_hex,
        step.tx_hash,
        step.block_number,
        "sm2" if proof.scheme == KeyScheme.SM2 else "ecdsa",
        proof.key_id,
        checked,
        problem,
    )


@dataclass
class GrantStep:
    """One recorded step of a demand and its grant, with what did not check out (empty: valid)."""

    kind: str
    tx_hash: str
    block: int
    at: int
    actor: str
    problems: list[str]


@dataclass(frozen=True)
class GrantAudit:
    grant_id: str
    unit_id: str
    scenario_id: str
    method: str
    resources: list[tuple[str, int]]  # (entry id, pinned version)
    status: str  # the last recorded status
    commitment: CommitmentAudit
    steps: list[GrantStep]

    @property
    def valid(self) -> bool:
        return self.commitment.valid and all(not s.problems for s in self.steps)


def _sharing_logs(w3, sharing_address: str, name: str, subject: bytes) -> list[EventRecord]:
    params = {
        "address": to_checksum_address(sharing_address),
        "fromBlock": "0x0",
        "toBlock": "latest",
        "topics": [event_topic("Sharing", name), "0x" + subject.hex()],
    }
    reply = w3.provider.make_request("eth_getLogs", [params])
    if "error" in reply:
        raise ChainError(f"eth_getLogs failed: {reply['error'].get('message')}")
    return [decode_log(log) for log in reply["result"]]


def audit_grant(w3, registry_address: str, sharing_address: str, grant_id: bytes) -> GrantAudit:
    """The grant (its id is its demand's), its commitment, and every step of the demand and the
    grant: each signed step's signature checked against the transaction's calldata and the key
    registered for the unit the step names (from the registry's events)."""
    issued = _sharing_logs(w3, sharing_address, "GrantIssued", grant_id)
    if not issued:
        raise UnknownDemand(f"no grant 0x{grant_id.hex()} on the Sharing contract at {sharing_address}")
    grant = issued[0].args
    statuses = _sharing_logs(w3, sharing_address, "GrantStatusChanged", grant_id)
    chain_id, steps = w3.eth.chain_id, []
    for event in _sharing_logs(w3, sharing_address, "SharingStep", grant_id):
        kind, problems = StepKind(event.args["kind"]), []
        at = int(w3.eth.get_block(event.block_number)["timestamp"])
        if kind in SIGNED_KINDS:
            try:
                key = registered_key(w3, registry_address, event.args["actor"], block=event.block_number)
                if key.unit_id != bytes(event.args["unitId"]):
                    problems.append("the actor's key belongs to another unit than the step records")
                if not key.active_at(at):
                    problems.append("the actor's key was not active at the step")
                problem = signature_problem(
                    w3,
                    event.tx_hash,
                    SIGNED_CONTRACTS["sharing"],
                    nonce=event.args["nonce"],
                    document_hash=bytes(event.args["documentHash"]),
                    digest_of=lambda action: digest(
                        SharingAction.from_tuple(action), chain_id=chain_id, sharing_address=sharing_address
                    ),
                    key=key,
                )
                if problem:
                    problems.append(problem)
            except SignerError as exc:
                problems.append(f"the step's signature does not verify: {exc}")
        steps.append(GrantStep(kind.name.lower(), event.tx_hash, event.block_number, at, event.args["actor"], problems))
    return GrantAudit(
        "0x" + grant_id.hex(),
        "0x" + bytes(grant["unitId"]).hex(),
        "0x" + bytes(grant["scenarioId"]).hex(),
        Method(grant["method"]).name.lower(),
        [("0x" + bytes(e).hex(), v) for e, v in zip(grant["entryIds"], grant["versions"])],
        GrantStatus(statuses[-1].args["status"]).name.lower() if statuses else "active",
        audit_commitment(w3, registry_address, sharing_address, grant_id),
        steps,
    )
