"""Refusals to collect (Art. 11) in Chromium. The Data Center's officer records, on its page, that the
civil affairs bureau refused without a legal basis (an empty form refused in the page first),
signed with its SM2 key: the chain sets the Office's report due time. The Office's officer reports
it from the Office's page (an empty report refused first), signed with its ECDSA key; the bureau
reads it, reported, in its workspace. Each step read back from the chain and from the API."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from api.app import create_app
from chain.responsibilities import RefusalGround
from signer.keystore import save_key
from tests.api.auth_helpers import PLATFORM
from tests.api.test_sharing_api import Api
from tests.console.conftest import run_script, serving
from tests.console.test_data_quality import event_of
from tests.console.test_journey import named
from tests.sharing_desk import SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N

SUMMARY = "区民政局未提出法律、法规依据，拒绝向区大数据中心归集低保对象的入户核查记录"


def test_a_refusal_to_collect_is_recorded_and_reported_in_the_browser(system, tmp_path):
    desk = SharingDesk(system)
    with serving(system, tmp_path, desk) as platform, TestClient(create_app(runtime=platform.runtime)) as c:
        c.headers.update(PLATFORM)
        api = Api(desk, c, platform.runtime)
        api.synced()
        keys = tmp_path / "keys"
        data_center = save_key(
            named(desk.data_center.sm2, "dsjzx-sm2"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N
        )
        office = save_key(named(desk.office.ecdsa, "qfb"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)
        civil = save_key(named(desk.civil.ecdsa, "mzj"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)

        out = run_script(
            "refusals.mjs",
            CONSOLE_URL=platform.url,
            DATA_CENTER_KEY=str(data_center),
            OFFICE_KEY=str(office),
            CIVIL_KEY=str(civil),
            PASSWORD=PASSWORD,
            UNIT_ID=desk.civil.unit_hex,
        )
        api.synced()
        [listed] = api.get("/v1/refusals")

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    assert out["emptyForm"] == "请填写：拒绝归集的单位、拒绝归集的数据（第十一条）"
    assert out["emptyReport"] == "报告内容：请写明拒绝归集的情况（第十一条）"
    recorded = event_of(desk, out["recordTx"], "RefusalRecorded")
    refusal_id = recorded.args["refusalId"]
    assert "0x" + refusal_id.hex() == out["refusalId"]
    assert (recorded.args["unitId"], recorded.args["ground"]) == (desk.civil.unit_id, RefusalGround.NO_LEGAL_BASIS)
    assert recorded.args["signer"].lower() == desk.data_center.sm2.key_id.lower()
    due = recorded.args["reportDueAt"]
    assert due > desk.w3.eth.get_block(recorded.block_number)["timestamp"]
    assert json.loads(recorded.args["document"]) == {
        "schema": "putuo.refusal/1",
        "unit_id": desk.civil.unit_hex,
        "data": "低保对象的入户核查记录",
        "ground": "no_legal_basis",
    }
    reported = event_of(desk, out["reportTx"], "RefusalReported")
    assert (reported.args["refusalId"], reported.args["reportDueAt"]) == (refusal_id, due)
    assert reported.args["signer"].lower() == desk.office.ecdsa.key_id.lower()
    assert json.loads(reported.args["document"]) == {
        "schema": "putuo.refusal-report/1",
        "refusal_id": out["refusalId"],
        "reported_to": ["中共上海市普陀区委", "上海市普陀区人民政府"],
        "summary": SUMMARY,
    }
    assert (listed["refusal_id"], listed["unit_id"], listed["ground"], listed["report_due_at"]) == (
        out["refusalId"],
        desk.civil.unit_hex,
        "no_legal_basis",
        due,
    )
    assert listed["report"]["proof"]["tx_hash"] == out["reportTx"]
    assert "普陀区民政局" in out["officeText"] and "报告期限" in out["officeText"]
    for text in (out["reportedText"], out["unitText"]):
        assert "低保对象的入户核查记录" in text and "已报告" in text and "上海市普陀区人民政府" in text
