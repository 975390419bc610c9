"""The demo district's Art. 5, 11 and 12 records (#15): each unit's responsibility approved by the
Office, the Office's settings, a supplementary entry of the Data Center, a designation of the
responsible unit, a refusal to collect reported by the Office, and an export of the
supplementary catalog for the city recorded on-chain."""

from __future__ import annotations

import tempfile
from pathlib import Path

from eth_utils import keccak

from chain import responsibilities as resp
from chain.actions import entry_id_for, fresh_nonce, unit_id_for
from ledger_cli.demo_data import _doc
from signer.canonical import canonical_bytes

OFFICE, DATA_CENTER = "PT-QFB", "PT-DSJZX"
# One responsibility per unit that catalogues (its code, name and basis), the Data Center's Art. 12 duty.
DUTIES = {
    "PT-MZJ": ("MZJ-ZZ-01", "社会救助与社会福利管理", "《社会救助暂行办法》；区民政局职能配置、内设机构和人员编制规定"),
    "PT-SCJGJ": ("SCJG-ZZ-01", "市场主体登记与监督管理", "《市场主体登记管理条例》；区市场监管局“三定”规定"),
    "PT-WJW": ("WJW-ZZ-01", "疾病预防控制与预防接种管理", "《中华人民共和国疫苗管理法》；区卫健委“三定”规定"),
    "PT-RSJ": ("RSJ-ZZ-01", "就业促进与就业失业登记", "《中华人民共和国就业促进法》；区人社局“三定”规定"),
    "PT-CSLJD": ("CSLJD-ZZ-01", "社区综合治理与实有人口管理", "《上海市街道办事处条例》"),
    DATA_CENTER: ("DSJ-ZZ-12", "区域补充目录编制（属地返还数据）", "《普陀区公共数据共享实施办法（试行）》第十二条"),
}
SUPPLEMENTARY = _doc(
    "DSJ-BC-0001",
    "属地返还企业社保缴纳信息",
    "市级平台属地返还的普陀区企业社会保险缴纳情况，未纳入市级公共数据目录，编入区域补充目录。",
    "市大数据资源平台（属地返还）",
    "city_returned",
    "monthly",
    "人力社保",
    "L3",
    ("conditional", "仅限企业服务、一网通办事项使用"),
    ("not_open", "涉及企业经营信息，不予开放"),
    "区大数据中心数据资源部",
    [("统一社会信用代码", "string"), ("缴费月份", "string"), ("参保人数", "integer")],
    "2026-10-20",
)
SUPPLEMENTARY["supplementary"] = True
DESIGNATED = ("PT-RSJ", "RSJ-0001", "PT-CSLJD")  # the entry's unit, its code, the designated unit
REFUSAL_ID = keccak(text="putuo.demo.refusal:PT-WJW:2026-1")


def duty_id(unit_code: str) -> bytes:
    return resp.responsibility_id_for(unit_id_for(unit_code), DUTIES[unit_code][0])


def with_duty(unit_code: str, document: dict) -> dict:
    """The catalog document naming its unit's responsibility (Art. 11)."""
    return {**document, "responsibility": "0x" + duty_id(unit_code).hex()}


