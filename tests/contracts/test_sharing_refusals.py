"""Sharing: every refusal with its exact custom error and arguments, the attacks on signed actions
and commitments (Art. 17, 18, 20, 22), batches, and the EIP-712 digest against chain.sharing.

Each refused action is simulated (eth_estimateGas) and must revert with the named error; nothing
is sent, so nothing changes on the chain.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from eth_account import Account
from eth_utils import keccak

from chain.actions import ActionKind, EntryStatus, entry_id_for, fresh_nonce
from chain.reverts import decode_revert
from chain.sharing import (
    ACTION_TYPEHASH,
    DECISION_GRACE_S,
    DOMAIN_NAME,
    PERMISSIONLESS_KINDS,
    REJECT_LEGAL_BASIS,
    REJECT_NONCONFORMING,
    ApplyTerms,
    DecideTerms,
    Frequency,
    ItemStatus,
    KeyScheme,
    Method,
    PlanStatus,
    Resource,
    ScenarioTerms,
    SharingAction,
    StepKind,
    demand_id_for,
    digest,
    items_hash,
    recover_signer,
    scenario_id_for,
    sign_action,
)
from tests.sharing_desk import APPROVE_REVIEW, ZERO32, SharingDesk, doc, refused

NOTE = doc("putuo.test-note/1", note="测试")
SCENARIO_TERMS = ScenarioTerms(1).encode()  # a class-1 scenario for any unit and entry
ITEMS_HASH = items_hash(["姓名"])
RETURN_REVIEW = doc("putuo.catalog-review/1", decision="return", reason_code=1)
BASIS = "《中华人民共和国个人信息保护法》第十三条"


def hx(value: bytes) -> str:
    return "0x" + value.hex()


def refused_action(desk: SharingDesk, action: SharingAction, error: str, **args):
    return refused(desk, desk.execute_call(action), error, **args)


def checksum(desk: SharingDesk, key_id: str) -> str:
    return desk.w3.to_checksum_address(key_id)


def reapply(desk: SharingDesk, applicant, resources, *, subject: bytes | None = None, **changes):
    """desk.application with its ApplyTerms fields changed (`changes`), re-signed: (demand id, action)."""
    demand_id, action = desk.application(applicant, resources)
    terms = replace(ApplyTerms.decode(action.terms), **changes)
    return demand_id, desk.action(
        applicant, StepKind.APPLY, subject or demand_id, action.document, terms=terms.encode()
    )


@pytest.fixture
def desk(system) -> SharingDesk:
    return SharingDesk(system)


@pytest.fixture
def entry(desk):
    return desk.approved_entry(desk.civil, "MZJ-0001")


@pytest.fixture
def market_entry(desk):
    return desk.approved_entry(desk.market, "SCJGJ-0001", "市场主体登记")


# ---------------------------------------------------------------- decisions (Art. 20, 22)


def test_art20_only_the_items_responsible_unit_decides(desk, entry):
    """Art. 20: the application goes to the responsible unit of each item, and only it decides."""
    demand_id, _ = desk.apply(desk.street, [desk.resource(desk.civil, entry)])
    for officer in (desk.market, desk.street):
        refused_action(
            desk,
            desk.decide_action(officer, demand_id, 0),
            "SharingNotItemOwner",
            demandId=hx(demand_id),
            item=0,
            owner=hx(desk.civil.unit_id),
            signerUnit=hx(officer.unit_id),
        )


def test_art20_no_second_decision_once_an_item_is_decided_or_deemed(desk, entry, market_entry):
    """Art. 20: an item is decided once, by its owner or by silence."""
    market_two = desk.approved_entry(desk.market, "SCJGJ-0002", "食品经营许可")
    demand_id, _ = desk.apply(
        desk.street,
        [
            desk.resource(desk.civil, entry),
            desk.resource(desk.market, market_entry),
            desk.resource(desk.market, market_two),
        ],
    )
    desk.decide(desk.civil, demand_id, 0)
    not_pending = {"demandId": hx(demand_id), "item": 0, "status": ItemStatus.APPROVED}
    refused_action(desk, desk.decide_action(desk.civil, demand_id, 0), "SharingItemNotPending", **not_pending)
    refused_action(
        desk,
        desk.decide_action(desk.civil, demand_id, 0, code=REJECT_NONCONFORMING),
        "SharingItemNotPending",
        **not_pending,
    )
    desk.decide(desk.market, demand_id, 2, code=REJECT_NONCONFORMING)
    refused_action(
        desk,
        desk.decide_action(desk.market, demand_id, 2),
        "SharingItemNotPending",
        demandId=hx(demand_id),
        item=2,
        status=ItemStatus.REJECTED,
    )

    desk.travel_to(desk.record("item", demand_id, 1).dueAt + DECISION_GRACE_S + 1)
    finalise = desk.sharing.functions.finaliseItem
    refused(desk, finalise(demand_id, 0), "SharingItemNotPending", **not_pending)
    desk.system.relayer.send(finalise(demand_id, 1))  # the last open item: the demand closes with a grant
    refused(desk, finalise(demand_id, 1), "SharingDemandClosed", demandId=hx(demand_id), status=2)
    refused_action(
        desk, desk.decide_action(desk.market, demand_id, 1), "SharingDemandClosed", demandId=hx(demand_id), status=2
    )


def test_art20_item_deemed_approved_takes_no_decision(desk, entry, market_entry):
    """Art. 20: an item deemed approved by silence is decided; the owner cannot reject it afterwards."""
    demand_id, _ = desk.apply(desk.street, [desk.resource(desk.civil, entry), desk.resource(desk.market, market_entry)])
    desk.travel_to(desk.record("item", demand_id, 0).dueAt + DECISION_GRACE_S + 1)
    desk.system.relayer.send(desk.sharing.functions.finaliseItem(demand_id, 0))
    refused_action(
        desk,
        desk.decide_action(desk.civil, demand_id, 0),
        "SharingItemNotPending",
        demandId=hx(demand_id),
        item=0,
        status=ItemStatus.DEEMED_APPROVED,
    )


def test_art20_art22_decide_terms(desk, entry, market_entry):
    """A catalogued item's decision carries no entry; only a legal-basis rejection carries a basis;
    an uncatalogued item's approval names an approved entry of the deciding unit whose data is
    collected (Art. 22)."""
    demand_id, _ = desk.apply(desk.street, [desk.resource(desk.civil, entry), desk.resource(desk.civil)])
    bad_terms = {"kind": StepKind.DECIDE}
    refused_action(
        desk, desk.decide_action(desk.civil, demand_id, 0, entry_id=entry[0], version=1), "SharingBadTerms", **bad_terms
    )
    refused_action(
        desk,
        desk.decide_action(desk.civil, demand_id, 0, code=REJECT_NONCONFORMING, legal_basis=BASIS),
        "SharingBadTerms",
        **bad_terms,
    )
    refused_action(
        desk,
        desk.decide_action(
            desk.civil, demand_id, 1, code=REJECT_LEGAL_BASIS, legal_basis=BASIS, entry_id=entry[0], version=1
        ),
        "SharingBadTerms",
        **bad_terms,
    )
    refused_action(
        desk, desk.decide_action(desk.civil, demand_id, 0, code=3), "SharingInvalidCode", kind=StepKind.DECIDE, code=3
    )

    refused_action(desk, desk.decide_action(desk.civil, demand_id, 1), "SharingBadTerms", **bad_terms)  # names none
    refused_action(desk, desk.decide_action(desk.civil, demand_id, 1, version=1), "SharingBadTerms", **bad_terms)
    refused_action(
        desk,
        desk.decide_action(desk.civil, demand_id, 1, entry_id=entry[0], version=1, legal_basis=BASIS),
        "SharingBadTerms",
        **bad_terms,
    )  # an approval cites no basis
    unknown_entry = entry_id_for(desk.civil.unit_id, "MZJ-NONE")
    refused_action(
        desk,
        desk.decide_action(desk.civil, demand_id, 1, entry_id=unknown_entry, version=1),
        "SharingUnknownEntry",
        entryId=hx(unknown_entry),
    )
    new_id = entry_id_for(desk.civil.unit_id, "MZJ-0100")
    desk.catalog_action(desk.civil, ActionKind.SUBMIT, new_id, doc("putuo.catalog/1", code="MZJ-0100"))
    refused_action(
        desk,
        desk.decide_action(desk.civil, demand_id, 1, entry_id=new_id, version=1),
        "SharingVersionNotApproved",
        entryId=hx(new_id),
        version=1,
        approvedVersion=0,
    )
    refused_action(
        desk,
        desk.decide_action(desk.civil, demand_id, 1, entry_id=market_entry[0], version=1),
        "SharingWrongOwner",
        entryId=hx(market_entry[0]),
        owner=hx(desk.market.unit_id),
        named=hx(desk.civil.unit_id),
    )
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, new_id, APPROVE_REVIEW, version=1)
    refused_action(
        desk,
        desk.decide_action(desk.civil, demand_id, 1, entry_id=new_id, version=2),
        "SharingVersionNotApproved",
        entryId=hx(new_id),
        version=2,
        approvedVersion=1,
    )
    refused_action(
        desk,
        desk.decide_action(desk.civil, demand_id, 1, entry_id=new_id, version=1),
        "SharingNotCollected",
        entryId=hx(new_id),
    )  # approved, but its data is not on the platform yet
    desk.collect(new_id)
    desk.decide(desk.civil, demand_id, 1, entry_id=new_id, version=1)  # now it is right
    item = desk.record("item", demand_id, 1)
    assert (item.status, item.entryId, item.version) == (ItemStatus.APPROVED, new_id, 1)

    refused_action(
        desk, desk.decide_action(desk.civil, demand_id, 7), "SharingUnknownItem", demandId=hx(demand_id), item=7
    )
    unknown = keccak(b"no such demand")
    refused_action(desk, desk.decide_action(desk.civil, unknown, 0), "SharingUnknownDemand", demandId=hx(unknown))
    refused(desk, desk.sharing.functions.finaliseItem(unknown, 0), "SharingUnknownDemand", demandId=hx(unknown))
    refused(
        desk, desk.sharing.functions.finaliseItem(demand_id, 9), "SharingUnknownItem", demandId=hx(demand_id), item=9
    )


def test_art22_a_not_ready_item_is_approved_at_its_entrys_current_version(desk, entry):
    """Art. 22: an item asked for at an approved entry whose data was not yet collected is approved
    at the version in force when the owner decides: a change approved meanwhile makes the version
    asked for stale (keeping it is refused; the owner names the current one), and the grant pins
    the version approved. A rejection needs no collection; an approval no legal basis."""
    entry_id, _ = desk.approved_entry(desk.civil, "MZJ-0300", "临时救助对象", collected=False)
    both = [desk.resource(desk.civil, (entry_id, 1)), desk.resource(desk.civil, entry)]
    demand_id, _ = desk.apply(desk.street, both)
    rejected, _ = desk.apply(desk.street, both[:1], application_no="CF-2026-REJ")
    assert desk.record("item", demand_id, 0).uncatalogued and not desk.record("item", demand_id, 1).uncatalogued
    desk.decide(desk.civil, rejected, 0, code=REJECT_LEGAL_BASIS, legal_basis=BASIS)  # no collection needed
    assert desk.record("item", rejected, 0).status == ItemStatus.REJECTED

    desk.collect(entry_id)
    desk.catalog_action(desk.civil, ActionKind.REQUEST_CHANGE, entry_id, doc("putuo.catalog/1", code="MZJ-0300", v=2))
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, entry_id, APPROVE_REVIEW, version=2)
    stale = {"entryId": hx(entry_id), "version": 1, "approvedVersion": 2}
    bad_terms = {"kind": StepKind.DECIDE}
    refused_action(desk, desk.decide_action(desk.civil, demand_id, 0), "SharingVersionNotApproved", **stale)
    refused_action(
        desk,
        desk.decide_action(desk.civil, demand_id, 0, entry_id=entry_id, version=1),
        "SharingVersionNotApproved",
        **stale,
    )
    refused_action(desk, desk.decide_action(desk.civil, demand_id, 0, version=2), "SharingBadTerms", **bad_terms)
    refused_action(
        desk, desk.decide_action(desk.civil, demand_id, 0, legal_basis=BASIS), "SharingBadTerms", **bad_terms
    )
    desk.decide(desk.civil, demand_id, 1)
    receipt = desk.decide(desk.civil, demand_id, 0, entry_id=entry_id, version=2)
    assert [list(e.args["versions"]) for e in desk.named(receipt, "GrantIssued")] == [[2, 1]]
    assert desk.grant_resources(demand_id) == [(entry_id, 2), (entry[0], 1)]


# ---------------------------------------------------------------- who takes which step


WRONG_KIND = [
    (StepKind.APPLY, "data_center", 3),
    (StepKind.APPLY, "auditor", 3),
    (StepKind.DECIDE, "office", 3),
    (StepKind.REVIEW_PLAN, "civil", 2),
    (StepKind.RECORD_SERVED, "office", 2),
    (StepKind.RECORD_USE, "street", 2),
    (StepKind.RECORD_USE, "auditor", 2),
    (StepKind.FILE_IDLE_REASON, "data_center", 3),
    (StepKind.SECURITY_SUSPEND, "street", 2),
    (StepKind.OBJECT, "office", 3),
    (StepKind.REINSTATE, "civil", 2),
    (StepKind.DISMISS_OBJECTION, "office", 2),
    (StepKind.TERMINATE, "office", 3),
    (StepKind.TERMINATE, "auditor", 3),
    (StepKind.APPROVE_SCENARIO, "civil", 2),
    (StepKind.WITHDRAW_SCENARIO, "office", 2),
    (StepKind.CONFIRM_CONFORMITY, "street", 2),
    (StepKind.REVIEW_IDLE_REASON, "street", 2),
    (StepKind.ACKNOWLEDGE_ADJUSTMENT, "office", 3),
    (StepKind.RECORD_ADJUSTMENT_PLAN, "data_center", 3),
    (StepKind.OPEN_DISPUTE, "office", 3),
    (StepKind.RESOLVE_DISPUTE, "data_center", 1),
    (StepKind.ESCALATE, "civil", 1),
    (StepKind.ESCALATE, "auditor", 1),
    (StepKind.RECORD_ESCALATION_OUTCOME, "data_center", 1),
]
KIND_OF = {"office": 1, "data_center": 2, "civil": 3, "street": 3, "auditor": 4}


@pytest.mark.parametrize(("kind", "who", "expected"), WRONG_KIND, ids=[f"{k.name}-by-{w}" for k, w, _ in WRONG_KIND])
def test_each_step_is_taken_by_its_unit_kind(desk, kind, who, expected):
    """Who acts (REGULATION): demand and responsible units are ordinary units (Art. 17, 20, 24, 26),
    the Data Center reviews, records and suspends (Art. 19, 21, 22, 26, 30, 31), the Office
    coordinates (Art. 23, 24); auditors only read (Art. 30)."""
    officer = desk.unit("PT-WXB", "auditor", "区委网信办") if who == "auditor" else getattr(desk, who)
    action = desk.action(officer, kind, keccak(b"any subject"), NOTE)
    refused_action(desk, action, "SharingWrongUnitKind", signer=officer.address, expected=expected, actual=KIND_OF[who])


# ---------------------------------------------------------------- applications (Art. 17)


def test_art17_an_application_names_the_approved_version_of_a_live_entry(desk):
    """Art. 17: data resources are asked for by catalog entry, at the version in force."""
    civil, street = desk.civil, desk.street

    def refuse(asked: bytes, asked_version: int, error: str, /, **args):
        _, action = desk.application(street, [Resource(asked, asked_version, civil.unit_id, ITEMS_HASH)])
        refused_action(desk, action, error, **args)

    pending = entry_id_for(civil.unit_id, "MZJ-PENDING")
    desk.catalog_action(civil, ActionKind.SUBMIT, pending, doc("putuo.catalog/1", code="MZJ-PENDING"))
    refuse(pending, 1, "SharingVersionNotApproved", entryId=hx(pending), version=1, approvedVersion=0)

    returned = entry_id_for(civil.unit_id, "MZJ-RETURNED")
    desk.catalog_action(civil, ActionKind.SUBMIT, returned, doc("putuo.catalog/1", code="MZJ-RETURNED"))
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, returned, RETURN_REVIEW, version=1, reason_code=1)
    refuse(returned, 1, "SharingVersionNotApproved", entryId=hx(returned), version=1, approvedVersion=0)

    changed, _ = desk.approved_entry(civil, "MZJ-CHANGED")
    desk.catalog_action(civil, ActionKind.REQUEST_CHANGE, changed, doc("putuo.catalog/1", code="MZJ-CHANGED", v=2))
    refuse(changed, 2, "SharingVersionNotApproved", entryId=hx(changed), version=2, approvedVersion=1)  # still pending
    # Version 1 is still in force, but nothing is applied for while its change awaits evaluation (Art. 14).
    refuse(changed, 1, "SharingEntryChangePending", entryId=hx(changed), entryStatus=EntryStatus.CHANGE_PENDING)
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, changed, APPROVE_REVIEW, version=2)
    refuse(changed, 1, "SharingVersionNotApproved", entryId=hx(changed), version=1, approvedVersion=2)  # superseded
    refuse(changed, 0, "SharingVersionNotApproved", entryId=hx(changed), version=0, approvedVersion=2)

    deleted, _ = desk.approved_entry(civil, "MZJ-DELETED")
    desk.catalog_action(civil, ActionKind.REQUEST_DELETE, deleted, doc("putuo.catalog-deletion/1", reason="停用"))
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, deleted, APPROVE_REVIEW, version=2)
    assert desk.entry(deleted)[4] == 6  # EntryStatus.Deleted, its last approved version still 1
    refuse(deleted, 1, "SharingVersionNotApproved", entryId=hx(deleted), version=1, approvedVersion=1)

    unknown = entry_id_for(civil.unit_id, "MZJ-NONE")
    refuse(unknown, 1, "SharingUnknownEntry", entryId=hx(unknown))
    _, action = desk.application(street, [Resource(changed, 2, desk.market.unit_id, ITEMS_HASH)])
    refused_action(
        desk, action, "SharingWrongOwner", entryId=hx(changed), owner=hx(civil.unit_id), named=hx(desk.market.unit_id)
    )


def test_art17_resources_are_others_distinct_and_bounded(desk, entry):
    """Art. 17 (使用其他单位共享的公共数据): a unit asks for other units' data, each resource once,
    at most MAX_RESOURCES; uncatalogued data (Art. 22) is asked of a registered ordinary unit."""
    civil, street = desk.civil, desk.street
    _, action = desk.application(civil, [desk.resource(civil, entry)])
    refused_action(desk, action, "SharingOwnResource", entryId=hx(entry[0]))
    _, action = desk.application(civil, [desk.resource(civil)])  # its own uncatalogued data
    refused_action(desk, action, "SharingOwnResource", entryId=hx(ZERO32))

    _, action = desk.application(street, [desk.resource(civil, entry), desk.resource(civil, entry)])
    refused_action(desk, action, "SharingDuplicateResource", entryId=hx(entry[0]), ownerUnitId=hx(civil.unit_id))
    _, action = desk.application(street, [desk.resource(civil), desk.resource(desk.market), desk.resource(civil)])
    refused_action(desk, action, "SharingDuplicateResource", entryId=hx(ZERO32), ownerUnitId=hx(civil.unit_id))

    many = [Resource(keccak(i.to_bytes(2, "big")), 1, civil.unit_id, ITEMS_HASH) for i in range(33)]
    _, action = desk.application(street, many)
    refused_action(desk, action, "SharingTooManyResources", count=33, maxCount=32)
    _, action = desk.application(street, [])
    refused_action(desk, action, "SharingNoResources")

    for unit_id in (desk.data_center.unit_id, keccak(b"putuo.unit:unregistered")):
        _, action = desk.application(street, [Resource(ZERO32, 0, unit_id, ITEMS_HASH)])
        refused_action(desk, action, "SharingUnknownUnit", unitId=hx(unit_id))
    _, action = desk.application(
        street, [Resource(ZERO32, 1, civil.unit_id, ITEMS_HASH)]
    )  # uncatalogued has no version
    refused_action(desk, action, "SharingBadTerms", kind=StepKind.APPLY)


@pytest.mark.parametrize("frequency", [Frequency.SEMI_ANNUAL, Frequency.ANNUAL], ids=lambda f: f.name)
def test_art17_a_frequency_below_quarterly_needs_a_reason(desk, entry, frequency):
    """Art. 17: 数据使用频率原则上不得低于每 3 个月使用一次 ... 应当 ... 提供相关依据和理由."""
    _, action = desk.application(desk.street, [desk.resource(desk.civil, entry)], frequency=frequency)
    refused_action(desk, action, "SharingFrequencyReasonRequired", frequency=frequency)
    desk.apply(desk.street, [desk.resource(desk.civil, entry)], frequency=frequency, frequency_reason=True)


def test_art17_application_terms(desk, entry):
    """Art. 17: the application states its scenario (Art. 19 item or none), method (Art. 21),
    frequency and security level; each field must be one the contract knows."""
    resources = [desk.resource(desk.civil, entry)]
    street = desk.street
    for changes, error, args in (
        ({"frequency": Frequency.QUARTERLY, "frequency_reason": True}, "SharingBadTerms", {"kind": StepKind.APPLY}),
        ({"frequency": Frequency.NONE}, "SharingInvalidFrequency", {}),
        ({"method": Method.NONE}, "SharingInvalidMethod", {}),
        ({"scenario_class": 5}, "SharingInvalidScenarioClass", {"scenarioClass": 5}),
        ({"security_level": 0}, "SharingInvalidSecurityLevel", {"level": 0}),
        ({"security_level": 5}, "SharingInvalidSecurityLevel", {"level": 5}),
        ({"scenario_id": ZERO32}, "SharingBadTerms", {"kind": StepKind.APPLY}),
    ):
        _, action = reapply(desk, street, resources, **changes)
        refused_action(desk, action, error, **args)


def test_art17_apply_subject_is_the_derived_demand_id_and_used_once(desk, entry):
    """The demand id is keccak256(abi.encode(unitId, keccak256(document))): another unit re-signing
    the same application gets another id, and one application makes one demand."""
    resources = [desk.resource(desk.civil, entry)]
    demand_id, _ = desk.application(desk.street, resources)
    wrong = keccak(b"chosen id")
    _, action = reapply(desk, desk.street, resources, subject=wrong)
    refused_action(desk, action, "SharingWrongDemandId", expected=hx(demand_id), got=hx(wrong))
    # The market regulator relays the street office's application under its own signature.
    _, original = desk.application(desk.street, resources)
    stolen = desk.action(desk.market, StepKind.APPLY, demand_id, original.document, terms=original.terms)
    refused_action(
        desk,
        stolen,
        "SharingWrongDemandId",
        expected=hx(demand_id_for(desk.market.unit_id, original.document)),
        got=hx(demand_id),
    )
    desk.send(original)
    _, again = desk.application(desk.street, resources)
    refused_action(desk, again, "SharingDemandExists", demandId=hx(demand_id))


# ---------------------------------------------------------------- commitments (Art. 18)


def test_art18_commitment_signed_by_the_demand_units_active_key_for_this_demand(desk, entry):
    """Art. 18: the commitment is signed by an active key of the demand unit itself, and names this
    demand: another unit's key, a revoked key (ECDSA or SM2) or another demand's commitment is refused."""
    resources = [desk.resource(desk.civil, entry)]
    street = desk.street

    civil_key = desk.civil.ecdsa
    _, action = desk.application(street, resources, commitment_key=civil_key)
    refused_action(
        desk,
        action,
        "SharingCommitmentWrongUnit",
        keyId=checksum(desk, civil_key.key_id),
        keyUnit=hx(desk.civil.unit_id),
        demandUnit=hx(street.unit_id),
    )

    former = desk.officer(street.unit_id)
    desk.revoke(former.ecdsa.key_id)
    _, action = desk.application(street, resources, commitment_key=former.ecdsa)
    refused_action(desk, action, "SharingCommitmentKeyNotActive", keyId=checksum(desk, former.ecdsa.key_id))
    desk.revoke(former.sm2.key_id)
    _, action = desk.application(street, resources, commitment_key=former.sm2)
    refused_action(desk, action, "SharingCommitmentKeyNotActive", keyId=checksum(desk, former.sm2.key_id))

    demand_id, action = desk.application(street, resources, commitment_demand=keccak(b"another demand"))
    refused_action(desk, action, "SharingCommitmentWrongDemand", demandId=hx(demand_id))


def test_art18_commitment_signature_and_scheme(desk, entry):
    """Art. 18 (数字签名): a commitment's signature is checked on-chain, ECDSA and SM2 alike; the
    scheme must be the key's."""
    resources = [desk.resource(desk.civil, entry)]
    street = desk.street
    demand_id, good = desk.application(street, resources)
    commitment = ApplyTerms.decode(good.terms).commitment
    ecdsa_id, sm2_id = checksum(desk, street.ecdsa.key_id), checksum(desk, street.sm2.key_id)
    other = desk.commitment(street, keccak(b"another demand"))  # a valid signature over another document

    for signature in (other.signature, bytes(65), commitment.signature[:64]):
        _, action = reapply(desk, street, resources, commitment=replace(commitment, signature=signature))
        refused_action(desk, action, "SharingCommitmentInvalidSignature", keyId=ecdsa_id)
    _, action = reapply(desk, street, resources, commitment=replace(commitment, scheme=KeyScheme.SM2))
    refused_action(desk, action, "SharingCommitmentWrongScheme", keyId=ecdsa_id)

    sm2 = desk.commitment(street, demand_id, scheme="sm2")
    _, action = reapply(desk, street, resources, commitment=replace(sm2, scheme=KeyScheme.ECDSA))
    refused_action(desk, action, "SharingCommitmentWrongScheme", keyId=sm2_id)
    sm2_other = desk.commitment(street, keccak(b"another demand"), scheme="sm2")  # valid, over other bytes
    junk = bytes.fromhex("3006020101020101")  # strict DER of r = s = 1: well formed, not a signature
    for signature in (b"", sm2_other.signature, junk, sm2.signature[:-1], sm2.signature + b"\0"):
        _, action = reapply(desk, street, resources, commitment=replace(sm2, signature=signature))
        refused_action(desk, action, "SharingCommitmentInvalidSignature", keyId=sm2_id)
    stranger = Account.create().address
    _, action = reapply(desk, street, resources, commitment=replace(commitment, key_id=stranger))
    refused_action(desk, action, "SharingCommitmentKeyNotActive", keyId=stranger)

    # A genuine SM2 commitment is verified by the contract itself, whoever relays it.
    desk.apply(street, resources, commitment_scheme="sm2")
    assert desk.record("demand", demand_id).commitmentHash == keccak(sm2.document)


