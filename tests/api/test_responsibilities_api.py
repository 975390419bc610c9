"""The Responsibilities routes (Art. 5, 11): signed actions relayed, refused with the contract's
error and nothing stored, and the mirror's views of what the chain recorded."""

from __future__ import annotations

from chain import responsibilities as resp
from chain.actions import ActionKind, fresh_nonce
from chain.client import contract_at
from signer.canonical import canonical_bytes
from tests.api.conftest import wait_for
from tests.api.helpers import act, confirmed, document, entry_id, error_of, hex0x, outbox_count, sign

DUTY = {
    "schema": "putuo.responsibility/1",
    "code": "MZJ-ZZ-01",
    "name": "最低生活保障审核",
    "basis": "《社会救助暂行办法》",
}
APPROVE = {"schema": "putuo.responsibility-review/1", "decision": "approve"}


def _post(client, officer, kind: resp.ActionKind, subject: bytes, doc: dict):
    parsed = resp_fields(kind, doc, subject)
    action = resp.ResponsibilityAction(kind, parsed[0], canonical_bytes(doc), fresh_nonce(), *parsed[1:])
    signed = resp.sign(
        action,
        officer.account.key,
        chain_id=officer.system.w3.eth.chain_id,
        address=officer.system.deployment.responsibilities,
    )
    return client.post(
        "/v1/responsibilities/actions",
        json={
            "kind": kind.name.lower(),
            "subject": hex0x(subject),
            "document": doc,
            "nonce": str(signed.nonce),
            "signature": hex0x(signed.signature),
        },
    )


def resp_fields(kind, doc, subject):
    from catalog.responsibility_documents import SCHEMA_BY_KIND, fields

    return fields(kind, SCHEMA_BY_KIND[kind].model_validate(doc), subject=subject)


def _act(client, officer, kind, subject, doc) -> dict:
    response = _post(client, officer, kind, subject, doc)
    assert response.status_code == 202, response.json()
    assert response.json()["subject_type"] == resp.RESPONSIBILITY_SUBJECTS[kind]
    return confirmed(client, response.json()["action_id"])


def _office(units):
    return units.register("PT-QFB", "office", "普陀区人民政府办公室")


def test_art11_a_responsibility_approved_by_the_office_is_named_by_an_entry(client, runtime, units):
    office, civil = _office(units), units.civil
    rid = resp.responsibility_id_for(civil.unit_id, DUTY["code"])
    # The id is derived from the unit and the code: another id is refused before anything is stored.
    before = outbox_count(runtime)
    wrong = _post(client, civil, resp.ActionKind.RECORD_RESPONSIBILITY, b"\x01" * 32, DUTY)
    assert (wrong.status_code, error_of(wrong)["code"]) == (422, "responsibility_id_mismatch")
    _act(client, civil, resp.ActionKind.RECORD_RESPONSIBILITY, rid, DUTY)
    [pending] = client.get("/v1/responsibilities", params={"unit_id": hex0x(civil.unit_id)}).json()
    assert (pending["status"], pending["version"], pending["approved_version"]) == ("pending", 1, 0)
    # An entry naming it before the Office approves is the contract's refusal, nothing stored.
    doc = document("MZJ-0001", responsibility=hex0x(rid))
    eid = entry_id(civil, doc)
    action = civil.action(
        ActionKind.SUBMIT,
        eid,
        canonical_bytes(doc),
        declared_at=sign(civil, ActionKind.SUBMIT, eid, doc).declared_at,
        responsibility=rid,
    )
    body = {"entry_id": hex0x(eid), "document": doc, "nonce": str(action.nonce), "signature": hex0x(action.signature)}
    before = outbox_count(runtime)
    refused = client.post("/v1/catalog/entries", json=body)
    assert refused.status_code == 409
    assert error_of(refused)["code"] == "responsibility_not_approved"
    assert error_of(refused)["field"] == "document.responsibility"
    assert outbox_count(runtime) == before
    # Only the Office reviews.
    by_unit = _post(client, civil, resp.ActionKind.REVIEW_RESPONSIBILITY, rid, APPROVE)
    assert (by_unit.status_code, error_of(by_unit)["code"]) == (403, "wrong_unit_kind")
    _act(client, office, resp.ActionKind.REVIEW_RESPONSIBILITY, rid, APPROVE)
    [approved] = client.get("/v1/responsibilities", params={"unit_id": hex0x(civil.unit_id)}).json()
    assert (approved["status"], approved["approved_version"]) == ("approved", 1)
    assert [s["step"] for s in approved["steps"]] == ["responsibility_recorded", "responsibility_reviewed"]
    assert approved["steps"][1]["proof"]["signer"] == office.address
    # Now the entry names it; the chain keeps it with the entry.
    accepted = client.post("/v1/catalog/entries", json=body)
    assert accepted.status_code == 202, accepted.json()
    confirmed(client, accepted.json()["action_id"])
    assert units.catalog.functions.entry(eid).call()[10] == rid


