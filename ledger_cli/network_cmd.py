"""`ledger network init|up|down|status|govern|join|propose`: the organisations' validators on geth Clique, on loopback.

The network lives in `LEDGER_DATA_DIR/network`; the validators' signer keys in the keystore. The
platform then runs against it as against any node: `LEDGER_NODE=external LEDGER_RPC_URL=<a node>`.
"""

from __future__ import annotations

import enum
import re
import time
from pathlib import Path
from typing import Annotated

import typer
from eth_account import Account
from eth_utils import to_checksum_address

from chain.actions import fresh_nonce, unit_id_for
from chain.client import Sender, connect
from ledger_cli._context import deployment, fail, one_line_errors, settings
from network import Manifest, node_status, provision
from network.genesis import BASE_FEE, GAS_LIMIT
from network.geth import check_version, geth_binary
from network.governance import (
    RECORD,
    DecisionKind,
    GovernanceRecord,
    ValidatorDecision,
    deploy_governance,
    record_decision,
)
from network.joining import join
from network.lifecycle import down, network_nodes, up
from network.organisations import Organisation
from network.provision import AUTHRPC_BASE, HTTP_BASE, P2P_BASE, check_new
from network.voting import settle_depth, vote_all, wait_applied
from signer._cli_common import PasswordFdOption
from signer._password import read_password
from signer.canonical import canonical_bytes, parse_json_strict
from signer.keystore import find_key, keystore_dir_for, load_key

app = typer.Typer(help="A network of validators (geth v1.13.15 Clique), one per organisation.", no_args_is_help=True)
NETWORK_DIR = "network"
FUNDING_WEI = 10**24  # the Office's and the relayer's accounts: gas for years of actions
NOT_ANSWERING = 3  # `status` exit code when a node does not answer, as `sharing check` says "no"
DISAGREE = 4  # `status` exit code when the signers are not the Office's decided validators
OFFICE_CODE = "PT-QFB"  # the Office's unit code (network/organisations.py), whose officer decides
REGULATOR_KIND = 4  # IUnitRegistry.UnitKind.Auditor: the regulators of Art. 4
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


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
    gas_limit: int = typer.Option(
        GAS_LIMIT, min=5_000_000, help="The genesis block's gas limit (the validators keep it)."
    ),
    base_fee: int = typer.Option(BASE_FEE, min=1, help="The genesis block's base fee, wei."),
    min_tip: int = typer.Option(None, min=0, help="The least tip a validator includes, wei (geth's default if unset)."),
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
        gas_limit=gas_limit,
        base_fee=base_fee,
        min_tip=min_tip,
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
    directory = _network_dir()
    manifest = Manifest.load(directory)
    missing = 0
    # Each node's signers over its IPC socket where this machine holds it, else from its headers.
    for st in (node_status(spec, directory / spec.dir_name) for spec in manifest.nodes):
        spec = st.spec
        if st.head is None:
            missing += 1
            typer.echo(f"{spec.code:9} {spec.rpc_url}  not answering ({st.error})")
            continue
        signers = st.error or f"signers {len(st.signers)}: {', '.join(a[:8] for a in st.signers)}"
        typer.echo(f"{spec.code:9} {spec.rpc_url}  head {st.head} {st.head_hash[:10]}  peers {st.peers}  {signers}")
    if missing:
        raise typer.Exit(NOT_ANSWERING)
    _show_agreement(_network_dir(), manifest)


@app.command("heal")
@one_line_errors
def heal_() -> None:
    """After a partition, two branches of equal weight stall the network (each half's signers have
    signed recently on their own): rewind the nodes on the branch the rule drops to the fork block,
    so that they take the other (the kept branch's first block has the lower hash; every
    organisation computes the same). Acts only when the heads have not moved for 10 s."""
    from network.heal import heal

    _, nodes = network_nodes(_network_dir())
    split = heal(nodes)
    if split is None:
        typer.echo("no stalled split: the nodes agree, or their heads still move (Clique resolves a heavier branch)")
        return
    typer.echo(
        f"split at block {split.fork}: kept the branch of {split.kept[:10]}; "
        f"rewound {', '.join(split.rewound)} to the fork; they took the kept branch from their peers, and "
        f"{split.resent} transaction(s) of the dropped blocks were sent again"
    )


