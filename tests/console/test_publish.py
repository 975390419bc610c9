"""The Office publishes the Art. 32 evaluation in Chromium, signed with its officer's SM2 key: a
period's results (an inverted period refused in the page first), the CSV's keccak256 computed in the
browser from the file; then the notice (通报) the API drafts from the chain's duties on those
results, reviewed and signed in the page. The chain's events say who signed each, and the results'
document holds the hash of the very CSV the API serves for the period."""

from __future__ import annotations

import datetime as dt

from eth_utils import keccak
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.evaluation import bounds
from chain.actions import ActionKind, entry_id_for
from chain.client import contract_at
from chain.quality import ActionKind as QA
from signer.keystore import save_key
from tests.api.auth_helpers import PLATFORM
from tests.api.helpers import hex0x
from tests.console.conftest import run_script, serving
from tests.console.test_journey import named
from tests.console.test_quality import quality_action
from tests.console.test_supervision import synced
from tests.sharing_desk import APPROVE_REVIEW, SharingDesk, entry_doc
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N

DAY = 86_400
FROM = "2026-01-01"


def test_the_office_publishes_the_results_and_the_notice_in_the_browser(system, tmp_path):
    desk = SharingDesk(system)
    with serving(system, tmp_path, desk) as platform, TestClient(create_app(runtime=platform.runtime)) as c:
        c.headers.update(PLATFORM)
        # The civil affairs bureau misses a weekly update (Art. 16): a notifiable duty.
        entry_id = entry_id_for(desk.civil.unit_id, "MZJ-0500")
        desk.catalog_action(desk.civil, ActionKind.SUBMIT, entry_id, entry_doc("MZJ-0500", update_frequency="weekly"))
        desk.catalog_action(desk.data_center, ActionKind.REVIEW, entry_id, APPROVE_REVIEW, version=1)
        synced(platform.runtime, desk.w3)
        declared = {"schema": "putuo.update-frequency/1", "entry_id": hex0x(entry_id), "update_frequency": "weekly"}
        quality_action(c, desk.civil, QA.DECLARE_FREQUENCY, declared, system)
        desk.travel_to(desk.now() + 8 * DAY)
        synced(platform.runtime, desk.w3)
        office = save_key(
            named(desk.office.sm2, "qfb-sm2"), PASSWORD, directory=tmp_path / "keys", scrypt_n=TEST_SCRYPT_N
        )

        out = run_script("publish.mjs", CONSOLE_URL=platform.url, OFFICE_KEY=str(office), PASSWORD=PASSWORD, FROM=FROM)
        synced(platform.runtime, desk.w3)
        [results] = c.get("/v1/evaluation/results").json()
        [notice] = c.get("/v1/evaluation/notices").json()
        period = {"from": results["document"]["date_from"], "to": results["document"]["date_to"]}
        csv = c.get("/v1/evaluation.csv", params=period).content
        supervision = contract_at(system.w3, "Supervision", system.deployment.supervision).functions
        published_at = supervision.resultsPublishedAt(bytes.fromhex(out["resultsId"][2:])).call()

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    assert out["inverted"] == "考核期间：开始日期不能晚于截止日期"
    office_key = desk.office.sm2.key_id.lower()
    # The results: signed by the Office's key, for the period typed, the CSV's hash the file's.
    receipt = desk.w3.eth.get_transaction_receipt(out["resultsTx"])
    [published] = [e for e in desk.events(receipt) if e.name == "ResultsPublished"]
    assert (published.args["signer"].lower(), hex0x(published.args["resultsId"])) == (office_key, out["resultsId"])
    document = results["document"]
    yesterday = dt.datetime.fromtimestamp(desk.now(), dt.timezone(dt.timedelta(hours=8))).date() - dt.timedelta(days=1)
    assert (document["date_from"], document["date_to"]) == (FROM, yesterday.isoformat())
    end = bounds(dt.date.fromisoformat(FROM), yesterday)[1]
    assert published.args["periodEnd"] == document["period_end"] == end and published_at > 0
    assert document["csv_keccak256"] == hex0x(keccak(csv))
    civil = next(u for u in document["units"] if u["unit_id"] == desk.civil.unit_hex)
    assert civil["overdue"] >= 1
    # The notice on them: the API's draft as reviewed in the page, signed by the same key.
    receipt = desk.w3.eth.get_transaction_receipt(out["noticeTx"])
    [noticed] = [e for e in desk.events(receipt) if e.name == "NoticePublished"]
    assert noticed.args["signer"].lower() == office_key
    assert hex0x(noticed.args["resultsId"]) == out["resultsId"] == notice["results_id"]
    assert hex0x(noticed.args["noticeId"]) == out["noticeId"] == notice["notice_id"]
    [line] = notice["lines"]
    assert (line["unit_id"], line["group"], notice["scope"]) == (desk.civil.unit_hex, "update", "全区各委办局")
    assert "按更新频率更新数据（第十六条" in out["noticeText"] and "普陀区民政局" in out["draftText"]
