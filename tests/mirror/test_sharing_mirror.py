"""mirror.apply_sharing: the sharing tables are derived from the Sharing contract's events alone.

`drive` takes a district through every path the mirror derives sharing state from: a scenario
approved and withdrawn, demands granted by scenario, by owner review (one item decided, one
deemed approved), a fusion demand with an uncatalogued item (its plan reviewed, then served), a
scenario demand for an approved entry whose data is not yet collected (not ready, Art. 22), a
rejected and a returned demand, disputes and escalations, an adjustment plan a catalog change
consumes, and grants through use (logged late too), idle reasons, security and idle
suspensions, objections, reinstatement and the three kinds of termination; and relays rejected
actions in a batch. The mirror is checked against the
contract's own views, the step proofs against the logs, and rebuilds and rollbacks against a
mirror built from nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest
from eth_utils import keccak, to_checksum_address
from sqlalchemy import select

from chain.actions import ActionKind
from chain.events import receipt_events
from chain.sharing import (
    DECISION_GRACE_S,
    REJECT_LEGAL_BASIS,
    REJECT_NONCONFORMING,
    TERMINATE_SECURITY,
    ApplyTerms,
    DataForm,
    DemandStatus,
    Frequency,
    GrantStatus,
    ItemStatus,
    Method,
    PlanStatus,
    ScenarioTerms,
    SharingAction,
    StepKind,
    Suspension,
    demand_id_for,
    digest,
    scenario_id_for,
)
from mirror.documents import as_object
from mirror.models import ChainEvent, OutboxAction, RejectedAction
from mirror.outbox import encode_action
from mirror.sharing_models import (
    SharingDemand,
    SharingGrant,
    SharingGrantResource,
    SharingItem,
    SharingScenario,
    SharingStepRecord,
)
from signer.canonical import canonical_bytes
from tests.chain.helpers import SEEN_BLOCKS, Stores, dump, fresh_dump, new_indexer
from tests.sharing_desk import APPROVE_REVIEW, Officer, SharingDesk, doc

SHARING_TABLES = (
    "sharing_demands",
    "sharing_items",
    "sharing_grants",
    "sharing_grant_resources",
    "sharing_scenarios",
    "sharing_steps",
    "rejected_actions",
)
SCENARIO_CODE = "一网统管-城市运行"
LEGAL_BASIS = "《上海市公共数据管理办法》第二十条"


@pytest.fixture
def sqlite(tmp_path):
    opened = Stores("sqlite", tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def desk(system) -> SharingDesk:
    return SharingDesk(system)


def h(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def rows(store, model, **where) -> list[dict]:
    table = model.__table__
    query = select(table).where(*(table.c[k] == v for k, v in where.items())).order_by(*table.primary_key.columns)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def one(store, model, **where) -> dict:
    [row] = rows(store, model, **where)
    return row


def sync(desk: SharingDesk, store, block_range: int | None = None):
    return new_indexer(desk.system, store, block_range).sync()


def sharing_dump(store) -> dict[str, list[tuple]]:
    return {t: v for t, v in dump(store.engine).items() if t in SHARING_TABLES}


def outbox_row(desk: SharingDesk, officer: Officer, action: SharingAction, status: str = "sent") -> OutboxAction:
    action_digest = digest(action, chain_id=desk.chain_id, sharing_address=desk.system.deployment.sharing)
    return OutboxAction(
        digest=h(action_digest),
        signer=to_checksum_address(officer.address),
        nonce=str(action.nonce),
        entry_id=h(action.subject),
        kind=int(action.kind),
        contract="sharing",
        payload=encode_action(action),
        status=status,
        accepted_at=time.time(),
    )


def apply_document(
    desk: SharingDesk,
    applicant: Officer,
    document: bytes,
    resources: list,
    *,
    scenario_class: int = 1,
    scenario_code: str = "综合查询",
) -> bytes:
    """An Apply whose application document is `document`, whatever it holds; its demand id."""
    demand_id = demand_id_for(applicant.unit_id, document)
    desk.ensure_scenario(scenario_code, scenario_class)
    terms = ApplyTerms(
        scenario_class,
        scenario_id_for(scenario_code),
        Method.INTERFACE,
        DataForm.FULL,
        Frequency.MONTHLY,
        False,
        False,
        2,
        tuple(resources),
        desk.commitment(applicant, demand_id),
    )
    desk.send(desk.action(applicant, StepKind.APPLY, demand_id, document, terms=terms.encode()))
    if scenario_class:
        desk.confirm(demand_id)  # the scenario route: the Data Center confirms it conforms (Art. 19)
    return demand_id


def events(receipt) -> list[str]:
    return [e.name for e in receipt_events(receipt)]


@dataclass
class Story:
    """What `drive` did: ids (bytes) by label, and the actions whose outbox rows a test may want."""

    entries: dict[str, bytes] = field(default_factory=dict)
    demands: dict[str, bytes] = field(default_factory=dict)
    scenario: bytes = b""
    actions: dict[str, tuple[Officer, SharingAction]] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)  # digest -> error name


def drive(desk: SharingDesk) -> Story:
    """Every path of the mirror's sharing state, in chain order (see the module docstring)."""
    s = Story()
    civil, market, street, dc, office = desk.civil, desk.market, desk.street, desk.data_center, desk.office
    fns = desk.sharing.functions
    s.entries = {
        "civil": desk.approved_entry(civil, "MZJ-S001")[0],
        "market": desk.approved_entry(market, "SCJ-S001", "市场主体登记信息")[0],
        "later": desk.approved_entry(civil, "MZJ-S002", "临时救助对象信息")[0],
        "uncollected": desk.approved_entry(civil, "MZJ-S003", "困难家庭信息", collected=False)[0],
    }
    civil_res = desk.resource(civil, (s.entries["civil"], 1))
    market_res = desk.resource(market, (s.entries["market"], 1))

    # A key-work scenario the Data Center approves (Art. 19 (2)).
    s.scenario = scenario_id_for(SCENARIO_CODE)
    evaluation = canonical_bytes(
        {
            "schema": "putuo.scenario-evaluation/1",
            "scenario_code": SCENARIO_CODE,
            "name": "城市运行一网统管",
            "class": 2,
            "basis": "评估报告",
            "key_work": "区委区政府重点工作",
            "units": [street.unit_hex],
            "entries": [h(s.entries["civil"]), h(s.entries["market"])],
            "plan": "方案",
            "conclusion": "同意",
        }
    )
    desk.send(
        desk.scenario_action(
            SCENARIO_CODE, 2, units=[street], entries=[s.entries["civil"], s.entries["market"]], document=evaluation
        )
    )

    # A: granted by the registered scenario once the Data Center confirms the application conforms.
    s.demands["A"], receipt = desk.apply(
        street,
        [civil_res, market_res],
        application_no="A",
        scenario_class=2,
        scenario_code=SCENARIO_CODE,
        confirm=False,
    )
    assert events(receipt) == ["SharingStep", "DemandItemOpened", "DemandItemOpened", "DemandConformityOpened"]
    assert events(desk.confirm(s.demands["A"])) == [
        "SharingStep",
        "DemandConformityReviewed",
        "DemandClosed",
        "GrantIssued",
        "GrantStatusChanged",
    ]
    # F: granted at once too, used once a year with a reason on file; stays active to the end.
    s.demands["F"], _ = desk.apply(
        street,
        [market_res],
        application_no="F",
        scenario_class=1,
        frequency=Frequency.ANNUAL,
        frequency_reason=True,
        commitment_scheme="sm2",
    )
    # G: scenario route, but one entry's data is not collected yet: that item waits for its owner
    # (15 working days, no silence), the other is authorised at once.
    s.demands["G"], _ = desk.apply(
        street, [desk.resource(civil, (s.entries["uncollected"], 1)), market_res], application_no="G", scenario_class=1
    )
    # B: owner review of two items; B2 is left to silence.
    s.demands["B"], _ = desk.apply(
        street, [civil_res, market_res], application_no="B", frequency=Frequency.SEMI_ANNUAL, frequency_reason=True
    )
    # C: a fusion demand (its document names the scenario as an object) with an uncatalogued item.
    c_document = canonical_bytes(
        {
            "schema": "putuo.demand/1",
            "application_no": "C",
            "scenario": {"code": "低保联审", "name": "低保联合审核", "class": 0},
        }
    )
    s.demands["C"] = demand_id_for(street.unit_id, c_document)
    terms = ApplyTerms(
        0,
        scenario_id_for("低保联审"),
        Method.INTERFACE,
        DataForm.FULL,
        Frequency.MONTHLY,
        False,
        True,
        3,
        (civil_res, desk.resource(civil)),
        desk.commitment(street, s.demands["C"]),
    )
    desk.send(desk.action(street, StepKind.APPLY, s.demands["C"], c_document, terms=terms.encode()))
    # D: rejected by its owner. E: a method needing technical evaluation, returned.
    s.demands["D"], _ = desk.apply(street, [market_res], application_no="D")
    s.demands["E"], _ = desk.apply(street, [civil_res], application_no="E", method=Method.OTHER)

    receipt = desk.act(dc, StepKind.REVIEW_PLAN, s.demands["C"])  # approved; items still open
    assert events(receipt) == ["SharingStep", "DemandPlanReviewed"]
    desk.decide(civil, s.demands["C"], 0, code=REJECT_LEGAL_BASIS, legal_basis=LEGAL_BASIS)
    receipt = desk.decide(civil, s.demands["C"], 1, entry_id=s.entries["later"], version=1)  # catalogued for it
    assert events(receipt)[0] == "SharingStep" and events(receipt)[-2:] == ["GrantIssued", "GrantStatusChanged"]
    desk.travel_to(desk.now() + 2 * 86400)
    desk.act(dc, StepKind.RECORD_SERVED, s.demands["C"])  # served two days after the grant: the idle clock restarts
    desk.decide(market, s.demands["D"], 0, code=REJECT_NONCONFORMING)
    receipt = desk.act(dc, StepKind.REVIEW_PLAN, s.demands["E"], code=3)
    assert events(receipt) == ["SharingStep", "DemandPlanReviewed", "DemandItemClosed", "DemandClosed"]
    desk.collect(s.entries["uncollected"])
    receipt = desk.decide(civil, s.demands["G"], 0)  # collected now: approved, keeping the entry asked for
    assert events(receipt)[0] == "SharingStep" and events(receipt)[-2:] == ["GrantIssued", "GrantStatusChanged"]
    desk.decide(civil, s.demands["B"], 0)

    # Disputes and escalations are recorded steps.
    desk.act(street, StepKind.OPEN_DISPUTE, s.demands["D"])
    desk.act(office, StepKind.RESOLVE_DISPUTE, s.demands["D"], code=1)
    desk.act(office, StepKind.ESCALATE, s.demands["D"])
    desk.act(office, StepKind.RECORD_ESCALATION_OUTCOME, s.demands["D"], code=2)

    # A's life: use, a reason on file, a security suspension with an objection dismissed, reinstated.
    use = desk.action(dc, StepKind.RECORD_USE, s.demands["A"], doc("putuo.usage/1", n=1), at=desk.now())
    desk.send(use)
    s.actions["use"] = (dc, use)
    desk.act(street, StepKind.FILE_IDLE_REASON, s.demands["A"], at=desk.now() + 100 * 86400)
    desk.act(dc, StepKind.REVIEW_IDLE_REASON, s.demands["A"], code=1)  # refused (Art. 26)
    desk.act(dc, StepKind.SECURITY_SUSPEND, s.demands["A"])
    desk.act(street, StepKind.OBJECT, s.demands["A"])
    desk.act(dc, StepKind.DISMISS_OBJECTION, s.demands["A"], code=1)
    desk.act(dc, StepKind.REINSTATE, s.demands["A"])
    desk.act(dc, StepKind.RECORD_USE, s.demands["A"], at=desk.grant(s.demands["A"])[11])  # an older use: no change
    desk.act(street, StepKind.FILE_IDLE_REASON, s.demands["F"], at=desk.now() + 300 * 86400)
    desk.act(dc, StepKind.REVIEW_IDLE_REASON, s.demands["F"])  # accepted

    # An adjustment plan (Art. 14), consumed by the owner's change request.
    desk.adjustment_plan(civil, s.entries["civil"])
    receipt = desk.catalog_action(
        civil,
        ActionKind.REQUEST_CHANGE,
        s.entries["civil"],
        doc("putuo.catalog/1", code="MZJ-S001", name="低保对象家庭信息"),
    )
    assert "AdjustmentPlanUsed" in events(receipt)
    # The Data Center returns the change (Art. 14): until it decides, nothing on the entry is granted.
    desk.catalog_action(
        dc,
        ActionKind.REVIEW,
        s.entries["civil"],
        doc("putuo.catalog-review/1", decision="return", reason_code=1),
        version=2,
        reason_code=1,
    )
    receipt = desk.act(street, StepKind.TERMINATE, s.demands["A"])  # by its holder
    desk.act(dc, StepKind.RECORD_USE, s.demands["A"], at=desk.block_time(receipt))  # logged late: it still counts

    # Rejected in a batch: a copy of an action already on-chain, and a decision on a closed demand.
    late = desk.action(market, StepKind.DECIDE, s.demands["D"], doc("putuo.test-decide/1"), item=0)
    s.actions["late"] = (market, late)
    receipt = desk.system.relayer.send(fns.executeBatch([use.as_tuple(), late.as_tuple()]))
    assert events(receipt) == ["ActionRejected", "ActionRejected"]
    for action, error in ((use, "SignedActionNonceUsed"), (late, "SharingDemandClosed")):
        s.rejected[h(digest(action, chain_id=desk.chain_id, sharing_address=desk.system.deployment.sharing))] = error

    # B2 deemed approved by silence (Art. 20): B is granted by the permissionless call.
    desk.travel_to(desk.item(s.demands["B"], 1)[5] + DECISION_GRACE_S + 1)
    receipt = desk.system.relayer.send(fns.finaliseItem(s.demands["B"], 1))
    assert events(receipt) == ["SharingStep", "DemandItemClosed", "DemandClosed", "GrantIssued", "GrantStatusChanged"]

    # C idle for 3 months, suspended, no objection: it lapses 30 days after the notice.
    desk.travel_to(fns.idleFrom(s.demands["C"]).call())
    desk.system.relayer.send(fns.suspendIdle(s.demands["C"]))
    desk.travel_to(desk.grant(s.demands["C"])[15] + 1)
    receipt = desk.system.relayer.send(fns.finaliseLapse(s.demands["C"]))
    assert events(receipt) == ["SharingStep", "GrantStatusChanged"]

    # B idle for 6 months (a reason on file), suspended, objects, reinstated; then the Data Center ends it.
    desk.travel_to(fns.idleFrom(s.demands["B"]).call())
    desk.system.relayer.send(fns.suspendIdle(s.demands["B"]))
    desk.act(street, StepKind.OBJECT, s.demands["B"])
    desk.act(dc, StepKind.REINSTATE, s.demands["B"])
    desk.act(dc, StepKind.TERMINATE, s.demands["B"], code=TERMINATE_SECURITY)  # Art. 31

    # The market entry changes under F and G with a plan to move them (Art. 14): they follow it.
    desk.adjustment_plan(market, s.entries["market"])
    desk.catalog_action(
        market, ActionKind.REQUEST_CHANGE, s.entries["market"], doc("putuo.catalog/1", code="SCJ-S001", name="市场主体")
    )
    desk.catalog_action(dc, ActionKind.REVIEW, s.entries["market"], APPROVE_REVIEW, version=2)
    for label in ("F", "G"):
        receipt = desk.system.relayer.send(fns.followAdjustment(s.demands[label]))
        assert events(receipt) == ["SharingStep", "GrantRepinned"]

    desk.act(
        dc,
        StepKind.WITHDRAW_SCENARIO,
        s.scenario,
        canonical_bytes({"schema": "putuo.scenario-withdrawal/1", "scenario_code": SCENARIO_CODE, "reason": "完成"}),
    )
    return s


