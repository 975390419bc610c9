"""The demo district's Art. 29 and 31 records (#15 parts 4–5): a street's security incident on one
of its grants, acknowledged by the Office and the cyberspace office, handled and closed; the Data
Center's suspension of that grant (a Sharing step) and its report to the regulators and the Office,
acknowledged; the Data Center's quality, effectiveness and security evaluations."""

from __future__ import annotations

from chain import supervision as sv
from chain.actions import entry_id_for, fresh_nonce, unit_id_for
from chain.sharing import demand_id_for
from ledger_cli.demo_sharing import CIVIL, DATA_CENTER, DEMANDS, STREET
from signer.canonical import canonical_bytes

OFFICE, REGULATOR = "PT-QFB", "PT-WXB"
REPORTED_TO = ["district_office", "cyberspace"]


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def street_grant(index: int) -> bytes:
    """The id of the street's `index`-th demand of the demo (its grant's id)."""
    unit, document = [d for d in DEMANDS if d[0] == STREET][index]
    return demand_id_for(unit_id_for(unit), canonical_bytes(document))


class DemoSupervision:
    """Signs the demo's Supervision actions with the officers' keys."""

    def __init__(self, chain_id: int, address: str, officers: dict) -> None:
        self.chain_id, self.address, self.officers = chain_id, address, officers

    def _signed(self, unit: str, kind: sv.ActionKind, document: dict) -> tuple:
        from sharing.supervision_documents import SCHEMA_BY_KIND, fields

        data = canonical_bytes(document)
        subject, target, code, value = fields(kind, SCHEMA_BY_KIND[kind].model_validate(document), document=data)
        action = sv.SupervisionAction(kind, subject, data, fresh_nonce(), target, code, value)
        return sv.sign(action, self.officers[unit][0], chain_id=self.chain_id, address=self.address).as_tuple()

    def acknowledge_report(self, report_id: bytes) -> tuple:
        """The Office's receipt of the Data Center's report of the suspension."""
        document = {"schema": "putuo.acknowledgement/1", "subject_id": _hex(report_id), "note": "已收悉，请督促整改"}
        return self._signed(OFFICE, sv.ActionKind.ACKNOWLEDGE, document)

    @staticmethod
    def suspension() -> dict:
        """The Data Center's Art. 31 suspension of the grant the incident concerns (a Sharing step)."""
        return {
            "schema": "putuo.grant-suspension/1",
            "grant_id": _hex(street_grant(1)),
            "risk": "调用账号口令泄露，存在数据被批量下载的风险",
            "reported_to": REPORTED_TO,
        }

    def records(self, now: int) -> list[tuple]:
        """To relay after the suspension: the incident and its course, the report, the evaluations."""
        K = sv.ActionKind
        grant = street_grant(1)
        incident = {
            "schema": "putuo.incident/1",
            "occurred_at": now - 2 * 3600,
            "severity": "general",
            "summary": "长寿路街道助餐服务系统的共享接口账号口令泄露，发现异常批量调用",
            "entries": [_hex(entry_id_for(unit_id_for(CIVIL), "MZJ-0002"))],
            "grants": [_hex(grant)],
            "measures": "已停用该账号、更换口令并封禁异常来源地址",
            "reported_to": REPORTED_TO,
        }
        incident_id = _hex(sv.record_id(K.REPORT_INCIDENT, canonical_bytes(incident)))
        report = {
            "schema": "putuo.measure-report/1",
            "grant_id": _hex(grant),
            "measure": "suspension",
            "reported_to": REPORTED_TO,
            "summary": "因账号口令泄露暂停该共享服务，待整改后恢复",
        }
        evaluations = [
            ("quality", _hex(unit_id_for(CIVIL)), 86, "目录数据项完整，对账发现 12 条漏传已更正"),
            ("effectiveness", _hex(street_grant(0)), 92, "一网统管事项调用稳定，支撑助餐点匹配"),
            ("security", _hex(unit_id_for(STREET)), 61, "发生一般数据安全事件，账号管理待加强"),
        ]
        return [
            self._signed(STREET, K.REPORT_INCIDENT, incident),
            self._signed(OFFICE, K.ACKNOWLEDGE, {"schema": "putuo.acknowledgement/1", "subject_id": incident_id}),
            self._signed(REGULATOR, K.ACKNOWLEDGE, {"schema": "putuo.acknowledgement/1", "subject_id": incident_id}),
            self._signed(
                STREET,
                K.RECORD_HANDLING,
                {"schema": "putuo.incident-handling/1", "incident_id": incident_id, "progress": "已排查 3 台终端"},
            ),
            self._signed(
                STREET,
                K.CLOSE_INCIDENT,
                {
                    "schema": "putuo.incident-closure/1",
                    "incident_id": incident_id,
                    "cause": "弱口令且未启用双因素认证",
                    "outcome": "经核查未造成数据外泄",
                    "improvements": "接口账号改为双因素认证，口令每季度轮换",
                },
            ),
            self._signed(DATA_CENTER, K.REPORT_MEASURE, report),
            *(
                self._signed(
                    DATA_CENTER,
                    K.RECORD_EVALUATION,
                    {
                        "schema": "putuo.supervision-evaluation/1",
                        "evaluation": kind,
                        "target_id": target,
                        "period": "2026 年度",
                        "score": score,
                        "findings": findings,
                    },
                )
                for kind, target, score, findings in evaluations
            ),
        ]

    def publication(self, rpc_url: str, deployment, *, now: int, now_block: int) -> tuple[tuple, tuple | None]:
        """Art. 32: the Office's results for the year so far up to yesterday, built as the API builds
        them (from a temporary mirror of the chain), and its notice drafted from the chain's duties."""
        import datetime as dt
        import tempfile

        from api.runtime import make_engine
        from api.services import evaluation
        from api.services.evaluation_publication import notice_draft, results_document
        from chain.indexer import Indexer
        from chain.rpc import RpcClient
        from mirror.store import SqlMirrorStore

        today = dt.datetime.fromtimestamp(now, dt.timezone(dt.timedelta(hours=8))).date()
        start, end = dt.date(today.year - 1 if today.month == 1 else today.year, 1, 1), today - dt.timedelta(days=1)
        with tempfile.TemporaryDirectory() as tmp:
            store = SqlMirrorStore(make_engine(f"sqlite:///{tmp}/mirror.db"))
            Indexer(RpcClient(rpc_url), deployment, store).sync()
            with store.sessions() as session:
                result = evaluation.evaluate(session, date_from=start, date_to=end, now=now, now_block=now_block)
                results = results_document(result, evaluation.to_csv(result).encode("utf-8"))
                results_id = "0x" + sv.record_id(sv.ActionKind.PUBLISH_RESULTS, canonical_bytes(results)).hex()
                notice = notice_draft(session, results, results_id, now=now, scope="全区各街镇、各部门、各单位")
            store.engine.dispose()
        signed_notice = self._signed(OFFICE, sv.ActionKind.PUBLISH_NOTICE, notice) if notice else None
        return self._signed(OFFICE, sv.ActionKind.PUBLISH_RESULTS, results), signed_notice
