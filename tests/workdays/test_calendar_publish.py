"""workdays/publish.py against a real node: publish, check and status as the Office uses them."""

from __future__ import annotations

import datetime as dt

import pytest
from eth_utils import keccak

from chain.errors import ActionRevertedError
from tests.workdays.helpers import deploy_calendar, end_of, seeded, ts
from tests.workdays.test_notice import NOTICE_2027
from workdays import (
    Source,
    YearNotCoveredError,
    YearNotPublishedError,
    calendar_status,
    check_year,
    publish_year,
    read_year,
)
from workdays.bitmap import to_words
from workdays.notice import read_notice, validate
from workdays.provisional import provisional_year
from workdays.publish import publish_bitmap, year_sources


def test_publish_then_publish_again_sends_nothing(system):
    calendar = deploy_calendar(system, years=())
    first = publish_year(system.office, calendar, 2025)
    assert (first.year, first.revision, first.changed) == (2025, 1, True)
    assert first.bitmap_hash == "0x" + seeded(2025).hash.hex()
    assert first.source == seeded(2025).source and first.tx_hash.startswith("0x")
    assert read_year(calendar, 2025) == seeded(2025).bits

    head = system.w3.eth.block_number
    again = publish_year(system.office, calendar, 2025, source=Source.HOLIDAYS)  # same dates, other package
    assert (again.revision, again.changed, again.tx_hash) == (1, False, None)
    assert system.w3.eth.block_number == head


def test_check_finds_a_wrong_date_and_publish_repairs_it(system, calendar):
    assert check_year(calendar, 2026).agrees
    tampered = seeded(2026).bits ^ 1 << 3  # 2026-01-04, the 调休 Sunday, flipped to a day off
    system.office.send(calendar.functions.publishYear(2026, list(to_words(tampered)), "typo"))

    result = check_year(calendar, 2026, source="holidays")
    assert (result.revision, [(d.date, d.on_chain, d.in_package) for d in result.differences]) == (
        2,
        [(dt.date(2026, 1, 4), False, True)],
    )

    repaired = publish_year(system.office, calendar, 2026)
    assert (repaired.revision, repaired.changed) == (3, True)
    assert check_year(calendar, 2026).agrees


def test_reading_or_checking_an_unpublished_year(calendar):
    with pytest.raises(YearNotPublishedError) as info:
        check_year(calendar, 2023)
    assert info.value.year == 2023


def test_a_year_the_package_does_not_know_is_refused_before_sending(system, calendar):
    head = system.w3.eth.block_number
    for source in Source:
        with pytest.raises(YearNotCoveredError):
            publish_year(system.office, calendar, 2027, source=source)
    assert system.w3.eth.block_number == head
    assert calendar.functions.isPublished(2027).call() is False


def test_a_non_office_account_is_refused_by_the_chain(system):
    calendar = deploy_calendar(system, years=())
    with pytest.raises(ActionRevertedError) as info:
        publish_year(system.relayer, calendar, 2025)
    assert (info.value.error, info.value.error_args) == (
        "AccessControlUnauthorizedAccount",
        {"account": system.relayer.account.address, "neededRole": "0x" + keccak(text="OFFICE_ROLE").hex()},
    )


@pytest.mark.parametrize(
    "now, warnings",
    [
        ("2026-06-01 10:00", []),
        ("2026-11-30 23:59:59", []),
        ("2026-12-01 00:00", [(2027, "2027 is not published and the year ends in 31 day(s)")]),  # from 1 December
        ("2026-12-31 12:00", [(2027, "2027 is not published and the year ends in 1 day(s)")]),
        ("2027-01-04 09:00", [(2027, "2027, the current year, is not published")]),
        ("2025-12-31 09:00", []),  # 2026 is published
    ],
)
def test_status_warns_ahead_of_an_unpublished_year(calendar, now, warnings):
    status = calendar_status(calendar, now=ts(now))
    assert status.published == {2024: 1, 2025: 1, 2026: 1} and status.provisional == []
    assert [(w.year, w.message.split(":")[0]) for w in status.warnings] == warnings
    assert all(w.command == f"ledger calendar publish {w.year} --notice FILE" for w in status.warnings)


def test_status_judges_at_the_chain_time_and_says_when_next_year_is_needed(calendar, system):
    status = calendar_status(calendar)  # the test chain's clock: March 2026, whatever the host's date
    assert status.today.isoformat().startswith("2026-03") and status.warnings == []
    # 2026's 15th-last working day is Friday 2026-12-11: a step on the 10th still ends in 2026.
    assert status.next_year_needed_at == end_of("2026-12-10")
    assert calendar_status(calendar, now=ts("2027-01-04 09:00")).next_year_needed_at is None


def test_a_provisional_year_warns_until_the_notice_replaces_it(calendar, system):
    publish_bitmap(system.office, calendar, provisional_year(2027))
    status = calendar_status(calendar, now=ts("2026-12-05 09:00"))
    assert status.published[2027] == 1 and status.provisional == [2027] and not status.next_year_ready
    assert [w.message.split(":")[0] for w in status.warnings] == ["2027 is only a provisional demo calendar (no 调休)"]
    notice = validate(read_notice(NOTICE_2027), 2027)
    result = publish_bitmap(system.office, calendar, notice.bitmap)
    assert (result.revision, result.changed) == (2, True)
    status = calendar_status(calendar, now=ts("2026-12-05 09:00"))
    assert status.provisional == [] and status.warnings == [] and status.next_year_ready
    assert year_sources(calendar)[2027] == notice.bitmap.source
    assert calendar_status(calendar, now=ts("2027-02-01 09:00")).warnings == []
