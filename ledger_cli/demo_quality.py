"""The demo district's Art. 15–16 records (#15 part 3): two entries' update frequencies declared
by their units, an update the Data Center received, a reconciliation with discrepancies and the
objection it raised handled by the civil affairs bureau, and a street's objection under its grant
left open."""

from __future__ import annotations

from chain import quality as q
from chain.actions import entry_id_for, fresh_nonce, unit_id_for
from ledger_cli.demo_supervision import street_grant
from signer.canonical import canonical_bytes

DATA_CENTER = "PT-DSJZX"
# (unit, entry code, the frequency its catalog document states: ledger_cli/demo_data.py)
DECLARED = [("PT-MZJ", "MZJ-0001", "monthly"), ("PT-SCJGJ", "SCJG-0001", "daily")]


def _id(unit: str, code: str) -> str:
    return "0x" + entry_id_for(unit_id_for(unit), code).hex()


class DemoQuality:
    """Signs the demo's DataQuality actions with the officers' keys."""

    def __init__(self, chain_id: int, address: str, officers: dict) -> None:
        self.chain_id, self.address, self.officers = chain_id, address, officers

    def _signed(self, unit: str, kind: q.ActionKind, document: dict) -> tuple:
        from catalog.quality_documents import SCHEMA_BY_KIND, fields, grant_of

        data = canonical_bytes(document)
        parsed = SCHEMA_BY_KIND[kind].model_validate(document)
        subject, target, code, value = fields(kind, parsed, document=data)
        action = q.QualityAction(kind, subject, data, fresh_nonce(), target, code, value, grant=grant_of(parsed))
        return q.sign(action, self.officers[unit][0], chain_id=self.chain_id, address=self.address).as_tuple()

    def records(self, now: int) -> list[tuple]:
        K = q.ActionKind
        civil_entry = _id("PT-MZJ", "MZJ-0001")
        out = [
            self._signed(
                unit,
                K.DECLARE_FREQUENCY,
                {"schema": "putuo.update-frequency/1", "entry_id": _id(unit, code), "update_frequency": f},
            )
            for unit, code, f in DECLARED
        ]
        receipt = {
            "schema": "putuo.update-receipt/1",
            "entry_id": civil_entry,
            "received_at": now,
            "records": 3862,
            "content_sm3": "5f1c0ad3a1f0c4f8e4e1b2f3d6a7c9e0b1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6",
            "note": "本月低保对象数据全量更新",
        }
        reconciliation = {
            "schema": "putuo.reconciliation/1",
            "unit_id": "0x" + unit_id_for("PT-MZJ").hex(),
            "period": "本季度",
            "entries": [civil_entry, _id("PT-MZJ", "MZJ-0002")],
            "result": "discrepancies",
            "discrepancies": [{"entry_id": civil_entry, "description": "分平台库比源系统少 12 条低保对象记录"}],
        }
        objection = {
            "schema": "putuo.objection/1",
            "entry_id": civil_entry,
            "source": "reconciliation",
            "description": "对账发现分平台库比源系统少 12 条低保对象记录",
            "reconciliation_id": "0x" + q.record_id(K.RECORD_RECONCILIATION, canonical_bytes(reconciliation)).hex(),
        }
        handling = {
            "schema": "putuo.objection-handling/1",
            "objection_id": "0x" + q.record_id(K.RAISE_OBJECTION, canonical_bytes(objection)).hex(),
            "outcome": "corrected",
            "verification": "核实为推送任务漏传 12 条新认定记录",
            "measures": "已补传并修复推送任务",
        }
        street = {
            "schema": "putuo.objection/1",
            "entry_id": civil_entry,
            "source": "using_unit",
            "description": "3 户低保家庭的居住地址与街道走访核实结果不符",
            "grant_id": "0x" + street_grant(0).hex(),  # the street's grant on the entry (Art. 16)
        }
        return [
            *out,
            self._signed(DATA_CENTER, K.RECORD_UPDATE, receipt),
            self._signed(DATA_CENTER, K.RECORD_RECONCILIATION, reconciliation),
            self._signed(DATA_CENTER, K.RAISE_OBJECTION, objection),
            self._signed("PT-MZJ", K.HANDLE_OBJECTION, handling),
            self._signed("PT-CSLJD", K.RAISE_OBJECTION, street),
        ]
