"""Catalog: every allowed transition, every refused one with its exact custom error, and attacks."""

from __future__ import annotations

import json

import pytest
from eth_account import Account

from chain.actions import (
    ActionKind,
    CatalogAction,
    EntryStatus,
    digest,
    entry_id_for,
    sign_action,
)
from chain.events import receipt_events
from tests.conftest import Officer, Units
from tests.contracts.helpers import assert_reverts

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
DOC = json.dumps({"schema": "putuo.catalog/1", "code": "MZJ-0001", "name": "低保对象信息"}, ensure_ascii=False).encode()
CHANGED = DOC.replace("低保对象信息".encode(), "最低生活保障对象信息".encode())
APPROVE = b'{"decision":"approve","schema":"putuo.catalog-review/1"}'
RETURN = b'{"decision":"return","reason":"missing items","reason_code":1,"schema":"putuo.catalog-review/1"}'
DELETE = b'{"reason":"system retired","schema":"putuo.catalog-deletion/1"}'


class Desk:
    """Drives one entry of the civil affairs bureau through the catalog, relayed by the platform."""

    def __init__(self, system, units: Units) -> None:
        self.system, self.units = system, units
        self.entry_id = entry_id_for(units.civil.unit_id, "MZJ-0001")

    def send(self, action: CatalogAction):
        return self.system.relayer.send(self.units.catalog.functions.execute(action.as_tuple()))

    def act(self, officer: Officer, kind: ActionKind, document: bytes, **kw):
        return self.send(officer.action(kind, self.entry_id, document, **kw))

    def entry(self):
        return list(self.units.catalog.functions.entry(self.entry_id).call())

    def status(self) -> EntryStatus:
        return EntryStatus(self.entry()[4])

    def pending(self) -> int:
        return self.entry()[3]

    def review(self, approve: bool = True):
        return self.act(
            self.units.data_center,
            ActionKind.REVIEW,
            APPROVE if approve else RETURN,
            version=self.pending(),
            reason_code=0 if approve else 1,
        )

    # Reaching each status from nothing, by allowed steps only.
    def to(self, status: EntryStatus) -> None:
        civil = self.units.civil
        if status == EntryStatus.NONE:
            return
        self.act(civil, ActionKind.SUBMIT, DOC)
        if status == EntryStatus.UNDER_REVIEW:
            return
        if status == EntryStatus.RETURNED:
            self.review(approve=False)
            return
        self.review()
        if status == EntryStatus.CHANGE_PENDING:
            self.act(civil, ActionKind.REQUEST_CHANGE, CHANGED)
        elif status in (EntryStatus.DELETE_PENDING, EntryStatus.DELETED):
            self.act(civil, ActionKind.REQUEST_DELETE, DELETE)
            if status == EntryStatus.DELETED:
                self.review()
        assert self.status() == status


@pytest.fixture
def desk(system, units) -> Desk:
    return Desk(system, units)


def test_full_lifecycle_on_every_node(any_system):
    units = Units(any_system)
    desk = Desk(any_system, units)
    civil = units.civil
    receipt = desk.act(civil, ActionKind.SUBMIT, DOC)
    submitted = receipt_events(receipt)[0]
    assert submitted.name == "CatalogVersionSubmitted"
    assert submitted.args["document"] == DOC and submitted.args["signer"] == civil.address
    assert desk.entry()[:5] == [civil.unit_id, 1, 0, 1, EntryStatus.UNDER_REVIEW]
    desk.review(approve=False)
    assert desk.entry()[:5] == [civil.unit_id, 1, 0, 0, EntryStatus.RETURNED]
    assert units.catalog.functions.version(desk.entry_id, 1).call()[5] == 3  # VersionStatus.Returned
    desk.act(civil, ActionKind.RESUBMIT, DOC)
    desk.review()
    assert desk.entry()[:5] == [civil.unit_id, 2, 2, 0, EntryStatus.ACTIVE]
    desk.act(civil, ActionKind.REQUEST_CHANGE, CHANGED)
    assert desk.entry()[:5] == [civil.unit_id, 3, 2, 3, EntryStatus.CHANGE_PENDING]
    desk.review(approve=False)  # a returned change leaves version 2 in force
    assert desk.entry()[:5] == [civil.unit_id, 3, 2, 0, EntryStatus.ACTIVE]
    desk.act(civil, ActionKind.REQUEST_CHANGE, CHANGED)
    desk.review()
    assert desk.entry()[:5] == [civil.unit_id, 4, 4, 0, EntryStatus.ACTIVE]
    desk.act(civil, ActionKind.REQUEST_DELETE, DELETE)
    desk.review(approve=False)
    assert desk.status() == EntryStatus.ACTIVE
    desk.act(civil, ActionKind.REQUEST_DELETE, DELETE)
    receipt = desk.review()
    reviewed = receipt_events(receipt)[0]
    assert reviewed.name == "CatalogVersionReviewed" and reviewed.args["entryStatus"] == EntryStatus.DELETED
    assert desk.entry()[:5] == [civil.unit_id, 6, 4, 0, EntryStatus.DELETED]
    version = units.catalog.functions.version(desk.entry_id, 6).call()
    assert version[1] == civil.address and version[6] == units.data_center.address


