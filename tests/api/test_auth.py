"""Logging in (POST /v1/auth/challenge, /token) with real SM2 and ECDSA keys registered on a real
node, and every refusal: of the challenge, of the token request, and of a token at its use."""

from __future__ import annotations

import contextlib
import itertools

import pytest
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import tokens
from chain.signatures import sign_digest
from signer.keys import SigningKey
from tests.api.auth_helpers import login, signed_token_request
from tests.api.conftest import make_runtime
from tests.signer.registry_helpers import District

ROLES = {"office": "PT-QFB", "data_center": "PT-DSJZX", "ordinary": "PT-MZJ", "auditor": "PT-WXB"}


@pytest.fixture
def district(system) -> District:
    district = District(system)
    for role, code in ROLES.items():
        district.unit(code, role)
    return district


def officer(district: District, role: str = "ordinary"):
    """A fresh officer of the unit of `role`, with an ECDSA and an SM2 key registered."""
    return district.officer(district.registry.functions.unitIdOf(ROLES[role]).call())


@pytest.fixture
def api(system, tmp_path):
    """make(**settings) → (client, runtime) of an API over `system`; login needs no relayer."""
    count = itertools.count()
    with contextlib.ExitStack() as stack:

        def make(**overrides):
            runtime = make_runtime(system, tmp_path / f"api{next(count)}", **overrides)
            stack.callback(runtime.stop)
            return stack.enter_context(TestClient(create_app(runtime=runtime))), runtime

        yield make


@pytest.fixture
def client(api):
    return api()[0]


def error(response) -> tuple[int, str, str | None]:
    body = response.json()["error"]
    return response.status_code, body["code"], body["field"]


@pytest.mark.parametrize("scheme", ["sm2", "ecdsa"])
def test_every_role_logs_in_and_the_token_names_the_registry_facts(client, district, scheme):
    for role in ROLES:
        person = officer(district, role)
        key = person.sm2 if scheme == "sm2" else person.ecdsa
        response = client.post("/v1/auth/token", json=signed_token_request(client, key))
        assert response.status_code == 200, response.json()
        issued = response.json()
        assert issued["token"].startswith("pt1.") and issued["token_type"] == "Bearer"
        me = client.get("/v1/auth/me", headers={"Authorization": f"Bearer {issued['token']}"})
        assert me.status_code == 200
        assert me.json() == {
            "key_id": to_checksum_address(key.key_id),
            "unit_id": person.unit_hex,
            "role": role,
            "scheme": scheme,
            "expires_at": issued["expires_at"],
        }


def test_the_challenge_is_standard_eip712_bound_to_the_registry_and_the_api(api, district, system):
    client, runtime = api(auth_audience="https://ledger.putuo.example/")
    person = officer(district)
    answer = client.post("/v1/auth/challenge", json={"key_id": person.ecdsa.key_id}).json()
    typed = answer["typed_data"]
    assert typed["domain"] == {
        "name": "PutuoLedgerLogin",
        "version": "1",
        "chainId": system.w3.eth.chain_id,
        "verifyingContract": system.deployment.registry,
    }
    assert typed["primaryType"] == "PutuoLogin"
    challenge = answer["challenge"]
    assert typed["message"] == {
        "keyId": challenge["key_id"],
        "audience": "https://ledger.putuo.example",
        "nonce": challenge["nonce"],
        "issuedAt": challenge["issued_at"],
        "expiresAt": challenge["expires_at"],
    }
    assert challenge["expires_at"] - challenge["issued_at"] == 120
    # eth_account's own EIP-712 encoder (what a wallet signs) gives the digest the API gives
    signable = encode_typed_data(full_message=typed)
    assert "0x" + keccak(b"\x19" + signable.version + signable.header + signable.body).hex() == answer["digest"]
    # and an ECDSA signature of it made by eth_account as a wallet makes it logs in
    from eth_account import Account

    signed = Account.sign_message(signable, person.ecdsa.private_key)
    token = client.post("/v1/auth/token", json={"challenge": challenge, "signature": "0x" + signed.signature.hex()})
    assert token.status_code == 200, token.json()


