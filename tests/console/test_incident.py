"""A unit's data security incident in Chromium (Art. 29): the street's officer reports one from its
workspace — severity, what happened, the grant concerned, the measures taken, to the Office and two
regulators — signed in the browser with its ECDSA key; records a step of its handling; closes it (an
empty closure refused in the page first). The chain's record and events say who signed each."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from chain.client import contract_at
from signer.keystore import save_key
from tests.api.auth_helpers import PLATFORM
from tests.api.test_sharing_api import Api
from tests.console.conftest import run_script, serving
from tests.console.test_journey import named
from tests.sharing_desk import SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N

LARGER = 2  # ISupervision.Severity


def events_of(desk: SharingDesk, tx: str, name: str) -> list:
    receipt = desk.w3.eth.get_transaction_receipt(tx)
    assert receipt["status"] == 1
    return [e for e in desk.events(receipt) if e.name == name]


def test_a_unit_reports_handles_and_closes_an_incident_in_the_browser(system, tmp_path):
    desk = SharingDesk(system)
    with serving(system, tmp_path, desk) as platform, TestClient(create_app(runtime=platform.runtime)) as c:
        c.headers.update(PLATFORM)
        api = Api(desk, c, platform.runtime)
        grant_id = api.apply(api.application(scenario_class=1))
        api.synced()
        street = save_key(
            named(desk.street.ecdsa, "cfjd"), PASSWORD, directory=tmp_path / "keys", scrypt_n=TEST_SCRYPT_N
        )

        out = run_script("incident.mjs", CONSOLE_URL=platform.url, STREET_KEY=str(street), PASSWORD=PASSWORD)
        api.synced()
        [incident] = c.get("/v1/supervision/incidents").json()
        record = contract_at(system.w3, "Supervision", system.deployment.supervision).functions
        on_chain = record.incident(bytes.fromhex(out["incidentId"][2:])).call()

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    assert out["emptyReport"] == "请填写：事件概况、已采取的处置措施"
    assert out["emptyClosure"] == "请填写：事件原因、处置结论"
    signer = desk.street.ecdsa.key_id.lower()
    # Reported: the id the page derived is the chain's, signed by the street's key, as typed.
    [reported] = events_of(desk, out["reportTx"], "IncidentReported")
    assert reported.args["incidentId"].hex() == out["incidentId"][2:] == incident["incident_id"][2:]
    assert (reported.args["signer"].lower(), reported.args["severity"]) == (signer, LARGER)
    assert reported.args["unitId"] == desk.street.unit_id
    document = incident["reported"]["document"]
    assert document["grants"] == [grant_id] and document["reported_to"] == [
        "district_office",
        "cyberspace",
        "public_security",
    ]
    assert document["summary"] == "共享接口账号异常批量调用，疑似口令泄露"
    assert incident["reported"]["proof"]["tx_hash"] == out["reportTx"]
    # Handled, then closed, each by the same key; the contract's record counts them.
    [handled] = events_of(desk, out["handlingTx"], "IncidentHandlingRecorded")
    [closed] = events_of(desk, out["closeTx"], "IncidentClosed")
    assert handled.args["signer"].lower() == closed.args["signer"].lower() == signer
    unit_id, severity, occurred_at, reported_at, closed_at, handlings, _ = on_chain
    assert (unit_id, severity, handlings) == (desk.street.unit_id, LARGER, 1)
    assert 0 < occurred_at <= reported_at <= closed_at
    assert incident["state"] == "closed" and incident["closure"]["document"]["cause"] == "接口账号口令强度不足"
    assert [h["document"]["progress"] for h in incident["handling"]] == ["已更换全部接口账号口令并复核调用日志"]
    assert "已结案" in out["stateText"]
