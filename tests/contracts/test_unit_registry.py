"""UnitRegistry: only the Office governs units and keys; revocation is immediate and keeps history."""

from __future__ import annotations

from eth_account import Account
from eth_utils import keccak

from chain.actions import unit_id_for
from chain.events import receipt_events
from tests.contracts.helpers import assert_reverts

OFFICE_ROLE = keccak(text="OFFICE_ROLE")
SM2_PUB = bytes.fromhex(
    "04"
    "09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020"
    "ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13"
)


def test_office_registers_unit_and_officer_with_sm2_key(system, units):
    unit_id = unit_id_for("PT-TJJ")
    system.office.send(units.registry.functions.registerUnit("PT-TJJ", 3, "普陀区统计局"))
    officer = Account.create()
    system.office.send(units.registry.functions.registerOfficer(unit_id, officer.address, SM2_PUB))
    assert units.registry.functions.unitKind(unit_id).call() == 3
    assert list(units.registry.functions.activeKey(officer.address).call()) == [True, unit_id, 3]
    sm2_id = units.registry.functions.sm2KeyId(SM2_PUB).call()
    assert sm2_id.lower() == "0x" + keccak(SM2_PUB)[:20].hex()
    record = units.registry.functions.keyRecord(sm2_id).call()
    assert record[0] == unit_id and record[1] == 2  # Sm2 scheme


def test_non_office_cannot_register_a_unit(system, units):
    intruder = system.relayer
    assert_reverts(
        intruder,
        units.registry.functions.registerUnit("PT-FAKE", 3, "冒名单位"),
        "AccessControlUnauthorizedAccount",
        account=intruder.account.address,
        neededRole="0x" + OFFICE_ROLE.hex(),
    )
    assert units.registry.functions.unitKind(unit_id_for("PT-FAKE")).call() == 0


def test_non_office_cannot_register_or_revoke_keys(system, units):
    attacker = Account.create()
    call = units.registry.functions.registerOfficer(units.civil.unit_id, attacker.address, b"")
    assert_reverts(system.relayer, call, "AccessControlUnauthorizedAccount")
    assert_reverts(
        system.relayer, units.registry.functions.revokeKey(units.civil.address), "AccessControlUnauthorizedAccount"
    )
    assert units.registry.functions.activeKey(units.civil.address).call()[0] is True


def test_refusals_carry_the_failing_values(system, units):
    reg = units.registry.functions
    assert_reverts(
        system.office, reg.registerUnit("PT-MZJ", 3, "x"), "RegistryUnitExists", unitId="0x" + units.civil.unit_id.hex()
    )
    assert_reverts(system.office, reg.registerUnit("PT-NEW", 0, "x"), "RegistryInvalidUnitKind", kind=0)
    ghost = unit_id_for("PT-GHOST")
    assert_reverts(
        system.office,
        reg.registerOfficer(ghost, Account.create().address, b""),
        "RegistryUnknownUnit",
        unitId="0x" + ghost.hex(),
    )
    assert_reverts(
        system.office,
        reg.registerOfficer(units.civil.unit_id, units.market.address, b""),
        "RegistryKeyExists",
        keyId=units.market.address,
    )
    assert_reverts(
        system.office,
        reg.registerOfficer(units.civil.unit_id, Account.create().address, b"\x04" * 64),
        "RegistryInvalidSm2PublicKey",
        length=64,
    )
    assert_reverts(system.office, reg.registerOfficer(units.civil.unit_id, "0x" + "00" * 20, b""), "RegistryZeroKey")
    stranger = Account.create().address
    assert_reverts(system.office, reg.revokeKey(stranger), "RegistryUnknownKey", keyId=stranger)


def test_revocation_is_immediate_and_history_stays(system, units):
    reg = units.registry.functions
    before = system.w3.eth.get_block("latest")["timestamp"]
    system.w3.provider.make_request("evm_increaseTime", [60])  # a signature a minute before revocation
    receipt = system.office.send(reg.revokeKey(units.civil.address))
    revoked_block = receipt["blockNumber"]
    revoked_at = system.w3.eth.get_block(revoked_block)["timestamp"]
    assert reg.activeKey(units.civil.address).call()[0] is False
    record = reg.keyRecord(units.civil.address).call()
    assert (record[4], record[5]) == (revoked_block, revoked_at)
    assert reg.wasActiveAt(units.civil.address, before).call() is True  # what it signed before stays valid
    assert reg.wasActiveAt(units.civil.address, revoked_at).call() is False
    assert_reverts(
        system.office,
        reg.revokeKey(units.civil.address),
        "RegistryKeyAlreadyRevoked",
        keyId=units.civil.address,
        revokedBlock=revoked_block,
    )


def test_rotation_revokes_old_and_registers_new_for_same_unit(system, units):
    fresh = Account.create()
    system.office.send(units.registry.functions.rotateKey(units.civil.address, fresh.address, b""))
    assert units.registry.functions.activeKey(units.civil.address).call()[0] is False
    assert list(units.registry.functions.activeKey(fresh.address).call()) == [True, units.civil.unit_id, 3]
    # A revoked key id is never reused, even by the Office.
    assert_reverts(
        system.office,
        units.registry.functions.registerOfficer(units.civil.unit_id, units.civil.address, b""),
        "RegistryKeyExists",
        keyId=units.civil.address,
    )


def test_a_units_id_is_derived_on_chain_from_its_code(system, units):
    """The Office registers a unit by its code; anyone re-derives the id (docs/PROTOCOL.md)."""
    reg = units.registry.functions
    assert reg.unitIdOf("PT-TJJ").call() == unit_id_for("PT-TJJ")
    receipt = system.office.send(reg.registerUnit("PT-TJJ", 3, "普陀区统计局"))
    [event] = [e for e in receipt_events(receipt) if e.name == "UnitRegistered"]
    assert event.args == {"unitId": unit_id_for("PT-TJJ"), "kind": 3, "name": "普陀区统计局", "code": "PT-TJJ"}
    assert_reverts(system.office, reg.registerUnit("", 3, "x"), "RegistryInvalidUnitCode", code="")
    assert_reverts(system.office, reg.registerUnit("X" * 65, 3, "x"), "RegistryInvalidUnitCode", code="X" * 65)
