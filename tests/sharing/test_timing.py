"""sharing.timing computes a grant's idle time as the Sharing contract does.

Pure checks of the calendar arithmetic, then the real contract: grants used at chosen
Asia/Shanghai times (month ends, the first and last second of a day, leap days, century years)
whose `idleFrom` view must equal what sharing.timing says. (The objection deadline of a
suspension needs the on-chain working-day calendar: the contract computes it, and
tests/contracts/test_sharing_grants.py checks it against the `workdays` package.)
"""

from __future__ import annotations

import calendar
import datetime as dt

import pytest

from chain.events import receipt_events
from chain.sharing import Frequency, StepKind
from sharing import timing
from tests.sharing_desk import SharingDesk, doc
from tests.workdays.helpers import SHANGHAI, ts


def _idle(local_use: str, months: int) -> int:
    """The reference: the local date `months` later (day clamped), the next midnight."""
    used = dt.datetime.fromisoformat(local_use).date()
    index = used.year * 12 + used.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    day = dt.date(year, month, min(used.day, last)) + dt.timedelta(days=1)
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).timestamp())


@pytest.mark.parametrize(
    ("used", "frequency", "reason", "idle_day"),
    [
        ("2026-03-02 09:00:00", Frequency.MONTHLY, False, "2026-06-03"),
        ("2026-03-31 12:00:00", Frequency.DAILY, False, "2026-07-01"),  # 30 June: clamped from the 31st
        ("2026-11-30 23:59:59", Frequency.QUARTERLY, False, "2027-03-01"),  # 28 February 2027, then midnight
        ("2027-11-30 00:00:00", Frequency.WEEKLY, False, "2028-03-01"),  # 29 February 2028 (leap)
        ("2028-02-29 07:59:59", Frequency.ANNUAL, True, "2029-03-01"),  # 2029-02-28 (+12, clamped)
        ("2028-02-29 08:00:00", Frequency.SEMI_ANNUAL, True, "2028-08-30"),
        ("2028-08-31 18:00:00", Frequency.SEMI_ANNUAL, True, "2029-03-01"),
        ("2099-11-30 12:00:00", Frequency.CONTINUOUS, False, "2100-03-01"),  # 2100 is no leap year
        ("2399-11-30 12:00:00", Frequency.CONTINUOUS, False, "2400-03-01"),  # 2400 is
        ("2026-12-31 23:59:59", Frequency.ANNUAL, True, "2028-01-01"),
    ],
)
def test_idle_from_against_a_datetime_reference(used, frequency, reason, idle_day):
    expected = ts(f"{idle_day} 00:00:00")
    months = timing.idle_months(frequency, reason)
    assert _idle(used, months) == expected
    assert timing.idle_from(ts(used), frequency, reason, 0) == expected
    assert timing.idle_from(ts(used), frequency.name.lower(), reason, 0) == expected  # the mirror's spelling
    assert timing.idle_from(ts(used), int(frequency), reason, expected - 2) == expected
    assert timing.idle_from(ts(used), frequency, reason, expected - 1) == expected
    assert timing.idle_from(ts(used), frequency, reason, expected) == expected + 1  # a reason on file runs longer


def test_idle_months_and_local_days():
    assert [timing.idle_months(f, False) for f in Frequency if f] == [3] * 7
    assert (timing.idle_months(Frequency.SEMI_ANNUAL, True), timing.idle_months(Frequency.ANNUAL, True)) == (6, 12)
    assert timing.day_number(ts("2026-03-02 00:00")) == timing.day_number(ts("2026-03-02 23:59:59")) == 20_514
    assert timing.end_of_day(20_514) == ts("2026-03-02 23:59:59")
    for day in range(0, 2_900_000, 997):  # to year 9909: the civil conversions agree with datetime's
        assert timing.days_from_civil(*timing.civil_from_days(day)) == day
        assert dt.date(*timing.civil_from_days(day)) == dt.date(1970, 1, 1) + dt.timedelta(days=day)


# Times of use, in chain order: month ends, a day's first and last second, leap days, centuries.
USES = [
    "2026-03-31 12:00:00",
    "2026-05-31 23:59:59",
    "2026-06-01 00:00:00",
    "2026-08-31 10:00:00",
    "2026-11-30 10:00:00",
    "2027-11-29 10:00:00",
    "2027-11-30 08:00:00",
    "2028-02-29 07:59:59",
    "2028-02-29 08:00:00",
    "2028-08-31 18:00:00",
    "2028-12-31 23:59:59",
    "2099-11-30 12:00:00",
    "2399-11-30 12:00:00",
]


def test_idle_from_equals_the_contract(system):
    desk = SharingDesk(system)
    entry = desk.approved_entry(desk.civil, "MZJ-T001")
    terms = {  # one grant per rule: 3 months, 6 and 12 with a reason on file
        "monthly": (Frequency.MONTHLY, False),
        "semi_annual": (Frequency.SEMI_ANNUAL, True),
        "annual": (Frequency.ANNUAL, True),
    }
    grants = {}
    for i, (name, (frequency, reason)) in enumerate(terms.items()):
        grants[name], _ = desk.apply(
            desk.street,
            [desk.resource(desk.civil, entry)],
            application_no=f"T-{i}",
            scenario_class=1,
            frequency=frequency,
            frequency_reason=reason,
        )
    excused = dict.fromkeys(grants, 0)
    f = desk.sharing.functions

    def check(used: int) -> None:
        for name, grant_id in grants.items():
            frequency, reason = terms[name]
            assert f.idleFrom(grant_id).call() == timing.idle_from(used, frequency, reason, excused[name]), name

    issued = desk.grant(grants["monthly"])[12]  # lastUsedAt: the issuance
    check(issued)
    for local in USES:
        used = ts(local)
        desk.next_block_at(used)
        uses = [
            desk.action(desk.data_center, StepKind.RECORD_USE, g, doc("putuo.usage/1", n=local), at=used)
            for g in grants.values()
        ]
        receipt = system.relayer.send(f.executeBatch([u.as_tuple() for u in uses]))
        assert [e.name for e in receipt_events(receipt)] == ["SharingStep"] * 3  # none rejected
        check(used)

    # A reason on file past the idle time moves it; one before it does not.
    now = desk.now()
    for name, until in (("monthly", now + 200 * 86400), ("annual", now + 30 * 86400)):
        desk.act(desk.street, StepKind.FILE_IDLE_REASON, grants[name], at=until)
        desk.act(desk.data_center, StepKind.REVIEW_IDLE_REASON, grants[name])  # accepted (Art. 26)
        excused[name] = until
    check(ts(USES[-1]))
    assert f.idleFrom(grants["monthly"]).call() == now + 200 * 86400 + 1
