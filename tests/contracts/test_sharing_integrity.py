"""Sharing integrity (issue #10): nothing is released on a unit's own say-so, and catalog
changes reach every demand before it becomes a grant. Each scenario is an adversarial one, step
by step, asserting the exact custom error and the state after."""

from __future__ import annotations

import pytest

from chain.actions import ActionKind, EntryStatus, SharingAttribute, entry_id_for
from chain.sharing import (
    DECISION_GRACE_S,
    REJECT_LEGAL_BASIS,
    REJECT_NONCONFORMING,
    TERMINATE_ADJUSTMENT,
    TERMINATE_SCENARIO_WITHDRAWN,
    TERMINATE_SECURITY,
    DataForm,
    DecideTerms,
    DemandStatus,
    Disposition,
    GrantStatus,
    ItemStatus,
    Method,
    StepKind,
    scenario_id_for,
)
from tests.sharing_desk import APPROVE_REVIEW, SharingDesk, doc, entry_doc, only, refused

RETURN_REVIEW = doc("putuo.catalog-review/1", decision="return", reason_code=1)
DELETION = doc("putuo.catalog-deletion/1", reason="系统停用")


def hx(value: bytes) -> str:
    return "0x" + value.hex()


@pytest.fixture
def desk(system) -> SharingDesk:
    return SharingDesk(system)


# ---------------------------------------------------------------- Art. 7: 不予共享 is never shared


def test_art7_the_catalog_signs_each_versions_sharing_attribute(desk):
    """The attribute is a signed field of every entry version, checked by the contract: an entry
    version must state it, any other action must not; the approved version's is the entry's."""
    civil = desk.civil
    entry_id = entry_id_for(civil.unit_id, "MZJ-ATTR")
    document = entry_doc("MZJ-ATTR", sharing="conditional")
    refused(
        desk,
        desk.catalog_call(civil, ActionKind.SUBMIT, entry_id, document, sharing=SharingAttribute.NONE),
        "CatalogInvalidSharing",
        kind=ActionKind.SUBMIT,
        sharing=SharingAttribute.NONE,
    )
    desk.catalog_action(civil, ActionKind.SUBMIT, entry_id, document)
    assert desk.catalog.functions.version(entry_id, 1).call()[-1] == SharingAttribute.CONDITIONAL
    assert desk.entry(entry_id)[9] == SharingAttribute.NONE  # nothing approved yet
    refused(
        desk,
        desk.catalog_call(
            desk.data_center,
            ActionKind.REVIEW,
            entry_id,
            APPROVE_REVIEW,
            version=1,
            sharing=SharingAttribute.CONDITIONAL,
        ),
        "CatalogInvalidSharing",
        kind=ActionKind.REVIEW,
        sharing=SharingAttribute.CONDITIONAL,
    )
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, entry_id, APPROVE_REVIEW, version=1)
    assert desk.entry(entry_id)[9] == SharingAttribute.CONDITIONAL


@pytest.mark.parametrize(
    ("scenario_class", "method"),
    [(0, Method.INTERFACE), (1, Method.INTERFACE), (3, Method.INTERFACE), (4, Method.BATCH_COMPARISON)],
    ids=["owner-review", "class-1", "class-3", "class-4"],
)
def test_art7_a_not_shared_entry_is_refused_on_every_route(desk, scenario_class, method):
    """A unit declaring a class (1), (3) or (4) scenario got a not-shared entry at once, by the
    application itself: now every route refuses it, and nothing is stored."""
    secret = desk.approved_entry(desk.civil, "MZJ-SECRET", "涉密名单", sharing="not_shared")
    demand_id, action = desk.application(
        desk.street, [desk.resource(desk.civil, secret)], scenario_class=scenario_class, method=method
    )
    refused(desk, desk.execute_call(action), "SharingEntryNotShared", entryId=hx(secret[0]))
    assert desk.record("demand", demand_id).status == DemandStatus.NONE
    assert desk.live_grants(secret[0]) == 0


