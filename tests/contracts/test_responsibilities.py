"""Responsibilities (Art. 5, 11, 12): each unit's responsibilities approved by the Office, an entry
naming the one it serves, the Office's designation of the responsible unit, refusals to collect and
their reports, the Office's settings, and the Data Center's supplementary entries."""

from __future__ import annotations

import json

import pytest

from chain import responsibilities as resp
from chain.actions import ActionKind, EntryStatus, fresh_nonce
from chain.client import contract_at
from chain.events import receipt_events
from tests.conftest import Officer, Units
from tests.contracts.helpers import assert_reverts
from tests.contracts.test_catalog import APPROVE, CHANGED, DOC, Desk

DUTY = json.dumps({"schema": "putuo.responsibility/1", "code": "MZJ-ZZ-01", "name": "最低生活保障审核"}).encode()
NOTE = b'{"decision":"approve","schema":"putuo.responsibility-review/1"}'
DECISION = b'{"basis":"two units collect the same data","schema":"putuo.designation/1"}'
REFUSAL = b'{"data":"housing records","schema":"putuo.refusal/1"}'
REPORT = b'{"reported_to":"district government","schema":"putuo.refusal-report/1"}'
NOTICE = b'{"schema":"putuo.setting/1"}'
RETURNED_CITY = b'{"code":"DSJ-BC-01","name":"city returned data","schema":"putuo.catalog/1","supplementary":true}'


class Office:
    """The district units of `Units` with an Office officer, signing Responsibilities actions."""

    def __init__(self, system, units: Units) -> None:
        self.system, self.units = system, units
        self.office = units.register("PT-QFB", "office", "普陀区人民政府办公室")
        self.contract = contract_at(system.w3, "Responsibilities", system.deployment.responsibilities)

    def action(self, officer: Officer, kind, subject: bytes, document: bytes, **fields) -> resp.ResponsibilityAction:
        unsigned = resp.ResponsibilityAction(kind, subject, document, fresh_nonce(), **fields)
        return resp.sign(
            unsigned,
            officer.account.key,
            chain_id=self.system.w3.eth.chain_id,
            address=self.system.deployment.responsibilities,
        )

    def send(self, officer: Officer, kind, subject: bytes, document: bytes, **fields):
        action = self.action(officer, kind, subject, document, **fields)
        return self.system.relayer.send(self.contract.functions.execute(action.as_tuple()))

    def refuses(self, officer: Officer, kind, subject: bytes, document: bytes, error: str, **fields):
        """The action is refused with `error`; returns the error's arguments."""
        expected = fields.pop("expect", {})
        action = self.action(officer, kind, subject, document, **fields)
        return assert_reverts(
            self.system.relayer, self.contract.functions.execute(action.as_tuple()), error, **expected
        ).error_args

    def approved_duty(self, officer: Officer, code: str = "MZJ-ZZ-01") -> bytes:
        rid = resp.responsibility_id_for(officer.unit_id, code)
        self.send(officer, resp.ActionKind.RECORD_RESPONSIBILITY, rid, DUTY)
        self.send(self.office, resp.ActionKind.REVIEW_RESPONSIBILITY, rid, NOTE)
        return rid

    def setting(self, name: str) -> int:
        return self.contract.functions.setting(resp.setting_key(name)).call()


def _events(receipt, name: str) -> list:
    return [e for e in receipt_events(receipt) if e.name == name]


@pytest.fixture
def district(system, units) -> Office:
    return Office(system, units)


def test_the_digest_is_the_contracts(district):
    action = district.action(
        district.office, resp.ActionKind.DESIGNATE, b"\x01" * 32, DECISION, target=b"\x02" * 32, code=1
    )
    on_chain = district.contract.functions.actionDigest(action.as_tuple()).call()
    assert on_chain == resp.digest(
        action, chain_id=district.system.w3.eth.chain_id, address=district.system.deployment.responsibilities
    )


