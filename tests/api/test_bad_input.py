"""Requests the API must refuse: each gets its exact 4xx and error body, and changes nothing.

"Nothing" is checked where it would show: no outbox row was written (what the relayer would
send), the signer's nonce is still unused on-chain, and the entry is as it was on-chain.
"""

from __future__ import annotations

import json

import pytest
from eth_account import Account
from fastapi.testclient import TestClient
from web3.exceptions import ContractCustomError

from api.app import create_app
from catalog.document import declared_at
from chain.actions import ActionKind, CatalogAction, entry_id_for, sign_action
from chain.reverts import decode_revert
from signer.canonical import canonical_bytes
from tests.api.conftest import make_runtime
from tests.api.helpers import (
    act,
    approval,
    body_of,
    chain_entry,
    confirmed,
    deletion,
    document,
    error_of,
    hex0x,
    outbox_count,
    path_of,
    return_note,
    sign,
)
from tests.signed_fields import version_sharing

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


class Refusal:
    """Posts one action and checks it was refused with nothing changed anywhere."""

    def __init__(self, client, runtime, units) -> None:
        self.client, self.runtime, self.units = client, runtime, units

    def __call__(self, officer, action: CatalogAction, body: dict, status: int, code: str, field: str | None) -> dict:
        outbox = outbox_count(self.runtime)
        entry = chain_entry(self.units, action.entry_id)
        # As JSON text with \u escapes: a lone surrogate is valid JSON text, not valid UTF-8.
        response = self.client.post(
            path_of(action.kind, action.entry_id, action.version),
            content=json.dumps(body).encode(),
            headers={"content-type": "application/json"},
        )
        assert response.status_code == status, response.json()
        error = error_of(response)
        assert (error["code"], error["field"]) == (code, field), error
        if status == 422:
            assert error["message"].startswith(f"{field}:"), error
        assert outbox_count(self.runtime) == outbox
        if officer is not None:
            assert self.units.catalog.functions.nonceUsed(officer.address, action.nonce).call() is False
        assert chain_entry(self.units, action.entry_id) == entry
        return error


@pytest.fixture
def refused(client, runtime, units) -> Refusal:
    return Refusal(client, runtime, units)


def submission(officer, doc: dict, **kw) -> tuple[CatalogAction, dict]:
    action = sign(officer, ActionKind.SUBMIT, entry_id_for(officer.unit_id, doc["code"]), doc, **kw)
    return action, body_of(action, doc)


@pytest.fixture
def pending(client, units) -> bytes:
    """A civil entry under review (version 1 pending), mirrored."""
    doc = document("MZJ-0900", "婚姻登记信息")
    eid = entry_id_for(units.civil.unit_id, doc["code"])
    act(client, units.civil, ActionKind.SUBMIT, eid, doc)
    return eid


# --- the document -------------------------------------------------------------------------

ART_11_ELEMENTS = [
    "source",
    "update_frequency",
    "classification",
    "sharing",
    "coverage",
    "managing_agency",
    "description",
    "data_items",
]


@pytest.mark.parametrize("element", ART_11_ELEMENTS)
def test_missing_art_11_element(refused, units, element):
    doc = document("MZJ-0901")
    del doc[element]
    action, body = submission(units.civil, doc)  # signed as sent: only the document is wrong
    error = refused(units.civil, action, body, 422, "invalid_document", f"document.{element}")
    assert error["message"] == f"document.{element}: Field required"
    assert error["errors"] == [{"field": f"document.{element}", "message": "Field required"}]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"data_items": "姓名, 身份证号"}, "document.data_items"),
        ({"data_items": []}, "document.data_items"),
        ({"data_items": [{"name": "姓名", "type": "text"}]}, "document.data_items.0.type"),
        ({"classification": {"category": "民生保障", "grade": "L9"}}, "document.classification.grade"),
        ({"update_frequency": "hourly"}, "document.update_frequency"),
        ({"sharing": {"attribute": "conditional"}}, "document.sharing"),
        ({"opening": {"attribute": "not_open"}}, "document.opening"),
        ({"schema": "putuo.catalog/2"}, "document.schema"),
        ({"owner": "普陀区民政局"}, "document.owner"),
        ({"name": ""}, "document.name"),
        ({"basis_event": {"kind": "system_acceptance", "date": "2026-02-30"}}, "document.basis_event.date"),
        # What is signed goes on-chain as written: near-misses the schema could coerce are refused.
        ({"supplementary": "yes"}, "document.supplementary"),
        ({"supplementary": 1}, "document.supplementary"),
        ({"basis_event": {"kind": "system_acceptance", "date": "2026-11-20T00:00:00"}}, "document.basis_event.date"),
        # Its 00:00 in Shanghai would be before the epoch (schemathesis found it as a 500).
        ({"basis_event": {"kind": "system_acceptance", "date": "1970-01-01"}}, "document.basis_event.date"),
    ],
)
def test_invalid_document_field(refused, units, change, field):
    action, body = submission(units.civil, document("MZJ-0902", **change))
    refused(units.civil, action, body, 422, "invalid_document", field)


