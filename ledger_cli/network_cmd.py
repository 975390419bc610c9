"""`ledger network init|up|down|status`: the organisations' validators on geth Clique, on loopback.

The network lives in `LEDGER_DATA_DIR/network`; the validators' signer keys in the keystore. The
platform then runs against it as against any node: `LEDGER_NODE=external LEDGER_RPC_URL=<a node>`.
"""

from __future__ import annotations

import typer
from eth_account import Account

from ledger_cli._context import one_line_errors, settings
from network import Manifest, node_status, provision
from network.geth import check_version, geth_binary
from network.lifecycle import down, up
from network.provision import AUTHRPC_BASE, HTTP_BASE, P2P_BASE, check_new
from signer._cli_common import PasswordFdOption
from signer._password import read_password
from signer.keystore import keystore_dir_for

app = typer.Typer(help="A network of validators (geth v1.13.15 Clique), one per organisation.", no_args_is_help=True)
NETWORK_DIR = "network"
FUNDING_WEI = 10**24  # the Office's and the relayer's accounts: gas for years of actions
NOT_ANSWERING = 3  # `status` exit code when a node does not answer, as `sharing check` says "no"


def _network_dir():
    return settings().data_dir / NETWORK_DIR


@app.command("init")
@one_line_errors
def init(
    validators: int = typer.Option(
        4,
        help="How many organisations hold a validator (1 to 4, in order: Data Center, Office, 区委网信办, 区公安分局).",
    ),
    period: int = typer.Option(2, min=1, help="Seconds between blocks (Clique period)."),
    p2p_port: int = typer.Option(P2P_BASE, help="First node's p2p port; node i uses it + i."),
    http_port: int = typer.Option(HTTP_BASE, help="First node's JSON-RPC port; node i uses it + i."),
    authrpc_port: int = typer.Option(AUTHRPC_BASE, help="First node's Engine API port (loopback); node i: + i."),
    password_fd: PasswordFdOption = None,
) -> None:
    """Write a new network: signer keys, node keys, genesis, each node's peers."""
    s = settings()
    check_new(s.data_dir / NETWORK_DIR, validators)
    geth = geth_binary()
    check_version(geth)
    password = read_password(fd=password_fd, confirm=True, prompt="Password for the validators' keys: ")
    funded = {Account.from_key(k.get_secret_value()).address: FUNDING_WEI for k in (s.office_key, s.relayer_key)}
    ports = [(p2p_port + i, http_port + i, authrpc_port + i) for i in range(validators)]
    manifest = provision(
        s.data_dir / NETWORK_DIR,
        validators=validators,
        period=period,
        password=password,
        keystore_dir=keystore_dir_for(s.data_dir),
        funded=funded,
        geth=geth,
        ports=ports,
    )
    for spec in manifest.nodes:
        typer.echo(f"{spec.code:9} signer {spec.signer}  rpc {spec.rpc_url}  p2p {spec.p2p_port}  {spec.name}")
    typer.echo(f"chain id {manifest.chain_id}, a block every {period} s; start it with `ledger network up`")


@app.command("up")
@one_line_errors
def up_() -> None:
    """Start every node (by pid), wait until they see each other, then let them seal."""
    directory = _network_dir()
    nodes = up(directory)
    for node in nodes:
        typer.echo(f"{node.spec.code:9} running at {node.spec.rpc_url} (pid {node.pid()})")
    first = nodes[0].spec.rpc_url
    typer.echo(f"the platform on it: LEDGER_NODE=external LEDGER_RPC_URL={first} ledger up")


@app.command("down")
@one_line_errors
def down_() -> None:
    """Stop the nodes `up` started, by their pids; their chain is kept."""
    stopped = down(_network_dir())
    typer.echo(f"stopped {len(stopped)} node(s)" if stopped else "no node of this network was running")


@app.command("status")
@one_line_errors
def status() -> None:
    """Each node's head, peers and the signers Clique counts; exit 3 if a node does not answer."""
    manifest = Manifest.load(_network_dir())
    missing = 0
    for st in map(node_status, manifest.nodes):
        spec = st.spec
        if st.head is None:
            missing += 1
            typer.echo(f"{spec.code:9} {spec.rpc_url}  not answering ({st.error})")
            continue
        typer.echo(
            f"{spec.code:9} {spec.rpc_url}  head {st.head} {st.head_hash[:10]}  peers {st.peers}  "
            f"signers {len(st.signers)}: {', '.join(a[:8] for a in st.signers)}"
        )
    if missing:
        raise typer.Exit(NOT_ANSWERING)


DEMO_PERIOD_S = 1  # `up --network`: the demo district seeds in about a minute


def network_for_up(s) -> tuple[list, list[str]]:
    """For `ledger up --network`: the network in the data directory, written first if there is
    none (four validators, their keys under the demo's password rule), started if it is not
    running. The nodes this call started, and every node's URL in order."""
    from ledger_cli.demo import key_password
    from network.lifecycle import network_nodes

    directory = s.data_dir / NETWORK_DIR
    if not (directory / "network.json").exists():
        geth = geth_binary()
        check_version(geth)
        funded = {Account.from_key(k.get_secret_value()).address: FUNDING_WEI for k in (s.office_key, s.relayer_key)}
        provision(
            directory,
            validators=4,
            period=DEMO_PERIOD_S,
            password=key_password(s.env),
            keystore_dir=keystore_dir_for(s.data_dir),
            funded=funded,
            geth=geth,
        )
        typer.echo(f"wrote a network of 4 validators in {directory}")
    manifest, nodes = network_nodes(directory)
    running = {node.spec.index for node in nodes if node.alive()}
    up(directory)
    return [node for node in nodes if node.spec.index not in running], manifest.rpc_urls
