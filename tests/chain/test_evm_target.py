"""The EVM target is `paris`, in the compiler and on every node (docs/ARCHITECTURE.md says why).

geth 1.13 with Clique, the multi-validator engine planned, refuses Shanghai and Cancun headers:
code with PUSH0 (Shanghai), MCOPY, TLOAD or TSTORE (Cancun) would not run there. So every
contract is compiled for paris (solc then emits none of them, and refuses assembly that uses
them: OpenZeppelin is pinned to 5.4.0, whose Strings does not pull in the mcopy of Bytes), and
the test nodes run paris, so a contract that needed a later opcode would fail every test.
"""

from __future__ import annotations

import json

import pytest

from chain.artifacts import ARTIFACTS_DIR, load_artifact


def test_the_compiler_targets_paris():
    load_artifact("Catalog")
    build_info = next((ARTIFACTS_DIR.parent / "build-info").glob("*.json"))
    settings = json.loads(build_info.read_text())["input"]["settings"]
    assert settings["evmVersion"] == "paris"


def test_the_node_refuses_push0_as_a_paris_chain_does(any_system):
    """Creation code PUSH0 PUSH0 RETURN: valid from Shanghai on, an invalid opcode on paris."""
    w3, sender = any_system.w3, any_system.office
    tx = {"from": sender.account.address, "data": "0x5f5ff3", "gas": 100_000}
    with pytest.raises(Exception) as caught:
        w3.eth.call(tx)
    message = str(caught.value).lower()  # anvil: "EVM error NotActivated"; Hardhat: "invalid opcode"
    assert "notactivated" in message or "invalid opcode" in message, caught.value
    assert w3.eth.call({**tx, "data": "0x60006000f3"}) == b""  # PUSH1 0 PUSH1 0 RETURN runs