def test_a_challenge_for_an_unknown_or_revoked_key_is_refused(client, district):
    stranger = SigningKey.generate("ecdsa")
    response = client.post("/v1/auth/challenge", json={"key_id": stranger.key_id})
    assert error(response) == (401, "key_not_registered", "key_id")
    person = officer(district)
    district.revoke(person.sm2.key_id)
    response = client.post("/v1/auth/challenge", json={"key_id": person.sm2.key_id})
    assert error(response) == (401, "key_revoked", "key_id")
    response = client.post("/v1/auth/challenge", json={"key_id": "0x12"})
    assert error(response) == (422, "invalid_request", "key_id")


def test_a_challenge_is_single_use(client, district):
    person = officer(district)
    body = signed_token_request(client, person.sm2)
    assert client.post("/v1/auth/token", json=body).status_code == 200
    assert error(client.post("/v1/auth/token", json=body)) == (401, "challenge_reused", "challenge.nonce")


def test_a_challenge_redeemed_twice_at_once_gives_one_token(client, district):
    """Single use holds under concurrency: the nonce is spent by a unique insert, not a read-then-write."""
    from concurrent.futures import ThreadPoolExecutor

    person = officer(district)
    for _ in range(3):
        body = signed_token_request(client, person.ecdsa)
        with ThreadPoolExecutor(4) as pool:
            statuses = sorted(pool.map(lambda b: client.post("/v1/auth/token", json=b).status_code, [body] * 4))
        assert statuses == [200, 401, 401, 401]


def test_an_expired_challenge_is_refused(api, district):
    client, runtime = api()
    person = officer(district)
    body = signed_token_request(client, person.ecdsa)
    runtime.auth.clock = lambda: body["challenge"]["expires_at"]
    response = client.post("/v1/auth/token", json=body)
    assert error(response) == (401, "challenge_expired", "challenge.expires_at")
    assert response.json()["error"]["message"].startswith("challenge.expires_at: the challenge expired 0 s ago")


@pytest.mark.parametrize(
    "change",
    [
        {"expires_at": 2**40},  # a longer life than issued
        {"issued_at": 1},
        {"audience": "http://elsewhere:8000"},
        {"nonce": "0x" + "00" * 32},
    ],
    ids=["expires_at", "issued_at", "audience", "nonce"],
)
def test_a_changed_challenge_is_not_the_one_issued(client, district, change):
    person = officer(district)
    body = signed_token_request(client, person.ecdsa)
    body["challenge"].update(change)
    # re-signed over the changed message, so that only the challenge's MAC can tell
    from api.auth.challenge import Challenge

    c = body["challenge"]
    changed = Challenge(c["key_id"], c["audience"], bytes.fromhex(c["nonce"][2:]), c["issued_at"], c["expires_at"])
    body["signature"] = "0x" + sign_digest(person.ecdsa, client.app.state.runtime.auth.digest(changed)).hex()
    assert error(client.post("/v1/auth/token", json=body)) == (401, "challenge_invalid", "challenge")


def test_another_platforms_challenge_is_refused(api, district):
    """Same secret, another audience (a test platform beside the real one): refused by audience."""
    theirs, _ = api(auth_audience="http://test-platform:8000")
    ours, _ = api()
    person = officer(district)
    body = signed_token_request(theirs, person.ecdsa)
    assert error(ours.post("/v1/auth/token", json=body)) == (401, "challenge_invalid", "challenge.audience")
    other_secret, _ = api(auth_secret="x" * 40)
    body = signed_token_request(ours, person.ecdsa)
    assert error(other_secret.post("/v1/auth/token", json=body)) == (401, "challenge_invalid", "challenge")