def assert_mirror_equals_contract(desk: SharingDesk, store) -> None:
    """Every demand, item, grant and scenario row holds what the contract's views say."""
    for d in rows(store, SharingDemand):
        demand_id = bytes.fromhex(d["demand_id"][2:])
        v = desk.record("demand", demand_id)
        assert (
            d["unit_id"],
            d["status"],
            d["plan_status"],
            d["applied_at"],
            d["plan_due_at"],
            d["serve_due_at"],
            d["document_hash"],
            d["commitment_hash"],
            d["conformity_status"],
            d["conformity_due_at"],
        ) == (
            h(v.unitId),
            DemandStatus(v.status).name.lower(),
            PlanStatus(v.plan).name.lower(),
            v.appliedAt,
            v.planDueAt,
            v.serveDueAt,
            h(v.documentHash),
            h(v.commitmentHash),
            PlanStatus(v.conformity).name.lower(),
            v.conformityDueAt,
        )
        assert h(keccak(d["commitment_document"].encode())) == d["commitment_hash"]
        items = rows(store, SharingItem, demand_id=d["demand_id"])
        assert [i["item"] for i in items] == list(range(v.itemCount))
        for i in items:
            entry_id, owner, version, status, uncatalogued, due_at, decided_at, code = desk.item(demand_id, i["item"])
            assert (
                i["entry_id"],
                i["owner_unit_id"],
                i["version"],
                i["status"],
                i["uncatalogued"],
                i["due_at"],
                i["decided_at"],
                i["code"],
                i["demand_unit_id"],
            ) == (
                h(entry_id),
                h(owner),
                version,
                ItemStatus(status).name.lower(),
                uncatalogued,
                due_at,
                decided_at,
                code,
                d["unit_id"],
            )
    grants = rows(store, SharingGrant)
    assert {g["grant_id"] for g in grants} == {d["demand_id"] for d in rows(store, SharingDemand, status="granted")}
    for g in grants:
        grant_id = bytes.fromhex(g["grant_id"][2:])
        v = desk.record("grant", grant_id)
        mirrored_only = ("grant_id", "scenario_code", "issued_block", "issued_tx", "termination", "document_problem")
        assert {k: g[k] for k in g if k not in mirrored_only} == {
            "unit_id": h(v.unitId),
            "scenario_id": h(v.scenarioId),
            "scenario_class": v.scenarioClass,
            "method": Method(v.method).name.lower(),
            "form": DataForm(v.form).name.lower(),
            "frequency": Frequency(v.frequency).name.lower(),
            "frequency_reason": v.frequencyReason,
            "security_level": v.securityLevel,
            "status": GrantStatus(v.status).name.lower(),
            "suspension": Suspension(v.suspension).name.lower(),
            "objection_pending": v.objectionPending,
            "objection_answer_due_at": v.objectionAnswerDueAt,
            "objected": v.objected,
            "issued_at": v.issuedAt,
            "last_used_at": v.lastUsedAt,
            "excused_until": v.excusedUntil,
            "reason_until": v.reasonUntil,
            "reason_due_at": v.reasonDueAt,
            "idle_from": desk.sharing.functions.idleFrom(grant_id).call(),
            "suspended_at": v.suspendedAt,
            "objection_due_at": v.objectionDueAt,
            "serve_due_at": v.serveDueAt,
            "served_at": v.servedAt,
            "terminated_at": v.terminatedAt,
        }
        resources = rows(store, SharingGrantResource, grant_id=g["grant_id"])
        assert [(r["entry_id"], r["version"]) for r in resources] == [
            (h(e), ver)
            for e, ver in (desk.sharing.functions.grantResource(grant_id, i).call() for i in range(v.resourceCount))
        ]
        assert {r["unit_id"] for r in resources} == {g["unit_id"]}
    for sc in rows(store, SharingScenario):
        v = desk.record("scenario", bytes.fromhex(sc["scenario_id"][2:]))
        assert (
            sc["approved"],
            sc["scenario_class"],
            sc["approved_at"],
            sc["withdrawn_at"],
            sc["evaluation_hash"],
        ) == (v.approved, v.scenarioClass, v.approvedAt, v.withdrawnAt, h(v.evaluationHash))