# ---------------------------------------------------------------- signed actions


def test_a_replayed_action_is_refused(desk):
    """Art. 18 and 11 (上链): every signed step counts once; a relayer cannot replay it (nonces are
    per signer)."""
    scenario_id = scenario_id_for("重点工作-1")
    action = desk.action(desk.data_center, StepKind.APPROVE_SCENARIO, scenario_id, NOTE, terms=SCENARIO_TERMS)
    desk.send(action)
    assert desk.sharing.functions.nonceUsed(desk.data_center.address, action.nonce).call()
    refused_action(desk, action, "SignedActionNonceUsed", signer=desk.data_center.address, nonce=action.nonce)
    other = desk.action(desk.data_center, StepKind.WITHDRAW_SCENARIO, scenario_id, NOTE, nonce=action.nonce)
    refused_action(desk, other, "SignedActionNonceUsed", signer=desk.data_center.address, nonce=action.nonce)
    colleague = desk.officer(desk.data_center.unit_id)  # another signer's nonces are its own
    desk.send(desk.action(colleague, StepKind.WITHDRAW_SCENARIO, scenario_id, NOTE, nonce=action.nonce))
    assert desk.sharing.functions.nonceUsed(colleague.address, action.nonce).call()


def test_forged_tampered_revoked_and_malformed_signatures(desk):
    """Every action is an officer's EIP-712 signature: the relayer can neither forge nor alter one,
    and a revoked key signs nothing more, even an action it signed before its revocation."""
    scenario_id = scenario_id_for("重点工作-1")
    unsigned = SharingAction(StepKind.APPROVE_SCENARIO, scenario_id, NOTE, fresh_nonce(), terms=SCENARIO_TERMS)
    intruder = Account.create()
    forged = sign_action(unsigned, intruder.key, chain_id=desk.chain_id, sharing_address=desk.sharing.address)
    refused_action(desk, forged, "SignedActionSignerNotActive", signer=intruder.address)

    signed = desk.action(desk.data_center, StepKind.APPROVE_SCENARIO, scenario_id, NOTE, terms=SCENARIO_TERMS)
    for tampered in (
        replace(signed, subject=scenario_id_for("重点工作-2")),
        replace(signed, document=b'{"x":1}'),
        replace(signed, nonce=signed.nonce + 1),
    ):
        recovered = recover_signer(tampered, chain_id=desk.chain_id, sharing_address=desk.sharing.address)
        assert recovered != desk.data_center.address
        refused_action(desk, tampered, "SignedActionSignerNotActive", signer=recovered)
    other_chain = sign_action(
        unsigned, desk.data_center.ecdsa.private_key, chain_id=desk.chain_id + 1, sharing_address=desk.sharing.address
    )
    refused_action(
        desk,
        other_chain,
        "SignedActionSignerNotActive",
        signer=recover_signer(other_chain, chain_id=desk.chain_id, sharing_address=desk.sharing.address),
    )

    for signature in (b"", bytes(65), signed.signature[:64]):
        refused_action(
            desk, replace(signed, signature=signature), "SignedActionInvalidSignature", signature=hx(signature)
        )

    officer = desk.officer(desk.data_center.unit_id)
    before = desk.action(officer, StepKind.APPROVE_SCENARIO, scenario_id, NOTE, terms=SCENARIO_TERMS)
    desk.revoke(officer.address)
    refused_action(desk, before, "SignedActionSignerNotActive", signer=officer.address)
    desk.send(signed)  # the untouched original still passes


