"""`GET /v1/deployment` (and `/healthz`) say which chain and contracts an auditor audits."""

from __future__ import annotations

from eth_utils import keccak


def test_the_deployment_names_every_contract_with_its_code_hash(client, runtime, system):
    body = client.get("/v1/deployment").json()
    record = system.deployment
    assert (body["chain_id"], body["deploy_block"], body["deploy_block_hash"], body["office"]) == (
        record.chain_id,
        record.deploy_block,
        record.deploy_block_hash,
        record.office,
    )
    addresses = {c["name"]: c["address"] for c in body["contracts"]}
    assert addresses == {
        "UnitRegistry": record.registry,
        "WorkCalendar": record.calendar,
        "Catalog": record.catalog,
        "Sharing": record.sharing,
        # Sharing's logic libraries: their code runs as Sharing's, so an auditor checks it too.
        "SharingDemands": record.sharing_demands,
        "SharingGrants": record.sharing_grants,
        "SharingCases": record.sharing_cases,
        "Responsibilities": record.responsibilities,
        "UsageLog": record.usage_log,
        "DataQuality": record.data_quality,
        "Supervision": record.supervision,
    }
    for contract in body["contracts"]:
        code = bytes(system.w3.eth.get_code(contract["address"]))
        assert (contract["code_hash"], contract["code_size"]) == ("0x" + keccak(code).hex(), len(code)) and code
    assert client.get("/healthz").json()["deployment"] == body