def test_not_shared_without_basis(refused, units):
    doc = document("MZJ-0903", sharing={"attribute": "not_shared", "conditions": "仅限内部"})
    action, body = submission(units.civil, doc)
    error = refused(units.civil, action, body, 422, "invalid_document", "document.sharing")
    assert "basis" in error["message"]


def test_invalid_review_note(refused, units, pending):
    dc = units.data_center
    note = {"schema": "putuo.catalog-review/1", "decision": "return", "reason_code": 1}  # no reason text
    action = sign(dc, ActionKind.REVIEW, pending, approval(), version=1)
    # A rule across fields (a return needs its reason) names the whole document.
    refused(dc, action, body_of(action, note), 422, "invalid_document", "document")
    note = {"schema": "putuo.catalog-review/1", "decision": "return", "reason_code": "1", "reason": "缺项"}
    refused(dc, action, body_of(action, note), 422, "invalid_document", "document.reason_code")


def test_document_not_an_object(refused, units):
    action, body = submission(units.civil, document("MZJ-0904"))
    refused(units.civil, action, {**body, "document": [1, 2]}, 422, "invalid_request", "document")


def test_unencodable_document(refused, units):
    """A lone surrogate is valid JSON text but no UTF-8 document: refused, never a 500."""
    action, body = submission(units.civil, document("MZJ-0905"))
    refused(
        units.civil,
        action,
        {**body, "document": {**body["document"], "name": "\ud800"}},
        422,
        "invalid_document",
        "document.name",
    )


# --- the rest of the body -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nonce": "abc"}, "nonce"),
        ({"nonce": "-1"}, "nonce"),
        ({"nonce": ""}, "nonce"),
        ({"nonce": 7}, "nonce"),
        ({"nonce": str(2**256)}, "nonce"),  # does not fit the contract's uint256
        ({"entry_id": "0x1234"}, "entry_id"),
        ({"signature": None}, "signature"),
        ({"version": 1}, "version"),
    ],
)
def test_invalid_request_field(refused, units, change, field):
    action, body = submission(units.civil, document("MZJ-0906"))
    refused(units.civil, action, {**body, **change}, 422, "invalid_request", field)


def test_missing_field(refused, units):
    action, body = submission(units.civil, document("MZJ-0907"))
    del body["signature"]
    error = refused(units.civil, action, body, 422, "invalid_request", "signature")
    assert error["message"] == "signature: Field required"


def test_document_too_large(refused, units):
    items = [{"name": f"信息项{i:03d}" + "说明" * 45, "type": "string"} for i in range(150)]
    doc = document("MZJ-0908", data_items=items)
    action, body = submission(units.civil, doc)
    assert 32 * 1024 < len(action.document) and len(json.dumps(body)) < 256 * 1024
    refused(units.civil, action, body, 413, "document_too_large", "document")


def test_body_too_large(refused, units):
    action, body = submission(units.civil, document("MZJ-0909"))
    body["document"]["description"] = "很长" * 50_000  # ~300 KiB as JSON
    refused(units.civil, action, body, 413, "body_too_large", "body")


def test_body_too_large_without_content_length(client, runtime, units):
    """A chunked body has no Content-Length to check up front; the limit still holds."""
    action, body = submission(units.civil, document("MZJ-0910", description="很长" * 50_000))
    data = json.dumps(body).encode()
    assert len(data) > 256 * 1024

    def chunks():
        for i in range(0, len(data), 16 * 1024):
            yield data[i : i + 16 * 1024]

    response = client.post("/v1/catalog/entries", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert (error_of(response)["code"], error_of(response)["field"]) == ("body_too_large", "body")
    assert outbox_count(runtime) == 0


# --- signatures ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signature", "detail"),
    [
        ("0x" + "zz" * 65, "not hexadecimal"),
        ("0x" + "11" * 64, "got 64"),
        ("0x" + "11" * 66, "got 66"),
        ("", "got 0"),
        ("0x123", "not hexadecimal"),
    ],
)
def test_bad_signature_encoding(refused, units, signature, detail):
    action, body = submission(units.civil, document("MZJ-0911"))
    error = refused(units.civil, action, {**body, "signature": signature}, 400, "bad_signature_encoding", "signature")
    assert detail in error["message"]


