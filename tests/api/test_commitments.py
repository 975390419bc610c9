"""POST /v1/commitments/verify and /sign: commitments checked against the on-chain registry."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.app import create_app
from api.settings import Settings
from chain.actions import unit_id_for
from signer.commitment import sign_commitment, validate_commitment
from signer.detached import sign_detached
from signer.keys import SigningKey
from signer.registry import local_time, signed_at_seconds
from tests.api.auth_helpers import login
from tests.api.conftest import make_runtime
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N
from tests.signer.registry_helpers import DEMAND_ID, District, commitment_for

CIVIL = "0x" + unit_id_for("PT-MZJ").hex()
MARKET = "0x" + unit_id_for("PT-SCJGJ").hex()


@pytest.fixture
def district(system) -> District:
    district = District(system)
    district.unit("PT-MZJ", "ordinary", "普陀区民政局")
    district.unit("PT-SCJGJ", "ordinary", "普陀区市场监督管理局")
    return district


@pytest.fixture
def keystore(tmp_path):
    return tmp_path / "platform-keys"


@pytest.fixture
def civil(district, keystore):
    return district.officer(bytes.fromhex(CIVIL[2:]), keystore=keystore, name="civil")


@pytest.fixture
def market(district, keystore):
    return district.officer(bytes.fromhex(MARKET[2:]), keystore=keystore, name="market")


@pytest.fixture
def api(system, tmp_path):
    """A client of an API over `system` with settings `overrides`; the verifying routes need no
    relayer or follower, so the runtime is not started."""
    count = itertools.count()
    with contextlib.ExitStack() as stack:

        def make(**overrides) -> TestClient:
            runtime = make_runtime(system, tmp_path / f"api{next(count)}", **overrides)
            stack.callback(runtime.stop)
            return stack.enter_context(TestClient(create_app(runtime=runtime)))

        yield make


@pytest.fixture
def client(api):
    return api()


def body(commitment, signature) -> dict:
    doc = commitment if isinstance(commitment, dict) else commitment.to_document()
    return {"document": doc, "signature": signature.to_json()}


def answer(
    commitment, key, *, valid=True, unit=CIVIL, name="普陀区民政局", active=True, code=None, reason=None
) -> dict:
    return {
        "valid": valid,
        "document_hash": "0x" + commitment.document_hash.hex(),
        "key_id": key.key_id,
        "scheme": key.scheme,
        "unit_id": unit,
        "unit_name": name,
        "signed_at": signed_at_seconds(commitment),
        "key_active_at_signing": active,
        "reason_code": code,
        "reason": reason,
    }


@pytest.mark.parametrize("scheme", ["sm2", "ecdsa"])
def test_a_commitment_signed_by_a_registered_key(client, civil, scheme):
    commitment = commitment_for(civil, scheme=scheme, at=civil.registered_at + 30)
    key = civil.sm2 if scheme == "sm2" else civil.ecdsa
    response = client.post("/v1/commitments/verify", json=body(commitment, sign_commitment(commitment, key)))
    assert (response.status_code, response.json()) == (200, answer(commitment, key))


def test_another_units_key_is_refused(client, civil, market):
    """The market bureau's officer signs a commitment naming the civil affairs bureau."""
    commitment = commitment_for(market, at=market.registered_at + 30, unit_id=CIVIL)
    response = client.post("/v1/commitments/verify", json=body(commitment, sign_commitment(commitment, market.sm2)))
    assert (response.status_code, response.json()) == (
        200,
        answer(
            commitment,
            market.sm2,
            valid=False,
            unit=MARKET,
            name="普陀区市场监督管理局",
            code="unit_mismatch",
            reason=f"signing_unit_id {CIVIL} is not the key's unit {MARKET} (普陀区市场监督管理局); "
            "an officer signs only for the unit the registry lists the key under",
        ),
    )


def test_the_document_changed_after_signing_is_refused(client, civil):
    commitment = commitment_for(civil, at=civil.registered_at + 30)
    signature = sign_commitment(commitment, civil.sm2)
    changed = validate_commitment({**commitment.to_document(), "scenario": "批量导出全部低保家庭信息"})
    response = client.post("/v1/commitments/verify", json=body(changed, signature))
    assert response.status_code == 200
    assert response.json() == answer(
        changed,
        civil.sm2,
        valid=False,
        code="document_changed",
        reason=(
            "document differs from the one signed; the document was changed after signing; obtain the signed version"
        ),
    )


def test_a_key_not_registered(client, civil):
    stranger = SigningKey.generate("sm2")
    commitment = dataclasses.replace(commitment_for(civil, at=civil.registered_at), officer_key_id=stranger.key_id)
    response = client.post("/v1/commitments/verify", json=body(commitment, sign_commitment(commitment, stranger)))
    assert response.json() == answer(
        commitment,
        stranger,
        valid=False,
        unit=None,
        name=None,
        active=False,
        code="key_not_registered",
        reason=response.json()["reason"],
    )
    assert response.json()["reason"].startswith(f"key {stranger.key_id} is not registered in the UnitRegistry")


