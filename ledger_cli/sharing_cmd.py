"""`ledger sharing …`: the timekeeper's pass, the gateway's check, the audit of a commitment, and an
officer's signed steps (apply, decide, object, terminate, and any other step), signed on this machine."""

from __future__ import annotations

import os
import re
from types import SimpleNamespace

import typer

from ledger_cli import sharing_steps_cmd
from ledger_cli._api import Api
from ledger_cli._context import deployment, fail, one_line_errors, settings

_ID = re.compile(r"^0x[0-9a-fA-F]{64}$")
METHODS = ("interface", "batch_comparison", "other")
FORMS = ("full", "subject_authorised", "comparison_result", "desensitised")

app = typer.Typer(help="Sharing (Art. 17–26): officers' steps, time-based steps, the use check.", no_args_is_help=True)


def _runtime():
    """A runtime whose mirror has caught up with the chain (no background threads)."""
    from api.runtime import Runtime

    s = settings()
    deployment(s)  # or one line naming where it looked, before anything is created
    runtime = Runtime(s)
    runtime.indexer.sync()
    return runtime


@app.command("sweep")
@one_line_errors
def sweep() -> None:
    """Take every step the passage of time calls for now: deemed approvals (Art. 20), idle
    suspensions and lapses (Art. 26). `ledger serve` does this every LEDGER_TIMEKEEPER_INTERVAL_S."""
    from api.services import sharing_timekeeper

    runtime = _runtime()
    try:
        result = sharing_timekeeper.sweep(runtime)
    finally:
        runtime.engine.dispose()
    taken = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in result.taken.items())
    typer.echo(f"took {taken}" + (f"; {result.refused} refused by the chain (see the log)" if result.refused else ""))


@app.command("check")
@one_line_errors
def check(
    unit_id: str = typer.Argument(..., help="The demand unit's id (0x…)"),
    entry_id: str = typer.Argument(..., help="The catalog entry's id (0x…)"),
    version: int = typer.Argument(..., help="The catalog version the data served is of"),
    scenario: str = typer.Argument(..., help="The scenario code"),
    item: list[str] = typer.Option(..., "--item", help="A data item served, by name (repeat for each)"),  # noqa: B008 (Typer reads it)
    method: str = typer.Option("interface", help="interface | batch_comparison | other"),
    form: str = typer.Option("full", help="full | subject_authorised | comparison_result | desensitised"),
    grant: str | None = typer.Option(None, "--grant", metavar="GRANT_ID", help="The grant presented, if any"),
    api: str | None = typer.Option(
        None,
        "--api",
        metavar="URL",
        help="Ask this API (GET /v1/sharing/check) "
        "instead of the local node and mirror: from a gateway's machine (with $LEDGER_PLATFORM_CREDENTIAL) "
        "or an officer's (after `ledger login`; the officer's own unit only)",
    ),
) -> None:
    """May the unit use these data items of the entry at this version, for the scenario, by the
    method, in the form, now (Art. 25)? Exit 0 for yes, 3 for no."""
    for name, value in (("unit_id", unit_id), ("entry_id", entry_id), ("--grant", grant or "0x" + "0" * 64)):
        if not _ID.match(value):
            fail(f"{name}: must be 0x and 64 hexadecimal digits, got {value!r}")
    if method not in METHODS:
        fail(f"--method: one of {', '.join(METHODS)}, got {method!r}")
    if form not in FORMS:
        fail(f"--form: one of {', '.join(FORMS)}, got {form!r}")
    if version < 1:
        fail(f"version: a catalog version is 1 or more, got {version}")
    asked = {"unit_id": unit_id, "entry_id": entry_id, "version": version, "items": item, "scenario": scenario}
    asked.update(method=method, form=form, grant_id=grant)
    if api is not None:
        # A gateway's machine sends the platform credential; an officer's, the token of `ledger login`.
        with Api(api, bearer=os.environ.get("LEDGER_PLATFORM_CREDENTIAL") or None) as client:
            params = {k: v for k, v in asked.items() if v is not None}
            answer = SimpleNamespace(**client.get("/v1/sharing/check", **params))
    else:
        from api.services import sharing_queries

        runtime = _runtime()
        try:
            answer = sharing_queries.check(runtime.store.engine, **asked, now=runtime.clock.now())
        finally:
            runtime.engine.dispose()
    typer.echo(
        f"{'yes' if answer.allowed else 'no'}: {answer.reason} — {answer.message}"
        + (f" (grant {answer.grant_id}, version {answer.version})" if answer.grant_id else "")
    )
    if not answer.allowed:
        raise typer.Exit(3)


@app.command("verify")
@one_line_errors
def verify(demand_id: str = typer.Argument(..., help="The demand's id (0x…)")) -> None:
    """Re-verify a demand's commitment (Art. 18) from the chain alone: the Apply step's recorded
    commitment against the key registered on-chain (SM2 or ECDSA). Exit 0 valid, 3 invalid."""
    from sharing.audit import audit_commitment

    if not _ID.match(demand_id):
        fail(f"demand_id: must be 0x and 64 hexadecimal digits, got {demand_id!r}")
    record, w3 = deployment(settings())
    audit = audit_commitment(w3, record.registry, record.sharing, bytes.fromhex(demand_id[2:]))
    unit = audit.verification.unit
    who = f"{audit.scheme} key {audit.key_id} of {unit.name if unit else audit.demand_unit_id}"
    where = f"applied in tx {audit.apply_tx} (block {audit.apply_block})"
    if audit.valid:
        typer.echo(f"valid: commitment signed by {who}, active when it signed; {where}")
        return
    typer.echo(f"invalid: {audit.problem} ({who}; {where})")
    raise typer.Exit(3)


# An officer's signed steps, signed on this machine and sent to the API (ledger_cli/sharing_steps_cmd.py).
for _name, _command in sharing_steps_cmd.COMMANDS.items():
    app.command(_name)(_command)
