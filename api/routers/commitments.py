"""Commitments (承诺书, Art. 18): verify an officer's signature; optionally, the platform signs."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api import schemas
from api.auth import CallerDep, current_caller
from api.deps import RuntimeDep
from api.errors import ApiError
from api.responses import INVALID_FIELD, NODE_DOWN
from api.services import commitments

# Bad parameters are answered with ErrorBody (api/errors.py), not FastAPI's default 422 body.
router = APIRouter(
    prefix="/v1/commitments",
    tags=["commitments"],
    responses={
        **INVALID_FIELD,
        **NODE_DOWN,
    },
)


async def platform_signing_enabled(runtime: RuntimeDep) -> None:
    """Refuses before the body is read when the platform holds no keys to sign with.

    `async`: it does no I/O, so it need not cost a thread-pool hop (as in api/deps.py)."""
    if not runtime.settings.platform_signing:
        raise ApiError(
            403,
            "platform_signing_disabled",
            "the platform signing service is off: sign on the "
            "officer's machine (`ledger sign`) and POST /v1/commitments/verify",
            None,
        )


@router.post("/verify", response_model=schemas.CommitmentVerification)
def verify_commitment(runtime: RuntimeDep, body: schemas.CommitmentVerifyRequest) -> schemas.CommitmentVerification:
    """Check a commitment signed on the officer's machine against the key registered on-chain.

    The private key never reaches the platform: the officer signs with `ledger sign` (SM2 or
    ECDSA) and sends the commitment with its detached signature. 200 with `valid: false` and a
    `reason_code` when it does not verify; 422 when either object is malformed.
    """
    return commitments.verify(
        w3=runtime.w3, registry_address=runtime.deployment.registry, document=body.document, signature=body.signature
    )


@router.post(
    "/sign",
    response_model=schemas.SignedCommitment,
    # The officer first (401 before anything else, as a missing credential should be), then the switch.
    dependencies=[Depends(current_caller), Depends(platform_signing_enabled)],
    responses={
        401: {"model": schemas.ErrorBody, "description": "No officer's token, or not a valid one (api/auth)"},
        403: {
            "model": schemas.ErrorBody,
            "description": "`platform_signing_disabled`; `unit_mismatch`: the key is another unit's",
        },
        404: {"model": schemas.ErrorBody, "description": "The platform holds no such key"},
        409: {"model": schemas.ErrorBody, "description": "The key is not registered, or revoked"},
    },
)
def sign_commitment(
    runtime: RuntimeDep, caller: CallerDep, body: schemas.CommitmentSignRequest
) -> schemas.SignedCommitment:
    """The platform signing service (Art. 18), only when LEDGER_PLATFORM_SIGNING is on, for an
    authenticated officer (`Authorization: Bearer`, from `POST /v1/auth/token`), and only for the
    officer's own unit: the key must be registered to the caller's unit.

    Signs with the officer's key held in the platform keystore; the platform sets the signing
    unit (the key's registered unit) and `signed_at` (now).
    """
    return commitments.sign(
        settings=runtime.settings,
        w3=runtime.w3,
        registry_address=runtime.deployment.registry,
        demand_id=body.demand_id,
        officer_key_id=body.officer_key_id,
        scenario=body.scenario,
        caller_unit_id=caller.unit_id,
    )
