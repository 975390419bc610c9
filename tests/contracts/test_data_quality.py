"""DataQuality (Art. 15–16): an entry's declared update frequency, the updates the Data Center
receives counted per period, reconciliations, and data objections handled by the responsible unit
within the Office's setting."""

from __future__ import annotations

import pytest

from chain import quality as q
from chain import responsibilities as resp
from chain.actions import EntryStatus, fresh_nonce
from chain.client import contract_at
from chain.events import receipt_events
from tests.conftest import Officer
from tests.contracts.helpers import assert_reverts
from tests.contracts.test_catalog import Desk
from tests.contracts.test_responsibilities import Office
from tests.contracts.test_sharing_grants import Grants, hx
from tests.sharing_desk import SharingDesk, refused

DECLARED = b'{"entry_id":"x","schema":"putuo.update-frequency/1","update_frequency":"monthly"}'
RECEIPT = b'{"records":10,"schema":"putuo.update-receipt/1"}'
RECONCILED = b'{"result":"consistent","schema":"putuo.reconciliation/1"}'
OBJECTION = b'{"description":"wrong addresses","schema":"putuo.objection/1"}'
HANDLED = b'{"outcome":"corrected","schema":"putuo.objection-handling/1"}'
DAY = 86_400


class Quality:
    """Signs and sends DataQuality actions for the units of `Office`."""

    def __init__(self, district: Office) -> None:
        self.system, self.units, self.district = district.system, district.units, district
        self.contract = contract_at(self.system.w3, "DataQuality", self.system.deployment.data_quality)

    def action(self, officer: Officer, kind, subject: bytes, document: bytes, **fields) -> q.QualityAction:
        unsigned = q.QualityAction(kind, subject, document, fresh_nonce(), **fields)
        return q.sign(
            unsigned,
            officer.account.key,
            chain_id=self.system.w3.eth.chain_id,
            address=self.system.deployment.data_quality,
        )

    def send(self, officer: Officer, kind, subject: bytes, document: bytes, **fields):
        return self.system.relayer.send(
            self.contract.functions.execute(self.action(officer, kind, subject, document, **fields).as_tuple())
        )

    def refuses(self, officer: Officer, kind, subject: bytes, document: bytes, error: str, **fields):
        expected = fields.pop("expect", {})
        action = self.action(officer, kind, subject, document, **fields)
        return assert_reverts(
            self.system.relayer, self.contract.functions.execute(action.as_tuple()), error, **expected
        )

    def travel(self, seconds: int) -> int:
        latest = self.system.w3.eth.get_block("latest")["timestamp"]
        answer = self.system.w3.provider.make_request("evm_setNextBlockTimestamp", [latest + seconds])
        assert "error" not in answer, answer
        return latest + seconds


def _event(receipt, name: str):
    [event] = [e for e in receipt_events(receipt) if e.name == name]
    return event.args


@pytest.fixture
def quality(system, units) -> Quality:
    return Quality(Office(system, units))


@pytest.fixture
def entry(quality) -> bytes:
    desk = Desk(quality.system, quality.units)
    desk.to(EntryStatus.ACTIVE)
    return desk.entry_id


def test_the_digest_is_the_contracts(quality):
    action = quality.action(
        quality.units.data_center, q.ActionKind.RECORD_UPDATE, b"\x01" * 32, RECEIPT, target=b"\x02" * 32
    )
    assert quality.contract.functions.actionDigest(action.as_tuple()).call() == q.digest(
        action, chain_id=quality.system.w3.eth.chain_id, address=quality.system.deployment.data_quality
    )


def test_art16_the_responsible_unit_declares_the_update_frequency(quality, entry):
    units = quality.units
    for other in (units.market, units.data_center):
        quality.refuses(
            other,
            q.ActionKind.DECLARE_FREQUENCY,
            entry,
            DECLARED,
            "DataQualityNotOwner",
            code=int(q.UpdateFrequency.MONTHLY),
            expect={
                "entryId": "0x" + entry.hex(),
                "ownerUnit": "0x" + units.civil.unit_id.hex(),
                "signerUnit": "0x" + other.unit_id.hex(),
            },
        )
    quality.refuses(units.civil, q.ActionKind.DECLARE_FREQUENCY, entry, DECLARED, "DataQualityInvalidCode", code=9)
    unapproved = b"\x07" * 32
    quality.refuses(
        units.civil,
        q.ActionKind.DECLARE_FREQUENCY,
        unapproved,
        DECLARED,
        "DataQualityEntryNotApproved",
        code=int(q.UpdateFrequency.DAILY),
        expect={"entryId": "0x" + unapproved.hex()},
    )
    receipt = quality.send(
        units.civil, q.ActionKind.DECLARE_FREQUENCY, entry, DECLARED, code=int(q.UpdateFrequency.MONTHLY)
    )
    args = _event(receipt, "UpdateFrequencyDeclared")
    assert (args["frequency"], args["periodSeconds"]) == (q.UpdateFrequency.MONTHLY, 30 * DAY)
    assert list(quality.contract.functions.schedule(entry).call()) == [
        int(q.UpdateFrequency.MONTHLY),
        args["startsAt"],
        30 * DAY,
    ]


