"""Bad input to the sharing routes: a 4xx with a stable code naming the field, never a 500,
and nothing stored anywhere."""

from __future__ import annotations

import pytest

from chain.sharing import StepKind
from tests.api.helpers import error_of, outbox_count
from tests.api.test_sharing_api import Api, api  # noqa: F401 - the fixture
from tests.sharing import examples

ID = "0x" + "de" * 32


def _bodies(a: Api) -> list[tuple[str, str, dict, str]]:
    """(name, path, body, the field the error must name)."""
    good = a.application()
    signed = a.signed(a.desk.street, StepKind.APPLY, good, a.commitment(good))
    body = {k: v for k, v in signed.items() if k != "kind"}
    return [
        (
            "missing Art. 17 element",
            "/v1/demands",
            {**body, "document": {**good, "business_goal": None}},
            "document.business_goal",
        ),
        ("wrong type", "/v1/demands", {**body, "document": {**good, "resources": "MZJ-0001"}}, "document.resources"),
        (
            "frequency without reason",
            "/v1/demands",
            {**body, "document": {**good, "frequency": "annual"}},
            "document.frequency_reason",
        ),
        ("bad signature encoding", "/v1/demands", {**body, "signature": "0xzz"}, "signature"),
        ("short signature", "/v1/demands", {**body, "signature": "0x" + "11" * 64}, "signature"),
        (
            "malformed commitment",
            "/v1/demands",
            {**body, "commitment": {"document": {}, "signature": {}}},
            "commitment",
        ),
        ("unknown kind", "/v1/sharing/actions", {"actions": [{**signed, "kind": "approve_everything"}]}, "kind"),
        (
            "decision for another path",
            f"/v1/demands/{ID}/items/0/decision",
            {"document": examples.decision(demand_id="0x" + "ab" * 32), "nonce": "7", "signature": "0x" + "11" * 65},
            "document.demand_id",
        ),
        (
            "oversized document",
            "/v1/demands",
            {**body, "document": {**good, "business_goal": "长" * 40_000}},
            "document.business_goal",
        ),
    ]


def test_every_bad_body_is_a_4xx_naming_its_field_with_nothing_stored(api):  # noqa: F811
    before = outbox_count(api.runtime)
    for name, path, body, field in _bodies(api):
        response = api.client.post(path, json=body)
        assert 400 <= response.status_code < 500, (name, response.status_code, response.json())
        error = error_of(response)
        assert field in (error["field"] or "") or field in error["message"], (name, error)
    assert outbox_count(api.runtime) == before


@pytest.mark.parametrize("path", [f"/v1/demands/{ID}", f"/v1/grants/{ID}", f"/v1/grants/{ID}/history"])
def test_unknown_ids_are_404(api, path):  # noqa: F811
    response = api.client.get(path)
    assert response.status_code == 404 and error_of(response)["code"] in ("unknown_demand", "unknown_grant")


@pytest.mark.parametrize(
    "path", [f"/v1/demands/{ID}/items/0/finalise", f"/v1/grants/{ID}/suspend-idle", f"/v1/grants/{ID}/finalise-lapse"]
)
def test_time_steps_on_unknown_subjects_are_refused_with_the_contracts_error(api, path):  # noqa: F811
    response = api.client.post(path)
    assert response.status_code == 404, response.json()
    assert error_of(response)["contract_error"] in ("SharingUnknownDemand", "SharingUnknownGrant")


def test_malformed_check_parameters_are_422(api):  # noqa: F811
    response = api.client.get(
        "/v1/sharing/check", params={"unit_id": "0x12", "entry_id": ID, "scenario": "s", "method": "fax"}
    )
    assert response.status_code == 422 and error_of(response)["field"] in ("unit_id", "method")