def test_art11_an_entry_names_an_approved_responsibility_of_its_unit(district):
    units, desk = district.units, Desk(district.system, district.units)
    rid = resp.responsibility_id_for(units.civil.unit_id, "MZJ-ZZ-01")
    receipt = district.send(units.civil, resp.ActionKind.RECORD_RESPONSIBILITY, rid, DUTY)
    [recorded] = _events(receipt, "ResponsibilityRecorded")
    assert (recorded.args["unitId"], recorded.args["version"]) == (units.civil.unit_id, 1)
    # Pending: not yet servable; only the Office reviews it.
    submit = units.civil.action(ActionKind.SUBMIT, desk.entry_id, DOC, responsibility=rid)
    assert_reverts(
        district.system.relayer,
        units.catalog.functions.execute(submit.as_tuple()),
        "ResponsibilitiesNotServed",
        responsibilityId="0x" + rid.hex(),
        unitId="0x" + units.civil.unit_id.hex(),
        holder="0x" + units.civil.unit_id.hex(),
        status=resp.ResponsibilityStatus.PENDING,
    )
    for intruder in (units.civil, units.data_center):
        district.refuses(
            intruder,
            resp.ActionKind.REVIEW_RESPONSIBILITY,
            rid,
            NOTE,
            "ResponsibilitiesWrongUnitKind",
            expect={"signer": intruder.address, "actual": 3 if intruder is units.civil else 2},
        )
    # Another unit cannot record under (or take over) the civil bureau's responsibility.
    district.refuses(
        units.market,
        resp.ActionKind.RECORD_RESPONSIBILITY,
        rid,
        DUTY,
        "ResponsibilitiesNotOwner",
        expect={
            "responsibilityId": "0x" + rid.hex(),
            "ownerUnit": "0x" + units.civil.unit_id.hex(),
            "signerUnit": "0x" + units.market.unit_id.hex(),
        },
    )
    district.send(district.office, resp.ActionKind.REVIEW_RESPONSIBILITY, rid, NOTE)
    assert district.contract.functions.responsibility(rid).call()[1] == resp.ResponsibilityStatus.APPROVED
    receipt = desk.send(submit)
    [submitted] = _events(receipt, "CatalogVersionSubmitted")
    assert submitted.args["responsibility"] == rid
    entry = units.catalog.functions.entry(desk.entry_id).call()
    assert (entry[10], entry[11]) == (rid, False)
    # Another unit's approved responsibility is not this unit's to name.
    market_duty = district.approved_duty(units.market, "SCJ-ZZ-01")
    other = units.civil.action(ActionKind.SUBMIT, b"\x07" * 32, DOC, responsibility=market_duty)
    assert_reverts(
        district.system.relayer,
        units.catalog.functions.execute(other.as_tuple()),
        "ResponsibilitiesNotServed",
        holder="0x" + units.market.unit_id.hex(),
        unitId="0x" + units.civil.unit_id.hex(),
        responsibilityId="0x" + market_duty.hex(),
        status=resp.ResponsibilityStatus.APPROVED,
    )
    # A revision pending the Office's review leaves the approved version servable.
    district.send(units.civil, resp.ActionKind.RECORD_RESPONSIBILITY, rid, DUTY.replace(b"01", b"02"))
    desk.review()
    desk.act(units.civil, ActionKind.REQUEST_CHANGE, CHANGED, responsibility=rid)
    assert desk.status() == EntryStatus.CHANGE_PENDING


def test_art11_the_office_may_require_every_version_to_name_a_responsibility(district):
    units, desk = district.units, Desk(district.system, district.units)
    assert (district.setting("responsibilityRequired"), district.setting("refusalReportDays")) == (0, 5)
    required = resp.setting_key("responsibilityRequired")
    district.refuses(
        units.civil,
        resp.ActionKind.PUBLISH_SETTING,
        required,
        NOTICE,
        "ResponsibilitiesWrongUnitKind",
        value=1,
    )
    district.refuses(
        district.office,
        resp.ActionKind.PUBLISH_SETTING,
        required,
        NOTICE,
        "ResponsibilitiesSettingOutOfRange",
        value=2,
        expect={"key": "0x" + required.hex(), "value": 2, "min": 0, "max": 1},
    )
    district.refuses(
        district.office,
        resp.ActionKind.PUBLISH_SETTING,
        b"\x09" * 32,
        NOTICE,
        "ResponsibilitiesUnknownSetting",
        value=1,
        expect={"key": "0x" + "09" * 32},
    )
    receipt = district.send(district.office, resp.ActionKind.PUBLISH_SETTING, required, NOTICE, value=1)
    [published] = _events(receipt, "SettingPublished")
    assert (published.args["key"], published.args["value"]) == (required, 1)
    bare = units.civil.action(ActionKind.SUBMIT, desk.entry_id, DOC)
    assert_reverts(
        district.system.relayer, units.catalog.functions.execute(bare.as_tuple()), "ResponsibilitiesRequired"
    )
    assert desk.status() == EntryStatus.NONE
    desk.act(units.civil, ActionKind.SUBMIT, DOC, responsibility=district.approved_duty(units.civil))
    assert desk.status() == EntryStatus.UNDER_REVIEW


