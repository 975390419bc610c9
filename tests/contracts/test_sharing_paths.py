"""Sharing (Art. 14, 19–24): every route from an application to a grant, end to end on a real
node, with the exact due times (the end, 23:59:59 Asia/Shanghai, of the N-th working day after
the step: the calendar contract, checked against the independent `chinese_calendar` reference)
and time travel to either side of each boundary.

The grant's own life (use, idleness, suspension, lapse, termination) is in test_sharing_grants.py,
every refusal with its exact custom error in test_sharing_refusals.py.
"""

from __future__ import annotations

import pytest
from eth_utils import keccak

from chain.actions import ActionKind, entry_id_for
from chain.sharing import (
    DECISION_GRACE_S,
    REJECT_LEGAL_BASIS,
    REJECT_NONCONFORMING,
    TERMINATE_SCENARIO_WITHDRAWN,
    DataForm,
    DecideTerms,
    DemandStatus,
    Disposition,
    GrantStatus,
    ItemStatus,
    Method,
    PlanStatus,
    StepKind,
    scenario_id_for,
)
from tests.sharing_desk import APPROVE_REVIEW, ZERO32, SharingDesk, doc, only, refused
from tests.workdays.helpers import reference_due, ts

CHANGE = doc("putuo.catalog/1", code="MZJ-0001", name="最低生活保障对象信息")
CHANGE_MARKET = doc("putuo.catalog/1", code="SCJGJ-0001", name="市场主体登记信息")
DELETION = doc("putuo.catalog-deletion/1", reason="system retired")
BASIS = "《中华人民共和国个人信息保护法》第十三条"


def hx(value: bytes) -> str:
    return "0x" + value.hex()


def due(desk: SharingDesk, timestamp: int, n: int) -> int:
    """The calendar contract's due time, which must equal the independent reference."""
    on_chain = desk.due(timestamp, n)
    ok, expected, _ = reference_due(timestamp, n)
    assert ok and on_chain == expected
    return on_chain


def pinned(issued: dict) -> list[tuple[bytes, int]]:
    """A GrantIssued event's (entry id, version) pairs."""
    return list(zip(issued["entryIds"], issued["versions"]))


@pytest.fixture
def desk(system) -> SharingDesk:
    return SharingDesk(system)


@pytest.fixture
def entries(desk):
    """An approved entry of the civil affairs bureau and one of the market regulator."""
    return desk.approved_entry(desk.civil, "MZJ-0001"), desk.approved_entry(desk.market, "SCJGJ-0001", "市场主体登记")


# ---------------------------------------------------------------- Art. 19: scenario-authorised


def test_art19_the_scenario_route_grants_after_the_data_centers_confirmation(any_system):
    """Art. 19: a demand in scenario (1), (3) or (4) that meets the norms gets the share service
    without the owner's review. The class is the register's fact (classes 1 and 3 registered, here
    for any unit and entry; class 4 is a data form), and the Data Center confirms the application
    conforms (且满足规范性要求) within 1 working day: the confirmation issues the grant."""
    desk = SharingDesk(any_system)
    entry_id, version = desk.approved_entry(desk.civil, "MZJ-0001")
    resources = [desk.resource(desk.civil, (entry_id, version))]
    for n, scenario_class in enumerate((1, 3, 4), start=1):
        code = f"一网通办-{scenario_class}"
        demand_id, receipt = desk.apply(
            desk.street,
            resources,
            application_no=f"CF-2026-10{n}",
            scenario_class=scenario_class,
            scenario_code=code,
            confirm=False,
        )
        opened = only(desk, receipt, "DemandItemOpened").args
        assert (opened["status"], opened["dueAt"], opened["entryId"]) == (ItemStatus.AUTHORISED, 0, entry_id)
        applied = desk.block_time(receipt)
        conformity_due = only(desk, receipt, "DemandConformityOpened").args["dueAt"]
        assert conformity_due == due(desk, applied, 1)
        assert not desk.named(receipt, "GrantIssued")
        demand = desk.record("demand", demand_id)
        assert (demand.status, demand.conformity, demand.conformityDueAt) == (
            DemandStatus.OPEN,
            PlanStatus.PENDING,
            conformity_due,
        )

        receipt = desk.confirm(demand_id)
        assert only(desk, receipt, "DemandConformityReviewed").args["status"] == PlanStatus.APPROVED
        issued = only(desk, receipt, "GrantIssued").args
        assert issued["grantId"] == demand_id and issued["unitId"] == desk.street.unit_id
        assert (issued["scenarioClass"], issued["scenarioId"]) == (scenario_class, scenario_id_for(code))
        assert (pinned(issued), issued["serveDueAt"]) == ([(entry_id, version)], 0)
        assert only(desk, receipt, "DemandClosed").args["status"] == DemandStatus.GRANTED
        grant = desk.record("grant", demand_id)
        confirmed = desk.block_time(receipt)
        assert (grant.status, grant.issuedAt, grant.lastUsedAt) == (GrantStatus.ACTIVE, confirmed, confirmed)
        assert grant.form == (DataForm.DESENSITISED if scenario_class == 4 else DataForm.FULL)
        assert desk.grant_resources(demand_id) == [(entry_id, version)]
        assert desk.live_grants(entry_id) == n

    # Returned: the demand closes, nothing is granted.
    returned, _ = desk.apply(desk.street, resources, application_no="CF-2026-104", scenario_class=1, confirm=False)
    receipt = desk.confirm(returned, code=1)
    assert only(desk, receipt, "DemandConformityReviewed").args["status"] == PlanStatus.RETURNED
    assert only(desk, receipt, "DemandClosed").args["status"] == DemandStatus.RETURNED
    assert desk.record("grant", returned).status == GrantStatus.NONE
    refused(
        desk,
        desk.execute_call(desk.action(desk.data_center, StepKind.CONFIRM_CONFORMITY, returned, b"{}")),
        "SharingDemandClosed",
        demandId=hx(returned),
        status=DemandStatus.RETURNED,
    )
    owner_route, _ = desk.apply(desk.street, resources, application_no="CF-2026-105")
    refused(
        desk,
        desk.execute_call(desk.action(desk.data_center, StepKind.CONFIRM_CONFORMITY, owner_route, b"{}")),
        "SharingConformityNotPending",
        demandId=hx(owner_route),
        status=PlanStatus.NONE,
    )
    assert desk.live_grants(entry_id) == 3