def test_documents_are_required_and_bounded(desk):
    """Art. 11 (上链): every step carries its document (the canonical JSON recorded in full), up to
    MAX_DOCUMENT_BYTES."""
    scenario_id = scenario_id_for("重点工作-1")
    refused_action(
        desk, desk.action(desk.data_center, StepKind.APPROVE_SCENARIO, scenario_id, b""), "SignedActionEmptyDocument"
    )
    big = b"x" * (32 * 1024 + 1)
    refused_action(
        desk,
        desk.action(desk.data_center, StepKind.APPROVE_SCENARIO, scenario_id, big),
        "SignedActionDocumentTooLarge",
        length=len(big),
        maxLength=32 * 1024,
    )
    desk.act(desk.data_center, StepKind.APPROVE_SCENARIO, scenario_id, b"x" * (32 * 1024), terms=SCENARIO_TERMS)


UNEXPECTED = [
    (StepKind.APPLY, "street", {"item": 1}),
    (StepKind.APPLY, "street", {"at": 1}),
    (StepKind.REVIEW_PLAN, "data_center", {"terms": b"\x01"}),
    (StepKind.RECORD_SERVED, "data_center", {"item": 1}),
    (StepKind.RECORD_USE, "data_center", {"item": 1}),
    (StepKind.RECORD_USE, "data_center", {"terms": b"\x01"}),
    (StepKind.FILE_IDLE_REASON, "street", {"item": 2}),
    (StepKind.OBJECT, "street", {"at": 1}),
    (StepKind.TERMINATE, "street", {"at": 1}),
    (StepKind.APPROVE_SCENARIO, "data_center", {"item": 1}),
    (StepKind.CONFIRM_CONFORMITY, "data_center", {"terms": b"\x01"}),
    (StepKind.REVIEW_IDLE_REASON, "data_center", {"at": 1}),
    (StepKind.ACKNOWLEDGE_ADJUSTMENT, "street", {"terms": b"\x01"}),
    (StepKind.OPEN_DISPUTE, "street", {"at": 1}),
    (StepKind.ESCALATE, "office", {"item": 1}),
]


