"""A year's working days as the contract stores them: a 366-bit map, from a maintained package.

Nothing here is a holiday table: every answer comes from `chinese-calendar` or `holidays`,
which transcribe the State Council's yearly notice (国务院办公厅关于部分节假日安排的通知).
A package that does not know a year completely is refused, never guessed around:

- `chinese-calendar` raises NotImplementedError outside the years it carries (1.11: 2004–2026);
- `holidays` knows the statutory holidays of any year but the 调休 swaps (days off moved, and
  the weekends worked in exchange) only for years whose notice it has transcribed; for any
  other year it would count every weekend as a day off. It is refused for those years.

Bit i of the bitmap (0-based) is day-of-year i, 1 January being bit 0; set = working day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from importlib.metadata import version as package_version

from eth_utils import keccak

from workdays.errors import UnknownSourceError, YearNotCoveredError

WORD_BITS = 256
WORD_MASK = (1 << WORD_BITS) - 1


class Source(str, Enum):
    """The maintained packages that can seed a year."""

    CHINESE_CALENDAR = "chinese-calendar"
    HOLIDAYS = "holidays"


DEFAULT_SOURCE = Source.CHINESE_CALENDAR


@dataclass(frozen=True)
class YearBitmap:
    """A year's working days with the package (and its version) they came from."""

    year: int
    bits: int
    source: str  # e.g. "chinese-calendar 1.11.0": recorded on-chain with the publication

    @property
    def words(self) -> tuple[int, int]:
        return to_words(self.bits)

    @property
    def hash(self) -> bytes:
        return bitmap_hash(self.bits)

    def working_dates(self) -> list[dt.date]:
        return dates_from_bitmap(self.year, self.bits)


def days_in_year(year: int) -> int:
    return (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days


def year_dates(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=i) for i in range(days_in_year(year))]


def _source(source: str | Source) -> Source:
    try:
        return Source(source)
    except ValueError:
        raise UnknownSourceError(str(source), tuple(s.value for s in Source)) from None


def source_label(source: str | Source) -> str:
    """The package name and installed version, as recorded on-chain."""
    name = _source(source).value
    return f"{name} {package_version(name)}"


def _chinese_calendar_oracle(year: int) -> Callable[[dt.date], bool]:
    import chinese_calendar

    try:
        # Both ends: the package checks the year of each date it is asked about.
        chinese_calendar.is_workday(dt.date(year, 1, 1))
        chinese_calendar.is_workday(dt.date(year, 12, 31))
    except NotImplementedError as exc:
        raise YearNotCoveredError(year, source_label(Source.CHINESE_CALENDAR), str(exc)) from None
    return chinese_calendar.is_workday


def _holidays_oracle(year: int) -> Callable[[dt.date], bool]:
    import holidays
    from holidays.countries.china import ChinaStaticHolidays

    # The 调休 swaps live in this table, one entry per transcribed yearly notice. A year without
    # an entry still gets its statutory holidays, but no make-up working weekend: refuse it.
    # (The class is the package's own data; a rename in a later release fails here loudly.)
    if year not in ChinaStaticHolidays.special_public_holidays:
        known = sorted(ChinaStaticHolidays.special_public_holidays)
        raise YearNotCoveredError(
            year,
            source_label(Source.HOLIDAYS),
            f"it has no 调休 (make-up working day) data for {year} (only {known[0]}–{known[-1]}); "
            "it would count every weekend as a day off",
        )
    calendar = holidays.China(years=year)
    return calendar.is_working_day


_ORACLES = {Source.CHINESE_CALENDAR: _chinese_calendar_oracle, Source.HOLIDAYS: _holidays_oracle}


def working_dates(year: int, source: str | Source = DEFAULT_SOURCE) -> list[dt.date]:
    """The working days of `year` according to `source`. Raises YearNotCoveredError."""
    is_working = _ORACLES[_source(source)](year)
    return [d for d in year_dates(year) if is_working(d)]


def build_year(year: int, source: str | Source = DEFAULT_SOURCE) -> YearBitmap:
    """The bitmap of `year` from `source`, labelled with the package version."""
    return YearBitmap(year, bitmap_from_dates(year, working_dates(year, source)), source_label(source))


def year_bitmap(year: int, source: str | Source = DEFAULT_SOURCE) -> int:
    """The bitmap of `year` from `source` as one integer (bit i = day-of-year i)."""
    return build_year(year, source).bits


def bitmap_from_dates(year: int, dates: list[dt.date]) -> int:
    first = dt.date(year, 1, 1)
    bits = 0
    for d in dates:
        if d.year != year:
            raise ValueError(f"{d} is not in {year}")
        bits |= 1 << (d - first).days
    return bits


def dates_from_bitmap(year: int, bits: int) -> list[dt.date]:
    return [d for i, d in enumerate(year_dates(year)) if bits >> i & 1]


def to_words(bits: int) -> tuple[int, int]:
    """The contract's `uint256[2]`: days 0–255 in word 0, days 256–365 in word 1."""
    if bits < 0 or bits >> (2 * WORD_BITS):
        raise ValueError("a year bitmap is a non-negative integer of at most 512 bits")
    return bits & WORD_MASK, bits >> WORD_BITS


def from_words(words: tuple[int, int] | list[int]) -> int:
    return words[0] | words[1] << WORD_BITS


def bitmap_hash(bits: int) -> bytes:
    """keccak256(abi.encode(uint256[2])), as the contract's CalendarYearPublished event reports."""
    low, high = to_words(bits)
    return keccak(low.to_bytes(32, "big") + high.to_bytes(32, "big"))
