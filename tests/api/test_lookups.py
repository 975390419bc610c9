"""Lookups answered from the mirror: entries, search, filters, pages, proofs, units and keys.

`TestLookups` reads one district built once for the class (two batches of signed actions sent
straight to `executeBatch`, mirrored by the runtime's follower); its tests only read, and the
chain snapshot taken before it is reverted after it. The typed-data tests write, so they run on
their own fresh system.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from eth_account import Account
from eth_utils import keccak, to_checksum_address
from fastapi.testclient import TestClient

from api.app import create_app
from catalog.document import declared_at, signed_sharing
from chain.actions import ActionKind, SharingAttribute, entry_id_for
from chain.events import receipt_events
from signer import sm2
from signer.canonical import canonical_bytes
from tests.api.conftest import make_runtime, wait_for
from tests.api.helpers import (
    approval,
    confirmed,
    deletion,
    doc_hash,
    document,
    error_of,
    hex0x,
    outbox_count,
    return_note,
    sign,
)
from tests.conftest import Units

LOW_INCOME = "最低生活保障对象信息"
NOT_SHARED = {"attribute": "not_shared", "basis": "《残疾人保障法》及个人信息保护相关规定"}


@dataclass
class District:
    client: TestClient
    units: Units
    system: object
    entries: dict[str, bytes] = field(default_factory=dict)  # label -> entry id
    docs: dict[tuple[str, int], dict] = field(default_factory=dict)  # (label, version) -> document
    receipts: list = field(default_factory=list)
    extra_officer: object = None
    revoked_officer: object = None
    sm2_public: bytes = b""

    def id(self, label: str) -> str:
        return hex0x(self.entries[label])

    def ids(self, *labels: str) -> list[str]:
        return [self.id(label) for label in labels]


def _build(system, units: Units, client: TestClient) -> District:
    d = District(client, units, system)
    civil, market, dc = units.civil, units.market, units.data_center
    batch: list = []

    def submit(label, officer, doc):
        d.entries[label] = entry_id_for(officer.unit_id, doc["code"])
        d.docs[(label, 1)] = doc
        batch.append(sign(officer, ActionKind.SUBMIT, d.entries[label], doc))

    def owner(label, officer, kind, doc, version):
        d.docs[(label, version)] = doc
        batch.append(sign(officer, kind, d.entries[label], doc))

    def review(label, note, version):
        batch.append(sign(dc, ActionKind.REVIEW, d.entries[label], note, version=version))

    def send():
        receipt = system.relayer.send(units.catalog.functions.executeBatch([a.as_tuple() for a in batch]))
        # A skipped action would leave the district silently different from what the tests assume.
        assert [e.name for e in receipt_events(receipt) if e.name == "ActionRejected"] == []
        d.receipts.append(receipt)
        batch.clear()

    # Submission order is `seq` order: lists come back in the reverse (newest first).
    submit("C1", civil, document("MZJ-0001", LOW_INCOME, "全区最低生活保障对象的家庭成员、保障金额与认定时间。"))
    review("C1", approval(), 1)
    submit(
        "C2",
        civil,
        document(
            "MZJ-0002",
            "人口普查汇总数据",
            "第七次全国人口普查的街道级汇总结果。",
            sharing={"attribute": "unconditional"},
            update_frequency="annual",
            classification={"category": "人口", "grade": "L1"},
        ),
    )
    submit(
        "C3",
        civil,
        document(
            "MZJ-0003",
            "残疾人 GIS 分布图层",
            "残疾人居住地的空间分布，供社区服务规划使用。",
            sharing=NOT_SHARED,
            update_frequency="irregular",
            classification={"category": "民生保障", "grade": "L4"},
        ),
    )
    review("C3", return_note(1, "缺少数据项说明。"), 1)
    submit(
        "M1",
        market,
        document(
            "SCJ-0001",
            "市场主体登记信息",
            "辖区内企业与个体工商户的登记、变更与注销信息。",
            sharing={"attribute": "unconditional"},
            update_frequency="daily",
            classification={"category": "市场监管", "grade": "L2"},
        ),
    )
    review("M1", approval(), 1)
    # Every bigram of 市场主体 (市场, 场主, 主体) occurs here, but never the phrase itself.
    submit(
        "M2",
        market,
        document(
            "SCJ-0002",
            "农贸市场场主登记",
            "菜场经营户的摊位、经营主体与租赁期限。",
            update_frequency="weekly",
            classification={"category": "市场监管", "grade": "L2"},
        ),
    )
    # Art. 13: the same name (up to spaces) as C1, from the same unit, is a possible duplicate.
    submit("C4", civil, document("MZJ-0004", "最低生活保障 对象信息", "街道上报的最低生活保障对象名册。"))
    # The same name from another unit is not.
    submit("M3", market, document("SCJ-0003", LOW_INCOME, "市场监管部门掌握的低收入经营户名单。"))
    # A deleted entry of the same name is not a duplicate either.
    submit("C5", civil, document("MZJ-0005", LOW_INCOME, "已停用的旧版名册。"))
    review("C5", approval(), 1)
    owner("C5", civil, ActionKind.REQUEST_DELETE, deletion(), 2)
    review("C5", approval(), 2)
    submit(
        "M4",
        market,
        document(
            "SCJ-0004",
            "企业年报 API 接口数据",
            "企业年度报告的 OpenAPI 接口调用记录。",
            sharing={"attribute": "unconditional"},
            update_frequency="quarterly",
            classification={"category": "市场监管", "grade": "L1"},
        ),
    )
    review("M4", approval(), 1)
    send()

    owner(
        "C1",
        civil,
        ActionKind.REQUEST_CHANGE,
        document("MZJ-0001", LOW_INCOME, "全区最低生活保障对象的家庭成员、保障金额、认定时间与复核结果。"),
        2,
    )
    review("C1", approval(), 2)
    owner(
        "M4",
        market,
        ActionKind.REQUEST_CHANGE,
        document(
            "SCJ-0004",
            "企业年报 API 接口数据",
            "企业年度报告接口调用记录（含失败原因）。",
            sharing={"attribute": "unconditional"},
            update_frequency="quarterly",
            classification={"category": "市场监管", "grade": "L1"},
        ),
        2,
    )
    send()

    # Keys: a second civil officer with an SM2 key as well, and a third whose key is revoked.
    d.extra_officer = Account.create()
    _, d.sm2_public = sm2.generate_keypair()
    system.office.send(units.registry.functions.registerOfficer(civil.unit_id, d.extra_officer.address, d.sm2_public))
    d.revoked_officer = units.add_officer(civil.unit_id)
    system.office.send(units.registry.functions.revokeKey(d.revoked_officer.address))

    def mirrored():
        m4 = client.get(f"/v1/catalog/entries/{d.id('M4')}").json()
        keys = client.get(f"/v1/units/{hex0x(civil.unit_id)}/keys").json()
        return m4.get("status") == "change_pending" and any(k["revoked_at"] for k in keys)

    wait_for(mirrored)
    return d


@pytest.fixture(scope="class")
def district(_systems, tmp_path_factory):
    system = _systems("anvil")
    snapshot = system.snapshot()
    try:
        units = Units(system)
        runtime = make_runtime(system, tmp_path_factory.mktemp("lookups"))
        runtime.start()
        try:
            with TestClient(create_app(runtime=runtime)) as client:
                yield _build(system, units, client)
        finally:
            runtime.stop()
    finally:
        system.revert(snapshot)


def listed(client, **params) -> list[str]:
    response = client.get("/v1/catalog/entries", params=params)
    assert response.status_code == 200, response.json()
    return [e["entry_id"] for e in response.json()["items"]]


ALL = ["M4", "C5", "M3", "C4", "M2", "M1", "C3", "C2", "C1"]  # newest first


class TestLookups:
    def test_get_by_id_shows_the_approved_document(self, district):
        c1 = district.client.get(f"/v1/catalog/entries/{district.id('C1')}").json()
        doc = district.docs[("C1", 2)]
        assert c1["document"] == doc
        assert (c1["status"], c1["latest_version"], c1["approved_version"], c1["pending_version"]) == (
            "active",
            2,
            2,
            0,
        )
        assert (c1["code"], c1["name"], c1["description"]) == ("MZJ-0001", LOW_INCOME, doc["description"])
        # A pending change shows the approved version 1, not the requested version 2.
        m4 = district.client.get(f"/v1/catalog/entries/{district.id('M4')}").json()
        assert m4["document"] == district.docs[("M4", 1)]
        assert (m4["status"], m4["latest_version"], m4["approved_version"], m4["pending_version"]) == (
            "change_pending",
            2,
            1,
            2,
        )
        # Ids are case-insensitive hex.
        upper = district.client.get("/v1/catalog/entries/0x" + district.id("C1")[2:].upper())
        assert upper.status_code == 200 and upper.json()["entry_id"] == district.id("C1")

    @pytest.mark.parametrize(
        ("q", "expected"),
        [
            ("人口", ["C2"]),  # two characters
            ("最低生活保障", ["M3", "C4", "C1"]),  # longer; the deleted C5 only with status=deleted
            ("残", ["C3"]),  # a single character
            ("菜场", ["M2"]),  # description only
            ("市场主体", ["M1"]),  # M2 holds every bigram but not the phrase
            ("gi", ["C3"]),  # a Latin prefix of GIS
            ("ＧＩＳ", ["C3"]),  # full-width, NFKC-normalised
            ("GIS 分布", ["C3"]),
            ("open", ["M4"]),  # prefix of OpenAPI
            ("API", ["M4"]),
            ("复核结果", ["C1"]),  # text of the approved change (version 2), not of version 1
            ("家庭成员、保障金额与认定", []),  # version 1's text is no longer searchable
            ("失败原因", []),  # M4's requested, unapproved change is not searchable yet
            ("低保", []),
            ("pena", []),  # Latin matches by word prefix, not inside a word
        ],
    )
    def test_search(self, district, q, expected):
        assert listed(district.client, q=q) == district.ids(*expected)

    def test_search_with_filters(self, district):
        client, civil = district.client, district.units.civil
        assert listed(client, q="最低生活保障", unit_id=hex0x(civil.unit_id)) == district.ids("C4", "C1")
        assert listed(client, q="最低生活保障", status="deleted") == district.ids("C5")
        assert listed(client, q="最低生活保障", status="under_review") == district.ids("M3", "C4")

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"unit_id": "civil"}, ["C4", "C3", "C2", "C1"]),  # without status, deleted entries are left out
            ({"unit_id": "market"}, ["M4", "M3", "M2", "M1"]),
            ({"unit_id": "data_center"}, []),
            ({"sharing": "not_shared"}, ["C3"]),
            ({"sharing": "unconditional"}, ["M4", "M1", "C2"]),
            ({"sharing": "conditional"}, ["M3", "C4", "M2", "C1"]),
            ({"category": "人口"}, ["C2"]),
            ({"category": "市场监管"}, ["M4", "M2", "M1"]),
            ({"grade": "L4"}, ["C3"]),
            ({"grade": "L2"}, ["M2", "M1"]),
            ({"update_frequency": "daily"}, ["M1"]),
            ({"update_frequency": "annual"}, ["C2"]),
            ({"status": "active"}, ["M1", "C1"]),
            ({"status": "under_review"}, ["M3", "C4", "M2", "C2"]),
            ({"status": "returned"}, ["C3"]),
            ({"status": "change_pending"}, ["M4"]),
            ({"status": "deleted"}, ["C5"]),
            ({"status": "delete_pending"}, []),
            ({"unit_id": "civil", "status": "under_review"}, ["C4", "C2"]),
            ({"unit_id": "market", "grade": "L1", "sharing": "unconditional"}, ["M4"]),
        ],
    )
    def test_filters(self, district, params, expected):
        if "unit_id" in params:
            params = {**params, "unit_id": hex0x(getattr(district.units, params["unit_id"]).unit_id)}
        assert listed(district.client, **params) == district.ids(*expected)

    def test_pagination_newest_first(self, district):
        client = district.client
        live = [label for label in ALL if label != "C5"]  # the deleted entry shows only with status=deleted
        pages = [client.get("/v1/catalog/entries", params={"limit": 3, "offset": o}).json() for o in (0, 3, 6, 8)]
        assert [[e["entry_id"] for e in p["items"]] for p in pages] == [
            district.ids(*live[0:3]),
            district.ids(*live[3:6]),
            district.ids(*live[6:]),
            [],
        ]
        assert [(p["limit"], p["offset"], p["has_more"]) for p in pages] == [
            (3, 0, True),
            (3, 3, True),
            (3, 6, False),
            (3, 8, False),
        ]
        assert [p["total"] for p in pages] == [len(live)] * 4
        assert client.get("/v1/catalog/entries", params={"status": "deleted", "limit": 1}).json()["total"] == 1
        searched = client.get("/v1/catalog/entries", params={"q": "信息", "limit": 1}).json()
        assert searched["total"] is None  # a search is not counted: it stops after its page
        exact = client.get("/v1/catalog/entries", params={"limit": 8}).json()
        assert exact["has_more"] is False and len(exact["items"]) == 8
        default = client.get("/v1/catalog/entries").json()
        assert (default["limit"], default["offset"], default["has_more"]) == (20, 0, False)
        assert [e["entry_id"] for e in default["items"]] == district.ids(*live)

    def test_versions_carry_their_on_chain_proof(self, district):
        units, w3 = district.units, district.system.w3
        first, second = district.receipts
        eid = district.entries["C1"]
        history = district.client.get(f"/v1/catalog/entries/{hex0x(eid)}/versions").json()
        assert [(v["version"], v["kind"], v["status"]) for v in history] == [
            (1, "initial", "approved"),
            (2, "change", "approved"),
        ]
        for version, receipt in zip(history, (first, second)):
            doc = district.docs[("C1", version["version"])]
            block = receipt["blockNumber"]
            assert version["document"] == doc
            assert version["submission"] == {
                "tx_hash": receipt["transactionHash"].to_0x_hex(),
                "block_number": block,
                "document_hash": doc_hash(doc),
                "signer": units.civil.address,
            }
            assert version["review"] == {
                "tx_hash": receipt["transactionHash"].to_0x_hex(),
                "block_number": block,
                "document_hash": doc_hash(approval()),
                "signer": units.data_center.address,
            }
            assert version["review_document"] == approval() and version["review_reason_code"] == 0
            assert version["submitted_at"] == version["reviewed_at"] == w3.eth.get_block(block)["timestamp"]
            # The proof checks against the contract's own record.
            stored = units.catalog.functions.version(eid, version["version"]).call()
            assert (hex0x(stored[0]), stored[1], stored[2], stored[6]) == (
                version["submission"]["document_hash"],
                units.civil.address,
                version["submitted_at"],
                units.data_center.address,
            )

    def test_returned_version_shows_its_reason(self, district):
        [version] = district.client.get(f"/v1/catalog/entries/{district.id('C3')}/versions").json()
        assert (version["status"], version["review_reason_code"]) == ("returned", 1)
        assert version["review_document"] == return_note(1, "缺少数据项说明。")
        assert version["review"]["document_hash"] == doc_hash(return_note(1, "缺少数据项说明。"))

    def test_review_data_lists_possible_duplicates(self, district):
        client = district.client
        c4 = client.get(f"/v1/catalog/entries/{district.id('C4')}/review-data").json()
        assert c4["entry"]["entry_id"] == district.id("C4")
        assert c4["pending_version"]["version"] == 1 and c4["pending_version"]["status"] == "pending"
        assert c4["pending_version"]["document"] == district.docs[("C4", 1)]
        # C1 only: M3 has the name but another unit; C5 has it but is deleted.
        assert [e["entry_id"] for e in c4["duplicates"]] == district.ids("C1")
        c1 = client.get(f"/v1/catalog/entries/{district.id('C1')}/review-data").json()
        assert c1["pending_version"] is None
        assert [e["entry_id"] for e in c1["duplicates"]] == district.ids("C4")
        m3 = client.get(f"/v1/catalog/entries/{district.id('M3')}/review-data").json()
        assert m3["duplicates"] == []
        c5 = client.get(f"/v1/catalog/entries/{district.id('C5')}/review-data").json()
        assert [e["entry_id"] for e in c5["duplicates"]] == district.ids("C4", "C1")  # newest first

    def test_units(self, district):
        units = district.units
        response = district.client.get("/v1/units")
        assert response.status_code == 200
        got = [(u["unit_id"], u["code"], u["kind"], u["name"]) for u in response.json()]
        assert got == [
            (hex0x(units.data_center.unit_id), "PT-DSJZX", "data_center", "普陀区大数据中心"),
            (hex0x(units.civil.unit_id), "PT-MZJ", "ordinary", "普陀区民政局"),
            (hex0x(units.market.unit_id), "PT-SCJGJ", "ordinary", "普陀区市场监督管理局"),
            (hex0x(units.auditor.unit_id), "PT-WXB", "auditor", "区委网信办"),
        ]
        blocks = [u["registered_block"] for u in response.json()]
        assert blocks == sorted(blocks) and len(set(blocks)) == 4

    def test_unit_keys(self, district):
        civil = district.units.civil
        response = district.client.get(f"/v1/units/{hex0x(civil.unit_id)}/keys")
        assert response.status_code == 200
        keys = response.json()
        sm2_id = to_checksum_address(keccak(district.sm2_public)[:20])
        got = [(k["key_id"], k["scheme"], k["public_key"], k["active"], k["revoked_at"] is None) for k in keys]
        extra = district.extra_officer.address
        assert sorted(got) == sorted(
            [
                (civil.address, "ecdsa", civil.address.lower(), True, True),
                (extra, "ecdsa", extra.lower(), True, True),
                (sm2_id, "sm2", hex0x(district.sm2_public), True, True),
                (district.revoked_officer.address, "ecdsa", district.revoked_officer.address.lower(), False, False),
            ]
        )
        assert all(k["unit_id"] == hex0x(civil.unit_id) for k in keys)
        blocks = [k["registered_at"] for k in keys]
        assert blocks == sorted(blocks)

    def test_unknown_unit(self, district):
        response = district.client.get("/v1/units/0x" + "00" * 32 + "/keys")
        assert response.status_code == 404
        assert error_of(response) == {
            "code": "unknown_unit",
            "field": "unit_id",
            "message": "unit_id: no unit 0x" + "00" * 32,
        }

    def test_entry_id(self, district):
        civil = district.units.civil
        response = district.client.get(
            "/v1/catalog/entry-id", params={"unit_id": hex0x(civil.unit_id), "code": "MZJ-0001"}
        )
        assert response.status_code == 200
        assert response.json() == district.id("C1") == hex0x(keccak(civil.unit_id + b"MZJ-0001"))
        other = district.client.get(
            "/v1/catalog/entry-id", params={"unit_id": hex0x(district.units.market.unit_id), "code": "MZJ-0001"}
        ).json()
        assert other != district.id("C1")


def _typed_data(client, kind: str, eid: bytes, doc: dict, nonce: int, version: int = 0) -> dict:
    response = client.post(
        "/v1/catalog/typed-data",
        json={"kind": kind, "entry_id": hex0x(eid), "version": version, "document": doc, "nonce": str(nonce)},
    )
    assert response.status_code == 200, response.json()
    return response.json()


def _wallet_sign(key, message: dict) -> str:
    """What a wallet does with the API's message: hex fields back to bytes, then EIP-712."""
    full = {**message, "message": {**message["message"]}}
    for name in ("entryId", "document"):
        full["message"][name] = bytes.fromhex(full["message"][name][2:])
    full["message"]["nonce"] = int(full["message"]["nonce"])
    return hex0x(bytes(Account.sign_typed_data(key, full_message=full).signature))


