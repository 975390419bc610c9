"""The supplementary catalog's export in Chromium (Art. 12). The Data Center catalogues data the
city returned (its own entry, submitted and approved); its officer prepares the export since the
last one on its page — the page hashes the JSON and CSV files itself and holds the JSON's against
the API's header — and signs the export's record with its SM2 key. The record is read back from
the chain (CatalogExportRecorded: the export id, the blocks, the signer), the id is the keccak256 of
the file the API serves for those blocks, and the API lists the export as verified."""

from __future__ import annotations

import json

from eth_utils import keccak
from fastapi.testclient import TestClient

from api.app import create_app
from api.schemas import EXAMPLE_DOCUMENT
from catalog.document import declared_at, signed_sharing
from chain.actions import ActionKind, CatalogAction, entry_id_for, fresh_nonce, sign_action
from signer.canonical import canonical_bytes
from signer.keystore import save_key
from tests.console.conftest import run_script, serving
from tests.console.test_data_quality import event_of
from tests.console.test_journey import named
from tests.console.test_supervision import synced
from tests.ledger_cli.test_export_cmd import approved_art12_duty
from tests.sharing_desk import APPROVE_REVIEW, SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N


def test_the_data_center_exports_the_supplementary_catalog_in_the_browser(system, tmp_path):
    desk = SharingDesk(system)
    with serving(system, tmp_path, desk) as platform, TestClient(create_app(runtime=platform.runtime)) as c:
        # The Data Center catalogues what the city returned under its Art. 12 responsibility.
        rid = approved_art12_duty(platform)
        entry_id = entry_id_for(desk.data_center.unit_id, "DSJ-BC-01")
        document = {**EXAMPLE_DOCUMENT, "code": "DSJ-BC-01", "name": "市级返还婚姻登记数据", "supplementary": True}
        document.update(responsibility="0x" + rid.hex(), source={**document["source"], "method": "city_returned"})
        submission = CatalogAction(
            ActionKind.SUBMIT,
            entry_id,
            0,
            0,
            canonical_bytes(document),
            fresh_nonce(),
            declared_at=declared_at(document),
            sharing=signed_sharing(document),
            responsibility=rid,
        )
        signed = sign_action(
            submission, desk.data_center.action_key, chain_id=desk.chain_id, catalog_address=system.deployment.catalog
        )
        system.relayer.send(desk.catalog.functions.execute(signed.as_tuple()))
        desk.catalog_action(desk.data_center, ActionKind.REVIEW, entry_id, APPROVE_REVIEW, version=1)
        synced(platform.runtime, desk.w3)
        keys = tmp_path / "keys"
        data_center = save_key(
            named(desk.data_center.sm2, "dsjzx-sm2"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N
        )

        out = run_script("export.mjs", CONSOLE_URL=platform.url, DATA_CENTER_KEY=str(data_center), PASSWORD=PASSWORD)
        synced(platform.runtime, desk.w3)
        recorded = event_of(desk, out["recordedTx"], "CatalogExportRecorded")
        blocks = {"from_block": recorded.args["fromBlock"], "to_block": recorded.args["toBlock"]}
        served = c.get("/v1/catalog/supplementary/export", params={**blocks, "format": "json"})
        exports = c.get("/v1/catalog/supplementary/exports").json()

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    assert out["preparedId"] == out["exportId"] == "0x" + recorded.args["exportId"].hex()
    assert "2 个条目步骤" in out["preparedText"]  # the entry's submission and its approval
    stem = f"putuo-supplementary-{blocks['from_block']}-{blocks['to_block']}"
    assert out["files"] == [f"{stem}.json", f"{stem}.csv"]
    assert (recorded.args["sequence"], recorded.args["fromBlock"]) == (1, 1)
    assert recorded.args["signer"].lower() == desk.data_center.sm2.key_id.lower()
    assert "0x" + keccak(served.content).hex() == out["exportId"]
    assert [i["entry_id"] for i in json.loads(served.content)["items"]] == ["0x" + entry_id.hex()] * 2
    [listed] = exports
    assert (listed["export_id"], listed["verified"], listed["items"]) == (out["exportId"], True, 2)
    assert "与链上记录一致" in out["listText"]
