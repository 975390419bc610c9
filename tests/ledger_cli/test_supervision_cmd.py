"""`ledger supervision` (Art. 29, 31): an incident reported, handled and closed by its unit, an
evaluation by the Data Center, signed on the officers' machines and confirmed on a real node; a bad
document or a refused step is one line and a non-zero exit, nothing sent."""

from __future__ import annotations

from types import SimpleNamespace

from tests.ledger_cli import test_officer_journey as journey
from tests.ledger_cli.test_officer_journey import ledger, outbox_rows, proof, write

platform = journey.platform  # the same fixture: the district's API on a free port, officers' keystore


def test_an_incident_is_reported_handled_and_closed_and_a_unit_evaluated(platform):
    now = platform.system.w3.eth.get_block("latest")["timestamp"]
    incident = {
        "schema": "putuo.incident/1",
        "occurred_at": now - 600,
        "severity": "general",
        "summary": "低保审批系统导出文件误发至外部邮箱",
        "measures": "已联系收件方删除并确认",
        "reported_to": ["district_office"],
    }
    before = outbox_rows(platform)
    bad = ledger(platform, "supervision", "report", write(platform, "i.json", incident), "--key", "mzj")
    assert bad.code != 0 and len(bad.err.strip().splitlines()) == 1 and "reported_to" in bad.err, bad.err
    assert outbox_rows(platform) == before
    incident["reported_to"] = ["district_office", "cyberspace"]
    reported = ledger(platform, "supervision", "report", write(platform, "i.json", incident), "--key", "mzj")
    assert reported.code == 0, reported.err
    incident_id = proof(reported.out)["incident"]
    step = {"schema": "putuo.incident-handling/1", "incident_id": incident_id, "progress": "已核实收件方删除"}
    # Only the reporter handles it: the contract's refusal, one line.
    other = ledger(platform, "supervision", "handle", write(platform, "h.json", step), "--key", "scjgj")
    assert other.code != 0 and len(other.err.strip().splitlines()) == 1 and "SupervisionNotReporter" in other.err, (
        other.err
    )
    assert ledger(platform, "supervision", "handle", write(platform, "h.json", step), "--key", "mzj").code == 0
    closure = {"schema": "putuo.incident-closure/1", "incident_id": incident_id, "cause": "误操作", "outcome": "未扩散"}
    assert ledger(platform, "supervision", "close", write(platform, "c.json", closure), "--key", "mzj").code == 0
    evaluation = {
        "schema": "putuo.supervision-evaluation/1",
        "evaluation": "security",
        "target_id": platform.desk.civil.unit_hex,
        "period": "2026 年度",
        "score": 70,
        "findings": "发生一般数据安全事件，已及时处置",
    }
    evaluated = ledger(platform, "supervision", "evaluate", write(platform, "e.json", evaluation), "--key", "dsjzx")
    assert evaluated.code == 0, evaluated.err
    assert ledger(platform, "login", "--key", "mzj").code == 0
    listed = ledger(platform, "supervision", "incidents")
    assert listed.code == 0 and incident_id in listed.out and "closed" in listed.out, listed.out


