"""The DataQuality routes (Art. 15–16): signed actions relayed, refused with the contract's error
and nothing stored, the views of schedules, missed periods and objections, and their duties."""

from __future__ import annotations

from eth_utils import keccak

from chain import quality as q
from chain.actions import ActionKind, fresh_nonce
from signer.canonical import canonical_bytes
from tests.api import test_auth_reads
from tests.api.auth_helpers import PLATFORM
from tests.api.helpers import act, approval, confirmed, document, entry_id, error_of, hex0x, outbox_count

DAY = 86_400


def _post(client, officer, kind: q.ActionKind, doc: dict):
    from catalog.quality_documents import SCHEMA_BY_KIND, fields, grant_of

    raw = canonical_bytes(doc)
    parsed = SCHEMA_BY_KIND[kind].model_validate(doc)
    subject, target, code, value = fields(kind, parsed, document=raw)
    signed = q.sign(
        q.QualityAction(kind, subject, raw, fresh_nonce(), target, code, value, grant=grant_of(parsed)),
        officer.account.key,
        chain_id=officer.system.w3.eth.chain_id,
        address=officer.system.deployment.data_quality,
    )
    return client.post(
        "/v1/quality/actions",
        json={
            "kind": kind.name.lower(),
            "document": doc,
            "nonce": str(signed.nonce),
            "signature": hex0x(signed.signature),
        },
    )


def _act(client, officer, kind, doc) -> dict:
    response = _post(client, officer, kind, doc)
    assert response.status_code == 202, response.json()
    assert response.json()["subject_type"] == q.QUALITY_SUBJECTS[kind]
    return confirmed(client, response.json()["action_id"])


def _approved_entry(client, units) -> bytes:
    doc = document("MZJ-0100", update_frequency="weekly")
    eid = entry_id(units.civil, doc)
    act(client, units.civil, ActionKind.SUBMIT, eid, doc)
    act(client, units.data_center, ActionKind.REVIEW, eid, approval(), version=1)
    return eid


def _travel(system, seconds: int) -> None:
    latest = system.w3.eth.get_block("latest")["timestamp"]
    for method, params in (("evm_setNextBlockTimestamp", [latest + seconds]), ("evm_mine", [])):
        assert "error" not in system.w3.provider.make_request(method, params)


def test_art16_updates_per_period_and_a_missed_period_is_the_units_duty(client, runtime, units, system):
    civil, dc = units.civil, units.data_center
    eid = _approved_entry(client, units)
    declared = {"schema": "putuo.update-frequency/1", "entry_id": hex0x(eid), "update_frequency": "monthly"}
    # Not the frequency the approved catalog version states: refused before anything is stored.
    before = outbox_count(runtime)
    wrong = _post(client, civil, q.ActionKind.DECLARE_FREQUENCY, declared)
    assert (wrong.status_code, error_of(wrong)["code"], error_of(wrong)["field"]) == (
        422,
        "frequency_mismatch",
        "update_frequency",
    )
    # Another unit's declaration is the contract's refusal, nothing stored.
    declared["update_frequency"] = "weekly"
    other = _post(client, units.market, q.ActionKind.DECLARE_FREQUENCY, declared)
    assert (other.status_code, error_of(other)["code"]) == (403, "not_owner"), other.json()
    assert outbox_count(runtime) == before
    _act(client, civil, q.ActionKind.DECLARE_FREQUENCY, declared)
    receipt = {
        "schema": "putuo.update-receipt/1",
        "entry_id": hex0x(eid),
        "received_at": system.w3.eth.get_block("latest")["timestamp"],
        "records": 1200,
        "content_sm3": "ab" * 32,
    }
    _act(client, dc, q.ActionKind.RECORD_UPDATE, receipt)
    _travel(system, 15 * DAY)  # week 1 ends without an update
    answer = client.get("/v1/quality/updates", headers=PLATFORM)
    assert answer.status_code == 200, answer.json()
    [schedule] = answer.json()
    assert (schedule["frequency"], schedule["missed_periods"]) == ("weekly", 1)
    assert [(p["period"], p["missed"], len(p["updates"])) for p in schedule["periods"]] == [
        (0, False, 1),
        (1, True, 0),
        (2, False, 0),
    ]
    assert schedule["periods"][0]["updates"][0]["proof"]["signer"] == dc.address
    duties = client.get("/v1/duties", params={"rule": "art16_update"}, headers=PLATFORM).json()["items"]
    assert [(d["item"], d["state"], d["unit_id"]) for d in duties] == [
        (0, "done_on_time", hex0x(civil.unit_id)),
        (1, "overdue", hex0x(civil.unit_id)),
        (2, "due", hex0x(civil.unit_id)),
    ]
    # Art. 32: the evaluation judges the ended periods: one on time, one overdue (the current one is due
    # after the period asked for).
    [unit] = [
        u
        for u in client.get("/v1/evaluation", params={"from": "2000-01-01"}).json()["units"]
        if u["unit_id"] == hex0x(civil.unit_id)
    ]
    assert {k: unit["update"][k] for k in ("judged", "on_time", "overdue", "open")} == {
        "judged": 2,
        "on_time": 1,
        "overdue": 1,
        "open": 0,
    }
    # Restricted: no credential, no answer.
    assert client.get("/v1/quality/updates").status_code == 401


