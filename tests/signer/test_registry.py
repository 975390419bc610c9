"""signer.registry against a real node: records, events, wasActiveAt, on-chain verification."""

from __future__ import annotations

import dataclasses

import pytest
import requests

from chain.client import connect
from chain.errors import ActionRevertedError, ChainError
from signer.commitment import sign_commitment
from signer.detached import sign_detached
from signer.errors import (
    DocumentHashMismatch,
    InvalidKeyId,
    KeyIdMismatch,
    PublicKeyMismatch,
    UserIdMismatch,
)
from signer.keyid import key_id as derive_key_id
from signer.keys import SigningKey
from signer.registry import (
    KeyNotActiveAtSigning,
    KeyNotRegistered,
    RegisteredKey,
    RegisteredUnit,
    SigningUnitMismatch,
    local_time,
    registered_key,
    registered_unit,
    verify_commitment_on_chain,
    verify_on_chain,
    was_active_at,
)
from tests.signer.registry_helpers import District, commitment_for


@pytest.fixture
def district(system) -> District:
    return District(system)


@pytest.fixture
def civil(district):
    return district.officer(district.unit("PT-MZJ", "ordinary", "普陀区民政局"))


def test_registered_key_reads_the_record_and_the_event(system, district, civil):
    registry = system.deployment.registry
    block = system.w3.eth.block_number
    assert registered_key(system.w3, registry, civil.sm2.key_id) == RegisteredKey(
        key_id=civil.sm2.key_id,
        unit_id=civil.unit_id,
        scheme="sm2",
        public_key=civil.sm2.public_key,
        registered_block=block,
        registered_at=civil.registered_at,
        revoked_block=None,
        revoked_at=None,
    )
    # ECDSA: the registry knows the address only; either spelling of the id finds it.
    assert registered_key(system.w3, registry, civil.ecdsa.key_id.lower()) == RegisteredKey(
        key_id=civil.ecdsa.key_id,
        unit_id=civil.unit_id,
        scheme="ecdsa",
        public_key=None,
        registered_block=block,
        registered_at=civil.registered_at,
        revoked_block=None,
        revoked_at=None,
    )
    assert registered_unit(system.w3, registry, civil.unit_id) == RegisteredUnit(
        civil.unit_id, "ordinary", "普陀区民政局", "PT-MZJ"
    )
    assert registered_unit(system.w3, registry, b"\x01" * 32) is None


def test_revocation_is_seen_from_its_block_on(system, district, civil):
    registry = system.deployment.registry
    before = system.w3.eth.block_number
    district.increase_time(600)
    revoked_at = district.revoke(civil.sm2.key_id)
    record = registered_key(system.w3, registry, civil.sm2.key_id)
    assert (record.revoked_block, record.revoked_at) == (before + 1, revoked_at)
    assert registered_key(system.w3, registry, civil.sm2.key_id, block=before).revoked_at is None
    assert was_active_at(system.w3, registry, civil.sm2.key_id, revoked_at - 1) is True
    assert was_active_at(system.w3, registry, civil.sm2.key_id, revoked_at) is False
    assert was_active_at(system.w3, registry, civil.sm2.key_id, civil.registered_at - 1) is False


def test_unknown_and_malformed_key_ids(system):
    with pytest.raises(KeyNotRegistered) as info:
        registered_key(system.w3, system.deployment.registry, "0x" + "11" * 20)
    assert info.value.message == (
        f"key 0x{'11' * 20} is not registered in the UnitRegistry at {system.deployment.registry}"
    )
    with pytest.raises(InvalidKeyId):
        registered_key(system.w3, system.deployment.registry, "0x1234")


def test_an_address_that_is_not_the_registry_is_a_chain_error(system, civil):
    # The Catalog answers no keyRecord: a wrong address must fail loudly, never verify.
    with pytest.raises(ChainError, match=f"^{system.deployment.catalog} does not answer UnitRegistry.keyRecord"):
        registered_key(system.w3, system.deployment.catalog, civil.sm2.key_id)


