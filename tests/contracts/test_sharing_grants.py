"""Sharing (Art. 17, 25, 26, 30, 31): a grant's life after issuance, on a real node with time
travel. Use moves the idle clock (Art. 26, 30); 3 calendar months without use and with no reason
on file suspend the grant, which is the notice; no objection upheld within 30 days of it
terminates the grant; an objection may win reinstatement. The Data Center may suspend or end a
grant at once for a security risk (Art. 31); the demand unit ends a grant it no longer needs
(Art. 26), and using the data again needs a new application.

Idle boundaries are checked against a reference built on dateutil (calendar months, the day
clamped to the month's length), objection deadlines against the `workdays` package's calendar
(chinese-calendar): the 30th day after the notice, moved to the next working day when it is a
weekend or holiday (Civil Code Art. 203).
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest
from dateutil.relativedelta import relativedelta

from chain.sharing import TERMINATE_SECURITY, Frequency, GrantStatus, StepKind, Suspension
from tests.conftest import CALENDAR_YEARS
from tests.sharing_desk import SharingDesk, doc, only, refused
from tests.workdays.helpers import end_of, local, ts
from workdays import working_dates

ISSUED = ts("2026-03-02 10:00")


def hx(value: bytes) -> str:
    return "0x" + value.hex()


def idle_reference(last_use: int, months: int = 3) -> int:
    """Art. 26 (3 个月内未发生数据调用): the first second after `months` calendar months from the
    local day of the last use, the day clamped to the target month (31 March + 3 = 30 June)."""
    return end_of(local(last_use).date() + relativedelta(months=months)) + 1


@cache
def _working_days(year: int) -> frozenset[dt.date]:
    return frozenset(working_dates(year))


def objection_reference(notice: int) -> int:
    """Art. 26 (自发出通知之日起 30 日内) and Civil Code Art. 203 (期间的最后一日是法定休假日的，以法定
    休假日结束的次日为期间的最后一日): the end of the 30th calendar day after the notice day, or, when
    that day is not a working day in the `workdays` package's calendar, of the next working day.
    Where the test chain's calendar (CALENDAR_YEARS) does not hold a year the search reaches, the
    30th day itself."""
    last = local(notice).date() + dt.timedelta(days=30)
    day = last
    while day.year in CALENDAR_YEARS:
        if day in _working_days(day.year):
            return end_of(day)
        day += dt.timedelta(days=1)
    return end_of(last)


class Grants:
    """A desk with one approved entry of the civil affairs bureau, granted to the street office."""

    def __init__(self, desk: SharingDesk) -> None:
        self.desk = desk
        self.entry = desk.approved_entry(desk.civil, "MZJ-0001")
        self.count = 0

    def issue(self, at: int | None = ISSUED, **kw) -> bytes:
        """A grant issued at `at` by a scenario-authorised demand (Art. 19 (1)): applied for the
        second before, and confirmed by the Data Center at `at`."""
        self.count += 1
        kw.setdefault("scenario_class", 1)
        if 1 <= kw["scenario_class"] <= 3:
            self.desk.ensure_scenario(kw.get("scenario_code", "低保审核"), kw["scenario_class"])
        if at is not None:
            self.desk.next_block_at(at - 1)
        grant_id, _ = self.desk.apply(
            self.desk.street,
            [self.desk.resource(self.desk.civil, self.entry)],
            application_no=f"CF-2026-{self.count:03d}",
            confirm=False,
            **kw,
        )
        if at is not None:
            self.desk.next_block_at(at)
        receipt = self.desk.confirm(grant_id)
        assert self.desk.named(receipt, "GrantIssued")
        if at is not None:
            assert self.desk.block_time(receipt) == at
        return grant_id

    def step(self, officer, kind: StepKind, grant_id: bytes, **kw):
        return self.desk.action(officer, kind, grant_id, doc(f"putuo.test-{kind.name.lower()}/1", note="测试"), **kw)

    def refused_step(self, officer, kind: StepKind, grant_id: bytes, error: str, *, fields: dict | None = None, **args):
        """The step (with these action `fields`) must revert with `error` and exactly `args`."""
        action = self.step(officer, kind, grant_id, **(fields or {}))
        return refused(self.desk, self.desk.execute_call(action), error, **args)

    def refused_use(self, grant_id: bytes, at: int, error: str = "SharingUseOutOfRange", **args):
        """A use of `grant_id` recorded for `at` must be refused with `error`, naming the grant and the time."""
        fields = {"at": at}
        return self.refused_step(
            self.desk.data_center,
            StepKind.RECORD_USE,
            grant_id,
            error,
            grantId=hx(grant_id),
            at=at,
            fields=fields,
            **args,
        )

    def suspend_idle_at(self, grant_id: bytes, at: int, sender=None):
        return self.desk.send_at(at, self.desk.sharing.functions.suspendIdle(grant_id), sender=sender)


@pytest.fixture
def desk(system) -> SharingDesk:
    return SharingDesk(system)


@pytest.fixture
def grants(desk) -> Grants:
    return Grants(desk)


# ---------------------------------------------------------------- idleness, objection, lapse (Art. 26)


def test_art26_idle_grant_suspended_then_reinstated_on_objection(desk, grants):
    """Art. 26: unused for 3 months (issuance counts as a use) the grant may be suspended by anyone,
    not a second earlier; the suspension is the notice with its 30-day objection window. The
    demand unit objects (up to the window's last second), no lapse while the objection is pending,
    and the Data Center's reinstatement restarts the idle clock."""
    grant_id = grants.issue()
    idle = desk.idle_from(grant_id)
    assert idle == idle_reference(ISSUED) == ts("2026-06-03 00:00")
    desk.travel_to(idle - 1)
    refused(desk, desk.sharing.functions.suspendIdle(grant_id), "SharingNotIdle", grantId=hx(grant_id), idleFrom=idle)

    stranger = desk.funded_sender()
    receipt = grants.suspend_idle_at(grant_id, idle, sender=stranger)
    objection_due = objection_reference(idle)
    assert objection_due == ts("2026-07-03 23:59:59")
    assert only(desk, receipt, "GrantStatusChanged").args == {
        "grantId": grant_id,
        "status": GrantStatus.SUSPENDED,
        "suspension": Suspension.IDLE,
        "objectionDueAt": objection_due,
    }
    step = only(desk, receipt, "SharingStep").args
    assert (step["kind"], step["actor"], step["unitId"]) == (
        StepKind.SUSPEND_IDLE,
        stranger.account.address,
        b"\0" * 32,
    )
    grant = desk.record("grant", grant_id)
    assert (grant.status, grant.suspension, grant.suspendedAt, grant.objectionDueAt) == (
        GrantStatus.SUSPENDED,
        Suspension.IDLE,
        idle,
        objection_due,
    )
    assert desk.idle_from(grant_id) == 0 and desk.live_grants(grants.entry[0]) == 1  # suspended is still live
    # Only uses up to the notice count now: a late-logged one before it is recorded, none after it.
    grants.refused_use(grant_id, idle + 1)
    desk.act(desk.data_center, StepKind.RECORD_USE, grant_id, at=idle - 3600)
    grant = desk.record("grant", grant_id)
    assert (grant.status, grant.lastUsedAt) == (GrantStatus.SUSPENDED, idle - 3600) and desk.idle_from(grant_id) == 0

    desk.send_action_at(objection_due, grants.step(desk.street, StepKind.OBJECT, grant_id))  # the last second
    grant = desk.record("grant", grant_id)
    assert (grant.objectionPending, grant.objected) == (True, True)
    desk.travel_to(objection_due + 86400)
    refused(desk, desk.sharing.functions.finaliseLapse(grant_id), "SharingObjectionPending", grantId=hx(grant_id))

    reinstated = objection_due + 86400 + 3600
    receipt = desk.send_action_at(reinstated, grants.step(desk.data_center, StepKind.REINSTATE, grant_id))
    assert only(desk, receipt, "GrantStatusChanged").args == {
        "grantId": grant_id,
        "status": GrantStatus.ACTIVE,
        "suspension": Suspension.NONE,
        "objectionDueAt": 0,
    }
    grant = desk.record("grant", grant_id)
    assert (grant.status, grant.suspension, grant.objectionPending, grant.objected, grant.lastUsedAt) == (
        GrantStatus.ACTIVE,
        Suspension.NONE,
        False,
        False,
        reinstated,
    )
    assert desk.idle_from(grant_id) == idle_reference(reinstated)


def test_art26_no_objection_within_30_days_of_the_notice_terminates_the_grant(desk, grants):
    """Art. 26: 自发出通知之日起 30 日内 ... 未提出异议 ... 自动终止. The window ends at the end of the
    30th calendar day after the notice day, whatever the notice's hour, here a Sunday (2026-07-05),
    so at the end of the next working day (Civil Code Art. 203); the lapse is refused at that second
    and taken by anyone the second after."""
    grant_id = grants.issue()
    notice = ts("2026-06-05 15:30")  # well after idleFrom, in the afternoon
    grants.suspend_idle_at(grant_id, notice)
    objection_due = desk.record("grant", grant_id).objectionDueAt
    assert objection_due == objection_reference(notice) == ts("2026-07-06 23:59:59")

    desk.travel_to(objection_due)
    refused(
        desk,
        desk.sharing.functions.finaliseLapse(grant_id),
        "SharingNotLapsed",
        grantId=hx(grant_id),
        objectionDueAt=objection_due,
    )
    stranger = desk.funded_sender()
    receipt = desk.send_at(objection_due + 1, desk.sharing.functions.finaliseLapse(grant_id), sender=stranger)
    assert only(desk, receipt, "SharingStep").args["kind"] == StepKind.FINALISE_LAPSE
    assert only(desk, receipt, "GrantStatusChanged").args == {
        "grantId": grant_id,
        "status": GrantStatus.TERMINATED,
        "suspension": Suspension.IDLE,
        "objectionDueAt": objection_due,
    }
    grant = desk.record("grant", grant_id)
    assert (grant.status, grant.terminatedAt) == (GrantStatus.TERMINATED, objection_due + 1)
    assert desk.live_grants(grants.entry[0]) == 0
    grants.refused_step(desk.street, StepKind.OBJECT, grant_id, "SharingGrantTerminated", grantId=hx(grant_id))


def test_art26_objection_after_the_30_days_is_closed_and_the_lapsed_grant_is_not_reinstated(desk, grants):
    """Art. 26: an objection after the window is refused. A grant whose window has passed with no
    objection upheld has lapsed by the rule itself (自动终止), even before anyone records the lapse:
    the Data Center cannot reinstate it; using the data again needs a new application."""
    grant_id = grants.issue()
    idle = desk.idle_from(grant_id)
    grants.suspend_idle_at(grant_id, idle)
    objection_due = objection_reference(idle)
    desk.travel_to(objection_due + 1)
    closed = {"grantId": hx(grant_id), "objectionDueAt": objection_due}
    grants.refused_step(desk.street, StepKind.OBJECT, grant_id, "SharingObjectionClosed", **closed)
    grants.refused_step(desk.data_center, StepKind.REINSTATE, grant_id, "SharingObjectionClosed", **closed)
    desk.system.relayer.send(desk.sharing.functions.finaliseLapse(grant_id))
    assert desk.record("grant", grant_id).status == GrantStatus.TERMINATED


def test_art26_a_reinstatement_within_the_window_needs_no_objection(desk, grants):
    """Art. 26: within the 30 days the Data Center may lift an idle suspension by itself."""
    grant_id = grants.issue()
    idle = desk.idle_from(grant_id)
    grants.suspend_idle_at(grant_id, idle)
    objection_due = objection_reference(idle)
    desk.send_action_at(objection_due, grants.step(desk.data_center, StepKind.REINSTATE, grant_id))
    assert desk.record("grant", grant_id).status == GrantStatus.ACTIVE


def test_art26_a_dismissed_objection_lets_the_grant_lapse_after_the_30_days(desk, grants):
    """Art. 26: the Data Center dismisses the objection (code = reason > 0); one objection per
    suspension; the grant then lapses once the 30 days have passed, not before."""
    grant_id = grants.issue()
    idle = desk.idle_from(grant_id)
    grants.suspend_idle_at(grant_id, idle)
    objection_due = objection_reference(idle)
    grants.refused_step(
        desk.data_center,
        StepKind.DISMISS_OBJECTION,
        grant_id,
        "SharingNoPendingObjection",
        grantId=hx(grant_id),
        fields={"code": 1},
    )
    desk.act(desk.street, StepKind.OBJECT, grant_id, doc("putuo.objection/1", reason="季度统计需要"))
    receipt = desk.act(desk.data_center, StepKind.DISMISS_OBJECTION, grant_id, code=2)
    assert only(desk, receipt, "SharingStep").args["code"] == 2
    grant = desk.record("grant", grant_id)
    assert (grant.status, grant.objectionPending, grant.objected) == (GrantStatus.SUSPENDED, False, True)
    grants.refused_step(
        desk.street,
        StepKind.OBJECT,
        grant_id,
        "SharingObjectionClosed",
        grantId=hx(grant_id),
        objectionDueAt=objection_due,
    )
    grants.refused_step(
        desk.data_center,
        StepKind.DISMISS_OBJECTION,
        grant_id,
        "SharingNoPendingObjection",
        grantId=hx(grant_id),
        fields={"code": 1},
    )

    desk.travel_to(objection_due)
    refused(
        desk,
        desk.sharing.functions.finaliseLapse(grant_id),
        "SharingNotLapsed",
        grantId=hx(grant_id),
        objectionDueAt=objection_due,
    )
    desk.send_at(objection_due + 1, desk.sharing.functions.finaliseLapse(grant_id))
    assert desk.record("grant", grant_id).status == GrantStatus.TERMINATED


@pytest.mark.parametrize(
    ("notice", "thirtieth", "due"),
    [
        ("2026-09-01 00:00", "2026-10-01", "2026-10-08 23:59:59"),  # National Day: 1-7 October are days off
        ("2026-08-21 09:00", "2026-09-20", "2026-09-20 23:59:59"),  # a Sunday worked in exchange (调休): no move
        ("2026-12-15 10:00", "2027-01-14", "2027-01-14 23:59:59"),  # 2027 is not on the chain's calendar yet
    ],
)
def test_art26_an_objection_window_ending_on_a_day_off_runs_to_the_next_working_day(
    desk, grants, notice, thirtieth, due
):
    """Art. 26 with Civil Code Art. 203: the 30 days after the notice end with the 30th calendar day,
    or, when it is a weekend or holiday on the published calendar, with the next working day; a
    make-up working weekend is a working day. Where the calendar does not hold the year, the 30th
    day itself. At that last second an objection is in time and the lapse is refused; one second
    later the lapse is taken, and an objection or a reinstatement is closed."""
    notice_at, due_at = ts(notice), ts(due)
    assert local(notice_at).date() + dt.timedelta(days=30) == dt.date.fromisoformat(thirtieth)
    assert objection_reference(notice_at) == due_at
    kept, lapsing, late = grants.issue(), grants.issue(at=None), grants.issue(at=None)
    for i, grant_id in enumerate((kept, lapsing, late)):
        receipt = grants.suspend_idle_at(grant_id, notice_at + i)  # all three notices on the same day
        assert only(desk, receipt, "GrantStatusChanged").args["objectionDueAt"] == due_at
        assert desk.record("grant", grant_id).objectionDueAt == due_at

    desk.send_action_at(due_at, grants.step(desk.street, StepKind.OBJECT, kept))  # the last second
    assert desk.record("grant", kept).objectionPending
    refused(
        desk,
        desk.sharing.functions.finaliseLapse(lapsing),
        "SharingNotLapsed",
        grantId=hx(lapsing),
        objectionDueAt=due_at,
    )
    desk.send_at(due_at + 1, desk.sharing.functions.finaliseLapse(lapsing))
    assert desk.record("grant", lapsing).status == GrantStatus.TERMINATED
    closed = {"grantId": hx(late), "objectionDueAt": due_at}
    grants.refused_step(desk.street, StepKind.OBJECT, late, "SharingObjectionClosed", **closed)
    grants.refused_step(desk.data_center, StepKind.REINSTATE, late, "SharingObjectionClosed", **closed)
    refused(desk, desk.sharing.functions.finaliseLapse(kept), "SharingObjectionPending", grantId=hx(kept))


def test_art26_idle_boundary_after_a_use_on_the_last_day_of_march(desk, grants):
    """Art. 26 at a month end: a last use on 2026-03-31 (evening) makes the grant idle from
    2026-07-01 00:00 Asia/Shanghai: 31 March + 3 calendar months is clamped to 30 June (there is no
    31 June), and that whole day still counts as within the 3 months. Not a second earlier."""
    grant_id = grants.issue()
    used = ts("2026-03-31 21:30")
    desk.travel_to(ts("2026-03-31 23:00"))
    desk.act(desk.data_center, StepKind.RECORD_USE, grant_id, at=used)
    assert desk.record("grant", grant_id).lastUsedAt == used
    idle = desk.idle_from(grant_id)
    assert idle == idle_reference(used) == ts("2026-07-01 00:00")
    desk.travel_to(idle - 1)
    refused(desk, desk.sharing.functions.suspendIdle(grant_id), "SharingNotIdle", grantId=hx(grant_id), idleFrom=idle)
    grants.suspend_idle_at(grant_id, idle)
    assert desk.record("grant", grant_id).status == GrantStatus.SUSPENDED


@pytest.mark.parametrize(
    ("used", "idle"),
    [
        ("2026-03-30 09:00", "2026-07-01 00:00"),  # 30 June exists: no clamping, same idle day as 31 March
        ("2026-05-31 23:59:59", "2026-09-01 00:00"),  # 31 August exists
        ("2026-08-31 00:00", "2026-12-01 00:00"),  # 30 November: clamped
        ("2026-11-30 12:00", "2027-03-01 00:00"),  # 28 February 2027: clamped across the year end
        ("2027-11-30 00:00", "2028-03-01 00:00"),  # 29 February 2028, a leap day: clamped
        ("2027-12-31 23:59:59", "2028-04-01 00:00"),  # 31 March 2028
    ],
)
def test_art26_idle_from_is_three_calendar_months_after_the_last_use_day(desk, grants, used, idle):
    """Art. 26: ShanghaiDate.addMonths against dateutil's calendar months, at month ends, a year end
    and a leap February; the use's local (Asia/Shanghai) day is what counts."""
    grant_id = grants.issue()
    desk.travel_to(ts(used))
    desk.act(desk.data_center, StepKind.RECORD_USE, grant_id, at=ts(used))
    assert desk.idle_from(grant_id) == idle_reference(ts(used)) == ts(idle)


@pytest.mark.parametrize(
    ("frequency", "reason", "idle"),
    [
        (Frequency.CONTINUOUS, False, "2026-06-03 00:00"),
        (Frequency.QUARTERLY, False, "2026-06-03 00:00"),
        (Frequency.SEMI_ANNUAL, True, "2026-09-03 00:00"),
        (Frequency.ANNUAL, True, "2027-03-03 00:00"),
    ],
)
def test_art17_art26_a_justified_lower_frequency_extends_the_idle_limit(desk, grants, frequency, reason, idle):
    """Art. 17 and 26: a frequency below quarterly, justified in the application, is a reason on
    file: the grant is idle after 6 months (semi-annual) or 12 (annual) instead of 3."""
    grant_id = grants.issue(frequency=frequency, frequency_reason=reason)
    grant = desk.record("grant", grant_id)
    assert (grant.frequency, grant.frequencyReason) == (frequency, reason)
    assert desk.idle_from(grant_id) == ts(idle)
    if reason:
        desk.travel_to(ts("2026-06-03 00:00"))  # three months are not enough
        refused(
            desk,
            desk.sharing.functions.suspendIdle(grant_id),
            "SharingNotIdle",
            grantId=hx(grant_id),
            idleFrom=ts(idle),
        )


# ---------------------------------------------------------------- use and reasons (Art. 26, 30)


def test_art30_recorded_use_moves_the_idle_clock_forward_only(desk, grants):
    """Art. 30 (every use logged) and 26: the Data Center records uses; a use logged late (older
    than the last) is recorded but does not move the clock back; a use before issuance or in the
    future is out of range."""
    grant_id = grants.issue()
    desk.travel_to(ts("2026-04-20 12:00"))
    receipt = desk.act(desk.data_center, StepKind.RECORD_USE, grant_id, at=ts("2026-04-20 11:00"))
    step = only(desk, receipt, "SharingStep").args
    assert (step["kind"], step["at"], step["unitId"]) == (
        StepKind.RECORD_USE,
        ts("2026-04-20 11:00"),
        desk.data_center.unit_id,
    )
    assert desk.record("grant", grant_id).lastUsedAt == ts("2026-04-20 11:00")
    assert desk.idle_from(grant_id) == ts("2026-07-21 00:00")

    desk.act(desk.data_center, StepKind.RECORD_USE, grant_id, at=ts("2026-04-02 08:00"))  # logged late
    assert desk.record("grant", grant_id).lastUsedAt == ts("2026-04-20 11:00")
    desk.act(desk.data_center, StepKind.RECORD_USE, grant_id, at=ISSUED)  # issuance itself is in range
    now = desk.now()
    for at in (now + 1, now + 86400, ISSUED - 1):
        grants.refused_use(grant_id, at)
    assert desk.record("grant", grant_id).lastUsedAt == ts("2026-04-20 11:00")


def test_art26_art30_a_late_use_counts_only_while_the_grant_was_active(desk, grants):
    """Art. 30 (every use logged) and 26: uses reach the ledger late, in batches. A use counts if the
    grant was active when it happened: for a grant suspended and then ended (lapsed, or ended by
    the Data Center), up to the suspension notice, not up to the end; an older use is recorded
    without moving the clock back."""
    lapsed, ended = grants.issue(), grants.issue(at=None)
    idle = desk.idle_from(lapsed)
    grants.suspend_idle_at(lapsed, idle)
    security = idle + 60
    desk.send_action_at(security, grants.step(desk.data_center, StepKind.SECURITY_SUSPEND, ended))
    desk.send_at(objection_reference(idle) + 1, desk.sharing.functions.finaliseLapse(lapsed))
    desk.act(desk.data_center, StepKind.TERMINATE, ended, code=TERMINATE_SECURITY)
    for grant_id, suspended in ((lapsed, idle), (ended, security)):
        grant = desk.record("grant", grant_id)
        assert (grant.status, grant.suspendedAt) == (GrantStatus.TERMINATED, suspended)
        assert grant.terminatedAt > suspended
        for at in (suspended + 1, grant.terminatedAt):
            grants.refused_use(grant_id, at, "SharingUseWhileSuspended", suspendedAt=suspended)
        at = grant.issuedAt - 1
        grants.refused_use(grant_id, at)
        desk.act(desk.data_center, StepKind.RECORD_USE, grant_id, at=suspended)  # the notice's second still counts
        desk.act(desk.data_center, StepKind.RECORD_USE, grant_id, at=suspended - 86400)  # older: recorded only
        grant = desk.record("grant", grant_id)
        assert (grant.status, grant.lastUsedAt) == (GrantStatus.TERMINATED, suspended)


def test_art22_art26_serving_a_fusion_grant_restarts_the_idle_clock(desk, grants):
    """Art. 22 and 26: a fusion grant is issued once its items are approved, but its data is there
    only when fused and served (RecordServed): idleness counts from the serving, so the grant is not
    idle 3 months after its issue. A use logged late, from before the serving, changes nothing."""
    desk.next_block_at(ISSUED)
    grant_id, _ = desk.apply(
        desk.street, [desk.resource(desk.civil, grants.entry)], application_no="CF-2026-FUSION", fusion=True
    )
    desk.act(desk.data_center, StepKind.REVIEW_PLAN, grant_id)
    receipt = desk.decide(desk.civil, grant_id, 0)
    issued = desk.block_time(receipt)
    assert only(desk, receipt, "GrantIssued").args["serveDueAt"] > 0
    assert desk.record("grant", grant_id).lastUsedAt == issued
    assert desk.idle_from(grant_id) == idle_reference(issued) == ts("2026-06-03 00:00")

    served = ts("2026-03-13 16:00")
    desk.send_action_at(served, grants.step(desk.data_center, StepKind.RECORD_SERVED, grant_id))
    grant = desk.record("grant", grant_id)
    assert (grant.servedAt, grant.lastUsedAt) == (served, served)
    idle = desk.idle_from(grant_id)
    assert idle == idle_reference(served) == ts("2026-06-14 00:00")
    desk.act(desk.data_center, StepKind.RECORD_USE, grant_id, at=issued + 60)  # logged late
    assert desk.record("grant", grant_id).lastUsedAt == served

    desk.travel_to(idle_reference(issued))  # 3 months after the issue: not idle
    refused(desk, desk.sharing.functions.suspendIdle(grant_id), "SharingNotIdle", grantId=hx(grant_id), idleFrom=idle)
    desk.travel_to(idle - 1)
    refused(desk, desk.sharing.functions.suspendIdle(grant_id), "SharingNotIdle", grantId=hx(grant_id), idleFrom=idle)
    grants.suspend_idle_at(grant_id, idle)
    assert desk.record("grant", grant_id).suspension == Suspension.IDLE


def test_art26_a_reason_is_the_data_centers_to_accept_for_a_bounded_term(desk, grants):
    """Art. 26 (未提供依据和理由的): the demand unit files why the grant may stay unused until `at`;
    the Data Center accepts or refuses it (the holder cannot excuse itself), its review due in 5
    working days, and meanwhile no idle suspension. Accepted, the grant is idle from the second
    after `at` (or after the 3 months, whichever is later); a term is at most a year ahead."""
    grant_id = grants.issue()
    first = ts("2026-04-15 00:00")  # inside the 3 months
    receipt = desk.act(desk.street, StepKind.FILE_IDLE_REASON, grant_id, at=first)
    filed = only(desk, receipt, "IdleReasonFiled").args
    assert (filed["until"], filed["reviewDueAt"]) == (first, desk.due(desk.block_time(receipt), 5))
    g = desk.record("grant", grant_id)
    assert (g.reasonPending, g.reasonUntil, g.excusedUntil, desk.idle_from(grant_id)) == (True, first, 0, 0)
    grants.refused_step(
        desk.street,
        StepKind.FILE_IDLE_REASON,
        grant_id,
        "SharingIdleReasonPending",
        grantId=hx(grant_id),
        fields={"at": first},
    )
    grants.refused_step(
        desk.street,
        StepKind.REVIEW_IDLE_REASON,
        grant_id,
        "SharingWrongUnitKind",
        signer=desk.street.address,
        expected=2,
        actual=3,
    )
    receipt = desk.act(desk.data_center, StepKind.REVIEW_IDLE_REASON, grant_id, code=1)  # refused
    assert only(desk, receipt, "IdleReasonReviewed").args == {"grantId": grant_id, "accepted": False, "excusedUntil": 0}
    assert desk.idle_from(grant_id) == ts("2026-06-03 00:00")
    grants.refused_step(
        desk.data_center, StepKind.REVIEW_IDLE_REASON, grant_id, "SharingNoIdleReasonPending", grantId=hx(grant_id)
    )

    until = ts("2026-08-15 12:00")
    receipt = desk.act(
        desk.street, StepKind.FILE_IDLE_REASON, grant_id, doc("putuo.idle-reason/1", reason="汛期专用"), at=until
    )
    assert only(desk, receipt, "SharingStep").args["at"] == until
    desk.act(desk.data_center, StepKind.REVIEW_IDLE_REASON, grant_id)  # accepted
    g = desk.record("grant", grant_id)
    assert (g.reasonPending, g.reasonUntil, g.reasonDueAt, g.excusedUntil) == (False, 0, 0, until)
    assert desk.idle_from(grant_id) == until + 1

    grants.refused_step(
        desk.civil,
        StepKind.FILE_IDLE_REASON,
        grant_id,
        "SharingNotGrantHolder",
        grantId=hx(grant_id),
        holder=hx(desk.street.unit_id),
        signerUnit=hx(desk.civil.unit_id),
        fields={"at": until},
    )
    now = desk.now()
    for at in (now, now - 1, now + 366 * 86400 + 1):
        grants.refused_step(
            desk.street,
            StepKind.FILE_IDLE_REASON,
            grant_id,
            "SharingExcuseOutOfRange",
            grantId=hx(grant_id),
            until=at,
            fields={"at": at},
        )

    desk.travel_to(until)
    refused(
        desk, desk.sharing.functions.suspendIdle(grant_id), "SharingNotIdle", grantId=hx(grant_id), idleFrom=until + 1
    )
    grants.suspend_idle_at(grant_id, until + 1)
    assert desk.record("grant", grant_id).suspension == Suspension.IDLE


def test_art26_no_idle_suspension_while_a_reason_awaits_review(desk, grants):
    """Art. 26: a reason filed is a reason provided: past the 3 months the grant is not suspended
    while the Data Center has not reviewed it (its overdue duty, not the holder's loss); once it
    refuses, anyone may suspend at once."""
    grant_id = grants.issue()
    idle = desk.idle_from(grant_id)
    desk.travel_to(idle - 3600)
    desk.act(desk.street, StepKind.FILE_IDLE_REASON, grant_id, at=idle + 30 * 86400)
    desk.travel_to(idle + 86400)
    refused(desk, desk.sharing.functions.suspendIdle(grant_id), "SharingIdleReasonPending", grantId=hx(grant_id))
    desk.act(desk.data_center, StepKind.REVIEW_IDLE_REASON, grant_id, code=1)
    desk.system.relayer.send(desk.sharing.functions.suspendIdle(grant_id))
    assert desk.record("grant", grant_id).suspension == Suspension.IDLE


# ---------------------------------------------------------------- security (Art. 31)


def test_art31_security_suspension_is_immediate_and_never_lapses(desk, grants):
    """Art. 31: on a security risk the Data Center suspends at once (no idle condition). The demand
    unit may object; the suspension never lapses by time (finaliseLapse is only for idleness); the
    Data Center reinstates it when the risk is resolved."""
    grant_id = grants.issue()
    suspended = ts("2026-03-03 14:00")
    receipt = desk.send_action_at(suspended, grants.step(desk.data_center, StepKind.SECURITY_SUSPEND, grant_id))
    objection_due = objection_reference(suspended)
    assert only(desk, receipt, "GrantStatusChanged").args == {
        "grantId": grant_id,
        "status": GrantStatus.SUSPENDED,
        "suspension": Suspension.SECURITY,
        "objectionDueAt": objection_due,
    }
    grant = desk.record("grant", grant_id)
    assert (grant.status, grant.suspension, grant.suspendedAt) == (
        GrantStatus.SUSPENDED,
        Suspension.SECURITY,
        suspended,
    )
    suspended_args = {"grantId": hx(grant_id), "status": GrantStatus.SUSPENDED}
    grants.refused_use(grant_id, suspended + 1)
    desk.act(desk.data_center, StepKind.RECORD_USE, grant_id, at=suspended)  # used up to the suspension itself
    assert desk.record("grant", grant_id).lastUsedAt == suspended
    grants.refused_step(
        desk.data_center, StepKind.SECURITY_SUSPEND, grant_id, "SharingGrantNotActive", **suspended_args
    )
    refused(desk, desk.sharing.functions.suspendIdle(grant_id), "SharingGrantNotActive", **suspended_args)

    desk.act(desk.street, StepKind.OBJECT, grant_id, doc("putuo.objection/1", reason="已完成整改"))
    desk.travel_to(objection_due + 40 * 86400)
    refused(desk, desk.sharing.functions.finaliseLapse(grant_id), "SharingGrantNotSuspended", **suspended_args)
    receipt = desk.act(desk.data_center, StepKind.REINSTATE, grant_id)
    assert only(desk, receipt, "GrantStatusChanged").args["status"] == GrantStatus.ACTIVE
    grant = desk.record("grant", grant_id)
    assert (grant.status, grant.suspension, grant.lastUsedAt) == (
        GrantStatus.ACTIVE,
        Suspension.NONE,
        desk.block_time(receipt),
    )

    # Without any objection it does not lapse either.
    other = grants.issue(at=None)
    desk.act(desk.data_center, StepKind.SECURITY_SUSPEND, other)
    desk.travel_to(desk.now() + 60 * 86400)
    refused(
        desk,
        desk.sharing.functions.finaliseLapse(other),
        "SharingGrantNotSuspended",
        grantId=hx(other),
        status=GrantStatus.SUSPENDED,
    )


# ---------------------------------------------------------------- termination (Art. 26, 31)


def test_art26_the_demand_unit_ends_a_grant_it_no_longer_needs(desk, grants):
    """Art. 26 (不再使用 ... 应当及时终止): the demand unit terminates; the grant no longer counts as
    live for its entries, and every later step on it is refused."""
    grant_id = grants.issue()
    assert desk.live_grants(grants.entry[0]) == 1
    receipt = desk.act(desk.street, StepKind.TERMINATE, grant_id, doc("putuo.termination/1", reason="业务调整"))
    assert only(desk, receipt, "GrantStatusChanged").args == {
        "grantId": grant_id,
        "status": GrantStatus.TERMINATED,
        "suspension": Suspension.NONE,
        "objectionDueAt": 0,
    }
    grant = desk.record("grant", grant_id)
    assert (grant.status, grant.terminatedAt) == (GrantStatus.TERMINATED, desk.block_time(receipt))
    assert desk.live_grants(grants.entry[0]) == 0 and desk.idle_from(grant_id) == 0

    now = desk.now()
    for officer, kind, fields in (
        (desk.street, StepKind.FILE_IDLE_REASON, {"at": now + 86400}),
        (desk.data_center, StepKind.RECORD_SERVED, {}),
        (desk.data_center, StepKind.SECURITY_SUSPEND, {}),
        (desk.street, StepKind.OBJECT, {}),
        (desk.data_center, StepKind.REINSTATE, {}),
        (desk.data_center, StepKind.DISMISS_OBJECTION, {"code": 1}),
        (desk.street, StepKind.TERMINATE, {}),
        (desk.data_center, StepKind.TERMINATE, {"code": TERMINATE_SECURITY}),
    ):
        grants.refused_step(officer, kind, grant_id, "SharingGrantTerminated", grantId=hx(grant_id), fields=fields)
    terminated = {"grantId": hx(grant_id), "status": GrantStatus.TERMINATED}
    refused(desk, desk.sharing.functions.suspendIdle(grant_id), "SharingGrantNotActive", **terminated)
    refused(desk, desk.sharing.functions.finaliseLapse(grant_id), "SharingGrantNotSuspended", **terminated)
    # A use logged late still counts if it happened before the end (Art. 30); none after it.
    ended = grant.terminatedAt
    desk.travel_to(ended + 86400)
    for at in (ended + 1, ended + 86400, ISSUED - 1):
        grants.refused_use(grant_id, at)
    desk.act(desk.data_center, StepKind.RECORD_USE, grant_id, at=ended)
    grant = desk.record("grant", grant_id)
    assert (grant.status, grant.lastUsedAt) == (GrantStatus.TERMINATED, ended) and desk.idle_from(grant_id) == 0


def test_art31_the_data_center_terminates_a_grant_others_cannot(desk, grants):
    """Art. 31: the Data Center may end a share service at once, active or suspended; another
    ordinary unit is not the holder, and the Office takes no grant steps."""
    active, suspended = grants.issue(), grants.issue(at=None)
    desk.act(desk.data_center, StepKind.SECURITY_SUSPEND, suspended)
    grants.refused_step(
        desk.civil,
        StepKind.TERMINATE,
        active,
        "SharingNotGrantHolder",
        grantId=hx(active),
        holder=hx(desk.street.unit_id),
        signerUnit=hx(desk.civil.unit_id),
    )
    grants.refused_step(
        desk.office,
        StepKind.TERMINATE,
        active,
        "SharingWrongUnitKind",
        signer=desk.office.address,
        expected=3,
        actual=1,
    )
    assert desk.live_grants(grants.entry[0]) == 2
    for grant_id in (active, suspended):
        receipt = desk.act(
            desk.data_center,
            StepKind.TERMINATE,
            grant_id,
            doc("putuo.termination/1", reason="安全风险"),
            code=TERMINATE_SECURITY,
        )
        assert only(desk, receipt, "SharingStep").args["unitId"] == desk.data_center.unit_id
        assert desk.record("grant", grant_id).status == GrantStatus.TERMINATED
    assert desk.live_grants(grants.entry[0]) == 0


def test_art26_using_the_data_again_needs_a_new_application(desk, grants):
    """Art. 26 (需要再次使用 ... 应当重新提出共享需求申请): after a lapse, a new application makes a new
    demand and a new grant; the old one stays terminated."""
    old = grants.issue()
    idle = desk.idle_from(old)
    grants.suspend_idle_at(old, idle)
    desk.travel_to(objection_reference(idle) + 1)
    desk.system.relayer.send(desk.sharing.functions.finaliseLapse(old))
    assert desk.live_grants(grants.entry[0]) == 0

    new, _ = desk.apply(desk.street, [desk.resource(desk.civil, grants.entry)], application_no="CF-2026-REAPPLY")
    assert new != old
    desk.decide(desk.civil, new, 0)
    assert desk.record("grant", new).status == GrantStatus.ACTIVE
    assert desk.record("grant", old).status == GrantStatus.TERMINATED
    assert desk.live_grants(grants.entry[0]) == 1
    grants.refused_step(desk.data_center, StepKind.REINSTATE, old, "SharingGrantTerminated", grantId=hx(old))
