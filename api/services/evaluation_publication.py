"""The Office's publication of an Art. 32 evaluation: the results document a period's evaluation
gives, and a draft of its notice (通报) — each unit that did not carry out its cataloguing,
collection and update, or demand review duties in the period, with the duties that show it. The
Office reviews the draft, may drop lines, and signs it (`Supervision` PublishNotice)."""

from __future__ import annotations

import datetime as dt

from eth_utils import keccak
from sqlalchemy.orm import Session

from api import schemas
from api.services.duties import snapshot
from api.services.evaluation import GROUPS, bounds

# Art. 32: 目录编制 (compile, resubmit), 归集与更新 (collect, update), 共享需求申请审核 (item_review).
NOTIFIABLE = {
    "compile": "未按时完成公共数据目录编制",
    "resubmit": "目录被退回后未按时修改并重新提交",
    "collect": "未按时完成数据归集上云",
    "update": "未按目录更新频率更新数据",
    "item_review": "未按时审核共享需求（含逾期视为同意）",
}
UNMET = ("overdue", "done_late", "missed")


def results_document(evaluation: schemas.Evaluation, csv: bytes) -> dict:
    """`putuo.evaluation-results/1` for `evaluation` and its CSV file."""
    start, end = dt.date.fromisoformat(evaluation.date_from), dt.date.fromisoformat(evaluation.date_to)
    return {
        "schema": "putuo.evaluation-results/1",
        "date_from": evaluation.date_from,
        "date_to": evaluation.date_to,
        "period_end": bounds(start, end)[1],
        "judged_at": evaluation.now,
        "judged_block": evaluation.now_block,
        "csv_keccak256": "0x" + keccak(csv).hex(),
        "units": [
            {
                "unit_id": u.unit_id,
                "name": u.name,
                "rank": u.rank,
                "score": u.score,
                "overdue": sum(
                    f.overdue for f in (getattr(u, g) for g in sorted(set(GROUPS.values()))) if f is not None
                ),
            }
            for u in evaluation.units
        ],
    }


def notice_draft(session: Session, results: dict, results_id: str, *, now: int, scope: str) -> dict | None:
    """`putuo.evaluation-notice/1` naming, for each unit of `results`, its unmet notifiable duties
    due in the results' period (judged at `now`); None when no unit failed one."""
    start = bounds(dt.date.fromisoformat(results["date_from"]), dt.date.fromisoformat(results["date_to"]))[0]
    units = {u["unit_id"] for u in results["units"]}
    found: dict[tuple[str, str], list[dict]] = {}
    for d in snapshot(session, now=now).duties:
        group = GROUPS.get(d.rule)
        if group not in NOTIFIABLE or d.owed_by not in units or not start <= d.due_at <= results["period_end"]:
            continue
        if d.state(now) not in UNMET:
            continue
        evidence = {"rule": d.rule, "subject_id": d.subject_id, "start_tx": d.start_tx}
        evidence.update({k: v for k, v in (("item", d.item), ("version", d.version)) if v is not None})
        found.setdefault((d.owed_by, group), []).append(evidence)
    if not found:
        return None
    lines = [
        {"unit_id": unit, "group": group, "finding": NOTIFIABLE[group], "evidence": evidence[:50]}
        for (unit, group), evidence in sorted(found.items())
    ]
    return {"schema": "putuo.evaluation-notice/1", "results_id": results_id, "scope": scope, "lines": lines[:100]}