@pytest.mark.parametrize("scheme", ["sm2", "ecdsa"])
def test_a_wrong_signature_is_refused_and_spends_nothing(client, district, scheme):
    person, other = officer(district), officer(district)
    key, other_key = (person.sm2, other.sm2) if scheme == "sm2" else (person.ecdsa, other.ecdsa)
    body = signed_token_request(client, key)
    good = body["signature"]
    # signed by another registered officer's key
    body["signature"] = "0x" + sign_digest(other_key, bytes.fromhex(signed_digest(client, body)[2:])).hex()
    assert error(client.post("/v1/auth/token", json=body)) == (401, "signature_mismatch", "signature")
    # the right key over another message (an action digest, say)
    body["signature"] = "0x" + sign_digest(key, keccak(b"another message")).hex()
    assert error(client.post("/v1/auth/token", json=body)) == (401, "signature_mismatch", "signature")
    body["signature"] = "0x1234"
    assert error(client.post("/v1/auth/token", json=body)) == (400, "bad_signature_encoding", "signature")
    body["signature"] = good  # none of the refusals spent the challenge
    assert client.post("/v1/auth/token", json=body).status_code == 200


def signed_digest(client, body) -> str:
    from api.auth.challenge import Challenge

    c = body["challenge"]
    issued = Challenge(c["key_id"], c["audience"], bytes.fromhex(c["nonce"][2:]), c["issued_at"], c["expires_at"])
    return "0x" + client.app.state.runtime.auth.digest(issued).hex()


def test_a_key_revoked_between_challenge_and_token_is_refused(client, district):
    person = officer(district)
    body = signed_token_request(client, person.sm2)
    district.revoke(person.sm2.key_id)
    assert error(client.post("/v1/auth/token", json=body)) == (401, "key_revoked", "challenge.key_id")


# --- a token at its use


def test_no_token_is_401_with_www_authenticate(client):
    response = client.get("/v1/auth/me")
    assert error(response) == (401, "not_authenticated", "Authorization")
    assert response.headers["www-authenticate"] == "Bearer"
    response = client.get("/v1/auth/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert error(response) == (401, "not_authenticated", "Authorization")


def test_a_revoked_key_ends_its_token_at_the_next_use(client, district):
    person = officer(district)
    headers = login(client, person.ecdsa)
    sm2_headers = login(client, person.sm2)
    assert client.get("/v1/auth/me", headers=headers).status_code == 200
    district.revoke(person.ecdsa.key_id)
    response = client.get("/v1/auth/me", headers=headers)
    assert error(response) == (401, "key_revoked", "Authorization")
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token", error_description="key_revoked"'
    assert client.get("/v1/auth/me", headers=sm2_headers).status_code == 200  # the officer's other key


def test_an_expired_token_is_refused(api, district):
    client, runtime = api(auth_token_ttl_s=60)
    headers = login(client, officer(district).sm2)
    me = client.get("/v1/auth/me", headers=headers).json()
    runtime.auth.clock = lambda: me["expires_at"]
    assert error(client.get("/v1/auth/me", headers=headers)) == (401, "token_expired", "Authorization")


def test_a_tampered_token_is_refused(client, district):
    person = officer(district, "ordinary")
    token = login(client, person.ecdsa)["Authorization"].removeprefix("Bearer ")
    prefix, payload, mac = token.split(".")
    claims = tokens._unb64(payload).replace(b'"role":"ordinary"', b'"role":"office"')
    assert claims != tokens._unb64(payload)
    forged = f"{prefix}.{tokens._b64(claims)}.{mac}"
    for bad in (forged, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), token + "x", "pt1.a.b", "pt1."):
        response = client.get("/v1/auth/me", headers={"Authorization": f"Bearer {bad}"})
        assert error(response) == (401, "token_invalid", "Authorization"), bad


def test_another_platforms_token_is_refused(api, district):
    ours, _ = api()
    theirs, _ = api(auth_secret="another platform's secret, 32+ chars")
    elsewhere, _ = api(auth_audience="http://elsewhere:8000")
    person = officer(district)
    for other in (theirs, elsewhere):
        headers = login(other, person.ecdsa)
        assert error(ours.get("/v1/auth/me", headers=headers)) == (401, "token_invalid", "Authorization")
