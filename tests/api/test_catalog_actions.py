"""The catalog's life through the API (Art. 11, 13, 14): every step signed by an officer,
relayed, mirrored, and then seen identically in the entry view, the version history and the
contract's own storage."""

from __future__ import annotations

import json

import pytest

from catalog.document import declared_at
from chain.actions import ActionKind, SharingAttribute
from signer.canonical import canonical_bytes
from tests.api.conftest import wait_for
from tests.api.helpers import (
    act,
    approval,
    chain_entry,
    deletion,
    doc_hash,
    document,
    entry_id,
    error_of,
    hex0x,
    outbox_count,
    post,
    return_note,
    sign,
)

NAME = "最低生活保障对象信息"


def assert_entry(
    client, units, officer, eid: bytes, *, status: str, latest: int, approved: int, pending: int, shown: dict
) -> dict:
    """The mirror's entry view and the contract agree on the entry's state; `shown` is its current document."""
    response = client.get(f"/v1/catalog/entries/{hex0x(eid)}")
    assert response.status_code == 200
    entry = response.json()
    on_chain = chain_entry(units, eid)
    duties = {k: entry[k] for k in ("resubmit_due_at", "collection_due_at", "collected_at")}
    assert on_chain == {
        "unit_id": hex0x(officer.unit_id),
        "latest": latest,
        "approved": approved,
        "pending": pending,
        "status": status,
        "created_at": entry["created_at"],
        **duties,
        # The approved version's signed attribute ("none" until a version is approved).
        "sharing": entry["sharing"] if approved else "none",
    }
    assert entry == {
        "entry_id": hex0x(eid),
        "unit_id": hex0x(officer.unit_id),
        "code": shown["code"],
        "name": shown["name"],
        "description": shown["description"],
        "status": status,
        "sharing": shown["sharing"]["attribute"],
        "opening": shown["opening"]["attribute"],
        "category": shown["classification"]["category"],
        "grade": shown["classification"]["grade"],
        "update_frequency": shown["update_frequency"],
        "latest_version": latest,
        "approved_version": approved,
        "pending_version": pending,
        "created_at": entry["created_at"],
        "document": shown,
        **duties,
        "document_problem": None,
    }
    return entry


def versions(client, eid: bytes) -> list[dict]:
    response = client.get(f"/v1/catalog/entries/{hex0x(eid)}/versions")
    assert response.status_code == 200
    return response.json()


def summary(versions_: list[dict]) -> list[tuple]:
    return [(v["version"], v["kind"], v["status"], v["review_reason_code"]) for v in versions_]


def check_submission(version: dict, status: dict, doc: dict, officer) -> None:
    """A version's submission proof is the transaction that carried the officer's action."""
    assert version["document"] == doc
    assert version["submission"]["tx_hash"] == status["tx_hash"]
    assert version["submission"]["document_hash"] == doc_hash(doc)
    assert version["submission"]["signer"] == officer.address


def check_review(version: dict, status: dict, note: dict, reviewer) -> None:
    assert version["review_document"] == note
    assert version["review"]["tx_hash"] == status["tx_hash"]
    assert version["review"]["document_hash"] == doc_hash(note)
    assert version["review"]["signer"] == reviewer.address


