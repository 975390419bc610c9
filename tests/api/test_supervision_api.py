"""The Supervision routes (Art. 29, 31): an incident reported, in the overseers' inbox until each
acknowledges it, handled and closed; the Data Center's evaluation of a grant; its report of a
security suspension acknowledged by a regulator. Refusals change nothing; reads are by token."""

from __future__ import annotations

from chain import supervision as sv
from chain.actions import fresh_nonce
from chain.sharing import StepKind
from signer.canonical import canonical_bytes
from tests.api import test_auth_reads
from tests.api.helpers import confirmed, error_of, hex0x, outbox_count

api = test_auth_reads.api
district = test_auth_reads.district


def _post(api, officer, kind: sv.ActionKind, document: dict):
    from sharing.supervision_documents import SCHEMA_BY_KIND, fields

    raw = canonical_bytes(document)
    subject, target, code, value = fields(kind, SCHEMA_BY_KIND[kind].model_validate(document), document=raw)
    signed = sv.sign(
        sv.SupervisionAction(kind, subject, raw, fresh_nonce(), target, code, value),
        officer.action_key,
        chain_id=api.desk.chain_id,
        address=api.desk.system.deployment.supervision,
    )
    body = {
        "kind": kind.name.lower(),
        "document": document,
        "nonce": str(signed.nonce),
        "signature": hex0x(signed.signature),
    }
    return api.client.post("/v1/supervision/actions", json=body)


def _act(api, officer, kind, document) -> dict:
    response = _post(api, officer, kind, document)
    assert response.status_code == 202, response.json()
    assert response.json()["subject_type"] == sv.SUPERVISION_SUBJECTS[kind]
    confirmed(api.client, response.json()["action_id"])
    return response.json()


def test_art29_an_incident_reaches_the_overseers_and_is_handled_and_closed(api, district):
    client, who, demand_id = district
    desk, K = api.desk, sv.ActionKind
    report = {
        "schema": "putuo.incident/1",
        "occurred_at": desk.now() - 3600,
        "severity": "larger",
        "summary": "街道共享接口账号口令泄露，发现异常批量调用",
        "grants": [demand_id],
        "measures": "已停用该账号并更换口令",
        "reported_to": ["district_office", "cyberspace"],
    }
    # It must be reported to the regulators and the Office: one recipient is a 422 naming the field.
    before = outbox_count(api.runtime)
    bad = {
        "kind": "report_incident",
        "document": {**report, "reported_to": ["district_office"]},
        "nonce": "1",
        "signature": "0x" + "11" * 65,
    }
    short = api.client.post("/v1/supervision/actions", json=bad)
    assert (short.status_code, error_of(short)["field"]) == (422, "document.reported_to")
    # The Office does not report incidents: the contract's refusal, nothing stored.
    by_office = _post(api, desk.office, K.REPORT_INCIDENT, report)
    assert (by_office.status_code, error_of(by_office)["code"]) == (403, "wrong_unit_kind")
    assert outbox_count(api.runtime) == before
    incident_id = _act(api, desk.street, K.REPORT_INCIDENT, report)["subject_id"]
    # At once in the Office's and the regulators' inboxes, not in another unit's view.
    inbox = client.get("/v1/supervision/incidents", params={"unacknowledged": "true"}, headers=who["office"]).json()
    assert [i["incident_id"] for i in inbox] == [incident_id]
    assert client.get("/v1/supervision/incidents", headers=who["market"]).json() == []
    assert client.get("/v1/supervision/incidents").status_code == 401
    for overseer in (desk.office, desk.auditor):
        _act(api, overseer, K.ACKNOWLEDGE, {"schema": "putuo.acknowledgement/1", "subject_id": incident_id})
    assert (
        client.get("/v1/supervision/incidents", params={"unacknowledged": "true"}, headers=who["auditor"]).json() == []
    )
    handling = {"schema": "putuo.incident-handling/1", "incident_id": incident_id, "progress": "已排查 3 台终端"}
    not_theirs = _post(api, desk.civil, K.RECORD_HANDLING, handling)
    assert (not_theirs.status_code, error_of(not_theirs)["code"]) == (403, "not_reporter")
    _act(api, desk.street, K.RECORD_HANDLING, handling)
    closure = {
        "schema": "putuo.incident-closure/1",
        "incident_id": incident_id,
        "cause": "弱口令",
        "outcome": "未造成数据泄露",
    }
    _act(api, desk.street, K.CLOSE_INCIDENT, closure)
    [mine] = client.get("/v1/supervision/incidents", headers=who["street"]).json()
    assert (mine["state"], mine["severity"], len(mine["acknowledgements"]), len(mine["handling"])) == (
        "closed",
        "larger",
        2,
        1,
    )
    assert mine["closure"]["proof"]["signer"] == desk.street.address
    assert mine["grants"] == [{"grant_id": demand_id, "status": "active", "suspension": "none", "measure_reports": []}]
    # Art. 32: security in the street's evaluation — one incident, acknowledged by the Office and a regulator.
    units = client.get("/v1/evaluation", params={"from": "2000-01-01"}).json()["units"]
    [street] = [u for u in units if u["unit_id"] == desk.street.unit_hex]
    assert street["security"] == {"incidents": 1, "most_severe": "larger", "unacknowledged": 0, "evaluation": None}


