"""What every command needs: settings, the node, the deployment, and one-line errors."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy import make_url

from api.settings import Settings
from chain.client import Sender, connect, contract_at
from chain.deploy import Deployment, deployment_path
from chain.errors import LedgerError
from chain.node import LocalNode
from signer.errors import SignerError

NODE_DIR = "node"


def settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        fail(f"settings: {exc.errors()[0]['msg']}")
    except ValueError as exc:  # InsecureSettingsError
        fail(str(exc))


def local_node(s: Settings, kind: str | None = None) -> LocalNode:
    port = int(s.rpc_url.rsplit(":", 1)[1].split("/")[0])
    try:
        start = s.chain_start_time
    except ValueError as exc:
        fail(str(exc))
    return LocalNode(
        kind or (s.node if s.node != "external" else "anvil"), s.data_dir / NODE_DIR, port, start_time=start
    )


def deployment(s: Settings) -> tuple[Deployment, object]:
    """The deployment recorded in the data directory for the node at LEDGER_RPC_URL.

    Fails, creating nothing, when the data directory holds none: a command run outside the
    project directory reads `.ledger` there, which is not the platform's."""
    require_data(s)
    w3 = connect(s.rpc_url)
    path = deployment_path(s.data_dir, w3.eth.chain_id)
    if not path.exists():
        no_data(s, path)
    return Deployment.load(path, w3), w3


def mirror_file(s: Settings) -> Path | None:
    """The mirror's SQLite file (None when the mirror is in a database server)."""
    url = make_url(s.resolved_database_url)
    return Path(url.database).resolve() if url.get_backend_name() == "sqlite" and url.database else None


def require_data(s: Settings, *, mirror: bool = False) -> None:
    """Fail, creating nothing, unless the data directory holds a deployment (and, with `mirror`,
    the mirror's SQLite file is there). Needs no node."""
    looked = [s.data_dir.resolve() / deployment_path(Path(), "*").name] if not mirror else []
    if mirror and (file := mirror_file(s)) is not None:
        looked.append(file)
    found = [p for p in looked if any(p.parent.glob(p.name))]
    if len(found) < len(looked):
        no_data(s, *looked)


def no_data(s: Settings, *looked: Path) -> NoReturn:
    """One line: the files looked for, the data directory and why it is that one, and what to do."""
    where = s.data_dir.resolve()
    why = (
        "from LEDGER_DATA_DIR"
        if "data_dir" in s.model_fields_set
        else "the default: .ledger in the current directory, as LEDGER_DATA_DIR is not set"
    )
    fail(
        f"no ledger data: looked for {' and '.join(str(p) for p in looked)} (data directory {where}, {why}); "
        "run this where `scripts/up` or `ledger up` ran, or set LEDGER_DATA_DIR to that .ledger directory"
    )


def office(s: Settings):
    """The Office's sender and the bound registry."""
    record, w3 = deployment(s)
    return Sender.from_key(w3, s.office_key.get_secret_value()), contract_at(w3, "UnitRegistry", record.registry)


def fail(message: str, code: int = 1):
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def one_line_errors(fn):
    """Turn the project's own errors into one line on stderr and a non-zero exit, no traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except SignerError as exc:  # it says what to fix in one line of its own
            fail(exc.one_line())
        except LedgerError as exc:
            fail(str(exc).splitlines()[0])
        except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
            fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
        except ConnectionError as exc:
            fail(f"cannot reach the node or API: {exc}")
        except Exception as exc:  # noqa: BLE001 - signer errors and friends: say what, not where
            if type(exc).__module__.startswith(("signer", "api", "workdays")):
                fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            raise

    return wrapper