def test_art19_2_a_key_work_scenario_serves_its_named_units_and_data_until_withdrawn(desk):
    """Art. 19 (2): the Data Center evaluates a key-work scenario for named units and named data;
    no other unit borrows it and it covers no other data. Its withdrawal is final: no new demand,
    no confirmation of a pending one, no use from that second on; its grants end (code 3)."""
    entry = desk.approved_entry(desk.civil, "MZJ-0001")
    other = desk.approved_entry(desk.civil, "MZJ-0002", "养老机构信息")
    code = "重点工作-长风社区养老"
    scenario_id = scenario_id_for(code)
    resources = [desk.resource(desk.civil, entry)]
    _, action = desk.application(
        desk.street, resources, application_no="CF-2026-200", scenario_class=2, scenario_code=code
    )
    refused(desk, desk.execute_call(action), "SharingScenarioNotApproved", scenarioId=hx(scenario_id))

    refused(
        desk,
        desk.execute_call(desk.scenario_action(code, 2, units=[desk.street])),
        "SharingBadTerms",
        kind=StepKind.APPROVE_SCENARIO,
    )
    refused(desk, desk.execute_call(desk.scenario_action(code, 4)), "SharingInvalidScenarioClass", scenarioClass=4)
    refused(
        desk,
        desk.execute_call(desk.scenario_action(code, 2, units=[desk.street], entries=[keccak(b"none")])),
        "SharingUnknownEntry",
        entryId=hx(keccak(b"none")),
    )
    evaluation = doc("putuo.scenario-evaluation/1", scenario_code=code, result="approved")
    receipt = desk.send(desk.scenario_action(code, 2, units=[desk.street], entries=[entry[0]], document=evaluation))
    sc = desk.record("scenario", scenario_id)
    assert (sc.approved, sc.scenarioClass, sc.anyUnit, sc.anyEntry) == (True, 2, False, False)
    assert (sc.approvedAt, sc.withdrawnAt, sc.evaluationHash) == (desk.block_time(receipt), 0, keccak(evaluation))
    assert desk.sharing.functions.scenarioCovers(scenario_id, desk.street.unit_id, entry[0]).call() == [True, True]
    assert desk.sharing.functions.scenarioCovers(scenario_id, desk.market.unit_id, other[0]).call() == [False, False]

    # Borrowed by another unit, or for other data, or claimed as another class: refused.
    _, borrowed = desk.application(
        desk.market, resources, application_no="CF-2026-201", scenario_class=2, scenario_code=code
    )
    refused(
        desk,
        desk.execute_call(borrowed),
        "SharingScenarioNotForUnit",
        scenarioId=hx(scenario_id),
        unitId=hx(desk.market.unit_id),
    )
    _, other_data = desk.application(
        desk.street,
        [desk.resource(desk.civil, other)],
        application_no="CF-2026-202",
        scenario_class=2,
        scenario_code=code,
    )
    refused(
        desk,
        desk.execute_call(other_data),
        "SharingScenarioNotForEntry",
        scenarioId=hx(scenario_id),
        entryId=hx(other[0]),
    )
    _, misclassed = desk.application(
        desk.street, resources, application_no="CF-2026-203", scenario_class=1, scenario_code=code, register=False
    )
    refused(
        desk,
        desk.execute_call(misclassed),
        "SharingScenarioClassMismatch",
        scenarioId=hx(scenario_id),
        registered=2,
        claimed=1,
    )

    receipt = desk.send(action)  # the very application refused above, now accepted
    demand_id = action.subject
    desk.confirm(demand_id)
    assert desk.record("grant", demand_id).scenarioClass == 2
    pending, _ = desk.apply(
        desk.street, resources, application_no="CF-2026-204", scenario_class=2, scenario_code=code, confirm=False
    )

    desk.travel_to(desk.now() + 60)  # a use at the grant's issue, before the withdrawal, counts
    receipt = desk.act(desk.data_center, StepKind.WITHDRAW_SCENARIO, scenario_id)
    withdrawn = desk.block_time(receipt)
    assert desk.record("scenario", scenario_id).withdrawnAt == withdrawn
    refused(
        desk,
        desk.execute_call(desk.scenario_action(code, 2, units=[desk.street], entries=[entry[0]])),
        "SharingScenarioState",
        scenarioId=hx(scenario_id),
        approved=False,
    )
    _, again = desk.application(
        desk.street, resources, application_no="CF-2026-205", scenario_class=2, scenario_code=code
    )
    refused(
        desk, desk.execute_call(again), "SharingScenarioWithdrawn", scenarioId=hx(scenario_id), withdrawnAt=withdrawn
    )
    refused(
        desk,
        desk.execute_call(desk.action(desk.data_center, StepKind.CONFIRM_CONFORMITY, pending, b"{}")),
        "SharingScenarioWithdrawn",
        scenarioId=hx(scenario_id),
        withdrawnAt=withdrawn,
    )
    use = desk.action(desk.data_center, StepKind.RECORD_USE, demand_id, b"{}", at=withdrawn)
    refused(desk, desk.execute_call(use), "SharingScenarioWithdrawn", scenarioId=hx(scenario_id), withdrawnAt=withdrawn)
    issued = desk.record("grant", demand_id).issuedAt
    desk.act(desk.data_center, StepKind.RECORD_USE, demand_id, at=issued)  # before it: counts
    desk.act(desk.data_center, StepKind.TERMINATE, demand_id, code=TERMINATE_SCENARIO_WITHDRAWN)
    assert desk.record("grant", demand_id).status == GrantStatus.TERMINATED
    assert desk.live_grants(entry[0]) == 0


# ---------------------------------------------------------------- Art. 20: owner review


