"""The officers' journey in Chromium, signing in the browser: 民政局 catalogues an entry with its
ECDSA key, the Data Center approves it with its SM2 key. The signatures are held against the
CLI's own signing code (chain.actions, chain.signatures): ECDSA byte for byte (RFC 6979); SM2,
randomised, verified with the Python/GmSSL verifier and with OpenSSL 3 over the digest the CLI
computes."""

from __future__ import annotations

import json

import httpx
from eth_utils import keccak, to_checksum_address

from chain.actions import ActionKind, CatalogAction, digest, entry_id_for, sign_action
from chain.calldata import signed_actions
from chain.client import contract_at
from chain.signatures import recover_action_signer
from chain.signed_contracts import SIGNED_CONTRACTS
from sharing.audit import audit_commitment
from signer import sm2
from signer.canonical import canonical_bytes
from signer.commitment import verify_commitment
from signer.detached import signed_message
from signer.keys import PublicKey, SigningKey
from signer.keystore import save_key
from signer.pem import public_key_pem
from tests.api.auth_helpers import PLATFORM
from tests.console.conftest import run_script
from tests.signer.helpers import DISTID, PASSWORD, TEST_SCRYPT_N, run_openssl


def named(key: SigningKey, name: str) -> SigningKey:
    return SigningKey(key.scheme, key.private_key, key.public_key, key.user_id, name)


def openssl_verifies(tmp, public_key: bytes, message: bytes, der: bytes) -> bool:
    """OpenSSL 3, the independent SM2 reference: SM3 with Z_A of the default user id."""
    (tmp / "pub.pem").write_bytes(public_key_pem(PublicKey("sm2", public_key, sm2.DEFAULT_USER_ID)))
    (tmp / "msg").write_bytes(message)
    (tmp / "sig").write_bytes(der)
    pem, msg, sig = tmp / "pub.pem", tmp / "msg", tmp / "sig"
    out = run_openssl("dgst", "-sm3", "-sigopt", DISTID, "-verify", pem, "-signature", sig, msg, check=False)
    return out.stdout.strip() == "Verified OK"