def test_typed_data_signed_by_a_wallet_is_accepted(client, runtime, units):
    civil, dc = units.civil, units.data_center
    doc = document("MZJ-0100", "养老服务补贴发放信息")
    eid = entry_id_for(civil.unit_id, doc["code"])
    nonce = 2**200 + 17  # well above 2**53: a decimal string both ways

    message = _typed_data(client, "submit", eid, doc, nonce)
    assert message["primaryType"] == "CatalogAction"
    assert message["domain"] == {
        "name": "PutuoCatalog",
        "version": "1",
        "chainId": runtime.chain_id,
        "verifyingContract": runtime.deployment.catalog,
    }
    doc_bytes = canonical_bytes(doc)
    assert message["message"]["document"] == hex0x(doc_bytes)
    assert (
        message["message"]["kind"],
        message["message"]["version"],
        message["message"]["reasonCode"],
        message["message"]["nonce"],
        message["message"]["sharing"],
    ) == (0, 0, 0, str(nonce), SharingAttribute[doc["sharing"]["attribute"].upper()])
    before = outbox_count(runtime)
    assert before == 0  # asking for typed data stores nothing

    signature = _wallet_sign(civil.account.key, message)
    response = client.post(
        "/v1/catalog/entries",
        json={"entry_id": hex0x(eid), "document": doc, "nonce": str(nonce), "signature": signature},
    )
    assert response.status_code == 202, response.json()
    assert response.json()["signer"] == civil.address
    # The action id is the contract's own digest of the action.
    on_chain_digest = units.catalog.functions.actionDigest(
        # No responsibility named (this chain's Office requires none yet): 32 zero bytes (Art. 11).
        (0, eid, 0, 0, doc_bytes, nonce, declared_at(doc), signed_sharing(doc), bytes(32), bytes.fromhex(signature[2:]))
    ).call()
    assert response.json()["action_id"] == hex0x(on_chain_digest)
    confirmed(client, response.json()["action_id"])

    # A return: the review note's reason code goes into the signed message.
    note = return_note(3, "与 MZJ-0001 重复编目。")
    message = _typed_data(client, "review", eid, note, 5, version=1)
    assert (message["message"]["kind"], message["message"]["version"], message["message"]["reasonCode"]) == (4, 1, 3)
    response = client.post(
        f"/v1/catalog/entries/{hex0x(eid)}/versions/1/review",
        json={"document": note, "nonce": "5", "signature": _wallet_sign(dc.account.key, message)},
    )
    assert response.status_code == 202, response.json()
    confirmed(client, response.json()["action_id"])
    entry = client.get(f"/v1/catalog/entries/{hex0x(eid)}").json()
    assert entry["status"] == "returned"
    assert units.catalog.functions.version(eid, 1).call()[8] == 3  # the reason code


def test_typed_data_refuses_what_the_api_would_refuse(client, runtime, units):
    eid = "0x" + "ab" * 32
    bad = document("MZJ-0101")
    del bad["coverage"]
    response = client.post(
        "/v1/catalog/typed-data", json={"kind": "submit", "entry_id": eid, "document": bad, "nonce": "1"}
    )
    assert response.status_code == 422
    assert (error_of(response)["code"], error_of(response)["field"]) == ("invalid_document", "document.coverage")
    # A review note is checked against the review schema, not the catalog one.
    response = client.post(
        "/v1/catalog/typed-data",
        json={"kind": "review", "entry_id": eid, "version": 1, "document": document("MZJ-0101"), "nonce": "1"},
    )
    assert response.status_code == 422 and error_of(response)["code"] == "invalid_document"
    response = client.post(
        "/v1/catalog/typed-data", json={"kind": "approve", "entry_id": eid, "document": {}, "nonce": "1"}
    )
    assert response.status_code == 422
    assert (error_of(response)["code"], error_of(response)["field"]) == ("invalid_request", "kind")
    assert outbox_count(runtime) == 0
