"""The Office's and the regulators' supervision in Chromium. Art. 29: a street reports a data
security incident; the cyberspace office's officer finds it in the incident inbox and acknowledges
it, signed in the browser with its SM2 key. Art. 32: the evaluation shows the Art. 16 groups and the
quality, security and effectiveness figures; the Office's published results and its notice (通报)
are shown with each line's evidence, the duty the chain recorded."""

from __future__ import annotations

import datetime as dt

from eth_utils import keccak
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.evaluation import bounds
from chain import supervision as sv
from chain.actions import ActionKind, entry_id_for, fresh_nonce
from chain.quality import ActionKind as QA
from sharing.supervision_documents import SCHEMA_BY_KIND, fields
from signer.canonical import canonical_bytes
from signer.keystore import save_key
from tests.api.auth_helpers import PLATFORM
from tests.api.conftest import wait_for
from tests.api.helpers import confirmed, hex0x
from tests.console.conftest import run_script, serving
from tests.console.test_journey import named
from tests.console.test_quality import quality_action
from tests.sharing_desk import APPROVE_REVIEW, SharingDesk, entry_doc
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N

DAY = 86_400


def supervision_action(client, officer, kind: sv.ActionKind, doc: dict, system) -> dict:
    """`officer` signs `doc` as a Supervision action, as `ledger supervision` does; relayed, confirmed."""
    raw = canonical_bytes(doc)
    subject, target, code, value = fields(kind, SCHEMA_BY_KIND[kind].model_validate(doc), document=raw)
    signed = sv.sign(
        sv.SupervisionAction(kind, subject, raw, fresh_nonce(), target, code, value),
        officer.action_key,
        chain_id=system.w3.eth.chain_id,
        address=system.deployment.supervision,
    )
    body = {
        "kind": kind.name.lower(),
        "document": doc,
        "nonce": str(signed.nonce),
        "signature": hex0x(signed.signature),
    }
    response = client.post("/v1/supervision/actions", json=body)
    assert response.status_code == 202, response.json()
    return {**confirmed(client, response.json()["action_id"]), "subject_id": response.json()["subject_id"]}


def synced(runtime, w3) -> None:
    """Wait until the mirror holds the chain's latest block (after steps sent to the chain directly)."""
    head = w3.eth.block_number
    wait_for(lambda: (runtime.store.cursor() or (0,))[0] >= head)


def publish_results_and_notice(c, desk: SharingDesk, system, runtime) -> str:
    """The civil affairs bureau misses a weekly update (Art. 16); the Office publishes the period's
    results and a notice drafted from the chain's duties. The notice's evidence: that duty's start_tx."""
    entry_id = entry_id_for(desk.civil.unit_id, "MZJ-0500")
    desk.catalog_action(desk.civil, ActionKind.SUBMIT, entry_id, entry_doc("MZJ-0500", update_frequency="weekly"))
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, entry_id, APPROVE_REVIEW, version=1)
    synced(runtime, desk.w3)
    declared = {"schema": "putuo.update-frequency/1", "entry_id": hex0x(entry_id), "update_frequency": "weekly"}
    quality_action(c, desk.civil, QA.DECLARE_FREQUENCY, declared, system)
    desk.travel_to(desk.now() + 8 * DAY)  # week 0 ends without an update: overdue
    synced(runtime, desk.w3)
    evaluation = c.get("/v1/evaluation", params={"from": "2000-01-01"}).json()
    yesterday = dt.datetime.fromtimestamp(evaluation["now"], dt.timezone(dt.timedelta(hours=8))).date() - dt.timedelta(
        days=1
    )
    period = {"from": "2000-01-01", "to": yesterday.isoformat()}
    evaluation = c.get("/v1/evaluation", params=period).json()
    overdue = lambda u: sum(v["overdue"] for v in u.values() if isinstance(v, dict) and "overdue" in v)  # noqa: E731
    results = {
        "schema": "putuo.evaluation-results/1",
        "date_from": period["from"],
        "date_to": period["to"],
        "period_end": bounds(dt.date(2000, 1, 1), yesterday)[1],
        "judged_at": evaluation["now"],
        "judged_block": evaluation["now_block"],
        "csv_keccak256": hex0x(keccak(c.get("/v1/evaluation.csv", params=period).content)),
        "units": [
            {"unit_id": u["unit_id"], "name": u["name"], "rank": u["rank"], "score": u["score"], "overdue": overdue(u)}
            for u in evaluation["units"]
        ],
    }
    results_id = supervision_action(c, desk.office, sv.ActionKind.PUBLISH_RESULTS, results, system)["subject_id"]
    draft = c.get(f"/v1/evaluation/results/{results_id}/notice-draft", params={"scope": "全区各委办局"})
    assert draft.status_code == 200, draft.json()
    supervision_action(c, desk.office, sv.ActionKind.PUBLISH_NOTICE, draft.json(), system)
    [line] = draft.json()["lines"]
    return line["evidence"][0]["start_tx"]