def test_sharing_rows_follow_the_contract(desk, sqlite):
    s = drive(desk)
    store = sqlite("mirror")
    sync(desk, store)
    assert_mirror_equals_contract(desk, store)
    d = {k: h(v) for k, v in s.demands.items()}
    street = desk.street.unit_hex

    demands = {r["demand_id"]: r for r in rows(store, SharingDemand)}
    assert {k: (demands[v]["status"], demands[v]["route"], demands[v]["plan_status"]) for k, v in d.items()} == {
        "A": ("granted", "scenario", "none"),
        "B": ("granted", "owner_review", "none"),
        "C": ("granted", "owner_review", "approved"),
        "D": ("rejected", "owner_review", "none"),
        "E": ("returned", "owner_review", "returned"),
        "F": ("granted", "scenario", "none"),
        "G": ("granted", "scenario", "none"),
    }
    a, c, f = demands[d["A"]], demands[d["C"]], demands[d["F"]]
    assert (a["scenario_code"], a["scenario_class"], a["scenario_id"]) == (SCENARIO_CODE, 2, h(s.scenario))
    assert (a["unit_id"], a["applicant"], a["method"], a["frequency"], a["frequency_reason"], a["fusion"]) == (
        street,
        desk.street.address,
        "interface",
        "monthly",
        False,
        False,
    )
    assert a["closed_at"] == a["conformity_decided_at"] >= a["applied_at"] and a["commitment_scheme"] == "ecdsa"
    assert (a["conformity_status"], a["form"], a["document_problem"]) == ("approved", "full", None)
    assert a["commitment_key_id"] == desk.street.address
    a_document = as_object(a["document"])
    assert (a_document["application_no"], a_document["scenario"]["code"]) == ("A", SCENARIO_CODE)
    assert as_object(a["commitment_document"])["demand_id"] == d["A"]
    assert (c["scenario_code"], c["fusion"], c["security_level"], c["closed_at"] >= c["plan_decided_at"] > 0) == (
        "低保联审",
        True,
        3,
        True,
    )
    assert c["serve_due_at"] > c["plan_decided_at"]
    e = demands[d["E"]]
    with store.sessions() as session:  # the plan's columns come from its DemandPlanReviewed
        reviewed = {
            r.subject: r.block_time
            for r in session.scalars(select(ChainEvent).where(ChainEvent.name == "DemandPlanReviewed"))
        }
    assert reviewed == {d["C"]: c["plan_decided_at"], d["E"]: e["plan_decided_at"]}
    assert (e["plan_status"], e["serve_due_at"], e["closed_at"]) == ("returned", 0, e["plan_decided_at"])
    assert (f["frequency"], f["frequency_reason"], f["commitment_scheme"]) == ("annual", True, "sm2")
    assert demands[d["E"]]["method"] == "other" and demands[d["E"]]["plan_due_at"] > 0

    items = {(r["demand_id"], r["item"]): r for r in rows(store, SharingItem)}
    pick = ("status", "decider", "code", "uncatalogued")
    assert {(k, i): tuple(items[(v, i)][p] for p in pick) for k, v in d.items() for i in (0, 1) if (v, i) in items} == {
        ("A", 0): ("authorised", None, 0, False),
        ("A", 1): ("authorised", None, 0, False),
        ("B", 0): ("approved", desk.civil.address, 0, False),
        ("B", 1): ("deemed_approved", None, 0, False),
        ("C", 0): ("rejected", desk.civil.address, REJECT_LEGAL_BASIS, False),
        ("C", 1): ("approved", desk.civil.address, 0, True),
        ("D", 0): ("rejected", desk.market.address, REJECT_NONCONFORMING, False),
        ("E", 0): ("closed", None, 0, False),
        ("F", 0): ("authorised", None, 0, False),
        ("G", 0): ("approved", desk.civil.address, 0, True),
        ("G", 1): ("authorised", None, 0, False),
    }
    assert items[(d["G"], 0)]["entry_id"] == h(s.entries["uncollected"]) and items[(d["G"], 0)]["version"] == 1
    assert items[(d["G"], 0)]["due_at"] > items[(d["G"], 0)]["opened_at"] and items[(d["G"], 1)]["due_at"] == 0
    assert items[(d["C"], 1)]["entry_id"] == h(s.entries["later"]) and items[(d["C"], 1)]["version"] == 1
    assert items[(d["B"], 1)]["decision_tx"] is not None and items[(d["A"], 0)]["decision_tx"] is None

    grants = {r["grant_id"]: r for r in rows(store, SharingGrant)}
    pick = ("status", "suspension", "termination", "objected", "scenario_code", "frequency_reason")
    assert {k: tuple(grants[v][p] for p in pick) for k, v in d.items() if v in grants} == {
        "A": ("terminated", "none", "voluntary", False, SCENARIO_CODE, False),
        "B": ("terminated", "none", "data_center", False, "低保审核", True),
        "C": ("terminated", "idle", "lapsed", False, "低保联审", False),
        "F": ("active", "none", "", False, "低保审核", True),
        "G": ("active", "none", "", False, "低保审核", False),
    }
    assert grants[d["F"]]["idle_from"] > grants[d["F"]]["excused_until"] > 0
    assert [r["entry_id"] for r in rows(store, SharingGrantResource, grant_id=d["C"])] == [h(s.entries["later"])]
    assert [r["entry_id"] for r in rows(store, SharingGrantResource, grant_id=d["G"])] == [
        h(s.entries["uncollected"]),
        h(s.entries["market"]),
    ]
    c_grant, a_grant = grants[d["C"]], grants[d["A"]]
    assert c_grant["served_at"] > c_grant["issued_at"] and c_grant["serve_due_at"] == c["serve_due_at"]
    assert c_grant["last_used_at"] == c_grant["served_at"]  # idle from the serving, not the issue
    assert a_grant["last_used_at"] == a_grant["terminated_at"]  # a use logged after the end, from before it

    scenario = one(store, SharingScenario, scenario_id=h(s.scenario))
    assert (
        scenario["scenario_id"],
        scenario["code"],
        scenario["name"],
        scenario["scenario_class"],
        scenario["approved"],
        scenario["withdrawn_at"] > scenario["approved_at"] > 0,
        scenario["units"],
    ) == (h(s.scenario), SCENARIO_CODE, "城市运行一网统管", 2, False, True, desk.street.unit_hex)

    with store.sessions() as session:
        rejected = {r.digest: r.error.split("(")[0] for r in session.scalars(select(RejectedAction))}
        assert rejected == s.rejected
        names = set(session.scalars(select(ChainEvent.name)))
    assert {"AdjustmentPlanUsed", "DemandPlanOpened", "DemandPlanReviewed", "ActionRejected"} <= names


