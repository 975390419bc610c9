"""`ledger audit ...`: an auditor's verification from the chain alone, outside the platform.

What it needs: a chain RPC URL (`--rpc-url`, env LEDGER_RPC_URL) and which contracts to audit —
the deployment the platform publishes (`curl …/v1/deployment > deployment.json`, then
`--deployment deployment.json`), or the addresses one by one. No database, no platform API, no
view call at a past block: it replays events, so it works on a node that was restarted.
Exit 0 when everything verifies, 3 when something does not (each problem printed).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import typer

from catalog.audit import audit_entry, find_by_document
from chain.client import connect
from chain.deploy import DEPLOYED_CONTRACTS
from ledger_cli._context import fail, one_line_errors
from ledger_cli.usage_cmd import audit_usage
from sharing.audit import audit_commitment, audit_grant
from signer.canonical import canonical_bytes, parse_json_strict

app = typer.Typer(
    help="Verify catalog versions, commitments and grants from the chain alone (auditors).", no_args_is_help=True
)
app.command("usage")(audit_usage)  # a usage record's evidence bundle (#11), in its own module
_ID = re.compile(r"^0x[0-9a-fA-F]{64}$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")

RpcOption = Annotated[str, typer.Option("--rpc-url", envvar="LEDGER_RPC_URL", help="The chain's JSON-RPC URL.")]
DeploymentOption = Annotated[
    Path | None,
    typer.Option("--deployment", dir_okay=False, help="The platform's GET /v1/deployment answer, saved as a file."),
]
RegistryOption = Annotated[
    str | None, typer.Option("--registry", help="UnitRegistry address (instead of --deployment)")
]
CatalogOption = Annotated[str | None, typer.Option("--catalog", help="Catalog address (instead of --deployment)")]
SharingOption = Annotated[str | None, typer.Option("--sharing", help="Sharing address (instead of --deployment)")]


def _addresses(deployment: Path | None, **given: str | None) -> dict[str, str]:
    """The contract addresses: from the deployment file, each overridden by an explicit option."""
    found = _contracts(deployment, _read_deployment(deployment)) if deployment is not None else {}
    found.update({k: v for k, v in given.items() if v})
    for name, value in found.items():
        if not _ADDRESS.match(value):
            fail(f"--{name.replace('_', '-')}: must be 0x and 40 hexadecimal digits, got {value!r}")
    return found


def _read_deployment(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        fail(f"--deployment {path}: not the answer of GET /v1/deployment ({exc})")


def _contracts(path: Path, body: dict) -> dict[str, str]:
    """Deployment field -> address, from a GET /v1/deployment answer."""
    try:
        return {
            DEPLOYED_CONTRACTS[c["name"]]: c["address"] for c in body["contracts"] if c["name"] in DEPLOYED_CONTRACTS
        }
    except (KeyError, TypeError) as exc:
        fail(f"--deployment {path}: not the answer of GET /v1/deployment ({exc})")


def _need(addresses: dict[str, str], *names: str) -> list[str]:
    missing = [n for n in names if n not in addresses]
    if missing:
        options = " --".join(n.replace("_", "-") for n in missing)
        fail(f"give --deployment FILE (GET /v1/deployment) or --{options}")
    return [addresses[n] for n in names]


def _id(value: str, what: str) -> bytes:
    if not _ID.match(value):
        fail(f"{what}: must be 0x and 64 hexadecimal digits, got {value!r}")
    return bytes.fromhex(value[2:])


@app.command("version")
@one_line_errors
def version(
    entry: Annotated[str | None, typer.Argument(help="The entry id (0x…); or give --document")] = None,
    version_number: Annotated[int | None, typer.Option("--version", min=1, help="Only this version")] = None,
    document: Annotated[
        Path | None,
        typer.Option("--document", dir_okay=False, help="A version's document file: finds its entry and version"),
    ] = None,
    rpc_url: RpcOption = "http://127.0.0.1:8545",
    deployment: DeploymentOption = None,
    registry: RegistryOption = None,
    catalog: CatalogOption = None,
) -> None:
    """Every step of a catalog entry (or of one version): document hash, signer and its unit, the
    signature in the transaction, the reviewer, the key active at each step."""
    registry_address, catalog_address = _need(
        _addresses(deployment, registry=registry, catalog=catalog), "registry", "catalog"
    )
    w3 = connect(rpc_url)
    if document is not None:
        try:
            data = canonical_bytes(parse_json_strict(document.read_bytes()))
        except (OSError, ValueError) as exc:
            fail(f"--document {document}: not a JSON document ({exc})")
        entry_id, version_number = find_by_document(w3, catalog_address, data)
    elif entry is None:
        fail("give the entry id, or --document FILE")
    else:
        entry_id = _id(entry, "ENTRY")
    steps = audit_entry(w3, registry_address, catalog_address, entry_id, version=version_number)
    typer.echo(f"entry 0x{entry_id.hex()}")
    for step in steps:
        mark = "ok " if step.valid else "BAD"
        where = f"v{step.version} " if step.version else ""
        typer.echo(
            f"  {mark} {where}{step.step} by {step.signer} of {step.unit} in {step.tx_hash} (block {step.block}); "
            f"document {step.document_hash}"
        )
        for problem in step.problems:
            typer.echo(f"      {problem}")
    if not all(s.valid for s in steps):
        raise typer.Exit(3)


@app.command("commitment")
@one_line_errors
def commitment(
    demand: Annotated[str, typer.Argument(help="The demand id (0x…)")],
    rpc_url: RpcOption = "http://127.0.0.1:8545",
    deployment: DeploymentOption = None,
    registry: RegistryOption = None,
    sharing: SharingOption = None,
) -> None:
    """A demand's commitment (Art. 18): its signature against the key registered on-chain."""
    registry_address, sharing_address = _need(
        _addresses(deployment, registry=registry, sharing=sharing), "registry", "sharing"
    )
    audit = audit_commitment(connect(rpc_url), registry_address, sharing_address, _id(demand, "DEMAND"))
    who = f"{audit.scheme} key {audit.key_id} of unit {audit.demand_unit_id}"
    if audit.valid:
        typer.echo(f"valid: commitment of {audit.demand_id} signed by {who}; applied in {audit.apply_tx}")
        return
    typer.echo(f"invalid: {audit.problem} ({who}; applied in {audit.apply_tx})")
    raise typer.Exit(3)


