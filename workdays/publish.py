"""Publish, read and check years of the on-chain calendar (contract `WorkCalendar`).

`publish_year` (from a package) and `publish_bitmap` (any seeded year: a State Council notice,
a provisional demo year) are what the CLI and the demo seed call. Both are idempotent: a year
whose bitmap is already in force is not sent again (the contract would refuse it as unchanged).
`calendar_status` says, at the chain's time, which years are published, which only provisionally,
and what the Office must do before deadlines reach a year that is not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from web3 import Web3
from web3.contract import Contract

from chain.client import Sender, contract_at
from chain.errors import ChainError
from chain.events import decode_log, event_topic
from workdays.bitmap import DEFAULT_SOURCE, Source, YearBitmap, build_year, dates_from_bitmap, from_words, year_dates
from workdays.errors import YearNotPublishedError
from workdays.provisional import is_provisional

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Deadlines run up to 15 working days (Art. 22, Sharing.UNCATALOGUED_DAYS), about three calendar
# weeks plus holidays, so a step taken in December may already need the next year's calendar.
LONGEST_DEADLINE_WORKING_DAYS = 15
WARN_FROM = (12, 1)  # (month, day): from 1 December the Office is told while next year is missing


@dataclass(frozen=True)
class PublishResult:
    year: int
    revision: int  # the revision in force afterwards
    changed: bool  # False when the chain already held exactly this bitmap
    bitmap_hash: str
    source: str
    tx_hash: str | None = None


@dataclass(frozen=True)
class DateDifference:
    date: dt.date
    on_chain: bool
    in_package: bool


@dataclass(frozen=True)
class YearCheck:
    year: int
    revision: int
    source: str
    differences: list[DateDifference]

    @property
    def agrees(self) -> bool:
        return not self.differences


@dataclass(frozen=True)
class CalendarWarning:
    """Something the Office must do: the year concerned and the command that fixes it."""

    year: int
    message: str
    command: str


@dataclass(frozen=True)
class CalendarStatus:
    today: dt.date  # Asia/Shanghai date of `now`
    now: int  # the time judged at: the chain's latest block time unless the caller gave one
    published: dict[int, int]  # year -> revision
    provisional: list[int] = field(default_factory=list)  # published with a provisional demo year only
    warnings: list[CalendarWarning] = field(default_factory=list)
    # The last moment a step of the longest deadline stays inside the current year: past it, such
    # steps need next year's calendar (None when the current year itself is not published).
    next_year_needed_at: int | None = None

    @property
    def next_year_ready(self) -> bool:
        nxt = self.today.year + 1
        return nxt in self.published and nxt not in self.provisional


def publish_command(year: int) -> str:
    return f"ledger calendar publish {year} --notice FILE"


def calendar_at(w3: Web3, address: str) -> Contract:
    return contract_at(w3, "WorkCalendar", address)


def read_year(calendar: Contract, year: int) -> int:
    """The bitmap in force for `year`. Raises YearNotPublishedError."""
    if not calendar.functions.isPublished(year).call():
        raise YearNotPublishedError(year)
    return from_words(calendar.functions.workingDaysBitmap(year).call())


def publish_year(
    sender: Sender, calendar: Contract, year: int, *, source: str | Source = DEFAULT_SOURCE
) -> PublishResult:
    """Seed `year` from `source` and publish it from `sender` (an Office account) unless the chain
    already holds the same bitmap. Raises YearNotCoveredError for a year the package does not
    know, ActionRevertedError (e.g. AccessControlUnauthorizedAccount) when the chain refuses.
    """
    return publish_bitmap(sender, calendar, build_year(year, source))


def publish_bitmap(sender: Sender, calendar: Contract, seeded: YearBitmap) -> PublishResult:
    """Publish `seeded` (with its source recorded on-chain) unless the chain already holds it.

    IMPORTANT: the contract refuses an unchanged bitmap, so a notice that gives exactly the
    dates of a provisional demo year already in force leaves the provisional label on-chain.
    """
    year, new_hash = seeded.year, "0x" + seeded.hash.hex()
    revision = calendar.functions.revision(year).call()
    if revision and read_year(calendar, year) == seeded.bits:
        return PublishResult(year, revision, False, new_hash, seeded.source)
    receipt = sender.send(calendar.functions.publishYear(year, list(seeded.words), seeded.source))
    revision = calendar.functions.revision(year).call(block_identifier=receipt["blockNumber"])
    return PublishResult(year, revision, True, new_hash, seeded.source, receipt["transactionHash"].to_0x_hex())


def day_off_lookup(calendar: Contract):
    """`date -> bool | None`: whether a date is a day off, from the chain where its year is
    published, else from the default package, else None (not known)."""
    from workdays.bitmap import working_dates
    from workdays.errors import YearNotCoveredError

    def is_off(day: dt.date) -> bool | None:
        try:
            return not (read_year(calendar, day.year) >> (day - dt.date(day.year, 1, 1)).days & 1)
        except YearNotPublishedError:
            pass
        try:
            return day not in set(working_dates(day.year))
        except YearNotCoveredError:
            return None

    return is_off


def year_sources(calendar: Contract) -> dict[int, str]:
    """The source of the revision in force of each published year, from the publication events.

    Events, not contract state: the contract keeps only the bitmap, and the event carries the
    source (a package label, a notice's canonical JSON, or a provisional marker).
    """
    query = {
        "address": calendar.address,
        "fromBlock": "0x0",
        "toBlock": "latest",
        "topics": [event_topic("WorkCalendar", "CalendarYearPublished")],
    }
    answer = calendar.w3.provider.make_request("eth_getLogs", [query])  # raw logs: what decode_log reads
    if "error" in answer:
        raise ChainError(f"eth_getLogs of the calendar's publications failed: {answer['error']}")
    sources: dict[int, str] = {}
    for log in answer["result"]:
        event = decode_log(log)
        sources[event.args["year"]] = event.args["source"]  # logs come in chain order: the last one wins
    return sources


def check_year(
    calendar: Contract, year: int, *, source: str | Source = DEFAULT_SOURCE, seeded: YearBitmap | None = None
) -> YearCheck:
    """Compare the published `year` with `source` (or with `seeded`, e.g. a notice's year), date
    by date. Raises YearNotPublishedError or YearNotCoveredError."""
    on_chain = read_year(calendar, year)
    seeded = seeded or build_year(year, source)
    differences = [
        DateDifference(d, bool(on_chain >> i & 1), bool(seeded.bits >> i & 1))
        for i, d in enumerate(year_dates(year))
        if (on_chain ^ seeded.bits) >> i & 1
    ]
    return YearCheck(year, calendar.functions.revision(year).call(), seeded.source, differences)


def calendar_status(calendar: Contract, *, now: int | None = None) -> CalendarStatus:
    """The published years, at `now` (default: the chain's latest block time), and what the Office
    must do: the current year missing or provisional (every deadline started now reverts, or rests
    on a guess), and from 1 December the next year missing or provisional.
    """
    if now is None:
        now = calendar.w3.eth.get_block("latest")["timestamp"]
    today = dt.datetime.fromtimestamp(now, SHANGHAI).date()
    years = sorted(calendar.functions.publishedYears().call())
    published = {y: calendar.functions.revision(y).call() for y in years}
    sources = year_sources(calendar) if years else {}
    provisional = sorted(y for y, source in sources.items() if is_provisional(source))
    warnings = []
    this, nxt = today.year, today.year + 1
    if this not in published:
        warnings.append(
            CalendarWarning(
                this,
                f"{this}, the current year, is not published: every deadline started now is refused",
                publish_command(this),
            )
        )
    elif this in provisional:
        warnings.append(
            CalendarWarning(
                this,
                f"{this}, the current year, is only a provisional demo calendar (no "
                "调休): publish the State Council's notice",
                publish_command(this),
            )
        )
    if (today.month, today.day) >= WARN_FROM:
        days_left = (dt.date(nxt, 1, 1) - today).days
        if nxt not in published:
            warnings.append(
                CalendarWarning(
                    nxt,
                    f"{nxt} is not published and the year ends in {days_left} day(s): "
                    f"steps whose deadlines reach into {nxt} are refused until the Office "
                    "publishes it from the State Council's notice",
                    publish_command(nxt),
                )
            )
        elif nxt in provisional:
            warnings.append(
                CalendarWarning(
                    nxt,
                    f"{nxt} is only a provisional demo calendar (no 调休): publish the State Council's notice",
                    publish_command(nxt),
                )
            )
    needed_at = None
    if this in published:
        needed_at = last_moment_within_year(read_year(calendar, this), this)
    return CalendarStatus(today, now, published, provisional, warnings, needed_at)


def last_moment_within_year(bits: int, year: int, working_days: int = LONGEST_DEADLINE_WORKING_DAYS) -> int:
    """The end (23:59:59 Asia/Shanghai) of the last date whose `working_days`-day deadline still
    ends inside `year`: a step on the day before the `working_days`-th last working day."""
    dates = dates_from_bitmap(year, bits)
    if len(dates) < working_days:
        last_safe = dt.date(year, 1, 1) - dt.timedelta(days=1)
    else:
        last_safe = dates[-working_days] - dt.timedelta(days=1)
    midnight = dt.datetime.combine(last_safe + dt.timedelta(days=1), dt.time(), SHANGHAI)
    return int(midnight.timestamp()) - 1


def publish_years(office: Sender, calendar: Contract, years, *, source: Source = DEFAULT_SOURCE) -> list[PublishResult]:
    """Publish each of `years` (idempotent, as `publish_year`)."""
    return [publish_year(office, calendar, year, source=source) for year in years]
