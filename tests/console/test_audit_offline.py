"""The Audit page as an auditor keeps it: dist/audit.html opened from disk, the platform's API not
running at all, only the chain's RPC URL and the deployment file (GET /v1/deployment, saved)."""

from __future__ import annotations

import json

from eth_utils import keccak

from api.routers.deployment import describe
from signer.canonical import canonical_bytes
from tests.api.conftest import make_runtime
from tests.console.conftest import DIST, run_script
from tests.sharing_desk import SharingDesk, entry_doc

NAME = "最低生活保障对象信息"


def test_the_saved_audit_page_verifies_a_document_from_the_chain_alone(system, tmp_path):
    desk = SharingDesk(system)
    entry_id, _ = desk.approved_entry(desk.civil, "MZJ-0101", NAME)
    runtime = make_runtime(system, tmp_path / "platform")  # never started: no API, no mirror
    deployment = tmp_path / "deployment.json"
    deployment.write_text(describe(runtime).model_dump_json(), encoding="utf-8")
    document = json.loads(entry_doc("MZJ-0101", NAME))
    genuine, tampered = tmp_path / "entry.json", tmp_path / "entry-changed.json"
    genuine.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    changed = {**document, "data_items": document["data_items"][:2]}
    tampered.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")

    out = run_script(
        "audit_offline.mjs",
        AUDIT_HTML=str(DIST / "audit.html"),
        RPC_URL=system.node.url,
        DEPLOYMENT=str(deployment),
        DOCUMENT_FILE=str(genuine),
        TAMPERED_FILE=str(tampered),
    )

    assert out["problems"] == [] and out["unlabelled"] == []
    assert out["genuine"]["verdict"] == "valid"
    assert f"0x{entry_id.hex()} 第 1 版" in out["genuine"]["text"]
    assert f"由普陀区民政局（PT-MZJ）的密钥 {desk.civil.address}（ecdsa）签名" in out["genuine"]["text"]
    assert out["tampered"]["verdict"] == "invalid"
    assert "0x" + keccak(canonical_bytes(changed)).hex() in out["tampered"]["text"]
