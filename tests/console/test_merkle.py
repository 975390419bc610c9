"""The console's RFC 9162 verifiers (console/src/lib/merkle.js: inclusion, what the Audit page checks
a usage evidence bundle with; consistency, what a witness checks before co-signing) give the Python
verifier's verdict on every transparency-dev probe,
passes the RFC 6962 reference proofs, and verifies SM3 proofs made by usage.merkle (Node, no
browser)."""

from __future__ import annotations

import json

from tests.console.conftest import run_script
from tests.signer.helpers import VECTORS
from usage.hasher import SM3
from usage.merkle import MerkleTree
from usage.nodes import MemoryNodeStore


def test_the_consoles_merkle_verifier_agrees_with_the_vectors_and_usage_merkle(tmp_path):
    leaves = [f"使用记录 {n}".encode() for n in range(13)]
    tree = MerkleTree(SM3, MemoryNodeStore())
    tree.append(leaves)
    cases = []
    for index, size in [(0, 1), (0, 13), (5, 8), (12, 13), (7, 13), (3, 11)]:
        proof = ["0x" + h.hex() for h in tree.inclusion_proof(index, size)]
        case = {"leaf_index": index, "tree_size": size, "proof": proof, "root": tree.root(size).hex()}
        cases.append({**case, "data": leaves[index].hex(), "leaf_hash": SM3.leaf(leaves[index]).hex()})
    flipped = {**cases[1], "root": cases[1]["root"][:-1] + ("0" if cases[1]["root"][-1] != "0" else "1")}
    wrong_size = {**cases[2], "tree_size": 9}
    cases += [flipped, wrong_size]
    sm3_file = tmp_path / "sm3.json"
    sm3_file.write_text(json.dumps(cases), encoding="utf-8")

    out = run_script(
        "merkle.mjs",
        PROBES=str(VECTORS / "merkle-inclusion-probes.json"),
        CONSISTENCY_PROBES=str(VECTORS / "merkle-consistency-probes.json"),
        RFC=str(VECTORS / "merkle-rfc6962-sha256.json"),
        SM3_CASES=str(sm3_file),
    )

    probes = json.loads((VECTORS / "merkle-inclusion-probes.json").read_text(encoding="utf-8"))["cases"]
    assert out["probes"] == {c["name"]: c["error"] for c in probes}
    assert out["reference"] == [None] * len(out["reference"]) and len(out["reference"]) >= 5
    assert [c["leaf"] for c in out["sm3"]] == [c["leaf_hash"] for c in cases]  # SM3(0x00 ‖ data) as Python
    assert [c["verdict"] for c in out["sm3"]] == [None] * 6 + ["RootMismatch", "ProofLengthMismatch"]
    consistency = json.loads((VECTORS / "merkle-consistency-probes.json").read_text(encoding="utf-8"))["cases"]
    assert out["consistency"] == {c["name"]: c["error"] for c in consistency}
    assert out["referenceConsistency"] == [None] * len(out["referenceConsistency"]) and out["referenceConsistency"]