def test_signature_that_recovers_nothing(refused, units):
    action, body = submission(units.civil, document("MZJ-0912"))
    refused(units.civil, action, {**body, "signature": "0x" + "00" * 64 + "1b"}, 400, "bad_signature", "signature")


def test_high_s_signature(refused, units):
    """The same signature with s' = n - s recovers the same key off-chain; the contract refuses it."""
    action, body = submission(units.civil, document("MZJ-0913"))
    sig = action.signature
    r, s, v = sig[:32], int.from_bytes(sig[32:64], "big"), sig[64]
    malleated = r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])  # 27 <-> 28
    refused(units.civil, action, {**body, "signature": hex0x(malleated)}, 400, "bad_signature", "signature")
    # The contract would refuse it too, had the API let it through.
    malleated_action = CatalogAction(**{**action.__dict__, "signature": malleated})
    with pytest.raises(ContractCustomError) as raised:
        units.catalog.functions.execute(malleated_action.as_tuple()).call()
    assert decode_revert(bytes.fromhex(raised.value.data[2:])).error == "SignedActionInvalidSignature"


def test_unregistered_key(refused, units):
    stranger = Account.create()
    doc = document("MZJ-0914")
    unsigned = CatalogAction(
        ActionKind.SUBMIT,
        entry_id_for(units.civil.unit_id, doc["code"]),
        0,
        0,
        canonical_bytes(doc),
        99,
        declared_at=declared_at(doc),
        sharing=version_sharing(ActionKind.SUBMIT, doc),
    )
    action = sign_action(
        unsigned, stranger.key, chain_id=units.system.w3.eth.chain_id, catalog_address=units.system.deployment.catalog
    )
    error = refused(None, action, body_of(action, doc), 403, "signer_not_active", "signature")
    assert error["contract_error"] == "SignedActionSignerNotActive"
    assert error["contract_args"] == {"signer": stranger.address}


def test_document_altered_after_signing(refused, units):
    doc = document("MZJ-0915")
    action, body = submission(units.civil, doc)
    body["document"] = {**doc, "managing_agency": "普陀区民政局办公室"}  # valid, but not what was signed
    error = refused(units.civil, action, body, 403, "signer_not_active", "signature")
    assert error["contract_args"]["signer"] != units.civil.address


def test_nonce_altered_after_signing(refused, units):
    action, body = submission(units.civil, document("MZJ-0916"))
    refused(units.civil, action, {**body, "nonce": str(action.nonce + 1)}, 403, "signer_not_active", "signature")


def test_revoked_key(refused, units):
    units.system.office.send(units.registry.functions.revokeKey(units.civil.address))
    action, body = submission(units.civil, document("MZJ-0917"))
    refused(units.civil, action, body, 403, "signer_not_active", "signature")


# --- the entry and the signer's rights ----------------------------------------------------


def test_unknown_entry_lookups(client):
    unknown = "0x" + "42" * 32
    for path in (
        f"/v1/catalog/entries/{unknown}",
        f"/v1/catalog/entries/{unknown}/versions",
        f"/v1/catalog/entries/{unknown}/review-data",
    ):
        response = client.get(path)
        assert response.status_code == 404
        assert error_of(response) == {
            "code": "unknown_entry",
            "field": "entry_id",
            "message": f"entry_id: no catalog entry {unknown}",
        }


@pytest.mark.parametrize("kind", [ActionKind.RESUBMIT, ActionKind.REQUEST_CHANGE, ActionKind.REQUEST_DELETE])
def test_owner_action_on_unknown_entry(refused, units, kind):
    doc = deletion() if kind == ActionKind.REQUEST_DELETE else document("MZJ-0918")
    action = sign(units.civil, kind, b"\x42" * 32, doc)
    error = refused(units.civil, action, body_of(action, doc), 404, "unknown_entry", "entry_id")
    assert error["contract_error"] == "CatalogUnknownEntry"
    assert error["contract_args"] == {"entryId": "0x" + "42" * 32}


