"""Who may read what (#11 part 6): sharing records and duties are read by their parties and the
overseers, every refusal with its code and field; the dependencies for platform-only routes.

A district on a real node: 长风新村街道 (street) applied for 民政局's (civil) data and holds the
grant; 市场监管局 (market) is a party to nothing. The Office, the Data Center and 区委网信办 (an
auditor, Art. 4) oversee; the platform's services read with the platform credential. Officers log
in with real keys registered on-chain, SM2 and ECDSA."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import Caller, CallerDep, MaybeCallerDep, Platform, PlatformDep, require_role
from tests.api import test_sharing_api
from tests.api.auth_helpers import PLATFORM, login
from tests.api.test_sharing_api import Api

api = test_sharing_api.api  # the fixture of the sharing API tests, under its own name here

OFFICER_ONLY = ("officer_only", "Authorization")


@pytest.fixture
def district(api: Api):
    """The granted demand and a token for everyone: {name: headers}."""
    desk = api.desk
    desk.auditor = desk.unit("PT-WXB", "auditor", "区委网信办")
    demand_id = api.apply(api.application())
    api.done(api.decide(desk.civil, demand_id, 0))
    anonymous = TestClient(create_app(runtime=api.runtime)).__enter__()
    who = {
        "street": login(anonymous, desk.street.sm2),  # the demand unit signs in with SM2
        "civil": login(anonymous, desk.civil.ecdsa),
        "market": login(anonymous, desk.market.sm2),
        "office": login(anonymous, desk.office.ecdsa),
        "data_center": login(anonymous, desk.data_center.sm2),
        "auditor": login(anonymous, desk.auditor.ecdsa),
        "platform": PLATFORM,
        "nobody": {},
    }
    yield anonymous, who, demand_id
    anonymous.__exit__(None, None, None)


def answers(client, who: dict, path: str, **params) -> dict[str, tuple]:
    """Each caller's (status, error code, error field) for GET `path`; (200, None, None) when read."""
    out = {}
    for name, headers in who.items():
        response = client.get(path, params=params, headers=headers)
        error = response.json().get("error") if response.status_code != 200 else None
        out[name] = (response.status_code, error and error["code"], error and error["field"])
    return out


def expect(readers: set[str], refusal: tuple, everyone: dict) -> dict:
    return {
        name: (200, None, None)
        if name in readers
        else (401, "not_authenticated", "Authorization")
        if name == "nobody"
        else (403, *refusal)
        for name in everyone
    }


OVERSIGHT = {"office", "data_center", "auditor", "platform"}


def test_a_demand_and_its_grant_are_read_by_their_parties_and_the_overseers(district):
    client, who, demand_id = district
    parties = {"street", "civil"} | OVERSIGHT
    assert answers(client, who, f"/v1/demands/{demand_id}") == expect(parties, ("not_a_party", "demand_id"), who)
    for path in (f"/v1/grants/{demand_id}", f"/v1/grants/{demand_id}/history"):
        assert answers(client, who, path) == expect(parties, ("not_a_party", "grant_id"), who), path
    refused = client.get(f"/v1/grants/{demand_id}", headers=who["market"]).json()["error"]["message"]
    assert refused == (
        f"grant_id: unit {_unit(client, who['market'])} is not a party to {demand_id} "
        "(neither the demand unit nor an owner of the data asked for)"
    )
    # an unknown demand is a 404 for anyone who may read demands at all
    unknown = "0x" + "ee" * 32
    assert client.get(f"/v1/demands/{unknown}", headers=who["market"]).status_code == 404


def _unit(client, headers) -> str:
    return client.get("/v1/auth/me", headers=headers).json()["unit_id"]


def test_a_units_inbox_and_grants_are_its_own(district, api):
    client, who, _ = district
    civil, street = api.desk.civil.unit_hex, api.desk.street.unit_hex
    assert answers(client, who, f"/v1/units/{civil}/incoming-demands") == expect(
        {"civil"} | OVERSIGHT, ("unit_not_allowed", "unit_id"), who
    )
    assert answers(client, who, f"/v1/units/{street}/grants") == expect(
        {"street"} | OVERSIGHT, ("unit_not_allowed", "unit_id"), who
    )
    assert answers(client, who, f"/v1/units/{street}/demands") == expect(
        {"street"} | OVERSIGHT, ("unit_not_allowed", "unit_id"), who
    )
    [applied] = client.get(f"/v1/units/{street}/demands", headers=who["street"]).json()["items"]
    assert applied["unit_id"] == street and applied["items"][0]["owner_unit_id"] == civil
    [grant] = client.get(f"/v1/units/{street}/grants", headers=who["street"]).json()["items"]
    assert grant["status"] == "active"


