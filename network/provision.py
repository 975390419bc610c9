"""`init`: write a network of N validators into a directory, ready for `up`.

For each organisation: a new ECDSA signer key sealed in the project keystore (named
`validator-<code>`, listed by `ledger keys list`) and exported as the Ethereum v3 file geth unlocks,
a node key of its own, a `--config` naming the other nodes as its only peers; then one genesis,
written into every node's datadir with `geth init`. On four machines each organisation runs this
part for its own node (docs/DEPLOYMENT.md); here all four live side by side on loopback.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from network.config import config_toml, enode_url, new_node_key
from network.errors import NetworkError, NetworkExists
from network.genesis import BASE_FEE, CHAIN_ID, GAS_LIMIT, genesis
from network.manifest import HOST, MANIFEST, Manifest, NodeSpec
from network.organisations import VALIDATOR_ORGANISATIONS, Organisation
from signer._atomic import write_private_file
from signer.ethkeyfile import export_eth_v3
from signer.keys import SigningKey
from signer.keystore import save_key

P2P_BASE, HTTP_BASE, AUTHRPC_BASE = 30400, 8600, 8700  # node i listens on BASE + i
GENESIS = "genesis.json"


def default_ports(count: int) -> list[tuple[int, int, int]]:
    return [(P2P_BASE + i, HTTP_BASE + i, AUTHRPC_BASE + i) for i in range(count)]


def check_new(directory: Path, validators: int) -> None:
    """Refuse a directory that already holds a network, or more validators than organisations."""
    if (Path(directory) / MANIFEST).exists():
        raise NetworkExists(f"{directory} already holds a network: `ledger network down` and remove it, or use another")
    if not 1 <= validators <= len(VALIDATOR_ORGANISATIONS):
        raise NetworkError(f"--validators must be 1 to {len(VALIDATOR_ORGANISATIONS)} (one per organisation)")


def provision(
    directory: Path,
    *,
    validators: int,
    period: int,
    password: str,
    keystore_dir: Path,
    funded: dict[str, int],
    geth: Path,
    ports: list[tuple[int, int, int]] | None = None,
    chain_id: int = CHAIN_ID,
    gas_limit: int = GAS_LIMIT,
    base_fee: int = BASE_FEE,
    min_tip: int | None = None,
    on_demand: bool = False,
) -> Manifest:
    """Write the network; its manifest. `ports` gives each node's (p2p, http, authrpc) ports;
    `gas_limit` and `base_fee` are the genesis block's, `min_tip` the validators' least tip (wei);
    `on_demand` allows period 0 (network/genesis.py: tests only)."""
    directory = Path(directory)
    check_new(directory, validators)
    ports = ports or default_ports(validators)
    directory.mkdir(parents=True, exist_ok=True)
    specs, keys = [], {}
    for index, (org, node_ports) in enumerate(zip(VALIDATOR_ORGANISATIONS[:validators], ports)):
        spec, keys[index] = new_node(directory, index, org, node_ports, password=password, keystore_dir=keystore_dir)
        specs.append(spec)
    document = genesis(
        [s.signer for s in specs],
        period=period,
        funded=funded,
        chain_id=chain_id,
        gas_limit=gas_limit,
        base_fee=base_fee,
        on_demand=on_demand,
    )
    (directory / GENESIS).write_text(json.dumps(document, indent=2) + "\n")
    for spec in specs:
        node_dir = directory / spec.dir_name
        peers = [other.enode for other in specs if other.index != spec.index]
        (node_dir / "config.toml").write_text(config_toml(peers))
        geth_init(geth, node_dir / "data", directory / GENESIS)
    manifest = Manifest(chain_id, period, tuple(specs), gas_limit=gas_limit, min_tip=min_tip)
    manifest.save(directory)
    return manifest


def new_node(
    directory: Path, index: int, org: Organisation, ports: tuple[int, int, int], *, password: str, keystore_dir: Path
) -> tuple[NodeSpec, SigningKey]:
    """Write one organisation's node directory: its signer key (sealed in the keystore and as the v3
    file geth unlocks, both under `password`), its node key; its spec and signer key. No genesis yet."""
    p2p, http, authrpc = ports
    node_dir = Path(directory) / f"node{index}-{org.code}"
    key = SigningKey.generate("ecdsa", name=f"validator-{org.code}")
    save_key(key, password, directory=keystore_dir)
    node_key = new_node_key(node_dir / "nodekey")
    signer = key.key_id
    spec = NodeSpec(index, org.code, org.name, signer, p2p, http, authrpc, enode_url(node_key, HOST, p2p))
    # geth unlocks its signer from a v3 file with a password file; both readable by its owner only.
    write_private_file(node_dir / "password", password.encode())
    v3 = json.dumps(export_eth_v3(key, password)).encode()
    write_private_file(node_dir / "data" / "keystore" / f"{signer.lower()[2:]}.json", v3)
    return spec, key


def geth_init(geth: Path, datadir: Path, genesis_file: Path) -> None:
    result = subprocess.run(
        [str(geth), "--datadir", str(datadir), "init", str(genesis_file)], capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0:
        last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise NetworkError(f"geth init failed for {datadir}: {last[0]}")
