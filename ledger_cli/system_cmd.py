"""Node, deployment, serving and reindexing."""

from __future__ import annotations

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from chain.client import Sender, connect
from chain.deploy import Deployment, deploy_all, deployment_path
from chain.errors import NotDeployedError
from chain.indexer import DEFAULT_RANGE, Indexer
from chain.node import rpc_ready
from chain.rpc import RpcClient
from ledger_cli._context import deployment, local_node, one_line_errors, settings

node_app = typer.Typer(
    help="Start and stop the local EVM node (anvil by default, or the Hardhat node).", no_args_is_help=True
)


@node_app.command("start")
@one_line_errors
def node_start(kind: str = typer.Option(None, help="anvil or hardhat (default: LEDGER_NODE)")) -> None:
    """Start the node in the background, keeping anvil's state in the data directory."""
    node = local_node(settings(), kind).start()
    typer.echo(f"{node.kind} running at {node.url} (pid {node.pid()}, data in {node.data_dir})")


@node_app.command("stop")
@one_line_errors
def node_stop(kind: str = typer.Option(None, help="anvil or hardhat")) -> None:
    """Stop the node started by `ledger node start` (by its pid; anvil dumps its state first)."""
    node = local_node(settings(), kind)
    if node.pid() is None:
        typer.echo(f"no {node.kind} started from {node.data_dir}")
        return
    node.stop()
    typer.echo(f"{node.kind} stopped")


@node_app.command("status")
@one_line_errors
def node_status() -> None:
    """Whether a node answers at LEDGER_RPC_URL."""
    s = settings()
    typer.echo(f"{s.rpc_url}: {'answering' if rpc_ready(s.rpc_url) else 'not answering'}")


@one_line_errors
def deploy(force: bool = typer.Option(False, help="Deploy again even if a valid deployment exists")) -> None:
    """Deploy UnitRegistry and Catalog from the Office account; records the addresses in the data directory."""
    record = ensure_deployed(force=force)
    typer.echo(f"registry {record.registry}\ncatalog  {record.catalog}\n(deploy block {record.deploy_block})")


def ensure_deployed(*, force: bool = False) -> Deployment:
    s = settings()
    w3 = connect(s.rpc_url)
    path = deployment_path(s.data_dir, w3.eth.chain_id)
    if not force:
        try:
            return Deployment.load(path, w3)
        except NotDeployedError:
            pass
    record = deploy_all(Sender.from_key(w3, s.office_key.get_secret_value()), settle_blocks=s.settle_blocks)
    record.save(path)
    return record


@one_line_errors
def serve() -> None:
    """Serve the API (relayer and chain follower included) on LEDGER_HOST:LEDGER_PORT."""
    import uvicorn

    from api.app import create_app

    s = settings()
    typer.echo(f"API on http://{s.host}:{s.port}  (OpenAPI: http://{s.host}:{s.port}/docs)")
    typer.echo(f"Console (控制台) on http://{s.host}:{s.port}/console/")
    if s.audience_unreachable:
        typer.echo(
            f"warning: logins name http://{s.host}:{s.port} as their audience, which no browser or `ledger login` "
            "reaches; set LEDGER_AUTH_AUDIENCE to the URL officers use",
            err=True,
        )
    uvicorn.run(create_app(s, server=True), host=s.host, port=s.port, log_level="warning")


@one_line_errors
def reindex(block_range: int = typer.Option(DEFAULT_RANGE, min=1, help="Blocks per eth_getLogs call")) -> None:
    """Drop the mirror and rebuild it from the chain alone, with progress."""
    from api.runtime import make_engine
    from mirror.store import SqlMirrorStore

    s = settings()
    record, _ = deployment(s)  # a mirror of the platform's deployment: never a new one deployed here
    store = SqlMirrorStore(make_engine(s.resolved_database_url))
    indexer = Indexer(RpcClient(s.rpc_url), record, store, block_range=block_range, settle_blocks=s.settle_blocks)
    columns = (TextColumn("reindex"), BarColumn(), MofNCompleteColumn(), TextColumn("blocks"), TimeRemainingColumn())
    with Progress(*columns) as progress:
        task = progress.add_task("blocks", total=None)
        report = indexer.rebuild(progress=lambda done, total: progress.update(task, completed=done, total=total))
    typer.echo(f"mirrored {report.events} events from blocks {report.from_block}..{report.to_block}")
