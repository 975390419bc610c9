"""``ledger keys …``: create, list, show, export and import keys."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from signer import ethkeyfile, pem
from signer._cli_common import (
    KeystoreDirOption,
    PasswordFdOption,
    reports_errors,
    write_new_file,
)
from signer._password import read_password
from signer.canonical import parse_json_strict
from signer.errors import (
    DocumentFieldInvalid,
    InvalidUserId,
    KeystoreMalformed,
    NotCanonicalizable,
)
from signer.keys import SigningKey
from signer.keystore import (
    KeyInfo,
    default_keystore_dir,
    find_key,
    list_keys,
    load_key,
    read_info,
    read_keystore,
    save_key,
    unseal,
)
from signer.sm2 import DEFAULT_USER_ID

keys_app = typer.Typer(help="Create, list, show, export and import signing keys.", no_args_is_help=True)


class Scheme(StrEnum):
    sm2 = "sm2"
    ecdsa = "ecdsa"


class ExportFormat(StrEnum):
    pem = "pem"
    json = "json"
    pubkey = "pubkey"


class ImportFormat(StrEnum):
    pem = "pem"
    eth_v3 = "eth-v3"
    keystore = "keystore"


NameOption = Annotated[str | None, typer.Option("--name", help="A label for the key.")]
UserIdOption = Annotated[
    str | None,
    typer.Option("--user-id", help="SM2 user id (ID_A in Z_A) [default: 1234567812345678]."),
]


def _check_name(name: str | None) -> None:
    if name is not None and (not name or "/" in name or name.startswith("0x") or len(name) > 64):
        raise DocumentFieldInvalid("name", "1-64 characters, no '/', not starting with 0x", got=name)


def _user_id(scheme: str, user_id: str | None) -> bytes | None:
    if scheme != "sm2":
        if user_id is not None:
            raise InvalidUserId(
                "only SM2 keys have a user id", expected=None, got=user_id, hint="leave out --user-id for ECDSA keys"
            )
        return None
    return user_id.encode("utf-8") if user_id is not None else DEFAULT_USER_ID


def _describe(info: KeyInfo) -> list[str]:
    lines = [
        f"key id:     {info.key_id}",
        f"scheme:     {info.scheme} ({info.public.curve})",
        f"name:       {info.name or '-'}",
    ]
    if info.public.user_id is not None:
        lines.append(f"user id:    {info.public.user_id.decode('utf-8')}")
    return [*lines, f"public key: 0x{info.public.public_key.hex()}", f"file:       {info.path}"]


@keys_app.command("new")
@reports_errors
def new(
    scheme: Annotated[Scheme, typer.Option("--scheme", help="Signature scheme.")],
    name: NameOption = None,
    user_id: UserIdOption = None,
    keystore_dir: KeystoreDirOption = None,
    password_fd: PasswordFdOption = None,
) -> None:
    """Generate a key and save it, encrypted, in the keystore."""
    _check_name(name)
    key = SigningKey.generate(scheme.value, user_id=_user_id(scheme.value, user_id), name=name)
    password = read_password(fd=password_fd, confirm=True, prompt="New key password: ")
    path = save_key(key, password, directory=keystore_dir)
    typer.echo(f"created {key.scheme} key {key.key_id} in {path}")


@keys_app.command("list")
@reports_errors
def list_(keystore_dir: KeystoreDirOption = None) -> None:
    """List the keys in the keystore."""
    keys = list_keys(keystore_dir)
    for info in keys:
        typer.echo(f"{info.key_id}  {info.scheme:<5}  {info.name or '-'}")
    if not keys:  # an empty keystore is no error, but one looked for in the wrong place is a trap
        where = Path(keystore_dir or default_keystore_dir()).resolve()
        typer.echo(
            f"no keys in {where} (--keystore-dir, else $LEDGER_KEYSTORE_DIR, else $LEDGER_DATA_DIR/keys, "
            "else .ledger/keys in the current directory)",
            err=True,
        )


@keys_app.command("show")
@reports_errors
def show(
    key: Annotated[str, typer.Argument(help="Key id, id prefix, name, or file.")],
    keystore_dir: KeystoreDirOption = None,
) -> None:
    """Show a key's public details (no password needed; nothing secret is printed)."""
    typer.echo("\n".join(_describe(read_info(find_key(key, keystore_dir)))))


@keys_app.command("export")
@reports_errors
def export(
    key: Annotated[str, typer.Argument(help="Key id, id prefix, name, or file.")],
    out: Annotated[Path, typer.Option("--out", help="File to create.")],
    format: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.pem,
    keystore_dir: KeystoreDirOption = None,
    password_fd: PasswordFdOption = None,
) -> None:
    """Export a key: pem (encrypted PKCS#8, openssl reads it), json, or pubkey (public PEM).

    The export is encrypted with the key's keystore password. json is an
    Ethereum v3 keystore for ECDSA keys, a copy of the keystore file for SM2.
    """
    path = find_key(key, keystore_dir)
    if format is ExportFormat.pubkey:
        write_new_file(out, pem.public_key_pem(read_info(path).public), secret=False)
    else:
        password = read_password(fd=password_fd)
        signing_key = load_key(path, password)
        if format is ExportFormat.pem:
            data = pem.export_private_pem(signing_key, password)
        elif signing_key.scheme == "ecdsa":
            data = json.dumps(ethkeyfile.export_eth_v3(signing_key, password)).encode()
        else:
            data = path.read_bytes()
        write_new_file(out, data, secret=True)
    typer.echo(f"exported {format.value} to {out}")


def _guess_format(data: bytes) -> ImportFormat:
    if data.lstrip().startswith(b"-----BEGIN"):
        return ImportFormat.pem
    try:
        obj = parse_json_strict(data)
    except (ValueError, NotCanonicalizable):
        raise KeystoreMalformed("not a PEM or JSON key file", hint="pass --format") from None
    return ImportFormat.eth_v3 if ethkeyfile.is_eth_v3(obj) else ImportFormat.keystore


@keys_app.command("import")
@reports_errors
def import_(
    file: Annotated[Path, typer.Argument(help="Key file to import.")],
    format: Annotated[
        ImportFormat | None, typer.Option("--format", help="pem, eth-v3 or keystore [default: guessed].")
    ] = None,
    name: NameOption = None,
    user_id: UserIdOption = None,
    keystore_dir: KeystoreDirOption = None,
    password_fd: PasswordFdOption = None,
) -> None:
    """Import a key file into the keystore; it is re-sealed with the same password."""
    _check_name(name)
    data = file.read_bytes()
    format = format or _guess_format(data)
    password = read_password(fd=password_fd)
    if format is ImportFormat.pem:
        key = pem.import_private_pem(data, password, name=name)
        key = SigningKey(key.scheme, key.private_key, key.public_key, _user_id(key.scheme, user_id), name)
    elif format is ImportFormat.eth_v3:
        key = ethkeyfile.import_eth_v3(data, password, name=name)
    else:
        key = unseal(read_keystore(file), password)
    path = save_key(key, password, directory=keystore_dir)
    typer.echo(f"imported {key.scheme} key {key.key_id} into {path}")