def test_every_step_is_kept_with_its_proof(desk, sqlite):
    s = drive(desk)
    store = sqlite("steps")
    indexer = new_indexer(desk.system, store)
    indexer.sync()
    logs = [e for e in indexer.read(desk.system.deployment.deploy_block, indexer.head()) if e.name == "SharingStep"]
    steps = rows(store, SharingStepRecord)
    assert len(steps) == len(logs) > 30
    for step, ev in zip(steps, logs, strict=True):
        a = ev.args
        assert step == {
            "position": ev.position,
            "subject": h(a["subject"]),
            "kind": StepKind(a["kind"]).name.lower(),
            "item": a["item"],
            "unit_id": h(a["unitId"]),
            "actor": a["actor"],
            "nonce": str(a["nonce"]),
            "code": a["code"],
            "at": a["at"],
            "terms": h(a["terms"]),
            "document": a["document"].decode(),
            "document_hash": h(a["documentHash"]),
            "block_number": ev.block_number,
            "block_time": desk.w3.eth.get_block(ev.block_number)["timestamp"],
            "tx_hash": ev.tx_hash,
            "log_index": ev.log_index,
        }
        if step["unit_id"] != "0x" + "00" * 32:  # a signed step: the document is the one hashed on-chain
            assert h(keccak(step["document"].encode())) == step["document_hash"]
    kinds = [r["kind"] for r in rows(store, SharingStepRecord, subject=h(s.demands["C"]))]
    assert kinds == ["apply", "review_plan", "decide", "decide", "record_served", "suspend_idle", "finalise_lapse"]
    permissionless = rows(store, SharingStepRecord, kind="finalise_item")
    assert [(r["unit_id"], r["actor"], r["nonce"], r["document"], r["document_hash"]) for r in permissionless] == [
        ("0x" + "00" * 32, desk.system.relayer.account.address, "0", "", "0x" + "00" * 32)
    ]
    plans = rows(store, SharingStepRecord, kind="record_adjustment_plan")
    assert [p["subject"] for p in plans] == [h(s.entries["civil"]), h(s.entries["market"])]
    follows = rows(store, SharingStepRecord, kind="follow_adjustment")
    assert [f["subject"] for f in follows] == [h(s.demands["F"]), h(s.demands["G"])]
    assert {r["version"] for r in rows(store, SharingGrantResource, entry_id=h(s.entries["market"]))} >= {2}