def test_a_regulator_acknowledges_an_incident_and_reads_the_published_notice_in_the_browser(system, tmp_path):
    desk = SharingDesk(system)
    with serving(system, tmp_path, desk) as platform, TestClient(create_app(runtime=platform.runtime)) as c:
        c.headers.update(PLATFORM)
        regulator = desk.unit("PT-WXB", "auditor", "中共上海市普陀区委网络安全和信息化委员会办公室")
        evidence_tx = publish_results_and_notice(c, desk, system, platform.runtime)
        report = {
            "schema": "putuo.incident/1",
            "occurred_at": desk.now() - 3600,
            "severity": "larger",
            "summary": "街道共享接口账号口令泄露，发现异常批量调用",
            "measures": "已停用该账号并更换口令",
            "reported_to": ["district_office", "cyberspace"],
        }
        incident_id = supervision_action(c, desk.street, sv.ActionKind.REPORT_INCIDENT, report, system)["subject_id"]
        inspector = save_key(
            named(regulator.sm2, "wxb-sm2"), PASSWORD, directory=tmp_path / "keys", scrypt_n=TEST_SCRYPT_N
        )

        out = run_script(
            "supervision.mjs",
            CONSOLE_URL=platform.url,
            INSPECTOR_KEY=str(inspector),
            PASSWORD=PASSWORD,
            INCIDENT_ID=incident_id,
        )
        [incident] = c.get("/v1/supervision/incidents").json()

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    assert out["waitingBefore"] == "1" and out["waitingAfter"] == "0"
    for text in ("长风新村街道办事处", "较大", "街道共享接口账号口令泄露", "区府办、区委网信办", "尚无单位签收"):
        assert text in out["inboxText"], text
    [ack] = incident["acknowledgements"]
    assert (ack["unit_id"], ack["proof"]["signer"].lower()) == (regulator.unit_hex, regulator.sm2.key_id.lower())
    assert ack["document"] == {
        "schema": "putuo.acknowledgement/1",
        "subject_id": incident_id,
        "note": "已收悉，请持续报送处置进展",
    }
    assert ack["proof"]["tx_hash"] == out["ackTx"]
    assert system.w3.eth.get_transaction_receipt(out["ackTx"])["status"] == 1
    # Art. 32 on the Office's page: the Art. 16 groups, the other dimensions, the publications.
    for text in ("按期更新（第十六条）", "异议处理（第十六条）", "0%（0/1）"):
        assert text in out["evaluationText"], text
    assert "1 起（较大）" in out["dimensionsText"]
    assert "2000-01-01 至" in out["publishedText"] and "普陀区民政局" in out["publishedText"]
    assert "按期更新（第十六条）" in out["noticeText"] and "全区各委办局" in out["noticeText"]
    assert "按更新频率更新数据（第十六条" in out["noticeText"] and "已逾期" in out["noticeText"]
    assert out["evidence"] == [evidence_tx]
    assert out["evidenceLink"].endswith("#/catalog/" + hex0x(entry_id_for(desk.civil.unit_id, "MZJ-0500")))
