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
CATCH_UP_TIMEOUT_S = 60.0


def network_nodes(directory: Path, geth: Path | None = None) -> tuple[Manifest, list[GethNode]]:
    manifest = Manifest.load(directory)
    binary = geth or geth_binary()
    return manifest, [node_of(manifest, s, Path(directory), binary) for s in manifest.nodes]


def node_of(manifest: Manifest, spec, directory: Path, geth: Path) -> GethNode:
    """The node of `spec` as the network's manifest has it run (its gas settings are the network's)."""
    return GethNode(
        spec, directory / spec.dir_name, geth, manifest.chain_id, gas_limit=manifest.gas_limit, min_tip=manifest.min_tip
    )


def wait_peered(node: GethNode, peers: int, timeout: float = PEER_TIMEOUT_S) -> None:
    """Wait until `node` has at least `peers` peers. Raises NetworkError naming the node."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = node_status(node.spec, node.directory)
        if status.peers is not None and status.peers >= peers:
            return
        time.sleep(0.1)
    raise NetworkError(
        f"{node.spec.code}'s node has fewer than {peers} peers after {timeout:.0f} s: "
        f"check the other nodes are up and p2p port {node.spec.p2p_port} is reachable"
    )


def start_node(node: GethNode, others: list[GethNode], timeout: float = CATCH_UP_TIMEOUT_S) -> None:
    """Start one node into a network whose `others` are running: it seals once it sees them, and
    this returns once it holds their head. A node that was behind syncs at geth's forced sync
    cycle (every 10 s with fewer than 5 peers), after a SIGKILL from the state it last wrote."""
    node.start()
    wait_peered(node, len(others))
    node.seal()
    target = max((node_status(o.spec).head or 0) for o in others)
    deadline = time.monotonic() + timeout
    while (node_status(node.spec, node.directory).head or 0) < target:
        if time.monotonic() > deadline:
            raise NetworkError(f"{node.spec.code}'s node did not reach block {target} within {timeout:.0f} s")
        time.sleep(0.2)


def up(directory: Path, geth: Path | None = None) -> list[GethNode]:
    """Start every node of the network, wait until they all see each other and have unlocked
    their signer keys, then let them all seal at once, the signer in turn for the next block last.

    A geth node drops the blocks its peers propagate until it has synced once or started sealing
    (geth 1.13 eth/handler.go, "Syncing, discarded propagated block"; a sync is forced only every
    10 s with fewer than 5 peers). A signer that seals while another is not yet sealing has its
    block dropped there, that one seals its own block at the same height, and once each branch is
    extended by another signer every signer is "signed recently" on the branch it holds: the chain
    stops for good (go-ethereum#18402; seen here on a loaded CPU with sealing started one node at
    a time). The signer in turn seals at once; the others wait a random 0–1.5 s first. So the
    others start first, and by the time the first block comes every node accepts it.
    """
    return start_all(network_nodes(directory, geth)[1])


def start_all(nodes: list[GethNode]) -> list[GethNode]:
    """`up` for nodes built by the caller (the fault tests run them in network namespaces)."""
    for node in nodes:
        node.start()
    for node in nodes:
        wait_peered(node, len(nodes) - 1)
    for node in nodes:
        node.wait_unlocked()
    for node in _in_turn_last(nodes):
        node.seal()
    return nodes


def _in_turn_last(nodes: list[GethNode]) -> list[GethNode]:
    """`nodes` with the one whose signer is in turn for the next block (Clique: block n is the
    n mod N-th signer's in address order) moved to the end."""
    status = node_status(nodes[0].spec, nodes[0].directory)
    signers = sorted(a.lower() for a in status.signers)
    if status.head is None or not signers:
        return nodes
    in_turn = signers[(status.head + 1) % len(signers)]
    return sorted(nodes, key=lambda node: node.spec.signer.lower() == in_turn)


def down(directory: Path, geth: Path | None = None) -> list[GethNode]:
    """Stop every node by its pid (SIGTERM: geth writes its state first). The nodes that were running."""
    _, nodes = network_nodes(directory, geth)
    stopped = [node for node in nodes if node.alive()]
    for node in stopped:
        node.stop()
    return stopped