def test_outbox_rows_are_confirmed_and_rejected(desk, sqlite):
    s = drive(desk)
    store = sqlite("outbox")
    with store.sessions.begin() as session:
        for officer, action in s.actions.values():
            session.add(outbox_row(desk, officer, action))
    sync(desk, store)
    with store.sessions() as session:
        outbox = {r.nonce: (r.status, r.error) for r in session.scalars(select(OutboxAction))}
    use, late = s.actions["use"][1], s.actions["late"][1]
    # The use is on-chain (its resent copy's SignedActionNonceUsed does not reject it); the late decision is not.
    assert outbox[str(use.nonce)] == ("confirmed", None)
    status, error = outbox[str(late.nonce)]
    assert status == "rejected" and error.startswith("SharingDemandClosed(")


def test_a_rebuilt_mirror_is_identical(desk, stores, tmp_path):
    drive(desk)
    store = stores("rebuilt")
    sync(desk, store)
    first = dump(store.engine)
    assert all(first[t] for t in SHARING_TABLES)
    new_indexer(desk.system, store).rebuild()
    assert dump(store.engine) == first
    store.reset()
    sync(desk, store)
    assert dump(store.engine) == first
    assert fresh_dump(desk.system, tmp_path / "fresh.db") == first  # SQLite, whatever the backend under test
    one_block = stores("one-block")  # every block a range of its own
    sync(desk, one_block, 1)
    assert dump(one_block.engine, without=(SEEN_BLOCKS,)) == dump(store.engine, without=(SEEN_BLOCKS,))


