"""What each node says: its head, its peers, and the signers Clique counts at its head."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from network.manifest import NodeSpec

TIMEOUT_S = 2.0  # a node that takes longer is reported as not answering


@dataclass(frozen=True)
class NodeStatus:
    spec: NodeSpec
    answering: bool
    head: int | None = None
    head_hash: str | None = None
    peers: int | None = None
    signers: tuple[str, ...] = ()
    error: str | None = None


def node_status(spec: NodeSpec) -> NodeStatus:
    """One batched JSON-RPC request to the node: head block, peer count, `clique_getSigners`."""
    calls = [("eth_getBlockByNumber", ["latest", False]), ("net_peerCount", []), ("clique_getSigners", ["latest"])]
    body = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
    try:
        replies = requests.post(spec.rpc_url, json=body, timeout=TIMEOUT_S).json()
    except (requests.RequestException, ValueError) as exc:
        return NodeStatus(spec, answering=False, error=type(exc).__name__)
    by_id = {r.get("id"): r for r in replies} if isinstance(replies, list) else {}
    errors = [r["error"].get("message") for r in by_id.values() if "error" in r]
    if errors or len(by_id) != len(calls):
        return NodeStatus(spec, answering=True, error=errors[0] if errors else "incomplete answer")
    block, peers, signers = (by_id[i]["result"] for i in range(len(calls)))
    return NodeStatus(
        spec,
        answering=True,
        head=int(block["number"], 16),
        head_hash=block["hash"],
        peers=int(peers, 16),
        signers=tuple(signers),
    )