def test_art20_owners_approve_every_item_and_the_grant_pins_the_approved_versions(any_system):
    """Art. 20: a demand outside Art. 19 goes to each item's responsible unit, due in 5 working
    days; when every item is approved the grant is issued, pinned to the versions asked for."""
    desk = SharingDesk(any_system)
    civil_entry = desk.approved_entry(desk.civil, "MZJ-0001")
    # The market regulator's entry is approved at version 2 (returned once, resubmitted).
    market_id = entry_id_for(desk.market.unit_id, "SCJGJ-0001")
    entry_doc = doc("putuo.catalog/1", code="SCJGJ-0001", name="市场主体登记")
    desk.catalog_action(desk.market, ActionKind.SUBMIT, market_id, entry_doc)
    desk.catalog_action(
        desk.data_center,
        ActionKind.REVIEW,
        market_id,
        doc("putuo.catalog-review/1", decision="return", reason_code=1),
        version=1,
        reason_code=1,
    )
    desk.catalog_action(desk.market, ActionKind.RESUBMIT, market_id, entry_doc)
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, market_id, APPROVE_REVIEW, version=2)
    desk.collect(market_id)  # its data is on the platform: ready to share (Art. 15, 22)
    market_entry = (market_id, 2)
    assert desk.entry(market_id)[2] == 2  # approvedVersion

    demand_id, receipt = desk.apply(
        desk.street, [desk.resource(desk.civil, civil_entry), desk.resource(desk.market, market_entry)]
    )
    applied = desk.block_time(receipt)
    review_due = due(desk, applied, 5)
    opened = desk.named(receipt, "DemandItemOpened")
    assert [(e.args["item"], e.args["ownerUnitId"], e.args["status"], e.args["dueAt"]) for e in opened] == [
        (0, desk.civil.unit_id, ItemStatus.PENDING, review_due),
        (1, desk.market.unit_id, ItemStatus.PENDING, review_due),
    ]
    assert not desk.named(receipt, "GrantIssued") and not desk.named(receipt, "DemandClosed")
    demand = desk.record("demand", demand_id)
    assert (demand.status, demand.itemCount, demand.openItems, demand.appliedAt) == (DemandStatus.OPEN, 2, 2, applied)
    step = only(desk, receipt, "SharingStep").args
    assert demand.documentHash == step["documentHash"] == keccak(step["document"])
    assert desk.record("grant", demand_id).status == GrantStatus.NONE

    receipt = desk.decide(desk.civil, demand_id, 0)
    closed = only(desk, receipt, "DemandItemClosed").args
    assert (closed["item"], closed["status"], closed["entryId"], closed["version"]) == (
        0,
        ItemStatus.APPROVED,
        civil_entry[0],
        1,
    )
    assert not desk.named(receipt, "GrantIssued")
    item = desk.record("item", demand_id, 0)
    assert (item.status, item.decidedAt, item.code) == (ItemStatus.APPROVED, desk.block_time(receipt), 0)
    assert desk.record("demand", demand_id).openItems == 1

    receipt = desk.decide(desk.market, demand_id, 1)
    issued = only(desk, receipt, "GrantIssued").args
    assert pinned(issued) == [(civil_entry[0], 1), (market_id, 2)]
    assert (issued["scenarioClass"], issued["method"], issued["frequency"], issued["securityLevel"]) == (0, 1, 4, 2)
    assert only(desk, receipt, "DemandClosed").args["status"] == DemandStatus.GRANTED
    assert desk.grant_resources(demand_id) == [(civil_entry[0], 1), (market_id, 2)]
    grant = desk.record("grant", demand_id)
    assert (grant.status, grant.issuedAt, grant.resourceCount) == (GrantStatus.ACTIVE, desk.block_time(receipt), 2)
    assert desk.live_grants(civil_entry[0]) == desk.live_grants(market_id) == 1


def test_art20_rejections_cite_a_legal_basis_unless_the_application_did_not_conform(desk, entries):
    """Art. 20: a rejection gives a legal basis (code REJECT_LEGAL_BASIS with DecideTerms.legal_basis),
    except for a non-conforming application (code REJECT_NONCONFORMING). All items rejected: the
    demand is closed Rejected with no grant; some rejected: the grant covers the approved ones."""
    civil_entry, market_entry = entries
    resources = [desk.resource(desk.civil, civil_entry), desk.resource(desk.market, market_entry)]
    demand_id, _ = desk.apply(desk.street, resources, application_no="CF-2026-301")

    refused(
        desk,
        desk.execute_call(desk.decide_action(desk.civil, demand_id, 0, code=REJECT_LEGAL_BASIS)),
        "SharingBasisRequired",
        demandId=hx(demand_id),
        item=0,
    )
    receipt = desk.decide(desk.civil, demand_id, 0, code=REJECT_LEGAL_BASIS, legal_basis=BASIS)
    step = only(desk, receipt, "SharingStep").args
    assert (step["kind"], step["item"], step["code"]) == (StepKind.DECIDE, 0, REJECT_LEGAL_BASIS)
    assert DecideTerms.decode(step["terms"]) == DecideTerms(legal_basis=BASIS)
    assert only(desk, receipt, "DemandItemClosed").args["status"] == ItemStatus.REJECTED
    item = desk.record("item", demand_id, 0)
    assert (item.status, item.code) == (ItemStatus.REJECTED, REJECT_LEGAL_BASIS)

    receipt = desk.decide(desk.market, demand_id, 1, code=REJECT_NONCONFORMING)  # no basis needed
    assert desk.record("item", demand_id, 1).code == REJECT_NONCONFORMING
    assert only(desk, receipt, "DemandClosed").args["status"] == DemandStatus.REJECTED
    assert not desk.named(receipt, "GrantIssued")
    assert desk.record("demand", demand_id).status == DemandStatus.REJECTED
    assert desk.record("grant", demand_id).status == GrantStatus.NONE
    assert desk.live_grants(civil_entry[0]) == desk.live_grants(market_entry[0]) == 0

    # Partly rejected: a grant over the approved item only.
    demand_id, _ = desk.apply(desk.street, resources, application_no="CF-2026-302")
    desk.decide(desk.civil, demand_id, 0)
    receipt = desk.decide(desk.market, demand_id, 1, code=REJECT_LEGAL_BASIS, legal_basis=BASIS)
    issued = only(desk, receipt, "GrantIssued").args
    assert pinned(issued) == [(civil_entry[0], 1)]
    assert desk.grant_resources(demand_id) == [(civil_entry[0], 1)]
    assert desk.record("demand", demand_id).status == DemandStatus.GRANTED
    assert (desk.live_grants(civil_entry[0]), desk.live_grants(market_entry[0])) == (1, 0)