@pytest.mark.every_node
def test_submit_approve_change_approve_delete_approve(client, units):
    civil, dc = units.civil, units.data_center
    v1 = document("MZJ-0001", NAME)
    eid = entry_id(civil, v1)

    s1 = act(client, civil, ActionKind.SUBMIT, eid, v1)
    assert (s1["subject_type"], s1["subject_id"]) == ("entry", hex0x(eid))
    assert s1["signer"] == civil.address and s1["error"] is None
    assert_entry(client, units, civil, eid, status="under_review", latest=1, approved=0, pending=1, shown=v1)
    [version] = versions(client, eid)
    assert summary([version]) == [(1, "initial", "pending", None)]
    check_submission(version, s1, v1, civil)
    assert version["review"] is None and version["reviewed_at"] is None

    r1 = act(client, dc, ActionKind.REVIEW, eid, approval(), version=1)
    assert r1["signer"] == dc.address
    assert_entry(client, units, civil, eid, status="active", latest=1, approved=1, pending=0, shown=v1)
    [version] = versions(client, eid)
    assert summary([version]) == [(1, "initial", "approved", 0)]
    check_review(version, r1, approval(), dc)

    v2 = document(
        "MZJ-0001", NAME, "全区最低生活保障对象的家庭成员、保障金额、认定时间与复核结果。", update_frequency="quarterly"
    )
    s2 = act(client, civil, ActionKind.REQUEST_CHANGE, eid, v2)
    # Art. 14: a change request alone changes nothing that is shown; v1 stays in force.
    assert_entry(client, units, civil, eid, status="change_pending", latest=2, approved=1, pending=2, shown=v1)
    assert summary(versions(client, eid)) == [(1, "initial", "approved", 0), (2, "change", "pending", None)]
    check_submission(versions(client, eid)[1], s2, v2, civil)

    r2 = act(client, dc, ActionKind.REVIEW, eid, approval(), version=2)
    assert_entry(client, units, civil, eid, status="active", latest=2, approved=2, pending=0, shown=v2)
    assert summary(versions(client, eid)) == [(1, "initial", "approved", 0), (2, "change", "approved", 0)]
    check_review(versions(client, eid)[1], r2, approval(), dc)

    reason = deletion()
    s3 = act(client, civil, ActionKind.REQUEST_DELETE, eid, reason)
    assert_entry(client, units, civil, eid, status="delete_pending", latest=3, approved=2, pending=3, shown=v2)
    check_submission(versions(client, eid)[2], s3, reason, civil)

    r3 = act(client, dc, ActionKind.REVIEW, eid, approval(), version=3)
    # Deleted: the last approved document stays readable, as the record of what was catalogued.
    assert_entry(client, units, civil, eid, status="deleted", latest=3, approved=2, pending=0, shown=v2)
    history = versions(client, eid)
    assert summary(history) == [
        (1, "initial", "approved", 0),
        (2, "change", "approved", 0),
        (3, "deletion", "approved", 0),
    ]
    check_review(history[2], r3, approval(), dc)
    # Five actions, five distinct transactions, in chain order.
    blocks = [
        history[0]["submission"]["block_number"],
        history[0]["review"]["block_number"],
        history[1]["submission"]["block_number"],
        history[1]["review"]["block_number"],
        history[2]["submission"]["block_number"],
        history[2]["review"]["block_number"],
    ]
    assert blocks == sorted(blocks) and len(set(blocks)) == 6

    listed = client.get("/v1/catalog/entries", params={"status": "deleted"}).json()["items"]
    assert [e["entry_id"] for e in listed] == [hex0x(eid)]


@pytest.mark.every_node
def test_submit_return_resubmit_approve(client, units):
    civil, dc = units.civil, units.data_center
    v1 = document("MZJ-0002", "困难群众救助台账", "救助对象名单。")
    eid = entry_id(civil, v1)
    act(client, civil, ActionKind.SUBMIT, eid, v1)

    note = return_note(1, "缺少数据项说明与更新周期依据，请补充后重新提交。")
    returned = act(client, dc, ActionKind.REVIEW, eid, note, version=1)
    assert_entry(client, units, civil, eid, status="returned", latest=1, approved=0, pending=0, shown=v1)
    [version] = versions(client, eid)
    assert summary([version]) == [(1, "initial", "returned", 1)]
    check_review(version, returned, note, dc)
    assert units.catalog.functions.version(eid, 1).call()[8] == 1  # the reason code, on-chain

    v2 = document(
        "MZJ-0002",
        "困难群众救助台账",
        "救助对象名单、救助类别与救助金额，按月更新。",
        data_items=[
            {"name": "姓名", "type": "string"},
            {"name": "救助类别", "type": "string"},
            {"name": "救助金额", "type": "decimal", "description": "元"},
        ],
    )
    s2 = act(client, civil, ActionKind.RESUBMIT, eid, v2)
    # Never approved: the entry shows its latest version while it is under review again.
    assert_entry(client, units, civil, eid, status="under_review", latest=2, approved=0, pending=2, shown=v2)
    check_submission(versions(client, eid)[1], s2, v2, civil)

    act(client, dc, ActionKind.REVIEW, eid, approval(), version=2)
    assert_entry(client, units, civil, eid, status="active", latest=2, approved=2, pending=0, shown=v2)
    assert summary(versions(client, eid)) == [(1, "initial", "returned", 1), (2, "resubmission", "approved", 0)]


def test_returned_change_request_leaves_the_approved_version_in_force(client, units):
    civil, dc = units.civil, units.data_center
    v1 = document("MZJ-0003", "低保边缘家庭名单", "低保边缘家庭的认定信息。")
    eid = entry_id(civil, v1)
    act(client, civil, ActionKind.SUBMIT, eid, v1)
    act(client, dc, ActionKind.REVIEW, eid, approval(), version=1)

    v2 = document(
        "MZJ-0003",
        "低保边缘家庭名单（扩充）",
        "低保边缘家庭的认定信息与收入核对结果。",
        sharing={"attribute": "unconditional"},
    )
    act(client, civil, ActionKind.REQUEST_CHANGE, eid, v2)
    note = return_note(2, "共享属性调整缺少依据。")
    act(client, dc, ActionKind.REVIEW, eid, note, version=2)

    entry = assert_entry(client, units, civil, eid, status="active", latest=2, approved=1, pending=0, shown=v1)
    assert entry["sharing"] == "conditional"
    assert summary(versions(client, eid)) == [(1, "initial", "approved", 0), (2, "change", "returned", 2)]
    # The search index shows v1's text, not the refused v2's.
    found = client.get("/v1/catalog/entries", params={"q": "扩充"}).json()
    assert found["items"] == []
    found = client.get("/v1/catalog/entries", params={"q": "低保边缘"}).json()
    assert [e["entry_id"] for e in found["items"]] == [hex0x(eid)]

    # The approved entry may be changed again after the refusal.
    v3 = document("MZJ-0003", "低保边缘家庭名单", "低保边缘家庭的认定信息与复核时间。")
    act(client, civil, ActionKind.REQUEST_CHANGE, eid, v3)
    act(client, dc, ActionKind.REVIEW, eid, approval(), version=3)
    assert_entry(client, units, civil, eid, status="active", latest=3, approved=3, pending=0, shown=v3)


