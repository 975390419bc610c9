"""Data quality in Chromium (Art. 15–16). The civil affairs bureau's officer declares an entry's
update frequency from its workspace (the approved version's), signed with its ECDSA key; the Data
Center's officer, with its SM2 key, records an update received — the SM3 of the delivered file
computed in the browser — then a reconciliation with the bureau that found a discrepancy (an empty
period refused in the page first), then raises a data objection from it. Each is read back from the
chain: its event, its signer, the ids derived in the page."""

from __future__ import annotations

from chain.actions import ActionKind, entry_id_for
from signer.keystore import save_key
from signer.sm3 import sm3
from tests.console.conftest import run_script, serving
from tests.console.test_journey import named
from tests.console.test_supervision import synced
from tests.sharing_desk import APPROVE_REVIEW, SharingDesk, entry_doc
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N

WEEKLY, DISCREPANCIES, RECONCILIATION = 3, 2, 2  # IDataQuality.UpdateFrequency, ReconciliationResult, ObjectionSource
BATCH = "姓名,保障金额\n张三,1420\n李四,1420\n".encode()


def event_of(desk: SharingDesk, tx: str, name: str):
    receipt = desk.w3.eth.get_transaction_receipt(tx)
    assert receipt["status"] == 1
    [event] = [e for e in desk.events(receipt) if e.name == name]
    return event


def test_the_data_center_records_updates_reconciles_and_objects_in_the_browser(system, tmp_path):
    desk = SharingDesk(system)
    with serving(system, tmp_path, desk) as platform:
        entry_id = entry_id_for(desk.civil.unit_id, "MZJ-0500")
        desk.catalog_action(desk.civil, ActionKind.SUBMIT, entry_id, entry_doc("MZJ-0500", update_frequency="weekly"))
        desk.catalog_action(desk.data_center, ActionKind.REVIEW, entry_id, APPROVE_REVIEW, version=1)
        synced(platform.runtime, desk.w3)
        keys = tmp_path / "keys"
        civil = save_key(named(desk.civil.ecdsa, "mzj"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)
        data_center = save_key(
            named(desk.data_center.sm2, "dsjzx-sm2"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N
        )
        batch = tmp_path / "batch.csv"
        batch.write_bytes(BATCH)

        out = run_script(
            "data_quality.mjs",
            CONSOLE_URL=platform.url,
            CIVIL_KEY=str(civil),
            DATA_CENTER_KEY=str(data_center),
            PASSWORD=PASSWORD,
            ENTRY_ID="0x" + entry_id.hex(),
            BATCH=str(batch),
        )

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    assert out["emptyPeriod"] == "对账期间：请填写"
    civil_key, dc_key = desk.civil.ecdsa.key_id.lower(), desk.data_center.sm2.key_id.lower()
    declared = event_of(desk, out["declareTx"], "UpdateFrequencyDeclared")
    assert (declared.args["entryId"], declared.args["frequency"], declared.args["signer"].lower()) == (
        entry_id,
        WEEKLY,
        civil_key,
    )
    updated = event_of(desk, out["updateTx"], "UpdateRecorded")
    assert "0x" + updated.args["updateId"].hex() == out["updateId"] and updated.args["entryId"] == entry_id
    assert updated.args["signer"].lower() == dc_key
    assert f'"content_sm3":"{sm3(BATCH).hex()}"' in updated.args["document"].decode()
    reconciled = event_of(desk, out["reconcileTx"], "ReconciliationRecorded")
    assert "0x" + reconciled.args["reconciliationId"].hex() == out["reconciliationId"]
    assert (reconciled.args["unitId"], reconciled.args["result"], reconciled.args["signer"].lower()) == (
        desk.civil.unit_id,
        DISCREPANCIES,
        dc_key,
    )
    assert "低保金额字段与民政系统不一致" in reconciled.args["document"].decode()
    raised = event_of(desk, out["objectionTx"], "ObjectionRaised")
    assert "0x" + raised.args["objectionId"].hex() == out["objectionId"]
    assert (raised.args["entryId"], raised.args["unitId"], raised.args["source"]) == (
        entry_id,
        desk.civil.unit_id,
        RECONCILIATION,
    )
    assert raised.args["signer"].lower() == dc_key and raised.args["dueAt"] > 0
    assert out["reconciliationId"] in raised.args["document"].decode()
    assert "已收到 1 次更新" in out["qualityText"]