OWNER_ACTIONS = {
    ActionKind.RESUBMIT: {EntryStatus.RETURNED},
    ActionKind.REQUEST_CHANGE: {EntryStatus.ACTIVE},
    ActionKind.REQUEST_DELETE: {EntryStatus.ACTIVE},
}
STATUSES = [s for s in EntryStatus]


@pytest.mark.parametrize("status", STATUSES, ids=[s.name for s in STATUSES])
@pytest.mark.parametrize("kind", list(OWNER_ACTIONS), ids=[k.name for k in OWNER_ACTIONS])
def test_owner_actions_allowed_only_from_their_status(desk, status, kind):
    desk.to(status)
    document = DELETE if kind == ActionKind.REQUEST_DELETE else DOC
    action = desk.units.civil.action(kind, desk.entry_id, document)
    eid = "0x" + desk.entry_id.hex()
    if status in OWNER_ACTIONS[kind]:
        desk.send(action)
        return
    if status == EntryStatus.NONE:
        assert_reverts(
            desk.system.relayer,
            desk.units.catalog.functions.execute(action.as_tuple()),
            "CatalogUnknownEntry",
            entryId=eid,
        )
    else:
        expected = EntryStatus.RETURNED if kind == ActionKind.RESUBMIT else EntryStatus.ACTIVE
        assert_reverts(
            desk.system.relayer,
            desk.units.catalog.functions.execute(action.as_tuple()),
            "CatalogInvalidStatus",
            entryId=eid,
            expected=expected,
            actual=status,
        )
    assert desk.status() == status


@pytest.mark.parametrize("status", STATUSES[1:], ids=[s.name for s in STATUSES[1:]])
def test_submit_refused_once_the_entry_exists(desk, status):
    desk.to(status)
    action = desk.units.civil.action(ActionKind.SUBMIT, desk.entry_id, DOC)
    assert_reverts(
        desk.system.relayer,
        desk.units.catalog.functions.execute(action.as_tuple()),
        "CatalogEntryExists",
        entryId="0x" + desk.entry_id.hex(),
    )


@pytest.mark.parametrize(
    "status", [EntryStatus.RETURNED, EntryStatus.ACTIVE, EntryStatus.DELETED], ids=["RETURNED", "ACTIVE", "DELETED"]
)
def test_review_refused_without_a_pending_version(desk, status):
    desk.to(status)
    latest = desk.entry()[1]
    action = desk.units.data_center.action(ActionKind.REVIEW, desk.entry_id, APPROVE, version=latest)
    assert_reverts(
        desk.system.relayer,
        desk.units.catalog.functions.execute(action.as_tuple()),
        "CatalogNotPendingVersion",
        entryId="0x" + desk.entry_id.hex(),
        pendingVersion=0,
        version=latest,
    )


