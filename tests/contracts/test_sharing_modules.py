"""Sharing as an entry point over logic libraries: one rules table, one event order, and modules
nobody can call around the entry point."""

from __future__ import annotations

import json

import pytest
from eth_abi import encode as abi_encode

from chain.artifacts import ARTIFACTS_DIR
from chain.deploy import SHARING_LIBRARIES
from chain.errors import ChainError
from chain.sharing import STEP_RULES, CodeRule, StepKind, StepModule, UnitKind
from chain.signed_contracts import SIGNED_CONTRACTS
from tests.sharing_desk import SharingDesk


@pytest.fixture
def desk(system) -> SharingDesk:
    return SharingDesk(system)


def test_the_rules_table_is_the_contracts(desk):
    """chain.sharing.STEP_RULES (which the step derivation checks itself against) is, row by row,
    the contract's table (SharingRules, published by Sharing.stepRule)."""
    for kind in StepKind:
        signed, signer, dc_too, uses_item, uses_at, uses_terms, code, module = desk.sharing.functions.stepRule(
            kind
        ).call()
        rule = STEP_RULES[kind]
        assert signed == (rule.signer != UnitKind.NONE), kind
        assert (UnitKind(signer), dc_too, uses_item, uses_at, uses_terms) == (
            rule.signer,
            rule.data_center_too,
            rule.uses_item,
            rule.uses_at,
            rule.uses_terms,
        ), kind
        assert (CodeRule(code), StepModule(module)) == (rule.code, rule.module), kind


def test_every_step_is_recorded_before_its_effects(desk):
    """One order for every step (signed or permissionless): SharingStep, then what it caused."""
    entry = desk.approved_entry(desk.civil, "MZJ-ORDER")
    # Scenario route: the Apply opens the item and the confirmation's due; the confirmation issues the grant.
    scenario_demand, receipt = desk.apply(
        desk.street, [desk.resource(desk.civil, entry)], scenario_class=1, confirm=False
    )
    names = [e.name for e in desk.events(receipt)]
    assert names == ["SharingStep", "DemandItemOpened", "DemandConformityOpened"]
    names = [e.name for e in desk.events(desk.confirm(scenario_demand))]
    assert names == ["SharingStep", "DemandConformityReviewed", "DemandClosed", "GrantIssued", "GrantStatusChanged"]

    # Owner review: the decision closes the item and issues the grant, after the step.
    demand_id, _ = desk.apply(desk.market, [desk.resource(desk.civil, entry)], application_no="CF-2026-002")
    names = [e.name for e in desk.events(desk.decide(desk.civil, demand_id, 0))]
    assert names == ["SharingStep", "DemandItemClosed", "DemandClosed", "GrantIssued", "GrantStatusChanged"]

    # A suspension by the Data Center, then the step that lifts it.
    names = [e.name for e in desk.events(desk.act(desk.data_center, StepKind.SECURITY_SUSPEND, demand_id))]
    assert names == ["SharingStep", "GrantStatusChanged"]


def _library_functions(library: str) -> dict[str, str]:
    """signature → selector of every external function of `library`, from the compiler's output
    (a library's ABI lists none; its selectors name structs by their qualified name)."""
    for info in (ARTIFACTS_DIR.parent / "build-info").glob("*.json"):
        for contracts in json.loads(info.read_text())["output"]["contracts"].values():
            if library in contracts:
                return contracts[library]["evm"]["methodIdentifiers"]
    raise AssertionError(f"no compiler output for {library}")


@pytest.mark.parametrize("library", sorted(SHARING_LIBRARIES.values()))
def test_the_modules_refuse_a_direct_call(desk, library):
    """A logic library changes state only inside Sharing (DELEGATECALL): called directly, around
    the entry point's signature and rules checks, every function reverts (solc's call
    protection), and the library holds no state to change."""
    address = getattr(desk.system.deployment, {v: k for k, v in SHARING_LIBRARIES.items()}[library])
    functions = _library_functions(library)
    assert functions, library
    action_abi = SIGNED_CONTRACTS["sharing"].action_abi
    sender = desk.funded_sender()
    for signature, selector in functions.items():
        types = [action_abi if t == "ISharing.SignedAction" else t for t in signature[:-1].split("(", 1)[1].split(",")]
        calldata = bytes.fromhex(selector) + abi_encode(types, [_zero(t) for t in types])
        # Refused before any rule runs: call protection reverts with no data, not a custom error.
        answer = desk.w3.provider.make_request("eth_call", [{"to": address, "data": "0x" + calldata.hex()}, "latest"])
        assert answer["error"].get("data") in (None, "0x"), (signature, answer)
        # Mined, not only simulated: the transaction itself fails and nothing changes.
        with pytest.raises(ChainError, match="reverted on-chain"):
            sender.send_data(address, calldata, gas=2_000_000)


def _zero(abi_type: str):
    if abi_type.startswith("("):
        inner = abi_type[1:-1]
        parts, depth, start = [], 0, 0
        for i, ch in enumerate(inner):
            depth += ch == "("
            depth -= ch == ")"
            if ch == "," and depth == 0:
                parts.append(inner[start:i])
                start = i + 1
        parts.append(inner[start:])
        return tuple(_zero(p) for p in parts)
    if abi_type in ("bytes", "string"):
        return b"" if abi_type == "bytes" else ""
    if abi_type.startswith("bytes"):
        return b"\x00" * int(abi_type[5:])
    if abi_type == "bool":
        return False
    if abi_type == "address":
        return "0x" + "00" * 20
    return 0
