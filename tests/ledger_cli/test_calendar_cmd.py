"""`ledger calendar publish | status | check`, run in-process against a real node."""

from __future__ import annotations

import dataclasses

import pytest
from typer.testing import CliRunner

from chain.deploy import deployment_path
from chain.devkeys import OFFICE_DEV_KEY, RELAYER_DEV_KEY
from ledger_cli.main import app
from tests.workdays.helpers import deploy_calendar, seeded
from workdays.bitmap import to_words


@pytest.fixture
def calendar(system):
    """WorkCalendar with 2024–2026 published."""
    return deploy_calendar(system)


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Invoke `ledger calendar ARGS` with settings pointing at `system` and its calendar `calendar`."""

    def invoke(system, calendar, *args: str, key: str | None = None):
        record = dataclasses.replace(system.deployment, calendar=calendar.address)
        record.save(deployment_path(tmp_path, system.w3.eth.chain_id))
        monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("LEDGER_RPC_URL", system.node.url)
        monkeypatch.setenv("LEDGER_OFFICE_KEY", key or OFFICE_DEV_KEY)
        return CliRunner().invoke(app, ["calendar", *args])

    return invoke


def test_publish_status_and_check(system, run):
    calendar = deploy_calendar(system, years=())
    result = run(system, calendar, "publish", "2026", key=OFFICE_DEV_KEY)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2026: published revision 1 from chinese-calendar 1.11.0 in 0x")

    result = run(system, calendar, "publish", "2026", "--source", "holidays", key=OFFICE_DEV_KEY)
    assert (result.exit_code, result.output) == (0, "2026: revision 1 already matches holidays 0.109; nothing sent\n")

    result = run(system, calendar, "status")
    assert result.exit_code == 0 and "2026: published, revision 1" in result.output

    result = run(system, calendar, "check", "2026")
    assert (result.exit_code, result.output) == (
        0, "2026: revision 1 agrees with chinese-calendar 1.11.0 on every date\n",
    )  # fmt: skip
    system.office.resync()  # the CLI sent from the same account with its own nonce count


def test_refusals_exit_1_with_the_reason(system, calendar, run):
    result = run(system, calendar, "publish", "2027", "--source", "holidays", key=OFFICE_DEV_KEY)
    assert result.exit_code == 1 and "no 调休 (make-up working day) data for 2027" in result.output

    result = run(system, calendar, "publish", "2025", key=RELAYER_DEV_KEY)  # already published: nothing to send
    assert result.exit_code == 0 and "already matches" in result.output

    result = run(system, calendar, "check", "2027")
    assert (result.exit_code, result.output) == (1, "error: the working-day calendar of 2027 is not published on-chain\n")


def test_publish_without_the_office_role(system, run):
    calendar = deploy_calendar(system, years=())
    result = run(system, calendar, "publish", "2025", key=RELAYER_DEV_KEY)
    assert result.exit_code == 1 and "AccessControlUnauthorizedAccount(account=0x70997970" in result.output


def test_check_lists_each_differing_date(system, calendar, run):
    bits = seeded(2024).bits ^ (1 << 34 | 1 << 40)  # 2024-02-04 (调休 Sunday) and 2024-02-10 (Spring Festival)
    system.office.send(calendar.functions.publishYear(2024, list(to_words(bits)), "two wrong dates"))
    result = run(system, calendar, "check", "2024", "--source", "holidays")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "2024-02-04: chain says off, holidays 0.109 says working",
        "2024-02-10: chain says working, holidays 0.109 says off",
        "error: 2024: 2 date(s) differ from holidays 0.109; republish: `ledger calendar publish 2024`",
    ]