@pytest.mark.parametrize(
    ("kind", "who", "fields"), UNEXPECTED, ids=[f"{k.name}-{next(iter(f))}" for k, _, f in UNEXPECTED]
)
def test_a_field_the_step_does_not_use_must_be_empty(desk, kind, who, fields):
    """What is signed is what is recorded: a field a step ignores could carry anything, so it is refused."""
    action = desk.action(getattr(desk, who), kind, keccak(b"any subject"), NOTE, **fields)
    refused_action(desk, action, "SharingUnexpectedField", kind=kind)


INVALID_CODES = [
    (StepKind.APPLY, "street", 1),
    (StepKind.DECIDE, "civil", 3),
    (StepKind.RECORD_SERVED, "data_center", 1),
    (StepKind.RECORD_USE, "data_center", 1),
    (StepKind.FILE_IDLE_REASON, "street", 1),
    (StepKind.SECURITY_SUSPEND, "data_center", 1),
    (StepKind.OBJECT, "street", 1),
    (StepKind.REINSTATE, "data_center", 1),
    (StepKind.DISMISS_OBJECTION, "data_center", 0),
    (StepKind.TERMINATE, "street", 4),
    (StepKind.APPROVE_SCENARIO, "data_center", 1),
    (StepKind.WITHDRAW_SCENARIO, "data_center", 1),
    (StepKind.RECORD_ADJUSTMENT_PLAN, "civil", 1),
    (StepKind.OPEN_DISPUTE, "street", 1),
    (StepKind.RESOLVE_DISPUTE, "office", 0),
    (StepKind.ESCALATE, "office", 1),
    (StepKind.RECORD_ESCALATION_OUTCOME, "office", 0),
]