def test_review_of_another_version_or_unknown_entry_refused(desk):
    desk.to(EntryStatus.UNDER_REVIEW)
    dc = desk.units.data_center
    wrong = dc.action(ActionKind.REVIEW, desk.entry_id, APPROVE, version=2)
    assert_reverts(
        desk.system.relayer,
        desk.units.catalog.functions.execute(wrong.as_tuple()),
        "CatalogNotPendingVersion",
        entryId="0x" + desk.entry_id.hex(),
        pendingVersion=1,
        version=2,
    )
    ghost = entry_id_for(desk.units.civil.unit_id, "NOPE")
    unknown = dc.action(ActionKind.REVIEW, ghost, APPROVE, version=1)
    assert_reverts(
        desk.system.relayer,
        desk.units.catalog.functions.execute(unknown.as_tuple()),
        "CatalogUnknownEntry",
        entryId="0x" + ghost.hex(),
    )


# --- attacks -------------------------------------------------------------------------------


def test_forged_signature_refused(desk):
    forger = Account.create()  # not registered: signs a perfectly formed action
    unsigned = CatalogAction(ActionKind.SUBMIT, desk.entry_id, 0, 0, DOC, 1)
    forged = sign_action(
        unsigned, forger.key, chain_id=desk.system.w3.eth.chain_id, catalog_address=desk.system.deployment.catalog
    )
    assert_reverts(
        desk.system.relayer,
        desk.units.catalog.functions.execute(forged.as_tuple()),
        "SignedActionSignerNotActive",
        signer=forger.address,
    )
    garbage = CatalogAction(ActionKind.SUBMIT, desk.entry_id, 0, 0, DOC, 1, b"\x01" * 64 + b"\x1b")
    err = assert_reverts(
        desk.system.relayer, desk.units.catalog.functions.execute(garbage.as_tuple()), "SignedActionSignerNotActive"
    )
    assert err.error_args["signer"] != desk.units.civil.address
    assert desk.status() == EntryStatus.NONE


def test_malformed_and_high_s_signatures_refused(desk):
    good = desk.units.civil.action(ActionKind.SUBMIT, desk.entry_id, DOC)
    r, s, v = good.signature[:32], int.from_bytes(good.signature[32:64], "big"), good.signature[64]
    high_s = r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])  # same point, the other s
    for signature in (high_s, good.signature[:64], b""):
        bad = CatalogAction(**{**good.__dict__, "signature": signature})
        assert_reverts(
            desk.system.relayer,
            desk.units.catalog.functions.execute(bad.as_tuple()),
            "SignedActionInvalidSignature",
            signature="0x" + signature.hex(),
        )
    desk.send(good)  # the untouched original still works


def test_replayed_action_refused(desk):
    action = desk.units.civil.action(ActionKind.SUBMIT, desk.entry_id, DOC, nonce=42)
    desk.send(action)
    assert_reverts(
        desk.system.relayer,
        desk.units.catalog.functions.execute(action.as_tuple()),
        "SignedActionNonceUsed",
        signer=desk.units.civil.address,
        nonce=42,
    )
    # The same nonce cannot be reused for a different action either.
    other = desk.units.civil.action(ActionKind.SUBMIT, entry_id_for(desk.units.civil.unit_id, "X"), DOC, nonce=42)
    assert_reverts(desk.system.relayer, desk.units.catalog.functions.execute(other.as_tuple()), "SignedActionNonceUsed")


def test_revoked_key_refused_from_the_revoking_block(desk):
    action = desk.units.civil.action(ActionKind.SUBMIT, desk.entry_id, DOC)  # signed while active
    desk.system.office.send(desk.units.registry.functions.revokeKey(desk.units.civil.address))
    assert_reverts(
        desk.system.relayer,
        desk.units.catalog.functions.execute(action.as_tuple()),
        "SignedActionSignerNotActive",
        signer=desk.units.civil.address,
    )
    assert desk.status() == EntryStatus.NONE


def test_officer_cannot_act_for_another_unit(desk):
    desk.to(EntryStatus.ACTIVE)
    intruder = desk.units.market
    action = intruder.action(ActionKind.REQUEST_DELETE, desk.entry_id, DELETE)
    assert_reverts(
        desk.system.relayer,
        desk.units.catalog.functions.execute(action.as_tuple()),
        "CatalogNotOwner",
        entryId="0x" + desk.entry_id.hex(),
        ownerUnit="0x" + desk.units.civil.unit_id.hex(),
        signerUnit="0x" + intruder.unit_id.hex(),
    )
    assert desk.status() == EntryStatus.ACTIVE


