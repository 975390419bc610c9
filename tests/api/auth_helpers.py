"""Logging in as a test officer: the challenge signed with a real key, as `ledger login` signs it."""

from __future__ import annotations

from api.settings import DEV_PLATFORM_CREDENTIAL
from chain.signatures import sign_digest
from signer.keys import SigningKey


def signed_token_request(client, key: SigningKey) -> dict:
    """A challenge for `key` from the API, signed by `key`: the body of POST /v1/auth/token."""
    issued = client.post("/v1/auth/challenge", json={"key_id": key.key_id})
    assert issued.status_code == 200, issued.json()
    signature = sign_digest(key, bytes.fromhex(issued.json()["digest"][2:]))
    return {"challenge": issued.json()["challenge"], "signature": "0x" + signature.hex()}


def login(client, key: SigningKey) -> dict:
    """Headers that authenticate as `key`'s officer."""
    response = client.post("/v1/auth/token", json=signed_token_request(client, key))
    assert response.status_code == 200, response.json()
    return {"Authorization": f"Bearer {response.json()['token']}"}


# The platform's services' credential in development and test (api/settings.py): tests that look
# at what the views answer, not at who may see them, read as the platform, which sees every unit's.
PLATFORM = {"Authorization": f"Bearer {DEV_PLATFORM_CREDENTIAL}"}


def anonymous(api):
    """A client on the same app that sends no credential (the fixture's client reads as the platform)."""
    from fastapi.testclient import TestClient

    return TestClient(api.client.app)
