"""An evidence bundle of the usage log (`GET /v1/usage/{id}`) verified from the chain alone.

What is checked, with nothing but a JSON-RPC node: the record is canonical JSON of the usage
record schema; the anchor transaction succeeded, is in a block of this chain, and carries the
`CheckpointAnchored` event of the bundle's `UsageLog` with the bundle's size and root (so the
Data Center's signed checkpoint was accepted by the contract, which checked the signer's unit);
the log id is that contract's on this chain; and the record's leaf hash, SM3(0x00 ‖ record), is
leaf `index` of that root by the RFC 9162 inclusion proof. No view call at a past block: the
event is read from the transaction's receipt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from chain.events import decode_log, event_topic
from chain.usage_log import log_id
from signer.canonical import is_canonical
from usage.errors import ProofError
from usage.hasher import SM3
from usage.proofs import verify_inclusion
from usage.records import SCHEMA


@dataclass
class UsageAudit:
    index: int | None = None
    size: int | None = None
    root: str | None = None
    tx_hash: str | None = None
    block_number: int | None = None
    signer: str | None = None
    record: dict | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _hex(value, length: int) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 2 + 2 * length:
        raise ValueError(f"not 0x and {2 * length} hexadecimal digits: {value!r}")
    return bytes.fromhex(value[2:])


def audit_bundle(bundle: dict, rpc) -> UsageAudit:
    """Every problem of `bundle` against the chain `rpc` answers for (`rpc.call(method, params)`)."""
    audit = UsageAudit()
    problems = audit.problems
    try:
        record = bundle["record"].encode("utf-8")
        audit.index = index = int(bundle["index"])
        checkpoint = bundle["checkpoint"]
        if checkpoint is None:
            problems.append(
                "the record is not anchored yet: ask the platform for the bundle again after its next checkpoint"
            )
            return audit
        audit.size = size = int(checkpoint["size"])
        root = _hex(checkpoint["root"], 32)
        audit.root = checkpoint["root"]
        audit.tx_hash = tx_hash = checkpoint["tx_hash"]
        proof = [_hex(h, 32) for h in bundle["proof"]]
        address = bundle["usage_log"]
        chain_id = int(bundle["chain_id"])
        claimed_log = _hex(bundle["log_id"], 32)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        problems.append(f"not an evidence bundle of GET /v1/usage/{{id}}: {exc}")
        return audit

    if not is_canonical(record):
        problems.append("record: not RFC 8785 canonical JSON (the leaf is hashed as sent)")
    try:
        audit.record = json.loads(record)
        if audit.record.get("schema") != SCHEMA:
            problems.append(f"record: schema is {audit.record.get('schema')!r}, not {SCHEMA}")
    except ValueError:
        problems.append("record: not JSON")

    node_chain = int(rpc.call("eth_chainId", []), 16)
    if node_chain != chain_id:
        problems.append(f"chain_id: the bundle is of chain {chain_id}, the node serves chain {node_chain}")
    if log_id(chain_id, address) != claimed_log:
        problems.append(f"log_id: {bundle['log_id']} is not keccak256(abi.encode({chain_id}, {address}))")

    receipt = rpc.call("eth_getTransactionReceipt", [tx_hash])
    if receipt is None:
        problems.append(f"checkpoint.tx_hash: {tx_hash} is not a transaction of this chain")
        return audit
    if int(receipt["status"], 16) != 1:
        problems.append(f"checkpoint.tx_hash: {tx_hash} failed on-chain")
    block = rpc.call("eth_getBlockByNumber", [receipt["blockNumber"], False])
    if block is None or block["hash"] != receipt["blockHash"]:
        problems.append(f"checkpoint.tx_hash: the block of {tx_hash} is no longer on the chain (reorganised)")
    audit.block_number = int(receipt["blockNumber"], 16)
    topic = event_topic("UsageLog", "CheckpointAnchored")
    anchors = [
        decode_log(raw)
        for raw in receipt["logs"]
        if raw["address"].lower() == address.lower() and raw["topics"] and raw["topics"][0] == topic
    ]
    if len(anchors) != 1:
        problems.append(f"checkpoint.tx_hash: {tx_hash} anchored no checkpoint in UsageLog {address}")
        return audit
    anchored = anchors[0].args
    audit.signer = anchored["signer"]
    if (anchored["size"], anchored["root"]) != (size, root):
        problems.append(
            f"checkpoint: the chain anchored size {anchored['size']} root 0x{anchored['root'].hex()}, "
            f"the bundle says size {size} root 0x{root.hex()}"
        )
        return audit
    try:
        verify_inclusion(SM3, index=index, size=size, leaf_hash=SM3.leaf(record), proof=proof, root=root)
    except ProofError as exc:
        problems.append(f"proof: the record is not leaf {index} of the anchored checkpoint: {exc}")
    return audit
