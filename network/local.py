"""A whole network on loopback as one node kind: what the tests and the benchmarks start beside
anvil and the Hardhat node (chain/node.py's LocalNode).

`start` provisions N validators into a directory (fresh signer and node keys, free ports) and
brings them up; `url` is the first organisation's node, `urls` every node in order (the API's
failover list); `stop` stops them all by pid. The chain's clock is the wall clock: geth has no
`evm_increaseTime`, `evm_snapshot` or `evm_mine`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from chain.node import free_port
from network.genesis import GAS_LIMIT
from network.lifecycle import down, network_nodes, up
from network.manifest import Manifest
from network.nodes import GethNode
from network.provision import provision

PASSWORD = "local-network-password"  # the signer keys of a throwaway loopback network
# geth suggests a gas price from the tips recent blocks paid (60th percentile); a sender that pays
# a multiple of the suggestion (chain/client.py's Sender pays twice it) raises the next suggestion
# by as much, and on a chain whose every block is a test's, that compounds until a deployment's
# fee passes geth's 1-ether cap (seen after five tests). The suggestion is capped at 1 gwei here.
GAS_PRICE_ORACLE = "\n[Eth.GPO]\nMaxPrice = 1000000000\n"


@dataclass
class LocalNetwork:
    """`validators` geth Clique validators sealing every `period` seconds, in `data_dir`; period 0
    seals a block as soon as a transaction waits (tests only: network/genesis.py)."""

    data_dir: Path
    funded: dict[str, int]
    validators: int = 4
    period: int = 1
    gas_limit: int = GAS_LIMIT  # the genesis block's, which the validators keep
    geth: Path | None = None
    kind: str = "geth"
    manifest: Manifest | None = field(default=None, init=False)
    nodes: list[GethNode] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).resolve()

    @property
    def url(self) -> str:
        return self.urls[0]

    @property
    def urls(self) -> list[str]:
        if self.manifest is None:
            raise RuntimeError("the network is not started")
        return self.manifest.rpc_urls

    def start(self) -> "LocalNetwork":
        from network.geth import check_version, geth_binary

        self.geth = self.geth or geth_binary()
        check_version(self.geth)
        self.manifest = provision(
            self.data_dir,
            validators=self.validators,
            period=self.period,
            gas_limit=self.gas_limit,
            password=PASSWORD,
            keystore_dir=self.data_dir / "keys",
            funded=self.funded,
            geth=self.geth,
            ports=[(free_port(), free_port(), free_port()) for _ in range(self.validators)],
            on_demand=self.period == 0,
        )
        for spec in self.manifest.nodes:
            with open(self.data_dir / spec.dir_name / "config.toml", "a") as config:
                config.write(GAS_PRICE_ORACLE)
        try:
            up(self.data_dir, self.geth)
        except Exception:
            down(self.data_dir, self.geth)
            raise
        self.nodes = network_nodes(self.data_dir, self.geth)[1]
        return self

    def stop(self) -> None:
        if self.manifest is not None:
            down(self.data_dir, self.geth)