@pytest.mark.parametrize(("kind", "who", "code"), INVALID_CODES, ids=[f"{k.name}-{c}" for k, _, c in INVALID_CODES])
def test_each_step_takes_only_its_codes(desk, kind, who, code):
    """Decide: 0 approves, 1 non-conforming, 2 legal basis (Art. 20); dismissals and outcomes carry a
    reason > 0 (Art. 23, 24, 26); every other step carries none."""
    action = desk.action(getattr(desk, who), kind, keccak(b"any subject"), NOTE, code=code)
    refused_action(desk, action, "SharingInvalidCode", kind=kind, code=code)


@pytest.mark.parametrize("kind", sorted(PERMISSIONLESS_KINDS), ids=lambda k: k.name)
def test_the_permissionless_steps_are_never_signed(desk, kind):
    """Art. 20, 26: deemed approval, idle suspension and lapse only apply time; they are calls anyone
    makes, never signed steps."""
    refused_action(
        desk, desk.action(desk.data_center, kind, keccak(b"any subject"), NOTE), "SharingNotSignedStep", kind=kind
    )


def test_internal_entry_points_refuse_outsiders(desk, entry):
    """Art. 14: only the Catalog asks Sharing before a change; only Sharing runs a batch's action."""
    action = desk.action(desk.data_center, StepKind.APPROVE_SCENARIO, scenario_id_for("s"), NOTE, terms=SCENARIO_TERMS)
    relayer = desk.system.relayer.account.address
    refused(desk, desk.sharing.functions.executeFromBatch(action.as_tuple()), "SignedActionNotSelf", caller=relayer)
    refused(desk, desk.sharing.functions.beforeCatalogChange(entry[0]), "SharingNotCatalog", caller=relayer)


