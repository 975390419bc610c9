"""SM2-only officers through the API, end to end: submit, review, collect, apply with an SM2
commitment, decide, check. Every signature is SM2 and verified by the contract itself; the API
answers a signature that does not match with 403 `signature_mismatch`, naming the key."""

from __future__ import annotations

import pytest

from catalog.document import declared_at
from chain.actions import ActionKind, CatalogAction, entry_id_for, fresh_nonce, sign_action
from signer.canonical import canonical_bytes
from tests.api import test_sharing_api
from tests.api.helpers import body_of, confirmed, document, error_of, hex0x, path_of
from tests.api.test_sharing_api import Api
from tests.sharing import examples
from tests.signed_fields import version_sharing

api = test_sharing_api.api  # the fixture of the sharing API tests, under its own name here

COLLECTION = {"schema": "putuo.catalog-collection/1", "description": "已归集至区大数据资源分平台"}


def catalog_body(
    api: Api, officer, kind: ActionKind, entry_id: bytes, doc: dict, *, version: int = 0, reason_code: int = 0
) -> tuple[str, dict]:
    declared = declared_at(doc) if kind == ActionKind.SUBMIT else 0  # as the API derives it
    action = CatalogAction(
        kind,
        entry_id,
        version,
        reason_code,
        canonical_bytes(doc),
        fresh_nonce(),
        declared_at=declared,
        sharing=version_sharing(kind, doc),
    )
    signed = sign_action(
        action, officer.action_key, chain_id=api.desk.chain_id, catalog_address=api.runtime.deployment.catalog
    )
    path = (
        f"/v1/catalog/entries/{hex0x(entry_id)}/collection"
        if kind == ActionKind.RECORD_COLLECTION
        else path_of(kind, entry_id, version)
    )
    return path, body_of(signed, doc)


def catalog_act(api: Api, officer, kind: ActionKind, entry_id: bytes, doc: dict, **kw) -> dict:
    path, body = catalog_body(api, officer, kind, entry_id, doc, **kw)
    response = api.client.post(path, json=body)
    assert response.status_code == 202, response.json()
    assert response.json()["signer"] == officer.address
    return confirmed(api.client, response.json()["action_id"])


@pytest.fixture
def sm2_api(api):
    """The desk's owner, Data Center and demand unit, each acting through an SM2-only officer."""
    desk = api.desk
    for name in ("civil", "data_center", "street"):
        setattr(desk, name, desk.officer(getattr(desk, name).unit_id, sm2_only=True))
    return api


@pytest.mark.every_node
def test_an_sm2_only_district_catalogues_applies_and_decides(sm2_api):
    api, desk = sm2_api, sm2_api.desk
    doc = document("MZJ-SM2", "国密签名的数据资源")
    doc["data_items"] = [{"name": "姓名", "type": "string"}]
    entry_id = entry_id_for(desk.civil.unit_id, doc["code"])
    submitted = catalog_act(api, desk.civil, ActionKind.SUBMIT, entry_id, doc)
    reviewed = catalog_act(
        api,
        desk.data_center,
        ActionKind.REVIEW,
        entry_id,
        {"schema": "putuo.catalog-review/1", "decision": "approve"},
        version=1,
    )
    catalog_act(api, desk.data_center, ActionKind.RECORD_COLLECTION, entry_id, COLLECTION)
    [version] = api.get(f"/v1/catalog/entries/{hex0x(entry_id)}/versions")
    assert (
        version["submission"]["signer"] == desk.civil.address
        and version["submission"]["tx_hash"] == submitted["tx_hash"]
    )
    assert (
        version["review"]["signer"] == desk.data_center.address and version["review"]["tx_hash"] == reviewed["tx_hash"]
    )

    resource = examples.resource(entry_id=hex0x(entry_id), version=1, owner_unit_id=desk.civil.unit_hex, items=["姓名"])
    application = examples.application(
        application_no="普数需〔2026〕88号",
        demand_unit_id=desk.street.unit_hex,
        resources=[resource],
        scenario=examples.scenario(code="PT-SC-2026-001"),
    )
    demand_id = api.apply(application)  # SM2 action signature and SM2 commitment, both verified on-chain
    assert api.get(f"/v1/demands/{demand_id}")["items"][0]["status"] == "pending"
    api.done(api.decide(desk.civil, demand_id, 0))
    grants = api.get(f"/v1/units/{desk.street.unit_hex}/grants")["items"]
    assert [g["status"] for g in grants] == ["active"]
    allowed = api.get(
        "/v1/sharing/check",
        unit_id=desk.street.unit_hex,
        entry_id=hex0x(entry_id),
        version=1,
        items=application["resources"][0]["items"],
        scenario="PT-SC-2026-001",
        method="interface",
    )
    assert allowed["allowed"] is True


def test_an_sm2_signature_of_other_fields_is_a_mismatch_not_an_inactive_key(sm2_api):
    api, desk = sm2_api, sm2_api.desk
    doc = document("MZJ-SM2-X", "被篡改的提交")
    entry_id = entry_id_for(desk.civil.unit_id, doc["code"])
    path, body = catalog_body(api, desk.civil, ActionKind.SUBMIT, entry_id, doc)
    tampered = {**body, "document": {**doc, "name": "另一个名称"}}
    response = api.client.post(path, json=tampered)
    assert response.status_code == 403
    error = error_of(response)
    assert (error["code"], error["field"], error["key_id"]) == ("signature_mismatch", "signature", desk.civil.address)
    assert error["message"].startswith(f"signature: the SM2 signature of key {desk.civil.address} does not match")
    short = {**body, "signature": body["signature"][:-2]}  # the DER cut short
    response = api.client.post(path, json=short)
    assert (response.status_code, error_of(response)["code"]) == (400, "bad_signature")
    assert api.client.post(path, json=body).status_code == 202  # the genuine one
