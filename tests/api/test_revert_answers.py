"""Every custom error a signed action can meet in a deployed contract has its HTTP answer (status,
stable code, message, field): a contract and api/errors.py cannot drift apart unnoticed."""

from __future__ import annotations

from api.errors import NOT_FROM_ACTIONS, REVERT_ANSWERS, from_revert
from chain.client import load_artifact
from chain.deploy import DEPLOYED_CONTRACTS
from chain.errors import ActionRevertedError


def _custom_errors() -> set[str]:
    return {item["name"] for name in DEPLOYED_CONTRACTS for item in load_artifact(name).abi if item["type"] == "error"}


def test_every_custom_error_is_answered_or_named_as_out_of_reach():
    errors = _custom_errors()
    assert errors - set(REVERT_ANSWERS) - NOT_FROM_ACTIONS == set()
    # Neither list names an error no contract has any longer, nor both the same.
    assert set(REVERT_ANSWERS) - errors == set()
    assert NOT_FROM_ACTIONS - errors == set()
    assert NOT_FROM_ACTIONS & set(REVERT_ANSWERS) == set()


def test_each_answer_is_a_client_error_that_names_a_field():
    for name, (status, code, message, field) in REVERT_ANSWERS.items():
        assert 400 <= status < 500, name
        assert code and code == code.lower() and " " not in code, name
        assert message and field, name


def test_an_answer_carries_the_contract_error_and_its_values():
    answer = from_revert(ActionRevertedError("SharingInvalidSecurityLevel", {"level": 7}))
    assert (answer.status, answer.code, answer.field) == (422, "invalid_security_level", "document.security_level")
    assert answer.details["contract_error"] == "SharingInvalidSecurityLevel"
    assert "7" in answer.message
