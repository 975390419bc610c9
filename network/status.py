"""What each node says: its head, its peers, and the signers Clique counts at its head.

Head and peers come over the node's HTTP port, which serves no `clique` namespace (network/nodes.py).
The signers come from the node's IPC socket when this machine holds it (`clique_getSignersAtHash`
at the head just read), else from the headers themselves (network/seal.py replays the votes).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import requests

from network.ipc import ipc_call, ipc_path
from network.manifest import NodeSpec
from network.seal import ChainMovedError, signers_at

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


# A node that moved to another branch while its signers were replayed is asked again, from its new
# head, up to this many times in all (a status read once in CI under load met one reorganisation).
READS = 3


def node_status(spec: NodeSpec, directory: Path | None = None) -> NodeStatus:
    """One batched JSON-RPC request to the node (head block, peer count), then its signers: over
    IPC when `directory` (the node's own) holds its socket, else replayed from its headers."""
    for _ in range(READS):
        try:
            return _read_status(spec, directory)
        except ChainMovedError as exc:
            moved = exc
    return NodeStatus(spec, True, error=f"signers unknown: {moved}")


def _read_status(spec: NodeSpec, directory: Path | None) -> NodeStatus:
    """One read of `node_status`; raises ChainMovedError when the node reorganised meanwhile."""
    calls = [("eth_getBlockByNumber", ["latest", False]), ("net_peerCount", [])]
    body = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
    try:
        replies = requests.post(spec.rpc_url, json=body, timeout=TIMEOUT_S).json()
    except (requests.RequestException, ValueError) as exc:
        return NodeStatus(spec, answering=False, error=type(exc).__name__)
    by_id = {r.get("id"): r for r in replies} if isinstance(replies, list) else {}
    errors = [r["error"].get("message") for r in by_id.values() if "error" in r]
    if errors or len(by_id) != len(calls):
        return NodeStatus(spec, answering=True, error=errors[0] if errors else "incomplete answer")
    block, peers = (by_id[i]["result"] for i in range(len(calls)))
    head, head_hash, peers = int(block["number"], 16), block["hash"], int(peers, 16)
    try:
        signers = _signers(spec, directory, block)
    except ChainMovedError:
        raise
    except (OSError, RuntimeError, ValueError, requests.RequestException) as exc:
        return NodeStatus(spec, True, head, head_hash, peers, error=f"signers unknown: {exc}")
    return NodeStatus(spec, True, head, head_hash, peers, signers=signers)


def _signers(spec: NodeSpec, directory: Path | None, block: dict) -> tuple[str, ...]:
    socket = ipc_path(directory) if directory is not None else None
    if socket is not None and socket.exists():
        return tuple(ipc_call(socket, "clique_getSignersAtHash", [block["hash"]]))
    return signers_at(spec.rpc_url, block)