def test_art20_silence_by_the_due_time_is_approval(desk, entries):
    """Art. 20: 逾期未反馈的，视作审核通过. A decision signed by the due time is in time, even mined
    after it within the grace (relay lag never defeats it); one signed later is too late. Once the
    grace has passed anyone (here an account with no role) may deem the item approved."""
    civil_entry, market_entry = entries
    both = [desk.resource(desk.civil, civil_entry), desk.resource(desk.market, market_entry)]
    applied = ts("2026-03-02 10:00")
    desk.next_block_at(applied)
    late, _ = desk.apply(desk.street, both, application_no="CF-2026-401")
    desk.next_block_at(applied + 60)
    in_time, _ = desk.apply(desk.street, both[:1], application_no="CF-2026-402")
    review_due = due(desk, applied, 5)
    grace_ends = review_due + DECISION_GRACE_S
    assert review_due == ts("2026-03-09 23:59:59")  # Mon + 5 working days, end of day
    assert desk.record("item", late, 0).dueAt == desk.record("item", in_time, 0).dueAt == review_due

    # A rejection signed one minute before the due time and mined five minutes after it stands.
    signed = desk.decide_action(desk.civil, in_time, 0, code=REJECT_LEGAL_BASIS, legal_basis=BASIS, at=review_due - 60)
    receipt = desk.send_action_at(review_due + 300, signed)
    assert desk.record("item", in_time, 0).status == ItemStatus.REJECTED
    assert only(desk, receipt, "DemandClosed").args["status"] == DemandStatus.REJECTED

    # Within the grace silence has not yet approved; a decision signed after the due time is too late.
    finalise = desk.sharing.functions.finaliseItem
    args = {"demandId": hx(late), "item": 0, "dueAt": review_due, "graceEndsAt": grace_ends}
    refused(desk, finalise(late, 0), "SharingItemNotOverdue", **args)
    too_late = desk.decide_action(desk.civil, late, 0, at=review_due + 1)
    refused(desk, desk.execute_call(too_late), "SharingDecisionTooLate", demandId=hx(late), item=0, dueAt=review_due)
    future = desk.decide_action(desk.civil, late, 0, at=desk.now() + 3600)
    refused(desk, desk.execute_call(future), "SharingInvalidSignedAt", demandId=hx(late), item=0, at=desk.now() + 3600)
    desk.travel_to(grace_ends)
    refused(desk, finalise(late, 0), "SharingItemNotOverdue", **args)  # the grace's last second
    stranger = desk.funded_sender()
    receipt = desk.send_at(grace_ends + 1, finalise(late, 0), sender=stranger)
    step = only(desk, receipt, "SharingStep").args
    assert (step["kind"], step["item"], step["unitId"], step["actor"]) == (
        StepKind.FINALISE_ITEM,
        0,
        ZERO32,
        stranger.account.address,
    )
    assert only(desk, receipt, "DemandItemClosed").args["status"] == ItemStatus.DEEMED_APPROVED
    item = desk.record("item", late, 0)
    assert (item.status, item.decidedAt) == (ItemStatus.DEEMED_APPROVED, grace_ends + 1)
    assert not desk.named(receipt, "GrantIssued")  # the market regulator's item is still open

    # After the grace even a decision signed in time is too late: silence has approved.
    for code, basis in ((0, ""), (REJECT_LEGAL_BASIS, BASIS)):
        action = desk.decide_action(desk.market, late, 1, code=code, legal_basis=basis, at=review_due)
        refused(desk, desk.execute_call(action), "SharingDecisionTooLate", demandId=hx(late), item=1, dueAt=review_due)
    receipt = stranger.send(finalise(late, 1))
    issued = only(desk, receipt, "GrantIssued").args
    assert pinned(issued) == [(civil_entry[0], 1), (market_entry[0], 1)]
    assert desk.record("demand", late).status == DemandStatus.GRANTED


# ---------------------------------------------------------------- Art. 22: uncatalogued data, fusion


def test_art22_uncatalogued_data_is_catalogued_and_decided_with_no_deemed_approval(desk):
    """Art. 22: data not yet catalogued is asked of its unit (entry id 0), due in 15 working days;
    silence is no approval here. The unit catalogues it, the Data Center approves the entry, and
    the unit's approval names that entry, which the grant pins. A decision after the 15 days
    still stands (原则上: the views flag it late)."""
    applied = ts("2026-03-02 10:00")
    desk.next_block_at(applied)
    demand_id, receipt = desk.apply(desk.street, [desk.resource(desk.civil)])
    catalogue_due = due(desk, applied, 15)
    assert catalogue_due == ts("2026-03-23 23:59:59")
    opened = only(desk, receipt, "DemandItemOpened").args
    assert (opened["entryId"], opened["version"], opened["status"], opened["dueAt"]) == (
        ZERO32,
        0,
        ItemStatus.PENDING,
        catalogue_due,
    )
    item = desk.record("item", demand_id, 0)
    assert (item.uncatalogued, item.ownerUnitId, item.dueAt) == (True, desk.civil.unit_id, catalogue_due)

    desk.travel_to(catalogue_due + 86400)
    refused(
        desk,
        desk.sharing.functions.finaliseItem(demand_id, 0),
        "SharingNoDeemedApproval",
        demandId=hx(demand_id),
        item=0,
    )

    entry_id, version = desk.approved_entry(desk.civil, "MZJ-0100", "长风街道低保对象名单")
    receipt = desk.decide(desk.civil, demand_id, 0, entry_id=entry_id, version=version)  # late, accepted
    closed = only(desk, receipt, "DemandItemClosed").args
    assert (closed["status"], closed["entryId"], closed["version"]) == (ItemStatus.APPROVED, entry_id, version)
    issued = only(desk, receipt, "GrantIssued").args
    assert pinned(issued) == [(entry_id, version)]
    item = desk.record("item", demand_id, 0)
    assert (item.entryId, item.version, item.status, item.uncatalogued) == (
        entry_id,
        version,
        ItemStatus.APPROVED,
        True,
    )
    assert item.decidedAt > item.dueAt
    assert desk.grant_resources(demand_id) == [(entry_id, version)]
    assert desk.live_grants(entry_id) == 1


