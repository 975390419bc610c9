"""A year from the State Council's notice (workdays/notice.py) and the provisional demo year.

The notice file under tests/workdays/notices/ is a fixture shaped like a real notice; its dates
are invented (the real 2027 notice is not in this repository) and it says so in its title.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from workdays.bitmap import YearBitmap, build_year
from workdays.errors import NoticeDisagreesError, NoticeError
from workdays.notice import compare_with_packages, notice_from_source, parse_notice, read_notice, validate
from workdays.provisional import is_provisional, provisional_year

NOTICE_2027 = Path(__file__).parent / "notices" / "2027-example.json"


def raw() -> dict:
    return json.loads(NOTICE_2027.read_text(encoding="utf-8"))


def refused(changed: dict, year: int = 2027, **kwargs) -> str:
    with pytest.raises(NoticeError) as caught:
        validate(parse_notice(changed), year, **kwargs)
    return str(caught.value)


def test_the_notice_gives_weekdays_off_and_weekends_worked():
    year = validate(read_notice(NOTICE_2027), 2027)
    working = set(year.bitmap.working_dates())
    assert dt.date(2027, 2, 8) not in working  # Monday inside the Spring Festival holiday
    assert dt.date(2027, 2, 20) in working  # a Saturday worked in exchange
    assert dt.date(2027, 2, 13) not in working  # an ordinary Saturday
    assert dt.date(2027, 3, 1) in working  # an ordinary Monday
    assert len(working) == 250
    assert year.outside_year == []
    # On-chain the notice travels whole: the source is its canonical JSON, and parses back.
    assert notice_from_source(year.bitmap.source) == read_notice(NOTICE_2027)
    assert notice_from_source("chinese-calendar 1.11.0") is None
    assert year.summary()[0].startswith("测试用例：2027年部分节假日安排")


def test_every_statutory_holiday_must_be_a_day_off():
    changed = raw()
    changed["holidays"] = [h for h in changed["holidays"] if h["name"] != "中秋节"]
    assert refused(changed) == (
        "holidays: the statutory holiday 2027-09-15 (Mid-Autumn Festival) is not a day off in the file"
    )


def test_a_range_must_hold_a_statutory_holiday_and_match_its_day_count():
    changed = raw()
    changed["holidays"].append({"name": "错月", "from": "2027-03-01", "to": "2027-03-02"})
    assert refused(changed) == "holidays: 错月 (2027-03-01..2027-03-02) holds none of 2027's statutory holidays"
    changed = raw()
    changed["holidays"][1]["days"] = 8
    assert refused(changed) == (
        "notice: holidays.1: Value error, 春节: 2027-02-05..2027-02-11 is 7 days, the notice says 8"
    )


def test_adjusted_working_days_must_be_weekends_outside_the_holidays():
    changed = raw()
    changed["working_days"].append("2027-03-03")  # a Wednesday
    assert refused(changed) == "working_days: 2027-03-03 is a Wednesday, already a working day"
    changed = raw()
    changed["working_days"].append("2027-02-06")  # a Saturday inside the Spring Festival
    assert refused(changed) == "working_days: 2027-02-06 is also inside a holiday range"
    changed = raw()
    changed["working_days"] += ["2027-01-31"]
    assert refused(changed) == "working_days: a date is listed twice"


def test_several_problems_are_all_listed():
    changed = raw()
    changed["holidays"] = changed["holidays"][1:]  # no New Year
    changed["working_days"].append("2027-03-03")
    with pytest.raises(NoticeError) as caught:
        validate(parse_notice(changed), 2027)
    assert str(caught.value).endswith("(and 1 more)")
    assert caught.value.problems == [
        "holidays: the statutory holiday 2027-01-01 (New Year's Day) is not a day off in the file",
        "working_days: 2027-03-03 is a Wednesday, already a working day",
    ]


def test_days_in_a_neighbouring_year_are_checked_not_changed():
    changed = raw()
    changed["holidays"][0].update({"from": "2026-12-31", "days": 4})  # a Thursday of 2026
    assert refused(changed) == (
        "holidays: 2026-12-31 is a weekday of 2026, which this notice cannot change; republish 2026 with it"
    )
    assert validate(parse_notice(changed), 2027, neighbour_is_off=lambda day: True).outside_year == [
        dt.date(2026, 12, 31)
    ]
    changed["holidays"][0].update({"from": "2026-12-26", "days": 9})  # Sat 26 .. Thu 31 December
    with pytest.raises(NoticeError):
        validate(parse_notice(changed), 2027, neighbour_is_off=lambda day: day.weekday() >= 5)


def test_the_file_names_the_field_that_is_wrong(tmp_path):
    assert refused({**raw(), "year": 2028}) == "year: the file is the notice for 2028, not 2027"
    broken = copy.deepcopy(raw())
    broken["holidays"][0]["to"] = "2027-13-01"
    with pytest.raises(NoticeError, match=r"^notice: holidays\.0\.to: Input should be a valid date"):
        parse_notice(broken)
    with pytest.raises(NoticeError, match=r"^notice: schema: Input should be 'putuo.calendar-notice/1'"):
        parse_notice({**raw(), "schema": "putuo.catalog/1"})
    with pytest.raises(NoticeError, match=r"^notice: extra: Extra inputs are not permitted"):
        parse_notice({**raw(), "extra": 1})
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff{")
    with pytest.raises(NoticeError, match="not a UTF-8 JSON file"):
        read_notice(bad)
    with pytest.raises(NoticeError, match="no such file"):
        read_notice(tmp_path / "missing.json")


def test_a_package_that_has_the_year_must_agree():
    packaged = build_year(2026)
    assert compare_with_packages(YearBitmap(2026, packaged.bits, "a notice")) == "chinese-calendar 1.11.0"
    flipped = packaged.bits ^ (1 << 40)  # 2026-02-10
    with pytest.raises(NoticeDisagreesError) as caught:
        compare_with_packages(YearBitmap(2026, flipped, "a notice"))
    assert caught.value.dates == [dt.date(2026, 2, 10)]
    assert compare_with_packages(validate(read_notice(NOTICE_2027), 2027).bitmap) is None  # no package has 2027


def test_the_provisional_demo_year_is_marked_and_has_no_swaps():
    year = provisional_year(2027)
    assert is_provisional(year.source) and "not the State Council notice" in year.source
    assert "ledger calendar publish 2027 --notice FILE" in year.source
    working = set(year.working_dates())
    assert all(d.weekday() < 5 for d in working)
    assert dt.date(2027, 10, 1) not in working and dt.date(2027, 10, 4) in working  # no observed day invented
    assert not is_provisional(build_year(2026).source)