def test_review_of_unknown_entry(refused, units):
    action = sign(units.data_center, ActionKind.REVIEW, b"\x42" * 32, approval(), version=1)
    refused(units.data_center, action, body_of(action, approval()), 404, "unknown_entry", "entry_id")


def test_replay_after_confirmation(client, refused, units):
    """The very request that created an entry, sent again once it is on-chain."""
    doc = document("MZJ-0925", "出生医学证明信息")
    action, body = submission(units.civil, doc)
    response = client.post("/v1/catalog/entries", json=body)
    assert response.status_code == 202
    confirmed(client, response.json()["action_id"])
    outbox = outbox_count(refused.runtime)
    again = client.post("/v1/catalog/entries", json=body)
    assert again.status_code == 409
    error = error_of(again)
    assert (error["code"], error["field"], error["contract_error"]) == ("nonce_used", "nonce", "SignedActionNonceUsed")
    assert error["contract_args"] == {"signer": units.civil.address, "nonce": action.nonce}
    assert outbox_count(refused.runtime) == outbox
    assert chain_entry(units, action.entry_id)["latest"] == 1
    assert len(client.get(f"/v1/catalog/entries/{hex0x(action.entry_id)}/versions").json()) == 1


def test_replayed_review(client, refused, units, pending):
    dc = units.data_center
    review = sign(dc, ActionKind.REVIEW, pending, approval(), version=1)
    response = client.post(path_of(ActionKind.REVIEW, pending, 1), json=body_of(review, approval()))
    assert response.status_code == 202
    confirmed(client, response.json()["action_id"])
    outbox = outbox_count(refused.runtime)
    again = client.post(path_of(ActionKind.REVIEW, pending, 1), json=body_of(review, approval()))
    assert again.status_code == 409
    assert (error_of(again)["code"], error_of(again)["field"]) == ("nonce_used", "nonce")
    assert outbox_count(refused.runtime) == outbox
    assert chain_entry(units, pending)["status"] == "active"


def test_nonce_reused_for_another_action(client, refused, units):
    """A signer's nonce is spent once, whatever it signed with it."""
    first, body = submission(units.civil, document("MZJ-0926"))
    response = client.post("/v1/catalog/entries", json=body)
    confirmed(client, response.json()["action_id"])
    action, body = submission(units.civil, document("MZJ-0919"), nonce=first.nonce)
    error = refused(None, action, body, 409, "nonce_used", "nonce")
    assert error["contract_args"] == {"signer": units.civil.address, "nonce": first.nonce}
    assert chain_entry(units, action.entry_id)["status"] == "none"


def test_entry_exists(refused, units, pending):
    doc = document("MZJ-0900", "婚姻登记信息（重复提交）")
    action, body = submission(units.civil, doc)
    refused(units.civil, action, body, 409, "entry_exists", "entry_id")


@pytest.mark.parametrize("kind", [ActionKind.RESUBMIT, ActionKind.REQUEST_CHANGE, ActionKind.REQUEST_DELETE])
def test_owner_action_in_wrong_status(refused, units, pending, kind):
    doc = deletion() if kind == ActionKind.REQUEST_DELETE else document("MZJ-0900", "婚姻登记信息")
    action = sign(units.civil, kind, pending, doc)
    error = refused(units.civil, action, body_of(action, doc), 409, "invalid_status", "entry_id")
    assert error["contract_args"]["actual"] == 1  # UnderReview


def test_review_of_a_version_not_pending(refused, units, pending):
    action = sign(units.data_center, ActionKind.REVIEW, pending, approval(), version=2)
    error = refused(units.data_center, action, body_of(action, approval()), 409, "not_pending_version", "version")
    assert error["contract_args"] == {"entryId": hex0x(pending), "pendingVersion": 1, "version": 2}


def test_other_units_officer_may_not_resubmit(client, refused, units):
    civil, market = units.civil, units.market
    doc = document("MZJ-0920", "收养登记信息")
    eid = entry_id_for(civil.unit_id, doc["code"])
    act(client, civil, ActionKind.SUBMIT, eid, doc)
    act(client, units.data_center, ActionKind.REVIEW, eid, return_note(1, "缺少数据项。"), version=1)
    action = sign(market, ActionKind.RESUBMIT, eid, doc)
    error = refused(market, action, body_of(action, doc), 403, "not_owner", "entry_id")
    assert error["contract_args"] == {
        "entryId": hex0x(eid),
        "ownerUnit": hex0x(civil.unit_id),
        "signerUnit": hex0x(market.unit_id),
    }
    assert chain_entry(units, eid)["status"] == "returned"


