"""The Office's calendar duty through the API: `/healthz`, the duties, and a step refused for a
year that is not published (the test chain publishes 2024–2026 only)."""

from __future__ import annotations

from contextlib import contextmanager

from fastapi.testclient import TestClient

from api.app import create_app
from chain.actions import ActionKind
from tests.api.auth_helpers import PLATFORM
from tests.api.conftest import make_runtime
from tests.api.helpers import document, entry_id, error_of, hex0x, post, sign
from tests.api.test_duties import mine_at
from tests.workdays.helpers import end_of, ts
from workdays.provisional import provisional_year
from workdays.publish import calendar_at, publish_bitmap

COMMAND = "ledger calendar publish 2027 --notice FILE"


@contextmanager
def client_at(system, tmp_path, when: str):
    """An API whose runtime starts after the chain's clock was moved to `when` (Asia/Shanghai)."""
    mine_at(system, ts(when))
    runtime = make_runtime(system, tmp_path)
    runtime.start()
    try:
        with TestClient(create_app(runtime=runtime), headers=PLATFORM) as client:
            yield client
    finally:
        runtime.stop()


def test_from_1_december_health_and_the_office_duties_say_next_year_is_missing(system, units, tmp_path):
    office = hex0x(units.register("PT-QFB", "office", "普陀区人民政府办公室").unit_id)
    with client_at(system, tmp_path, "2026-12-01 09:00") as client:
        health = client.get("/healthz").json()
        assert health["calendar"] == {
            "chain_date": "2026-12-01",
            "published": [2024, 2025, 2026],
            "provisional": [],
            "warnings": [
                {
                    "year": 2027,
                    "command": COMMAND,
                    "message": "2027 is not published and the year ends in 31 day(s): steps whose deadlines "
                    "reach into 2027 are refused until the Office publishes it from the State "
                    "Council's notice",
                }
            ],
        }
        duty = {
            "year": 2027,
            "owed_by": "office",
            "rule": "calendar_publish",
            "command": COMMAND,
            "message": health["calendar"]["warnings"][0]["message"],
            "due_at": end_of("2026-12-10"),
            "state": "due",
        }
        assert client.get("/v1/duties").json()["calendar"] == [duty]
        assert client.get(f"/v1/units/{office}/duties").json()["calendar"] == [duty]
        # A responsible unit's duties do not carry the Office's.
        assert client.get(f"/v1/units/{hex0x(units.civil.unit_id)}/duties").json()["calendar"] == []


def test_a_provisional_year_is_shown_as_such(system, units, tmp_path):
    publish_bitmap(system.office, calendar_at(system.w3, system.deployment.calendar), provisional_year(2027))
    with client_at(system, tmp_path, "2026-12-20 09:00") as client:
        calendar = client.get("/healthz").json()["calendar"]
        assert calendar["published"] == [2024, 2025, 2026, 2027] and calendar["provisional"] == [2027]
        assert [w["message"].split(":")[0] for w in calendar["warnings"]] == [
            "2027 is only a provisional demo calendar (no 调休)"
        ]


def test_a_step_refused_for_an_unpublished_year_names_it_and_the_command(system, units, tmp_path):
    with client_at(system, tmp_path, "2026-12-31 10:00") as client:  # a review due 1 working day later: 2027
        doc = document("MZJ-2027", "跨年提交的数据资源")
        response = post(client, sign(units.civil, ActionKind.SUBMIT, entry_id(units.civil, doc), doc), doc)
        assert response.status_code == 409
        error = error_of(response)
        assert (error["code"], error["field"], error["contract_args"]) == (
            "calendar_year_not_published",
            "calendar_year",
            {"year": 2027},
        )
        assert error["message"] == (
            "calendar_year: a deadline of this step falls in 2027, whose working-day calendar the Office has not "
            f"published; the Office runs `{COMMAND}` (the State Council's notice), then retry"
        )
        overdue = client.get("/v1/duties").json()["calendar"]
        assert [(d["year"], d["state"]) for d in overdue] == [(2027, "overdue")]
