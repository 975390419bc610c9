"""`ledger quality` (Art. 16): an update frequency declared by the entry's unit, an objection raised
by a using unit and handled by the entry's unit, signed on the officers' machines and confirmed on
a real node; a bad document or a refused step is one line and a non-zero exit, nothing sent."""

from __future__ import annotations

from chain.actions import entry_id_for
from tests.api.conftest import wait_for
from tests.ledger_cli import test_officer_journey as journey
from tests.ledger_cli.test_officer_journey import entry_document, ledger, outbox_rows, proof, write

platform = journey.platform  # the same fixture: the district's API on a free port, officers' keystore


def test_an_objection_is_raised_by_a_user_and_handled_by_the_entrys_unit(platform):
    document = entry_document("MZJ-0201")
    assert ledger(platform, "catalog", "submit", write(platform, "e.json", document), "--key", "mzj").code == 0
    entry = "0x" + entry_id_for(platform.desk.civil.unit_id, "MZJ-0201").hex()
    assert ledger(platform, "catalog", "review", entry, "1", "--approve", "--key", "dsjzx").code == 0
    head = platform.system.w3.eth.block_number
    wait_for(lambda: platform.runtime.store.cursor()[0] >= head)

    stated = document["update_frequency"]
    other = "daily" if stated != "daily" else "weekly"
    declaration = {"schema": "putuo.update-frequency/1", "entry_id": entry, "update_frequency": other}
    before = outbox_rows(platform)
    wrong = ledger(platform, "quality", "declare", write(platform, "f.json", declaration), "--key", "mzj")
    assert wrong.code != 0 and len(wrong.err.strip().splitlines()) == 1 and "update_frequency" in wrong.err, wrong.err
    assert outbox_rows(platform) == before
    declaration["update_frequency"] = stated
    declared = ledger(platform, "quality", "declare", write(platform, "f.json", declaration), "--key", "mzj")
    assert declared.code == 0, declared.err
    assert proof(declared.out)["entry"] == entry

    objection = {
        "schema": "putuo.objection/1",
        "entry_id": entry,
        "source": "using_unit",
        "description": "2 条记录的认定日期晚于保障金发放日期",
    }
    # A using unit objects under its grant on the entry (Art. 16): none named, one line, nothing sent.
    before = outbox_rows(platform)
    bare = ledger(platform, "quality", "object", write(platform, "o.json", objection), "--key", "scjgj")
    assert bare.code != 0 and len(bare.err.strip().splitlines()) == 1 and "grant_id" in bare.err, bare.err
    assert outbox_rows(platform) == before
    desk = platform.desk
    desk.collect(bytes.fromhex(entry[2:]))
    desk.ensure_scenario("低保审核", 1)
    grant_id, _ = desk.apply(
        desk.market,
        [desk.resource(desk.civil, (bytes.fromhex(entry[2:]), 1))],
        application_no="CF-2026-201",
        scenario_class=1,
    )
    assert desk.record("grant", grant_id).status == 1  # GrantStatus.Active
    objection["grant_id"] = "0x" + grant_id.hex()
    raised = ledger(platform, "quality", "object", write(platform, "o.json", objection), "--key", "scjgj")
    assert raised.code == 0, raised.err
    objection_id = proof(raised.out)["objection"]
    handling = {
        "schema": "putuo.objection-handling/1",
        "objection_id": objection_id,
        "outcome": "confirmed",
        "verification": "与低保审批档案逐条核对，认定日期无误",
    }
    # Only the entry's unit handles it: the contract's refusal, one line.
    refused = ledger(platform, "quality", "handle", write(platform, "h.json", handling), "--key", "scjgj")
    assert refused.code != 0 and len(refused.err.strip().splitlines()) == 1, refused.err
    handled = ledger(platform, "quality", "handle", write(platform, "h.json", handling), "--key", "mzj")
    assert handled.code == 0, handled.err
    assert ledger(platform, "login", "--key", "mzj").code == 0
    listed = ledger(platform, "quality", "objections")
    assert listed.code == 0, listed.err
    assert objection_id in listed.out and "handled_on_time" in listed.out and "confirmed" in listed.out
