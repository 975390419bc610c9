"""The Office's designation of an entry's responsible unit in Chromium (Art. 5). Its officer, on the
Office's page, designates the street for the civil affairs bureau's entry (an empty form refused in
the page first), signed with its SM2 key: the chain's `EntryDesignated` and the Catalog's
`CatalogOwnerDesignated` in one transaction, the entry the street's in the API, the designation
listed. Designating the same unit again is refused by the chain and told in Chinese."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from api.app import create_app
from chain.responsibilities import Disposition
from signer.keystore import save_key
from tests.api.auth_helpers import PLATFORM
from tests.api.test_sharing_api import Api
from tests.console.conftest import run_script, serving
from tests.console.test_data_quality import event_of
from tests.console.test_journey import named
from tests.sharing_desk import SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N

BASIS = "低保对象的入户核查由街道采集，区民政局与街道职责交叉；区府办指定长风新村街道为责任单位"


def test_the_office_designates_an_entrys_responsible_unit_in_the_browser(system, tmp_path):
    desk = SharingDesk(system)
    with serving(system, tmp_path, desk) as platform, TestClient(create_app(runtime=platform.runtime)) as c:
        c.headers.update(PLATFORM)
        api = Api(desk, c, platform.runtime)
        entry_id = api.civil_entry[0]
        api.synced()
        office = save_key(
            named(desk.office.sm2, "qfb-sm2"), PASSWORD, directory=tmp_path / "keys", scrypt_n=TEST_SCRYPT_N
        )

        out = run_script(
            "designation.mjs",
            CONSOLE_URL=platform.url,
            OFFICE_KEY=str(office),
            PASSWORD=PASSWORD,
            ENTRY_ID="0x" + entry_id.hex(),
            UNIT_ID=desk.street.unit_hex,
        )
        api.synced()
        entry = api.get(f"/v1/catalog/entries/0x{entry_id.hex()}")
        [listed] = api.get("/v1/designations", entry_id="0x" + entry_id.hex())

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    assert out["emptyForm"] == "请填写：条目、指定的责任单位、指定依据（第五条）"
    designated = event_of(desk, out["designationTx"], "EntryDesignated")
    assert (designated.args["entryId"], designated.args["fromUnit"], designated.args["toUnit"]) == (
        entry_id,
        desk.civil.unit_id,
        desk.street.unit_id,
    )
    assert designated.args["disposition"] == Disposition.KEEP_OPEN_DUTIES
    assert designated.args["signer"].lower() == desk.office.sm2.key_id.lower()
    assert json.loads(designated.args["document"]) == {
        "schema": "putuo.designation/1",
        "entry_id": "0x" + entry_id.hex(),
        "unit_id": desk.street.unit_hex,
        "disposition": "keep_open_duties",
        "basis": BASIS,
    }
    moved = event_of(desk, out["designationTx"], "CatalogOwnerDesignated")
    assert (moved.args["fromUnit"], moved.args["toUnit"]) == (desk.civil.unit_id, desk.street.unit_id)
    assert entry["unit_id"] == desk.street.unit_hex
    assert (listed["from_unit"], listed["unit_id"], listed["code"]) == (
        desk.civil.unit_hex,
        desk.street.unit_hex,
        int(Disposition.KEEP_OPEN_DUTIES),
    )
    assert listed["proof"]["tx_hash"] == out["designationTx"]
    for text in ("低保对象信息", "普陀区民政局", "长风新村街道办事处", "原单位的在办职责由原单位办结", BASIS):
        assert text in out["listText"]
    assert "已属于所指定的单位" in out["refusedText"] and "designation_refused" in out["refusedText"]