def test_duties_are_the_units_own_and_the_overseers_see_all(district, api):
    client, who, _ = district
    civil = api.desk.civil.unit_hex

    def duties(headers, path="/v1/duties", **params):
        response = client.get(path, params={"limit": 100, **params}, headers=headers)
        assert response.status_code == 200, response.json()
        return response.json()["items"]

    of_civil = duties(who["civil"])
    assert of_civil and {d["unit_id"] for d in of_civil} == {civil}
    assert of_civil == duties(who["office"], unit_id=civil) == duties(who["auditor"], unit_id=civil)
    assert of_civil == duties(who["civil"], unit_id=civil.upper().replace("0X", "0x"))
    everyone = duties(who["data_center"])
    assert {d["unit_id"] for d in everyone} > {civil}
    assert duties(who["platform"]) == everyone
    assert answers(client, {"market": who["market"]}, "/v1/duties", unit_id=civil) == {
        "market": (403, "unit_not_allowed", "unit_id")
    }
    assert answers(client, who, f"/v1/units/{civil}/duties") == expect(
        {"civil"} | OVERSIGHT, ("unit_not_allowed", "unit_id"), who
    )


def test_the_check_is_the_platforms_or_the_units_own(district, api):
    client, who, _ = district
    asked = {
        "unit_id": api.desk.street.unit_hex,
        "entry_id": "0x" + api.civil_entry[0].hex(),
        "version": 1,
        "items": ["姓名"],
        "scenario": "低保审核",
        "method": "interface",
    }
    got = answers(client, who, "/v1/sharing/check", **asked)
    assert got == expect({"street"} | OVERSIGHT, ("unit_not_allowed", "unit_id"), who)
    bad = client.get("/v1/sharing/check", params=asked, headers={"Authorization": "Bearer not-the-credential"})
    assert (bad.status_code, bad.json()["error"]["code"]) == (401, "token_invalid")


def test_a_revoked_key_reads_nothing_more(district, api):
    client, who, demand_id = district
    assert client.get(f"/v1/demands/{demand_id}", headers=who["street"]).status_code == 200
    api.desk.revoke(api.desk.street.sm2.key_id)
    response = client.get(f"/v1/demands/{demand_id}", headers=who["street"])
    assert (response.status_code, response.json()["error"]["code"]) == (401, "key_revoked")


# --- the dependencies other routers use: platform-only, officer-only, by role


def guarded_app(runtime) -> FastAPI:
    """The app with three routes that use the dependencies as the usage log's routers do."""
    router = APIRouter()

    @router.post("/test/platform-only")
    async def platform_only(platform: PlatformDep) -> dict:
        assert isinstance(platform, Platform)
        return {"ok": True}

    @router.get("/test/officer-only")
    def officer_only(caller: CallerDep) -> dict:
        return {"unit_id": caller.unit_id}

    @router.get("/test/public-part")
    def public_part(caller: MaybeCallerDep) -> dict:
        return {"unit_id": caller.unit_id if caller else None}

    @router.get("/test/regulators")
    def regulators(caller: Annotated[Caller, require_role("office", "auditor")]) -> dict:
        return {"role": caller.role}

    app = create_app(runtime=runtime)
    app.include_router(router)
    return app


@pytest.fixture
def guarded(api):
    with TestClient(guarded_app(api.runtime)) as client:
        yield client


