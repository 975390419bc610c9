"""Owners' queries and the inspection view (#11 part 5, Art. 30), read by each role: a unit sees the
uses it made and the uses of its data, oversight sees all; CSV with a BOM, the chart, anomalies."""

from __future__ import annotations

import csv
import io

import pytest

from chain.sharing import StepKind
from tests.api import test_sharing_api
from tests.api.auth_helpers import anonymous, login
from tests.api.test_sharing_api import Api
from tests.api.test_usage_intake import PLATFORM, logged, record
from tests.sharing import examples

api = test_sharing_api.api  # the fixture


@pytest.fixture
def used(api: Api) -> dict:
    """A grant of the civil affairs bureau's entry to the street office; 11 uses in scope, one for
    another scenario, one by the market bureau under the street's grant."""
    grant_id = api.apply(api.application(scenario_class=1))
    records = [record(api, grant_id, k) for k in range(11)]
    records.append(record(api, grant_id, 11, scenario="PT-SC-OTHER"))
    records.append(record(api, grant_id, 12, unit_id=api.desk.market.unit_hex))
    logged(api, *records)
    other = api.desk.unit("PT-RSJ", "ordinary", "普陀区人社局")
    auditor = api.desk.unit("PT-SJJ", "auditor", "普陀区审计局")
    roles = {
        "street": api.desk.street,
        "civil": api.desk.civil,
        "market": api.desk.market,
        "other": other,
        "office": api.desk.office,
        "data_center": api.desk.data_center,
        "auditor": auditor,
    }
    return {"grant_id": grant_id, "headers": {name: login(api.client, o.action_key) for name, o in roles.items()}}


def get(api: Api, path: str, headers: dict, **params):
    answer = api.client.get(path, params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer


@pytest.mark.parametrize(
    ("role", "seen"),
    [("street", 12), ("civil", 13), ("market", 1), ("other", 0), ("office", 13), ("data_center", 13), ("auditor", 13)],
)
def test_each_unit_reads_its_uses_and_its_datas_uses_oversight_all(api: Api, used: dict, role: str, seen: int):
    page = get(api, "/v1/usage", used["headers"][role], limit=100).json()
    assert page["total"] == seen and len(page["items"]) == seen
    days = get(api, "/v1/usage/daily", used["headers"][role]).json()
    assert sum(d["accepted"] + d["refused"] for d in days) == seen


def test_filters_by_outcome_entry_unit_and_days(api: Api, used: dict):
    civil = used["headers"]["civil"]
    refused = get(api, "/v1/usage", civil, outcome="refused").json()
    assert sorted(r["reason"] for r in refused["items"]) == ["not_grant_holder", "scenario_not_granted"]
    by_market = get(api, "/v1/usage", civil, unit_id=api.desk.market.unit_hex).json()
    assert [r["request_id"] for r in by_market["items"]] == ["req-12"]
    entry = "0x" + api.civil_entry[0].hex()
    assert get(api, "/v1/usage", civil, entry_id=entry).json()["total"] == 13
    assert get(api, "/v1/usage", civil, entry_id="0x" + "00" * 32).json()["total"] == 0
    [today] = get(api, "/v1/usage/daily", civil).json()
    assert (today["accepted"], today["refused"]) == (11, 2)
    assert get(api, "/v1/usage", civil, **{"from": "2026-01-01", "to": "2026-01-31"}).json()["total"] == 0
    assert get(api, "/v1/usage", civil, **{"from": today["date"], "to": today["date"]}).json()["total"] == 13
    bad = api.client.get("/v1/usage", params={"method": "fax"}, headers=civil)
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "method")


def test_csv_has_a_bom_and_the_chart_is_a_png(api: Api, used: dict):
    answer = get(api, "/v1/usage.csv", used["headers"]["street"])
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel on a Chinese Windows reads it as UTF-8
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "used_at", "date", "outcome"] and len(rows) == 13
    assert "长寿路街道-民生服务系统" in rows[1]
    chart = get(api, "/v1/usage/chart.png", used["headers"]["civil"])
    assert chart.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_the_inspection_view_is_for_oversight_and_shows_the_anomalies(api: Api, used: dict):
    for role in ("street", "civil"):
        refused = api.client.get("/v1/usage/inspection", headers=used["headers"][role])
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "role_not_allowed")
    api.step(api.desk.data_center, StepKind.SECURITY_SUSPEND, examples.suspension(grant_id=used["grant_id"]))
    logged(api, record(api, used["grant_id"], 13, used_at=api.desk.now()))
    view = get(api, "/v1/usage/inspection", used["headers"]["auditor"]).json()
    assert view["refused_by_reason"] == {"not_grant_holder": 1, "scenario_not_granted": 1, "suspended": 1}
    assert [r["request_id"] for r in view["latest_refused"]][0] == "req-13"
    assert [(s["grant_id"], s["reason"], s["uses"]) for s in view["on_suspended_or_terminated"]] == [
        (used["grant_id"], "suspended", 1)
    ]
    # A monthly grant used 11 times in 30 days: far above what it declared.
    assert [(a["grant_id"], a["frequency"], a["uses_30_days"]) for a in view["above_frequency"]] == [
        (used["grant_id"], "monthly", 11)
    ]
    assert anonymous(api).get("/v1/usage/inspection").status_code == 401
    assert api.client.get("/v1/usage/inspection", headers=PLATFORM).status_code in (401, 403)


def test_grants_falling_idle_are_in_the_inspection_view(api: Api):
    grant_id = api.apply(api.application(scenario_class=1))
    idle_from = api.get(f"/v1/grants/{grant_id}")["idle_from"]
    api.desk.travel_to(idle_from - 10 * 86400)
    api.synced()
    office = login(api.client, api.desk.office.action_key)
    [soon] = get(api, "/v1/usage/inspection", office).json()["idle_soon"]
    assert (soon["grant_id"], soon["idle_from"], soon["idle"]) == (grant_id, idle_from, False)
