"""The Office's page (units and keys, the calendar, the Art. 32 evaluation with its chart and the
units ranked last) and the Data Center's overdue duties, in Chromium against the API."""

from __future__ import annotations

import httpx

from chain.actions import ActionKind, entry_id_for
from signer.keystore import save_key
from tests.api.auth_helpers import PLATFORM
from tests.api.conftest import wait_for
from tests.console.conftest import run_script
from tests.console.test_journey import named
from tests.sharing_desk import entry_doc
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N


def test_the_office_sees_units_keys_calendar_and_evaluation_and_the_data_center_its_overdue_reviews(platform):
    desk = platform.desk
    entry_id = entry_id_for(desk.civil.unit_id, "MZJ-0301")
    desk.catalog_action(desk.civil, ActionKind.SUBMIT, entry_id, entry_doc("MZJ-0301", "优抚对象信息"))
    desk.travel_to(desk.now() + 4 * 86400)  # past the Data Center's one working day (Art. 13)

    def overdue():
        page = httpx.get(f"{platform.url}/v1/duties", params={"state": "overdue"}, headers=PLATFORM).json()
        return page["total"] >= 1

    wait_for(overdue)
    reviewer = save_key(
        named(desk.data_center.sm2, "dsjzx-sm2"), PASSWORD, directory=platform.tmp / "keys", scrypt_n=TEST_SCRYPT_N
    )

    out = run_script("office.mjs", CONSOLE_URL=platform.url, REVIEWER_KEY=str(reviewer), PASSWORD=PASSWORD)

    assert out["lowContrast"] == []
    assert out["problems"] == [] and out["unlabelled"] == []
    for name in ("普陀区人民政府办公室", "普陀区大数据中心", "普陀区民政局", "长风新村街道办事处"):
        assert name in out["unitsText"]
    assert desk.civil.address in out["unitsText"] and desk.civil.sm2.key_id in out["unitsText"]
    assert "已公布年份：2024、2025、2026" in out["calendarText"]
    # The chart names the units in Chinese, and the glyphs have width (a CJK font rendered them).
    assert "普陀区民政局" in out["chartTexts"] and "普陀区大数据中心" in out["chartTexts"]
    widths = dict(out["labelWidths"])
    assert widths["普陀区民政局"] > 60
    assert out["laggards"].startswith("得分最低：普陀区大数据中心")
    assert "大数据中心" in out["overdueText"] and "审核（第十三条，1 个工作日）" in out["overdueText"]
    assert "优抚对象信息" in out["queueText"]
