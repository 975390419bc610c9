"""The Data Center's Art. 19 and 31 steps in Chromium, signed with its SM2 key as `ledger sharing
step` signs them: it registers a key-work scenario (Art. 19 (2)) for named units and entries, an
incomplete form refused in the page with what to fill in; and it suspends a grant at once for a
security risk (Art. 31), reported to the Office and the regulators ticked."""

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
        data_center = save_key(
            named(desk.data_center.sm2, "dsjzx-sm2"), PASSWORD, directory=tmp_path / "keys", scrypt_n=TEST_SCRYPT_N
        )

        out = run_script(
            "datacenter_steps.mjs",
            CONSOLE_URL=platform.url,
            DATA_CENTER_KEY=str(data_center),
            PASSWORD=PASSWORD,
            GRANT_ID=grant_id,
            SCENARIO_CODE=CODE,
        )
        api.synced()
        [scenario] = [s for s in api.get("/v1/scenarios", limit=100)["items"] if s["code"] == CODE]
        grant = api.get(f"/v1/grants/{grant_id}")
        history = api.get(f"/v1/grants/{grant_id}/history")["steps"]

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    assert out["emptyScenario"] == "请填写：场景编码、场景名称、登记依据、实施方案、评估结论"
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
