"""`ledger catalog export` (Art. 12): the Data Center's supplementary catalog exported for the city
as JSON and CSV, and the export recorded on-chain, against a real API on a real node."""

from __future__ import annotations

import json

from eth_utils import keccak

from chain import responsibilities as resp
from chain.actions import entry_id_for, fresh_nonce
from chain.client import contract_at
from signer.canonical import canonical_bytes
from tests.api.conftest import wait_for
from tests.ledger_cli import test_officer_journey as journey
from tests.ledger_cli.test_officer_journey import entry_document, ledger, outbox_rows, proof, write

platform = journey.platform  # the same fixture: the district's API on a free port, officers' keystore


def approved_art12_duty(platform) -> bytes:
    """The Data Center's Art. 12 responsibility, recorded and approved on-chain directly."""
    desk, system = platform.desk, platform.system
    contract = contract_at(system.w3, "Responsibilities", system.deployment.responsibilities)
    rid = resp.responsibility_id_for(desk.data_center.unit_id, "DSJ-ZZ-12")
    for officer, kind, document in (
        (desk.data_center, resp.ActionKind.RECORD_RESPONSIBILITY, b'{"schema":"putuo.responsibility/1"}'),
        (desk.office, resp.ActionKind.REVIEW_RESPONSIBILITY, b'{"schema":"putuo.responsibility-review/1"}'),
    ):
        action = resp.sign(
            resp.ResponsibilityAction(kind, rid, document, fresh_nonce()),
            officer.action_key,
            chain_id=desk.chain_id,
            address=system.deployment.responsibilities,
        )
        system.relayer.send(contract.functions.execute(action.as_tuple()))
    return rid


def test_the_data_center_exports_the_supplementary_catalog_and_records_the_export(platform):
    rid = approved_art12_duty(platform)
    document = {
        **entry_document("DSJ-BC-01"),
        "supplementary": True,
        "responsibility": "0x" + rid.hex(),
    }
    document["source"] = {**document["source"], "method": "city_returned"}
    submitted = ledger(platform, "catalog", "submit", write(platform, "bc.json", document), "--key", "dsjzx")
    assert submitted.code == 0, submitted.err
    entry = "0x" + entry_id_for(platform.desk.data_center.unit_id, "DSJ-BC-01").hex()
    approved = ledger(platform, "catalog", "review", entry, "1", "--key", "dsjzx", "--approve")
    assert approved.code == 0, approved.err
    head = platform.system.w3.eth.block_number
    wait_for(lambda: platform.runtime.store.cursor()[0] >= head)

    out = platform.tmp / "export"
    exported = ledger(platform, "catalog", "export", "--key", "dsjzx", "--out", str(out))
    assert exported.code == 0, exported.err
    rows = proof(exported.out)
    [json_file] = out.glob("*.json")
    [csv_file] = out.glob("*.csv")
    data = json_file.read_bytes()
    assert rows["export id"] == "0x" + keccak(data).hex() and rows["JSON file"] == str(json_file)
    body = json.loads(data)
    assert canonical_bytes(body) == data  # canonical: anyone rebuilding it gets the same hash
    assert [(i["entry_id"], i["step"]) for i in body["items"]] == [(entry, "submitted"), (entry, "reviewed")]
    assert csv_file.read_bytes().startswith("\ufeff".encode())
    # On the chain: the export's hash and range, signed by the Data Center.
    contract = contract_at(platform.system.w3, "Responsibilities", platform.system.deployment.responsibilities)
    assert contract.functions.lastExport().call() == [1, body["to_block"]]
    [recorded] = wait_for(lambda: platform.runtime and _exports(platform))
    assert (recorded["export_id"], recorded["verified"]) == (rows["export id"], True)

    # A range already exported: one line, exit 1, nothing stored.
    before = outbox_rows(platform)
    again = ledger(platform, "catalog", "export", "--key", "dsjzx", "--out", str(out), "--to-block", "1")
    assert again.code == 1 and len(again.err.strip().splitlines()) == 1, again.err
    assert "to_block" in again.err or "from_block" in again.err
    assert outbox_rows(platform) == before


def _exports(platform) -> list:
    import httpx

    return httpx.get(platform.url + "/v1/catalog/supplementary/exports").json()