# ---------------------------------------------------------------- grants, scenarios, plans


def test_grant_step_refusals(desk, entry):
    """Art. 22, 26, 31: grant steps need a grant (an open demand has none), the right status and, for
    the demand unit's steps, the grant's holder."""
    civil, street, dc = desk.civil, desk.street, desk.data_center
    grant_id, _ = desk.apply(street, [desk.resource(civil, entry)], scenario_class=1, application_no="CF-2026-G")
    open_id, _ = desk.apply(street, [desk.resource(civil, entry)], application_no="CF-2026-OPEN")
    unknown = keccak(b"no such grant")
    g = hx(grant_id)
    for subject in (unknown, open_id):  # a demand still open has no grant yet
        refused_action(
            desk,
            desk.action(dc, StepKind.RECORD_USE, subject, NOTE, at=desk.now()),
            "SharingUnknownGrant",
            grantId=hx(subject),
        )
        refused(desk, desk.sharing.functions.suspendIdle(subject), "SharingUnknownGrant", grantId=hx(subject))
        refused(desk, desk.sharing.functions.finaliseLapse(subject), "SharingUnknownGrant", grantId=hx(subject))

    active = {"grantId": g, "status": 1}
    refused_action(desk, desk.action(street, StepKind.OBJECT, grant_id, NOTE), "SharingGrantNotSuspended", **active)
    refused_action(desk, desk.action(dc, StepKind.REINSTATE, grant_id, NOTE), "SharingGrantNotSuspended", **active)
    refused(desk, desk.sharing.functions.finaliseLapse(grant_id), "SharingGrantNotSuspended", **active)
    refused_action(
        desk,
        desk.action(dc, StepKind.DISMISS_OBJECTION, grant_id, NOTE, code=1),
        "SharingNoPendingObjection",
        grantId=g,
    )
    refused_action(desk, desk.action(dc, StepKind.RECORD_SERVED, grant_id, NOTE), "SharingNotFusion", grantId=g)
    holder = {"grantId": g, "holder": hx(street.unit_id), "signerUnit": hx(civil.unit_id)}
    refused_action(desk, desk.action(civil, StepKind.TERMINATE, grant_id, NOTE), "SharingNotGrantHolder", **holder)
    refused_action(
        desk,
        desk.action(civil, StepKind.FILE_IDLE_REASON, grant_id, NOTE, at=desk.now() + 86400),
        "SharingNotGrantHolder",
        **holder,
    )
    desk.act(dc, StepKind.SECURITY_SUSPEND, grant_id)
    refused_action(desk, desk.action(civil, StepKind.OBJECT, grant_id, NOTE), "SharingNotGrantHolder", **holder)