@pytest.mark.parametrize("scenario_class", [1, 3])
def test_art19_a_declared_class_is_refused_unless_the_data_center_registered_it(desk, scenario_class):
    """Art. 19 (1), (3): a unit declaring a 一网通办 item or a cross-department system it made up is
    refused; only a scenario in the Data Center's register, of that class, routes the demand."""
    entry = desk.approved_entry(desk.civil, "MZJ-CLAIM")
    code = f"自称场景-{scenario_class}"
    demand_id, action = desk.application(
        desk.street,
        [desk.resource(desk.civil, entry)],
        scenario_class=scenario_class,
        scenario_code=code,
        register=False,
    )
    refused(desk, desk.execute_call(action), "SharingScenarioNotApproved", scenarioId=hx(scenario_id_for(code)))
    assert desk.record("demand", demand_id).status == DemandStatus.NONE


@pytest.mark.parametrize(
    ("scenario_class", "form", "method"),
    [
        (4, DataForm.FULL, Method.INTERFACE),  # class 4 rests on a data form, not the full data
        (4, DataForm.COMPARISON_RESULT, Method.INTERFACE),  # results only come by batch comparison
        (0, DataForm.DESENSITISED, Method.INTERFACE),  # a form is class 4's ground, and only its
    ],
    ids=["class4-full", "comparison-by-interface", "form-without-class4"],
)
def test_art19_4_a_class_4_grant_holds_to_its_data_form(desk, scenario_class, form, method):
    """Art. 19 (4): subject-authorised access, batch comparison returning results only, desensitised
    data only. The ground is the grant's data form (the gateway check serves no other); an
    application whose form does not fit its class or method is refused."""
    entry = desk.approved_entry(desk.civil, "MZJ-FORM")
    _, action = desk.application(
        desk.street, [desk.resource(desk.civil, entry)], scenario_class=scenario_class, form=form, method=method
    )
    refused(
        desk,
        desk.execute_call(action),
        "SharingInvalidDataForm",
        scenarioClass=scenario_class,
        form=form,
        method=method,
    )
    grant_id, _ = desk.apply(
        desk.street,
        [desk.resource(desk.civil, entry)],
        scenario_class=4,
        form=DataForm.COMPARISON_RESULT,
        method=Method.BATCH_COMPARISON,
    )
    assert desk.record("grant", grant_id).form == DataForm.COMPARISON_RESULT


def test_art7_an_owner_cannot_release_a_not_shared_entry_for_data_asked_uncatalogued(desk):
    """Art. 22: the owner names the entry it catalogued for an uncatalogued item; a not-shared one
    cannot be named, whatever the owner decides."""
    demand_id, _ = desk.apply(desk.street, [desk.resource(desk.civil)])
    secret, version = desk.approved_entry(desk.civil, "MZJ-SECRET2", "涉密名单", sharing="not_shared")
    refused(
        desk,
        desk.execute_call(desk.decide_action(desk.civil, demand_id, 0, entry_id=secret, version=version)),
        "SharingEntryNotShared",
        entryId=hx(secret),
    )
    assert desk.record("item", demand_id, 0).status == ItemStatus.PENDING


def test_art7_an_entry_made_not_shared_while_a_demand_waits_is_not_granted(desk):
    """A change to 不予共享 approved while an item waits for its owner: silence cannot grant the
    superseded version, and the owner cannot re-pin to the new one."""
    entry = desk.approved_entry(desk.civil, "MZJ-TURN")
    demand_id, _ = desk.apply(desk.street, [desk.resource(desk.civil, entry)])
    desk.catalog_action(desk.civil, ActionKind.REQUEST_CHANGE, entry[0], entry_doc("MZJ-TURN", sharing="not_shared"))
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, entry[0], APPROVE_REVIEW, version=2)
    refused(
        desk,
        desk.execute_call(desk.decide_action(desk.civil, demand_id, 0, entry_id=entry[0], version=2)),
        "SharingEntryNotShared",
        entryId=hx(entry[0]),
    )
    desk.travel_to(desk.record("item", demand_id, 0).dueAt + DECISION_GRACE_S + 1)
    receipt = desk.system.relayer.send(desk.sharing.functions.finaliseItem(demand_id, 0))
    closed = [e.args for e in desk.named(receipt, "DemandItemClosed")]
    assert [c["status"] for c in closed] == [ItemStatus.DEEMED_APPROVED, ItemStatus.SUPERSEDED]
    assert desk.named(receipt, "GrantIssued") == []
    assert only(desk, receipt, "DemandClosed").args["status"] == DemandStatus.REJECTED
    assert desk.record("item", demand_id, 0).status == ItemStatus.SUPERSEDED
    assert desk.live_grants(entry[0]) == 0


