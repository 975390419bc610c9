"""Catalog deadlines (Art. 11, 13, 14, 15): each step records its due time from the calendar
contract, checked here against an independent reference built on `chinese_calendar`."""

from __future__ import annotations

import pytest

from chain.actions import ActionKind, EntryStatus, entry_id_for
from chain.events import receipt_events
from tests.conftest import DECLARED_AT
from tests.contracts.helpers import assert_reverts
from tests.contracts.test_catalog import CHANGED, DELETE, DOC, Desk
from tests.workdays.helpers import reference_due, ts

COLLECTED = b'{"schema":"putuo.catalog-collection/1"}'


def at(system, local: str) -> int:
    """Make the next block's time an Asia/Shanghai wall-clock time; returns it."""
    timestamp = ts(local)
    answer = system.w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])
    assert "error" not in answer, answer  # the chain's clock only moves forward
    return timestamp


def due(timestamp: int, n: int) -> int:
    ok, due_at, missing = reference_due(timestamp, n)
    assert ok, f"reference has no calendar for {missing}"
    return due_at


def event(receipt, name: str):
    return next(e for e in receipt_events(receipt) if e.name == name)


@pytest.fixture
def desk(system, units) -> Desk:
    return Desk(system, units)


def test_every_catalog_step_records_its_due_time(desk):
    system, civil, dc = desk.system, desk.units.civil, desk.units.data_center
    f = desk.units.catalog.functions

    submitted = at(system, "2026-03-06 22:00")  # a Friday evening: review due end of Monday
    receipt = desk.act(civil, ActionKind.SUBMIT, DOC)
    ev = event(receipt, "CatalogVersionSubmitted")
    assert ev.args["dueAt"] == due(submitted, 1) == ts("2026-03-09 23:59:59")
    assert ev.args["declaredAt"] == DECLARED_AT
    assert ev.args["compileDueAt"] == due(DECLARED_AT, 10)  # Art. 11
    version = f.version(desk.entry_id, 1).call()
    assert (version[3], version[9]) == (due(submitted, 1), due(DECLARED_AT, 10))

    returned = at(system, "2026-03-09 10:00")
    receipt = desk.review(approve=False)
    assert event(receipt, "CatalogVersionReviewed").args["nextDueAt"] == due(returned, 3)  # Art. 13 resubmission
    assert desk.entry()[6] == due(returned, 3)

    resubmitted = at(system, "2026-03-11 16:00")
    receipt = desk.act(civil, ActionKind.RESUBMIT, DOC)
    assert event(receipt, "CatalogVersionSubmitted").args["dueAt"] == due(resubmitted, 1)
    assert event(receipt, "CatalogVersionSubmitted").args["compileDueAt"] == 0  # only the first version
    assert desk.entry()[6] == 0  # the resubmission duty is done

    approved = at(system, "2026-03-12 09:30")
    receipt = desk.review()
    assert event(receipt, "CatalogVersionReviewed").args["nextDueAt"] == due(approved, 10)  # Art. 15 collection
    assert desk.entry()[7] == due(approved, 10)

    changed = at(system, "2026-03-13 18:30")
    receipt = desk.act(civil, ActionKind.REQUEST_CHANGE, CHANGED)
    assert event(receipt, "CatalogVersionSubmitted").args["dueAt"] == due(changed, 1)  # Art. 14 evaluation
    receipt = desk.review()
    assert event(receipt, "CatalogVersionReviewed").args["nextDueAt"] == 0  # a change starts no new duty
    assert desk.entry()[7] == due(approved, 10)  # the collection duty is the first approval's

    collected = at(system, "2026-03-20 11:00")
    receipt = desk.act(dc, ActionKind.RECORD_COLLECTION, COLLECTED)
    ev = event(receipt, "CatalogDataCollected")
    assert (ev.args["recorder"], ev.args["collectionDueAt"]) == (dc.address, due(approved, 10))
    assert desk.entry()[8] == collected

    deleted = at(system, "2026-03-23 08:00")
    receipt = desk.act(civil, ActionKind.REQUEST_DELETE, DELETE)
    assert event(receipt, "CatalogVersionSubmitted").args["dueAt"] == due(deleted, 1)


