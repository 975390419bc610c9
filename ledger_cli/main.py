"""The one console script: `ledger`."""

from __future__ import annotations

import os
import signal
import sys

import typer

from chain.node import rpc_ready
from ledger_cli import (
    audit_cmd,
    calendar_cmd,
    catalog_cmd,
    demo,
    evaluation_cmd,
    login_cmd,
    network_cmd,
    quality_cmd,
    sharing_cmd,
    supervision_cmd,
    system_cmd,
    units_cmd,
    usage_cmd,
)
from ledger_cli._context import local_node, one_line_errors, settings
from signer.cli import app as signer_cli

app = typer.Typer(help="Putuo public data sharing ledger.", no_args_is_help=True, pretty_exceptions_enable=False)
# Actions per relayed transaction on a Clique network: bounded at ~20M gas, used ≈11M; nine fit the
# network's 120M block (network/genesis.py), and a batch's calldata stays well under geth's 128 KiB.
CLIQUE_BATCH_MAX = 50


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"ledger {version('putuo-ledger')}")
        raise typer.Exit()


@app.callback()
def main(
    _: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """Putuo public data sharing ledger."""


app.add_typer(system_cmd.node_app, name="node")
app.command("deploy")(system_cmd.deploy)
app.command("serve")(system_cmd.serve)
app.command("reindex")(system_cmd.reindex)
app.command("witness")(usage_cmd.witness)
demo_app = typer.Typer(help="Demo data for a local district.", no_args_is_help=True)
demo_app.command("seed")(demo.seed)
app.add_typer(demo_app, name="demo")


@app.command("up")
@one_line_errors
def up(
    network: bool = typer.Option(
        False, "--network", help="Run on the validators' geth Clique network (`ledger network`) instead of anvil."
    ),
) -> None:
    """From nothing to a running API: start the local node, deploy, seed the demo district, serve."""
    s = settings()
    started = None
    network_started = []
    if network:
        # Every command below reads its settings from the environment: point them at the network.
        network_started, urls = network_cmd.network_for_up(s)
        # Clique settles a block once ⌊N/2⌋+1 more are on it (N signers, one node each).
        settle = str(len(urls) // 2 + 1)
        os.environ.update(
            {"LEDGER_NODE": "external", "LEDGER_RPC_URLS": ",".join(urls), "LEDGER_SETTLE_BLOCKS": settle}
        )
        # Batches whose gas bound lets geth pack several to a block (docs/DEPLOYMENT.md).
        os.environ.setdefault("LEDGER_BATCH_MAX", str(CLIQUE_BATCH_MAX))
        s = settings()
        typer.echo(f"on the network: {', '.join(urls)} (the API fails over in this order)")
    elif not rpc_ready(s.rpc_url):
        if s.node == "external":
            raise typer.BadParameter(f"LEDGER_NODE=external but nothing answers at {s.rpc_url}")
        started = local_node(s).start()
        typer.echo(f"started {started.kind} at {started.url} (data in {started.data_dir})")
    elif s.node != "external":
        # A node already answers: ours from an earlier run (pid file), or one left over from a crash
        # or started by hand. Say which, rather than adopt it silently.
        node = local_node(s)
        if node.running():
            typer.echo(f"using the {node.kind} started earlier from {node.data_dir} (pid {node.pid()}) at {s.rpc_url}")
        else:
            typer.secho(
                f"warning: a node not started from {node.data_dir} answers at {s.rpc_url}; using it. Stop it "
                "(a node left over from a crash?) or set LEDGER_RPC_URL to start a fresh one",
                err=True,
                fg=typer.colors.YELLOW,
            )
    # uvicorn re-raises SIGTERM after its own shutdown; make that an exit so `finally` runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        system_cmd.ensure_deployed()
        demo.seed()
        if network:
            network_cmd.govern_for_up(s)
        calendar_cmd.warn()  # from 1 December: next year's calendar, and the command that publishes it
        system_cmd.serve()
    finally:
        if started is not None:  # what `up` started, it stops (anvil keeps its state for next time)
            started.stop()
        for node in network_started:  # the same for the network's nodes; their chain is kept
            node.stop()


app.add_typer(calendar_cmd.app, name="calendar")
app.add_typer(units_cmd.app, name="units")
app.add_typer(catalog_cmd.app, name="catalog")
app.add_typer(quality_cmd.app, name="quality")
app.add_typer(supervision_cmd.app, name="supervision")
app.add_typer(sharing_cmd.app, name="sharing")
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(network_cmd.app, name="network")
app.command("evaluation")(evaluation_cmd.evaluation)
app.command("login")(login_cmd.login)
# The signer owns its commands (keys, sign, verify); they sit at the top level of `ledger`.
for command in signer_cli.registered_commands:
    app.registered_commands.append(command)
for group in signer_cli.registered_groups:
    app.registered_groups.append(group)