# ---------------------------------------------------------------- Art. 14: changes reach demands


def test_art14_an_entry_deleted_while_its_item_is_pending_is_never_granted(desk):
    """Deletion of an entry while a demand item on it is pending, then the due time passes: the
    item is superseded (its DemandItemClosed is the notice), no grant, the demand closes."""
    entry = desk.approved_entry(desk.civil, "MZJ-GONE")
    demand_id, _ = desk.apply(desk.street, [desk.resource(desk.civil, entry)])
    desk.catalog_action(desk.civil, ActionKind.REQUEST_DELETE, entry[0], DELETION)
    # While the deletion awaits evaluation, silence grants nothing either.
    desk.travel_to(desk.record("item", demand_id, 0).dueAt + DECISION_GRACE_S + 1)
    refused(
        desk,
        desk.sharing.functions.finaliseItem(demand_id, 0),
        "SharingEntryChangePending",
        entryId=hx(entry[0]),
        entryStatus=EntryStatus.DELETE_PENDING,
    )
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, entry[0], APPROVE_REVIEW, version=2)
    receipt = desk.system.relayer.send(desk.sharing.functions.finaliseItem(demand_id, 0))
    assert desk.named(receipt, "GrantIssued") == []
    assert desk.record("item", demand_id, 0).status == ItemStatus.SUPERSEDED
    assert desk.record("demand", demand_id).status == DemandStatus.REJECTED
    assert desk.live_grants(entry[0]) == 0


def test_art14_a_change_approved_while_pending_needs_the_owner_to_review_the_new_version(desk):
    """A change approved while a demand is pending, then the owner approves: the approval of the
    superseded version is refused; naming the version now in force re-pins the item, and the
    grant holds that version."""
    entry = desk.approved_entry(desk.civil, "MZJ-MOVE")
    demand_id, _ = desk.apply(desk.street, [desk.resource(desk.civil, entry)])
    desk.catalog_action(desk.civil, ActionKind.REQUEST_CHANGE, entry[0], entry_doc("MZJ-MOVE", "低保对象家庭信息"))
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, entry[0], APPROVE_REVIEW, version=2)
    refused(
        desk,
        desk.execute_call(desk.decide_action(desk.civil, demand_id, 0)),
        "SharingVersionNotApproved",
        entryId=hx(entry[0]),
        version=1,
        approvedVersion=2,
    )
    for entry_id, version in ((entry[0], 1), (desk.approved_entry(desk.civil, "MZJ-OTHER")[0], 2)):
        refused(
            desk,
            desk.execute_call(desk.decide_action(desk.civil, demand_id, 0, entry_id=entry_id, version=version)),
            "SharingBadTerms",
            kind=1,
        )
    receipt = desk.decide(desk.civil, demand_id, 0, entry_id=entry[0], version=2)
    assert only(desk, receipt, "GrantIssued").args["versions"] == (2,)
    assert desk.grant_resources(demand_id) == [(entry[0], 2)]


def test_art14_nothing_is_applied_for_while_a_change_or_deletion_awaits_evaluation(desk):
    """A grant requested while a deletion request is pending is refused, on either route, until
    the Data Center decides; a returned request leaves the entry open to applications again."""
    entry = desk.approved_entry(desk.civil, "MZJ-WAIT")
    desk.catalog_action(desk.civil, ActionKind.REQUEST_DELETE, entry[0], DELETION)
    for scenario_class, number in ((0, "CF-W-1"), (1, "CF-W-2")):
        demand_id, action = desk.application(
            desk.street, [desk.resource(desk.civil, entry)], scenario_class=scenario_class, application_no=number
        )
        refused(
            desk,
            desk.execute_call(action),
            "SharingEntryChangePending",
            entryId=hx(entry[0]),
            entryStatus=EntryStatus.DELETE_PENDING,
        )
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, entry[0], RETURN_REVIEW, version=2, reason_code=1)
    demand_id, receipt = desk.apply(desk.street, [desk.resource(desk.civil, entry)], scenario_class=1)
    assert only(desk, receipt, "GrantIssued").args["versions"] == (1,)


