"""`network.json`: what `init` wrote, read by `up`, `down` and `status`.

Public facts only (addresses, key ids, ports, enode URLs): the signer keys stay in the keystore and
each node's directory, the node keys in each node's directory.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from network.errors import NoNetwork
from network.genesis import GAS_LIMIT

MANIFEST = "network.json"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class NodeSpec:
    """One validator: its organisation, its signer address and the node's ports and identity."""

    index: int
    code: str  # the organisation's unit code
    name: str
    signer: str  # the Clique signer's address: its key id in the keystore (checksummed)
    p2p_port: int
    http_port: int
    authrpc_port: int
    enode: str
    host: str = HOST  # where its JSON-RPC listens; another address only inside a network namespace

    @property
    def dir_name(self) -> str:
        return f"node{self.index}-{self.code}"

    @property
    def rpc_url(self) -> str:
        return f"http://{self.host}:{self.http_port}"


@dataclass(frozen=True)
class Manifest:
    chain_id: int
    period: int
    nodes: tuple[NodeSpec, ...]
    gas_limit: int = GAS_LIMIT  # the genesis block's, which every validator keeps as its target
    min_tip: int | None = None  # wei: the least tip a validator includes (`--miner.gasprice`); None: geth's

    def save(self, directory: Path) -> None:
        record = {**asdict(self), "nodes": [asdict(n) for n in self.nodes]}
        (directory / MANIFEST).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, directory: Path) -> "Manifest":
        path = Path(directory) / MANIFEST
        if not path.is_file():
            raise NoNetwork(f"no network in {directory}: run `ledger network init` first")
        record = json.loads(path.read_text())
        return cls(**{**record, "nodes": tuple(NodeSpec(**n) for n in record["nodes"])})

    @property
    def rpc_urls(self) -> list[str]:
        return [n.rpc_url for n in self.nodes]