def test_the_office_publishes_the_results_and_the_notice_drafted_from_the_chain(platform):
    import datetime as dt
    from pathlib import Path

    from chain.actions import entry_id_for
    from signer.keystore import save_key
    from tests.api.conftest import wait_for
    from tests.ledger_cli.test_officer_journey import PASSWORD, TEST_SCRYPT_N, entry_document, named

    save_key(
        named(platform.desk.office.ecdsa, "qfb"),
        PASSWORD,
        directory=Path(platform.env["LEDGER_KEYSTORE_DIR"]),
        scrypt_n=TEST_SCRYPT_N,
    )
    document = entry_document("MZJ-0301")
    assert ledger(platform, "catalog", "submit", write(platform, "e.json", document), "--key", "mzj").code == 0
    entry = "0x" + entry_id_for(platform.desk.civil.unit_id, "MZJ-0301").hex()
    assert ledger(platform, "catalog", "review", entry, "1", "--approve", "--key", "dsjzx").code == 0
    head = platform.system.w3.eth.block_number
    wait_for(lambda: platform.runtime.store.cursor()[0] >= head)
    declaration = {
        "schema": "putuo.update-frequency/1",
        "entry_id": entry,
        "update_frequency": document["update_frequency"],
    }
    assert ledger(platform, "quality", "declare", write(platform, "f.json", declaration), "--key", "mzj").code == 0
    w3 = platform.system.w3
    latest = w3.eth.get_block("latest")["timestamp"]
    for method, params in (("evm_setNextBlockTimestamp", [latest + 400 * 86_400]), ("evm_mine", [])):
        assert "error" not in w3.provider.make_request(
            method, params
        )  # every period of the year ends without an update
    yesterday = dt.datetime.fromtimestamp(
        latest + 400 * 86_400, dt.timezone(dt.timedelta(hours=8))
    ).date() - dt.timedelta(days=1)
    # Not the Office: the contract's refusal, one line.
    refused = ledger(
        platform,
        "supervision",
        "publish-results",
        "--from",
        "2000-01-01",
        "--to",
        yesterday.isoformat(),
        "--key",
        "dsjzx",
        "--out",
        str(platform.tmp),
    )
    assert refused.code != 0 and len(refused.err.strip().splitlines()) == 1, refused.err
    published = ledger(
        platform,
        "supervision",
        "publish-results",
        "--from",
        "2000-01-01",
        "--to",
        yesterday.isoformat(),
        "--key",
        "qfb",
        "--out",
        str(platform.tmp),
    )
    assert published.code == 0, published.err
    results_id = proof(published.out)["results"]
    assert (platform.tmp / f"evaluation-2000-01-01-{yesterday}.csv").read_bytes().startswith("\ufeff".encode())
    assert ledger(platform, "login", "--key", "qfb").code == 0
    notified = ledger(platform, "supervision", "publish-notice", results_id, "--key", "qfb")
    assert notified.code == 0, notified.err
    assert proof(notified.out)["units named"] == "1"

    # An inspector, with the chain and the deployment only, computes the results again at the block
    # they were judged at, while the chain has gone on (the notice, more blocks).
    import json

    import httpx

    from api.services import evaluation_audit

    deployment = platform.tmp / "deployment.json"
    deployment.write_text(json.dumps(httpx.get(f"{platform.url}/v1/deployment").json()))
    inspector = {**platform.env, "LEDGER_RPC_URL": platform.system.node.url}
    for _ in range(3):
        w3.provider.make_request("evm_mine", [])
    audited = ledger(SimpleNamespace(env=inspector), "audit", "evaluation", results_id, "--deployment", str(deployment))
    assert audited.code == 0, audited.out + audited.err
    assert "valid: the chain up to block" in audited.out and "普陀区人民政府办公室" in audited.out, audited.out
    # The document on the chain names the block the platform's mirror held, not a later head.
    published = evaluation_audit.find_published(
        platform.runtime.rpc, platform.runtime.deployment, bytes.fromhex(results_id[2:])
    )
    assert published.document["judged_block"] <= published.block_number
    # Results the chain does not give are named, unit by unit.
    changed = json.loads(json.dumps(published.document))
    changed["units"][0]["score"] = (changed["units"][0]["score"] or 0) + 1
    found = evaluation_audit.differences(changed, published.document)
    assert len(found) == 1 and "score: published" in found[0] and changed["units"][0]["unit_id"] in found[0]
    assert evaluation_audit.differences(published.document, published.document) == []
    # Results never published: one line, non-zero.
    missing = ledger(
        SimpleNamespace(env=inspector), "audit", "evaluation", "0x" + "11" * 32, "--deployment", str(deployment)
    )
    assert missing.code != 0 and "no results 0x1111" in missing.err and len(missing.err.strip().splitlines()) == 1


def test_the_data_center_suspends_each_grant_an_incident_names(platform):
    """Art. 29, 31: one signed SecuritySuspend per grant the incident names, progress shown; the
    incident view then shows them suspended; again, nothing more is signed."""
    from tests.api.conftest import wait_for

    desk = platform.desk
    entry, version = desk.approved_entry(desk.civil, "MZJ-0401")
    desk.ensure_scenario("低保审核", 1)
    grants = [
        desk.apply(desk.street, [desk.resource(desk.civil, (entry, version))], application_no=no, scenario_class=1)[0]
        for no in ("CF-2026-401", "CF-2026-402")
    ]
    assert [desk.record("grant", g).status for g in grants] == [1, 1]  # Active
    head = platform.system.w3.eth.block_number
    wait_for(lambda: platform.runtime.store.cursor()[0] >= head)
    now = platform.system.w3.eth.get_block("latest")["timestamp"]
    incident = {
        "schema": "putuo.incident/1",
        "occurred_at": now - 600,
        "severity": "larger",
        "summary": "街道共享接口账号口令泄露",
        "grants": ["0x" + g.hex() for g in grants],
        "measures": "已停用该账号",
        "reported_to": ["district_office", "cyberspace"],
    }
    reported = ledger(platform, "supervision", "report", write(platform, "i.json", incident), "--key", "cfjd")
    assert reported.code == 0, reported.err
    incident_id = proof(reported.out)["incident"]
    assert ledger(platform, "login", "--key", "dsjzx").code == 0
    before = outbox_rows(platform)
    for bad, field in (("0x12", "INCIDENT"), ("0x" + "ab" * 32, "INCIDENT: no incident")):
        refused = ledger(platform, "supervision", "suspend-grants", bad, "--key", "dsjzx")
        assert refused.code != 0 and len(refused.err.strip().splitlines()) == 1 and field in refused.err, refused.err
    assert outbox_rows(platform) == before
    done = ledger(platform, "supervision", "suspend-grants", incident_id, "--key", "dsjzx")
    assert done.code == 0, done.err
    lines = done.out.splitlines()
    for n, g in enumerate(grants, 1):
        assert any(line.startswith(f"[{n}/2] grant 0x{g.hex()}: suspended for security") for line in lines), done.out
        assert f"  0x{g.hex()}  suspended  security" in lines, done.out
    assert [(desk.record("grant", g).status, desk.record("grant", g).suspension) for g in grants] == [(2, 2)] * 2
    # The incident view shows them suspended; a second run signs nothing.
    again = ledger(platform, "supervision", "suspend-grants", incident_id, "--key", "dsjzx")
    assert again.code == 0 and again.out.count("left as it is") == 2, again.out
    assert outbox_rows(platform) == before + 2