def test_the_registered_sm2_key_is_used_not_the_embedded_one(client, civil):
    commitment = commitment_for(civil, at=civil.registered_at + 30)
    impostor = SigningKey.generate("sm2")
    forged = dataclasses.replace(sign_detached(commitment.canonical_bytes(), impostor), key_id=civil.sm2.key_id)
    response = client.post("/v1/commitments/verify", json=body(commitment, forged))
    assert response.status_code == 200
    assert (response.json()["valid"], response.json()["reason_code"]) == (False, "public_key_mismatch")


def test_revoked_before_signing_refused_after_signing_accepted(client, district, civil):
    early = commitment_for(civil, at=civil.registered_at + 30)
    district.increase_time(1000)
    revoked_at = district.revoke(civil.sm2.key_id)
    late = commitment_for(civil, at=revoked_at + 30)
    response = client.post("/v1/commitments/verify", json=body(early, sign_commitment(early, civil.sm2)))
    assert (response.status_code, response.json()) == (200, answer(early, civil.sm2))
    response = client.post("/v1/commitments/verify", json=body(late, sign_commitment(late, civil.sm2)))
    assert response.json() == answer(
        late,
        civil.sm2,
        valid=False,
        active=False,
        code="key_not_active_at_signing",
        reason=f"key {civil.sm2.key_id} of 普陀区民政局 was revoked at "
        f"{local_time(revoked_at)}, before the signing time {local_time(revoked_at + 30)}; "
        "a signature counts only if its key was registered and not yet revoked "
        "when it signed",
    )


def test_signature_by_another_key_than_the_commitment_names(client, civil):
    commitment = commitment_for(civil, at=civil.registered_at + 30)
    signature = sign_detached(commitment.canonical_bytes(), civil.ecdsa)  # the officer's other key
    response = client.post("/v1/commitments/verify", json=body(commitment, signature))
    assert (response.json()["valid"], response.json()["reason_code"], response.json()["key_id"]) == (
        False,
        "key_mismatch",
        civil.ecdsa.key_id,
    )


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        (lambda b: b["document"].pop("scenario"), 422, "invalid_document", "document.scenario"),
        (lambda b: b["document"].update(schema="putuo.commitment/2"), 422, "unknown_schema", "document.schema"),
        (lambda b: b["document"].update(extra=1), 422, "invalid_document", "document.extra"),
        (lambda b: b["document"].update(promises=["需求真实"]), 422, "invalid_document", "document.promises"),
        (lambda b: b["document"].update(signed_at="2026-05-06 09:30"), 422, "invalid_document", "document.signed_at"),
        (lambda b: b["signature"].update(signature="0xZZ"), 422, "invalid_signature", "signature.signature"),
        (lambda b: b["signature"].update(schema=None), 422, "unknown_schema", "signature.schema"),
        (lambda b: b["signature"].pop("user_id"), 422, "invalid_signature", "signature.user_id"),
        (lambda b: b.update(document=[1]), 422, "invalid_request", "document"),
        (lambda b: b.update(extra=1), 422, "invalid_request", "extra"),
        (lambda b: b.pop("signature"), 422, "invalid_request", "signature"),
    ],
)
def test_bad_input(client, civil, change, status, code, field):
    commitment = commitment_for(civil, at=civil.registered_at + 30)
    request = body(commitment, sign_commitment(commitment, civil.sm2))
    change(request)
    response = client.post("/v1/commitments/verify", json=request)
    error = response.json()["error"]
    assert (response.status_code, error["code"], error["field"]) == (status, code, field), error
    assert error["message"].startswith(field)


# --- the platform signing service (Art. 18) ------------------------------------------------


def sign_request(officer, key=None) -> dict:
    return {"demand_id": DEMAND_ID, "officer_key_id": (key or officer.sm2).key_id, "scenario": "核实企业登记信息"}


def test_platform_signing_is_off_by_default(client, civil):
    response = client.post("/v1/commitments/sign", json=sign_request(civil))
    assert (response.status_code, response.json()["error"]["code"]) == (401, "not_authenticated")
    client.headers.update(login(client, civil.ecdsa))
    for request in (sign_request(civil), {"not": "even a valid body"}):
        response = client.post("/v1/commitments/sign", json=request)
        assert response.status_code == 403
        assert response.json()["error"] == {
            "code": "platform_signing_disabled",
            "field": None,
            "message": "the platform signing service is off: sign on the officer's machine (`ledger sign`) "
            "and POST /v1/commitments/verify",
        }


@pytest.fixture
def platform(api, keystore, civil):
    """The signing service, with the civil affairs bureau's officer logged in (by its ECDSA key)."""
    client = api(platform_signing=True, keystore_dir=keystore, key_password=PASSWORD)
    client.headers.update(login(client, civil.ecdsa))
    return client