def test_art5_the_office_designates_the_responsible_unit(district):
    units, desk = district.units, Desk(district.system, district.units)
    desk.to(EntryStatus.ACTIVE)
    market = "0x" + units.market.unit_id.hex()
    for code in (0, 3):
        district.refuses(
            district.office,
            resp.ActionKind.DESIGNATE,
            desk.entry_id,
            DECISION,
            "ResponsibilitiesInvalidCode",
            target=units.market.unit_id,
            code=code,
            expect={"kind": resp.ActionKind.DESIGNATE, "code": code},
        )
    district.refuses(
        district.office,
        resp.ActionKind.DESIGNATE,
        desk.entry_id,
        DECISION,
        "ResponsibilitiesInvalidUnit",
        target=units.data_center.unit_id,
        code=1,
        expect={"unitId": "0x" + units.data_center.unit_id.hex(), "kind": 2},
    )
    district.refuses(
        units.data_center,
        resp.ActionKind.DESIGNATE,
        desk.entry_id,
        DECISION,
        "ResponsibilitiesWrongUnitKind",
        target=units.market.unit_id,
        code=1,
    )
    district.refuses(
        district.office,
        resp.ActionKind.DESIGNATE,
        b"\x05" * 32,
        DECISION,
        "CatalogDesignationRefused",
        target=units.market.unit_id,
        code=1,
        expect={"entryId": "0x" + "05" * 32, "ownerUnit": "0x" + "00" * 32, "status": EntryStatus.NONE},
    )
    # Nobody but the Responsibilities contract moves an entry, however it calls.
    assert_reverts(
        district.system.relayer,
        units.catalog.functions.designateOwner(desk.entry_id, units.market.unit_id),
        "CatalogNotResponsibilities",
        caller=district.system.relayer.account.address,
    )
    receipt = district.send(
        district.office,
        resp.ActionKind.DESIGNATE,
        desk.entry_id,
        DECISION,
        target=units.market.unit_id,
        code=resp.Disposition.MOVE_OPEN_DUTIES,
    )
    [moved] = _events(receipt, "CatalogOwnerDesignated")
    [decision] = _events(receipt, "EntryDesignated")
    assert moved.args["fromUnit"] == decision.args["fromUnit"] == units.civil.unit_id
    assert moved.args["toUnit"] == decision.args["toUnit"] == units.market.unit_id
    assert decision.args["disposition"] == resp.Disposition.MOVE_OPEN_DUTIES
    assert desk.entry()[0] == units.market.unit_id
    # The old owner no longer acts on the entry; the designated unit does.
    change = units.civil.action(ActionKind.REQUEST_CHANGE, desk.entry_id, CHANGED)
    assert_reverts(
        district.system.relayer,
        units.catalog.functions.execute(change.as_tuple()),
        "CatalogNotOwner",
        entryId="0x" + desk.entry_id.hex(),
        ownerUnit=market,
        signerUnit="0x" + units.civil.unit_id.hex(),
    )
    desk.act(units.market, ActionKind.REQUEST_CHANGE, CHANGED)
    assert desk.status() == EntryStatus.CHANGE_PENDING
    district.refuses(
        district.office,
        resp.ActionKind.DESIGNATE,
        desk.entry_id,
        DECISION,
        "CatalogDesignationRefused",
        target=units.market.unit_id,
        code=2,
        expect={"entryId": "0x" + desk.entry_id.hex(), "ownerUnit": market, "status": EntryStatus.CHANGE_PENDING},
    )


