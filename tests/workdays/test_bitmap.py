"""workdays/bitmap.py: a year's bitmap from the packages, without a chain."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import holidays
import pytest
from eth_abi import encode
from eth_utils import keccak

from workdays.bitmap import (
    Source,
    bitmap_from_dates,
    bitmap_hash,
    build_year,
    dates_from_bitmap,
    from_words,
    to_words,
    working_dates,
    year_bitmap,
    year_dates,
)
from workdays.errors import UnknownSourceError, YearNotCoveredError

# 调休: weekends worked in exchange for a longer holiday, from the State Council notices.
MAKE_UP_WORKING_WEEKENDS = [
    "2024-02-04",
    "2024-02-18",
    "2024-10-12",
    "2025-01-26",
    "2025-02-08",
    "2025-09-28",
    "2025-10-11",
    "2026-01-04",
]
# Weekdays that are statutory holidays or days moved off.
WEEKDAY_HOLIDAYS = ["2024-02-12", "2024-10-01", "2024-10-07", "2025-01-28", "2025-02-04", "2025-10-08", "2026-01-02"]


@pytest.mark.parametrize("day", MAKE_UP_WORKING_WEEKENDS)
def test_make_up_weekends_are_working_days_in_both_packages_and_in_the_bitmap(day):
    d = dt.date.fromisoformat(day)
    assert d.weekday() >= 5
    assert chinese_calendar.is_workday(d) and holidays.China(years=d.year).is_working_day(d)
    assert year_bitmap(d.year) >> d.timetuple().tm_yday - 1 & 1 == 1


@pytest.mark.parametrize("day", WEEKDAY_HOLIDAYS)
def test_weekday_holidays_are_off(day):
    d = dt.date.fromisoformat(day)
    assert d.weekday() < 5
    assert not chinese_calendar.is_workday(d)
    assert year_bitmap(d.year) >> d.timetuple().tm_yday - 1 & 1 == 0


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_both_sources_agree_on_every_date(year):
    assert year_bitmap(year, Source.CHINESE_CALENDAR) == year_bitmap(year, "holidays")


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_bitmap_is_the_package_date_by_date(year):
    bits = year_bitmap(year)
    for i, d in enumerate(year_dates(year)):
        assert bool(bits >> i & 1) == chinese_calendar.is_workday(d), d
    assert bits >> len(year_dates(year)) == 0  # nothing beyond the year's last day


def test_leap_year_uses_bit_365():
    assert len(year_dates(2024)) == 366 and len(year_dates(2025)) == 365
    assert year_bitmap(2024) >> 365 == 1  # 2024-12-31, a Tuesday, is working day 366
    assert year_bitmap(2025) >> 364 == 1 and year_bitmap(2025) >> 365 == 0


def test_build_year_labels_the_package_version():
    seed = build_year(2025)
    assert seed.source == f"chinese-calendar {chinese_calendar.__version__}"
    assert build_year(2025, "holidays").source == f"holidays {holidays.__version__}"
    assert seed.working_dates() == working_dates(2025)
    assert len(seed.working_dates()) == 248  # 365 days - 104 weekend days - 13 statutory holidays


@pytest.mark.parametrize("source", list(Source))
def test_a_year_the_package_does_not_fully_know_is_refused(source):
    with pytest.raises(YearNotCoveredError) as info:
        year_bitmap(2027, source)
    assert (info.value.year, info.value.source.split()[0]) == (2027, source.value)


def test_holidays_2027_lists_holidays_but_no_make_up_days_which_is_why_it_is_refused():
    # The fact the refusal rests on: the package has 2027's statutory holidays but no 调休 swaps.
    china = holidays.China(years=2027)
    assert dt.date(2027, 10, 1) in china
    assert not [d for d in china.weekend_workdays if d.year == 2027]
    with pytest.raises(YearNotCoveredError, match="调休"):
        build_year(2027, Source.HOLIDAYS)


def test_chinese_calendar_refuses_before_its_first_year():
    with pytest.raises(YearNotCoveredError) as info:
        working_dates(2003)
    assert info.value.year == 2003


def test_unknown_source_is_refused():
    with pytest.raises(UnknownSourceError) as info:
        year_bitmap(2025, "workalendar")
    assert info.value.source == "workalendar"


def test_words_split_at_day_256_and_round_trip():
    bits = year_bitmap(2024)
    low, high = to_words(bits)
    assert low == bits & (2**256 - 1) and high == bits >> 256 and high < 2**110
    assert from_words([low, high]) == bits
    with pytest.raises(ValueError):
        to_words(1 << 512)
    with pytest.raises(ValueError):
        to_words(-1)


def test_hash_is_keccak_of_the_abi_encoded_words():
    bits = year_bitmap(2026)
    assert bitmap_hash(bits) == keccak(encode(["uint256[2]"], [list(to_words(bits))]))


def test_dates_round_trip_and_foreign_dates_are_refused():
    dates = working_dates(2026)
    assert dates_from_bitmap(2026, bitmap_from_dates(2026, dates)) == dates
    with pytest.raises(ValueError):
        bitmap_from_dates(2026, [dt.date(2025, 12, 31)])
