"""ValidatorGovernance on anvil: only the Office's signed decision changes the validators, with
the exact error otherwise, and the digest the officer signs is the contract's."""

from __future__ import annotations

import pytest
from eth_account import Account

from chain.client import contract_at, deploy_contract
from network.governance import DecisionKind, ValidatorDecision, decided_validators, decision_of, record_decision
from signer.canonical import canonical_bytes
from tests.contracts.helpers import assert_reverts

GENESIS_SIGNER = Account.create().address
NEW_SIGNER = Account.create().address


@pytest.fixture
def gov(system, units):
    contract, _ = deploy_contract(system.office, "ValidatorGovernance", system.deployment.registry)
    office = units.register("PT-QFB", "office", "普陀区人民政府办公室")
    return contract, office


def _decision(kind, validator, unit_id, number=1) -> ValidatorDecision:
    document = canonical_bytes({"decision": f"区府办〔2026〕{number}号", "validator": validator})
    return ValidatorDecision(kind, validator, unit_id, document, nonce=number)


def _signed(system, contract, officer, decision) -> ValidatorDecision:
    return decision.signed(officer.account.key, chain_id=system.w3.eth.chain_id, governance=contract.address)


def test_the_digest_signed_is_the_contracts(system, gov, units):
    contract, office = gov
    decision = _decision(DecisionKind.ADD, NEW_SIGNER, units.data_center.unit_id)
    expected = decision.digest(chain_id=system.w3.eth.chain_id, governance=contract.address)
    assert contract.functions.actionDigest(decision.as_tuple()).call() == expected


def test_the_office_adds_and_removes_a_validator(system, gov, units):
    contract, office = gov
    unit = units.data_center.unit_id
    for n, (kind, validator) in enumerate(
        [(DecisionKind.ADD, GENESIS_SIGNER), (DecisionKind.ADD, NEW_SIGNER), (DecisionKind.REMOVE, GENESIS_SIGNER)]
    ):
        receipt = record_decision(
            system.relayer, contract.address, _signed(system, contract, office, _decision(kind, validator, unit, n))
        )
    assert decided_validators(system.w3, contract.address) == {NEW_SIGNER}
    removed = decision_of(system.w3, contract.address, GENESIS_SIGNER)
    assert (removed.kind, removed.unit_id, removed.officer, removed.decided_block) == (
        DecisionKind.REMOVE,
        unit,
        office.address,
        receipt["blockNumber"],
    )
    [log] = contract.events.ValidatorRemovalDecided().process_receipt(receipt)
    assert (log.args.validator, log.args.unitId, log.args.officer) == (GENESIS_SIGNER, unit, office.address)


def test_only_the_office_decides(system, gov, units):
    contract, _ = gov
    decision = _signed(
        system, contract, units.data_center, _decision(DecisionKind.ADD, NEW_SIGNER, units.data_center.unit_id)
    )
    call = contract.functions.execute(decision.as_tuple())
    assert_reverts(system.relayer, call, "ValidatorGovernanceNotOffice", signer=units.data_center.address, unitKind=2)
    assert decided_validators(system.w3, contract.address) == set()


def test_refusals_name_the_failing_values(system, gov, units):
    contract, office = gov
    unit, other = units.data_center.unit_id, units.civil.unit_id
    h = "0x{}".format  # bytes32 arguments come back as 0x-hex
    record_decision(
        system.relayer,
        contract.address,
        _signed(system, contract, office, _decision(DecisionKind.ADD, NEW_SIGNER, unit, 1)),
    )
    cases = [
        (
            _decision(DecisionKind.ADD, NEW_SIGNER, other, 2),
            "ValidatorGovernanceAlreadyValidator",
            {"validator": NEW_SIGNER, "unitId": h(unit.hex())},
        ),
        (
            _decision(DecisionKind.REMOVE, NEW_SIGNER, other, 3),
            "ValidatorGovernanceNotValidator",
            {"validator": NEW_SIGNER, "unitId": h(other.hex())},
        ),
        (
            _decision(DecisionKind.REMOVE, NEW_SIGNER, unit, 4),
            "ValidatorGovernanceLastValidator",
            {"validator": NEW_SIGNER},
        ),
        (_decision(DecisionKind.ADD, "0x" + "00" * 20, unit, 5), "ValidatorGovernanceZeroValidator", {}),
        (
            _decision(DecisionKind.ADD, GENESIS_SIGNER, b"\x01" * 32, 6),
            "ValidatorGovernanceUnknownUnit",
            {"unitId": "0x" + "01" * 32},
        ),
        (_decision(DecisionKind.NONE, GENESIS_SIGNER, unit, 7), "ValidatorGovernanceInvalidKind", {"kind": 0}),
    ]
    for decision, error, args in cases:
        call = contract.functions.execute(_signed(system, contract, office, decision).as_tuple())
        assert_reverts(system.relayer, call, error, **args)
    assert decided_validators(system.w3, contract.address) == {NEW_SIGNER}


def test_a_relayer_cannot_change_a_signed_decision(system, gov, units):
    contract, office = gov
    signed = _signed(system, contract, office, _decision(DecisionKind.ADD, NEW_SIGNER, units.data_center.unit_id))
    forged = ValidatorDecision(**{**signed.__dict__, "validator": GENESIS_SIGNER})
    call = contract.functions.execute(forged.as_tuple())
    error = assert_reverts(system.relayer, call, "SignedActionSignerNotActive")
    assert error.error_args["signer"] != office.address
    assert contract_at(system.w3, "ValidatorGovernance", contract.address).functions.validators().call() == []


def test_deployed_code_fits_with_room(system, gov):
    contract, _ = gov
    assert 0 < len(system.w3.eth.get_code(contract.address)) <= 22_000


def test_protocol_md_states_the_signed_type():
    from network.governance import ACTION_TYPEHASH, TYPE_STRING
    from protocol.schemas import ROOT

    page = (ROOT / "docs" / "PROTOCOL.md").read_text(encoding="utf-8")
    assert f"    {TYPE_STRING}\n" in page and f"typehash `0x{ACTION_TYPEHASH.hex()}`" in page
