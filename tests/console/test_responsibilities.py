"""A responsibilities list (职责清单, Art. 11) in Chromium. The civil affairs bureau's officer records
an entry of its list from its workspace (an empty form refused in the page first), signed with its
SM2 key; the Office's officer returns it from the Office's page with a reason, the bureau revises
it from its row, the Office approves it. Each step is read back from the chain (its event, its
signer, its fields) and from the API's list."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from api.app import create_app
from chain.responsibilities import responsibility_id_for
from signer.keystore import save_key
from tests.api.auth_helpers import PLATFORM
from tests.api.test_sharing_api import Api
from tests.console.conftest import run_script, serving
from tests.console.test_data_quality import event_of
from tests.console.test_journey import named
from tests.sharing_desk import SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N

CODE = "MZJ-ZZ-01"


def test_a_unit_records_its_responsibility_and_the_office_reviews_it_in_the_browser(system, tmp_path):
    desk = SharingDesk(system)
    with serving(system, tmp_path, desk) as platform, TestClient(create_app(runtime=platform.runtime)) as c:
        c.headers.update(PLATFORM)
        api = Api(desk, c, platform.runtime)
        keys = tmp_path / "keys"
        civil = save_key(named(desk.civil.sm2, "mzj-sm2"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)
        office = save_key(named(desk.office.ecdsa, "qfb"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)

        out = run_script(
            "responsibilities.mjs",
            CONSOLE_URL=platform.url,
            CIVIL_KEY=str(civil),
            OFFICE_KEY=str(office),
            PASSWORD=PASSWORD,
            CODE=CODE,
        )
        api.synced()
        [listed] = api.get("/v1/responsibilities", unit_id=desk.civil.unit_hex)

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    assert out["emptyForm"] == "请填写：职责编码、职责名称、职责依据"
    rid = responsibility_id_for(desk.civil.unit_id, CODE)
    assert out["responsibilityId"] == "0x" + rid.hex()
    civil_key, office_key = desk.civil.sm2.key_id.lower(), desk.office.ecdsa.key_id.lower()

    first = event_of(desk, out["recordTx"], "ResponsibilityRecorded")
    assert (first.args["responsibilityId"], first.args["unitId"], first.args["version"]) == (rid, desk.civil.unit_id, 1)
    assert first.args["signer"].lower() == civil_key
    assert json.loads(first.args["document"]) == {
        "schema": "putuo.responsibility/1",
        "code": CODE,
        "name": "最低生活保障审核",
        "basis": "《社会救助暂行办法》",
    }
    returned = event_of(desk, out["returnTx"], "ResponsibilityReviewed")
    assert (returned.args["responsibilityId"], returned.args["version"], returned.args["reasonCode"]) == (rid, 1, 1)
    assert returned.args["reviewer"].lower() == office_key
    assert json.loads(returned.args["document"])["reason"] == "依据应写明具体条款"
    revised = event_of(desk, out["reviseTx"], "ResponsibilityRecorded")
    assert (revised.args["version"], json.loads(revised.args["document"])["basis"]) == (
        2,
        "《社会救助暂行办法》第十一条",
    )
    approved = event_of(desk, out["approveTx"], "ResponsibilityReviewed")
    assert (approved.args["responsibilityId"], approved.args["version"], approved.args["reasonCode"]) == (rid, 2, 0)
    assert approved.args["reviewer"].lower() == office_key

    assert CODE in out["pendingText"] and "待区府办审核" in out["pendingText"]
    assert "普陀区民政局" in out["reviewText"] and "《社会救助暂行办法》" in out["reviewText"]
    assert "已退回：依据应写明具体条款" in out["returnedText"]
    assert "已审核通过" in out["approvedText"] and "第 2 版" in out["approvedText"]
    assert (listed["responsibility_id"], listed["status"], listed["version"], listed["approved_version"]) == (
        "0x" + rid.hex(),
        "approved",
        2,
        2,
    )
    assert [s["step"] for s in listed["steps"]] == ["responsibility_recorded", "responsibility_reviewed"] * 2