@pytest.mark.parametrize("scenario_class", [0, 1], ids=["owner-review", "scenario"])
def test_art22_an_approved_entry_not_yet_collected_is_not_ready_on_either_route(desk, scenario_class):
    """Art. 22 (尚未编目或归集的): an entry approved in the catalog whose data is not yet collected to
    the platform is not ready, like uncatalogued data: asked for on either route, its item goes to
    the owner, due in 15 working days, never approved by silence. The owner's approval needs the
    data collected by then (SharingNotCollected before); it keeps the entry asked for, and the
    grant pins it. A ready item beside it is reviewed in 5 working days, or authorised at once on
    the scenario route."""
    not_ready = desk.approved_entry(desk.civil, "MZJ-0200", "长风街道困难家庭名单", collected=False)
    ready = desk.approved_entry(desk.market, "SCJGJ-0001", "市场主体登记")
    assert desk.entry(not_ready[0])[2] == 1 and desk.entry(not_ready[0])[8] == 0  # approved, collectedAt 0
    applied = ts("2026-03-02 10:00")
    desk.next_block_at(applied)
    demand_id, receipt = desk.apply(
        desk.street,
        [desk.resource(desk.civil, not_ready), desk.resource(desk.market, ready)],
        scenario_class=scenario_class,
        confirm=False,
    )
    catalogue_due = due(desk, applied, 15)
    assert catalogue_due == ts("2026-03-23 23:59:59")
    ready_status, ready_due = (
        (ItemStatus.PENDING, due(desk, applied, 5)) if scenario_class == 0 else (ItemStatus.AUTHORISED, 0)
    )
    opened = [
        (e.args["entryId"], e.args["version"], e.args["status"], e.args["dueAt"])
        for e in desk.named(receipt, "DemandItemOpened")
    ]
    assert opened == [(not_ready[0], 1, ItemStatus.PENDING, catalogue_due), (ready[0], 1, ready_status, ready_due)]
    item = desk.record("item", demand_id, 0)
    assert (item.entryId, item.version, item.uncatalogued, item.dueAt) == (not_ready[0], 1, True, catalogue_due)
    assert desk.record("item", demand_id, 1).uncatalogued is False
    assert not desk.named(receipt, "GrantIssued")
    demand = desk.record("demand", demand_id)
    assert (demand.status, demand.openItems) == (DemandStatus.OPEN, 2 if scenario_class == 0 else 1)

    desk.travel_to(catalogue_due + 1)
    refused(
        desk,
        desk.sharing.functions.finaliseItem(demand_id, 0),
        "SharingNoDeemedApproval",
        demandId=hx(demand_id),
        item=0,
    )
    if scenario_class == 0:
        desk.system.relayer.send(desk.sharing.functions.finaliseItem(demand_id, 1))  # the ready one: by silence
    else:
        desk.confirm(demand_id)  # the ready one: the Data Center confirms the application conforms
    for terms in ({}, {"entry_id": not_ready[0], "version": 1}):  # keeping the entry, or naming it
        refused(
            desk,
            desk.execute_call(desk.decide_action(desk.civil, demand_id, 0, **terms)),
            "SharingNotCollected",
            entryId=hx(not_ready[0]),
        )
    assert desk.record("item", demand_id, 0).status == ItemStatus.PENDING

    desk.collect(not_ready[0])
    receipt = desk.decide(desk.civil, demand_id, 0)  # late, accepted (Art. 22 has no deemed approval)
    closed = only(desk, receipt, "DemandItemClosed").args
    assert (closed["item"], closed["status"], closed["entryId"], closed["version"]) == (
        0,
        ItemStatus.APPROVED,
        not_ready[0],
        1,
    )
    issued = only(desk, receipt, "GrantIssued").args
    assert pinned(issued) == [(not_ready[0], 1), (ready[0], 1)]
    assert desk.grant_resources(demand_id) == [(not_ready[0], 1), (ready[0], 1)]
    item = desk.record("item", demand_id, 0)
    assert (item.status, item.uncatalogued, item.decidedAt > item.dueAt) == (ItemStatus.APPROVED, True, True)
    assert desk.live_grants(not_ready[0]) == desk.live_grants(ready[0]) == 1


def test_art22_fusion_plan_reviewed_then_fused_and_served(desk, entries):
    """Art. 22: a cross-department fusion demand carries its plan: the Data Center reviews it within
    5 working days; approved, the grant is issued once the owners have approved the items, and the
    data is fused and served within 10 working days of the plan's approval (RecordServed, once)."""
    civil_entry, market_entry = entries
    applied = ts("2026-03-02 10:00")
    desk.next_block_at(applied)
    demand_id, receipt = desk.apply(
        desk.street, [desk.resource(desk.civil, civil_entry), desk.resource(desk.market, market_entry)], fusion=True
    )
    plan_due = due(desk, applied, 5)
    assert only(desk, receipt, "DemandPlanOpened").args == {"demandId": demand_id, "dueAt": plan_due}
    demand = desk.record("demand", demand_id)
    assert (demand.plan, demand.planDueAt, demand.serveDueAt) == (PlanStatus.PENDING, plan_due, 0)
    assert all(e.args["dueAt"] == plan_due for e in desk.named(receipt, "DemandItemOpened"))

    approved = ts("2026-03-04 15:00")
    receipt = desk.send_action_at(
        approved,
        desk.action(
            desk.data_center, StepKind.REVIEW_PLAN, demand_id, doc("putuo.fusion-review/1", decision="approve")
        ),
    )
    serve_due = due(desk, approved, 10)
    assert serve_due == ts("2026-03-18 23:59:59")
    demand = desk.record("demand", demand_id)
    assert (demand.status, demand.plan, demand.serveDueAt) == (DemandStatus.OPEN, PlanStatus.APPROVED, serve_due)
    assert not desk.named(receipt, "GrantIssued")  # the items are still with their owners
    refused(
        desk,
        desk.execute_call(desk.action(desk.data_center, StepKind.REVIEW_PLAN, demand_id, b"{}")),
        "SharingPlanNotPending",
        demandId=hx(demand_id),
        status=PlanStatus.APPROVED,
    )

    desk.decide(desk.civil, demand_id, 0)
    receipt = desk.decide(desk.market, demand_id, 1)
    assert only(desk, receipt, "GrantIssued").args["serveDueAt"] == serve_due
    grant = desk.record("grant", demand_id)
    assert (grant.status, grant.serveDueAt, grant.servedAt) == (GrantStatus.ACTIVE, serve_due, 0)

    receipt = desk.act(desk.data_center, StepKind.RECORD_SERVED, demand_id)
    assert desk.record("grant", demand_id).servedAt == desk.block_time(receipt) <= serve_due
    again = desk.action(desk.data_center, StepKind.RECORD_SERVED, demand_id, b"{}")
    refused(desk, desk.execute_call(again), "SharingAlreadyServed", grantId=hx(demand_id))