def test_a_plan_review_fills_the_demand_before_its_grant(desk, sqlite):
    """DemandPlanReviewed (Art. 21, 22): the review's outcome, time and the 10-working-day service
    due are on the demand as soon as the Data Center reviews, while its items are still with their
    owners and no grant exists; a returned plan has no service due."""
    civil, market, street, dc = desk.civil, desk.market, desk.street, desk.data_center
    entries = [
        desk.resource(civil, desk.approved_entry(civil, "MZJ-P001")),
        desk.resource(market, desk.approved_entry(market, "SCJ-P001", "市场主体登记信息")),
    ]
    fused, _ = desk.apply(street, entries, application_no="P-1", fusion=True)
    evaluated, _ = desk.apply(street, entries[:1], application_no="P-2", scenario_class=1, method=Method.OTHER)
    approved = desk.act(dc, StepKind.REVIEW_PLAN, fused)
    returned = desk.act(dc, StepKind.REVIEW_PLAN, evaluated, code=4)
    [event] = [e for e in receipt_events(approved) if e.name == "DemandPlanReviewed"]
    serve_due = desk.demand(fused)[7]  # Demand.serveDueAt
    assert event.args == {"demandId": fused, "status": PlanStatus.APPROVED, "serveDueAt": serve_due} and serve_due
    store = sqlite("plans")
    sync(desk, store)
    assert_mirror_equals_contract(desk, store)
    pick = ("status", "plan_status", "plan_decided_at", "serve_due_at")
    assert tuple(one(store, SharingDemand, demand_id=h(fused))[k] for k in pick) == (
        "open",
        "approved",
        desk.block_time(approved),
        serve_due,
    )
    assert tuple(one(store, SharingDemand, demand_id=h(evaluated))[k] for k in pick) == (
        "returned",
        "returned",
        desk.block_time(returned),
        0,
    )
    assert rows(store, SharingGrant) == []
    assert [r["kind"] for r in rows(store, SharingStepRecord, subject=h(fused))] == ["apply", "review_plan"]

    desk.decide(civil, fused, 0)
    desk.decide(market, fused, 1)
    sync(desk, store)
    assert one(store, SharingGrant, grant_id=h(fused))["serve_due_at"] == serve_due
    assert one(store, SharingDemand, demand_id=h(fused))["serve_due_at"] == serve_due
    new_indexer(desk.system, store).rebuild()
    assert_mirror_equals_contract(desk, store)