def test_platform_only_routes_refuse_officers_and_officer_routes_refuse_the_platform(district, guarded):
    _, who, _ = district
    client = guarded
    for name, headers in who.items():
        response = client.post("/test/platform-only", headers=headers)
        error = response.json().get("error") or {}
        if name == "platform":
            assert response.json() == {"ok": True}
        elif name == "nobody":
            assert (response.status_code, error["code"]) == (401, "not_authenticated")
        else:
            assert (response.status_code, error["code"], error["field"]) == (403, "platform_only", "Authorization")
        response = client.get("/test/officer-only", headers=headers)
        error = response.json().get("error") or {}
        if name == "platform":
            assert (response.status_code, error["code"], error["field"]) == (403, *OFFICER_ONLY)
        elif name != "nobody":
            assert response.status_code == 200 and response.json()["unit_id"] == _unit(client, headers)
    response = client.post("/test/platform-only", headers={"Authorization": "Bearer a-guess"})
    assert (response.status_code, response.json()["error"]["code"]) == (401, "credential_invalid")
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_a_route_with_a_public_part(district, guarded):
    _, who, _ = district
    assert guarded.get("/test/public-part").json() == {"unit_id": None}
    assert guarded.get("/test/public-part", headers=who["civil"]).json() == {"unit_id": _unit(guarded, who["civil"])}
    response = guarded.get("/test/public-part", headers={"Authorization": "Bearer pt1.forged.token"})
    assert (response.status_code, response.json()["error"]["code"]) == (401, "token_invalid")
    response = guarded.get("/test/public-part", headers=PLATFORM)
    assert (response.status_code, response.json()["error"]["code"]) == (403, "officer_only")


def test_require_role(district, guarded):
    _, who, _ = district
    client = guarded
    for name in ("office", "auditor"):
        assert client.get("/test/regulators", headers=who[name]).json() == {"role": name}
    for name in ("data_center", "civil"):
        response = client.get("/test/regulators", headers=who[name])
        assert (response.status_code, response.json()["error"]["code"]) == (403, "role_not_allowed")
    role = "data_center"
    assert client.get("/test/regulators", headers=who[role]).json()["error"]["message"] == (
        f"Authorization: this needs an officer of office or auditor; the key's unit is {role}"
    )
    with pytest.raises(ValueError, match="unknown roles"):
        require_role("admin")


def test_a_refusal_to_collect_is_the_units_own_and_the_overseers(district, api):
    """Art. 11: a refusal names a unit's failing, for the Office to report: the unit and the
    overseers read it, another unit reads none of it. Responsibilities lists, designations and the
    Office's settings are published: anyone reads them."""
    from catalog.responsibility_documents import SCHEMA_BY_KIND, fields
    from chain import responsibilities as resp
    from chain.actions import fresh_nonce
    from signer.canonical import canonical_bytes
    from tests.api.helpers import confirmed

    client, who, _ = district
    desk = api.desk
    civil = desk.civil.unit_hex
    kind, refusal_id = resp.ActionKind.RECORD_REFUSAL, b"\x0f" * 32
    document = {"schema": "putuo.refusal/1", "unit_id": civil, "data": "低保家庭住房数据", "ground": "no_legal_basis"}
    subject, target, code, value = fields(kind, SCHEMA_BY_KIND[kind].model_validate(document), subject=refusal_id)
    action = resp.sign(
        resp.ResponsibilityAction(kind, subject, canonical_bytes(document), fresh_nonce(), target, code, value),
        desk.data_center.action_key,
        chain_id=desk.chain_id,
        address=desk.system.deployment.responsibilities,
    )
    body = {
        "kind": kind.name.lower(),
        "subject": "0x" + refusal_id.hex(),
        "document": document,
        "nonce": str(action.nonce),
        "signature": "0x" + action.signature.hex(),
    }
    posted = api.client.post("/v1/responsibilities/actions", json=body)
    assert posted.status_code == 202, posted.json()
    confirmed(api.client, posted.json()["action_id"])

    def seen(headers, **params) -> tuple:
        response = client.get("/v1/refusals", params=params, headers=headers)
        if response.status_code != 200:
            return response.status_code, response.json()["error"]["code"], response.json()["error"]["field"]
        return 200, [r["refusal_id"] for r in response.json()]

    mine = ["0x" + refusal_id.hex()]
    for name in ("civil", "office", "data_center", "auditor", "platform"):
        assert seen(who[name]) == (200, mine), name
    assert seen(who["civil"], unit_id=civil) == (200, mine)
    assert seen(who["market"]) == (200, [])  # its own: none
    assert seen(who["market"], unit_id=civil) == (403, "unit_not_allowed", "unit_id")
    assert seen(who["nobody"]) == (401, "not_authenticated", "Authorization")
    for path in ("/v1/responsibilities", "/v1/designations", "/v1/settings"):
        assert client.get(path).status_code == 200, path