@pytest.mark.parametrize("scheme", ["sm2", "ecdsa"])
def test_commitment_verifies_against_the_registered_key(system, civil, scheme):
    commitment = commitment_for(civil, scheme=scheme, at=civil.registered_at + 5)
    key = civil.sm2 if scheme == "sm2" else civil.ecdsa
    checked = verify_commitment_on_chain(
        system.w3, system.deployment.registry, commitment.to_document(), sign_commitment(commitment, key)
    )
    assert checked.ok and checked.error is None, checked.error
    assert checked.result.key_source == "supplied"
    assert (checked.key.key_id, checked.unit.name) == (key.key_id, "普陀区民政局")
    assert (checked.signed_at, checked.active_at_signing) == (civil.registered_at + 5, True)


def test_sm2_is_checked_with_the_registered_public_key_not_the_embedded_one(system, civil):
    """A file naming the registered key id but carrying (and signed by) another key is refused."""
    commitment = commitment_for(civil, at=civil.registered_at + 5)
    impostor = SigningKey.generate("sm2")
    forged = dataclasses.replace(sign_detached(commitment.canonical_bytes(), impostor), key_id=civil.sm2.key_id)
    checked = verify_commitment_on_chain(system.w3, system.deployment.registry, commitment.to_document(), forged)
    assert not checked.ok and isinstance(checked.error, PublicKeyMismatch)
    assert checked.error.expected == "0x" + civil.sm2.public_key.hex()


def test_ecdsa_file_key_must_hash_to_the_registered_address(system, civil):
    commitment = commitment_for(civil, scheme="ecdsa", at=civil.registered_at + 5)
    impostor = SigningKey.generate("ecdsa")
    forged = dataclasses.replace(sign_detached(commitment.canonical_bytes(), impostor), key_id=civil.ecdsa.key_id)
    checked = verify_commitment_on_chain(system.w3, system.deployment.registry, commitment.to_document(), forged)
    assert not checked.ok and isinstance(checked.error, KeyIdMismatch)


def test_non_default_sm2_user_id_is_refused(system, district):
    officer = district.officer(district.unit("PT-X"), user_id=b"alice@putuo")
    commitment = commitment_for(officer, at=officer.registered_at + 5)
    checked = verify_commitment_on_chain(
        system.w3, system.deployment.registry, commitment.to_document(), sign_commitment(commitment, officer.sm2)
    )
    assert not checked.ok and isinstance(checked.error, UserIdMismatch)


def test_refusals_in_order(system, district, civil):
    registry = system.deployment.registry
    market = district.officer(district.unit("PT-SCJGJ"))
    # Signed with the market's key for the civil affairs bureau: the unit does not match.
    commitment = commitment_for(market, at=market.registered_at + 5, unit_id=civil.unit_hex)
    checked = verify_commitment_on_chain(
        system.w3, registry, commitment.to_document(), sign_commitment(commitment, market.sm2)
    )
    assert isinstance(checked.error, SigningUnitMismatch)
    assert checked.error.message == (
        f"signing_unit_id {civil.unit_hex} is not the key's unit {market.unit_hex} (PT-SCJGJ)"
    )
    # Changed after signing.
    good = commitment_for(civil, at=civil.registered_at + 5)
    signature = sign_commitment(good, civil.sm2)
    changed = {**good.to_document(), "scenario": "另一个场景"}
    checked = verify_commitment_on_chain(system.w3, registry, changed, signature)
    assert isinstance(checked.error, DocumentHashMismatch) and checked.key is not None
    # The commitment names another officer key than the one that signed.
    other = dataclasses.replace(good, officer_key_id=market.sm2.key_id)
    checked = verify_commitment_on_chain(
        system.w3, registry, other.to_document(), sign_detached(other.canonical_bytes(), civil.sm2)
    )
    assert isinstance(checked.error, KeyIdMismatch)
    # Not registered at all.
    stranger = SigningKey.generate("sm2")
    loose = dataclasses.replace(good, officer_key_id=stranger.key_id)
    checked = verify_commitment_on_chain(system.w3, registry, loose.to_document(), sign_commitment(loose, stranger))
    assert isinstance(checked.error, KeyNotRegistered) and checked.key is None