@app.command("grant")
@one_line_errors
def grant(
    grant_id: Annotated[str, typer.Argument(help="The grant id (= its demand id, 0x…)")],
    rpc_url: RpcOption = "http://127.0.0.1:8545",
    deployment: DeploymentOption = None,
    registry: RegistryOption = None,
    sharing: SharingOption = None,
) -> None:
    """A grant: what it pins, its commitment, and every step of its demand and its life, each
    signed step's signature checked against the transaction."""
    registry_address, sharing_address = _need(
        _addresses(deployment, registry=registry, sharing=sharing), "registry", "sharing"
    )
    audit = audit_grant(connect(rpc_url), registry_address, sharing_address, _id(grant_id, "GRANT"))
    typer.echo(
        f"grant {audit.grant_id} of unit {audit.unit_id}: {audit.status}, method {audit.method}, "
        f"scenario {audit.scenario_id}"
    )
    for entry_id, pinned in audit.resources:
        typer.echo(f"  pins {entry_id} version {pinned}")
    c = audit.commitment
    typer.echo(
        f"  {'ok ' if c.valid else 'BAD'} commitment: {c.scheme} key {c.key_id}"
        + (f": {c.problem}" if c.problem else "")
    )
    for step in audit.steps:
        typer.echo(
            f"  {'ok ' if not step.problems else 'BAD'} {step.kind} by {step.actor} in {step.tx_hash} (block {step.block})"
        )
        for problem in step.problems:
            typer.echo(f"      {problem}")
    if not audit.valid:
        raise typer.Exit(3)


@app.command("evaluation")
@one_line_errors
def evaluation_results(
    results_id: Annotated[str, typer.Argument(metavar="RESULTS", help="The published results' id (0x…)")],
    deployment: Annotated[
        Path,
        typer.Option("--deployment", dir_okay=False, help="The platform's GET /v1/deployment answer, saved as a file."),
    ],
    rpc_url: RpcOption = "http://127.0.0.1:8545",
) -> None:
    """The Office's published Art. 32 results (from the chain's ResultsPublished): the chain's
    events up to the block they were judged at, replayed into a scratch mirror and evaluated
    again, compared unit by unit (rank, score, overdue duties) and with the CSV's hash."""
    from api.services.evaluation_audit import EvaluationAuditError, audit_results
    from chain.rpc import RpcClient

    record = _full_deployment(deployment, rpc_url)
    rpc = RpcClient(rpc_url)
    shown = {"last": 0}

    def progress(done: int, total: int) -> None:
        if done - shown["last"] >= 5_000 or done == total:
            shown["last"] = done
            typer.echo(f"  replayed block {done} of {total}", err=True)

    try:
        audit = audit_results(rpc, record, _id(results_id, "RESULTS"), progress=progress)
    except EvaluationAuditError as exc:
        fail(str(exc))
    doc, published = audit.published.document, audit.published
    who = f"{published.signer} of {audit.signer_unit_name or 'no registered unit'} ({audit.signer_unit or '—'})"
    typer.echo(
        f"results {published.results_id}: {doc['date_from']} to {doc['date_to']}, judged at block "
        f"{doc['judged_block']}, published by {who} in {published.tx_hash} (block {published.block_number})"
    )
    if audit.valid:
        typer.echo(
            f"valid: the chain up to block {doc['judged_block']} gives these results: {len(doc['units'])} units, "
            f"ranks, scores and overdue duties, and the CSV's hash {doc['csv_keccak256']}"
        )
        return
    typer.echo(f"invalid: {len(audit.differences)} difference(s) from what the chain gives")
    for line in audit.differences:
        typer.echo(f"  {line}")
    raise typer.Exit(3)


def _full_deployment(path: Path, rpc_url: str):
    """The whole deployment record from a GET /v1/deployment answer, its deploy block checked on the chain."""
    from chain.deploy import Deployment

    body = _read_deployment(path)
    try:
        record = Deployment(
            chain_id=body["chain_id"],
            office=body["office"],
            deploy_block=body["deploy_block"],
            deploy_block_hash=body["deploy_block_hash"],
            **_contracts(path, body),
        )
    except (KeyError, TypeError) as exc:
        fail(f"--deployment {path}: not the answer of GET /v1/deployment ({exc})")
    if not record.on_chain(connect(rpc_url)):
        fail(f"--deployment {path}: its deploy block {record.deploy_block} is not on the chain at {rpc_url}")
    return record