def test_art16_an_objection_is_handled_by_the_responsible_unit(client, runtime, units):
    civil, market, dc = units.civil, units.market, units.data_center
    eid = _approved_entry(client, units)
    reconciliation = {
        "schema": "putuo.reconciliation/1",
        "unit_id": hex0x(civil.unit_id),
        "period": "2026-Q1",
        "entries": [hex0x(eid)],
        "result": "discrepancies",
        "discrepancies": [{"entry_id": hex0x(eid), "description": "平台库比源库少 12 条"}],
    }
    _act(client, dc, q.ActionKind.RECORD_RECONCILIATION, reconciliation)
    [recorded] = client.get("/v1/quality/reconciliations", headers=PLATFORM).json()
    assert (recorded["unit_id"], recorded["result"]) == (hex0x(civil.unit_id), "discrepancies")
    objection = {
        "schema": "putuo.objection/1",
        "entry_id": hex0x(eid),
        "source": "using_unit",
        "description": "3 条记录的住址与门牌核查结果不符",
        "grant_id": hex0x(b"\x44" * 32),
    }
    # The Data Center raises from monitoring or a reconciliation, not as a user: the contract refuses.
    before = outbox_count(runtime)
    as_user = _post(client, dc, q.ActionKind.RAISE_OBJECTION, objection)
    assert (as_user.status_code, error_of(as_user)["code"]) == (422, "invalid_code"), as_user.json()
    assert outbox_count(runtime) == before
    found = {**objection, "source": "reconciliation", "reconciliation_id": hex0x(b"\x01" * 32)}
    del found["grant_id"]
    _act(client, dc, q.ActionKind.RAISE_OBJECTION, found)
    [raised] = client.get("/v1/quality/objections", headers=PLATFORM).json()
    assert (raised["unit_id"], raised["raiser_unit"], raised["grant_id"], raised["state"]) == (
        hex0x(civil.unit_id),
        hex0x(dc.unit_id),
        None,
        "open",
    )
    handling = {
        "schema": "putuo.objection-handling/1",
        "objection_id": raised["objection_id"],
        "outcome": "corrected",
        "verification": "与门牌库比对，3 条住址确有错误",
        "measures": "已更正并重新推送",
    }
    refused = _post(client, market, q.ActionKind.HANDLE_OBJECTION, handling)
    assert (refused.status_code, error_of(refused)["code"]) == (403, "not_owner"), refused.json()
    _act(client, civil, q.ActionKind.HANDLE_OBJECTION, handling)
    [done] = client.get("/v1/quality/objections", headers=PLATFORM).json()
    assert (done["state"], done["outcome"], done["handling"]["proof"]["signer"]) == (
        "handled_on_time",
        "corrected",
        civil.address,
    )
    [duty] = client.get("/v1/duties", params={"rule": "art16_objection"}, headers=PLATFORM).json()["items"]
    # Art. 32: quality in the evaluation — one objection to the bureau's data, corrected, handled in
    # time (judged in the period of its due time: a period reaching it).
    [unit] = [
        u
        for u in client.get("/v1/evaluation", params={"from": "2000-01-01", "to": "2099-12-31"}).json()["units"]
        if u["unit_id"] == hex0x(civil.unit_id)
    ]
    assert unit["quality"] == {"objections": 1, "corrected": 1, "evaluation": None}
    assert (unit["objection"]["judged"], unit["objection"]["on_time"]) == (1, 1)
    assert (duty["subject_type"], duty["subject_id"], duty["state"]) == (
        "objection",
        raised["objection_id"],
        "done_on_time",
    )