def test_a_not_ready_item_stays_not_ready_when_a_rollback_replays_it(desk, stores, tmp_path):
    """Art. 22: whether an item was ready is fixed when it is opened (Item.uncatalogued): an item
    opened before its entry's data was collected stays not ready when a rollback replays the
    demand's events with the collection already in the mirror; one opened after it stays ready."""
    system, civil, street = desk.system, desk.civil, desk.street
    entry = desk.approved_entry(civil, "MZJ-R002", "困难家庭信息", collected=False)
    early, _ = desk.apply(street, [desk.resource(civil, entry)], application_no="R-EARLY")
    desk.collect(entry[0])
    late, _ = desk.apply(street, [desk.resource(civil, entry)], application_no="R-LATE")
    store = stores("replay")
    indexer = new_indexer(system, store)
    indexer.sync()
    assert [one(store, SharingItem, demand_id=h(d))["uncatalogued"] for d in (early, late)] == [True, False]
    snapshot = system.snapshot()

    desk.decide(civil, early, 0)  # the old branch: both granted
    desk.decide(civil, late, 0)
    indexer.sync()
    old_number = _head(desk)[0]
    system.revert(snapshot)
    desk.decide(civil, early, 0, code=REJECT_NONCONFORMING)  # the new branch: both refused
    desk.decide(civil, late, 0, code=REJECT_NONCONFORMING)
    while _head(desk)[0] < old_number + 1:
        system.w3.provider.make_request("evm_mine", [])
    assert indexer.sync().rolled_back > 0
    assert [one(store, SharingItem, demand_id=h(d))["uncatalogued"] for d in (early, late)] == [True, False]
    assert [one(store, SharingDemand, demand_id=h(d))["status"] for d in (early, late)] == ["rejected"] * 2
    assert_mirror_equals_contract(desk, store)
    assert dump(store.engine, without=(SEEN_BLOCKS,)) == fresh_dump(
        system, tmp_path / "fresh.db", without=(SEEN_BLOCKS,)
    )


def _head(desk) -> tuple[int, str]:
    block = desk.w3.eth.get_block("latest")
    return block["number"], block["hash"].to_0x_hex()


