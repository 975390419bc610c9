"""The table of signed contracts reads the compiled ABI: its tuple, fields and selectors are the
contracts', and agree with the EIP-712 types the officers sign."""

from __future__ import annotations

import pytest
from eth_utils import keccak
from eth_utils.abi import function_abi_to_4byte_selector

from chain import actions, quality, responsibilities, sharing, supervision
from chain.artifacts import load_artifact
from chain.signed_contracts import SIGNED_CONTRACTS, abi_type

TYPED = {
    "catalog": actions.ACTION_TYPES["CatalogAction"],
    "sharing": sharing.ACTION_FIELDS,
    "responsibilities": responsibilities.ACTION_TYPES["ResponsibilityAction"],
    "data_quality": quality.ACTION_TYPES["QualityAction"],
    "supervision": supervision.ACTION_TYPES["SupervisionAction"],
}


@pytest.mark.parametrize("name", sorted(SIGNED_CONTRACTS))
def test_the_table_is_the_compiled_abi(name):
    contract = SIGNED_CONTRACTS[name]
    # Every signed field is in the action (in any order); the action adds only the signature.
    assert set(contract.action_fields) == {f["name"] for f in TYPED[name]} | {"signature"}
    functions = {f["name"]: f for f in load_artifact(contract.artifact).abi if f.get("type") == "function"}
    for function, selector in (
        ("execute", contract.execute_selector),
        ("executeBatch", contract.execute_batch_selector),
        ("simulateBatch", contract.simulate_selector),
    ):
        assert function_abi_to_4byte_selector(functions[function]) == selector, function
    assert any(
        e.get("type") == "error"
        and e["name"] == "BatchSimulated"
        and keccak(text=f"BatchSimulated({abi_type(e['inputs'][0])})")[:4] == contract.simulated_selector
        for e in load_artifact(contract.artifact).abi
    )


def test_an_action_round_trips_through_the_table():
    action = actions.CatalogAction(actions.ActionKind.SUBMIT, b"\x01" * 32, 0, 0, b"{}", 7, b"\x02" * 65, 5)
    catalog = SIGNED_CONTRACTS["catalog"]
    assert catalog.decode(catalog.encode(action.as_tuple())) == action.as_tuple()
    assert actions.encode_execute(action) == catalog.execute_calldata(action.as_tuple())
