"""`ledger calendar ...`: publish a year, list what is published, check the chain against the package."""

from __future__ import annotations

from typing import Annotated

import typer

from chain.client import Sender
from ledger_cli._context import deployment, fail, one_line_errors, settings
from workdays.bitmap import DEFAULT_SOURCE, Source
from workdays.publish import calendar_at, calendar_status, check_year, publish_year

app = typer.Typer(help="The on-chain PRC working-day calendar (工作日历).", no_args_is_help=True)
SourceOption = Annotated[Source, typer.Option("--source", help="The package that seeds the year.")]


def _calendar():
    record, w3 = deployment(settings())
    return w3, calendar_at(w3, record.calendar)


@app.command()
@one_line_errors
def publish(year: int, source: SourceOption = DEFAULT_SOURCE) -> None:
    """Publish YEAR's working days from the package, as the Office (a no-op when the chain already agrees)."""
    w3, calendar = _calendar()
    office = Sender.from_key(w3, settings().office_key.get_secret_value())
    result = publish_year(office, calendar, year, source=source)
    if result.changed:
        typer.echo(f"{year}: published revision {result.revision} from {result.source} in {result.tx_hash}")
    else:
        typer.echo(f"{year}: revision {result.revision} already matches {result.source}; nothing sent")


@app.command()
@one_line_errors
def status() -> None:
    """List the published years; warn when the current or the coming year is missing."""
    report = calendar_status(_calendar()[1])
    typer.echo(f"today (Asia/Shanghai): {report.today.isoformat()}")
    if not report.published:
        typer.echo("no year is published")
    for year, revision in sorted(report.published.items()):
        typer.echo(f"{year}: published, revision {revision}")
    for warning in report.warnings:
        typer.secho(f"WARNING: {warning}", fg=typer.colors.YELLOW, err=True)


@app.command()
@one_line_errors
def check(year: int, source: SourceOption = DEFAULT_SOURCE) -> None:
    """Compare YEAR on-chain with the package, date by date; exit 1 when they differ."""
    result = check_year(_calendar()[1], year, source=source)
    if result.agrees:
        typer.echo(f"{year}: revision {result.revision} agrees with {result.source} on every date")
        return
    for diff in result.differences:
        chain = "working" if diff.on_chain else "off"
        package = "working" if diff.in_package else "off"
        typer.echo(f"{diff.date.isoformat()}: chain says {chain}, {result.source} says {package}")
    fail(f"{year}: {len(result.differences)} date(s) differ from {result.source}; "
         f"republish: `ledger calendar publish {year}`")  # fmt: skip
