"""Bearer tokens: what an officer holds after signing a challenge, and nothing the platform stores.

A token is `pt1.` ‖ base64url(payload) ‖ `.` ‖ base64url(HMAC-SHA256(key, "pt1." ‖ base64url(payload))),
unpadded, the payload a JSON object: `aud` (the API), `sub` (the officer's key id), `unit` (its
registered unit), `role` (the unit's kind in the registry), `scheme`, `iat`, `exp` (unix seconds
of the platform's clock), `jti` (random). The key is derived from the platform's secret for tokens
alone. The token is only a cache of what the registry said at login: every use checks again that
the key is active (api/auth/service.py), so a revocation on-chain ends it at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

PREFIX = "pt1."
TOKEN_KEY_TAG = b"putuo.auth.token/1"
MAX_TOKEN_CHARS = 2048


@dataclass(frozen=True)
class TokenClaims:
    audience: str
    key_id: str
    unit_id: str
    role: str
    scheme: str
    issued_at: int
    expires_at: int
    token_id: str


class TokenInvalid(ValueError):
    """Raised when a string is not a token this platform issued, unchanged."""


def token_key(secret: bytes) -> bytes:
    """The MAC key of tokens, separate from the challenge's (api/auth/challenge.py)."""
    return hmac.new(secret, TOKEN_KEY_TAG, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(key: bytes, claims: TokenClaims) -> str:
    payload = {
        "aud": claims.audience,
        "sub": claims.key_id,
        "unit": claims.unit_id,
        "role": claims.role,
        "scheme": claims.scheme,
        "iat": claims.issued_at,
        "exp": claims.expires_at,
        "jti": claims.token_id,
    }
    signed = PREFIX + _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return signed + "." + _b64(hmac.new(key, signed.encode("ascii"), hashlib.sha256).digest())


def new_token_id() -> str:
    return _b64(secrets.token_bytes(12))


def decode(key: bytes, token: str) -> TokenClaims:
    """The claims of `token` if its MAC holds; expiry and audience are the caller's checks.

    Raises TokenInvalid (never anything else) for any other string."""
    if not token.startswith(PREFIX) or len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        raise TokenInvalid("not a token of this platform")
    signed, _, mac = token.rpartition(".")
    try:
        expected = hmac.new(key, signed.encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(_unb64(mac), expected):
            raise TokenInvalid("the token's MAC does not match: it was changed, or issued by another platform")
        payload = json.loads(_unb64(signed[len(PREFIX) :]))
        return TokenClaims(
            audience=str(payload["aud"]),
            key_id=str(payload["sub"]),
            unit_id=str(payload["unit"]),
            role=str(payload["role"]),
            scheme=str(payload["scheme"]),
            issued_at=int(payload["iat"]),
            expires_at=int(payload["exp"]),
            token_id=str(payload["jti"]),
        )
    except TokenInvalid:
        raise
    except (ValueError, KeyError, TypeError, UnicodeError) as exc:  # binascii.Error is a ValueError
        raise TokenInvalid(f"the token is malformed ({type(exc).__name__})") from None
