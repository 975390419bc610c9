"""An auditor's verifier written from docs/PROTOCOL.md alone re-derives catalog versions from the chain.

`verify_catalog_version.py` runs as a separate process with every module of this repository
made unimportable, against a real node holding versions relayed as the platform relays them.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from eth_utils import keccak

from catalog.document import declared_at
from chain.actions import ActionKind, SharingAttribute
from signer.canonical import canonical_bytes
from tests.api.helpers import approval, deletion, document, entry_id, sign
from tests.conftest import DECLARED_AT

SCRIPT = Path(__file__).with_name("verify_catalog_version.py")
ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").exists())
THIRD_PARTY = {"eth_abi", "eth_hash", "eth_keys", "eth_utils", "jsonschema", "rfc8785"}
ALL_CHECKS = {
    "event",
    "canonical",
    "document_hash",
    "schema",
    "entry_id",
    "declared_at",
    "sharing",
    "responsibility",
    "transaction_to",
    "calldata",
    "action_fields",
    "domain",
    "signer",
    "signer_unit",
}
# Runs the script with the project's packages refused at import, whatever sys.path holds (the
# editable install puts them on it even in isolated mode).
BOOT = """
import runpy, sys
blocked = set(sys.argv[1].split(","))
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in blocked:
            raise ImportError(f"the verifier may not import the project's {name}")
sys.meta_path.insert(0, Refuse())
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def verify(system, eid: bytes, version: int, tmp_path: Path) -> tuple[int, dict]:
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            BOOT,
            ",".join(PROJECT_PACKAGES),
            str(SCRIPT),
            "--rpc",
            system.node.url,
            "--catalog",
            system.deployment.catalog,
            "--entry-id",
            "0x" + eid.hex(),
            "--version",
            str(version),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stderr == "", done.stderr
    return done.returncode, json.loads(done.stdout)


def failed(report: dict) -> set[str]:
    return {c["check"] for c in report["checks"] if not c["ok"]}


def test_the_verifier_imports_only_the_standard_library_and_third_party_packages():
    imported = set()
    for node in ast.walk(ast.parse(SCRIPT.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {a.name.partition(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").partition(".")[0])
    assert imported - set(sys.stdlib_module_names) == THIRD_PARTY
    assert not imported & set(PROJECT_PACKAGES)


def test_a_version_relayed_in_a_batch(system, units, tmp_path):
    civil_doc, market_doc = document("MZJ-0001"), document("SCJ-0007", name="市场主体登记信息")
    civil, market = units.civil, units.market
    actions = [
        sign(market, ActionKind.SUBMIT, entry_id(market, market_doc), market_doc),
        sign(civil, ActionKind.SUBMIT, entry_id(civil, civil_doc), civil_doc),
    ]
    receipt = system.relayer.send(units.catalog.functions.executeBatch([a.as_tuple() for a in actions]))

    code, report = verify(system, entry_id(civil, civil_doc), 1, tmp_path)

    assert code == 0, report
    assert {c["check"] for c in report["checks"]} == ALL_CHECKS
    assert report["signer"] == report["recovered"] == civil.address
    assert report["unit_id"] == "0x" + civil.unit_id.hex()
    assert report["document_hash"] == "0x" + keccak(canonical_bytes(civil_doc)).hex()
    assert report["tx_hash"] == receipt["transactionHash"].to_0x_hex()
    assert report["version_kind"] == 0 and report["nonce"] == str(actions[1].nonce)


def test_every_kind_of_version_sent_alone(system, units, tmp_path):
    civil, center = units.civil, units.data_center
    doc = document("MZJ-0002")
    eid = entry_id(civil, doc)
    steps = [
        sign(civil, ActionKind.SUBMIT, eid, doc),
        sign(center, ActionKind.REVIEW, eid, approval(), version=1),
        sign(civil, ActionKind.REQUEST_CHANGE, eid, {**doc, "update_frequency": "weekly"}),
        sign(center, ActionKind.REVIEW, eid, approval(), version=2),
        sign(civil, ActionKind.REQUEST_DELETE, eid, deletion()),
    ]
    for action in steps:
        system.relayer.send(units.catalog.functions.execute(action.as_tuple()))

    for version, kind in ((1, 0), (2, 2), (3, 3)):
        code, report = verify(system, eid, version, tmp_path)
        assert code == 0, report
        assert report["version_kind"] == kind and report["signer"] == civil.address
    assert "entry_id" not in {c["check"] for c in report["checks"]}  # a deletion request names no code


def test_what_the_contract_took_but_the_protocol_refuses_is_reported(system, units, tmp_path):
    """The contract checks a document's hash, never its content: the verifier checks the rest."""
    civil = units.civil
    incomplete = document("MZJ-0003")
    del incomplete["managing_agency"]
    pretty = document("MZJ-0004")
    # Signed "unconditional" over a document that says 不予共享: the contract enforces what was signed.
    disowned = document("MZJ-0005")
    disowned["sharing"] = {"attribute": "not_shared", "basis": "《中华人民共和国统计法》第二十五条"}
    sent = [
        civil.action(
            ActionKind.SUBMIT, entry_id(civil, incomplete), canonical_bytes(incomplete), declared_at=DECLARED_AT
        ),
        civil.action(
            ActionKind.SUBMIT,
            entry_id(civil, pretty),
            json.dumps(pretty, indent=2).encode(),
            declared_at=declared_at(pretty),
        ),
    ]
    sent.append(
        civil.action(
            ActionKind.SUBMIT,
            entry_id(civil, disowned),
            canonical_bytes(disowned),
            declared_at=declared_at(disowned),
            sharing=SharingAttribute.UNCONDITIONAL,
        )
    )
    for action in sent:
        system.relayer.send(units.catalog.functions.execute(action.as_tuple()))

    code, report = verify(system, entry_id(civil, incomplete), 1, tmp_path)
    assert code == 1 and failed(report) == {"schema", "declared_at"}
    details = {c["check"]: c.get("detail") for c in report["checks"]}
    assert details["schema"] == ["(document): 'managing_agency' is a required property"]
    assert details["declared_at"] == f"declaredAt {DECLARED_AT}, document says {declared_at(incomplete)}"

    code, report = verify(system, entry_id(civil, pretty), 1, tmp_path)
    assert code == 1 and failed(report) == {"canonical"}
    assert report["signer"] == report["recovered"] == civil.address

    code, report = verify(system, entry_id(civil, disowned), 1, tmp_path)
    assert code == 1 and failed(report) == {"sharing"}
    assert {c["check"]: c.get("detail") for c in report["checks"]}["sharing"] == "signed sharing 1, document says 3"

    code, report = verify(system, entry_id(civil, pretty), 2, tmp_path)
    assert code == 1 and failed(report) == {"event"}
