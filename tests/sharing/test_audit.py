"""An auditor re-verifies a demand's commitment from the chain alone (Art. 18), SM2 included:
the contract cannot verify SM2, so a platform that relayed a bad one is caught here."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chain.sharing import ApplyTerms
from sharing.audit import UnknownDemand, audit_commitment
from tests.sharing_desk import SharingDesk, refused


@pytest.fixture
def desk(system) -> SharingDesk:
    return SharingDesk(system)


def _audit(desk: SharingDesk, demand_id: bytes):
    d = desk.system.deployment
    return audit_commitment(desk.w3, d.registry, d.sharing, demand_id)


@pytest.mark.parametrize("scheme", ["sm2", "ecdsa"])
def test_a_recorded_commitment_verifies_from_the_chain(desk, scheme):
    entry = desk.approved_entry(desk.civil, "MZJ-0001")
    demand_id, _ = desk.apply(desk.street, [desk.resource(desk.civil, entry)], commitment_scheme=scheme)
    audit = _audit(desk, demand_id)
    assert audit.valid and audit.scheme == scheme and audit.problem is None
    assert audit.demand_unit_id == desk.street.unit_hex
    assert audit.verification.active_at_signing is True


def test_a_key_revoked_after_signing_still_verifies(desk):
    entry = desk.approved_entry(desk.civil, "MZJ-0001")
    demand_id, _ = desk.apply(desk.street, [desk.resource(desk.civil, entry)], commitment_scheme="sm2")
    desk.w3.provider.make_request("evm_increaseTime", [60])
    desk.revoke(desk.street.sm2.key_id)
    assert _audit(desk, demand_id).valid  # judged at its signing time, as the registry recorded it


def test_a_forged_sm2_commitment_never_reaches_the_chain(desk):
    """The contract verifies SM2 commitments itself: a relayer that skips the API's check cannot
    put a forged one on-chain (before, the contract only recorded it and this audit caught it)."""
    entry = desk.approved_entry(desk.civil, "MZJ-0001")
    demand_id, action = desk.application(desk.street, [desk.resource(desk.civil, entry)], commitment_scheme="sm2")
    terms = ApplyTerms.decode(action.terms)
    forged = replace(terms, commitment=replace(terms.commitment, signature=b"\x30\x06\x02\x01\x01\x02\x01\x01"))
    forged_action = desk.action(desk.street, action.kind, action.subject, action.document, terms=forged.encode())
    refused(
        desk,
        desk.execute_call(forged_action),
        "SharingCommitmentInvalidSignature",
        keyId=desk.w3.to_checksum_address(desk.street.sm2.key_id),
    )
    with pytest.raises(UnknownDemand):
        _audit(desk, demand_id)


def test_an_unknown_demand_is_an_error(desk):
    with pytest.raises(UnknownDemand):
        _audit(desk, b"\xab" * 32)
