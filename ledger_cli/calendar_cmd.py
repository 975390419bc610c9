"""`ledger calendar ...`: publish a year (from a package or the State Council's notice), list what
is published, check the chain against a package or a notice."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chain.client import Sender
from ledger_cli._context import deployment, fail, one_line_errors, settings
from workdays.bitmap import DEFAULT_SOURCE, Source, build_year
from workdays.errors import YearNotCoveredError
from workdays.notice import compare_with_packages, notice_from_source, read_notice, validate
from workdays.publish import (
    calendar_at,
    calendar_status,
    check_year,
    day_off_lookup,
    publish_bitmap,
    publish_command,
    read_year,
    year_sources,
)

app = typer.Typer(help="The on-chain PRC working-day calendar (工作日历).", no_args_is_help=True)
SourceOption = Annotated[Source, typer.Option("--source", help="The package that seeds the year.")]
NoticeOption = Annotated[
    Path | None,
    typer.Option(
        "--notice",
        help="The State Council's notice for the year, as a putuo.calendar-notice/1 JSON file "
        "(docs/WORKDAYS.md); for a year no package carries yet.",
        dir_okay=False,
    ),
]


def _confirmed(question: str) -> bool:
    try:
        return typer.confirm(question, default=False)
    except typer.Abort:  # no terminal, or end of input: not a yes
        return False


def _calendar():
    record, w3 = deployment(settings())
    return w3, calendar_at(w3, record.calendar)


@app.command()
@one_line_errors
def publish(
    year: int,
    source: SourceOption = DEFAULT_SOURCE,
    notice: NoticeOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Publish a notice without asking to confirm.")] = False,
) -> None:
    """Publish YEAR's working days as the Office: from the package, or from the State Council's notice
    (--notice FILE: validated, compared with any package that has the year, shown, then confirmed).
    A no-op when the chain already holds the same days."""
    w3, calendar = _calendar()
    if notice is None:
        try:
            seeded = build_year(year, source)
        except YearNotCoveredError as exc:
            fail(f"{exc}; transcribe the State Council's notice and run `{publish_command(year)}` (docs/WORKDAYS.md)")
    else:
        checked = validate(read_notice(notice), year, neighbour_is_off=day_off_lookup(calendar))
        agreeing = compare_with_packages(checked.bitmap)
        for line in checked.summary():
            typer.echo(line)
        typer.echo(f"  agrees with {agreeing} on every date" if agreeing else "  no package carries this year yet")
        if not yes and not _confirmed(f"Publish {year} on-chain from this notice?"):
            fail(f"{year}: not published (confirm with y, or pass --yes)")
        seeded = checked.bitmap
    office = Sender.from_key(w3, settings().office_key.get_secret_value())
    result = publish_bitmap(office, calendar, seeded)
    label = "the notice" if notice is not None else result.source
    if result.changed:
        typer.echo(f"{year}: published revision {result.revision} from {label} in {result.tx_hash}")
    else:
        typer.echo(f"{year}: revision {result.revision} already matches {label}; nothing sent")


@app.command()
@one_line_errors
def status() -> None:
    """List the published years at the chain's time; warn when the current or (from 1 December) the
    coming year is missing or only provisional, with the command that fixes it."""
    report = calendar_status(_calendar()[1])
    typer.echo(f"chain date (Asia/Shanghai): {report.today.isoformat()}")
    if not report.published:
        typer.echo("no year is published")
    for year, revision in sorted(report.published.items()):
        mark = " (PROVISIONAL demo calendar)" if year in report.provisional else ""
        typer.echo(f"{year}: published, revision {revision}{mark}")
    _print_warnings(report.warnings)


def _print_warnings(warnings) -> None:
    for warning in warnings:
        typer.secho(f"WARNING: {warning.message}; run `{warning.command}`", fg=typer.colors.YELLOW, err=True)


def warn() -> None:
    """Print what the Office must publish (nothing when the calendar is in order)."""
    _print_warnings(calendar_status(_calendar()[1]).warnings)


@app.command()
@one_line_errors
def check(year: int, source: SourceOption = DEFAULT_SOURCE, notice: NoticeOption = None) -> None:
    """Compare YEAR on-chain, date by date, with the package, or with a notice file (--notice), or,
    when no package has the year, with the notice recorded on-chain; exit 1 when they differ."""
    _, calendar = _calendar()
    if notice is not None:
        seeded, label = (
            validate(read_notice(notice), year, neighbour_is_off=day_off_lookup(calendar)).bitmap,
            str(notice),
        )
        result = check_year(calendar, year, seeded=seeded)
    else:
        try:
            result = check_year(calendar, year, source=source)
            label = result.source
        except YearNotCoveredError:
            read_year(calendar, year)  # not published: say that first
            recorded = notice_from_source(year_sources(calendar).get(year, ""))
            if recorded is None:
                fail(
                    f"{year}: no package carries it and the chain records no notice for it (a provisional demo "
                    f"year?); compare with the notice: `ledger calendar check {year} --notice FILE`"
                )
            seeded = validate(recorded, year, neighbour_is_off=day_off_lookup(calendar)).bitmap
            result, label = (
                check_year(calendar, year, seeded=seeded),
                f"the notice recorded on-chain ({recorded.notice.number})",
            )
    if result.agrees:
        typer.echo(f"{year}: revision {result.revision} agrees with {label} on every date")
        return
    for diff in result.differences:
        chain = "working" if diff.on_chain else "off"
        package = "working" if diff.in_package else "off"
        typer.echo(f"{diff.date.isoformat()}: chain says {chain}, {label} says {package}")
    fail(f"{year}: {len(result.differences)} date(s) differ from {label}; republish: `ledger calendar publish {year}`")
