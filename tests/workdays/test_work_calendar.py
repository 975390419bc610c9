"""contracts/WorkCalendar.sol on a real node: publication, the calendar itself, deadlines, errors."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from eth_utils import keccak

from chain.client import as_revert
from chain.errors import ActionRevertedError
from tests.workdays.helpers import (
    SEEDED_YEARS,
    deploy_calendar,
    end_of,
    local,
    seeded,
    ts,
)
from workdays.bitmap import from_words, to_words, year_dates

OFFICE_ROLE = "0x" + keccak(text="OFFICE_ROLE").hex()


def reverted(call) -> ActionRevertedError:
    """The decoded custom error of a reverting eth_call."""
    try:
        result = call.call()
    except Exception as exc:  # noqa: BLE001 - web3 raises a different class per node
        return as_revert(exc)
    raise AssertionError(f"expected a revert, got {result!r}")


def batch_call(w3, calls) -> list:
    """eth_call many view calls in one JSON-RPC batch."""
    with w3.batch_requests() as batch:
        for call in calls:
            batch.add(call)
        return batch.execute()


# --- the published calendar is the package's ------------------------------------------------


@pytest.mark.parametrize("year", SEEDED_YEARS)
def test_bitmap_on_chain_is_the_package_bitmap(calendar, year):
    assert from_words(calendar.functions.workingDaysBitmap(year).call()) == seeded(year).bits
    assert calendar.functions.revision(year).call() == 1


def test_is_working_day_matches_the_package_on_every_date_at_midnight_noon_and_last_second(system, calendar):
    dates = [d for year in SEEDED_YEARS for d in year_dates(year)]
    times = ["00:00:00", "12:00:00", "23:59:59"]
    calls = [calendar.functions.isWorkingDay(ts(f"{d} {t}")) for d in dates for t in times]
    answers = batch_call(system.w3, calls)
    expected = [chinese_calendar.is_workday(d) for d in dates for _ in times]
    mismatches = [(str(c.args[0]), a, e) for c, a, e in zip(calls, answers, expected) if a != e]
    assert mismatches == []
    assert len(answers) == 3 * (366 + 365 + 365)


@pytest.mark.parametrize(
    "day, working",
    [
        ("2024-02-04", True),
        ("2024-02-18", True),
        ("2024-10-12", True),  # 调休 Sunday, Sunday, Saturday
        ("2025-01-26", True),
        ("2025-02-08", True),
        ("2025-09-28", True),
        ("2025-10-11", True),
        ("2026-01-04", True),
        ("2024-02-10", False),
        ("2024-02-12", False),
        ("2024-10-07", False),  # Spring Festival, National Day
        ("2025-01-28", False),
        ("2025-02-04", False),
        ("2025-10-08", False),
        ("2026-01-02", False),
        ("2024-02-29", True),
        ("2024-12-31", True),  # leap day; day-of-year 365, the last bit
    ],
)
def test_known_dates(any_calendar, day, working):
    assert chinese_calendar.is_workday(dt.date.fromisoformat(day)) is working  # the package says so too
    assert any_calendar.functions.isWorkingDay(ts(f"{day} 12:00")).call() is working


# --- deadlines: the counting convention ------------------------------------------------------


@pytest.mark.parametrize(
    "step, n, due",
    [
        ("2024-03-08 10:00", 1, "2024-03-11"),  # ordinary Friday -> end of Monday
        ("2024-03-08 22:00", 1, "2024-03-11"),  # Friday evening: after hours changes nothing
        ("2024-03-08 00:00:00", 1, "2024-03-11"),  # first second of the local day
        ("2024-03-08 23:59:59", 1, "2024-03-11"),  # last second of the local day
        ("2024-03-09 00:00:00", 1, "2024-03-11"),  # one second later: Saturday, still Monday
        ("2024-03-07 23:59:59", 1, "2024-03-08"),  # Thursday's last second: due Friday
        ("2024-09-30 10:00", 1, "2024-10-08"),  # last working day before National Day
        ("2024-10-03 10:00", 1, "2024-10-08"),  # on a holiday
        ("2024-10-03 10:00", 2, "2024-10-09"),
        ("2024-09-28 10:00", 1, "2024-09-29"),  # Saturday before a 调休 Sunday: the Sunday counts
        ("2024-10-12 10:00", 1, "2024-10-14"),  # on a 调休 Saturday: the step day never counts
        ("2024-10-11 10:00", 1, "2024-10-12"),  # Friday before a 调休 Saturday: due that Saturday
        ("2025-01-27 10:00", 1, "2025-02-05"),  # across the Spring Festival (01-28 .. 02-04 off)
        ("2025-01-25 10:00", 2, "2025-01-27"),  # Saturday: 调休 Sunday 01-26 is day one
        ("2025-01-27 10:00", 4, "2025-02-08"),  # ... landing on the 调休 Saturday after it
        ("2024-02-28 10:00", 1, "2024-02-29"),  # leap day
        ("2024-12-31 10:00", 1, "2025-01-02"),  # into the next (published) year, over New Year's Day
        ("2025-12-31 10:00", 1, "2026-01-04"),  # 2026-01-01..03 off, Sunday 01-04 worked
        ("2026-12-24 10:00", 5, "2026-12-31"),  # the last working day of the last published year
        ("2023-12-31 10:00", 1, "2024-01-02"),  # 2023 unpublished, but counting starts in 2024
    ],
)
def test_add_working_days(any_calendar, step, n, due):
    due_at = any_calendar.functions.addWorkingDays(ts(step), n).call()
    assert due_at == end_of(due)
    assert local(due_at + 1).time() == dt.time(0, 0)  # one second later is local midnight
    assert any_calendar.functions.tryAddWorkingDays(ts(step), n).call() == [True, due_at, 0]


def test_ten_working_days_over_national_day_2025(calendar):
    # Art. 11 / 15: 10 working days. From Fri 2025-09-26: 09-28 (调休 Sun), 09-29, 09-30,
    # National Day 10-01..08 off, 10-09, 10-10, 10-11 (调休 Sat), 10-13, 10-14, 10-15, 10-16.
    assert calendar.functions.addWorkingDays(ts("2025-09-26 15:00"), 10).call() == end_of("2025-10-16")


def test_counting_across_three_years_uses_whole_year_counts(calendar):
    start = ts("2023-12-31 12:00")
    total = sum(len(seeded(y).working_dates()) for y in SEEDED_YEARS)
    assert calendar.functions.addWorkingDays(start, total).call() == end_of(seeded(2026).working_dates()[-1])
    assert calendar.functions.tryAddWorkingDays(start, total + 1).call() == [False, 0, 2027]


def test_thirty_working_days_cost_little_gas(calendar):
    gas = calendar.functions.addWorkingDays(ts("2024-12-20 10:00"), 30).estimate_gas()
    assert gas < 40_000, gas  # 21k intrinsic + a few storage reads and popcounts


# --- unpublished years: refuse, never guess ---------------------------------------------------


@pytest.mark.parametrize("when, year", [("2023-06-01 12:00", 2023), ("2027-01-04 12:00", 2027)])
def test_is_working_day_in_an_unpublished_year_reverts_with_the_year(calendar, when, year):
    error = reverted(calendar.functions.isWorkingDay(ts(when)))
    assert (error.error, error.error_args) == ("WorkCalendarYearNotPublished", {"year": year})


@pytest.mark.parametrize(
    "step, n, missing",
    [
        ("2026-12-31 10:00", 1, 2027),  # counting starts on 2027-01-01
        ("2026-12-24 10:00", 6, 2027),  # five working days left in 2026, the sixth is in 2027
        ("2023-12-30 10:00", 1, 2023),  # counting starts on 2023-12-31, unpublished
    ],
)
def test_deadline_needing_an_unpublished_year(any_calendar, step, n, missing):
    error = reverted(any_calendar.functions.addWorkingDays(ts(step), n))
    assert (error.error, error.error_args) == ("WorkCalendarYearNotPublished", {"year": missing})
    assert any_calendar.functions.tryAddWorkingDays(ts(step), n).call() == [False, 0, missing]


def test_zero_working_days_reverts_in_both_forms(calendar):
    for fn in (calendar.functions.addWorkingDays, calendar.functions.tryAddWorkingDays):
        error = reverted(fn(ts("2025-03-03 10:00"), 0))
        assert (error.error, error.error_args) == ("WorkCalendarZeroWorkingDays", {})


def test_timestamp_beyond_uint40_reverts(calendar):
    for call in (
        calendar.functions.isWorkingDay(2**40),
        calendar.functions.addWorkingDays(2**40, 1),
        calendar.functions.localDay(2**40),
    ):
        error = reverted(call)
        assert (error.error, error.error_args) == ("WorkCalendarTimestampOutOfRange", {"timestamp": 2**40})
    assert calendar.functions.localDay(2**40 - 1).call()[0] == 36812  # the last representable year


# --- publication ------------------------------------------------------------------------------


def test_first_publication_records_revision_one_and_the_source(system):
    calendar = deploy_calendar(system, years=())
    seed = seeded(2025)
    receipt = system.office.send(calendar.functions.publishYear(2025, list(seed.words), seed.source))
    (event,) = calendar.events.CalendarYearPublished().process_receipt(receipt)
    assert dict(event["args"]) == {
        "year": 2025,
        "revision": 1,
        "previousHash": b"\0" * 32,
        "bitmapHash": seed.hash,
        "bitmap": list(seed.words),
        "source": seed.source,
    }
    assert calendar.functions.publishedYears().call() == [2025]
    assert calendar.functions.isPublished(2025).call() is True
    assert calendar.functions.isPublished(2024).call() is False
    assert calendar.functions.revision(2024).call() == 0


def test_republishing_a_correction_is_recorded_and_takes_effect(system, calendar):
    original = seeded(2025)
    # Say the State Council made Monday 2025-03-03 a day off after publication.
    monday = (dt.date(2025, 3, 3) - dt.date(2025, 1, 1)).days
    corrected = original.bits & ~(1 << monday)
    receipt = system.office.send(calendar.functions.publishYear(2025, list(to_words(corrected)), "correction"))
    (event,) = calendar.events.CalendarYearPublished().process_receipt(receipt)
    assert (event["args"]["revision"], event["args"]["previousHash"]) == (2, original.hash)
    assert event["args"]["bitmapHash"] == keccak(b"".join(w.to_bytes(32, "big") for w in to_words(corrected)))
    assert calendar.functions.revision(2025).call() == 2
    assert calendar.functions.isWorkingDay(ts("2025-03-03 12:00")).call() is False
    assert calendar.functions.addWorkingDays(ts("2025-02-28 12:00"), 1).call() == end_of("2025-03-04")
    assert calendar.functions.publishedYears().call() == list(SEEDED_YEARS)  # no duplicate entry


def test_republishing_the_same_bitmap_is_refused(system, calendar):
    seed = seeded(2024)
    with pytest.raises(ActionRevertedError) as info:
        system.office.send(calendar.functions.publishYear(2024, list(seed.words), seed.source))
    assert (info.value.error, info.value.error_args) == (
        "WorkCalendarBitmapUnchanged",
        {"year": 2024, "bitmapHash": "0x" + seed.hash.hex()},
    )


def test_only_the_office_publishes(system, calendar):
    seed = seeded(2026)
    with pytest.raises(ActionRevertedError) as info:
        system.relayer.send(calendar.functions.publishYear(2026, list(to_words(seed.bits ^ 1)), "relayer"))
    assert (info.value.error, info.value.error_args) == (
        "AccessControlUnauthorizedAccount",
        {"account": system.relayer.account.address, "neededRole": OFFICE_ROLE},
    )
    assert calendar.functions.revision(2026).call() == 1


@pytest.mark.parametrize(
    "year, bits, error, args",
    [
        (2025, 1 << 365, "WorkCalendarBitmapTooLong", {"year": 2025, "daysInYear": 365, "highestSetBit": 365}),
        (2024, 1 << 366, "WorkCalendarBitmapTooLong", {"year": 2024, "daysInYear": 366, "highestSetBit": 366}),
        (
            2024,
            1 | 1 << 400 | 1 << 511,
            "WorkCalendarBitmapTooLong",
            {"year": 2024, "daysInYear": 366, "highestSetBit": 511},
        ),
        (2024, 0, "WorkCalendarEmptyBitmap", {"year": 2024}),
        (1969, 1, "WorkCalendarYearOutOfRange", {"year": 1969}),
    ],
)
def test_publication_validates_the_bitmap(system, year, bits, error, args):
    calendar = deploy_calendar(system, years=())
    with pytest.raises(ActionRevertedError) as info:
        system.office.send(calendar.functions.publishYear(year, list(to_words(bits)), "bad"))
    assert (info.value.error, info.value.error_args) == (error, args)
    assert calendar.functions.publishedYears().call() == []


def test_the_last_day_of_a_leap_year_is_publishable(system):
    calendar = deploy_calendar(system, years=())
    system.office.send(calendar.functions.publishYear(2024, list(to_words(1 << 365)), "last day only"))
    assert calendar.functions.isWorkingDay(ts("2024-12-31 12:00")).call() is True
    assert calendar.functions.isWorkingDay(ts("2024-12-30 12:00")).call() is False