def test_art11_a_refusal_without_legal_basis_is_the_offices_to_report_by_its_due_time(district):
    units, calendar = (
        district.units,
        contract_at(district.system.w3, "WorkCalendar", district.system.deployment.calendar),
    )
    refusal = b"\x0a" * 32
    district.refuses(
        units.civil,
        resp.ActionKind.RECORD_REFUSAL,
        refusal,
        REFUSAL,
        "ResponsibilitiesWrongUnitKind",
        target=units.civil.unit_id,
        code=1,
    )
    receipt = district.send(
        units.data_center,
        resp.ActionKind.RECORD_REFUSAL,
        refusal,
        REFUSAL,
        target=units.civil.unit_id,
        code=resp.RefusalGround.NO_LEGAL_BASIS,
    )
    [recorded] = _events(receipt, "RefusalRecorded")
    block = district.system.w3.eth.get_block(receipt["blockNumber"])
    assert recorded.args["reportDueAt"] == calendar.functions.addWorkingDays(block["timestamp"], 5).call()
    district.refuses(
        units.data_center,
        resp.ActionKind.RECORD_REFUSAL,
        refusal,
        REFUSAL,
        "ResponsibilitiesRefusalExists",
        target=units.civil.unit_id,
        code=1,
    )
    district.refuses(
        units.data_center, resp.ActionKind.REPORT_REFUSAL, refusal, REPORT, "ResponsibilitiesWrongUnitKind"
    )
    receipt = district.send(district.office, resp.ActionKind.REPORT_REFUSAL, refusal, REPORT)
    [reported] = _events(receipt, "RefusalReported")
    assert reported.args["reportDueAt"] == recorded.args["reportDueAt"]
    stored = district.contract.functions.refusal(refusal).call()
    assert stored[4] == district.system.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    now = stored[4]
    district.refuses(
        district.office,
        resp.ActionKind.REPORT_REFUSAL,
        refusal,
        REPORT,
        "ResponsibilitiesNothingToReport",
        expect={"refusalId": "0x" + refusal.hex(), "ground": resp.RefusalGround.NO_LEGAL_BASIS, "reportedAt": now},
    )
    # A refusal citing a legal basis is lawful: recorded, with nothing for the Office to report.
    lawful = b"\x0b" * 32
    receipt = district.send(
        units.data_center,
        resp.ActionKind.RECORD_REFUSAL,
        lawful,
        REFUSAL,
        target=units.market.unit_id,
        code=resp.RefusalGround.LEGAL_BASIS_CITED,
    )
    assert _events(receipt, "RefusalRecorded")[0].args["reportDueAt"] == 0
    district.refuses(district.office, resp.ActionKind.REPORT_REFUSAL, lawful, REPORT, "ResponsibilitiesNothingToReport")
    # The Office's setting, not a constant, gives the due time.
    district.send(
        district.office, resp.ActionKind.PUBLISH_SETTING, resp.setting_key("refusalReportDays"), NOTICE, value=2
    )
    receipt = district.send(
        units.data_center, resp.ActionKind.RECORD_REFUSAL, b"\x0c" * 32, REFUSAL, target=units.civil.unit_id, code=1
    )
    at = district.system.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    due = _events(receipt, "RefusalRecorded")[0].args["reportDueAt"]
    assert due == calendar.functions.addWorkingDays(at, 2).call()


def test_art12_the_data_center_compiles_supplementary_entries(district):
    units = district.units
    entry_id = b"\x0d" * 32
    bare = units.data_center.action(ActionKind.SUBMIT, entry_id, RETURNED_CITY)
    assert_reverts(
        district.system.relayer,
        units.catalog.functions.execute(bare.as_tuple()),
        "CatalogWrongUnitKind",
        signer=units.data_center.address,
        expected=3,
        actual=2,
    )
    art12 = district.approved_duty(units.data_center, "DSJ-ZZ-12")
    desk = Desk(district.system, units)
    desk.entry_id = entry_id
    desk.act(units.data_center, ActionKind.SUBMIT, RETURNED_CITY, responsibility=art12)
    entry = desk.entry()
    assert (entry[0], entry[10], entry[11]) == (units.data_center.unit_id, art12, True)
    desk.act(units.data_center, ActionKind.REVIEW, APPROVE, version=1)
    assert desk.status() == EntryStatus.ACTIVE
    # An ordinary unit naming its own responsibility compiles an ordinary entry.
    civil_entry = units.civil.action(
        ActionKind.SUBMIT, b"\x0e" * 32, DOC, responsibility=district.approved_duty(units.civil)
    )
    desk.send(civil_entry)
    assert units.catalog.functions.entry(b"\x0e" * 32).call()[11] is False