def working_days(system, start: int, due: int) -> int:
    """The working days after the Shanghai day of `start` up to that of `due`, as the WorkCalendar
    contract judges each day."""
    calendar = contract_at(system.w3, "WorkCalendar", system.deployment.calendar)
    first, last = ((t + 8 * 3600) // 86400 for t in (start, due))
    noon = [day * 86400 + 4 * 3600 for day in range(first + 1, last + 1)]  # 12:00 in Shanghai
    return sum(calendar.functions.isWorkingDay(t).call() for t in noon)


def carried(system, tx_hash: str) -> CatalogAction:
    [fields] = signed_actions(system.w3, tx_hash, SIGNED_CONTRACTS["catalog"].action_abi)
    kind, entry_id, version, reason_code, document, nonce, declared_at, sharing, responsibility, signature = fields
    return CatalogAction(
        kind, entry_id, version, reason_code, document, nonce, signature, declared_at, sharing, responsibility
    )


def test_the_officers_journey_from_catalog_entry_to_grant_signed_in_the_browser(platform):
    desk, system = platform.desk, platform.system
    keys = platform.tmp / "keys"
    owner = save_key(named(desk.civil.ecdsa, "mzj"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)
    reviewer = save_key(named(desk.data_center.sm2, "dsjzx-sm2"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)
    applicant = save_key(named(desk.street.sm2, "cfjd-sm2"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)

    out = run_script(
        "journey.mjs", CONSOLE_URL=platform.url, OWNER_KEY=str(owner), REVIEWER_KEY=str(reviewer), PASSWORD=PASSWORD
    )

    assert out["problems"] == [] and out["unlabelled"] == []
    assert out["wrongPassword"] == "无法打开密钥：密码错误"
    assert out["ownerKey"] == desk.civil.address and "单位：普陀区民政局" in out["keyText"]
    assert out["firstProblem"].startswith("待补正：document.")  # the API's message, naming the field
    entry_id = "0x" + entry_id_for(desk.civil.unit_id, "MZJ-0201").hex()
    assert out["entryId"] == entry_id
    assert "已上链确认" in out["confirmedText"]
    receipt = system.w3.eth.get_transaction_receipt(out["submitTx"])
    assert receipt["status"] == 1 and f"区块 {receipt['blockNumber']}" in out["confirmedText"]

    # ECDSA: the browser's signature is the CLI's, byte for byte.
    chain_id, catalog = system.w3.eth.chain_id, system.deployment.catalog
    submitted = carried(system, out["submitTx"])
    by_cli = sign_action(submitted, desk.civil.ecdsa, chain_id=chain_id, catalog_address=catalog)
    assert submitted.signature == by_cli.signature and len(submitted.signature) == 65

    # SM2: the review verifies (GmSSL) for the Data Center's registered key over the CLI's digest.
    assert out["reviewerKey"] == desk.data_center.sm2.key_id
    assert "特困人员供养信息" in out["queueText"] and "第 1 版" in out["queueText"]
    reviewed = carried(system, out["reviewTx"])
    assert reviewed.signature[:20] == bytes.fromhex(desk.data_center.sm2.key_id[2:])
    signer = recover_action_signer(
        digest(reviewed, chain_id=chain_id, catalog_address=catalog),
        reviewed.signature,
        lambda key_id: desk.data_center.sm2.public_key if key_id.lower() == desk.data_center.sm2.key_id else None,
    )
    assert signer == to_checksum_address(desk.data_center.sm2.key_id)
    review_digest = digest(reviewed, chain_id=chain_id, catalog_address=catalog)
    assert openssl_verifies(platform.tmp, desk.data_center.sm2.public_key, review_digest, reviewed.signature[20:])

    # The Data Center recorded the collection (Art. 15) in the browser too, with its SM2 key.
    assert carried(system, out["collectTx"]).signature[:20] == bytes.fromhex(desk.data_center.sm2.key_id[2:])
    assert httpx.get(f"{platform.url}/v1/catalog/entries/{entry_id}").json()["collected_at"] > 0

    # 民政局 requested a change (Art. 14) from its current document: version 2, pending review.
    assert out["prefilled"] == "全区特困人员的供养方式、供养金额与认定时间。"
    changed = carried(system, out["changeTx"])
    assert (changed.kind, changed.entry_id.hex()) == (ActionKind.REQUEST_CHANGE, entry_id[2:])
    assert json.loads(changed.document)["update_frequency"] == "weekly"
    entry = httpx.get(f"{platform.url}/v1/catalog/entries/{entry_id}").json()
    assert (entry["status"], entry["approved_version"]) == ("active", 2)  # the Data Center approved it

    # 长风新村街道 applies with an SM2 commitment, 民政局 approves, the grant appears, an inspector
    # verifies the commitment on the Audit page.
    out = run_script(
        "sharing.mjs",
        CONSOLE_URL=platform.url,
        APPLICANT_KEY=str(applicant),
        OWNER_KEY=str(owner),
        PASSWORD=PASSWORD,
        ENTRY_NAME="特困人员供养信息",
    )

    assert out["problems"] == [] and out["unlabelled"] == []
    assert out["lowContrast"] == []
    assert out["applicantKey"] == desk.street.sm2.key_id and out["ownerKey"] == desk.civil.address
    demand = bytes.fromhex(out["demandId"][2:])
    assert desk.record("demand", demand).unitId == desk.street.unit_id
    # The browser's SM2 commitment: the CLI's verifier (GmSSL) takes it for the registered key,
    # over the document hash the CLI computes, and the chain-alone audit agrees.
    assert out["commitment"]["scheme"] == "sm2" and out["commitment"]["demand_id"] == out["demandId"]
    assert out["signature"]["document_hash"] == "0x" + keccak(canonical_bytes(out["commitment"])).hex()
    assert verify_commitment(out["commitment"], out["signature"], desk.street.sm2.public_key).ok
    tagged = signed_message(keccak(canonical_bytes(out["commitment"])))
    der = bytes.fromhex(out["signature"]["signature"][2:])
    assert openssl_verifies(platform.tmp, desk.street.sm2.public_key, tagged, der)
    audit = audit_commitment(system.w3, system.deployment.registry, system.deployment.sharing, demand)
    assert audit.valid and audit.key_id.lower() == desk.street.sm2.key_id
    assert "特困供养审核" in out["inboxText"] and "待答复" in out["inboxText"]
    assert "答复申请（第二十条，5 个工作日）" in out["dutiesText"] and "剩余" in out["dutiesText"]
    # The working days left, counted in the browser on the chain's calendar, are the contract's.
    [duty] = [
        d
        for d in httpx.get(f"{platform.url}/v1/units/{desk.civil.unit_hex}/duties", headers=PLATFORM).json()["items"]
        if d["rule"] == "art20_review"
    ]
    assert f"剩余 {working_days(system, duty['started_at'], duty['due_at'])} 个工作日" in out["dutiesText"]
    assert desk.record("grant", demand).unitId == desk.street.unit_id  # issued with the approval (Art. 20)
    assert "特困供养审核" in out["grantsText"] and "有效" in out["grantsText"]
    for text in ("CF-2026-201", "数源单位答复（第二十条）", "已授权", "第 1 项（普陀区民政局）：已同意"):
        assert text in out["appliedText"]
    assert out["verdict"] == "valid"
    assert f"由长风新村街道办事处（PT-CFJD）的 SM2 密钥 {desk.street.sm2.key_id} 签署" in out["verdictText"]
    assert out["tamperedText"].startswith("无效")
    assert "这份承诺书与链上记录的不同" in out["tamperedText"]
    # The applicant ended the grant with its SM2 key (Art. 26).
    assert system.w3.eth.get_transaction_receipt(out["terminateTx"])["status"] == 1
    grant = httpx.get(f"{platform.url}/v1/grants/{out['demandId']}", headers=PLATFORM).json()
    assert grant["status"] == "terminated"