def test_a_deadline_spanning_national_day(desk):
    """The chain starts after the 2026 Spring Festival (the calendar tests cover it directly)."""
    submitted = at(desk.system, "2026-09-30 15:00")  # the last working day before the holiday
    desk.act(desk.units.civil, ActionKind.SUBMIT, DOC)
    assert desk.units.catalog.functions.version(desk.entry_id, 1).call()[3] == due(submitted, 1)
    assert due(submitted, 1) > ts("2026-10-08 00:00")  # past the National Day week


def test_a_deadline_in_an_unpublished_year_refuses_the_step(desk):
    at(desk.system, "2026-12-31 10:00")  # review due in 2027, which the Office has not published
    desk.system.w3.provider.make_request("evm_mine", [])  # so that the simulation runs at that time too
    action = desk.units.civil.action(ActionKind.SUBMIT, desk.entry_id, DOC)
    assert_reverts(
        desk.system.relayer,
        desk.units.catalog.functions.execute(action.as_tuple()),
        "WorkCalendarYearNotPublished",
        year=2027,
    )
    assert desk.status() == EntryStatus.NONE


def test_an_old_declared_date_outside_the_calendar_records_no_compile_due(desk):
    receipt = desk.act(desk.units.civil, ActionKind.SUBMIT, DOC, declared_at=ts("2015-06-01 00:00"))
    assert event(receipt, "CatalogVersionSubmitted").args["compileDueAt"] == 0  # unknown, not guessed


def test_declared_date_must_be_given_and_past(desk):
    civil, f = desk.units.civil, desk.units.catalog.functions
    now = desk.system.w3.eth.get_block("latest")["timestamp"]
    for declared in (0, now + 86400):
        action = civil.action(ActionKind.SUBMIT, desk.entry_id, DOC, declared_at=declared)
        err = assert_reverts(desk.system.relayer, f.execute(action.as_tuple()), "CatalogInvalidDeclaredAt")
        assert err.error_args["declaredAt"] == declared
    other = civil.action(ActionKind.REQUEST_CHANGE, desk.entry_id, CHANGED, declared_at=DECLARED_AT)
    assert_reverts(
        desk.system.relayer, f.execute(other.as_tuple()), "CatalogUnexpectedField", kind=int(ActionKind.REQUEST_CHANGE)
    )


def test_collection_is_the_data_centers_once_an_entry_is_approved(desk):
    civil, dc, f = desk.units.civil, desk.units.data_center, desk.units.catalog.functions
    eid = "0x" + desk.entry_id.hex()
    desk.to(EntryStatus.UNDER_REVIEW)
    early = dc.action(ActionKind.RECORD_COLLECTION, desk.entry_id, COLLECTED)
    assert_reverts(desk.system.relayer, f.execute(early.as_tuple()), "CatalogNotApproved", entryId=eid)
    desk.review()
    by_owner = civil.action(ActionKind.RECORD_COLLECTION, desk.entry_id, COLLECTED)
    assert_reverts(
        desk.system.relayer,
        f.execute(by_owner.as_tuple()),
        "CatalogWrongUnitKind",
        signer=civil.address,
        expected=2,
        actual=3,
    )
    receipt = desk.act(dc, ActionKind.RECORD_COLLECTION, COLLECTED)
    collected_at = desk.system.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    again = dc.action(ActionKind.RECORD_COLLECTION, desk.entry_id, COLLECTED)
    assert_reverts(
        desk.system.relayer,
        f.execute(again.as_tuple()),
        "CatalogAlreadyCollected",
        entryId=eid,
        collectedAt=collected_at,
    )
    ghost = entry_id_for(civil.unit_id, "NONE")
    unknown = dc.action(ActionKind.RECORD_COLLECTION, ghost, COLLECTED)
    assert_reverts(
        desk.system.relayer, f.execute(unknown.as_tuple()), "CatalogUnknownEntry", entryId="0x" + ghost.hex()
    )