def test_art21_another_method_waits_for_the_technical_evaluation(desk, entries):
    """Art. 21: a method other than interface or batch comparison needs the Data Center's technical
    evaluation, even on an Art. 19 scenario: the items are authorised at once, the grant waits for
    the evaluation's approval and is issued by it, with the 10-working-day service due."""
    civil_entry, _ = entries
    demand_id, receipt = desk.apply(
        desk.street, [desk.resource(desk.civil, civil_entry)], scenario_class=1, method=Method.OTHER, confirm=False
    )
    desk.confirm(demand_id)  # conformity confirmed; the evaluation is still pending
    assert only(desk, receipt, "DemandItemOpened").args["status"] == ItemStatus.AUTHORISED
    assert only(desk, receipt, "DemandPlanOpened").args["dueAt"] == due(desk, desk.block_time(receipt), 5)
    assert not desk.named(receipt, "GrantIssued")
    assert desk.record("demand", demand_id).status == DemandStatus.OPEN

    approved = ts("2026-03-03 11:00")
    receipt = desk.send_action_at(
        approved,
        desk.action(
            desk.data_center, StepKind.REVIEW_PLAN, demand_id, doc("putuo.technical-evaluation/1", decision="approve")
        ),
    )
    issued = only(desk, receipt, "GrantIssued").args
    assert (issued["method"], issued["serveDueAt"]) == (Method.OTHER, due(desk, approved, 10))
    assert desk.record("demand", demand_id).status == DemandStatus.GRANTED


def test_art22_a_returned_plan_closes_the_demand_and_a_new_application_follows(desk, entries):
    """Art. 22: 审核不通过的 ... 予以退回并附退回原因 ... 可以修改后重新提交申请. The return (code > 0)
    closes the demand Returned, the items still open Closed; a modified application (a new
    application number, so a new demand id) starts afresh."""
    civil_entry, market_entry = entries
    resources = [desk.resource(desk.civil, civil_entry), desk.resource(desk.market, market_entry)]
    demand_id, _ = desk.apply(desk.street, resources, application_no="CF-2026-501", fusion=True)
    desk.decide(desk.civil, demand_id, 0)
    receipt = desk.act(
        desk.data_center,
        StepKind.REVIEW_PLAN,
        demand_id,
        doc("putuo.fusion-review/1", decision="return", reason="缺少数据融合治理方案"),
        code=3,
    )
    closed = only(desk, receipt, "DemandItemClosed").args
    assert (closed["item"], closed["status"]) == (1, ItemStatus.CLOSED)
    assert only(desk, receipt, "DemandClosed").args["status"] == DemandStatus.RETURNED
    assert only(desk, receipt, "SharingStep").args["code"] == 3
    demand = desk.record("demand", demand_id)
    assert (demand.status, demand.plan, demand.openItems) == (DemandStatus.RETURNED, PlanStatus.RETURNED, 0)
    assert desk.record("item", demand_id, 0).status == ItemStatus.APPROVED  # decided items keep their decision
    assert desk.record("item", demand_id, 1).status == ItemStatus.CLOSED
    assert desk.record("grant", demand_id).status == GrantStatus.NONE
    assert desk.live_grants(civil_entry[0]) == 0

    closed_args = {"demandId": hx(demand_id), "status": DemandStatus.RETURNED}
    refused(
        desk, desk.execute_call(desk.decide_action(desk.market, demand_id, 1)), "SharingDemandClosed", **closed_args
    )
    refused(desk, desk.sharing.functions.finaliseItem(demand_id, 1), "SharingDemandClosed", **closed_args)
    _, same = desk.application(desk.street, resources, application_no="CF-2026-501", fusion=True)
    refused(desk, desk.execute_call(same), "SharingDemandExists", demandId=hx(demand_id))

    again, _ = desk.apply(desk.street, resources, application_no="CF-2026-501-R1", fusion=True)
    assert again != demand_id
    demand = desk.record("demand", again)
    assert (demand.status, demand.plan, demand.openItems) == (DemandStatus.OPEN, PlanStatus.PENDING, 2)
    desk.act(desk.data_center, StepKind.REVIEW_PLAN, again)
    desk.decide(desk.civil, again, 0)
    desk.decide(desk.market, again, 1)
    assert desk.record("grant", again).status == GrantStatus.ACTIVE


# ---------------------------------------------------------------- Art. 14: adjustment plans