def test_art5_and_art11_designation_refusal_report_and_settings(client, runtime, units, system):
    office, civil, market, dc = _office(units), units.civil, units.market, units.data_center
    doc = document("MZJ-0002")
    eid = entry_id(civil, doc)
    act(client, civil, ActionKind.SUBMIT, eid, doc)
    designation = {
        "schema": "putuo.designation/1",
        "entry_id": hex0x(eid),
        "unit_id": hex0x(market.unit_id),
        "disposition": "move_open_duties",
        "basis": "该数据同时由两个单位采集，由市场监管局负责",
    }
    # The subject is the document's entry: another is refused.
    mismatch = _post(client, office, resp.ActionKind.DESIGNATE, b"\x02" * 32, designation)
    assert (mismatch.status_code, error_of(mismatch)["code"]) == (422, "subject_mismatch")
    _act(client, office, resp.ActionKind.DESIGNATE, eid, designation)
    assert wait_for(lambda: client.get(f"/v1/catalog/entries/{hex0x(eid)}").json()["unit_id"] == hex0x(market.unit_id))
    [decision] = client.get("/v1/designations", params={"entry_id": hex0x(eid)}).json()
    assert (decision["from_unit"], decision["unit_id"], decision["code"]) == (
        hex0x(civil.unit_id),
        hex0x(market.unit_id),
        int(resp.Disposition.MOVE_OPEN_DUTIES),
    )
    again = _post(client, office, resp.ActionKind.DESIGNATE, eid, designation)
    assert (again.status_code, error_of(again)["code"]) == (409, "designation_refused")

    # A refusal to collect without a legal basis: the Office's report is due by the setting.
    notice = {"schema": "putuo.setting/1", "name": "refusalReportDays", "value": 3, "reason": "及时报告，三个工作日"}
    _act(client, office, resp.ActionKind.PUBLISH_SETTING, resp.setting_key("refusalReportDays"), notice)
    settings = {s["name"]: s for s in client.get("/v1/settings").json()}
    assert settings["refusalReportDays"]["value"] == 3
    assert (settings["responsibilityRequired"]["value"], settings["responsibilityRequired"]["published"]) == (0, None)
    refusal_id = b"\x0f" * 32
    refusal = {
        "schema": "putuo.refusal/1",
        "unit_id": hex0x(civil.unit_id),
        "data": "低保家庭住房数据",
        "ground": "no_legal_basis",
    }
    _act(client, dc, resp.ActionKind.RECORD_REFUSAL, refusal_id, refusal)
    [recorded] = client.get("/v1/refusals").json()
    stored = contract_at(system.w3, "Responsibilities", system.deployment.responsibilities).functions.refusal(
        refusal_id
    )
    on_chain = stored.call()
    calendar = contract_at(system.w3, "WorkCalendar", system.deployment.calendar)
    assert recorded["report_due_at"] == on_chain[3] == calendar.functions.addWorkingDays(on_chain[2], 3).call()
    assert recorded["reported_at"] is None
    report = {
        "schema": "putuo.refusal-report/1",
        "refusal_id": hex0x(refusal_id),
        "reported_to": ["区委", "区政府"],
        "summary": "民政局无法律依据拒绝归集住房数据",
    }
    by_dc = _post(client, dc, resp.ActionKind.REPORT_REFUSAL, refusal_id, report)
    assert (by_dc.status_code, error_of(by_dc)["code"]) == (403, "wrong_unit_kind")
    _act(client, office, resp.ActionKind.REPORT_REFUSAL, refusal_id, report)
    [reported] = client.get("/v1/refusals").json()
    assert reported["reported_at"] == stored.call()[4] and reported["report"]["proof"]["signer"] == office.address
    twice = _post(client, office, resp.ActionKind.REPORT_REFUSAL, refusal_id, report)
    assert (twice.status_code, error_of(twice)["code"]) == (409, "nothing_to_report")