def _show_agreement(directory, manifest) -> None:
    """The Office's decided validators against the signers, both read from each node; exit
    DISAGREE when they differ (during a vote, until it passes, they do). One line when every node
    says the same, else a line per node."""
    from network.governance import RECORD
    from network.lifecycle import network_nodes
    from network.voting import agreement

    if not (directory / RECORD).exists():
        typer.echo("validators: no Office decisions on this chain yet (`ledger network govern` deploys their contract)")
        return
    record = GovernanceRecord.load(directory)
    _, nodes = network_nodes(directory)
    found = {node.spec.code: agreement(node, record.address) for node in nodes}
    names = {s.signer.lower(): s.code for s in manifest.nodes}

    def named(addresses) -> str:
        return ", ".join(f"{a} ({names.get(a.lower(), 'no node here')})" for a in sorted(addresses))

    views = set(found.values())
    if len(views) == 1 and next(iter(views)).agree:
        typer.echo(
            f"validators: the network's {len(next(iter(views)).signers)} signers are the Office's decided validators"
        )
        return
    for code, view in found.items() if len(views) > 1 else [("", next(iter(views)))]:
        where = f" at {code}" if code else ""
        if view.agree:
            typer.echo(f"validators{where}: its {len(view.signers)} signers are the Office's decided validators")
        if view.not_signing:
            typer.echo(f"DISAGREE{where} decided by the Office, not signing: {named(view.not_signing)}")
        if view.undecided:
            typer.echo(f"DISAGREE{where} signing without an Office decision: {named(view.undecided)}")
    raise typer.Exit(DISAGREE)


@app.command("govern")
@one_line_errors
def govern() -> None:
    """Deploy the contract of the Office's validator decisions (ValidatorGovernance) on this network."""
    s = settings()
    record, w3 = deployment(s)
    directory = _network_dir()
    Manifest.load(directory)
    if (directory / RECORD).exists():
        existing = GovernanceRecord.load(directory, w3)
        typer.echo(f"already deployed at {existing.address}")
        return
    office = Sender.from_key(w3, s.office_key.get_secret_value())
    gov = deploy_governance(office, record.registry, directory)
    typer.echo(f"ValidatorGovernance at {gov.address} (block {gov.deploy_block}), over the registry {record.registry}")


@app.command("join")
@one_line_errors
def join_(
    code: str = typer.Argument(..., help="The new organisation's unit code in the registry."),
    name: str = typer.Argument(..., help="Its name."),
    p2p_port: int = typer.Option(..., help="The new node's p2p port."),
    http_port: int = typer.Option(..., help="Its JSON-RPC port."),
    authrpc_port: int = typer.Option(..., help="Its Engine API port (loopback)."),
    password_fd: PasswordFdOption = None,
) -> None:
    """Add a new organisation's node: it follows the chain, and seals once the validators vote it in."""
    s = settings()
    geth = geth_binary()
    check_version(geth)
    password = read_password(fd=password_fd, confirm=True, prompt="Password for the new validator's key: ")
    node = join(
        _network_dir(),
        Organisation(code, name),
        password=password,
        keystore_dir=keystore_dir_for(s.data_dir),
        geth=geth,
        ports=(p2p_port, http_port, authrpc_port),
    )
    typer.echo(f"{code:9} signer {node.spec.signer}  rpc {node.spec.rpc_url}  p2p {node.spec.p2p_port}  following")
    typer.echo(f"next: the Office decides, then `ledger network propose {node.spec.signer} add --unit {code} ...`")


class Change(str, enum.Enum):
    add = "add"
    remove = "remove"


