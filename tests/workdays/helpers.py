"""Helpers shared by the calendar tests: Asia/Shanghai wall-clock times and the seeded years."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

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
