"""GET /v1/catalog/entries/{id}/adjustment (Art. 14): the live grants an adjustment plan must name,
and the plans and acknowledgements recorded, for the entry's unit, the overseers and a holder."""

from __future__ import annotations

from chain.sharing import StepKind
from tests.api.auth_helpers import login
from tests.api.test_sharing_api import Api, api  # noqa: F401 (the fixture)


def test_the_plan_names_the_live_grants_and_its_acknowledgements_follow(api: Api):  # noqa: F811
    entry = "0x" + api.civil_entry[0].hex()
    empty = api.get(f"/v1/catalog/entries/{entry}/adjustment")
    assert empty == {"entry_id": entry, "live_grants": [], "steps": []}
    grant_id = api.apply(api.application(scenario_class=1))
    plan = {
        "schema": "putuo.adjustment-plan/1",
        "entry_id": entry,
        "change": "增加保障类别字段",
        "affected_grants": [grant_id],
        "notified_units": [api.desk.street.unit_hex],
        "plan": "授权迁移到变更后的版本",
        "disposition": "move",
    }
    api.step(api.desk.civil, StepKind.RECORD_ADJUSTMENT_PLAN, plan)
    for officer in (api.desk.data_center, api.desk.street):  # the plan formed together
        api.step(
            officer,
            StepKind.ACKNOWLEDGE_ADJUSTMENT,
            {"schema": "putuo.adjustment-acknowledgement/1", "entry_id": entry},
        )
    api.synced()
    seen = api.get(f"/v1/catalog/entries/{entry}/adjustment")
    assert seen["live_grants"] == [{"grant_id": grant_id, "unit_id": api.desk.street.unit_hex, "status": "active"}]
    kinds = [(s["kind"], s["unit_id"]) for s in seen["steps"]]
    assert kinds == [
        ("record_adjustment_plan", api.desk.civil.unit_hex),
        ("acknowledge_adjustment", api.desk.data_center.unit_hex),
        ("acknowledge_adjustment", api.desk.street.unit_hex),
    ]
    # A unit holding no grant on the entry sees the plan, and no one's grants.
    market = api.client.get(f"/v1/catalog/entries/{entry}/adjustment", headers=login(api.client, api.desk.market.ecdsa))
    assert market.status_code == 200 and market.json()["live_grants"] == [] and len(market.json()["steps"]) == 3
    assert api.client.get(f"/v1/catalog/entries/0x{'00' * 31}01/adjustment").json()["steps"] == []