def test_art14_changing_an_entry_in_live_use_needs_an_adjustment_plan_each_time(desk, entries):
    """Art. 14: where a catalog change or deletion affects live share services, the Data Center,
    the responsible unit and the demand units form a plan first. Catalog.execute asks Sharing:
    without a plan the request reverts (SharingAdjustmentPlanRequired); a plan the Data Center and
    every holder of a live grant on the entry have not acknowledged does not serve
    (SharingAdjustmentPlanNotAgreed); a plan serves one request (AdjustmentPlanUsed); once no
    grant is live, no plan is needed."""
    (entry_id, _), (market_id, _) = entries
    spare_id, _ = desk.approved_entry(desk.civil, "MZJ-0002", "残疾人信息")
    grant_id, _ = desk.apply(desk.street, [desk.resource(desk.civil, (entry_id, 1))], scenario_class=1)
    other_id, _ = desk.apply(
        desk.market, [desk.resource(desk.civil, (entry_id, 1))], scenario_class=1, application_no="M"
    )
    assert desk.live_grants(entry_id) == 2

    for kind, document in ((ActionKind.REQUEST_CHANGE, CHANGE), (ActionKind.REQUEST_DELETE, DELETION)):
        refused(
            desk,
            desk.catalog_call(desk.civil, kind, entry_id, document),
            "SharingAdjustmentPlanRequired",
            entryId=hx(entry_id),
            liveGrants=2,
        )

    wrong_owner = desk.plan_action(desk.market, entry_id)
    refused(
        desk,
        desk.execute_call(wrong_owner),
        "SharingNotEntryOwner",
        entryId=hx(entry_id),
        owner=hx(desk.civil.unit_id),
        signerUnit=hx(desk.market.unit_id),
    )
    refused(
        desk, desk.execute_call(desk.plan_action(desk.civil, spare_id)), "SharingNoLiveGrants", entryId=hx(spare_id)
    )
    refused(
        desk,
        desk.execute_call(desk.plan_action(desk.market, market_id)),
        "SharingNoLiveGrants",
        entryId=hx(market_id),
    )
    ack = StepKind.ACKNOWLEDGE_ADJUSTMENT
    refused(
        desk,
        desk.execute_call(desk.action(desk.street, ack, entry_id, b"{}")),
        "SharingNoAdjustmentPlan",
        entryId=hx(entry_id),
    )

    receipt = desk.send(desk.plan_action(desk.civil, entry_id, Disposition.MOVE))
    assert only(desk, receipt, "SharingStep").args["kind"] == StepKind.RECORD_ADJUSTMENT_PLAN
    desk.act(desk.data_center, ack, entry_id)
    desk.act(desk.street, ack, entry_id)
    refused(
        desk,
        desk.execute_call(desk.action(desk.street, ack, entry_id, b"{}")),
        "SharingAlreadyAcknowledged",
        entryId=hx(entry_id),
        unitId=hx(desk.street.unit_id),
    )
    refused(  # the owner holds no grant on its own entry: not a party to acknowledge
        desk,
        desk.execute_call(desk.action(desk.civil, ack, entry_id, b"{}")),
        "SharingNotAffected",
        entryId=hx(entry_id),
        unitId=hx(desk.civil.unit_id),
    )
    refused(  # the market bureau, holding a grant too, has not agreed yet
        desk,
        desk.catalog_call(desk.civil, ActionKind.REQUEST_CHANGE, entry_id, CHANGE),
        "SharingAdjustmentPlanNotAgreed",
        entryId=hx(entry_id),
        acknowledged=1,
        holders=2,
        dataCenter=True,
    )
    # The owner changing the plan after it was acknowledged starts a new round: agreed again, or not at all.
    desk.send(desk.plan_action(desk.civil, entry_id, Disposition.MOVE))
    plan, _ = desk.sharing.functions.adjustmentPlan(entry_id).call()
    assert plan == (Disposition.MOVE, False, 2, 0)
    for officer in (desk.data_center, desk.street, desk.market):
        desk.act(officer, ack, entry_id)
    plan, _ = desk.sharing.functions.adjustmentPlan(entry_id).call()
    assert plan == (Disposition.MOVE, True, 2, 2)
    receipt = desk.system.relayer.send(desk.catalog_call(desk.civil, ActionKind.REQUEST_CHANGE, entry_id, CHANGE))
    assert only(desk, receipt, "AdjustmentPlanUsed").args == {"entryId": entry_id, "liveGrants": 2}
    assert only(desk, receipt, "CatalogVersionSubmitted").args["version"] == 2
    assert desk.sharing.functions.adjustmentPlan(entry_id).call() == [(0, False, 3, 0), (Disposition.MOVE, 1)]
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, entry_id, APPROVE_REVIEW, version=2)
    assert desk.entry(entry_id)[2] == 2  # approvedVersion
    assert desk.grant_resources(grant_id) == [(entry_id, 1)]  # until it follows the plan

    # The plan was used up: the next request needs a new one.
    refused(
        desk,
        desk.catalog_call(desk.civil, ActionKind.REQUEST_DELETE, entry_id, DELETION),
        "SharingAdjustmentPlanRequired",
        entryId=hx(entry_id),
        liveGrants=2,
    )

    desk.act(desk.street, StepKind.TERMINATE, grant_id)
    desk.act(desk.market, StepKind.TERMINATE, other_id)
    assert desk.live_grants(entry_id) == 0
    receipt = desk.system.relayer.send(desk.catalog_call(desk.civil, ActionKind.REQUEST_DELETE, entry_id, DELETION))
    assert not desk.named(receipt, "AdjustmentPlanUsed")
    refused(
        desk, desk.execute_call(desk.plan_action(desk.civil, entry_id)), "SharingNoLiveGrants", entryId=hx(entry_id)
    )


def test_art14_grants_follow_the_plan_moved_to_the_new_version_or_ended(desk, entries):
    """Art. 14: once a change is approved, a grant on the entry follows the plan its request
    consumed (anyone calls followAdjustment; the timekeeper does): moved to the version now in
    force (GrantRepinned), or ended when the plan said so; a deletion ends it whatever the plan;
    a grant whose entry did not move has nothing to follow. A holder whose grant ended stops
    counting as a party: its acknowledgement lapses with it."""
    (entry_id, _), (market_id, _) = entries
    moved, _ = desk.apply(desk.street, [desk.resource(desk.civil, (entry_id, 1))], scenario_class=1)
    refused(desk, desk.sharing.functions.followAdjustment(moved), "SharingNoCatalogAdjustment", grantId=hx(moved))
    desk.adjustment_plan(desk.civil, entry_id, Disposition.MOVE)
    desk.catalog_action(desk.civil, ActionKind.REQUEST_CHANGE, entry_id, CHANGE)
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, entry_id, APPROVE_REVIEW, version=2)
    receipt = desk.system.relayer.send(desk.sharing.functions.followAdjustment(moved))
    assert [e.name for e in desk.events(receipt)] == ["SharingStep", "GrantRepinned"]
    repinned = only(desk, receipt, "GrantRepinned").args
    assert (repinned["entryId"], repinned["fromVersion"], repinned["toVersion"]) == (entry_id, 1, 2)
    assert desk.grant_resources(moved) == [(entry_id, 2)]
    assert desk.record("grant", moved).status == GrantStatus.ACTIVE

    ended, _ = desk.apply(
        desk.street, [desk.resource(desk.market, (market_id, 1))], scenario_class=1, application_no="E"
    )
    desk.adjustment_plan(desk.market, market_id, Disposition.END)
    desk.catalog_action(desk.market, ActionKind.REQUEST_CHANGE, market_id, CHANGE_MARKET)
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, market_id, APPROVE_REVIEW, version=2)
    receipt = desk.system.relayer.send(desk.sharing.functions.followAdjustment(ended))
    assert [e.name for e in desk.events(receipt)] == ["SharingStep", "GrantStatusChanged"]
    assert desk.record("grant", ended).status == GrantStatus.TERMINATED
    assert desk.live_grants(market_id) == 0

    # A deletion ends the moved grant, though its plan said "move".
    desk.adjustment_plan(desk.civil, entry_id, Disposition.MOVE)
    desk.catalog_action(desk.civil, ActionKind.REQUEST_DELETE, entry_id, DELETION)
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, entry_id, APPROVE_REVIEW, version=3)
    desk.system.relayer.send(desk.sharing.functions.followAdjustment(moved))
    assert desk.record("grant", moved).status == GrantStatus.TERMINATED
    refused(desk, desk.sharing.functions.followAdjustment(moved), "SharingGrantTerminated", grantId=hx(moved))


