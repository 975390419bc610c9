"""workdays/publish.py against a real node: publish, check and status as the Office uses them."""

from __future__ import annotations

import datetime as dt

import pytest
from eth_utils import keccak

from chain.errors import ActionRevertedError
from tests.workdays.helpers import deploy_calendar, seeded
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
        2, [(dt.date(2026, 1, 4), False, True)],
    )  # fmt: skip

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
    "today, warnings",
    [
        ("2026-06-01", []),
        ("2026-12-01", []),  # 31 days before 1 January
        ("2026-12-02", ["2027 is not published and the year ends in 30 day(s)"]),
        ("2026-12-31", ["2027 is not published and the year ends in 1 day(s)"]),
        ("2027-01-04", ["2027, the current year, is not published"]),
        ("2025-12-31", []),  # 2026 is published
    ],
)
def test_status_warns_ahead_of_an_unpublished_year(calendar, today, warnings):
    status = calendar_status(calendar, today=dt.date.fromisoformat(today))
    assert status.published == {2024: 1, 2025: 1, 2026: 1}
    assert [w.split(":")[0] for w in status.warnings] == warnings
