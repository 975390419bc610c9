"""The usage log (Art. 30, #11) in the console, in Chromium against a real API whose log is
anchored on a real anvil node: a unit's uses as the demand unit and as the owner with the CSV
export, a record's evidence bundle verified on the Audit page from the chain alone (and changed
bundles refused with the reason, as `ledger audit usage` refuses them), the regulators'
inspection view."""

from __future__ import annotations

import json

import httpx
from fastapi.testclient import TestClient

from api.app import create_app
from api.routers.deployment import describe
from api.services.usage_queries import CSV_COLUMNS
from chain import usage_log
from chain.client import contract_at
from chain.rpc import RpcClient
from chain.usage_log import log_id
from signer.keystore import save_key
from tests.api.auth_helpers import PLATFORM, login
from tests.api.test_sharing_api import Api
from tests.api.test_usage_intake import logged, record
from tests.console.conftest import DIST, run_script, serving
from tests.console.test_journey import named
from tests.sharing_desk import SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N
from usage.audit import audit_bundle


def test_a_units_uses_their_evidence_verified_from_the_chain_and_the_inspection_view(system, tmp_path):
    desk = SharingDesk(system)
    anchoring = {
        "clock_ttl_s": 0,
        "usage_key": f"ecdsa:{desk.data_center.ecdsa.private_key.hex()}",
        "usage_anchor_poll_s": 0,  # anchored below, by step()
        "usage_checkpoint_records": 4,
    }
    with (
        serving(system, tmp_path, desk, **anchoring) as platform,
        TestClient(create_app(runtime=platform.runtime)) as c,
    ):
        regulator = desk.unit("PT-WXB", "auditor", "中共上海市普陀区委网络安全和信息化委员会办公室")
        api = Api(desk, c, platform.runtime)
        grant_id = api.apply(api.application(scenario_class=1))  # 长风新村街道 uses 民政局's entry
        uses = [record(api, grant_id, n) for n in range(6)]
        uses.append(record(api, grant_id, 6, scenario="PT-SC-OTHER"))  # refused: another scenario
        uses.append(record(api, grant_id, 7, unit_id=desk.market.unit_hex))  # refused: not the holder
        logged(api, *uses)
        while platform.runtime.usage_anchor.step():  # checkpoints of 4 and 8 records
            pass
        logged(api, record(api, grant_id, 8))  # not anchored yet
        # The regulator co-signed the checkpoint of 4 records earlier (as `ledger witness` does):
        # the page checks the one of 8 against it.
        first = c.get("/v1/usage/checkpoints", headers=PLATFORM).json()["items"][-1]
        cosign = usage_log.sign(
            usage_log.UsageAction(
                usage_log.UsageActionKind.COSIGN, usage_log.cosign_document(4, bytes.fromhex(first["root"][2:])), 7
            ),
            regulator.ecdsa,
            chain_id=system.w3.eth.chain_id,
            address=platform.system.deployment.usage_log,
        )
        body = {"checkpoint": "0x" + cosign.document.hex(), "nonce": "7", "signature": "0x" + cosign.signature.hex()}
        assert c.post("/v1/usage/cosignatures", json=body, headers=login(c, regulator.ecdsa)).status_code == 200
        keys = tmp_path / "keys"
        user = save_key(named(desk.street.sm2, "cfjd-sm2"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)
        owner = save_key(named(desk.civil.ecdsa, "mzj"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)
        inspector = save_key(named(regulator.sm2, "wxb-sm2"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)

        def bundle(n: int) -> dict:
            return httpx.get(f"{platform.url}/v1/usage/{n}", headers=PLATFORM).json()

        anchored = bundle(5)
        deployment = platform.system.deployment
        changed = {
            "tampered": {**anchored, "record": anchored["record"].replace('"count":3', '"count":2')},
            "forged_root": {**anchored, "checkpoint": {**anchored["checkpoint"], "root": "0x" + "11" * 32}},
            "other_log": {
                **anchored,
                "usage_log": deployment.catalog,
                "log_id": "0x" + log_id(anchored["chain_id"], deployment.catalog).hex(),
            },
            "pending": bundle(8),
        }
        out = run_script(
            "usage.mjs",
            CONSOLE_URL=platform.url,
            USER_KEY=str(user),
            OWNER_KEY=str(owner),
            REGULATOR_KEY=str(inspector),
            PASSWORD=PASSWORD,
            ANCHORED_ID="5",
            OWNER_TOTAL="9",
            CHANGED=json.dumps({k: json.dumps(v, ensure_ascii=False, indent=2) for k, v in changed.items()}),
        )
        expected_csv = httpx.get(
            f"{platform.url}/v1/usage.csv", params={"unit_id": desk.street.unit_hex}, headers=PLATFORM
        ).content.decode("utf-8")
        (tmp_path / "deployment.json").write_text(describe(platform.runtime).model_dump_json(), encoding="utf-8")
    # The saved Audit page, opened from disk once the platform's API has stopped, verifies the bundle.
    files = {name: tmp_path / f"{name}.json" for name in ("bundle", "tampered")}
    files["bundle"].write_text(json.dumps(anchored, ensure_ascii=False), encoding="utf-8")
    files["tampered"].write_text(json.dumps(changed["tampered"], ensure_ascii=False), encoding="utf-8")
    offline = run_script(
        "audit_offline.mjs",
        AUDIT_HTML=str(DIST / "audit.html"),
        RPC_URL=system.node.url,
        DEPLOYMENT=str(tmp_path / "deployment.json"),
        DOCUMENT_FILE=str(files["bundle"]),
        TAMPERED_FILE=str(files["tampered"]),
        SHOTS="audit-offline-usage",
    )

    assert out["problems"] == [] and out["lowContrast"] == []
    assert out["unlabelled"] == out["unlabelledAudit"] == out["unlabelledInspection"] == []
    # The demand unit sees its 8 uses (not the market's use of its grant), the refused one with its reason.
    assert out["userKey"] == desk.street.sm2.key_id and out["asUser"]["total"] == 8
    assert "拒绝：应用场景未获授权" in out["asUser"]["text"] and "普陀区民政局" not in out["asUser"]["text"]
    assert "长风新村街道办事处" in out["asUser"]["text"] and "低保对象信息 第 1 版" in out["asUser"]["text"]
    assert out["refusedOnly"]["total"] == 1 and out["userAsOwner"] == 0
    # The export is the API's CSV for the unit, as the browser saved it (UTF-8 with a BOM for Excel).
    assert out["csvName"] == "usage.csv" and out["csv"] == expected_csv
    assert out["csv"].startswith("\ufeff" + ",".join(CSV_COLUMNS)) and len(out["csv"].splitlines()) == 9
    # The owner sees every use of its data, the other holder's refused one included (Art. 30).
    assert out["ownerKey"] == desk.civil.address and out["asOwner"]["total"] == 9
    assert "拒绝：非授权单位使用" in out["asOwner"]["text"]
    # The evidence bundle handed to the Audit page is the API's, and verifies from the chain alone,
    # as the CLI's verifier (usage.audit) finds it.
    assert json.loads(out["handed"]) == anchored
    assert audit_bundle(anchored, RpcClient([system.node.url])).ok
    assert out["verdict"] == "valid"
    assert out["verdictText"].startswith("有效：使用记录 5 是检查点（大小 8）的第 5 个叶子")
    signer = desk.data_center.ecdsa.key_id
    assert f"检查点由普陀区大数据中心（PT-DSJZX）的密钥 {signer} 签署，锚定于区块" in out["verdictText"]
    assert anchored["checkpoint"]["root"] in out["verdictText"]
    assert "req-5" in out["recordText"] and "允许（授权允许）" in out["recordText"]
    # Each changed bundle is invalid, with its reason; the CLI's verifier refuses the same ones.
    refusals = out["refusals"]
    assert all(text.startswith("无效") for text in refusals.values())
    assert "proof：这条记录不是所锚定检查点的第 5 个叶子：由证明算出的根为" in refusals["tampered"]
    assert f"checkpoint：链上锚定的是大小 8、根 {anchored['checkpoint']['root']}" in refusals["forged_root"]
    assert f"usage_log：证据包的合约 {deployment.catalog} 不是本部署的 UsageLog 合约" in refusals["other_log"]
    assert "这条记录尚未锚定" in refusals["pending"]
    for name in ("tampered", "forged_root", "pending"):
        assert not audit_bundle(changed[name], RpcClient([system.node.url])).ok
    # The inspection view: for the regulator's key, not for an ordinary unit's.
    assert out["ordinaryInspection"] == "使用监督仅对政务办、大数据中心和监督单位的密钥开放。"
    assert out["regulatorKey"] == regulator.sm2.key_id
    for text in ("应用场景未获授权\t1", "非授权单位使用\t1", "最近被拒绝的使用"):
        assert text in out["inspectionText"]
    assert len(out["screenshots"]) == 6
    # The witness: the chain's newest checkpoint (8) extends the one the unit co-signed (4) by the
    # API's consistency proof, checked in the browser; then co-signed with the regulator's SM2 key.
    assert out["witnessBefore"].startswith("链上最新检查点：大小 8，已有 0 个单位联署")
    assert "本单位上次联署：大小 4" in out["witnessBefore"]
    assert out["cosigned"].startswith("一致性证明成立：大小 8 的检查点延伸了本单位上次联署的大小 4 的检查点；已联署")
    log = contract_at(system.w3, "UsageLog", platform.system.deployment.usage_log)
    assert log.functions.checkpoint(8).call()[2] == 1
    [event] = log.events.CheckpointCosigned.get_logs(from_block=0, argument_filters={"size": 8})
    assert event.args.unitId == regulator.unit_id and event.args.signer.lower() == regulator.sm2.key_id
    assert offline["problems"] == [] and offline["genuine"]["verdict"] == "valid"
    assert offline["genuine"]["text"].startswith("有效：使用记录 5 是检查点（大小 8）的第 5 个叶子")
    assert offline["tampered"]["verdict"] == "invalid" and "proof：这条记录不是" in offline["tampered"]["text"]
