"""A new organisation's node joins a running network (docs/DEPLOYMENT.md, "How to add an organisation").

The node gets a signer key and a node key of its own, the network's genesis, and the running nodes
as its peers; each running node learns its enode (`admin_addPeer`, `admin_addTrustedPeer` over IPC,
and in its `--config` for its next start). It runs and follows the chain from then on, and seals
only once the validators have voted its signer in (network/voting.py), after the Office's decision.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from network.config import config_toml
from network.errors import NetworkError
from network.ipc import ipc_call, ipc_path
from network.lifecycle import network_nodes, node_of, start_node
from network.nodes import GethNode
from network.organisations import Organisation
from network.provision import GENESIS, geth_init, new_node


def join(
    directory: Path,
    org: Organisation,
    *,
    password: str,
    keystore_dir: Path,
    geth: Path,
    ports: tuple[int, int, int],
) -> GethNode:
    """Write `org`'s node into the network in `directory`, start it and peer it with the running
    nodes; the node (not yet a signer). Raises NetworkError if `org` already holds a node."""
    directory = Path(directory)
    manifest, nodes = network_nodes(directory, geth)
    if any(spec.code == org.code for spec in manifest.nodes):
        raise NetworkError(f"{org.code} already holds a node of this network")
    taken = {p for s in manifest.nodes for p in (s.p2p_port, s.http_port, s.authrpc_port)}
    if taken & set(ports):
        raise NetworkError(f"ports {sorted(taken & set(ports))} are taken by another node of this network")
    index = max(s.index for s in manifest.nodes) + 1
    spec, _ = new_node(directory, index, org, ports, password=password, keystore_dir=keystore_dir)
    node_dir = directory / spec.dir_name
    (node_dir / "config.toml").write_text(config_toml([s.enode for s in manifest.nodes]))
    geth_init(geth, node_dir / "data", directory / GENESIS)
    replace(manifest, nodes=(*manifest.nodes, spec)).save(directory)
    for other in manifest.nodes:
        peers = [s.enode for s in manifest.nodes if s.index != other.index] + [spec.enode]
        (directory / other.dir_name / "config.toml").write_text(config_toml(peers))
    running = [n for n in nodes if n.alive()]
    for other in running:
        for method in ("admin_addTrustedPeer", "admin_addPeer"):
            ipc_call(ipc_path(other.directory), method, [spec.enode])
    node = node_of(manifest, spec, directory, geth)
    start_node(node, running)
    return node
