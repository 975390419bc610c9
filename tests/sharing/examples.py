"""Valid example documents of every sharing step, as plain dicts, for any test to start from.

Each builder takes keyword overrides of its top-level keys; an override of `OMIT` removes the
key. The default ids are placeholders: chain tests pass the real ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chain.sharing import StepKind

OMIT: Any = object()

DEMAND_UNIT = "0x" + "d1" * 32
OWNER_UNIT = "0x" + "0a" * 32
OTHER_UNIT = "0x" + "0b" * 32
ENTRY_ID = "0x" + "e1" * 32
DEMAND_ID = "0x" + "de" * 32
GRANT_ID = DEMAND_ID  # a grant has its demand's id
OTHER_GRANT = "0x" + "9e" * 32


def _build(base: dict, overrides: dict) -> dict:
    for key, value in overrides.items():
        if value is OMIT:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def scenario(**overrides: Any) -> dict:
    """A scenario with no Art. 19 class: the owner reviews."""
    return _build({"code": "PT-SC-2025-001", "name": "长寿路街道独居老人关爱", "class": 0}, overrides)


def resource(**overrides: Any) -> dict:
    """A catalogued resource: ENTRY_ID version 1 of OWNER_UNIT."""
    return _build(
        {"entry_id": ENTRY_ID, "version": 1, "owner_unit_id": OWNER_UNIT, "items": ["姓名", "身份证号", "居住地址"]},
        overrides,
    )


def uncatalogued_resource(**overrides: Any) -> dict:
    """Data not yet catalogued, asked of OTHER_UNIT (Art. 22)."""
    return _build(
        {
            "entry_id": None,
            "version": None,
            "owner_unit_id": OTHER_UNIT,
            "items": ["独居状态"],
            "description": "街道掌握的独居老人名单，尚未编目",
        },
        overrides,
    )


def fusion_plan(**overrides: Any) -> dict:
    return _build(
        {
            "summary": "民政与卫健数据融合，形成关爱对象画像",
            "departments": [OWNER_UNIT, OTHER_UNIT],
            "governance": "融合结果仅存于区大数据中心，按季度复核",
        },
        overrides,
    )


def application(**overrides: Any) -> dict:
    """A routine demand, owner review, one catalogued resource, by interface, monthly."""
    return _build(
        {
            "schema": "putuo.demand/1",
            "application_no": "普数需〔2025〕17号",
            "demand_unit_id": DEMAND_UNIT,
            "demand_type": "routine",
            "scenario": scenario(),
            "legal_basis": "《上海市数据条例》第三十条；《普陀区公共数据共享管理办法》第十七条",
            "business_goal": "按月核对独居老人名单，安排上门探访",
            "resources": [resource()],
            "method": "interface",
            "frequency": "monthly",
            "security_level": "L2",
            "safeguards": ["专人专岗", "访问日志留存六个月"],
        },
        overrides,
    )


def decision(**overrides: Any) -> dict:
    """An approval of item 0."""
    return _build(
        {
            "schema": "putuo.demand-decision/1",
            "demand_id": DEMAND_ID,
            "item": 0,
            "decision": "approve",
            "signed_at": "2026-03-02T10:00:00+08:00",
        },
        overrides,
    )


def rejection(**overrides: Any) -> dict:
    """A rejection of item 0 citing a legal basis."""
    return decision(
        **{
            "decision": "reject",
            "reason_code": "legal_basis",
            "legal_basis": "《中华人民共和国个人信息保护法》第十三条",
            "reason": "该数据项不予共享",
            **overrides,
        }
    )


def plan_review(**overrides: Any) -> dict:
    return _build({"schema": "putuo.plan-review/1", "demand_id": DEMAND_ID, "decision": "approve"}, overrides)


def fusion_served(**overrides: Any) -> dict:
    return _build(
        {"schema": "putuo.fusion-served/1", "grant_id": GRANT_ID, "note": "融合数据已通过接口提供"}, overrides
    )


def usage(**overrides: Any) -> dict:
    return _build(
        {"schema": "putuo.grant-use/1", "grant_id": GRANT_ID, "used_at": "2026-03-03T10:15:00+08:00", "calls": 12},
        overrides,
    )


def idle_reason(**overrides: Any) -> dict:
    return _build(
        {
            "schema": "putuo.idle-reason/1",
            "grant_id": GRANT_ID,
            "reason": "系统升级期间暂停调用",
            "until": "2026-06-30",
        },
        overrides,
    )


def suspension(**overrides: Any) -> dict:
    return _build(
        {
            "schema": "putuo.grant-suspension/1",
            "grant_id": GRANT_ID,
            "risk": "发现异常批量导出",
            "reported_to": ["cyberspace", "district_office"],
        },
        overrides,
    )


def objection(**overrides: Any) -> dict:
    return _build(
        {"schema": "putuo.grant-objection/1", "grant_id": GRANT_ID, "reason": "导出为年度核查，已报备"}, overrides
    )


def reinstatement(**overrides: Any) -> dict:
    return _build({"schema": "putuo.grant-reinstatement/1", "grant_id": GRANT_ID, "reason": "风险已排除"}, overrides)


def objection_dismissal(**overrides: Any) -> dict:
    return _build(
        {"schema": "putuo.objection-dismissal/1", "grant_id": GRANT_ID, "reason_code": 1, "reason": "异议理由不成立"},
        overrides,
    )


def termination(**overrides: Any) -> dict:
    return _build(
        {"schema": "putuo.grant-termination/1", "grant_id": GRANT_ID, "reason": "业务已结束，不再需要"}, overrides
    )


def scenario_evaluation(**overrides: Any) -> dict:
    return _build(
        {
            "schema": "putuo.scenario-evaluation/1",
            "scenario_code": "PT-KW-2025-003",
            "name": "苏州河沿岸防汛联动",
            "class": 2,
            "basis": "区大数据中心场景评估报告（普数评〔2025〕3号）",
            "key_work": "区委区政府2025年重点工作：苏州河普陀段防汛安全",
            "units": [DEMAND_UNIT],
            "entries": [ENTRY_ID],
            "plan": "水务、气象、街道数据按小时汇聚，预警联动处置",
            "conclusion": "场景必要、方案可行，同意按场景授权共享",
        },
        overrides,
    )


def conformity_review(**overrides: Any) -> dict:
    return _build({"schema": "putuo.conformity-review/1", "demand_id": DEMAND_ID, "decision": "confirm"}, overrides)


def idle_reason_review(**overrides: Any) -> dict:
    return _build(
        {
            "schema": "putuo.idle-reason-review/1",
            "grant_id": GRANT_ID,
            "decision": "accept",
            "reason": "汛期专用，依据充分",
        },
        overrides,
    )


def scenario_withdrawal(**overrides: Any) -> dict:
    return _build(
        {"schema": "putuo.scenario-withdrawal/1", "scenario_code": "PT-KW-2025-003", "reason": "重点工作已完成"},
        overrides,
    )


def adjustment_plan(**overrides: Any) -> dict:
    return _build(
        {
            "schema": "putuo.adjustment-plan/1",
            "entry_id": ENTRY_ID,
            "change": "拆分“居住地址”为“街道”和“门牌”两项",
            "affected_grants": [GRANT_ID],
            "notified_units": [DEMAND_UNIT],
            "plan": "新旧接口并行一个月后下线旧接口",
            "disposition": "move",
        },
        overrides,
    )


def adjustment_acknowledgement(**overrides: Any) -> dict:
    return _build(
        {"schema": "putuo.adjustment-acknowledgement/1", "entry_id": ENTRY_ID, "note": "同意新旧接口并行方案"},
        overrides,
    )


def dispute(**overrides: Any) -> dict:
    return _build(
        {
            "schema": "putuo.dispute/1",
            "demand_id": DEMAND_ID,
            "item": 0,
            "about": "rejection",
            "statement": "拒绝理由所引条款不适用于本场景",
            "negotiation": "双方于3月5日会商，未达成一致",
        },
        overrides,
    )


def dispute_resolution(**overrides: Any) -> dict:
    return _build(
        {
            "schema": "putuo.dispute-resolution/1",
            "demand_id": DEMAND_ID,
            "item": 0,
            "outcome": "overturned",
            "text": "经区政务办协调，同意共享",
        },
        overrides,
    )


def escalation(**overrides: Any) -> dict:
    return _build(
        {
            "schema": "putuo.escalation/1",
            "demand_id": DEMAND_ID,
            "reason": "所需数据为市级部门数据",
            "city_request": "请市大数据中心提供市级婚姻登记数据接口",
        },
        overrides,
    )


def escalation_outcome(**overrides: Any) -> dict:
    return _build(
        {
            "schema": "putuo.escalation-outcome/1",
            "demand_id": DEMAND_ID,
            "outcome": "served",
            "text": "市级平台已开通接口",
        },
        overrides,
    )


EXAMPLES: dict[StepKind, Callable[..., dict]] = {
    StepKind.APPLY: application,
    StepKind.DECIDE: decision,
    StepKind.REVIEW_PLAN: plan_review,
    StepKind.RECORD_SERVED: fusion_served,
    StepKind.RECORD_USE: usage,
    StepKind.FILE_IDLE_REASON: idle_reason,
    StepKind.SECURITY_SUSPEND: suspension,
    StepKind.OBJECT: objection,
    StepKind.REINSTATE: reinstatement,
    StepKind.DISMISS_OBJECTION: objection_dismissal,
    StepKind.TERMINATE: termination,
    StepKind.APPROVE_SCENARIO: scenario_evaluation,
    StepKind.WITHDRAW_SCENARIO: scenario_withdrawal,
    StepKind.RECORD_ADJUSTMENT_PLAN: adjustment_plan,
    StepKind.OPEN_DISPUTE: dispute,
    StepKind.RESOLVE_DISPUTE: dispute_resolution,
    StepKind.ESCALATE: escalation,
    StepKind.RECORD_ESCALATION_OUTCOME: escalation_outcome,
    StepKind.CONFIRM_CONFORMITY: conformity_review,
    StepKind.REVIEW_IDLE_REASON: idle_reason_review,
    StepKind.ACKNOWLEDGE_ADJUSTMENT: adjustment_acknowledgement,
}
