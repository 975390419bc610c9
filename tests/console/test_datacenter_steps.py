"""The Data Center's Art. 19 and 31 steps in Chromium, signed with its SM2 key as `ledger sharing
step` signs them: it registers a key-work scenario (Art. 19 (2)) for named units and entries, an
incomplete form refused in the page with what to fill in, and a message whose terms are not the
document's refused before signing; and it suspends a grant at once for a
security risk (Art. 31), reported to the Office and the regulators ticked, then reports it
(报送), which a regulator's officer acknowledges on the supervision page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from chain.sharing import StepKind
from signer.keystore import save_key
from tests.api.auth_helpers import PLATFORM
from tests.api.test_sharing_api import Api
from tests.console.conftest import run_script, serving
from tests.console.test_journey import named
from tests.sharing_desk import SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N

CODE = "PT-SC-2026-007"


def test_the_data_center_registers_a_scenario_and_suspends_a_grant_in_the_browser(system, tmp_path):
    desk = SharingDesk(system)
    with serving(system, tmp_path, desk) as platform, TestClient(create_app(runtime=platform.runtime)) as c:
        c.headers.update(PLATFORM)
        api = Api(desk, c, platform.runtime)
        grant_id = api.apply(api.application(scenario_class=1))
        regulator = desk.unit("PT-WXB", "auditor", "中共上海市普陀区委网络安全和信息化委员会办公室")
        keys = tmp_path / "keys"
        data_center = save_key(
            named(desk.data_center.sm2, "dsjzx-sm2"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N
        )
        inspector = save_key(named(regulator.ecdsa, "wxb"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)

        out = run_script(
            "datacenter_steps.mjs",
            CONSOLE_URL=platform.url,
            DATA_CENTER_KEY=str(data_center),
            REGULATOR_KEY=str(inspector),
            PASSWORD=PASSWORD,
            GRANT_ID=grant_id,
            SCENARIO_CODE=CODE,
        )
        api.synced()
        [scenario] = [s for s in api.get("/v1/scenarios", limit=100)["items"] if s["code"] == CODE]
        grant = api.get(f"/v1/grants/{grant_id}")
        history = api.get(f"/v1/grants/{grant_id}/history")["steps"]
        [report] = api.get("/v1/supervision/measure-reports")

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    assert out["emptyScenario"] == "请填写：场景编码、场景名称、登记依据、实施方案、评估结论"
    assert out["tamperedTerms"] == "未能登记：平台给出的待签消息中的条款与文档不符，拒绝签名"
    assert out["keyWorkMissing"] == "请填写：重点工作、授权单位（至少选一个）、授权目录条目（至少选一个）"
    assert (scenario["name"], scenario["scenario_class"], scenario["approved"]) == ("独居老人紧急救助联动", 2, True)
    assert (scenario["units"], scenario["entries"]) == ([desk.street.unit_hex], ["0x" + api.civil_entry[0].hex()])
    assert "已批准" in out["scenarioRow"]
    assert system.w3.eth.get_transaction_receipt(out["scenarioTx"])["status"] == 1
    # Art. 31: suspended at once, reported to the Office, the cyberspace office and public security.
    assert out["emptyRisk"] == "安全风险：请写明发现的风险"
    assert grant["status"] == "suspended"
    assert history[-1]["kind"] == StepKind.SECURITY_SUSPEND.name.lower()
    assert history[-1]["document"] == {
        "schema": "putuo.grant-suspension/1",
        "grant_id": grant_id,
        "risk": "发现异常批量导出，疑似账号被盗用",
        "reported_to": ["district_office", "cyberspace", "public_security"],
    }
    assert history[-1]["tx_hash"] == out["suspendTx"]
    assert "已暂停" in out["grantsText"]
    # Reported to the Office and the regulators, and acknowledged by the cyberspace office's officer.
    assert (report["grant_id"], report["measure"]) == (grant_id, "suspension")
    assert report["reported"]["document"]["summary"] == "发现异常批量导出，已立即暂停该授权"
    assert report["reported"]["proof"]["tx_hash"] == out["reportTx"]
    assert "区府办、区委网信办" in out["reportsText"] and "尚无单位签收" in out["reportsText"]
    [ack] = report["acknowledgements"]
    assert (ack["unit_id"], ack["proof"]["signer"], ack["proof"]["tx_hash"]) == (
        regulator.unit_hex,
        regulator.address,
        out["ackTx"],
    )
    assert ack["document"] == {"schema": "putuo.acknowledgement/1", "subject_id": report["report_id"]}
