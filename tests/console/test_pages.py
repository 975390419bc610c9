"""The Catalog and Audit pages in Chromium, against the API and the chain."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from eth_utils import keccak

from chain.actions import entry_id_for
from signer.canonical import canonical_bytes
from tests.api.conftest import wait_for
from tests.console.conftest import DIST, run_script
from tests.sharing_desk import entry_doc

NAME = "最低生活保障对象信息"


def test_catalog_and_audit_pages_show_the_chains_record_in_chinese(platform):
    desk = platform.desk
    entry_id = entry_id_for(desk.civil.unit_id, "MZJ-0101")
    desk.approved_entry(desk.civil, "MZJ-0101", NAME, sharing="conditional")
    wait_for(lambda: _mirrored(platform, entry_id))
    document = json.loads(entry_doc("MZJ-0101", NAME, "conditional"))
    tampered = {**document, "update_frequency": "annual"}
    submitted = desk.catalog.events.CatalogVersionSubmitted.get_logs(from_block=0)[0]

    out = run_script(
        "pages.mjs",
        CONSOLE_URL=platform.url,
        ENTRY_NAME=NAME,
        DOCUMENT=json.dumps(document, ensure_ascii=False, indent=2),
        TAMPERED=json.dumps(tampered, ensure_ascii=False),
    )

    assert out["lowContrast"] == []
    assert out["problems"] == []
    assert out["lang"] == "zh-CN" and out["heading"] == "数据资源目录"
    assert out["unlabelled"] == {"catalog": [], "audit": []}
    assert out["tabOrder"] == ["跳到正文", "目录", "单位工作台"]
    assert out["searchRows"] == 1 and out["filteredOut"]
    # The entry by its Art. 11 elements, and the proof of its version from the chain.
    assert out["entryHeading"] == NAME
    assert out["elements"][:3] == ["目录编码", "数据资源名称", "摘要"]
    assert "共享条件" in out["elements"] and "有条件共享" in out["values"]
    assert out["historyRows"] == 1
    assert submitted.transactionHash.to_0x_hex() in out["proofTitles"]
    assert desk.civil.address in out["proofTitles"]
    assert out["handedVerdict"] == "valid"  # the version, handed from its history to the Audit page
    # The Audit page: valid, by the civil affairs bureau's key, in the submission's block.
    assert out["rpcUrl"] == platform.system.node.url
    assert (out["savedName"], out["savedSize"]) == ("audit.html", (DIST / "audit.html").stat().st_size)
    assert out["verdict"] == "valid"
    assert f"0x{entry_id.hex()} 第 1 版" in out["verdictText"]
    assert f"由普陀区民政局（PT-MZJ）的密钥 {desk.civil.address}（ecdsa）" in out["verdictText"]
    assert f"记录于区块 {submitted.blockNumber}" in out["verdictText"]
    assert "审核：通过" in out["stepsText"] and "普陀区大数据中心" in out["stepsText"]
    # A changed document is no version on the chain, and the page says why.
    tampered_hash = "0x" + keccak(canonical_bytes(tampered)).hex()
    assert out["tamperedText"].startswith("无效")
    assert f"文档哈希 {tampered_hash} 不是任何已上链目录版本的哈希" in out["tamperedText"]
    assert len(out["screenshots"]) == 8 and all(Path(f).stat().st_size > 10_000 for f in out["screenshots"])


def _mirrored(platform, entry_id: bytes) -> bool:
    answer = httpx.get(f"{platform.url}/v1/catalog/entries/0x{entry_id.hex()}")
    return answer.status_code == 200 and answer.json()["status"] == "active"
