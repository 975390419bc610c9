"""``ledger verify --on-chain``: check a signature against the key the UnitRegistry holds.

An auditor needs only the documents and a node's RPC URL: the registry's address comes from
``--registry`` or, on a machine that deployed the system, from the deployment record.
Nothing here needs a private key or a password.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Annotated

import requests
import typer

from signer._cli_common import fail
from signer.canonical import parse_json_strict
from signer.commitment import SCHEMA as COMMITMENT_SCHEMA
from signer.commitment import SHANGHAI
from signer.errors import NotCanonicalizable

# signer.registry (web3 and the chain stack) is imported inside the functions: the other
# signer commands must not pay for it.

DEFAULT_RPC_URL = "http://127.0.0.1:8545"  # as api.settings.Settings.rpc_url
DEFAULT_DATA_DIR = Path(".ledger")  # as api.settings.Settings.data_dir
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")

OnChainOption = Annotated[
    bool,
    typer.Option(
        "--on-chain",
        help="Check the signer's key against the on-chain UnitRegistry: registered, its unit, active when it signed.",
    ),
]
AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="TIME",
        help="With --on-chain: when it was signed, ISO 8601 (no offset means "
        "Asia/Shanghai) or unix seconds (default: a commitment's signed_at).",
    ),
]
RpcUrlOption = Annotated[
    str,
    typer.Option(
        "--rpc-url", envvar="LEDGER_RPC_URL", show_envvar=True, help="With --on-chain: the node's JSON-RPC URL."
    ),
]
RegistryOption = Annotated[
    str | None,
    typer.Option(
        "--registry",
        envvar="LEDGER_REGISTRY_ADDRESS",
        show_envvar=True,
        metavar="ADDRESS",
        help="With --on-chain: the UnitRegistry (default: from the deployment record in --data-dir).",
    ),
]
DataDirOption = Annotated[
    Path,
    typer.Option(
        "--data-dir", envvar="LEDGER_DATA_DIR", show_envvar=True, help="Where `ledger deploy` keeps its record."
    ),
]


def parse_at(text: str) -> int:
    """``--at``: unix seconds, or ISO 8601 (a time without offset is Asia/Shanghai)."""
    if text.isdigit():
        return int(text)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise fail(f"--at {text!r}: not ISO 8601 or unix seconds; e.g. 2026-05-01T09:30:00+08:00") from None
    return int((when if when.tzinfo else when.replace(tzinfo=SHANGHAI)).timestamp())


def _connect(rpc_url: str, registry: str | None, data_dir: Path):
    """A web3 connection and the registry address; exits with one line when either is missing."""
    from chain.client import connect  # the chain stack loads only for --on-chain
    from chain.deploy import Deployment, deployment_path
    from chain.errors import LedgerError

    try:
        w3 = connect(rpc_url)
        if registry is None:
            return w3, Deployment.load(deployment_path(data_dir, w3.eth.chain_id), w3).registry
    except LedgerError as exc:
        hint = "; or pass --registry ADDRESS" if "deploy" in str(exc) else ""
        raise fail(f"{str(exc).splitlines()[0]}{hint}") from None
    if not _ADDRESS.match(registry) or w3.eth.get_code(w3.to_checksum_address(registry)) in (b"", None):
        raise fail(
            f"--registry {registry}: no contract at that address on {rpc_url}; "
            "pass the UnitRegistry address from the deployment record"
        )
    return w3, w3.to_checksum_address(registry)


def _check(w3, registry: str, document: bytes, signature: bytes, at: int | None):
    from signer.registry import verify_commitment_on_chain, verify_on_chain

    try:
        parsed = parse_json_strict(document)
    except (ValueError, NotCanonicalizable):
        parsed = None
    if isinstance(parsed, dict) and parsed.get("schema") == COMMITMENT_SCHEMA:
        checked = verify_commitment_on_chain(w3, registry, parsed, signature, signed_at=at)
        return checked, "from --at" if at is not None else "the commitment's signed_at"
    return verify_on_chain(w3, registry, document, signature, signed_at=at), "from --at"


def verify_on_chain_command(
    document: bytes, signature: bytes, *, at: str | None, rpc_url: str, registry: str | None, data_dir: Path
) -> None:
    """Print what the registry says about the signer and exit 1 unless every check passes."""
    from chain.errors import LedgerError
    from signer.registry import (
        KeyNotActiveAtSigning,
        KeyNotRegistered,
        SigningUnitMismatch,
        local_time,
    )

    when = parse_at(at) if at is not None else None
    w3, address = _connect(rpc_url, registry, data_dir)
    try:
        checked, time_source = _check(w3, address, document, signature, when)
    except (LedgerError, requests.RequestException) as exc:
        raise fail(
            f"reading the registry at {address}: {str(exc).splitlines()[0]}; check the node and the registry address"
        ) from None
    if not checked.ok:
        assert checked.error is not None
        refused_by_registry = (KeyNotRegistered, KeyNotActiveAtSigning, SigningUnitMismatch)
        prefix = "" if isinstance(checked.error, refused_by_registry) else "signature invalid: "
        raise fail(prefix + checked.error.one_line())
    result, key, unit = checked.result, checked.key, checked.unit
    assert key is not None
    user = f", user id {result.user_id.decode()}" if result.user_id else ""
    typer.echo(
        f"OK: {result.scheme} signature by {result.key_id}{user} over document hash 0x{result.document_hash.hex()}"
    )
    owner = f"{unit.name} ({unit.kind} unit 0x{unit.unit_id.hex()})" if unit else f"unit 0x{key.unit_id.hex()}"
    revoked = f", revoked at {local_time(key.revoked_at)}" if key.revoked_at else ""
    typer.echo(f"key registered on-chain to {owner} at {local_time(key.registered_at)}{revoked}")
    if checked.signed_at is None:
        typer.echo(
            "note: signing time unknown; the key is not revoked. Pass --at TIME to check "
            "that it was active when it signed"
        )
    else:
        typer.echo(f"active when it signed at {local_time(checked.signed_at)} ({time_source})")
