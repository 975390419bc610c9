"""`up` and `down` of a whole network written by `provision`: start, peer, then seal; stop by pid."""

from __future__ import annotations

import time
from pathlib import Path

from network.errors import NetworkError
from network.geth import geth_binary
from network.manifest import Manifest
from network.nodes import GethNode
from network.status import node_status

PEER_TIMEOUT_S = 30.0


def network_nodes(directory: Path, geth: Path | None = None) -> tuple[Manifest, list[GethNode]]:
    manifest = Manifest.load(directory)
    binary = geth or geth_binary()
    return manifest, [GethNode(s, Path(directory) / s.dir_name, binary, manifest.chain_id) for s in manifest.nodes]


def wait_peered(node: GethNode, peers: int, timeout: float = PEER_TIMEOUT_S) -> None:
    """Wait until `node` has at least `peers` peers. Raises NetworkError naming the node."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = node_status(node.spec)
        if status.peers is not None and status.peers >= peers:
            return
        time.sleep(0.1)
    raise NetworkError(
        f"{node.spec.code}'s node has fewer than {peers} peers after {timeout:.0f} s: "
        f"check the other nodes are up and p2p port {node.spec.p2p_port} is reachable"
    )


def start_node(node: GethNode, running: int) -> None:
    """Start one node into a network where `running` other nodes are up; it seals once it sees them."""
    node.start()
    wait_peered(node, running)
    node.seal()


def up(directory: Path, geth: Path | None = None) -> list[GethNode]:
    """Start every node of the network, wait until they all see each other, then let them seal."""
    _, nodes = network_nodes(directory, geth)
    for node in nodes:
        node.start()
    for node in nodes:
        wait_peered(node, len(nodes) - 1)
    for node in nodes:
        node.seal()
    return nodes


def down(directory: Path, geth: Path | None = None) -> list[GethNode]:
    """Stop every node by its pid (SIGTERM: geth writes its state first). The nodes that were running."""
    _, nodes = network_nodes(directory, geth)
    stopped = [node for node in nodes if node.alive()]
    for node in stopped:
        node.stop()
    return stopped
