"""A deletion request in Chromium (Art. 14). The civil affairs bureau's officer asks, from its
workspace, to delete an entry nobody uses, signed with its ECDSA key: the request is a version of
the entry on-chain (the reason its document), under review. Its entry the street holds a grant on
is refused by the chain until an adjustment plan is agreed, and the page says so in Chinese."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from signer.keystore import save_key
from tests.api.auth_helpers import PLATFORM
from tests.api.test_sharing_api import Api
from tests.console.conftest import run_script, serving
from tests.console.test_journey import named
from tests.sharing_desk import SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N

UNUSED = "殡葬服务记录"


def test_a_unit_asks_to_delete_an_entry_in_the_browser(system, tmp_path):
    desk = SharingDesk(system)
    with serving(system, tmp_path, desk) as platform, TestClient(create_app(runtime=platform.runtime)) as c:
        c.headers.update(PLATFORM)
        api = Api(desk, c, platform.runtime)
        unused_id, _ = desk.approved_entry(desk.civil, "MZJ-0077", UNUSED)  # before the API's relayer sends
        api.apply(api.application(scenario_class=1))  # the street's grant on MZJ-0001
        api.synced()
        civil = save_key(named(desk.civil.ecdsa, "mzj"), PASSWORD, directory=tmp_path / "keys", scrypt_n=TEST_SCRYPT_N)

        out = run_script(
            "deletion.mjs",
            CONSOLE_URL=platform.url,
            CIVIL_KEY=str(civil),
            PASSWORD=PASSWORD,
            UNUSED=UNUSED,
            USED="低保对象信息",
        )
        api.synced()
        entry = api.get(f"/v1/catalog/entries/0x{unused_id.hex()}")
        versions = api.get(f"/v1/catalog/entries/0x{unused_id.hex()}/versions")
        used = api.get(f"/v1/catalog/entries/0x{api.civil_entry[0].hex()}")

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    assert out["emptyReason"] == "删除理由：请写明为何删除该条目（第十四条）"
    receipt = desk.w3.eth.get_transaction_receipt(out["deletionTx"])
    assert receipt["status"] == 1
    [submitted] = [e for e in desk.events(receipt) if e.name == "CatalogVersionSubmitted"]
    assert (submitted.args["entryId"], submitted.args["version"]) == (unused_id, 2)
    assert submitted.args["signer"].lower() == desk.civil.ecdsa.key_id.lower()
    assert entry["status"] == "delete_pending"
    assert (
        versions[-1]["kind"] == "deletion"
        and versions[-1]["document"]["reason"] == "该信息系统已下线，数据资源不再产生"
    )
    assert "调整方案" in out["refusedText"] and "adjustment_plan_required" in out["refusedText"]
    assert used["status"] == "active"