def test_only_the_data_center_may_review(refused, units, pending):
    for officer in (units.market, units.civil, units.auditor):  # another unit, the owner itself, the auditor
        action = sign(officer, ActionKind.REVIEW, pending, approval(), version=1)
        error = refused(officer, action, body_of(action, approval()), 403, "wrong_unit_kind", "signature")
        assert error["contract_args"]["expected"] == 2  # DataCenter


def test_data_center_may_not_submit(refused, units):
    action, body = submission(units.data_center, document("DSJ-0001"))
    error = refused(units.data_center, action, body, 403, "wrong_unit_kind", "signature")
    assert error["contract_args"]["expected"] == 3  # Ordinary


@pytest.mark.parametrize("which", ["other unit", "other code"])
def test_entry_id_mismatch(refused, units, which):
    doc = document("MZJ-0921")
    eid = (
        entry_id_for(units.market.unit_id, doc["code"])
        if which == "other unit"
        else entry_id_for(units.civil.unit_id, "MZJ-0922")
    )
    action = sign(units.civil, ActionKind.SUBMIT, eid, doc)
    refused(units.civil, action, body_of(action, doc), 422, "entry_id_mismatch", "entry_id")


def test_code_may_not_change(client, refused, units, pending):
    act(client, units.data_center, ActionKind.REVIEW, pending, return_note(2, "编码不规范。"), version=1)
    doc = document("MZJ-0923", "婚姻登记信息")
    action = sign(units.civil, ActionKind.RESUBMIT, pending, doc)
    refused(units.civil, action, body_of(action, doc), 422, "code_changed", "document.code")


def test_entry_busy_until_on_chain(system, units, tmp_path):
    """With the relayer stopped, an accepted action blocks others on its entry until it is on-chain."""
    runtime = make_runtime(system, tmp_path)  # never started: nothing is relayed
    try:
        with TestClient(create_app(runtime=runtime)) as client:
            doc = document("MZJ-0924")
            eid = entry_id_for(units.civil.unit_id, doc["code"])
            first = sign(units.civil, ActionKind.SUBMIT, eid, doc)
            accepted = client.post("/v1/catalog/entries", json=body_of(first, doc))
            assert accepted.status_code == 202
            review = sign(units.data_center, ActionKind.REVIEW, eid, approval(), version=1)
            response = client.post(path_of(ActionKind.REVIEW, eid, 1), json=body_of(review, approval()))
            assert response.status_code == 409
            error = error_of(response)
            assert (error["code"], error["field"]) == ("entry_busy", "entry_id")
            # The same request again (a client retrying) is answered as before, not stored twice.
            again = client.post("/v1/catalog/entries", json=body_of(first, doc))
            assert (again.status_code, again.json()) == (202, accepted.json())
            assert outbox_count(runtime) == 1
            assert chain_entry(units, eid)["status"] == "none"
    finally:
        runtime.stop()


# --- query parameters and paths -----------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"sharing": "foo"}, "invalid_request", "sharing"),
        ({"grade": "L9"}, "invalid_request", "grade"),
        ({"status": "gone"}, "invalid_request", "status"),
        ({"update_frequency": "hourly"}, "invalid_request", "update_frequency"),
        ({"unit_id": "0x12"}, "invalid_request", "unit_id"),
        ({"limit": 0}, "invalid_request", "limit"),
        ({"limit": 101}, "invalid_request", "limit"),
        ({"limit": "ten"}, "invalid_request", "limit"),
        ({"offset": -1}, "invalid_request", "offset"),
        ({"offset": 10_001}, "offset_too_large", "offset"),
        ({"q": "x" * 101}, "invalid_request", "q"),
        ({"q": "!?。，"}, "empty_query", "q"),
    ],
)
def test_bad_query_parameters(client, params, code, field):
    response = client.get("/v1/catalog/entries", params=params)
    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"].startswith(f"{field}:")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/catalog/entries/0x1234", "entry_id"),
        ("/v1/catalog/entries/" + "ab" * 32 + "/versions", "entry_id"),
        ("/v1/catalog/actions/not-an-id", "action_id"),
        ("/v1/units/0xzz/keys", "unit_id"),
        ("/v1/catalog/entry-id?unit_id=0x" + "ab" * 32, "code"),
        ("/v1/catalog/entry-id?code=X-1&unit_id=0xab", "unit_id"),
    ],
)
def test_bad_paths(client, path, field):
    response = client.get(path)
    assert response.status_code == 422
    assert (error_of(response)["code"], error_of(response)["field"]) == ("invalid_request", field)