def test_art14_an_authorised_item_superseded_before_its_demand_settles_is_not_granted(desk):
    """A demand with a scenario-authorised item and an item for its owner: the authorised item's
    entry changes before the owner decides; the grant holds only what is still in force."""
    ready = desk.approved_entry(desk.market, "SCJGJ-READY", "市场主体登记")
    waiting, _ = desk.approved_entry(desk.civil, "MZJ-LATER", collected=False)  # not ready: goes to its owner
    demand_id, _ = desk.apply(
        desk.street, [desk.resource(desk.market, ready), desk.resource(desk.civil, (waiting, 1))], scenario_class=1
    )
    assert desk.record("item", demand_id, 0).status == ItemStatus.AUTHORISED
    desk.catalog_action(
        desk.market, ActionKind.REQUEST_CHANGE, ready[0], entry_doc("SCJGJ-READY", "市场主体登记（新）")
    )
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, ready[0], APPROVE_REVIEW, version=2)
    desk.collect(waiting)
    receipt = desk.decide(desk.civil, demand_id, 1)
    assert [(e.args["item"], e.args["status"]) for e in desk.named(receipt, "DemandItemClosed")] == [
        (1, ItemStatus.APPROVED),
        (0, ItemStatus.SUPERSEDED),
    ]
    assert desk.grant_resources(demand_id) == [(waiting, 1)]
    assert (desk.live_grants(ready[0]), desk.live_grants(waiting)) == (0, 1)


# ---------------------------------------------------------------- Art. 26, 31: balanced powers


def _granted(desk: SharingDesk, code: str = "MZJ-GRANT") -> tuple[bytes, tuple[bytes, int]]:
    """A grant to the street office on a scenario-authorised demand, and its entry."""
    entry = desk.approved_entry(desk.civil, code)
    grant_id, _ = desk.apply(desk.street, [desk.resource(desk.civil, entry)], scenario_class=1, application_no=code)
    return grant_id, entry


def test_art31_a_use_inside_a_security_suspension_never_counts_even_after_reinstatement(desk):
    """A use recorded for a time inside a security suspension, after reinstatement: refused, with
    the suspension it fell in; uses before and after it count."""
    grant_id, _ = _granted(desk)
    suspended = desk.block_time(desk.act(desk.data_center, StepKind.SECURITY_SUSPEND, grant_id))
    desk.travel_to(suspended + 3600)
    reinstated = desk.block_time(desk.act(desk.data_center, StepKind.REINSTATE, grant_id))
    desk.travel_to(reinstated + 3600)
    for at in (suspended + 1, reinstated - 1):
        refused(
            desk,
            desk.execute_call(
                desk.action(desk.data_center, StepKind.RECORD_USE, grant_id, doc("putuo.usage/1"), at=at)
            ),
            "SharingUseWhileSuspended",
            grantId=hx(grant_id),
            at=at,
            suspendedAt=suspended,
        )
    desk.act(desk.data_center, StepKind.RECORD_USE, grant_id, at=suspended)  # up to the notice's second
    desk.act(desk.data_center, StepKind.RECORD_USE, grant_id, at=reinstated + 1)
    assert desk.record("grant", grant_id).lastUsedAt == reinstated + 1