def test_scenario_and_plan_state_refusals(desk, entry):
    """Art. 19 (2): a scenario is approved or withdrawn once each way; Art. 21, 22: only a pending plan
    is reviewed; Art. 24: disputes are over known demands."""
    scenario_id = scenario_id_for("重点工作-1")
    dc = desk.data_center
    refused_action(
        desk,
        desk.action(dc, StepKind.WITHDRAW_SCENARIO, scenario_id, NOTE),
        "SharingScenarioState",
        scenarioId=hx(scenario_id),
        approved=False,
    )
    desk.act(dc, StepKind.APPROVE_SCENARIO, scenario_id, terms=SCENARIO_TERMS)
    refused_action(
        desk,
        desk.action(dc, StepKind.APPROVE_SCENARIO, scenario_id, NOTE, terms=SCENARIO_TERMS),
        "SharingScenarioState",
        scenarioId=hx(scenario_id),
        approved=True,
    )

    demand_id, _ = desk.apply(desk.street, [desk.resource(desk.civil, entry)])  # owner review, no plan
    refused_action(
        desk,
        desk.action(dc, StepKind.REVIEW_PLAN, demand_id, NOTE),
        "SharingPlanNotPending",
        demandId=hx(demand_id),
        status=PlanStatus.NONE,
    )
    unknown = keccak(b"no such demand")
    refused_action(
        desk, desk.action(dc, StepKind.REVIEW_PLAN, unknown, NOTE), "SharingUnknownDemand", demandId=hx(unknown)
    )
    refused_action(
        desk,
        desk.action(desk.street, StepKind.OPEN_DISPUTE, unknown, NOTE),
        "SharingUnknownDemand",
        demandId=hx(unknown),
    )


# ---------------------------------------------------------------- batches


