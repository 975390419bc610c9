"""What every signer CLI command shares: options, error reporting, output files."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from signer import _gmssl_backend
from signer._atomic import write_private_file
from signer.errors import KeyExists, SignerError
from signer.keystore import DEFAULT_KEYSTORE_HELP, ENV_KEYSTORE_DIR

F = TypeVar("F", bound=Callable[..., Any])

KeystoreDirOption = Annotated[
    Path | None,
    typer.Option(
        "--keystore-dir",
        envvar=ENV_KEYSTORE_DIR,
        show_envvar=True,
        show_default=DEFAULT_KEYSTORE_HELP,
        help="Keystore directory.",
    ),
]
PasswordFdOption = Annotated[
    int | None,
    typer.Option(
        "--password-fd",
        metavar="N",
        help="Read the password from file descriptor N (else $LEDGER_KEY_PASSWORD, "
        "else a prompt). Never pass passwords as arguments.",
    ),
]


def fail(message: str) -> typer.Exit:
    """Print one ``error:`` line on stderr; return the Exit(1) to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def reports_errors(command: F) -> F:
    """Turn signer and file errors into one stderr line and exit code 1 (no traceback)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # The CLI is single-threaded, so GmSSL's C backtraces may be discarded
        # while verifying: the user gets our one line, not library internals.
        _gmssl_backend.silence_native_diagnostics(True)
        try:
            return command(*args, **kwargs)
        except SignerError as exc:
            raise fail(exc.one_line()) from None
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            raise fail(f"{exc.strerror or exc}{where}; check the path and permissions") from None
        finally:
            _gmssl_backend.silence_native_diagnostics(False)

    return wrapper  # type: ignore[return-value]


def write_new_file(path: Path, data: bytes, *, secret: bool) -> None:
    """Write an output file atomically (0600 if ``secret``, else 0644); never replace one."""
    try:
        write_private_file(path, data, overwrite=False, mode=0o600 if secret else 0o644)
    except KeyExists:
        raise KeyExists(
            f"{path} already exists", got=str(path), hint="choose another --out path or remove the file"
        ) from None