def test_review_of_version_zero(client, runtime, units, pending):
    action = sign(units.data_center, ActionKind.REVIEW, pending, approval(), version=1)
    response = client.post(f"/v1/catalog/entries/{hex0x(pending)}/versions/0/review", json=body_of(action, approval()))
    assert response.status_code == 422
    assert (error_of(response)["code"], error_of(response)["field"]) == ("invalid_request", "version")


@pytest.mark.parametrize("text", [b"{", b'{"document": {}, "nonce": "1",', b'{"nonce": 01}', b"\xff\xfe"])
def test_malformed_json(client, runtime, text):
    response = client.post("/v1/catalog/entries", content=text, headers={"content-type": "application/json"})
    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"], error["message"]) == ("invalid_request", "body", "body: JSON decode error")
    assert outbox_count(runtime) == 0


# --- never a 500 --------------------------------------------------------------------------

MALFORMED = [
    b"",
    b"{",
    b"[]",
    b"null",
    b"42",
    b'"text"',
    b'{"document": 1, "nonce": "1", "signature": "0x"}',
    b'{"document": {"schema": "putuo.catalog/1"}, "nonce": "1", "signature": "0x00"}',
    b'{"document": {"x": NaN}, "nonce": "1", "signature": "0x00"}',
    b'{"document": {"name": "\\ud800"}, "nonce": "1", "signature": "0x00"}',
    b'{"document": {}, "nonce": "1", "signature": "0x' + b"11" * 65 + b'", "entry_id": "0x' + b"00" * 32 + b'"}',
    b"\xff\xfe{\x00}",
    '{"document": {"名称": "数据"}}'.encode("gb18030"),
    b"[" * 5000 + b"]" * 5000,
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
]
CONTENT_TYPES = [
    None,
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/json; charset=utf-16",
]


def test_never_a_500(client, runtime):
    entry = "/v1/catalog/entries/0x" + "ab" * 32
    paths = [
        "/v1/catalog/entries",
        f"{entry}/resubmissions",
        f"{entry}/change-requests",
        f"{entry}/delete-requests",
        f"{entry}/versions/1/review",
        "/v1/catalog/typed-data",
    ]
    seen = set()
    for path in paths:
        for body in MALFORMED:
            for content_type in CONTENT_TYPES:
                headers = {"content-type": content_type} if content_type else {}
                response = client.post(path, content=body, headers=headers)
                assert 400 <= response.status_code < 500, (path, body[:40], content_type, response.text[:200])
                assert set(response.json()) == {"error"}
                seen.add(response.status_code)
    for method, path in [
        ("PUT", "/v1/catalog/entries"),
        ("DELETE", entry),
        ("GET", "/v1/nowhere"),
        ("GET", "/v1/catalog/entries?limit=1e3"),
        ("GET", "/v1/catalog/entries?q=%00"),
        ("GET", "/v1/catalog/entries?q=%22%20OR%201"),
        ("GET", "/v1/catalog/entries?q=a*"),
        ("GET", "/v1/catalog/entries?category=" + "%E2%80%8F" * 10),
    ]:
        response = client.request(method, path)
        assert response.status_code < 500, (method, path, response.text[:200])
    assert seen <= {400, 413, 422}
    assert outbox_count(runtime) == 0


def test_deeply_nested_json_is_refused_before_parsing(client):
    """web3 raises the recursion limit process-wide; json.loads of this would crash the server."""
    body = b"[" * 100_000 + b"]" * 100_000
    r = client.post("/v1/catalog/entries", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"] == {
        "code": "json_too_deep",
        "message": "body: JSON nested deeper than 64 levels",
        "field": "body",
    }
    nested_in_string = b'{"document": {"name": "' + b"[" * 1000 + b'"}, "nonce": "x", "signature": "0x"}'
    r = client.post("/v1/catalog/entries", content=nested_in_string, headers={"content-type": "application/json"})
    assert r.status_code == 422  # brackets inside strings do not count