@pytest.mark.parametrize("scheme", ["sm2", "ecdsa"])
def test_platform_signs_with_the_officers_key_for_its_unit(platform, civil, scheme):
    key = civil.sm2 if scheme == "sm2" else civil.ecdsa
    response = platform.post("/v1/commitments/sign", json=sign_request(civil, key))
    assert response.status_code == 200, response.json()
    signed = response.json()
    commitment = validate_commitment(signed["document"])
    assert (commitment.signing_unit_id, commitment.officer_key_id, commitment.scheme, commitment.scenario) == (
        CIVIL,
        key.key_id,
        scheme,
        "核实企业登记信息",
    )
    assert signed["document_hash"] == "0x" + commitment.document_hash.hex()
    verified = platform.post(
        "/v1/commitments/verify", json={"document": signed["document"], "signature": signed["signature"]}
    )
    assert (verified.json()["valid"], verified.json()["unit_name"]) == (True, "普陀区民政局")


def test_platform_signing_refusals(platform, district, civil, keystore):
    stranger = SigningKey.generate("sm2")
    response = platform.post("/v1/commitments/sign", json={**sign_request(civil), "officer_key_id": stranger.key_id})
    assert (response.status_code, response.json()["error"]["code"], response.json()["error"]["field"]) == (
        404,
        "key_not_in_platform_keystore",
        "officer_key_id",
    )
    from signer.keystore import save_key

    save_key(stranger, PASSWORD, directory=keystore, scrypt_n=TEST_SCRYPT_N)
    response = platform.post("/v1/commitments/sign", json={**sign_request(civil), "officer_key_id": stranger.key_id})
    assert (response.status_code, response.json()["error"]["code"]) == (409, "key_not_registered")
    district.revoke(civil.sm2.key_id)
    response = platform.post("/v1/commitments/sign", json=sign_request(civil))
    assert (response.status_code, response.json()["error"]["code"]) == (409, "key_revoked")
    response = platform.post("/v1/commitments/sign", json={**sign_request(civil, civil.ecdsa), "scenario": " x"})
    assert (response.status_code, response.json()["error"]["field"]) == (422, "scenario")
    response = platform.post("/v1/commitments/sign", json={**sign_request(civil), "demand_id": "0xAB"})
    assert (response.status_code, response.json()["error"]["field"]) == (422, "demand_id")


def test_platform_keystore_with_a_wrong_password(api, keystore, civil):
    client = api(platform_signing=True, keystore_dir=keystore, key_password="not the password")
    client.headers.update(login(client, civil.ecdsa))
    response = client.post("/v1/commitments/sign", json=sign_request(civil))
    assert (response.status_code, response.json()["error"]["code"]) == (503, "platform_keystore_unavailable")
    assert "not the password" not in response.text


def test_platform_signing_needs_an_officer_and_signs_only_for_its_unit(api, platform, civil, market):
    """Art. 18: the service signs for the authenticated officer's own unit, never another's."""
    anonymous = api(platform_signing=True, keystore_dir=civil_keystore(platform), key_password=PASSWORD)
    response = anonymous.post("/v1/commitments/sign", json=sign_request(civil))
    assert (response.status_code, response.json()["error"]["code"]) == (401, "not_authenticated")
    # the civil affairs officer asks the platform to sign with the market bureau's key
    response = platform.post("/v1/commitments/sign", json=sign_request(market))
    assert (response.status_code, response.json()["error"]) == (
        403,
        {
            "code": "unit_mismatch",
            "field": "officer_key_id",
            "message": f"officer_key_id: {market.sm2.key_id} is registered to unit {MARKET}, not the "
            f"caller's unit {CIVIL}; the platform signs only for the caller's own unit",
        },
    )
    # the market bureau's own officer may
    anonymous.headers.update(login(anonymous, market.ecdsa))
    response = anonymous.post("/v1/commitments/sign", json=sign_request(market))
    assert response.status_code == 200, response.json()
    assert validate_commitment(response.json()["document"]).signing_unit_id == MARKET
    # the platform's own credential is not an officer
    response = anonymous.post(
        "/v1/commitments/sign",
        json=sign_request(market),
        headers={"Authorization": "Bearer putuo-ledger-development-platform-credential"},
    )
    assert (response.status_code, response.json()["error"]["code"]) == (403, "officer_only")


def civil_keystore(client) -> object:
    return client.app.state.runtime.settings.keystore_dir


def test_settings_refuse_platform_signing_without_a_password_outside_development(monkeypatch):
    monkeypatch.delenv("LEDGER_KEY_PASSWORD", raising=False)
    safe = {
        "relayer_key": "0x" + "11" * 32,
        "office_key": "0x" + "22" * 32,
        "database_url": "sqlite://",
        "auth_secret": "33" * 32,
        "platform_credential": "44" * 32,
    }
    for env in ("test", "production"):
        # pydantic wraps the validator's InsecureSettingsError (a ValueError) in its ValidationError
        with pytest.raises(
            ValidationError,
            match=f"refusing to start in {env}: LEDGER_PLATFORM_SIGNING needs "
            "LEDGER_KEY_PASSWORD for the platform keystore",
        ):
            Settings(env=env, platform_signing=True, **safe)
        assert Settings(env=env, platform_signing=True, key_password="s3cret-pass", **safe).platform_signing
    assert Settings(env="development", platform_signing=True).key_password is None
    assert Settings(env="production", **safe).platform_signing is False
