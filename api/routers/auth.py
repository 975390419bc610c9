"""Logging in: an officer signs a challenge with a key registered on-chain and gets a token."""

from __future__ import annotations

from eth_utils import to_checksum_address
from fastapi import APIRouter

from api import schemas
from api.auth import CallerDep
from api.auth import schemas as a
from api.auth.challenge import Challenge
from api.deps import RuntimeDep
from api.responses import INVALID_FIELD, NODE_DOWN
from api.services.officer_signatures import parse_action_signature

router = APIRouter(
    prefix="/v1/auth",
    tags=["auth"],
    responses={
        **INVALID_FIELD,
        **NODE_DOWN,
    },
)
REFUSED = {
    400: {"model": schemas.ErrorBody, "description": "`bad_signature_encoding`, `bad_signature`: malformed"},
    401: {
        "model": schemas.ErrorBody,
        "description": "`key_not_registered`, `key_revoked` (the UnitRegistry, now); for a token also "
        "`challenge_invalid` (not issued here, or changed), `challenge_expired`, `challenge_reused`, "
        "`signature_mismatch` (not this challenge, or not this key)",
    },
}


@router.post("/challenge", response_model=a.ChallengeIssued, responses={401: REFUSED[401]})
def challenge(runtime: RuntimeDep, body: a.ChallengeRequest) -> a.ChallengeIssued:
    """A challenge for an officer key that is active in the UnitRegistry now.

    Sign its `digest` (or its `typed_data` with an EIP-712 signer) with that key and send it back
    to `POST /v1/auth/token` before `expires_at`. The platform stores nothing until then."""
    issued = runtime.auth.issue_challenge(body.key_id)
    return a.ChallengeIssued(
        challenge=a.LoginChallenge(**issued.to_json()),
        typed_data=runtime.auth.typed_data(issued),
        digest="0x" + runtime.auth.digest(issued).hex(),
    )


@router.post("/token", response_model=a.TokenIssued, responses=REFUSED)
def token(runtime: RuntimeDep, body: a.TokenRequest) -> a.TokenIssued:
    """A token for a signed challenge: the challenge issued here and unexpired, signed by its key,
    the key active now, the challenge not used before (each challenge gives one token).

    The token names the key's unit and role as the registry has them, and is checked against the
    registry again at every use: a key revoked on-chain ends its tokens at their next request."""
    c = body.challenge
    issued = Challenge(to_checksum_address(c.key_id), c.audience, bytes.fromhex(c.nonce[2:]), c.issued_at, c.expires_at)
    signature = parse_action_signature(body.signature)
    token_text, caller = runtime.auth.redeem(issued, signature)
    return a.TokenIssued(token=token_text, **vars(caller))


@router.get(
    "/me",
    response_model=a.CallerPublic,
    responses={
        401: {
            "model": schemas.ErrorBody,
            "description": "`not_authenticated`, `token_invalid`, `token_expired`, `key_revoked`",
        },
        403: {"model": schemas.ErrorBody, "description": "`officer_only`: the platform credential is not an officer"},
    },
)
def me(caller: CallerDep) -> a.CallerPublic:
    """Who the token stands for, checked against the registry now."""
    return a.CallerPublic(**vars(caller))