def test_revoked_after_signing_counts_revoked_before_does_not(system, district, civil):
    registry = system.deployment.registry
    district.increase_time(1000)
    revoked_at = district.revoke(civil.sm2.key_id)
    document = b"a plain document"
    signature = sign_detached(document, civil.sm2)
    before = verify_on_chain(system.w3, registry, document, signature, signed_at=revoked_at - 500)
    assert before.ok and before.active_at_signing is True
    after = verify_on_chain(system.w3, registry, document, signature, signed_at=revoked_at + 1)
    assert isinstance(after.error, KeyNotActiveAtSigning) and after.active_at_signing is False
    assert after.error.message == (
        f"key {civil.sm2.key_id} of 普陀区民政局 was revoked at {local_time(revoked_at)}, "
        f"before the signing time {local_time(revoked_at + 1)}"
    )
    early = verify_on_chain(system.w3, registry, document, signature, signed_at=civil.registered_at - 1)
    assert early.error.message == (
        f"key {civil.sm2.key_id} of 普陀区民政局 was registered at "
        f"{local_time(civil.registered_at)}, after the signing time "
        f"{local_time(civil.registered_at - 1)}"
    )
    unknown = verify_on_chain(system.w3, registry, document, signature)
    assert isinstance(unknown.error, KeyNotActiveAtSigning) and unknown.active_at_signing is None


def test_node_down_is_raised_not_returned(system, civil):
    w3 = connect(system.node.url)
    w3.provider.endpoint_uri = "http://127.0.0.1:9"  # nothing listens on the discard port
    with pytest.raises(requests.ConnectionError):
        verify_on_chain(w3, system.deployment.registry, b"x", sign_detached(b"x", civil.sm2), signed_at=0)


def test_the_registry_refuses_an_off_curve_sm2_key(system, district):
    """The contract checks the point is on the curve (it computes Z_A at registration), so no bad
    key can reach the registry; before, only length and the 0x04 prefix were checked."""
    unit_id = district.unit("PT-BAD")
    bad_key = b"\x04" + b"\x01" * 64
    with pytest.raises(ActionRevertedError) as caught:
        system.office.send(
            district.registry.functions.registerOfficer(unit_id, SigningKey.generate("ecdsa").key_id, bad_key)
        )
    coordinate = int.from_bytes(b"\x01" * 32, "big")
    assert (caught.value.error, caught.value.error_args) == ("SM2InvalidPublicKey", {"x": coordinate, "y": coordinate})
    honest = sign_detached(b"x", SigningKey.generate("sm2"))
    claimed = dataclasses.replace(honest, key_id=derive_key_id("sm2", bad_key))
    checked = verify_on_chain(system.w3, system.deployment.registry, b"x", claimed, signed_at=0)
    assert checked.error is not None and checked.key is None  # an unknown key, not a bad one


def test_a_key_record_survives_a_node_restart(tmp_path):
    """The record is rebuilt from events: anvil restarted from its state dump keeps every log
    but answers no view call at a past block (the auditor's case: `ledger sharing verify`)."""
    from web3.exceptions import Web3Exception

    from chain.actions import unit_id_for
    from chain.client import Sender
    from chain.deploy import deploy_all
    from chain.devkeys import OFFICE_DEV_KEY
    from chain.node import LocalNode, free_port
    from signer.registry import registered_key, was_active_at

    node = LocalNode("anvil", tmp_path / "anvil", free_port()).start()
    try:
        w3 = connect(node.url)
        office = Sender.from_key(w3, OFFICE_DEV_KEY)
        record = deploy_all(office)
        registry = contract_at_registry(w3, record.registry)
        unit_id = unit_id_for("PT-TEST")
        office.send(registry.functions.registerUnit("PT-TEST", 3, "测试单位"))
        key = SigningKey.generate("sm2")
        office.send(registry.functions.registerOfficer(unit_id, "0x" + "00" * 20, key.public_key))
        before = registered_key(w3, record.registry, key.key_id)
        registered_block = before.registered_block
        for _ in range(3):
            w3.provider.make_request("evm_mine", [])
        node.stop()
        node.start()
        w3 = connect(node.url)
        with pytest.raises(Web3Exception):  # the historical state is gone after the restart
            contract_at_registry(w3, record.registry).functions.keyRecord(w3.to_checksum_address(key.key_id)).call(
                block_identifier=registered_block
            )
        after = registered_key(w3, record.registry, key.key_id, block=registered_block)
        assert after == before and after.scheme == "sm2" and after.public_key == key.public_key
        assert was_active_at(w3, record.registry, key.key_id, before.registered_at)
        assert not was_active_at(w3, record.registry, key.key_id, before.registered_at - 1)
    finally:
        node.stop()


def contract_at_registry(w3, address):
    from chain.client import contract_at

    return contract_at(w3, "UnitRegistry", address)
