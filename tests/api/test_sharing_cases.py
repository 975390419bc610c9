"""GET /v1/sharing/cases: the Office's open cases (Art. 23, 24), each kind in one query.

A demand refused in full may go to the city; a dispute over its item is open until coordinated;
an escalation until the city's answer is recorded. Each step is taken through the API and read
back as a case, with the step that opened it; a unit sees the cases of its own demands only."""

from __future__ import annotations

from chain.sharing import StepKind
from tests.api.auth_helpers import login
from tests.api.test_sharing_api import api  # noqa: F401 - the fixture
from tests.sharing import examples

BASIS = "《中华人民共和国个人信息保护法》第十三条"


def cases(driver, kind: str, headers: dict | None = None) -> list[tuple]:
    response = driver.client.get("/v1/sharing/cases", params={"kind": kind, "limit": 100}, headers=headers)
    assert response.status_code == 200, response.json()
    page = response.json()
    assert page["total"] == len(page["items"]) and page["has_more"] is False
    return [(c["demand_id"], c["item"], c["step"]["kind"] if c["step"] else None) for c in page["items"]]


def test_a_refused_demand_its_dispute_and_its_escalation_are_cases_until_closed(api):  # noqa: F811
    desk = api.desk
    demand_id = api.apply(api.application(application_no="普数需〔2026〕31号"))
    refused = api.decide(
        desk.civil,
        demand_id,
        0,
        decision="reject",
        reason_code="legal_basis",
        legal_basis=BASIS,
        reason="含个人敏感信息",
    )
    api.done(refused)
    assert cases(api, "sendable") == [(demand_id, None, None)]
    assert cases(api, "dispute") == [] and cases(api, "escalation") == []

    api.step(desk.street, StepKind.OPEN_DISPUTE, examples.dispute(demand_id=demand_id, item=0))
    [dispute] = api.get("/v1/sharing/cases", kind="dispute")["items"]
    assert (dispute["demand_id"], dispute["item"], dispute["kind"]) == (demand_id, 0, "dispute")
    assert (dispute["unit_id"], dispute["owner_unit_id"]) == (desk.street.unit_hex, desk.civil.unit_hex)
    assert dispute["application_no"] == "普数需〔2026〕31号"
    history = api.get(f"/v1/grants/{demand_id}/history")["steps"]
    assert dispute["step"] == history[-1] and dispute["step"]["kind"] == "open_dispute"

    # Who sees it: the parties (the demand unit, the owner of the item) and the overseers.
    for officer, seen in ((desk.street, 1), (desk.civil, 1), (desk.market, 0), (desk.office, 1)):
        assert len(cases(api, "dispute", login(api.client, officer.action_key))) == seen, officer

    api.step(desk.office, StepKind.RESOLVE_DISPUTE, examples.dispute_resolution(demand_id=demand_id, outcome="upheld"))
    assert cases(api, "dispute") == []
    api.step(desk.office, StepKind.ESCALATE, examples.escalation(demand_id=demand_id))
    assert cases(api, "sendable") == [] and cases(api, "escalation") == [(demand_id, None, "escalate")]
    api.step(desk.office, StepKind.RECORD_ESCALATION_OUTCOME, examples.escalation_outcome(demand_id=demand_id))
    assert cases(api, "escalation") == [] and cases(api, "sendable") == []  # sent once: no longer sendable

    # A second dispute on the same item, once the first was coordinated, is a case again.
    api.step(desk.civil, StepKind.OPEN_DISPUTE, examples.dispute(demand_id=demand_id, about="shareability"))
    assert cases(api, "dispute") == [(demand_id, 0, "open_dispute")]


def test_an_unknown_kind_is_refused_naming_the_field(api):  # noqa: F811
    response = api.client.get("/v1/sharing/cases", params={"kind": "appeal"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "kind"
