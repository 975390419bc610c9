"""The signer's command line: ``keys …``, ``sign`` and ``verify``.

``app`` is mounted by the project's ``ledger`` console script. Every command
reports failure as one ``error: …; <what to fix>`` line on stderr with exit
code 1, and never prints a private key or password.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from signer._cli_common import (
    KeystoreDirOption,
    PasswordFdOption,
    fail,
    reports_errors,
    write_new_file,
)
from signer._cli_keys import keys_app
from signer._cli_onchain import (
    DEFAULT_DATA_DIR,
    DEFAULT_RPC_URL,
    AtOption,
    DataDirOption,
    OnChainOption,
    RegistryOption,
    RpcUrlOption,
    verify_on_chain_command,
)
from signer._hex import parse_hex
from signer._password import read_password
from signer.detached import sign_detached
from signer.errors import InvalidPublicKey
from signer.keys import PublicKey
from signer.keystore import find_key, load_key
from signer.pem import load_public_key_pem
from signer.verify import verify_detached

app = typer.Typer(
    help="Sign and verify documents with SM2 or ECDSA keys.", no_args_is_help=True, pretty_exceptions_enable=False
)
app.add_typer(keys_app, name="keys")


@app.command("sign")
@reports_errors
def sign(
    file: Annotated[Path, typer.Argument(help="Document to sign.")],
    key: Annotated[str, typer.Option("--key", help="Key id, id prefix, name, or file.")],
    out: Annotated[Path | None, typer.Option("--out", help="Signature file [default: FILE.sig.json].")] = None,
    keystore_dir: KeystoreDirOption = None,
    password_fd: PasswordFdOption = None,
) -> None:
    """Write a detached signature (putuo.signature/1) for FILE."""
    document = file.read_bytes()
    signing_key = load_key(find_key(key, keystore_dir), read_password(fd=password_fd))
    signature = sign_detached(document, signing_key)
    out = out or file.with_name(file.name + ".sig.json")
    write_new_file(out, signature.to_bytes(), secret=False)
    typer.echo(
        f"signed {file} (document hash 0x{signature.document_hash.hex()}) "
        f"with {signature.scheme} key {signature.key_id} -> {out}"
    )


def _read_public_key(path: Path) -> PublicKey | bytes:
    """A public key file: PEM ``PUBLIC KEY`` or a line of 0x-hex (65 bytes)."""
    data = path.read_bytes()
    if data.lstrip().startswith(b"-----BEGIN"):
        scheme, public_key = load_public_key_pem(data)
        return PublicKey(scheme, public_key, None) if scheme == "ecdsa" else public_key
    try:
        return parse_hex(data.decode("utf-8").strip().lower(), length=65)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidPublicKey(f"{path}: not a PUBLIC KEY PEM or 0x-hex public key ({exc})", got=str(path)) from None


@app.command("verify")
@reports_errors
def verify(
    file: Annotated[Path, typer.Argument(help="The signed document.")],
    sigfile: Annotated[Path, typer.Argument(help="Its putuo.signature/1 file.")],
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            help="Trusted public key (PEM or 0x-hex). Without it (or --on-chain) only the key inside SIGFILE is used.",
        ),
    ] = None,
    on_chain: OnChainOption = False,
    at: AtOption = None,
    rpc_url: RpcUrlOption = DEFAULT_RPC_URL,
    registry: RegistryOption = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Check a detached signature; exit 0 if it verifies, 1 otherwise.

    With --on-chain the key must be registered in the UnitRegistry (for SM2 its registered
    public key is used), and active when it signed (--at, or a commitment's signed_at).
    """
    if on_chain:
        if public_key is not None:
            raise fail("--public-key and --on-chain exclude each other; --on-chain takes the key from the registry")
        verify_on_chain_command(
            file.read_bytes(), sigfile.read_bytes(), at=at, rpc_url=rpc_url, registry=registry, data_dir=data_dir
        )
        return
    if at is not None:
        raise fail("--at needs --on-chain: only the registry knows when a key was active")
    trusted = _read_public_key(public_key) if public_key else None
    result = verify_detached(file.read_bytes(), sigfile.read_bytes(), trusted)
    if not result.ok:
        assert result.error is not None
        raise fail(f"signature invalid: {result.error.one_line()}")
    user = f", user id {result.user_id.decode()}" if result.user_id else ""
    typer.echo(
        f"OK: {result.scheme} signature by {result.key_id}{user} over document hash 0x{result.document_hash.hex()}"
    )
    if result.key_source == "embedded":
        typer.echo(
            "note: checked against the key inside the signature file; pass "
            "--public-key or --on-chain to know who signed"
        )