@pytest.mark.parametrize(
    ("who", "kind", "expected", "actual"),
    [
        ("civil", ActionKind.REVIEW, 2, 3),
        ("data_center", ActionKind.SUBMIT, 3, 2),
        ("auditor", ActionKind.SUBMIT, 3, 4),
    ],
)
def test_unit_kind_decides_who_reviews_and_who_submits(desk, who, kind, expected, actual):
    if kind == ActionKind.REVIEW:
        desk.to(EntryStatus.UNDER_REVIEW)
    officer = getattr(desk.units, who)
    action = officer.action(
        kind,
        desk.entry_id,
        APPROVE if kind == ActionKind.REVIEW else DOC,
        version=1 if kind == ActionKind.REVIEW else 0,
    )
    assert_reverts(
        desk.system.relayer,
        desk.units.catalog.functions.execute(action.as_tuple()),
        "CatalogWrongUnitKind",
        signer=officer.address,
        expected=expected,
        actual=actual,
    )


def test_relayer_cannot_alter_the_document(desk):
    action = desk.units.civil.action(ActionKind.SUBMIT, desk.entry_id, DOC)
    tampered = CatalogAction(**{**action.__dict__, "document": CHANGED})
    err = assert_reverts(
        desk.system.relayer, desk.units.catalog.functions.execute(tampered.as_tuple()), "SignedActionSignerNotActive"
    )
    assert err.error_args["signer"] != desk.units.civil.address
    assert desk.status() == EntryStatus.NONE


def test_document_bounds_and_unexpected_fields(desk):
    civil, f = desk.units.civil, desk.units.catalog.functions
    empty = civil.action(ActionKind.SUBMIT, desk.entry_id, b"")
    assert_reverts(desk.system.relayer, f.execute(empty.as_tuple()), "SignedActionEmptyDocument")
    big = civil.action(ActionKind.SUBMIT, desk.entry_id, b"x" * (32 * 1024 + 1))
    assert_reverts(
        desk.system.relayer,
        f.execute(big.as_tuple()),
        "SignedActionDocumentTooLarge",
        length=32 * 1024 + 1,
        maxLength=32 * 1024,
    )
    odd = civil.action(ActionKind.SUBMIT, desk.entry_id, DOC, version=3)
    assert_reverts(desk.system.relayer, f.execute(odd.as_tuple()), "CatalogUnexpectedField", kind=0)


def test_python_digest_matches_the_contract(desk):
    action = desk.units.civil.action(ActionKind.SUBMIT, desk.entry_id, DOC, nonce=2**200)
    ours = digest(action, chain_id=desk.system.w3.eth.chain_id, catalog_address=desk.system.deployment.catalog)
    assert desk.units.catalog.functions.actionDigest(action.as_tuple()).call() == ours


def test_batch_skips_a_bad_action_and_applies_the_rest(desk):
    civil, f = desk.units.civil, desk.units.catalog.functions
    first = civil.action(ActionKind.SUBMIT, desk.entry_id, DOC)
    duplicate = civil.action(ActionKind.SUBMIT, desk.entry_id, DOC)
    other_id = entry_id_for(civil.unit_id, "MZJ-0002")
    third = civil.action(ActionKind.SUBMIT, other_id, DOC)
    receipt = desk.system.relayer.send(f.executeBatch([first.as_tuple(), duplicate.as_tuple(), third.as_tuple()]))
    events = receipt_events(receipt)
    rejected = [e for e in events if e.name == "ActionRejected"]
    assert [e.args["index"] for e in rejected] == [1]
    assert rejected[0].args["digest"] == f.actionDigest(duplicate.as_tuple()).call()
    assert f.entry(other_id).call()[4] == EntryStatus.UNDER_REVIEW
    assert f.nonceUsed(civil.address, duplicate.nonce).call() is False  # a skipped action spends nothing


def test_batch_entry_point_is_not_callable_from_outside(desk):
    action = desk.units.civil.action(ActionKind.SUBMIT, desk.entry_id, DOC)
    assert_reverts(
        desk.system.relayer,
        desk.units.catalog.functions.executeFromBatch(action.as_tuple()),
        "SignedActionNotSelf",
        caller=desk.system.relayer.account.address,
    )