def test_execute_batch_reports_a_failing_action_and_runs_the_others(desk, entry):
    """Art. 30 (every step logged): a relayed batch records each action's outcome; one refused action
    (ActionRejected with its revert data) does not stop the others."""
    demand_id, _ = desk.apply(desk.street, [desk.resource(desk.civil, entry)])
    first, second = scenario_id_for("重点工作-1"), scenario_id_for("重点工作-2")
    approve_first = desk.action(desk.data_center, StepKind.APPROVE_SCENARIO, first, NOTE, terms=SCENARIO_TERMS)
    wrong_owner = desk.decide_action(desk.market, demand_id, 0)
    approve_second = desk.action(desk.data_center, StepKind.APPROVE_SCENARIO, second, NOTE, terms=SCENARIO_TERMS)
    batch = [approve_first, wrong_owner, approve_second, approve_first]  # the last one replays the first
    receipt = desk.system.relayer.send(desk.sharing.functions.executeBatch([a.as_tuple() for a in batch]))

    rejected = desk.named(receipt, "ActionRejected")
    assert [e.args["index"] for e in rejected] == [1, 3]
    relayer = desk.system.relayer.account.address
    for event, index in zip(rejected, (1, 3)):
        assert event.args["relayer"] == relayer
        assert event.args["digest"] == digest(
            batch[index], chain_id=desk.chain_id, sharing_address=desk.sharing.address
        )
    reasons = [decode_revert(e.args["reason"]) for e in rejected]
    assert (reasons[0].error, reasons[0].error_args) == (
        "SharingNotItemOwner",
        {"demandId": hx(demand_id), "item": 0, "owner": hx(desk.civil.unit_id), "signerUnit": hx(desk.market.unit_id)},
    )
    assert (reasons[1].error, reasons[1].error_args) == (
        "SignedActionNonceUsed",
        {"signer": desk.data_center.address, "nonce": approve_first.nonce},
    )
    steps = desk.named(receipt, "SharingStep")
    assert [(e.args["subject"], e.args["kind"]) for e in steps] == [
        (first, StepKind.APPROVE_SCENARIO),
        (second, StepKind.APPROVE_SCENARIO),
    ]
    assert desk.scenario(first)[0] and desk.scenario(second)[0]
    assert desk.record("item", demand_id, 0).status == ItemStatus.PENDING


def test_simulate_batch_reverts_with_each_actions_reason_and_changes_nothing(desk, entry):
    """The dry run of a batch (Art. 19 (2) here: an application needing a scenario approved earlier in
    the batch) reports each action's reason and leaves the chain as it was."""
    code = "重点工作-长风"
    scenario_id = scenario_id_for(code)
    key_work = ScenarioTerms(2, (desk.street.unit_id,), (entry[0],)).encode()
    approve = desk.action(desk.data_center, StepKind.APPROVE_SCENARIO, scenario_id, NOTE, terms=key_work)
    _, apply = desk.application(desk.street, [desk.resource(desk.civil, entry)], scenario_class=2, scenario_code=code)
    forged = sign_action(
        replace(approve, signature=b"", nonce=fresh_nonce()),
        Account.create().key,
        chain_id=desk.chain_id,
        sharing_address=desk.sharing.address,
    )
    batch = [approve, forged, apply]  # the application needs the scenario the first action approves
    error = refused(desk, desk.sharing.functions.simulateBatch([a.as_tuple() for a in batch]), "BatchSimulated")
    reasons = error.error_args["reasons"]
    assert reasons[0] == "0x" and reasons[2] == "0x"
    decoded = decode_revert(bytes.fromhex(reasons[1][2:]))
    assert decoded.error == "SignedActionSignerNotActive"
    assert decoded.error_args == {
        "signer": recover_signer(forged, chain_id=desk.chain_id, sharing_address=desk.sharing.address)
    }

    assert desk.scenario(scenario_id)[0] is False  # nothing happened
    assert not desk.sharing.functions.nonceUsed(desk.data_center.address, approve.nonce).call()
    refused_action(desk, apply, "SharingScenarioNotApproved", scenarioId=hx(scenario_id))


# ---------------------------------------------------------------- the signed message


def test_action_digest_matches_chain_sharing(desk, entry):
    """chain.sharing is the Python side of the signed message: the type hash, the domain and the
    digest of actions of every shape equal the contract's."""
    sharing = desk.sharing.functions
    assert sharing.ACTION_TYPEHASH().call() == ACTION_TYPEHASH
    domain = sharing.eip712Domain().call()
    assert (domain[1], domain[2], domain[3], domain[4]) == (DOMAIN_NAME, "1", desk.chain_id, desk.sharing.address)
    assert (sharing.REJECT_NONCONFORMING().call(), sharing.REJECT_LEGAL_BASIS().call()) == (
        REJECT_NONCONFORMING,
        REJECT_LEGAL_BASIS,
    )
    _, apply = desk.application(desk.street, [desk.resource(desk.civil, entry)])
    actions = [
        apply,
        desk.action(
            desk.civil,
            StepKind.DECIDE,
            keccak(b"d"),
            NOTE,
            item=3,
            code=REJECT_LEGAL_BASIS,
            terms=DecideTerms(legal_basis=BASIS).encode(),
        ),
        desk.action(desk.data_center, StepKind.RECORD_USE, keccak(b"g"), b"{}", at=2**40 - 1, nonce=2**256 - 1),
        desk.action(desk.office, StepKind.RECORD_ESCALATION_OUTCOME, ZERO32, "中文".encode(), code=2**16 - 1, nonce=0),
        SharingAction(StepKind.FINALISE_LAPSE, b"\xff" * 32, b"x", 1, item=2**32 - 1),  # unsigned: any signature
    ]
    for action in actions:
        expected = digest(action, chain_id=desk.chain_id, sharing_address=desk.sharing.address)
        assert sharing.actionDigest(action.as_tuple()).call() == expected
    assert recover_signer(apply, chain_id=desk.chain_id, sharing_address=desk.sharing.address) == desk.street.address
