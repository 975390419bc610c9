"""The Data Center's sharing steps in Chromium. Art. 26: the Data Center suspends a grant (Art. 31);
its holder objects from the unit workspace; the Data Center upholds the objection from its page,
signed in the browser with its SM2 key, and the grant is in force again. Art. 19: it confirms a
scenario-route application, which is granted. An answer or a return without a reason is refused in
the page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from chain.sharing import StepKind
from signer.keystore import save_key
from tests.api.auth_helpers import PLATFORM
from tests.api.test_sharing_api import Api
from tests.console.conftest import run_script, serving
from tests.console.test_journey import named
from tests.sharing import examples
from tests.sharing_desk import SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N


def test_the_holder_objects_to_a_suspension_and_the_data_center_upholds_it_in_the_browser(system, tmp_path):
    desk = SharingDesk(system)
    with serving(system, tmp_path, desk) as platform, TestClient(create_app(runtime=platform.runtime)) as c:
        c.headers.update(PLATFORM)  # the test reads grants as the platform
        api = Api(desk, c, platform.runtime)
        grant_id = api.apply(api.application(scenario_class=1))
        api.step(desk.data_center, StepKind.SECURITY_SUSPEND, examples.suspension(grant_id=grant_id))
        pending = api.apply(api.application(scenario_class=1, application_no="普数需〔2026〕18号"), confirm=False)
        keys = tmp_path / "keys"
        holder = save_key(named(desk.street.ecdsa, "cfjd"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)
        data_center = save_key(
            named(desk.data_center.sm2, "dsjzx-sm2"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N
        )

        out = run_script(
            "objection.mjs",
            CONSOLE_URL=platform.url,
            HOLDER_KEY=str(holder),
            DATA_CENTER_KEY=str(data_center),
            PASSWORD=PASSWORD,
            GRANT_ID=grant_id,
            PENDING_ID=pending,
        )
        api.synced()
        grant = api.get(f"/v1/grants/{grant_id}")
        history = api.get(f"/v1/grants/{grant_id}/history")["steps"]
        confirmed = api.get(f"/v1/demands/{pending}")
        new_grant = api.get(f"/v1/grants/{pending}")

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    assert "已暂停" in out["grantsText"] and "待答复" in out["grantsText"]
    assert out["emptyReason"] == "答复理由：请填写"
    assert (grant["status"], grant["objection_pending"]) == ("active", False)
    assert [s["kind"] for s in history][-3:] == ["security_suspend", "object", "reinstate"]
    receipt = system.w3.eth.get_transaction_receipt(out["answerTx"])
    assert receipt["status"] == 1
    reinstated = [e for e in desk.events(receipt) if e.name == "SharingStep"]
    assert reinstated and reinstated[-1].args["kind"] == StepKind.REINSTATE
    # Art. 19: the application confirmed in the browser is granted.
    assert "普数需〔2026〕18号" in out["conformityText"] and "长风新村街道办事处" in out["conformityText"]
    assert out["emptyReturn"] == "退回理由：请填写"
    assert (confirmed["conformity_status"], confirmed["status"]) == ("approved", "granted")
    assert new_grant["status"] == "active"
    assert system.w3.eth.get_transaction_receipt(out["conformityTx"])["status"] == 1
