"""`ledger units ...`: register units and officer keys in the UnitRegistry, as the Office.

Writes are sent from the Office's account (LEDGER_OFFICE_KEY); the contract is the last word
on who may send them. Officer keys are named by keystore reference and only their public
halves are read: registering a key never needs its password. `list` reads the registry's
events, so it shows the chain, not the mirror.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

import typer
from eth_utils import to_checksum_address

from chain.actions import unit_id_for
from chain.errors import ActionRevertedError
from chain.events import decode_log
from ledger_cli._context import deployment, fail, office, one_line_errors, settings
from signer._cli_common import KeystoreDirOption
from signer.errors import SignerError
from signer.keyid import key_id as derive_key_id
from signer.keystore import KeyInfo, find_key, read_info
from signer.registry import (
    KEY_SCHEMES,
    UNIT_KINDS,
    local_time,
    registered_key,
    registered_unit,
)
from signer.sm2 import DEFAULT_USER_ID

app = typer.Typer(
    help="Units and officer keys in the on-chain UnitRegistry (sent as the Office).", no_args_is_help=True
)
KIND_CODES = {name: code for code, name in UNIT_KINDS.items()}
_KEY_ID = re.compile(r"^0x[0-9a-fA-F]{40}$")


class Kind(StrEnum):
    ordinary = "ordinary"
    data_center = "data_center"
    auditor = "auditor"
    office = "office"


def _refusal(exc: ActionRevertedError, unit: str, key_ids: dict[str, str]) -> str:
    """The contract's custom error as one line saying what to do.

    ``key_ids`` maps checksum addresses to the key ids to show (an SM2 key id is lower case).
    """
    a = {k: key_ids.get(v, v) if k == "keyId" else v for k, v in exc.error_args.items()}
    messages = {
        "AccessControlUnauthorizedAccount": lambda: (
            f"account {a['account']} does not hold the Office role on the UnitRegistry; "
            "set LEDGER_OFFICE_KEY to the Office's key"
        ),
        "RegistryUnitExists": lambda: f"unit {unit} ({a['unitId']}) is already registered",
        "RegistryUnknownUnit": lambda: (
            f"no unit {unit} ({a['unitId']}) is registered; "
            f"register it first: `ledger units register {unit} --kind KIND --name NAME`"
        ),
        "RegistryKeyExists": lambda: (
            f"key {a['keyId']} is already registered (a key id is never reused, even after revocation)"
        ),
        "RegistryUnknownKey": lambda: f"key {a['keyId']} is not registered; list the keys with `ledger units list`",
        "RegistryKeyAlreadyRevoked": lambda: f"key {a['keyId']} was already revoked in block {a['revokedBlock']}",
        "RegistryInvalidSm2PublicKey": lambda: (
            f"the SM2 public key is {a['length']} bytes; the registry takes 65 bytes starting with 0x04"
        ),
    }
    return messages[exc.error]() if exc.error in messages else f"the UnitRegistry refused: {exc}"


def _send(sender, call, *, unit: str = "", key_ids: tuple[str, ...] = ()):
    try:
        return sender.send(call)
    except ActionRevertedError as exc:
        fail(_refusal(exc, unit, {to_checksum_address(k): k for k in key_ids}))


def _text(value: str, option: str) -> str:
    if not value.strip() or value != value.strip():
        fail(f"{option} {value!r}: must be non-empty, without surrounding spaces")
    return value


@app.command()
@one_line_errors
def register(
    code: Annotated[str, typer.Argument(help="The unit's code, e.g. its unified social credit code.")],
    kind: Annotated[Kind, typer.Option("--kind", help="What the unit does in the ledger.")],
    name: Annotated[str, typer.Option("--name", help="The unit's name, e.g. 普陀区民政局.")],
) -> None:
    """Register a unit; its id is keccak256("putuo.unit:" + CODE)."""
    _text(code, "CODE")
    _text(name, "--name")
    unit_id = unit_id_for(code)
    sender, registry = office(settings())
    receipt = _send(sender, registry.functions.registerUnit(code, KIND_CODES[kind.value], name), unit=code)
    typer.echo(
        f"registered {kind.value} unit {code} ({name}) as 0x{unit_id.hex()} in {receipt['transactionHash'].to_0x_hex()}"
    )


def _public_key(ref: str, scheme: str, option: str, keystore_dir) -> KeyInfo:
    try:
        info = read_info(find_key(ref, keystore_dir))
    except SignerError as exc:
        fail(f"{option} {ref}: {exc.one_line()}")
    if info.scheme != scheme:
        fail(
            f"{option} {ref} is an {info.scheme} key; pass the officer's ECDSA key to --key "
            "and the SM2 key to --sm2-key"
        )
    if scheme == "sm2" and info.public.user_id != DEFAULT_USER_ID:
        fail(
            f"{option} {ref} has SM2 user id {info.public.user_id.decode('utf-8', 'replace')!r}; the registry "
            f"records none, so verifiers assume {DEFAULT_USER_ID.decode()}: use a key made without --user-id"
        )
    return info


@app.command("add-officer")
@one_line_errors
def add_officer(
    unit_code: Annotated[str, typer.Argument(help="The unit's code.")],
    key: Annotated[
        str | None,
        typer.Option(
            "--key", help="The officer's ECDSA key: keystore id, name or file. Leave it out for an SM2-only officer."
        ),
    ] = None,
    sm2_key: Annotated[
        str | None, typer.Option("--sm2-key", help="The officer's SM2 key: keystore id, name or file.")
    ] = None,
    keystore_dir: KeystoreDirOption = None,
) -> None:
    """Register an officer's public keys for a unit: ECDSA, SM2, or both (only public keys are read:
    no password). An SM2-only officer signs every action with SM2; the contracts verify it."""
    if key is None and sm2_key is None:
        fail("give --key (ECDSA), --sm2-key (SM2), or both")
    ecdsa = _public_key(key, "ecdsa", "--key", keystore_dir) if key else None
    sm2 = _public_key(sm2_key, "sm2", "--sm2-key", keystore_dir) if sm2_key else None
    unit_id = unit_id_for(unit_code)
    sender, registry = office(settings())
    keys = tuple(info for info in (ecdsa, sm2) if info is not None)
    ecdsa_id = ecdsa.key_id if ecdsa else "0x" + "00" * 20
    receipt = _send(
        sender,
        registry.functions.registerOfficer(unit_id, ecdsa_id, sm2.public.public_key if sm2 else b""),
        unit=unit_code,
        key_ids=tuple(info.key_id for info in keys),
    )
    tx = receipt["transactionHash"].to_0x_hex()
    for info in keys:
        typer.echo(f"registered {info.scheme} key {info.key_id} for unit {unit_code} (0x{unit_id.hex()}) in {tx}")


@app.command()
@one_line_errors
def revoke(key_id: Annotated[str, typer.Argument(help="The key id to revoke (ECDSA address or SM2 key id).")]) -> None:
    """Revoke an officer key: it cannot act from this block on; what it signed before stays verifiable."""
    if not _KEY_ID.match(key_id):
        fail(f"KEY_ID {key_id!r}: must be 0x followed by 40 hex digits")
    sender, registry = office(settings())
    address = to_checksum_address(key_id)
    receipt = _send(sender, registry.functions.revokeKey(address), key_ids=(key_id,))
    record = registered_key(sender.w3, registry.address, address, block=receipt["blockNumber"])
    unit = registered_unit(sender.w3, registry.address, record.unit_id, block=receipt["blockNumber"])
    owner = f"{unit.name} (0x{record.unit_id.hex()})" if unit else f"0x{record.unit_id.hex()}"
    typer.echo(
        f"revoked {record.scheme} key {record.key_id} of {owner} at {local_time(record.revoked_at or 0)} "
        f"in {receipt['transactionHash'].to_0x_hex()}"
    )


@app.command("list")
@one_line_errors
def list_units() -> None:
    """Every unit with its officer keys, from the registry's events."""
    record, w3 = deployment(settings())
    reply = w3.provider.make_request(
        "eth_getLogs", [{"address": record.registry, "fromBlock": hex(record.deploy_block), "toBlock": "latest"}]
    )
    if "error" in reply:
        fail(f"eth_getLogs failed: {reply['error'].get('message')}")
    units: dict[bytes, dict] = {}
    keys: dict[str, dict] = {}
    for event in (decode_log(log, on_error="skip") for log in reply["result"]):
        if event is None:
            continue
        args = event.args
        if event.name == "UnitRegistered":
            units[args["unitId"]] = {
                "kind": UNIT_KINDS.get(args["kind"], str(args["kind"])),
                "name": args["name"],
                "keys": [],
            }
        elif event.name == "KeyRegistered":
            scheme = KEY_SCHEMES[args["scheme"]]
            key = {
                "scheme": scheme,
                "block": event.block_number,
                "revoked": None,
                "id": derive_key_id("sm2", args["publicKey"]) if scheme == "sm2" else args["keyId"],
            }
            keys[args["keyId"]] = key
            units[args["unitId"]]["keys"].append(key)
        elif event.name == "KeyRevoked":
            keys[args["keyId"]]["revoked"] = event.block_number
    if not units:
        typer.echo("no units registered")
        return
    times: dict[int, int] = {}

    def when(block: int) -> str:
        if block not in times:
            times[block] = w3.eth.get_block(block)["timestamp"]
        return local_time(times[block])

    for unit_id, unit in units.items():
        typer.echo(f"0x{unit_id.hex()}  {unit['kind']:<11}  {unit['name']}")
        for key in unit["keys"]:
            revoked = f"  revoked {when(key['revoked'])}" if key["revoked"] else ""
            typer.echo(f"    {key['scheme']:<5}  {key['id']}  registered {when(key['block'])}{revoked}")