class DemoResponsibilities:
    """Signs the demo's Responsibilities actions with the officers' keys."""

    def __init__(self, chain_id: int, address: str, officers: dict) -> None:
        self.chain_id, self.address, self.officers = chain_id, address, officers

    def _signed(self, unit: str, kind, subject: bytes, document: dict, **fields) -> tuple:
        action = resp.ResponsibilityAction(kind, subject, canonical_bytes(document), fresh_nonce(), **fields)
        return resp.sign(action, self.officers[unit][0], chain_id=self.chain_id, address=self.address).as_tuple()

    def lists(self) -> list[tuple]:
        """Each unit records its responsibility, the Office approves it, then requires entries to name one."""
        K = resp.ActionKind
        out = []
        for unit, (code, name, basis) in DUTIES.items():
            document = {"schema": "putuo.responsibility/1", "code": code, "name": name, "basis": basis}
            out.append(self._signed(unit, K.RECORD_RESPONSIBILITY, duty_id(unit), document))
        for unit in DUTIES:
            review = {"schema": "putuo.responsibility-review/1", "decision": "approve"}
            out.append(self._signed(OFFICE, K.REVIEW_RESPONSIBILITY, duty_id(unit), review))
        notice = {
            "schema": "putuo.setting/1",
            "name": "responsibilityRequired",
            "value": 1,
            "reason": "各单位职责清单已审核通过，自即日起目录须注明所依据的职责",
        }
        out.append(self._signed(OFFICE, K.PUBLISH_SETTING, resp.setting_key("responsibilityRequired"), notice, value=1))
        return out

    def decisions(self) -> list[tuple]:
        """A designation (Art. 5), a refusal without a legal basis and the Office's report of it (Art. 11)."""
        K = resp.ActionKind
        owner, code, designated = DESIGNATED
        entry = entry_id_for(unit_id_for(owner), code)
        designation = {
            "schema": "putuo.designation/1",
            "entry_id": "0x" + entry.hex(),
            "unit_id": "0x" + unit_id_for(designated).hex(),
            "disposition": "move_open_duties",
            "basis": "辖区就业登记由街道社区事务受理服务中心采集，区人社局与街道职责交叉；区府办指定长寿路街道为责任单位",
        }
        refusal = {
            "schema": "putuo.refusal/1",
            "unit_id": "0x" + unit_id_for("PT-WJW").hex(),
            "data": "医疗机构执业登记数据",
            "ground": "no_legal_basis",
        }
        report = {
            "schema": "putuo.refusal-report/1",
            "refusal_id": "0x" + REFUSAL_ID.hex(),
            "reported_to": ["中共上海市普陀区委", "上海市普陀区人民政府"],
            "summary": "区卫健委未提出法律、法规依据，拒绝向区大数据中心归集医疗机构执业登记数据",
        }
        return [
            self._signed(
                OFFICE,
                K.DESIGNATE,
                entry,
                designation,
                target=unit_id_for(designated),
                code=resp.Disposition.MOVE_OPEN_DUTIES,
            ),
            self._signed(
                DATA_CENTER,
                K.RECORD_REFUSAL,
                REFUSAL_ID,
                refusal,
                target=unit_id_for("PT-WJW"),
                code=resp.RefusalGround.NO_LEGAL_BASIS,
            ),
            self._signed(OFFICE, K.REPORT_REFUSAL, REFUSAL_ID, report),
        ]

    def export(self, rpc_url: str, deployment, out_dir: Path) -> tuple[list[tuple], Path]:
        """The supplementary catalog's first export, built as the API builds it (from a mirror of the
        chain, here a temporary one), written to `out_dir`, and its signed record."""
        from api.runtime import make_engine
        from api.services import supplementary_export as ex
        from chain.indexer import Indexer
        from chain.rpc import RpcClient
        from mirror.store import SqlMirrorStore

        with tempfile.TemporaryDirectory() as tmp:
            store = SqlMirrorStore(make_engine(f"sqlite:///{tmp}/mirror.db"))
            Indexer(RpcClient(rpc_url), deployment, store).sync()
            last = store.cursor()[0]
            with store.sessions() as session:
                items = ex.rows(session, from_block=1, to_block=last)
            store.engine.dispose()
        data = ex.export_json(items, chain_id=self.chain_id, catalog=deployment.catalog, from_block=1, to_block=last)
        table = ex.export_csv(items)
        out_dir.mkdir(parents=True, exist_ok=True)
        stem = out_dir / f"putuo-supplementary-1-{last}"
        stem.with_suffix(".json").write_bytes(data)
        stem.with_suffix(".csv").write_bytes(table)
        manifest = {
            "schema": "putuo.catalog-export/1",
            "format": ex.FORMAT,
            "json_keccak256": "0x" + keccak(data).hex(),
            "csv_keccak256": "0x" + keccak(table).hex(),
            "from_block": 1,
            "to_block": last,
            "entries": len(items),
        }
        record = self._signed(DATA_CENTER, resp.ActionKind.RECORD_CATALOG_EXPORT, keccak(data), manifest, value=last)
        return [record], stem.with_suffix(".json")
