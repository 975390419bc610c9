"""The Responsibilities routes (Art. 5, 11): signed actions relayed, refused with the contract's
error and nothing stored, and the mirror's views of what the chain recorded."""

from __future__ import annotations

from eth_utils import keccak

from chain import responsibilities as resp
from chain.actions import ActionKind, fresh_nonce
from chain.client import contract_at
from signer.canonical import canonical_bytes
from tests.api.auth_helpers import PLATFORM
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
    [recorded] = client.get("/v1/refusals", headers=PLATFORM).json()
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
    [reported] = client.get("/v1/refusals", headers=PLATFORM).json()
    assert reported["reported_at"] == stored.call()[4] and reported["report"]["proof"]["signer"] == office.address
    twice = _post(client, office, resp.ActionKind.REPORT_REFUSAL, refusal_id, report)
    assert (twice.status_code, error_of(twice)["code"]) == (409, "nothing_to_report")


def _supplementary(client, units, office, code: str) -> bytes:
    """The Data Center's approved Art. 12 responsibility, then a supplementary entry submitted and approved."""
    dc = units.data_center
    rid = resp.responsibility_id_for(dc.unit_id, "DSJ-ZZ-12")
    if not client.get("/v1/responsibilities", params={"unit_id": hex0x(dc.unit_id)}).json():
        duty = {**DUTY, "code": "DSJ-ZZ-12", "name": "区域补充目录编制", "basis": "实施办法第十二条"}
        _act(client, dc, resp.ActionKind.RECORD_RESPONSIBILITY, rid, duty)
        _act(client, office, resp.ActionKind.REVIEW_RESPONSIBILITY, rid, APPROVE)
    doc = document(code, supplementary=True, responsibility=hex0x(rid))
    doc["source"] = {**doc["source"], "method": "city_returned"}
    eid = entry_id(dc, doc)
    action = dc.action(
        ActionKind.SUBMIT,
        eid,
        canonical_bytes(doc),
        declared_at=sign(dc, ActionKind.SUBMIT, eid, doc).declared_at,
        responsibility=rid,
    )
    body = {"entry_id": hex0x(eid), "document": doc, "nonce": str(action.nonce), "signature": hex0x(action.signature)}
    answer = client.post("/v1/catalog/entries", json=body)
    assert answer.status_code == 202, answer.json()
    confirmed(client, answer.json()["action_id"])
    act(client, dc, ActionKind.REVIEW, eid, {"schema": "putuo.catalog-review/1", "decision": "approve"}, version=1)
    return eid


def _record_export(client, dc, response) -> dict:
    manifest = {
        "schema": "putuo.catalog-export/1",
        "format": "putuo.supplementary-catalog/1",
        "json_keccak256": response.headers["x-export-keccak256"],
        "csv_keccak256": "0x" + "cc" * 32,
        "from_block": int(response.headers["x-from-block"]),
        "to_block": int(response.headers["x-to-block"]),
        "entries": len(response.json()["items"]),
    }
    subject = bytes.fromhex(manifest["json_keccak256"][2:])
    return _act(client, dc, resp.ActionKind.RECORD_CATALOG_EXPORT, subject, manifest)


def test_art12_the_supplementary_catalog_is_exported_incrementally_and_each_export_verifies(client, runtime, units):
    office, dc = _office(units), units.data_center
    act(client, units.civil, ActionKind.SUBMIT, entry_id(units.civil, document("MZJ-0009")), document("MZJ-0009"))
    first = _supplementary(client, units, office, "DSJ-BC-01")
    wait_for(lambda: runtime.store.cursor()[0] >= runtime.w3.eth.block_number)
    response = client.get("/v1/catalog/supplementary/export")
    assert response.status_code == 200
    export = response.json()
    assert response.headers["x-export-keccak256"] == "0x" + keccak(response.content).hex()
    assert (export["format"], export["from_block"]) == ("putuo.supplementary-catalog/1", 1)
    # Only the Data Center's supplementary entry, each step with its proof: the civil bureau's entry is not in it.
    assert [(i["entry_id"], i["step"]) for i in export["items"]] == [
        (hex0x(first), "submitted"),
        (hex0x(first), "reviewed"),
    ]
    submitted = export["items"][0]
    version = client.get(f"/v1/catalog/entries/{hex0x(first)}/versions").json()[0]
    assert (submitted["tx_hash"], submitted["document_hash"], submitted["signer"]) == (
        version["submission"]["tx_hash"],
        version["submission"]["document_hash"],
        dc.address,
    )
    csv = client.get("/v1/catalog/supplementary/export", params={"format": "csv"})
    assert csv.content.startswith("\ufeff".encode()) and csv.content.decode("utf-8-sig").count("\n") == 3
    # Only the Data Center records an export; the range must start after the last one.
    by_office = _post(
        client,
        office,
        resp.ActionKind.RECORD_CATALOG_EXPORT,
        b"\x01" * 32,
        {**_manifest_of(response), "json_keccak256": "0x" + "01" * 32},
    )
    assert (by_office.status_code, error_of(by_office)["code"]) == (403, "wrong_unit_kind")
    _record_export(client, dc, response)
    [recorded] = wait_for(lambda: client.get("/v1/catalog/supplementary/exports").json())
    assert (recorded["sequence"], recorded["from_block"], recorded["verified"]) == (1, 1, True)
    again = _post(
        client,
        dc,
        resp.ActionKind.RECORD_CATALOG_EXPORT,
        b"\x02" * 32,
        {**_manifest_of(response), "json_keccak256": "0x" + "02" * 32},
    )
    assert (again.status_code, error_of(again)["code"]) == (409, "invalid_export_range")
    # The next export holds only what came after.
    second = _supplementary(client, units, office, "DSJ-BC-02")
    wait_for(lambda: runtime.store.cursor()[0] >= runtime.w3.eth.block_number)
    following = client.get("/v1/catalog/supplementary/export")
    assert int(following.headers["x-from-block"]) == recorded["to_block"] + 1
    assert {i["entry_id"] for i in following.json()["items"]} == {hex0x(second)}
    _record_export(client, dc, following)
    exports = wait_for(lambda: (e := client.get("/v1/catalog/supplementary/exports").json()) and len(e) == 2 and e)
    assert [(e["sequence"], e["verified"]) for e in exports] == [(1, True), (2, True)]


def _manifest_of(response) -> dict:
    return {
        "schema": "putuo.catalog-export/1",
        "format": "putuo.supplementary-catalog/1",
        "json_keccak256": response.headers["x-export-keccak256"],
        "csv_keccak256": "0x" + "cc" * 32,
        "from_block": int(response.headers["x-from-block"]),
        "to_block": int(response.headers["x-to-block"]),
        "entries": 0,
    }