api = test_auth_reads.api
district = test_auth_reads.district


def _desk_post(api, officer, doc: dict):
    """A RaiseObjection of a Sharing desk's officer, signed over the API's typed data."""
    body = {"kind": "raise_objection", "document": doc, "nonce": str(fresh_nonce())}
    typed = api.client.post("/v1/quality/typed-data", json=body)
    if typed.status_code != 200:
        return typed  # the document refused before anything is signed
    m = typed.json()["message"]
    action = q.QualityAction(
        q.ActionKind.RAISE_OBJECTION,
        bytes.fromhex(m["subject"][2:]),
        canonical_bytes(doc),
        int(m["nonce"]),
        bytes.fromhex(m["target"][2:]),
        m["code"],
        m["value"],
        grant=bytes.fromhex(m["grant"][2:]),
    )
    signed = q.sign(
        action, officer.action_key, chain_id=api.desk.chain_id, address=api.desk.system.deployment.data_quality
    )
    return api.client.post("/v1/quality/actions", json={**body, "signature": hex0x(signed.signature)})


def test_art16_a_using_units_objection_rests_on_its_grant(api, district):
    """The street holds a grant on the civil affairs bureau's entry; the market bureau holds none."""
    client, _, grant_id = district
    desk = api.desk
    civil_entry, market_entry = hex0x(api.civil_entry[0]), hex0x(api.market_entry[0])
    objection = {
        "schema": "putuo.objection/1",
        "entry_id": civil_entry,
        "source": "using_unit",
        "description": "3 户低保家庭的居住地址与走访核实结果不符",
        "grant_id": grant_id,
    }
    before = outbox_count(api.runtime)
    refusals = [
        (desk.street, {k: v for k, v in objection.items() if k != "grant_id"}, 422, "invalid_document"),
        (desk.street, {**objection, "grant_id": hex0x(b"\x44" * 32)}, 404, "unknown_grant"),
        (desk.market, objection, 403, "grant_not_held"),  # another unit's grant
        (desk.street, {**objection, "entry_id": market_entry}, 409, "grant_not_covering"),
    ]
    for officer, doc, status, code in refusals:
        response = _desk_post(api, officer, doc)
        assert (response.status_code, error_of(response)["code"], error_of(response)["field"]) == (
            status,
            code,
            "document.grant_id",
        ), response.json()
    assert outbox_count(api.runtime) == before
    assert client.get("/v1/quality/objections", headers=PLATFORM).json() == []
    accepted = _desk_post(api, desk.street, objection)
    assert accepted.status_code == 202, accepted.json()
    confirmed(client, accepted.json()["action_id"])
    [raised] = client.get("/v1/quality/objections", headers=PLATFORM).json()
    assert (raised["raiser_unit"], raised["grant_id"], raised["source"]) == (
        desk.street.unit_hex,
        grant_id,
        "using_unit",
    )


def _supervision(client, officer, kind, document: dict):
    from chain import supervision as sv
    from sharing.supervision_documents import SCHEMA_BY_KIND, fields

    raw = canonical_bytes(document)
    subject, target, code, value = fields(kind, SCHEMA_BY_KIND[kind].model_validate(document), document=raw)
    signed = sv.sign(
        sv.SupervisionAction(kind, subject, raw, fresh_nonce(), target, code, value),
        officer.account.key,
        chain_id=officer.system.w3.eth.chain_id,
        address=officer.system.deployment.supervision,
    )
    body = {
        "kind": kind.name.lower(),
        "document": document,
        "nonce": str(signed.nonce),
        "signature": hex0x(signed.signature),
    }
    return client.post("/v1/supervision/actions", json=body)


