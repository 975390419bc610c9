"""A catalog adjustment plan in Chromium (Art. 14). The street holds a grant on the civil affairs
bureau's entry, so the Catalog refuses a change request to it (SharingAdjustmentPlanRequired). The
bureau's officer records from its workspace how the grant is handled, the live grants and their
units filled in by the page (GET /v1/catalog/entries/{id}/adjustment); the Data Center's officer
and the street's agree to it on their pages — each signed in the browser. The chain then takes the
change request."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from chain.actions import ActionKind
from chain.sharing import StepKind
from signer.keystore import save_key
from tests.api.auth_helpers import PLATFORM
from tests.api.test_sharing_api import Api
from tests.console.conftest import run_script, serving
from tests.console.test_journey import named
from tests.sharing_desk import SharingDesk, doc, refused
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N

CHANGE = doc("putuo.catalog/1", code="MZJ-0001", name="最低生活保障对象信息")


def step_of(desk: SharingDesk, tx: str, kind: StepKind):
    receipt = desk.w3.eth.get_transaction_receipt(tx)
    assert receipt["status"] == 1
    [event] = [e for e in desk.events(receipt) if e.name == "SharingStep" and e.args["kind"] == kind]
    return event


def test_an_adjustment_plan_is_recorded_and_agreed_in_the_browser(system, tmp_path):
    desk = SharingDesk(system)
    with serving(system, tmp_path, desk) as platform, TestClient(create_app(runtime=platform.runtime)) as c:
        c.headers.update(PLATFORM)
        api = Api(desk, c, platform.runtime)
        grant_id = api.apply(api.application(scenario_class=1))
        entry_id = api.civil_entry[0]
        change = lambda: desk.catalog_call(desk.civil, ActionKind.REQUEST_CHANGE, entry_id, CHANGE)  # noqa: E731
        refused(desk, change(), "SharingAdjustmentPlanRequired", entryId="0x" + entry_id.hex(), liveGrants=1)
        keys = tmp_path / "keys"
        civil = save_key(named(desk.civil.ecdsa, "mzj"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)
        street = save_key(named(desk.street.ecdsa, "cfjd"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)
        data_center = save_key(
            named(desk.data_center.sm2, "dsjzx-sm2"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N
        )

        out = run_script(
            "adjustment.mjs",
            CONSOLE_URL=platform.url,
            CIVIL_KEY=str(civil),
            STREET_KEY=str(street),
            DATA_CENTER_KEY=str(data_center),
            PASSWORD=PASSWORD,
        )
        api.synced()
        # The plan formed together: the Catalog takes the change request now (simulated, not sent).
        change().call({"from": system.relayer.account.address})

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    assert out["emptyPlan"] == "请填写：拟作的变更、处置方案"
    assert "长风新村街道办事处" in out["liveText"] and grant_id[:12] in out["liveText"]
    recorded = step_of(desk, out["planTx"], StepKind.RECORD_ADJUSTMENT_PLAN)
    assert (recorded.args["subject"], recorded.args["actor"].lower()) == (entry_id, desk.civil.ecdsa.key_id.lower())
    plan = recorded.args["document"].decode()
    assert f'"affected_grants":["{grant_id}"]' in plan and f'"notified_units":["{desk.street.unit_hex}"]' in plan
    assert recorded.args["terms"] == bytes(31) + b"\x01"  # AdjustmentTerms(disposition move)
    agreed = [step_of(desk, out[k], StepKind.ACKNOWLEDGE_ADJUSTMENT) for k in ("dataCenterTx", "streetTx")]
    assert [(e.args["subject"], e.args["actor"].lower()) for e in agreed] == [
        (entry_id, desk.data_center.sm2.key_id.lower()),
        (entry_id, desk.street.ecdsa.key_id.lower()),
    ]
    assert "均已同意" in out["agreedText"]
