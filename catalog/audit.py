"""An auditor's check of a catalog entry's history from the chain alone (`ledger audit version`).

With only a chain RPC URL and the contract addresses (GET /v1/deployment), every step of an
entry is re-verified: the document carried by the event hashes to the hash it records, the
action in the transaction's calldata is the one the event records and its signature (ECDSA or
SM2) was made by the key the event names, that key belonged to the entry's unit (a review: to
the Data Center) and was active when the step was taken. Key records come from the registry's
events (signer.registry), never from a view call at a past block, so the audit works on a node
that was restarted and keeps no historical state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eth_utils import keccak, to_checksum_address

from chain.actions import CatalogAction, VersionKind, digest
from chain.calldata import signature_problem
from chain.errors import ChainError
from chain.events import EventRecord, decode_log, event_topic
from chain.signed_contracts import SIGNED_CONTRACTS
from signer.errors import SignerError
from signer.registry import KeyNotRegistered, registered_key, registered_unit

STEP_EVENTS = ("CatalogVersionSubmitted", "CatalogVersionReviewed", "CatalogDataCollected")
SIGNER_ARG = {
    "CatalogVersionSubmitted": "signer",
    "CatalogVersionReviewed": "reviewer",
    "CatalogDataCollected": "recorder",
}
REVIEW_OUTCOMES = {0: "approved"}  # any other reason code returns the version


class UnknownEntry(ChainError):
    """No catalog step of this entry (or no version with this document) is on the chain."""


@dataclass
class StepAudit:
    """One step of an entry as the chain recorded it, and what did not check out (empty: valid)."""

    step: str
    version: int | None
    tx_hash: str
    block: int
    at: int
    signer: str
    unit: str  # the signer's unit: name (id)
    document_hash: str
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


def _logs(w3, address: str, name: str, *topics) -> list[EventRecord]:
    params = {
        "address": to_checksum_address(address),
        "fromBlock": "0x0",
        "toBlock": "latest",
        "topics": [event_topic("Catalog", name), *topics],
    }
    reply = w3.provider.make_request("eth_getLogs", [params])
    if "error" in reply:
        raise ChainError(f"eth_getLogs failed: {reply['error'].get('message')}")
    return [decode_log(log) for log in reply["result"]]


def find_by_document(w3, catalog_address: str, document: bytes) -> tuple[bytes, int]:
    """(entry id, version) of the submitted version whose document hashes as `document` does."""
    wanted = keccak(document)
    for event in _logs(w3, catalog_address, "CatalogVersionSubmitted"):
        if event.args["documentHash"] == wanted:
            return bytes(event.args["entryId"]), event.args["version"]
    raise UnknownEntry(f"no catalog version with document hash 0x{wanted.hex()} on the Catalog at {catalog_address}")


def audit_entry(
    w3, registry_address: str, catalog_address: str, entry_id: bytes, *, version: int | None = None
) -> list[StepAudit]:
    """Every step of `entry_id` (only those of `version` when given), in chain order."""
    entry_topic = "0x" + entry_id.hex()
    events = [e for name in STEP_EVENTS for e in _logs(w3, catalog_address, name, entry_topic)]
    events.sort(key=lambda e: (e.block_number, e.log_index))
    if version is not None:
        events = [e for e in events if e.args.get("version") == version]
    if not events:
        raise UnknownEntry(f"no catalog step of entry {entry_topic}" + (f" version {version}" if version else ""))
    chain_id = w3.eth.chain_id
    return [_audit_step(w3, registry_address, catalog_address, chain_id, e) for e in events]


def _describe(event: EventRecord) -> str:
    if event.name == "CatalogVersionSubmitted":
        return f"submitted ({VersionKind(event.args['kind']).name.lower()})"
    if event.name == "CatalogVersionReviewed":
        return "reviewed: " + REVIEW_OUTCOMES.get(
            event.args["reasonCode"], f"returned (code {event.args['reasonCode']})"
        )
    return "data collected (Art. 15)"


def _audit_step(w3, registry_address: str, catalog_address: str, chain_id: int, event: EventRecord) -> StepAudit:
    args = event.args
    signer = args[SIGNER_ARG[event.name]]
    at = int(w3.eth.get_block(event.block_number)["timestamp"])
    document_hash = bytes(args["documentHash"])
    audit = StepAudit(
        _describe(event),
        args.get("version"),
        event.tx_hash,
        event.block_number,
        at,
        signer,
        "?",
        "0x" + document_hash.hex(),
    )
    if keccak(args["document"]) != document_hash:
        audit.problems.append("the event's document does not hash to the hash it records")
    try:
        key = registered_key(w3, registry_address, signer, block=event.block_number)
    except (KeyNotRegistered, SignerError) as exc:
        audit.problems.append(f"the signer {signer} is no registered key ({exc})")
        return audit
    unit = registered_unit(w3, registry_address, key.unit_id, block=event.block_number)
    audit.unit = f"{unit.name if unit else '?'} (0x{key.unit_id.hex()})"
    if not key.active_at(at):
        audit.problems.append(f"the key {signer} was not active at the step ({at})")
    if event.name == "CatalogVersionSubmitted":
        if key.unit_id != bytes(args["unitId"]):
            audit.problems.append("the signer's key belongs to another unit than the version records")
    elif event.name == "CatalogVersionReviewed" and (unit is None or unit.kind != "data_center"):
        audit.problems.append("the reviewer's unit is not the Data Center")
    elif event.name == "CatalogDataCollected" and (unit is None or unit.kind != "data_center"):
        audit.problems.append("the collection was not recorded by the Data Center")
    audit.problems += _signature_problems(w3, catalog_address, chain_id, event, key)
    return audit


def _signature_problems(w3, catalog_address: str, chain_id: int, event: EventRecord, key) -> list[str]:
    """The action in the transaction that this event records, and whether its signature is the key's."""

    def digest_of(action: tuple) -> bytes:
        kind, entry_id, version, reason_code, document, nonce, declared_at, sharing, responsibility, signature = action
        unsigned = CatalogAction(
            kind, entry_id, version, reason_code, document, nonce, signature, declared_at, sharing, responsibility
        )
        return digest(unsigned, chain_id=chain_id, catalog_address=catalog_address)

    problem = signature_problem(
        w3,
        event.tx_hash,
        SIGNED_CONTRACTS["catalog"],
        nonce=event.args["nonce"],
        document_hash=bytes(event.args["documentHash"]),
        digest_of=digest_of,
        key=key,
    )
    return [problem] if problem else []