def test_art32_the_office_publishes_results_and_a_notice_whose_lines_rest_on_the_chains_duties(client, units, system):
    import datetime as dt

    from api.services.evaluation import bounds
    from chain.supervision import ActionKind as SA

    office, civil, dc = units.register("PT-QFB", "office", "普陀区人民政府办公室"), units.civil, units.data_center
    eid = _approved_entry(client, units)
    _act(
        client,
        civil,
        q.ActionKind.DECLARE_FREQUENCY,
        {"schema": "putuo.update-frequency/1", "entry_id": hex0x(eid), "update_frequency": "weekly"},
    )
    _travel(system, 8 * DAY)  # week 0 ends without an update: overdue
    now = system.w3.eth.get_block("latest")["timestamp"]
    yesterday = dt.datetime.fromtimestamp(now, dt.timezone(dt.timedelta(hours=8))).date() - dt.timedelta(days=1)
    period = {"from": "2000-01-01", "to": yesterday.isoformat()}
    evaluation = client.get("/v1/evaluation", params=period).json()
    csv_file = client.get("/v1/evaluation.csv", params=period).content
    results = {
        "schema": "putuo.evaluation-results/1",
        "date_from": "2000-01-01",
        "date_to": yesterday.isoformat(),
        "period_end": bounds(dt.date(2000, 1, 1), yesterday)[1],
        "judged_at": evaluation["now"],
        "judged_block": evaluation["now_block"],
        "csv_keccak256": hex0x(keccak(csv_file)),
        "units": [
            {
                "unit_id": u["unit_id"],
                "name": u["name"],
                "rank": u["rank"],
                "score": u["score"],
                "overdue": sum(v["overdue"] for v in u.values() if isinstance(v, dict) and "overdue" in v),
            }
            for u in evaluation["units"]
        ],
    }
    wrong_end = _supervision(client, office, SA.PUBLISH_RESULTS, {**results, "period_end": results["period_end"] - 1})
    assert (wrong_end.status_code, error_of(wrong_end)["code"]) == (422, "period_end_mismatch")
    accepted = _supervision(client, office, SA.PUBLISH_RESULTS, results)
    assert accepted.status_code == 202, accepted.json()
    confirmed(client, accepted.json()["action_id"])
    results_id = accepted.json()["subject_id"]
    [duty] = [
        d
        for d in client.get("/v1/duties", params={"rule": "art16_update"}, headers=PLATFORM).json()["items"]
        if d["state"] == "overdue"
    ]
    evidence = {
        "rule": "art16_update",
        "subject_id": duty["subject_id"],
        "item": duty["item"],
        "start_tx": duty["start_tx"],
    }
    # The draft names the unit's unmet duty of the period from the chain; the Office signs it.
    draft = client.get(
        f"/v1/evaluation/results/{results_id}/notice-draft", params={"scope": "全区各委办局"}, headers=PLATFORM
    )
    assert draft.status_code == 200, draft.json()
    notice = draft.json()
    assert [(line["unit_id"], line["group"], line["evidence"]) for line in notice["lines"]] == [
        (hex0x(civil.unit_id), "update", [evidence])
    ]
    # A line must rest on a duty the unit failed: another unit's, or a met one, is refused, nothing stored.
    for line, code in (
        ({"unit_id": hex0x(units.market.unit_id)}, "not_the_units_duty"),
        ({"group": "compile"}, "no_such_duty"),
    ):
        bad = {**notice, "lines": [{**notice["lines"][0], **line}]}
        refused = _supervision(client, office, SA.PUBLISH_NOTICE, bad)
        assert (refused.status_code, error_of(refused)["code"], error_of(refused)["field"]) == (
            422,
            code,
            "document.lines.0.evidence.0",
        ), refused.json()
    # Not the Office: the contract's refusal.
    by_dc = _supervision(client, dc, SA.PUBLISH_NOTICE, notice)
    assert (by_dc.status_code, error_of(by_dc)["code"]) == (403, "wrong_unit_kind")
    published = _supervision(client, office, SA.PUBLISH_NOTICE, notice)
    assert published.status_code == 202, published.json()
    confirmed(client, published.json()["action_id"])
    [shown] = client.get("/v1/evaluation/notices", headers=PLATFORM).json()
    [line] = shown["lines"]
    assert (line["unit_id"], line["evidence"][0]["state"], line["evidence"][0]["start_tx"]) == (
        hex0x(civil.unit_id),
        "overdue",
        duty["start_tx"],
    )
    assert shown["results_proof"]["signer"] == office.address and shown["proof"]["signer"] == office.address
    [listed] = client.get("/v1/evaluation/results", headers=PLATFORM).json()
    assert listed["results_id"] == results_id and listed["document"]["csv_keccak256"] == results["csv_keccak256"]
    assert client.get("/v1/evaluation/notices").status_code == 401
