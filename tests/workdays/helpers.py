"""Helpers shared by the calendar tests: Asia/Shanghai wall-clock times and the seeded years."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

from chain.client import deploy_contract
from workdays.bitmap import build_year

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEEDED_YEARS = (2024, 2025, 2026)


def ts(local: str) -> int:
    """Unix timestamp of an Asia/Shanghai wall-clock time, 'YYYY-MM-DD HH:MM[:SS]'."""
    return int(dt.datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).timestamp())


def end_of(day: str | dt.date) -> int:
    """23:59:59 Asia/Shanghai of `day`: the documented dueAt of a deadline falling on it."""
    return ts(f"{day} 23:59:59")


def local(timestamp: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, SHANGHAI)


@lru_cache(maxsize=None)
def seeded(year: int):
    return build_year(year)


def deploy_calendar(system, years=SEEDED_YEARS):
    calendar, _ = deploy_contract(system.office, "WorkCalendar", system.office.account.address)
    for year in years:
        seed = seeded(year)
        system.office.send(calendar.functions.publishYear(year, list(seed.words), seed.source))
    return calendar


def reference_due(timestamp: int, n: int) -> tuple[bool, int, int]:
    """(ok, dueAt, missingYear) for "the end of the n-th working day after the step's date"."""
    day = dt.datetime.fromtimestamp(timestamp, SHANGHAI).date()
    while n:
        day += dt.timedelta(days=1)
        try:
            n -= chinese_calendar.is_workday(day)
        except NotImplementedError:  # the package does not know the year: nor does the chain
            return False, 0, day.year
    next_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), SHANGHAI)
    return True, int(next_midnight.timestamp()) - 1, 0
