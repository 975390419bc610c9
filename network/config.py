"""Node keys, enode URLs and the `--config` TOML that names each node's peers.

geth 1.13 ignores `static-nodes.json` (deprecated in 1.10, no longer read): static peers go in
`[Node.P2P] StaticNodes` of a TOML passed with `--config`. With discovery off they are the only
peers a node dials; `TrustedNodes` lets them in even when the node is at `--maxpeers`.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from coincurve import PrivateKey

from signer._atomic import write_private_file


def new_node_key(path: Path) -> bytes:
    """Write a fresh secp256k1 node key (hex, as geth's `--nodekey` file reads it); return it.

    The node key identifies the node on p2p (its enode id); it is not the validator's signer key,
    so a node can be moved or re-keyed without touching the chain's signer set.
    """
    key = secrets.token_bytes(32)
    write_private_file(path, key.hex().encode())
    return key


def enode_id(node_key: bytes) -> str:
    """The node id: the 64-byte uncompressed public key of the node key, hex."""
    return PrivateKey(node_key).public_key.format(compressed=False)[1:].hex()


def enode_url(node_key: bytes, host: str, port: int) -> str:
    return f"enode://{enode_id(node_key)}@{host}:{port}"


def _toml_strings(values: list[str]) -> str:
    # A JSON string of ASCII text is a TOML basic string.
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def config_toml(peers: list[str]) -> str:
    """The `--config` file of a node whose peers are the enode URLs `peers` (itself excluded)."""
    return f"[Node.P2P]\nStaticNodes = {_toml_strings(peers)}\nTrustedNodes = {_toml_strings(peers)}\n"
