"""POST /v1/catalog/actions: many signed actions, accepted together or not at all."""

from __future__ import annotations

import pytest

from chain.actions import ActionKind
from chain.rpc import RpcClient
from tests.api.conftest import wait_for
from tests.api.helpers import approval, document, entry_id, hex0x, outbox_count, sign


def item(action, doc: dict, kind: str) -> dict:
    return {
        "kind": kind,
        "entry_id": hex0x(action.entry_id),
        "version": action.version,
        "document": doc,
        "nonce": str(action.nonce),
        "signature": hex0x(action.signature),
    }


@pytest.mark.every_node
def test_a_batch_may_submit_and_review_in_order(client, units):
    docs = [document(f"MZJ-07{i:02d}", f"批量编目资源{i}") for i in range(5)]
    items = []
    for doc in docs:
        eid = entry_id(units.civil, doc)
        items.append(item(sign(units.civil, ActionKind.SUBMIT, eid, doc), doc, "submit"))
    first = entry_id(units.civil, docs[0])
    items.append(item(sign(units.data_center, ActionKind.REVIEW, first, approval(), version=1), approval(), "review"))
    response = client.post("/v1/catalog/actions", json={"actions": items})
    assert response.status_code == 202, response.json()
    accepted = response.json()["accepted"]
    assert [a["status"] for a in accepted] == ["accepted"] * 6
    assert accepted[-1]["signer"] == units.data_center.address
    for a in accepted:
        wait_for(lambda a=a: client.get(f"/v1/catalog/actions/{a['action_id']}").json()["status"] == "confirmed")
    assert client.get(f"/v1/catalog/entries/{hex0x(first)}").json()["status"] == "active"
    assert units.catalog.functions.entry(first).call()[4] == 3


def test_one_bad_action_refuses_the_whole_batch_and_names_it(client, runtime, units):
    good = document("MZJ-0801", "批量甲")
    bad = document("MZJ-0802", "批量乙")
    items = [
        item(sign(units.civil, ActionKind.SUBMIT, entry_id(units.civil, good), good), good, "submit"),
        item(sign(units.market, ActionKind.SUBMIT, entry_id(units.civil, bad), bad), bad, "submit"),
    ]
    response = client.post("/v1/catalog/actions", json={"actions": items})
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("entry_id_mismatch", "actions[1].entry_id")
    assert outbox_count(runtime) == 0
    assert units.catalog.functions.entry(entry_id(units.civil, good)).call()[4] == 0


@pytest.mark.every_node
def test_a_contract_refusal_in_a_batch_is_named_by_index(client, runtime, units):
    doc = document("MZJ-0803", "批量丙")
    eid = entry_id(units.civil, doc)
    review = sign(units.data_center, ActionKind.REVIEW, eid, approval(), version=1)  # before any submission
    submit = sign(units.civil, ActionKind.SUBMIT, eid, doc)
    response = client.post(
        "/v1/catalog/actions", json={"actions": [item(review, approval(), "review"), item(submit, doc, "submit")]}
    )
    assert response.status_code == 404
    error = response.json()["error"]
    assert (error["code"], error["field"], error["contract_error"]) == (
        "unknown_entry",
        "actions[0].entry_id",
        "CatalogUnknownEntry",
    )
    assert outbox_count(runtime) == 0


def test_a_retry_in_flight_is_answered_as_before(system, units, tmp_path):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.api.conftest import make_runtime

    runtime = make_runtime(system, tmp_path)  # never started: actions stay in flight
    try:
        with TestClient(create_app(runtime=runtime)) as client:
            doc = document("MZJ-0804", "批量丁")
            body = {
                "actions": [item(sign(units.civil, ActionKind.SUBMIT, entry_id(units.civil, doc), doc), doc, "submit")]
            }
            first = client.post("/v1/catalog/actions", json=body)
            again = client.post("/v1/catalog/actions", json=body)
            assert (first.status_code, again.status_code) == (202, 202)
            assert first.json() == again.json()
            assert outbox_count(runtime) == 1
    finally:
        runtime.stop()


def test_node_outage_is_503_and_stores_nothing(client, runtime, units):
    doc = document("MZJ-0805", "批量戊")
    action = sign(units.civil, ActionKind.SUBMIT, entry_id(units.civil, doc), doc)
    runtime.rpc = RpcClient("http://127.0.0.1:9")  # nothing listens on the discard port
    response = client.post("/v1/catalog/actions", json={"actions": [item(action, doc, "submit")]})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "chain_unavailable"
    assert outbox_count(runtime) == 0


def test_an_entry_busy_in_a_batch_is_named_by_its_index_in_the_request(system, units, tmp_path):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.api.conftest import make_runtime

    runtime = make_runtime(system, tmp_path)  # never started: accepted actions stay in flight
    try:
        with TestClient(create_app(runtime=runtime)) as client:
            busy_doc, free_doc = document("MZJ-0806", "批量己"), document("MZJ-0807", "批量庚")
            busy = entry_id(units.civil, busy_doc)
            first = item(sign(units.civil, ActionKind.SUBMIT, busy, busy_doc), busy_doc, "submit")
            assert client.post("/v1/catalog/actions", json={"actions": [first]}).status_code == 202
            review = sign(units.data_center, ActionKind.REVIEW, busy, approval(), version=1)
            free = sign(units.civil, ActionKind.SUBMIT, entry_id(units.civil, free_doc), free_doc)
            response = client.post(
                "/v1/catalog/actions",
                json={"actions": [first, item(free, free_doc, "submit"), item(review, approval(), "review")]},
            )
            assert response.status_code == 409
            error = response.json()["error"]
            assert (error["code"], error["field"]) == ("entry_busy", "actions[2].entry_id")
            assert outbox_count(runtime) == 1
    finally:
        runtime.stop()