# ---------------------------------------------------------------- Art. 23, 24: escalations, disputes


def test_art24_disputes_are_opened_by_a_party_and_resolved_by_the_office(desk, entries):
    """Art. 24: the demand unit or the item's responsible unit opens a dispute (one at a time per
    item); the Office records the coordinated outcome (code > 0). Anyone else is no party."""
    civil_entry, market_entry = entries
    demand_id, _ = desk.apply(
        desk.street, [desk.resource(desk.civil, civil_entry), desk.resource(desk.market, market_entry)]
    )
    desk.decide(desk.civil, demand_id, 0, code=REJECT_LEGAL_BASIS, legal_basis=BASIS)
    dispute = doc("putuo.dispute/1", claim="数据可共享")

    receipt = desk.act(desk.street, StepKind.OPEN_DISPUTE, demand_id, dispute, item=0)
    step = only(desk, receipt, "SharingStep").args
    assert (step["kind"], step["item"], step["unitId"]) == (StepKind.OPEN_DISPUTE, 0, desk.street.unit_id)
    refused(
        desk,
        desk.execute_call(desk.action(desk.civil, StepKind.OPEN_DISPUTE, demand_id, dispute, item=0)),
        "SharingDisputeState",
        demandId=hx(demand_id),
        item=0,
        open=True,
    )
    refused(
        desk,
        desk.execute_call(desk.action(desk.market, StepKind.OPEN_DISPUTE, demand_id, dispute, item=0)),
        "SharingNotParty",
        demandId=hx(demand_id),
        item=0,
        signerUnit=hx(desk.market.unit_id),
    )
    refused(
        desk,
        desk.execute_call(desk.action(desk.office, StepKind.RESOLVE_DISPUTE, demand_id, dispute, item=0)),
        "SharingInvalidCode",
        kind=StepKind.RESOLVE_DISPUTE,
        code=0,
    )

    outcome = doc("putuo.dispute-outcome/1", outcome="协调后同意共享")
    receipt = desk.act(desk.office, StepKind.RESOLVE_DISPUTE, demand_id, outcome, item=0, code=1)
    step = only(desk, receipt, "SharingStep").args
    assert (step["kind"], step["code"], step["unitId"]) == (StepKind.RESOLVE_DISPUTE, 1, desk.office.unit_id)
    refused(
        desk,
        desk.execute_call(desk.action(desk.office, StepKind.RESOLVE_DISPUTE, demand_id, outcome, item=0, code=1)),
        "SharingDisputeState",
        demandId=hx(demand_id),
        item=0,
        open=False,
    )

    desk.act(desk.civil, StepKind.OPEN_DISPUTE, demand_id, dispute, item=0)  # the owner may open one too
    desk.act(desk.market, StepKind.OPEN_DISPUTE, demand_id, dispute, item=1)  # its own item
    refused(
        desk,
        desk.execute_call(desk.action(desk.street, StepKind.OPEN_DISPUTE, demand_id, dispute, item=2)),
        "SharingUnknownItem",
        demandId=hx(demand_id),
        item=2,
    )


def test_art23_escalation_to_the_city_and_its_outcome(desk, entries):
    """Art. 23: what the district cannot serve the Office escalates to the city platform; it
    records the city's answer (code > 0). One escalation open at a time."""
    demand_id, _ = desk.apply(desk.street, [desk.resource(desk.civil, entries[0])])
    desk.decide(desk.civil, demand_id, 0, code=REJECT_LEGAL_BASIS, legal_basis=BASIS)

    receipt = desk.act(desk.office, StepKind.ESCALATE, demand_id, doc("putuo.escalation/1", to="市大数据资源平台"))
    assert only(desk, receipt, "SharingStep").args["kind"] == StepKind.ESCALATE
    refused(
        desk,
        desk.execute_call(desk.action(desk.office, StepKind.ESCALATE, demand_id, b"{}")),
        "SharingEscalationState",
        demandId=hx(demand_id),
        open=True,
    )
    refused(
        desk,
        desk.execute_call(desk.action(desk.office, StepKind.RECORD_ESCALATION_OUTCOME, demand_id, b"{}")),
        "SharingInvalidCode",
        kind=StepKind.RECORD_ESCALATION_OUTCOME,
        code=0,
    )
    receipt = desk.act(
        desk.office,
        StepKind.RECORD_ESCALATION_OUTCOME,
        demand_id,
        doc("putuo.escalation-outcome/1", outcome="市级同意"),
        code=1,
    )
    assert only(desk, receipt, "SharingStep").args["code"] == 1
    refused(
        desk,
        desk.execute_call(desk.action(desk.office, StepKind.RECORD_ESCALATION_OUTCOME, demand_id, b"{}", code=1)),
        "SharingEscalationState",
        demandId=hx(demand_id),
        open=False,
    )
    desk.act(desk.office, StepKind.ESCALATE, demand_id)  # escalated again after the answer
    unknown = keccak(b"no such demand")
    refused(
        desk,
        desk.execute_call(desk.action(desk.office, StepKind.ESCALATE, unknown, b"{}")),
        "SharingUnknownDemand",
        demandId=hx(unknown),
    )
