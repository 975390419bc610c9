"""The contract's deadlines against an independent Python reference, on a grid and at random.

The reference shares nothing with the contract or with workdays/: it walks dates with
`datetime` in `zoneinfo("Asia/Shanghai")` and asks `chinese_calendar` about each one.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.workdays.helpers import SHANGHAI, reference_due, ts

# China observed summer time in 1986–1991; the contract uses plain UTC+8 for every timestamp.
# Since 1992 the two agree (checked below), so the date tests before then use the fixed offset.
CST = dt.timezone(dt.timedelta(hours=8))
FIRST = ts("2024-01-01 00:00")
LAST = ts("2026-12-31 23:59:59")
DEADLINES = (1, 2, 3, 5, 10, 15, 20, 30)  # the regulation's 1, 3, 5, 10 and 15 among them


def test_reference_agrees_with_the_convention_on_a_known_case():
    # Guard against a reference that agrees with the contract by sharing its mistake.
    assert reference_due(ts("2024-09-30 10:00"), 1) == (True, ts("2024-10-08 23:59:59"), 0)
    assert reference_due(ts("2026-12-31 10:00"), 1) == (False, 0, 2027)


def test_every_seven_hours_over_2024_to_2026(system, calendar):
    grid = [(t, DEADLINES[i % len(DEADLINES)]) for i, t in enumerate(range(FIRST, LAST, 7 * 3600))]
    with system.w3.batch_requests() as batch:
        for t, n in grid:
            batch.add(calendar.functions.tryAddWorkingDays(t, n))
        answers = batch.execute()
    mismatches = [(t, n, got) for (t, n), got in zip(grid, answers) if tuple(got) != reference_due(t, n)]
    assert mismatches == []
    assert len(grid) > 3700
    assert sum(not ok for ok, _, _ in answers) > 0  # the grid's end reaches into unpublished 2027


def test_asia_shanghai_is_plain_utc8_from_1992_on():
    months = [dt.datetime(y, m, 15, 12, tzinfo=SHANGHAI) for y in range(1992, 2101) for m in range(1, 13)]
    assert {d.utcoffset() for d in months} == {dt.timedelta(hours=8)}
    assert dt.datetime(1990, 7, 1, tzinfo=SHANGHAI).utcoffset() == dt.timedelta(hours=9)  # why CST is used


def test_local_day_on_the_grid(system, calendar):
    grid = list(range(0, LAST, 997 * 3600 + 1))  # from the epoch, odd step to hit every hour and minute
    # Year ends and leap days, including the century rules: 2000 is leap, 2100 is not.
    edges = [
        "2000-02-29",
        "2000-12-31",
        "2023-12-31",
        "2024-01-01",
        "2024-02-29",
        "2024-12-31",
        "2100-02-28",
        "2100-03-01",
        "2100-12-31",
    ]
    grid += [ts(f"{day} {hms}") for day in edges for hms in ("00:00:00", "23:59:59")]
    with system.w3.batch_requests() as batch:
        for t in grid:
            batch.add(calendar.functions.localDay(t))
        answers = batch.execute()
    for t, (year, day_of_year) in zip(grid, answers):
        local = dt.datetime.fromtimestamp(t, CST).date()
        assert (year, day_of_year) == (local.year, local.timetuple().tm_yday - 1), t


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(timestamp=st.integers(FIRST - 86400, LAST), n=st.integers(1, 45))
def test_random_steps(calendar, timestamp, n):
    assert tuple(calendar.functions.tryAddWorkingDays(timestamp, n).call()) == reference_due(timestamp, n)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(timestamp=st.integers(0, int(dt.datetime(9999, 12, 31, 15, 59, 59, tzinfo=dt.UTC).timestamp())))
def test_random_local_days_up_to_year_9999(calendar, timestamp):
    local = dt.datetime.fromtimestamp(timestamp, CST).date()
    assert calendar.functions.localDay(timestamp).call() == [local.year, local.timetuple().tm_yday - 1]
