"""A provisional year for demo chains only, for a year neither a package nor the Office has.

The demo district must come up on any date (`scripts/up`), including the weeks when the next
year's deadlines are already needed and its notice is not yet packaged, or in January before
it is. On a development chain the demo then publishes a *provisional* year: weekends and the
statutory holidays the `holidays` package computes, with no 调休 swap. It is never an unmarked
guess: its on-chain `source` starts with PROVISIONAL_PREFIX and says what replaces it, and
`calendar_status` warns about it as loudly as about a missing year. The Office replaces it by
publishing the real notice (`ledger calendar publish YEAR --notice FILE`), a new revision.
"""

from __future__ import annotations

from importlib.metadata import version as package_version

from workdays.bitmap import YearBitmap, bitmap_from_dates, year_dates
from workdays.notice import statutory_holidays

PROVISIONAL_PREFIX = "PROVISIONAL"


def provisional_source(year: int) -> str:
    return (
        f"{PROVISIONAL_PREFIX} demo calendar for {year}: weekends and holidays {package_version('holidays')} "
        f"statutory days, no 调休; not the State Council notice; replace with "
        f"`ledger calendar publish {year} --notice FILE`"
    )


def is_provisional(source: str) -> bool:
    return source.startswith(PROVISIONAL_PREFIX)


def provisional_year(year: int) -> YearBitmap:
    """Weekdays that are not statutory holidays. For a demo chain only."""
    off = statutory_holidays(year)
    working = [d for d in year_dates(year) if d.weekday() < 5 and d not in off]
    return YearBitmap(year, bitmap_from_dates(year, working), provisional_source(year))
