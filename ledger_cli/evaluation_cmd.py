"""`ledger evaluation`: the Art. 32 evaluation of units, read from the mirror database.

It reads the SQL mirror directly (LEDGER_DATABASE_URL, default the SQLite file in
LEDGER_DATA_DIR), as the API would answer GET /v1/evaluation, and judges duties at the chain's
latest block time (LEDGER_RPC_URL), or at --now when the node is out of reach.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import requests
import typer
from sqlalchemy import func, inspect, make_url, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from api.errors import ApiError
from api.runtime import make_engine
from api.services import evaluation as service
from api.services.duties import chain_now
from catalog.document import SHANGHAI
from chain.rpc import RpcClient, RpcError
from ledger_cli._context import fail, one_line_errors, require_data, settings
from mirror.models import ChainEvent, SyncCursor


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r}: not a date (YYYY-MM-DD)")


def _now(value: str | None, rpc_url: str) -> tuple[int | None, int]:
    """(block, timestamp) the duties are judged at: --now if given, else the chain's latest block."""
    if value is not None:
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            fail(f"--now {value!r}: not a time (YYYY-MM-DD HH:MM[:SS], Asia/Shanghai)")
        return None, int((moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)).timestamp())
    try:
        return chain_now(RpcClient(rpc_url))
    except (requests.RequestException, RpcError) as exc:
        fail(
            f"cannot read the chain's time from {rpc_url} ({type(exc).__name__}); "
            "pass --now 'YYYY-MM-DD HH:MM' to judge at a given time"
        )


def _engine(s):
    require_data(s, mirror=True)  # or one line naming where it looked, before SQLite creates the file
    url = s.resolved_database_url
    shown = make_url(url).render_as_string(hide_password=True)
    engine = make_engine(url)
    try:
        if not inspect(engine).has_table("catalog_versions"):
            fail(f"{shown} holds no mirror: run `ledger serve` or `ledger reindex` first")
    except SQLAlchemyError as exc:
        fail(f"cannot open the mirror database {shown}: {str(getattr(exc, 'orig', exc) or exc).splitlines()[0]}")
    return engine


def _local(timestamp: int) -> str:
    return dt.datetime.fromtimestamp(timestamp, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def _rate(figures) -> str:
    return "-" if figures.rate is None else f"{100 * figures.rate:.1f}%"


FromOption = Annotated[
    str | None,
    typer.Option("--from", metavar="YYYY-MM-DD", help="First day (Asia/Shanghai); default: the first of --to's month."),
]
ToOption = Annotated[
    str | None,
    typer.Option("--to", metavar="YYYY-MM-DD", help="Last day, inclusive; default: today on the chain's clock."),
]
CsvOption = Annotated[
    Path | None, typer.Option("--csv", metavar="FILE", help="Also write the evaluation as CSV to FILE.")
]
PngOption = Annotated[
    Path | None, typer.Option("--png", metavar="FILE", help="Also write the ranking chart (PNG) to FILE.")
]
NowOption = Annotated[
    str | None,
    typer.Option(
        "--now",
        metavar="'YYYY-MM-DD HH:MM'",
        help="Judge at this Asia/Shanghai time instead of the chain's latest block (no node needed).",
    ),
]


@one_line_errors
def evaluation(
    date_from: FromOption = None,
    date_to: ToOption = None,
    csv_file: CsvOption = None,
    png_file: PngOption = None,
    now: NowOption = None,
) -> None:
    """Art. 32: each unit's on-time rates (compilation, collection, resubmission, review) in a period, ranked."""
    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    s = settings()
    engine = _engine(s)
    block, timestamp = _now(now, s.rpc_url)
    try:
        start, end = service.period(start, end, timestamp)
    except ApiError as exc:
        if exc.code == "date_out_of_range":
            fail(
                f"--{exc.field} {start if exc.field == 'from' else end}: outside the days an evaluation may name "
                f"({service.FIRST_DAY} to {service.LAST_DAY})"
            )
        today = dt.datetime.fromtimestamp(timestamp, SHANGHAI).date()
        fail(f"--from {start} is after " + (f"--to {end}" if end else f"today ({today}), the default --to"))
    try:
        with Session(engine) as session:
            cursor = session.get(SyncCursor, 1)
            mirrored = cursor.block_number if cursor else None
            last = session.scalar(select(func.max(ChainEvent.block_time)))
            if block is None and last is not None and timestamp < last:
                fail(
                    f"--now {now} is before the mirror's last step ({_local(last)}): the mirror would show steps "
                    "taken after it; give a later time"
                )
            result = service.evaluate(
                session,
                date_from=start,
                date_to=end,
                now=timestamp,
                now_block=block if block is not None else mirrored or 0,
            )
    finally:
        engine.dispose()
    if block is not None and (mirrored or 0) < block:
        typer.secho(
            f"warning: the mirror is at block {mirrored}, the chain at {block}: steps since are not "
            "counted (the API's follower catches up; or `ledger reindex`)",
            fg=typer.colors.YELLOW,
            err=True,
        )
    if csv_file is not None:
        _write(csv_file, service.to_csv(result).encode("utf-8"))
    if png_file is not None:
        _write(png_file, service.chart_png(result))
    typer.echo(
        f"Art. 32 evaluation {result.date_from} to {result.date_to}, judged at {_local(timestamp)} Asia/Shanghai"
        + (f" (block {block})" if block is not None else " (--now)")
    )
    typer.echo(
        f"{'rank':>4}  {'score':>6}  {'compile':>7}  {'collect':>7}  {'resubmit':>8}  {'review':>7}  "
        f"{'overdue':>7}  unit"
    )
    for u in result.units:
        # Every duty overdue, sharing ones included (their rates are in the CSV and the score).
        overdue = sum(getattr(u, g).overdue for g in (*service.CATALOG_GROUPS, *service.SHARING_GROUPS))
        typer.echo(
            f"{u.rank or '-':>4}  {'-' if u.score is None else f'{u.score:.2f}':>6}  {_rate(u.compile):>7}  "
            f"{_rate(u.collect):>7}  {_rate(u.resubmit):>8}  {_rate(u.review):>7}  {overdue:>7}  "
            f"{u.name} ({u.unit_id})"
        )
    for path, what in ((csv_file, "CSV"), (png_file, "chart")):
        if path is not None:
            typer.echo(f"wrote the {what} to {path}")


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