def test_art16_each_update_is_counted_in_its_period(quality, entry):
    units = quality.units
    update = b"\x11" * 32
    quality.refuses(
        units.data_center,
        q.ActionKind.RECORD_UPDATE,
        update,
        RECEIPT,
        "DataQualityNoSchedule",
        target=entry,
        expect={"entryId": "0x" + entry.hex()},
    )
    quality.send(units.civil, q.ActionKind.DECLARE_FREQUENCY, entry, DECLARED, code=int(q.UpdateFrequency.WEEKLY))
    # Only the Data Center records what it received.
    quality.refuses(units.civil, q.ActionKind.RECORD_UPDATE, update, RECEIPT, "DataQualityWrongUnitKind", target=entry)
    first = _event(
        quality.send(units.data_center, q.ActionKind.RECORD_UPDATE, update, RECEIPT, target=entry), "UpdateRecorded"
    )
    assert (first["period"], first["unitId"]) == (0, units.civil.unit_id)
    quality.refuses(
        units.data_center,
        q.ActionKind.RECORD_UPDATE,
        update,
        RECEIPT,
        "DataQualityExists",
        target=entry,
        expect={"id": "0x" + update.hex()},
    )
    quality.travel(15 * DAY)  # week 1 passes without an update: the unit's missed period
    third = _event(
        quality.send(units.data_center, q.ActionKind.RECORD_UPDATE, b"\x12" * 32, RECEIPT, target=entry),
        "UpdateRecorded",
    )
    assert third["period"] == 2
    updated = quality.contract.functions.updated
    assert [updated(entry, p).call() for p in range(3)] == [True, False, True]


def test_art16_reconciliations_are_the_data_centers_with_an_ordinary_unit(quality):
    units = quality.units
    rid = b"\x21" * 32
    quality.refuses(
        units.civil,
        q.ActionKind.RECORD_RECONCILIATION,
        rid,
        RECONCILED,
        "DataQualityWrongUnitKind",
        target=units.civil.unit_id,
        code=1,
    )
    quality.refuses(
        units.data_center,
        q.ActionKind.RECORD_RECONCILIATION,
        rid,
        RECONCILED,
        "DataQualityInvalidUnit",
        target=units.data_center.unit_id,
        code=1,
        expect={"unitId": "0x" + units.data_center.unit_id.hex(), "kind": 2},
    )
    quality.refuses(
        units.data_center,
        q.ActionKind.RECORD_RECONCILIATION,
        rid,
        RECONCILED,
        "DataQualityInvalidCode",
        target=units.civil.unit_id,
        code=3,
    )
    args = _event(
        quality.send(
            units.data_center, q.ActionKind.RECORD_RECONCILIATION, rid, RECONCILED, target=units.civil.unit_id, code=2
        ),
        "ReconciliationRecorded",
    )
    assert (args["unitId"], args["result"]) == (units.civil.unit_id, q.ReconciliationResult.DISCREPANCIES)


def test_art16_an_objection_goes_to_the_responsible_unit_within_the_setting(quality, entry):
    units, district = quality.units, quality.district
    oid = b"\x31" * 32
    # The source must be the raiser's: the Data Center monitors and reconciles, a unit uses the data.
    quality.refuses(
        units.market, q.ActionKind.RAISE_OBJECTION, oid, OBJECTION, "DataQualityInvalidCode", target=entry, code=1
    )
    quality.refuses(
        units.data_center, q.ActionKind.RAISE_OBJECTION, oid, OBJECTION, "DataQualityInvalidCode", target=entry, code=3
    )
    quality.refuses(
        units.civil,
        q.ActionKind.RAISE_OBJECTION,
        oid,
        OBJECTION,
        "DataQualityOwnData",
        target=entry,
        code=3,
        expect={"entryId": "0x" + entry.hex(), "unitId": "0x" + units.civil.unit_id.hex()},
    )
    # The Office's setting (in Responsibilities) fixes the due time when raised.
    district.send(
        district.office,
        resp.ActionKind.PUBLISH_SETTING,
        resp.setting_key("objectionHandlingDays"),
        b'{"schema":"putuo.setting/1"}',
        value=3,
    )
    # The Data Center's objection names no grant (Art. 16 ¶3).
    quality.refuses(
        units.data_center,
        q.ActionKind.RAISE_OBJECTION,
        oid,
        OBJECTION,
        "DataQualityUnexpectedField",
        target=entry,
        code=1,
        grant=b"\x07" * 32,
    )
    receipt = quality.send(units.data_center, q.ActionKind.RAISE_OBJECTION, oid, OBJECTION, target=entry, code=1)
    raised = _event(receipt, "ObjectionRaised")
    at = quality.system.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    calendar = contract_at(quality.system.w3, "WorkCalendar", quality.system.deployment.calendar)
    assert raised["dueAt"] == calendar.functions.addWorkingDays(at, 3).call()
    assert (raised["unitId"], raised["raiserUnit"], raised["grantId"], raised["source"]) == (
        units.civil.unit_id,
        units.data_center.unit_id,
        bytes(32),
        q.ObjectionSource.QUALITY_MONITORING,
    )
    quality.refuses(
        units.data_center, q.ActionKind.RAISE_OBJECTION, oid, OBJECTION, "DataQualityExists", target=entry, code=2
    )
    # Only the responsible unit handles it, once.
    quality.refuses(
        units.market,
        q.ActionKind.HANDLE_OBJECTION,
        oid,
        HANDLED,
        "DataQualityNotOwner",
        code=1,
        expect={
            "entryId": "0x" + entry.hex(),
            "ownerUnit": "0x" + units.civil.unit_id.hex(),
            "signerUnit": "0x" + units.market.unit_id.hex(),
        },
    )
    quality.refuses(
        units.civil, q.ActionKind.HANDLE_OBJECTION, b"\x32" * 32, HANDLED, "DataQualityUnknownObjection", code=1
    )
    handled = _event(quality.send(units.civil, q.ActionKind.HANDLE_OBJECTION, oid, HANDLED, code=1), "ObjectionHandled")
    assert (handled["outcome"], handled["dueAt"]) == (q.ObjectionOutcome.CORRECTED, raised["dueAt"])
    stored = quality.contract.functions.objection(oid).call()
    assert stored[5] == q.ObjectionOutcome.CORRECTED and stored[8] > 0
    quality.refuses(units.civil, q.ActionKind.HANDLE_OBJECTION, oid, HANDLED, "DataQualityObjectionHandled", code=2)


