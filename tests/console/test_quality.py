"""Data objections (异议, Art. 16) in Chromium: the Data Center's quality monitoring raises one
against the civil affairs bureau's data; the bureau's officer sees it in the workspace, among its duties by its
Chinese name, and signs its verification and handling in the browser, which the chain takes and
the CLI's signer would have signed byte for byte (RFC 6979). A handling without the verification
is refused in the page, and a message that is not the document's is not signed."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from catalog.quality_documents import SCHEMA_BY_KIND, fields, grant_of
from chain import quality as q
from chain.actions import fresh_nonce
from chain.client import contract_at
from signer.canonical import canonical_bytes
from signer.keystore import save_key
from tests.api.auth_helpers import PLATFORM
from tests.api.helpers import confirmed, hex0x
from tests.console.conftest import run_script, serving
from tests.console.test_journey import named
from tests.sharing_desk import SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N


def quality_action(client, officer, kind: q.ActionKind, doc: dict, system) -> dict:
    """`officer` signs `doc` as a DataQuality action, as `ledger quality` does; relayed, confirmed."""
    raw = canonical_bytes(doc)
    parsed = SCHEMA_BY_KIND[kind].model_validate(doc)
    subject, target, code, value = fields(kind, parsed, document=raw)
    signed = q.sign(
        q.QualityAction(kind, subject, raw, fresh_nonce(), target, code, value, grant=grant_of(parsed)),
        officer.action_key,
        chain_id=system.w3.eth.chain_id,
        address=system.deployment.data_quality,
    )
    body = {
        "kind": kind.name.lower(),
        "document": doc,
        "nonce": str(signed.nonce),
        "signature": hex0x(signed.signature),
    }
    response = client.post("/v1/quality/actions", json=body)
    assert response.status_code == 202, response.json()
    return confirmed(client, response.json()["action_id"])


def test_the_unit_handles_an_objection_to_its_data_in_the_browser(system, tmp_path):
    desk = SharingDesk(system)
    entry_id, _ = desk.approved_entry(desk.civil, "MZJ-0100")
    with serving(system, tmp_path, desk) as platform, TestClient(create_app(runtime=platform.runtime)) as c:
        c.headers.update(PLATFORM)
        objection = {
            "schema": "putuo.objection/1",
            "entry_id": hex0x(entry_id),
            "source": "quality_monitoring",
            "description": "3 条记录的住址与门牌核查结果不符",
        }
        quality_action(c, desk.data_center, q.ActionKind.RAISE_OBJECTION, objection, system)
        [raised] = c.get("/v1/quality/objections").json()
        officer = save_key(
            named(desk.civil.ecdsa, "mzj"), PASSWORD, directory=tmp_path / "keys", scrypt_n=TEST_SCRYPT_N
        )

        out = run_script(
            "quality.mjs",
            CONSOLE_URL=platform.url,
            OFFICER_KEY=str(officer),
            PASSWORD=PASSWORD,
            OBJECTION_ID=raised["objection_id"],
        )
        [handled] = c.get("/v1/quality/objections").json()

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    assert "核实处理数据异议（第十六条" in out["dutiesText"] and "数据异议" in out["dutiesText"]
    assert "art16_objection" in out["dutyRules"]
    assert "质量监测（普陀区大数据中心）" in out["objectionsText"] and "待核实处理" in out["objectionsText"]
    assert out["emptyVerification"].startswith("核实情况：请填写")
    assert out["tamperedCode"] == "未能提交处理结果：平台给出的待签消息在 code 上与文档不符，拒绝签名"
    assert (handled["state"], handled["outcome"]) == ("handled_on_time", "corrected")
    assert handled["handling"]["proof"]["signer"] == desk.civil.address
    assert handled["handling"]["document"] == {
        "schema": "putuo.objection-handling/1",
        "objection_id": raised["objection_id"],
        "outcome": "corrected",
        "verification": "与门牌库比对，3 条住址确有错误",
        "measures": "已更正并重新推送",
    }
    assert "已按期处理：确有错误，已更正" in out["handledText"]
    # The browser's signature is the one `ledger quality handle` makes of the same action.
    tx = system.w3.eth.get_transaction(out["handleTx"])
    _, args = contract_at(system.w3, "DataQuality", system.deployment.data_quality).decode_function_input(tx["input"])
    sent = args["action"] if "action" in args else args["actions"][0]
    kind, subject, target, grant, code, value, document, nonce, signature = (
        sent[k] for k in ("kind", "subject", "target", "grant", "code", "value", "document", "nonce", "signature")
    )
    assert (kind, grant, code) == (q.ActionKind.HANDLE_OBJECTION, bytes(32), 1)
    assert document == canonical_bytes(handled["handling"]["document"])
    cli = q.sign(
        q.QualityAction(q.ActionKind.HANDLE_OBJECTION, subject, document, nonce, target, code, value, grant=grant),
        desk.civil.ecdsa,
        chain_id=system.w3.eth.chain_id,
        address=system.deployment.data_quality,
    )
    assert signature == cli.signature