@app.command("propose")
@one_line_errors
def propose(
    address: Annotated[str, typer.Argument(help="The validator's signer address.")],
    change: Annotated[Change, typer.Argument(help="add or remove.")],
    unit: str = typer.Option(None, help="With --key: the unit code of the organisation holding the validator."),
    key: str = typer.Option(None, help="An Office officer's key: records the decision first (else it is read)."),
    document: Annotated[
        Path | None, typer.Option(help="With --key: the decision document (JSON; canonicalised).")
    ] = None,
    wait: float = typer.Option(60.0, min=0, help="Seconds to wait for the vote to pass."),
    password_fd: PasswordFdOption = None,
) -> None:
    """Record (with --key) or read the Office's decision, then have each running validator vote it."""
    if not _ADDRESS.match(address):
        fail(f"ADDRESS: must be 0x and 40 hexadecimal digits, got {address!r}")
    address = to_checksum_address(address)
    add = change == Change.add
    s = settings()
    directory = _network_dir()
    manifest, nodes = network_nodes(directory)
    running = [n for n in nodes if n.alive()]
    if not running:
        fail("no node of this network is running: `ledger network up` first")
    w3 = connect([n.spec.rpc_url for n in running])
    gov = GovernanceRecord.load(directory, w3)
    if key is not None:
        if unit is None or document is None:
            fail("--key records a decision: give --unit CODE and --document FILE too")
        body = canonical_bytes(parse_json_strict(document.read_bytes()))
        signing_key = load_key(find_key(key, keystore_dir_for(s.data_dir)), read_password(fd=password_fd))
        decision = ValidatorDecision(
            DecisionKind.ADD if add else DecisionKind.REMOVE, address, unit_id_for(unit), body, fresh_nonce()
        ).signed(signing_key, chain_id=w3.eth.chain_id, governance=gov.address)
        receipt = record_decision(Sender.from_key(w3, s.relayer_key.get_secret_value()), gov.address, decision)
        typer.echo(f"the Office's decision recorded in block {receipt['blockNumber']}")
        depth = settle_depth(len(node_status(running[0].spec, running[0].directory).signers))
        for node in running:  # each validator checks the decision on its own node, settled there
            _wait_for_block(node, receipt["blockNumber"] + depth, wait)
    vote_all(running, gov.address, address, add)
    typer.echo(f"{', '.join(n.spec.code for n in running)} voted {change.value} {address}")
    wait_applied(running, address, add, timeout=wait)
    typer.echo(f"the signers {'include' if add else 'no longer include'} {address} on every running node")


def _wait_for_block(node, number: int, timeout: float) -> None:
    """Until `node` holds block `number` (a decision is voted only once settled)."""
    deadline = time.monotonic() + timeout
    while (node_status(node.spec).head or 0) < number:
        if time.monotonic() > deadline:
            fail(f"block {number} not reached within {timeout:.0f} s: are more than half of the validators up?")
        time.sleep(0.2)


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


def govern_for_up(s) -> None:
    """For `ledger up --network`, after the demo district is seeded: the validator governance
    deployed, each validator's organisation registered, and the Office's decision recorded for
    each genesis validator (signed by the demo Office officer), so `status` finds them agreeing."""
    from chain.client import contract_at
    from ledger_cli.demo import key_password
    from network.governance import decided_validators

    record, w3 = deployment(s)
    directory = s.data_dir / NETWORK_DIR
    office = Sender.from_key(w3, s.office_key.get_secret_value())
    if not (directory / RECORD).exists():
        deploy_governance(office, record.registry, directory)
    gov = GovernanceRecord.load(directory, w3)
    decided = decided_validators(w3, gov.address)
    registry = contract_at(w3, "UnitRegistry", record.registry)
    officer = load_key(find_key(f"{OFFICE_CODE}-officer", keystore_dir_for(s.data_dir)), key_password(s.env))
    relayer = Sender.from_key(w3, s.relayer_key.get_secret_value())
    for spec in Manifest.load(directory).nodes:
        if to_checksum_address(spec.signer) in decided:
            continue
        if registry.functions.unitKind(unit_id_for(spec.code)).call() == 0:  # a regulator not in the demo
            office.send(registry.functions.registerUnit(spec.code, REGULATOR_KIND, spec.name))
        document = canonical_bytes(
            {"decision": "genesis validator", "organisation": spec.code, "validator": spec.signer}
        )
        decision = ValidatorDecision(DecisionKind.ADD, spec.signer, unit_id_for(spec.code), document, fresh_nonce())
        record_decision(
            relayer, gov.address, decision.signed(officer, chain_id=w3.eth.chain_id, governance=gov.address)
        )
    typer.echo(f"validator governance at {gov.address}: the Office's decisions name the genesis validators")