def test_unknown_action_id(client):
    response = client.get("/v1/catalog/actions/0x" + "12" * 32)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_action"
    assert response.json()["error"]["field"] == "action_id"


def test_a_version_whose_signed_attribute_is_not_its_documents_is_not_approved(client, runtime, units):
    """Art. 7: a version sent to the contract directly signs "unconditional" over a document that
    says 不予共享. The contract enforces what was signed, so the Data Center's approval through the
    API is refused naming the version; a return is still taken."""
    doc = document("MZJ-0777", sharing={"attribute": "not_shared", "basis": "《中华人民共和国统计法》第二十五条"})
    eid = entry_id(units.civil, doc)
    disowned = units.civil.action(
        ActionKind.SUBMIT,
        eid,
        canonical_bytes(doc),
        declared_at=declared_at(doc),
        sharing=SharingAttribute.UNCONDITIONAL,
    )
    units.system.relayer.resync()  # the platform's relayer shares this account
    units.system.relayer.send(units.catalog.functions.execute(disowned.as_tuple()))
    wait_for(lambda: client.get(f"/v1/catalog/entries/{hex0x(eid)}/versions").status_code == 200)
    [version] = client.get(f"/v1/catalog/entries/{hex0x(eid)}/versions").json()
    assert version["sharing"] == "unconditional" and version["document"]["sharing"]["attribute"] == "not_shared"
    approve = sign(units.data_center, ActionKind.REVIEW, eid, approval(), version=1)
    response = post(client, approve, approval())
    assert response.status_code == 409, response.json()
    assert (error_of(response)["code"], error_of(response)["field"]) == ("sharing_attribute_mismatch", "version")
    act(client, units.data_center, ActionKind.REVIEW, eid, return_note(2, "共享属性与文件不符"), version=1)
    assert chain_entry(units, eid)["status"] == "returned"


NO_FREQUENCY = "schema_invalid: document.update_frequency: Field required"


@pytest.mark.parametrize(("form", "problem"), [("spaced", "not_canonical"), ("partial", NO_FREQUENCY)])
def test_a_version_whose_document_nobody_can_judge_is_not_approved(client, runtime, units, form, problem):
    """#10 rule 8: a version sent to the contract directly, its document JSON as json.dumps writes
    it (not RFC 8785 canonical) or canonical without an Art. 11 element. The views show why, no list
    or search shows the entry, and the Data Center's approval through the API is refused naming the
    problem, changing nothing; a return is still taken."""
    doc = document("MZJ-0888", "无法评判的目录")
    if form == "spaced":
        raw = json.dumps(doc, ensure_ascii=False).encode()
    else:
        del doc["update_frequency"]
        raw = canonical_bytes(doc)
    eid = entry_id(units.civil, doc)
    units.system.relayer.resync()  # the platform's relayer shares this account
    units.system.relayer.send(
        units.catalog.functions.execute(
            units.civil.action(ActionKind.SUBMIT, eid, raw, declared_at=declared_at(doc)).as_tuple()
        )
    )
    wait_for(lambda: client.get(f"/v1/catalog/entries/{hex0x(eid)}/versions").status_code == 200)
    [version] = versions(client, eid)
    assert (version["status"], version["document"], version["document_problem"]) == ("pending", doc, problem)
    assert client.get(f"/v1/catalog/entries/{hex0x(eid)}").json()["document_problem"] == problem
    review_data = client.get(f"/v1/catalog/entries/{hex0x(eid)}/review-data").json()
    assert review_data["pending_version"]["document_problem"] == problem
    for query in ({}, {"q": "无法评判"}, {"status": "under_review"}):
        page = client.get("/v1/catalog/entries", params=query).json()
        assert page["items"] == [], query

    before = (chain_entry(units, eid), versions(client, eid), outbox_count(runtime))
    response = post(client, sign(units.data_center, ActionKind.REVIEW, eid, approval(), version=1), approval())
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "document_invalid",
            "message": f"version: the document of version 1 cannot be judged ({problem}); return it (#10 rule 8)",
            "field": "version",
        }
    }
    assert (chain_entry(units, eid), versions(client, eid), outbox_count(runtime)) == before

    act(client, units.data_center, ActionKind.REVIEW, eid, return_note(2, "目录文件不符合编制规范"), version=1)
    assert chain_entry(units, eid)["status"] == "returned"