def test_art31_an_evaluation_and_a_suspensions_report(api, district):
    client, who, grant_id = district
    desk, K = api.desk, sv.ActionKind
    evaluation = {
        "schema": "putuo.supervision-evaluation/1",
        "evaluation": "security",
        "target_id": grant_id,
        "period": "2026 年第一季度",
        "score": 62,
        "findings": "调用方未落实账号最小授权",
    }
    _act(api, desk.data_center, K.RECORD_EVALUATION, evaluation)
    [seen] = client.get("/v1/supervision/evaluations", headers=who["street"]).json()  # the grant's holder
    units = client.get("/v1/evaluation", params={"from": "2000-01-01"}).json()["units"]
    scores = {u["unit_id"]: u["security"]["evaluation"] for u in units}
    assert scores[desk.street.unit_hex] == scores[desk.civil.unit_hex] == 62  # the grant's parties
    assert scores[desk.market.unit_hex] is None
    assert (seen["scope"], seen["score"], seen["evaluation"]) == ("grant", 62, "security")
    assert client.get("/v1/supervision/evaluations", headers=who["market"]).json() == []
    report = {
        "schema": "putuo.measure-report/1",
        "grant_id": grant_id,
        "measure": "suspension",
        "reported_to": ["district_office", "cyberspace"],
        "summary": "发现安全风险，已暂停该共享服务",
    }
    before = outbox_count(api.runtime)
    early = _post(api, desk.data_center, K.REPORT_MEASURE, report)
    assert (early.status_code, error_of(early)["code"], error_of(early)["field"]) == (
        409,
        "no_measure",
        "document.grant_id",
    )
    assert outbox_count(api.runtime) == before
    suspension = {
        "schema": "putuo.grant-suspension/1",
        "grant_id": grant_id,
        "risk": "账号泄露",
        "reported_to": ["district_office", "cyberspace"],
    }
    batch = {"actions": [api.signed(desk.data_center, StepKind.SECURITY_SUSPEND, suspension)]}
    suspended = api.client.post("/v1/sharing/actions", json=batch)
    assert suspended.status_code == 202, suspended.json()
    confirmed(api.client, suspended.json()["accepted"][0]["action_id"])
    reported = _act(api, desk.data_center, K.REPORT_MEASURE, report)
    assert reported["subject_id"] == grant_id
    [row] = client.get("/v1/supervision/measure-reports", headers=who["street"]).json()
    _act(api, desk.auditor, K.ACKNOWLEDGE, {"schema": "putuo.acknowledgement/1", "subject_id": row["report_id"]})
    [row] = client.get("/v1/supervision/measure-reports", headers=who["office"]).json()
    assert (row["measure"], [a["unit_id"] for a in row["acknowledgements"]]) == ("suspension", [desk.auditor.unit_hex])
