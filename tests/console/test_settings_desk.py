"""The Office's settings in Chromium (the deadlines the measures leave to it). Its officer publishes
a new deadline for handling a data objection (Art. 16) with the notice's reason, signed with its SM2
key, after a value out of range and an empty reason were refused in the page. The step is read back
from the chain (SettingPublished: the setting's key, the value, the signer) and from the API."""

from __future__ import annotations

from api.services import responsibilities
from chain.responsibilities import setting_key
from signer.keystore import save_key
from tests.console.conftest import run_script, serving
from tests.console.test_data_quality import event_of
from tests.console.test_journey import named
from tests.console.test_supervision import synced
from tests.sharing_desk import SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N


def test_the_office_publishes_a_setting_in_the_browser(system, tmp_path):
    desk = SharingDesk(system)
    with serving(system, tmp_path, desk) as platform:
        office = save_key(
            named(desk.office.sm2, "qfb-sm2"), PASSWORD, directory=tmp_path / "keys", scrypt_n=TEST_SCRYPT_N
        )
        out = run_script("settings.mjs", CONSOLE_URL=platform.url, OFFICE_KEY=str(office), PASSWORD=PASSWORD)
        synced(platform.runtime, desk.w3)
        with platform.runtime.store.sessions() as session:
            settings = {s["name"]: s for s in responsibilities.settings(session)}

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    assert out["outOfRange"] == "新的取值：须为 1 至 30 之间的整数"
    assert out["noReason"] == "调整理由：请写明为何调整"
    published = event_of(desk, out["publishedTx"], "SettingPublished")
    assert (published.args["key"], published.args["value"]) == (setting_key("objectionHandlingDays"), 7)
    assert published.args["signer"].lower() == desk.office.sm2.key_id.lower()
    assert "处理期限延长至七个工作日" in published.args["document"].decode()
    assert settings["objectionHandlingDays"]["value"] == 7
    assert settings["objectionHandlingDays"]["published"]["proof"]["tx_hash"] == out["publishedTx"]
    assert "数据异议的处理期限" in out["settingsText"] and "区府办〔2026〕12号" in out["settingsText"]