def test_a_reorg_rolls_sharing_rows_back(desk, stores, tmp_path):
    system, civil, market, street, dc = desk.system, desk.civil, desk.market, desk.street, desk.data_center
    entry = desk.approved_entry(civil, "MZJ-R001")
    kept, _ = desk.apply(street, [desk.resource(civil, entry)], application_no="R-A", scenario_class=1)
    pending, _ = desk.apply(street, [desk.resource(civil, entry)], application_no="R-B")
    store = stores("reorg")
    indexer = new_indexer(system, store)
    indexer.sync()
    before = sharing_dump(store)
    snapshot = system.snapshot()

    # The old branch: the kept grant used and suspended, the pending demand granted, a scenario
    # approved, a new demand, a rejected action; their outbox rows confirmed and rejected.
    scenario = scenario_id_for("旧分支场景")
    old = [
        (dc, desk.action(dc, StepKind.RECORD_USE, kept, doc("putuo.usage/1"), at=desk.now())),
        (dc, desk.action(dc, StepKind.SECURITY_SUSPEND, kept, doc("putuo.suspension/1"))),
        (civil, desk.action(civil, StepKind.DECIDE, pending, doc("putuo.decision/1"), item=0, at=desk.now())),
        (
            dc,
            desk.action(
                dc,
                StepKind.APPROVE_SCENARIO,
                scenario,
                canonical_bytes({"scenario_code": "旧分支场景", "name": "旧"}),
                terms=ScenarioTerms(1).encode(),
            ),
        ),
        (
            market,
            desk.action(market, StepKind.DECIDE, pending, doc("putuo.decision/1"), item=0, at=desk.now()),
        ),  # not the owner
    ]
    with store.sessions.begin() as session:
        for officer, action in old:
            session.add(outbox_row(desk, officer, action))
    system.relayer.send(desk.sharing.functions.executeBatch([a.as_tuple() for _, a in old]))
    only_old, _ = desk.apply(street, [desk.resource(civil, entry)], application_no="R-OLD", scenario_class=1)
    assert indexer.sync().rolled_back == 0
    old_head = _head(desk)
    with store.sessions() as session:
        statuses = [r.status for r in session.scalars(select(OutboxAction).order_by(OutboxAction.id))]
    assert statuses == ["confirmed"] * 4 + ["rejected"]
    assert one(store, SharingGrant, grant_id=h(kept))["status"] == "suspended"
    assert one(store, SharingGrant, grant_id=h(pending))["status"] == "active"
    assert len(rows(store, SharingScenario)) == 2 and len(rows(store, SharingDemand)) == 3  # 低保审核 and 旧分支场景

    # The new branch from the fork point: the holder ends the kept grant; the pending one is refused.
    system.revert(snapshot)
    desk.act(street, StepKind.TERMINATE, kept)
    desk.decide(civil, pending, 0, code=REJECT_NONCONFORMING)
    while _head(desk)[0] < old_head[0]:
        system.w3.provider.make_request("evm_mine", [])
    report = indexer.sync()
    assert report.rolled_back > 0
    assert dump(store.engine, without=(SEEN_BLOCKS,)) == fresh_dump(
        system, tmp_path / "fresh.db", without=(SEEN_BLOCKS,)
    )
    assert one(store, SharingGrant, grant_id=h(kept))["termination"] == "voluntary"
    assert rows(store, SharingGrant, grant_id=h(pending)) == []
    assert [r["code"] for r in rows(store, SharingScenario)] == ["低保审核"]  # registered before the fork
    assert one(store, SharingDemand, demand_id=h(pending))["status"] == "rejected"
    assert rows(store, SharingDemand, demand_id=h(only_old)) == []
    assert rows(store, RejectedAction) == []
    kinds = [r["kind"] for r in rows(store, SharingStepRecord, subject=h(kept))]
    assert kinds == ["apply", "confirm_conformity", "terminate"]
    with store.sessions() as session:
        statuses = [r.status for r in session.scalars(select(OutboxAction).order_by(OutboxAction.id))]
    assert statuses == ["accepted"] * 5  # none of them is on-chain any more: to be sent again
    assert sharing_dump(store) != before


@pytest.mark.parametrize(
    ("document", "stored", "code"),
    [
        (b"\xff\xfe not utf-8", {"$raw": "0x" + b"\xff\xfe not utf-8".hex()}, ""),
        (b'{"scenario": "a\x00b"}', {"$raw": "0x" + b'{"scenario": "a\x00b"}'.hex()}, ""),
        (b"not json at all", {"$text": "not json at all"}, ""),
        (b'["a", "list"]', {"$text": '["a", "list"]'}, ""),
        (b'{"scenario": {"code": 7}}', {"scenario": {"code": 7}}, ""),
        (b'{"scenario": ["x"]}', {"scenario": ["x"]}, ""),
        (b'{"scenario": "\\u0000\xe4\xbd\x8e\xe4\xbf\x9d"}', {"scenario": "\x00低保"}, "低保"),
        (b'{"scenario": {"code": "\xe4\xbd\x8e\xe4\xbf\x9d\\u0000"}}', {"scenario": {"code": "低保\x00"}}, "低保"),
    ],
    ids=["not-utf8", "nul", "not-json", "not-object", "code-not-text", "scenario-list", "nul-escape", "nul-in-code"],
)
def test_documents_that_are_not_json_do_not_stop_the_mirror(desk, stores, tmp_path, document, stored, code):
    """Any officer may relay straight to the contract: the mirror keeps what it cannot read."""
    civil, street, dc = desk.civil, desk.street, desk.data_center
    entry = desk.approved_entry(civil, "MZJ-X001")
    demand_id = apply_document(desk, street, document, [desk.resource(civil, entry)])
    desk.act(dc, StepKind.RECORD_USE, demand_id, document, at=desk.now())
    scenario = scenario_id_for("任意")
    desk.act(dc, StepKind.APPROVE_SCENARIO, scenario, document, terms=ScenarioTerms(1).encode())
    desk.act(dc, StepKind.WITHDRAW_SCENARIO, scenario, b'{"scenario_code": 5, "name": "\\u0000x"}')
    store = stores("odd")
    sync(desk, store)
    assert store.cursor() == _head(desk)
    demand = one(store, SharingDemand, demand_id=h(demand_id))
    assert as_object(demand["document"]) == stored and demand["scenario_code"] == code
    assert demand["document_hash"] == h(keccak(document))  # the proof names the real bytes
    assert one(store, SharingGrant, grant_id=h(demand_id))["scenario_code"] == code
    steps = rows(store, SharingStepRecord, subject=h(demand_id))
    assert [as_object(r["document"]) for r in steps if r["kind"] != "confirm_conformity"] == [stored, stored]
    [sc] = rows(store, SharingScenario, scenario_id=h(scenario))
    assert (sc["code"], sc["name"], sc["approved"]) == ("", "x", False)
    assert dump(store.engine, without=(SEEN_BLOCKS,)) == fresh_dump(
        desk.system, tmp_path / "fresh.db", without=(SEEN_BLOCKS,)
    )
