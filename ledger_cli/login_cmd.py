"""`ledger login`: sign the API's login challenge on this machine and keep the token it gives.

The challenge is checked before anything is signed: it is for this key and for the API at
`--api` (its audience; a challenge relayed from another API is refused), and the EIP-712 digest
is computed here from the challenge itself (api/auth/challenge.py), never taken from the API.
"""

from __future__ import annotations

from datetime import datetime

import typer

from api.auth import challenge as login_challenge
from chain.signatures import sign_digest
from ledger_cli import officer_actions as oa
from ledger_cli._api import Api, OfficerActionError
from ledger_cli._tokens import api_origin, save_token
from signer.registry import SHANGHAI


class ChallengeMismatchError(OfficerActionError):
    """Raised when the API's login challenge is not for this key, this API, or its own typed data."""


def _checked(answer: dict, key_id: str, api_url: str) -> bytes:
    """The digest to sign, derived here from the API's challenge once every field is as expected."""
    c = answer.get("challenge") or {}
    try:
        challenge = login_challenge.Challenge(
            key_id=str(c["key_id"]),
            audience=str(c["audience"]),
            nonce=bytes.fromhex(str(c["nonce"])[2:]),
            issued_at=int(c["issued_at"]),
            expires_at=int(c["expires_at"]),
        )
        typed = answer["typed_data"]
        domain = typed["domain"]
        chain_id, registry = int(domain["chainId"]), str(domain["verifyingContract"])
    except (KeyError, TypeError, ValueError):
        raise ChallengeMismatchError("the API's login challenge is malformed; refusing to sign") from None
    if challenge.key_id.lower() != key_id.lower():
        raise ChallengeMismatchError(f"the API's challenge is for key {challenge.key_id}, not {key_id}")
    if challenge.audience != api_origin(api_url):
        raise ChallengeMismatchError(
            f"the challenge is for the API at {challenge.audience!r}, not {api_origin(api_url)!r}: refusing to sign a "
            "login for another address (behind a proxy, the platform's LEDGER_AUTH_AUDIENCE must be the URL used here)"
        )
    expected = login_challenge.typed_data(challenge, chain_id=chain_id, registry_address=registry)
    if typed != expected:
        raise ChallengeMismatchError("the API's EIP-712 login message differs from its challenge; refusing to sign")
    return login_challenge.digest(challenge, chain_id=chain_id, registry_address=registry)


@oa.officer_command
def login(
    key: oa.KeyOption,
    api: oa.ApiOption = oa.DEFAULT_API,
    keystore_dir: oa.KeystoreDirOption = None,
    password_fd: oa.PasswordFdOption = None,
) -> None:
    """Log in to the API as an officer: sign its challenge with KEY (SM2 or ECDSA, registered on-chain)
    and keep the token under the keystore directory (tokens/, mode 0600) for the other commands."""
    signing_key = oa.load_officer_key(key, keystore_dir, password_fd)
    with Api(api, token=False) as client:
        answer = client.post("/v1/auth/challenge", {"key_id": signing_key.key_id})
        digest = _checked(answer, signing_key.key_id, api)
        signature = sign_digest(signing_key, digest)
        issued = client.post("/v1/auth/token", {"challenge": answer["challenge"], "signature": "0x" + signature.hex()})
    path = save_token(api, issued, keystore_dir)
    until = datetime.fromtimestamp(issued["expires_at"], SHANGHAI).isoformat(timespec="seconds")
    typer.echo(f"logged in to {api_origin(api)} as {issued['key_id']} of unit {issued['unit_id']} ({issued['role']})")
    typer.echo(f"token until {until}, kept in {path}")
