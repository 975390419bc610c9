"""The usage log read by owners and overseers (Art. 30, #11 part 5): records by entry, demand unit,
scenario, method and time; counts per day; CSV (UTF-8 with a BOM, which Excel on a Chinese Windows
needs to read it as UTF-8) and a chart; the inspection view of anomalies.

Every read is filtered by who asks (`api.auth`): a unit sees the uses it made and the uses of its
own data; the Office, the Data Center and the regulators (auditor units) see everything.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import orjson

from api.auth import Platform
from api.services import evaluation

SHANGHAI_OFFSET_S = 8 * 3600  # Asia/Shanghai has had no daylight saving since 1991
DAY_S = 86400
# Declared frequency (Art. 17) as calls expected in 30 days; continuous use has no ceiling.
EXPECTED_PER_30_DAYS = {
    "daily": 30.0,
    "weekly": 30 / 7,
    "monthly": 1.0,
    "quarterly": 1 / 3,
    "semi_annual": 1 / 6,
    "annual": 1 / 12,
}
ABOVE_FACTOR = 10  # uses "far above the declared frequency": over ten times what it declares
IDLE_WARNING_S = 30 * DAY_S  # grants idle towards suspension within this
CSV_COLUMNS = (
    "id", "used_at", "date", "outcome", "reason", "request_id", "grant_id", "entry_id", "version", "items",
    "scenario", "method", "form", "unit_id", "system", "result_count", "result_hash",
)  # fmt: skip


@dataclass(frozen=True)
class Filters:
    entry_id: str | None = None
    unit_id: str | None = None  # the demand unit that used the data
    owner_unit_id: str | None = None
    scenario: str | None = None
    method: str | None = None
    outcome: str | None = None
    date_from: str | None = None  # YYYY-MM-DD, Asia/Shanghai, inclusive
    date_to: str | None = None


def _bounds(filters: Filters) -> tuple[int | None, int | None]:
    first, last = evaluation.day(filters.date_from, "from"), evaluation.day(filters.date_to, "to")
    start = None if first is None else _day_start(first)
    end = None if last is None else _day_start(last) + DAY_S
    return start, end


def _day_start(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days * DAY_S - SHANGHAI_OFFSET_S


def _where(engine, filters: Filters, who) -> tuple[str, list]:
    """The WHERE clause of `filters`, narrowed to what `who` may read."""
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    clauses, params = [], []
    for column in ("entry_id", "unit_id", "owner_unit_id", "scenario", "method", "outcome"):
        value = getattr(filters, column)
        if value is not None:
            clauses.append(f"{column} = {mark}")
            params.append(value.lower() if column.endswith("_id") else value)
    start, end = _bounds(filters)
    if start is not None:
        clauses.append(f"used_at >= {mark}")
        params.append(start)
    if end is not None:
        clauses.append(f"used_at < {mark}")
        params.append(end)
    if not isinstance(who, Platform) and not who.oversees_all:
        clauses.append(f"(unit_id = {mark} OR owner_unit_id = {mark})")
        params += [who.unit_id, who.unit_id]
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _record(seq: int, leaf: bytes) -> dict:
    return {"id": seq, **orjson.loads(leaf)}


def records(engine, filters: Filters, who, *, limit: int, offset: int) -> tuple[list[dict], int]:
    """The records `who` may read that match `filters`, newest use first, and how many match."""
    where, params = _where(engine, filters, who)
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    with engine.connect() as conn:
        total = conn.exec_driver_sql(f"SELECT count(*) FROM usage_records{where}", tuple(params)).scalar()
        rows = conn.exec_driver_sql(
            f"SELECT seq, leaf FROM usage_records{where} ORDER BY used_at DESC, seq DESC LIMIT {mark} OFFSET {mark}",
            (*params, limit, offset),
        ).all()
    return [_record(seq, bytes(leaf)) for seq, leaf in rows], total


def daily(engine, filters: Filters, who) -> list[dict]:
    """Uses per day (Asia/Shanghai) that `who` may read and match `filters`: accepted and refused."""
    where, params = _where(engine, filters, who)
    day = f"(used_at + {SHANGHAI_OFFSET_S}) / {DAY_S}"  # integer division on both backends
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            f"SELECT {day} AS d, outcome, count(*) FROM usage_records{where} GROUP BY d, outcome ORDER BY d",
            tuple(params),
        ).all()
    days: dict[int, dict] = {}
    for d, outcome, count in rows:
        entry = days.setdefault(
            int(d), {"date": (dt.date(1970, 1, 1) + dt.timedelta(days=int(d))).isoformat(), "accepted": 0, "refused": 0}
        )
        entry[outcome] = count
    return list(days.values())


CSV_LIMIT = 1_000_000


def to_csv(engine, filters: Filters, who) -> bytes:
    """The matching records as CSV, UTF-8 with a BOM, a header row, oldest first (at most CSV_LIMIT)."""
    where, params = _where(engine, filters, who)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            f"SELECT seq, leaf FROM usage_records{where} ORDER BY used_at, seq LIMIT {CSV_LIMIT}", tuple(params)
        )
        for seq, leaf in rows:
            r = orjson.loads(bytes(leaf))
            date = dt.datetime.fromtimestamp(r["used_at"] + SHANGHAI_OFFSET_S, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
            writer.writerow(
                [seq, r["used_at"], date, r["outcome"], r["reason"], r["request_id"], r["grant_id"], r["entry_id"],
                 r["version"], ";".join(r["items"]), r["scenario"], r["method"], r["form"], r["unit_id"], r["system"],
                 r["result"]["count"], r["result"]["hash"]]
            )  # fmt: skip
    return out.getvalue().encode("utf-8")


def chart_png(days: list[dict], title: str) -> bytes:
    """Uses per day as stacked bars (accepted, refused), PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 3.6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [d["date"] for d in days]
    accepted = [d["accepted"] for d in days]
    refused = [d["refused"] for d in days]
    positions = list(range(len(days)))
    axes.bar(positions, accepted, color="#2e7d32", label="accepted")
    axes.bar(positions, refused, bottom=accepted, color="#c62828", label="refused")
    step = max(1, len(labels) // 12)
    axes.set_xticks(positions[::step], labels[::step], rotation=30, fontsize=8)
    axes.set_ylabel("uses")
    axes.set_title(title)
    axes.legend()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def inspection(engine, *, now: int) -> dict:
    """The anomalies the regulators inspect (Art. 30): refused uses by reason and the latest of
    them, uses refused on suspended or terminated grants, grants used far above their declared
    frequency in the last 30 days, and active grants that fall idle (Art. 26) within 30 days."""
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    with engine.connect() as conn:
        by_reason = dict(
            conn.exec_driver_sql(
                "SELECT reason, count(*) FROM usage_records WHERE outcome = 'refused' GROUP BY reason ORDER BY reason"
            ).all()
        )
        latest = conn.exec_driver_sql(
            "SELECT seq, leaf FROM usage_records WHERE outcome = 'refused' ORDER BY used_at DESC, seq DESC LIMIT 50"
        ).all()
        suspended = conn.exec_driver_sql(
            "SELECT grant_id, reason, count(*), max(used_at) FROM usage_records"
            " WHERE outcome = 'refused' AND reason IN ('suspended', 'terminated') GROUP BY grant_id, reason"
            " ORDER BY grant_id, reason"
        ).all()
        recent = conn.exec_driver_sql(
            "SELECT u.grant_id, count(*), g.frequency, g.unit_id FROM usage_records u"
            " JOIN sharing_grants g ON g.grant_id = u.grant_id"
            f" WHERE u.outcome = 'accepted' AND u.used_at >= {mark} GROUP BY u.grant_id, g.frequency, g.unit_id"
            " ORDER BY u.grant_id",
            (now - 30 * DAY_S,),
        ).all()
        idle = conn.exec_driver_sql(
            "SELECT grant_id, unit_id, last_used_at, idle_from FROM sharing_grants"
            f" WHERE status = 'active' AND idle_from > 0 AND idle_from <= {mark} ORDER BY idle_from, grant_id",
            (now + IDLE_WARNING_S,),
        ).all()
    above = []
    for grant_id, count, frequency, unit_id in recent:
        expected = EXPECTED_PER_30_DAYS.get(frequency)
        if expected is not None and count > ABOVE_FACTOR * max(expected, 1.0):
            above.append(
                {"grant_id": grant_id, "unit_id": unit_id, "frequency": frequency, "uses_30_days": count,
                 "expected_30_days": round(expected, 2)}
            )  # fmt: skip
    return {
        "now": now,
        "refused_by_reason": by_reason,
        "latest_refused": [_record(seq, bytes(leaf)) for seq, leaf in latest],
        "on_suspended_or_terminated": [
            {"grant_id": g, "reason": r, "uses": n, "last_at": t} for g, r, n, t in suspended
        ],
        "above_frequency": above,
        "idle_soon": [
            {"grant_id": g, "unit_id": u, "last_used_at": last, "idle_from": frm, "idle": frm <= now}
            for g, u, last, frm in idle
        ],
    }
