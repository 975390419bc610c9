"""A using unit's data objection in Chromium (Art. 16). The street holds a grant on the civil affairs
bureau's entry; its officer objects, from the grants in its workspace, to the data received under it
(an empty objection refused in the page first), signed with its ECDSA key. The objection is read
back from the chain — its entry, its grant, its source, the bureau as the unit that must handle it
by its due time — and the bureau finds it among the objections to its data."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from signer.keystore import save_key
from tests.api.auth_helpers import PLATFORM
from tests.api.test_sharing_api import Api
from tests.console.conftest import run_script, serving
from tests.console.test_data_quality import event_of
from tests.console.test_journey import named
from tests.sharing_desk import SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N

USING_UNIT = 3  # IDataQuality.ObjectionSource


def test_a_using_unit_objects_to_the_data_of_its_grant_in_the_browser(system, tmp_path):
    desk = SharingDesk(system)
    with serving(system, tmp_path, desk) as platform, TestClient(create_app(runtime=platform.runtime)) as c:
        c.headers.update(PLATFORM)
        api = Api(desk, c, platform.runtime)
        grant_id = api.apply(api.application(scenario_class=1))
        street = save_key(
            named(desk.street.ecdsa, "cfjd"), PASSWORD, directory=tmp_path / "keys", scrypt_n=TEST_SCRYPT_N
        )

        out = run_script(
            "grant-objection.mjs",
            CONSOLE_URL=platform.url,
            STREET_KEY=str(street),
            PASSWORD=PASSWORD,
            GRANT_ID=grant_id,
        )
        api.synced()
        objections = api.get("/v1/quality/objections", unit_id=desk.civil.unit_hex)

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    assert out["entryOptions"] == ["低保对象信息"]
    assert out["emptyObjection"] == "异议内容：请写明哪些记录、哪些字段有误（第十六条）"
    raised = event_of(desk, out["objectionTx"], "ObjectionRaised")
    assert "0x" + raised.args["objectionId"].hex() == out["objectionId"]
    assert (raised.args["entryId"], raised.args["unitId"], raised.args["raiserUnit"]) == (
        api.civil_entry[0],
        desk.civil.unit_id,
        desk.street.unit_id,
    )
    assert ("0x" + raised.args["grantId"].hex(), raised.args["source"]) == (grant_id, USING_UNIT)
    assert raised.args["signer"].lower() == desk.street.ecdsa.key_id.lower() and raised.args["dueAt"] > 0
    assert [o["objection_id"] for o in objections] == [out["objectionId"]]
