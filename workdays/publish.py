"""Publish, read and check years of the on-chain calendar (contract `WorkCalendar`).

`publish_year` is what the CLI and the demo seed call. It is idempotent: a year whose bitmap
is already in force is not sent again (the contract would refuse it as unchanged anyway).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from web3 import Web3
from web3.contract import Contract

from chain.client import Sender, contract_at
from workdays.bitmap import DEFAULT_SOURCE, Source, build_year, from_words, year_dates
from workdays.errors import YearNotPublishedError

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Deadlines run up to 15 working days (Art. 22), about three calendar weeks plus holidays, so a
# step taken in the last month of a year may already need the next year's calendar.
WARN_DAYS_BEFORE_YEAR_END = 30


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
class CalendarStatus:
    today: dt.date  # Asia/Shanghai
    published: dict[int, int]  # year -> revision
    warnings: list[str] = field(default_factory=list)


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
    seeded = build_year(year, source)
    new_hash = "0x" + seeded.hash.hex()
    revision = calendar.functions.revision(year).call()
    if revision and read_year(calendar, year) == seeded.bits:
        return PublishResult(year, revision, False, new_hash, seeded.source)
    receipt = sender.send(calendar.functions.publishYear(year, list(seeded.words), seeded.source))
    revision = calendar.functions.revision(year).call(block_identifier=receipt["blockNumber"])
    return PublishResult(year, revision, True, new_hash, seeded.source, receipt["transactionHash"].to_0x_hex())


def check_year(calendar: Contract, year: int, *, source: str | Source = DEFAULT_SOURCE) -> YearCheck:
    """Compare the published `year` with `source`, date by date. Raises YearNotPublishedError
    or YearNotCoveredError."""
    on_chain = read_year(calendar, year)
    seeded = build_year(year, source)
    differences = [
        DateDifference(d, bool(on_chain >> i & 1), bool(seeded.bits >> i & 1))
        for i, d in enumerate(year_dates(year))
        if (on_chain ^ seeded.bits) >> i & 1
    ]
    return YearCheck(year, calendar.functions.revision(year).call(), seeded.source, differences)


def calendar_status(calendar: Contract, *, today: dt.date | None = None) -> CalendarStatus:
    """The published years and what the Office must do about the ones missing.

    Warns when the current year is not published (every deadline started now reverts) and
    when the next year is not published within WARN_DAYS_BEFORE_YEAR_END of 1 January.
    """
    today = today or dt.datetime.now(SHANGHAI).date()
    years = sorted(calendar.functions.publishedYears().call())
    published = {y: calendar.functions.revision(y).call() for y in years}
    warnings = []
    if today.year not in published:
        warnings.append(f"{today.year}, the current year, is not published: every deadline started now reverts")
    days_left = (dt.date(today.year + 1, 1, 1) - today).days
    if today.year + 1 not in published and days_left <= WARN_DAYS_BEFORE_YEAR_END:
        warnings.append(
            f"{today.year + 1} is not published and the year ends in {days_left} day(s): deadlines that reach "
            f"into {today.year + 1} revert until the Office publishes it (`ledger calendar publish {today.year + 1}`)"
        )
    return CalendarStatus(today, published, warnings)



def publish_years(office: Sender, calendar: Contract, years, *, source: Source = DEFAULT_SOURCE) -> list[PublishResult]:
    """Publish each of `years` (idempotent, as `publish_year`)."""
    return [publish_year(office, calendar, year, source=source) for year in years]
