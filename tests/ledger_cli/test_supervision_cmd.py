"""`ledger supervision` (Art. 29, 31): an incident reported, handled and closed by its unit, an
evaluation by the Data Center, signed on the officers' machines and confirmed on a real node; a bad
document or a refused step is one line and a non-zero exit, nothing sent."""

from __future__ import annotations

from tests.ledger_cli import test_officer_journey as journey
from tests.ledger_cli.test_officer_journey import ledger, outbox_rows, proof, write

platform = journey.platform  # the same fixture: the district's API on a free port, officers' keystore


def test_an_incident_is_reported_handled_and_closed_and_a_unit_evaluated(platform):
    now = platform.system.w3.eth.get_block("latest")["timestamp"]
    incident = {
        "schema": "putuo.incident/1",
        "occurred_at": now - 600,
        "severity": "general",
        "summary": "低保审批系统导出文件误发至外部邮箱",
        "measures": "已联系收件方删除并确认",
        "reported_to": ["district_office"],
    }
    before = outbox_rows(platform)
    bad = ledger(platform, "supervision", "report", write(platform, "i.json", incident), "--key", "mzj")
    assert bad.code != 0 and len(bad.err.strip().splitlines()) == 1 and "reported_to" in bad.err, bad.err
    assert outbox_rows(platform) == before
    incident["reported_to"] = ["district_office", "cyberspace"]
    reported = ledger(platform, "supervision", "report", write(platform, "i.json", incident), "--key", "mzj")
    assert reported.code == 0, reported.err
    incident_id = proof(reported.out)["incident"]
    step = {"schema": "putuo.incident-handling/1", "incident_id": incident_id, "progress": "已核实收件方删除"}
    # Only the reporter handles it: the contract's refusal, one line.
    other = ledger(platform, "supervision", "handle", write(platform, "h.json", step), "--key", "scjgj")
    assert other.code != 0 and len(other.err.strip().splitlines()) == 1 and "SupervisionNotReporter" in other.err, (
        other.err
    )
    assert ledger(platform, "supervision", "handle", write(platform, "h.json", step), "--key", "mzj").code == 0
    closure = {"schema": "putuo.incident-closure/1", "incident_id": incident_id, "cause": "误操作", "outcome": "未扩散"}
    assert ledger(platform, "supervision", "close", write(platform, "c.json", closure), "--key", "mzj").code == 0
    evaluation = {
        "schema": "putuo.supervision-evaluation/1",
        "evaluation": "security",
        "target_id": platform.desk.civil.unit_hex,
        "period": "2026 年度",
        "score": 70,
        "findings": "发生一般数据安全事件，已及时处置",
    }
    evaluated = ledger(platform, "supervision", "evaluate", write(platform, "e.json", evaluation), "--key", "dsjzx")
    assert evaluated.code == 0, evaluated.err
    assert ledger(platform, "login", "--key", "mzj").code == 0
    listed = ledger(platform, "supervision", "incidents")
    assert listed.code == 0 and incident_id in listed.out and "closed" in listed.out, listed.out
