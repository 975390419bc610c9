"""`ledger calendar publish | status | check`, run in-process against a real node."""

from __future__ import annotations

import dataclasses
import json

import pytest
from typer.testing import CliRunner

from chain.deploy import deployment_path
from chain.devkeys import OFFICE_DEV_KEY, RELAYER_DEV_KEY
from ledger_cli.main import app
from tests.api.test_duties import mine_at
from tests.workdays.helpers import deploy_calendar, seeded, ts
from tests.workdays.test_notice import NOTICE_2027
from workdays.bitmap import to_words
from workdays.notice import read_notice, validate
from workdays.provisional import provisional_year
from workdays.publish import publish_bitmap, read_year


@pytest.fixture
def calendar(system):
    """WorkCalendar with 2024–2026 published."""
    return deploy_calendar(system)


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Invoke `ledger calendar ARGS` with settings pointing at `system` and its calendar `calendar`."""

    def invoke(system, calendar, *args: str, key: str | None = None, input: str | None = None):
        record = dataclasses.replace(system.deployment, calendar=calendar.address)
        record.save(deployment_path(tmp_path, system.w3.eth.chain_id))
        monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("LEDGER_RPC_URL", system.node.url)
        monkeypatch.setenv("LEDGER_OFFICE_KEY", key or OFFICE_DEV_KEY)
        return CliRunner().invoke(app, ["calendar", *args], input=input)

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
        0,
        "2026: revision 1 agrees with chinese-calendar 1.11.0 on every date\n",
    )
    system.office.resync()  # the CLI sent from the same account with its own nonce count


def test_refusals_exit_1_with_the_reason(system, calendar, run):
    result = run(system, calendar, "publish", "2027", "--source", "holidays", key=OFFICE_DEV_KEY)
    assert result.exit_code == 1 and "no 调休 (make-up working day) data for 2027" in result.output
    result = run(system, calendar, "publish", "2027", key=OFFICE_DEV_KEY)
    assert result.exit_code == 1 and result.output.endswith(
        "transcribe the State Council's notice and run `ledger calendar publish 2027 --notice FILE` (docs/WORKDAYS.md)\n"
    )

    result = run(system, calendar, "publish", "2025", key=RELAYER_DEV_KEY)  # already published: nothing to send
    assert result.exit_code == 0 and "already matches" in result.output

    result = run(system, calendar, "check", "2027")
    assert (result.exit_code, result.output) == (
        1,
        "error: the working-day calendar of 2027 is not published on-chain\n",
    )


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


def test_publish_a_year_from_the_state_council_notice(system, calendar, run, tmp_path):
    """The Office publishes 2027 from the notice: validated, shown, confirmed, then on-chain whole."""
    result = run(system, calendar, "publish", "2027", "--notice", str(NOTICE_2027), input="n\n")
    assert result.exit_code == 1 and result.output.endswith(
        "error: 2027: not published (confirm with y, or pass --yes)\n"
    )
    assert "  春节: 2027-02-05 .. 2027-02-11 off (7 days)" in result.output
    assert (
        "  weekends worked (调休上班): 2027-01-31, 2027-02-20, 2027-04-25, 2027-05-08, 2027-09-26, 2027-10-09"
        in result.output
    )
    assert "  no package carries this year yet" in result.output
    assert not calendar.functions.isPublished(2027).call()

    result = run(system, calendar, "publish", "2027", "--notice", str(NOTICE_2027), input="y\n")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("2027: published revision 1 from the notice in 0x")
    assert read_year(calendar, 2027) == validate(read_notice(NOTICE_2027), 2027).bitmap.bits
    assert run(system, calendar, "publish", "2027", "--notice", str(NOTICE_2027), "--yes").output.endswith(
        "2027: revision 1 already matches the notice; nothing sent\n"
    )
    # No package has 2027: the check re-derives the year from the notice the chain records.
    result = run(system, calendar, "check", "2027")
    assert (result.exit_code, result.output) == (
        0,
        "2027: revision 1 agrees with the notice recorded on-chain (测试〔2026〕1号) on every date\n",
    )
    result = run(system, calendar, "check", "2027", "--notice", str(NOTICE_2027))
    assert result.exit_code == 0 and "agrees with" in result.output

    wrong = json.loads(NOTICE_2027.read_text(encoding="utf-8"))
    wrong["holidays"] = wrong["holidays"][1:]
    (tmp_path / "wrong.json").write_text(json.dumps(wrong, ensure_ascii=False), encoding="utf-8")
    result = run(system, calendar, "publish", "2027", "--notice", str(tmp_path / "wrong.json"), "--yes")
    assert (result.exit_code, result.output) == (
        1,
        "error: holidays: the statutory holiday 2027-01-01 (New Year's Day) is not a day off in the file\n",
    )
    system.office.resync()


def test_a_notice_that_contradicts_the_package_is_refused(system, calendar, run, tmp_path):
    notice = json.loads(NOTICE_2027.read_text(encoding="utf-8"))
    notice["year"] = 2026
    notice["holidays"] = [
        {"name": "春节", "from": "2026-02-15", "to": "2026-02-23"},
        {"name": "其他", "from": "2026-01-01", "to": "2026-01-03"},
        {"name": "清明节", "from": "2026-04-04", "to": "2026-04-06"},
        {"name": "劳动节", "from": "2026-05-01", "to": "2026-05-05"},
        {"name": "端午节", "from": "2026-06-19", "to": "2026-06-21"},
        {"name": "中秋国庆", "from": "2026-09-25", "to": "2026-10-07"},
    ]
    notice["working_days"] = ["2026-02-14", "2026-02-28"]
    (tmp_path / "2026.json").write_text(json.dumps(notice, ensure_ascii=False), encoding="utf-8")
    result = run(system, calendar, "publish", "2026", "--notice", str(tmp_path / "2026.json"), "--yes")
    assert result.exit_code == 1
    assert result.output.startswith("error: 2026: the notice file and chinese-calendar 1.11.0 disagree on ")
    assert result.output.endswith("correct the file, or publish from the package (`--source`)\n")


def test_status_marks_a_provisional_year_and_says_what_fixes_it(system, calendar, run):
    publish_bitmap(system.office, calendar, provisional_year(2027))
    mine_at(system, ts("2026-12-20 10:00"))
    result = run(system, calendar, "status")
    assert result.exit_code == 0
    assert "chain date (Asia/Shanghai): 2026-12-20" in result.output
    assert "2027: published, revision 1 (PROVISIONAL demo calendar)" in result.output
    assert (
        "WARNING: 2027 is only a provisional demo calendar (no 调休): publish the State Council's notice; run "
        "`ledger calendar publish 2027 --notice FILE`"
    ) in result.output
    result = run(system, calendar, "check", "2027")
    assert result.exit_code == 1 and "the chain records no notice for it (a provisional demo year?)" in result.output