def test_unused_fields_must_be_zero(quality, entry):
    units = quality.units
    quality.refuses(
        units.civil, q.ActionKind.DECLARE_FREQUENCY, entry, DECLARED, "DataQualityUnexpectedField", code=2, value=1
    )
    quality.refuses(
        units.civil, q.ActionKind.DECLARE_FREQUENCY, entry, DECLARED, "DataQualityUnexpectedField", code=2, target=entry
    )


def test_unused_grant_must_be_zero(quality, entry):
    quality.refuses(
        quality.units.civil,
        q.ActionKind.DECLARE_FREQUENCY,
        entry,
        DECLARED,
        "DataQualityUnexpectedField",
        code=2,
        grant=b"\x07" * 32,
        expect={"kind": 0},
    )


# ---------------------------------------------------------------- a using unit's objection (Art. 16)


class Objector:
    """A Sharing desk's units: the street holds a grant on the civil affairs bureau's entry."""

    def __init__(self, desk: SharingDesk) -> None:
        self.desk, self.grants = desk, Grants(desk)
        self.entry = self.grants.entry[0]
        self.contract = contract_at(desk.w3, "DataQuality", desk.system.deployment.data_quality)

    def call(self, officer, entry: bytes, grant: bytes, code: int = 3):
        action = q.sign(
            q.QualityAction(
                q.ActionKind.RAISE_OBJECTION,
                fresh_nonce().to_bytes(32, "big"),
                OBJECTION,
                fresh_nonce(),
                target=entry,
                code=code,
                grant=grant,
            ),
            officer.action_key,
            chain_id=self.desk.chain_id,
            address=self.desk.system.deployment.data_quality,
        )
        return self.contract.functions.execute(action.as_tuple())


def test_art16_a_using_unit_objects_only_under_its_grant_on_the_entry(system):
    o = Objector(SharingDesk(system))
    desk = o.desk
    grant_id = o.grants.issue(at=None)
    other_entry = desk.approved_entry(desk.civil, "MZJ-0009")[0]
    # No grant: a unit that merely sees the catalog does not object (Art. 16: 使用单位).
    refused(desk, o.call(desk.street, o.entry, bytes(32)), "DataQualityUnknownGrant", grantId=hx(bytes(32)))
    refused(desk, o.call(desk.street, o.entry, b"\x44" * 32), "DataQualityUnknownGrant", grantId=hx(b"\x44" * 32))
    # Another unit's grant: the market bureau does not hold it.
    refused(
        desk,
        o.call(desk.market, o.entry, grant_id),
        "DataQualityGrantNotHeld",
        grantId=hx(grant_id),
        holderUnit=desk.street.unit_hex,
        signerUnit=desk.market.unit_hex,
    )
    # A grant on another entry.
    refused(
        desk,
        o.call(desk.street, other_entry, grant_id),
        "DataQualityGrantNotCovering",
        grantId=hx(grant_id),
        entryId=hx(other_entry),
    )
    # Its own grant on the entry: raised, the grant recorded with it.
    receipt = desk.system.relayer.send(o.call(desk.street, o.entry, grant_id))
    [raised] = desk.named(receipt, "ObjectionRaised")
    assert (raised.args["entryId"], raised.args["raiserUnit"], raised.args["grantId"], raised.args["source"]) == (
        o.entry,
        desk.street.unit_id,
        grant_id,
        q.ObjectionSource.USING_UNIT,
    )
    stored = o.contract.functions.objection(raised.args["objectionId"]).call()
    assert stored[3] == grant_id
