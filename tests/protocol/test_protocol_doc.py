"""docs/PROTOCOL.md stays true: its events are the compiled ABI's, its types and enums the contracts'.

An auditor implements from that page, so what it states about the contracts is checked against
what they are: every event row against the ABI, the EIP-712 types against the typehashes the
contracts use, each enum line against the Solidity enum, and the verifier's constants against the
page it says it copies them from.
"""

from __future__ import annotations

import re

from eth_utils import keccak

from chain import actions as catalog_actions
from chain import sharing as sharing_actions
from chain.artifacts import CONTRACTS_DIR, load_artifact
from chain.events import EVENT_SOURCES
from chain.signed_contracts import SIGNED_CONTRACTS
from protocol.schemas import ROOT, json_schemas
from tests.protocol import verify_catalog_version as verifier

PROTOCOL = (ROOT / "docs" / "PROTOCOL.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `(\w+\([^`]*\))`<br>`(0x[0-9a-f]{64})` \| (.*) \| (.*) \|$")


def _section(title: str) -> str:
    start = PROTOCOL.index(f"\n{title}\n")
    end = PROTOCOL.find("\n#", start + 1)
    return PROTOCOL[start : end if end != -1 else None]


def _fields(cell: str) -> list[str]:
    return re.findall(r"`(\w+(?:\[\d*\])? \w+)`", cell)


def _abi_rows(contract: str) -> set[tuple]:
    rows = set()
    for item in load_artifact(contract).abi:
        if item["type"] == "event":
            signature = f"{item['name']}({','.join(p['type'] for p in item['inputs'])})"
            indexed = tuple(f"{p['type']} {p['name']}" for p in item["inputs"] if p["indexed"])
            data = tuple(f"{p['type']} {p['name']}" for p in item["inputs"] if not p["indexed"])
            rows.add((signature, "0x" + keccak(text=signature).hex(), indexed, data))
    return rows


def test_every_event_of_every_contract_is_listed_as_the_abi_has_it():
    for contract in EVENT_SOURCES:
        listed = {
            (m[1], m[2], tuple(_fields(m[3])), tuple(_fields(m[4])))
            for line in _section(f"### {contract}").splitlines()
            if (m := ROW.match(line))
        }
        assert listed == _abi_rows(contract), contract


def test_the_signed_types_are_the_contracts():
    for module, name in ((catalog_actions, "CatalogAction"), (sharing_actions, "SharingAction")):
        [type_string] = re.findall(rf"^    ({name}\([^)]*\))$", PROTOCOL, re.MULTILINE)
        assert keccak(text=type_string) == module.ACTION_TYPEHASH
        assert f"typehash `0x{module.ACTION_TYPEHASH.hex()}`" in PROTOCOL
        assert f"`{module.DOMAIN_NAME}`" in PROTOCOL
        contract = SIGNED_CONTRACTS["catalog" if module is catalog_actions else "sharing"]
        batch = f"executeBatch({contract.action_abi}[])"
        for call, selector in (
            (f"execute({contract.action_abi})", contract.execute_selector),
            (batch, contract.execute_batch_selector),
        ):
            assert f"`{call}`" in PROTOCOL and f"`0x{selector.hex()}`" in PROTOCOL, call
    assert f"| `version` | `{catalog_actions.DOMAIN_VERSION}` | `{sharing_actions.DOMAIN_VERSION}` |" in PROTOCOL
    assert sharing_actions.APPLY_TERMS_ABI in PROTOCOL
    assert sharing_actions.DECIDE_TERMS_ABI in PROTOCOL


def _solidity_enums() -> dict[str, list[str]]:
    enums = {}
    for path in sorted((CONTRACTS_DIR / "interfaces").glob("*.sol")):
        source = re.sub(r"//[^\n]*", "", path.read_text(encoding="utf-8"))
        for name, body in re.findall(r"\benum (\w+) \{([^}]*)\}", source):
            enums[name] = [member.strip() for member in body.split(",") if member.strip()]
    return enums


def test_every_enum_is_listed_with_its_numbering():
    listed = {
        name: re.findall(r"(\d+) (\w+)", members)
        for name, members in re.findall(r"^- `(\w+)`: (.*)$", _section("## 8. Enums"), re.MULTILINE)
    }
    enums = _solidity_enums()
    assert set(listed) == set(enums)
    for name, members in enums.items():
        assert listed[name] == [(str(i), m) for i, m in enumerate(members)], name


def test_every_published_schema_is_listed():
    table = _section("## 2. Document schemas")
    assert set(re.findall(r"^\| `(putuo\.[\w.-]+/\d+)` \|", table, re.MULTILINE)) == set(json_schemas())


def test_the_verifier_copies_its_constants_from_this_page():
    for constant in (
        verifier.VERSION_SUBMITTED,
        verifier.ACTION_TYPE,
        verifier.DOMAIN_TYPE,
        verifier.EXECUTE,
        verifier.EXECUTE_BATCH,
        f"`{verifier.DOMAIN_NAME}`",
    ):
        assert constant in PROTOCOL, constant
    assert verifier.ACTION_TUPLE == SIGNED_CONTRACTS["catalog"].action_abi