def test_art26_art31_the_data_center_ends_a_grant_only_on_its_grounds(desk):
    """The Data Center terminating a grant on day 1 of its objection window without a security
    reason is refused: its termination names its ground (code 1 an Art. 31 security risk, at any
    time; code 2 an Art. 14 catalog adjustment, only once an entry the grant pins was deleted or
    changed; code 3 a withdrawn scenario), and inside a suspension's 30-day objection window only
    a security risk ends it; the holder's own termination carries none."""
    grant_id, entry = _granted(desk)
    desk.travel_to(desk.idle_from(grant_id))
    desk.system.relayer.send(desk.sharing.functions.suspendIdle(grant_id))  # the notice: day 1 of 30
    window = {"grantId": hx(grant_id), "objectionDueAt": desk.record("grant", grant_id).objectionDueAt}
    for code, error, args in (
        (0, "SharingInvalidCode", {"kind": StepKind.TERMINATE, "code": 0}),
        (TERMINATE_ADJUSTMENT, "SharingObjectionWindowOpen", window),
        (TERMINATE_SCENARIO_WITHDRAWN, "SharingObjectionWindowOpen", window),
    ):
        action = desk.action(desk.data_center, StepKind.TERMINATE, grant_id, doc("putuo.termination/1"), code=code)
        refused(desk, desk.execute_call(action), error, **args)
    holder = desk.action(desk.street, StepKind.TERMINATE, grant_id, doc("putuo.termination/1"), code=TERMINATE_SECURITY)
    refused(desk, desk.execute_call(holder), "SharingInvalidCode", kind=StepKind.TERMINATE, code=TERMINATE_SECURITY)
    assert desk.record("grant", grant_id).status == GrantStatus.SUSPENDED
    desk.act(desk.data_center, StepKind.TERMINATE, grant_id, code=TERMINATE_SECURITY)
    assert desk.record("grant", grant_id).status == GrantStatus.TERMINATED

    # Art. 14: the entry under another grant is deleted (with its adjustment plan); the Data Center
    # ends that grant on that ground, as the plan says.
    other, entry = _granted(desk, "MZJ-ENDS")
    for code, error, args in (
        (TERMINATE_ADJUSTMENT, "SharingNoCatalogAdjustment", {"grantId": hx(other)}),
        (
            TERMINATE_SCENARIO_WITHDRAWN,
            "SharingScenarioState",
            {"scenarioId": hx(scenario_id_for("低保审核")), "approved": True},
        ),
    ):
        action = desk.action(desk.data_center, StepKind.TERMINATE, other, doc("putuo.termination/1"), code=code)
        refused(desk, desk.execute_call(action), error, **args)
    desk.adjustment_plan(desk.civil, entry[0], Disposition.END)
    desk.catalog_action(desk.civil, ActionKind.REQUEST_DELETE, entry[0], DELETION)
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, entry[0], APPROVE_REVIEW, version=2)
    desk.act(desk.data_center, StepKind.TERMINATE, other, code=TERMINATE_ADJUSTMENT)
    assert desk.record("grant", other).status == GrantStatus.TERMINATED
    assert desk.live_grants(entry[0]) == 0


# ---------------------------------------------------------------- Art. 20, 24: no dodges


def test_art20_a_rejection_states_a_real_ground_which_the_demand_unit_can_dispute(desk):
    """A legal basis of one space, and a "non-conforming" rejection that does not say what does not
    conform, are refused; a non-conformity that names its elements stands, and the demand unit
    disputes it (Art. 24), the Office recording the outcome."""
    entry = desk.approved_entry(desk.civil, "MZJ-DODGE")
    demand_id, _ = desk.apply(desk.street, [desk.resource(desk.civil, entry)])
    for basis in (" ", " \t\n"):
        action = desk.decide_action(desk.civil, demand_id, 0, code=REJECT_LEGAL_BASIS, legal_basis=basis)
        refused(desk, desk.execute_call(action), "SharingBasisRequired", demandId=hx(demand_id), item=0)
    unstated = desk.decide_action(desk.civil, demand_id, 0, code=REJECT_NONCONFORMING, nonconforming=0)
    refused(desk, desk.execute_call(unstated), "SharingNonconformityUnstated", demandId=hx(demand_id), item=0)
    stray = desk.decide_action(desk.civil, demand_id, 0, code=0, nonconforming=16)
    refused(desk, desk.execute_call(stray), "SharingBadTerms", kind=StepKind.DECIDE)
    assert desk.record("item", demand_id, 0).status == ItemStatus.PENDING

    receipt = desk.decide(desk.civil, demand_id, 0, code=REJECT_NONCONFORMING, nonconforming=16 | 64)
    step = only(desk, receipt, "SharingStep").args
    assert DecideTerms.decode(step["terms"]).nonconforming == 16 | 64  # resources and frequency, on the record
    desk.act(desk.street, StepKind.OPEN_DISPUTE, demand_id, item=0)
    receipt = desk.act(desk.office, StepKind.RESOLVE_DISPUTE, demand_id, item=0, code=3)  # overturned
    assert only(desk, receipt, "SharingStep").args["code"] == 3