def test_art12_each_export_to_the_city_is_recorded_contiguously(district):
    units, w3 = district.units, district.system.w3
    manifest = b'{"schema":"putuo.catalog-export/1"}'
    district.refuses(
        units.civil,
        resp.ActionKind.RECORD_CATALOG_EXPORT,
        b"\x01" * 32,
        manifest,
        "ResponsibilitiesWrongUnitKind",
        value=1,
    )
    head = w3.eth.block_number
    # Only blocks that exist.
    district.refuses(
        units.data_center,
        resp.ActionKind.RECORD_CATALOG_EXPORT,
        b"\x01" * 32,
        manifest,
        "ResponsibilitiesInvalidExportRange",
        value=head + 100,
    )
    receipt = district.send(
        units.data_center, resp.ActionKind.RECORD_CATALOG_EXPORT, b"\x01" * 32, manifest, value=head
    )
    [first] = _events(receipt, "CatalogExportRecorded")
    assert (first.args["sequence"], first.args["fromBlock"], first.args["toBlock"]) == (1, 1, head)
    # The next starts after the last: nothing covered twice, nothing skipped.
    district.refuses(
        units.data_center,
        resp.ActionKind.RECORD_CATALOG_EXPORT,
        b"\x02" * 32,
        manifest,
        "ResponsibilitiesInvalidExportRange",
        value=head,
    )
    receipt = district.send(
        units.data_center, resp.ActionKind.RECORD_CATALOG_EXPORT, b"\x02" * 32, manifest, value=head + 1
    )
    [second] = _events(receipt, "CatalogExportRecorded")
    assert (second.args["sequence"], second.args["fromBlock"], second.args["toBlock"]) == (2, head + 1, head + 1)
    assert district.contract.functions.lastExport().call() == [2, head + 1]


# ---- Art. 5: the old owner's open duties follow the designation as it says


def _designate(desk, entry_id: bytes, to, disposition):
    from chain.sharing import ItemStatus  # noqa: F401 - imported for the reader: items below are Pending

    contract = contract_at(desk.system.w3, "Responsibilities", desk.system.deployment.responsibilities)
    action = resp.sign(
        resp.ResponsibilityAction(
            resp.ActionKind.DESIGNATE, entry_id, DECISION, fresh_nonce(), target=to.unit_id, code=disposition
        ),
        desk.office.action_key,
        chain_id=desk.chain_id,
        address=desk.system.deployment.responsibilities,
    )
    return desk.system.relayer.send(contract.functions.execute(action.as_tuple()))


@pytest.mark.parametrize("disposition", [resp.Disposition.MOVE_OPEN_DUTIES, resp.Disposition.KEEP_OPEN_DUTIES])
def test_art5_a_pending_item_follows_the_designation_as_it_says(system, disposition):
    from tests.sharing_desk import SharingDesk, refused

    desk = SharingDesk(system)
    entry = desk.approved_entry(desk.civil, "MZJ-0001")
    demand_id, _ = desk.apply(desk.street, [desk.resource(desk.civil, entry)], application_no="CF-2026-501")
    follow = desk.sharing.functions.followDesignation(demand_id, 0)
    civil, market = "0x" + desk.civil.unit_id.hex(), "0x" + desk.market.unit_id.hex()
    # No designation yet: nothing to follow.
    refused(desk, follow, "SharingNoDesignationToFollow", demandId="0x" + demand_id.hex(), item=0, owner=civil)
    _designate(desk, entry[0], desk.market, disposition)
    if disposition == resp.Disposition.MOVE_OPEN_DUTIES:
        receipt = desk.system.relayer.send(follow)
        [moved] = [e for e in desk.events(receipt) if e.name == "DemandItemOwnerMoved"]
        assert (moved.args["fromUnit"], moved.args["toUnit"]) == (desk.civil.unit_id, desk.market.unit_id)
        refused(desk, follow, "SharingNoDesignationToFollow", demandId="0x" + demand_id.hex(), item=0, owner=market)
        # The old owner no longer decides it; the designated unit does, by the same due time.
        refused(
            desk,
            desk.execute_call(desk.decide_action(desk.civil, demand_id, 0)),
            "SharingNotItemOwner",
            demandId="0x" + demand_id.hex(),
            item=0,
            owner=market,
            signerUnit=civil,
        )
        desk.decide(desk.market, demand_id, 0)
    else:
        # Kept: the item stays the old owner's, who decides it though the entry is now the market's.
        refused(desk, follow, "SharingNoDesignationToFollow", demandId="0x" + demand_id.hex(), item=0, owner=civil)
        desk.decide(desk.civil, demand_id, 0)
    assert desk.demand(demand_id)[1] == 2  # DemandStatus.Granted
