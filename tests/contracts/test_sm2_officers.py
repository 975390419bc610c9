"""SM2-only officers: every contract verifies their signatures itself (IUnitRegistry.tryRecoverSigner).

A unit whose officers hold SM2 keys alone catalogues, is reviewed by an SM2-only Data Center,
applies with an SM2 commitment and decides; a forged, malformed or misdirected SM2 signature is
refused with its exact error, whoever relays it. The gas of an SM2-signed action is reported
beside an ECDSA-signed one.
"""

from __future__ import annotations

import pytest

from chain.actions import ActionKind, entry_id_for, unit_id_for
from chain.sharing import ItemStatus
from signer import sm2
from signer.keys import SigningKey
from tests.conftest import UNIT_KINDS
from tests.contracts.helpers import assert_reverts
from tests.sharing_desk import APPROVE_REVIEW, SharingDesk, doc, refused

# Units whose officers hold SM2 keys only.
SM2_UNITS = (("PT-WJW", "ordinary", "普陀区卫生健康委员会"), ("PT-DSJZX-SM2", "data_center", "大数据中心（国密）"))


@pytest.fixture
def desk(any_system):
    return SharingDesk(any_system)


def sm2_unit(desk: SharingDesk, code: str, kind: str, name: str):
    unit_id = unit_id_for(code)
    desk.system.office.send(desk.registry.functions.registerUnit(code, UNIT_KINDS[kind], name))
    return desk.officer(unit_id, sm2_only=True)


def test_an_sm2_only_officer_is_registered_with_its_z_a(desk):
    officer = sm2_unit(desk, *SM2_UNITS[0])
    record = desk.registry.functions.keyRecord(officer.address).call()
    assert record[1] == 2  # KeyScheme.Sm2: the only key of this officer
    x, y, z_a = desk.registry.functions.sm2Key(officer.address).call()
    public = officer.sm2.public_key
    assert (x, y) == (int.from_bytes(public[1:33], "big"), int.from_bytes(public[33:], "big"))
    assert z_a == sm2.z_a(public, user_id=sm2.DEFAULT_USER_ID)
    assert_reverts(
        desk.system.office,
        desk.registry.functions.registerOfficer(officer.unit_id, "0x" + "00" * 20, b""),
        "RegistryZeroKey",
    )


def test_sm2_only_units_catalogue_review_apply_and_decide(desk):
    owner = sm2_unit(desk, *SM2_UNITS[0])
    reviewer = sm2_unit(desk, *SM2_UNITS[1])
    entry_id = entry_id_for(owner.unit_id, "WJW-0001")
    receipt = desk.catalog_action(
        owner, ActionKind.SUBMIT, entry_id, doc("putuo.catalog/1", code="WJW-0001", name="疫苗")
    )
    [submitted] = [e for e in desk.events(receipt) if e.name == "CatalogVersionSubmitted"]
    assert submitted.args["signer"] == owner.address
    desk.catalog_action(reviewer, ActionKind.REVIEW, entry_id, APPROVE_REVIEW, version=1)
    desk.catalog_action(
        reviewer, ActionKind.RECORD_COLLECTION, entry_id, doc("putuo.catalog-collection/1", description="已归集")
    )
    assert desk.entry(entry_id)[2] == 1  # approved version

    applicant = desk.officer(desk.street.unit_id, sm2_only=True)  # the street's SM2-only officer
    demand_id, receipt = desk.apply(applicant, [desk.resource(owner, (entry_id, 1))], commitment_scheme="sm2")
    [step] = [e for e in desk.events(receipt) if e.name == "SharingStep"]
    assert step.args["actor"] == applicant.address
    receipt = desk.decide(owner, demand_id, 0)
    assert desk.record("item", demand_id, 0).status == ItemStatus.APPROVED
    assert [e.args["actor"] for e in desk.events(receipt) if e.name == "SharingStep"] == [owner.address]


def test_a_forged_or_malformed_sm2_action_is_refused(desk):
    owner = sm2_unit(desk, *SM2_UNITS[0])
    entry_id = entry_id_for(owner.unit_id, "WJW-0002")
    document = doc("putuo.catalog/1", code="WJW-0002", name="疫苗")
    call = desk.catalog_call(owner, ActionKind.SUBMIT, entry_id, document)
    action = list(call.args[0])
    signature = action[-1]
    key_id, der = signature[:20], signature[20:]

    other = desk.catalog_call(owner, ActionKind.SUBMIT, entry_id, doc("putuo.catalog/1", code="WJW-0002", name="别的"))
    forged = action[:-1] + [other.args[0][-1]]  # a valid signature of another action
    refused(desk, desk.catalog.functions.execute(tuple(forged)), "SignedActionSignatureMismatch", keyId=owner.address)
    someone = SigningKey.generate("sm2")  # signed by another key, naming this officer's key id
    wrong_key = key_id + sm2.sign(someone.private_key, someone.public_key, b"\0" * 32, user_id=sm2.DEFAULT_USER_ID)
    refused(
        desk,
        desk.catalog.functions.execute(tuple(action[:-1] + [wrong_key])),
        "SignedActionSignatureMismatch",
        keyId=owner.address,
    )
    for bad in (key_id + der[:-1], key_id + der + b"\0", key_id + bytes.fromhex("3006020100020101")):
        refused(
            desk,
            desk.catalog.functions.execute(tuple(action[:-1] + [bad])),
            "SignedActionInvalidSignature",
            signature="0x" + bad.hex(),
        )
    desk.system.relayer.send(call)  # the genuine one still goes through


def test_a_revoked_sm2_key_cannot_act(desk):
    owner = sm2_unit(desk, *SM2_UNITS[0])
    desk.revoke(owner.address)
    entry_id = entry_id_for(owner.unit_id, "WJW-0003")
    call = desk.catalog_call(owner, ActionKind.SUBMIT, entry_id, doc("putuo.catalog/1", code="WJW-0003", name="疫苗"))
    refused(desk, call, "SignedActionSignerNotActive", signer=owner.address)


def test_gas_of_an_sm2_signed_action_against_an_ecdsa_one(desk, record_property):
    """Reported (bench/ reads the same figures): the gas of one submission signed each way."""
    owner = sm2_unit(desk, *SM2_UNITS[0])
    gas = {}
    for name, officer in (("ecdsa", desk.civil), ("sm2", owner)):
        entry_id = entry_id_for(officer.unit_id, "GAS-0001")
        document = doc("putuo.catalog/1", code="GAS-0001", name="燃气")
        gas[name] = desk.catalog_call(officer, ActionKind.SUBMIT, entry_id, document).estimate_gas(
            {"from": desk.system.relayer.account.address}
        )
    record_property("gas", gas)
    print(f"\ngas of one submission: ECDSA {gas['ecdsa']}, SM2 {gas['sm2']} (+{gas['sm2'] - gas['ecdsa']})")
    assert gas["sm2"] - gas["ecdsa"] < 400_000  # the bar for one on-chain SM2 verification
