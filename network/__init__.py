"""A multi-validator network on geth v1.13.15 Clique: each organisation holds a validator.

`provision` writes a network (keys, genesis, per-node config) into a directory, `nodes` starts and
stops its geth processes by pid, `status` asks each node for its head, peers and signers. The
platform itself talks JSON-RPC to any node of the Paris fork and knows nothing of this package.
"""

from network.errors import NetworkError
from network.manifest import Manifest, NodeSpec
from network.nodes import GethNode
from network.provision import provision
from network.status import NodeStatus, node_status

__all__ = ["GethNode", "Manifest", "NetworkError", "NodeSpec", "NodeStatus", "node_status", "provision"]
