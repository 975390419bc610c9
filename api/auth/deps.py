"""Dependency aliases for routes that need to know who calls (as api/deps.py for the runtime).

    def route(caller: CallerDep): ...                                 # any active officer
    def route(caller: Annotated[Caller, require_role("office", "auditor")]): ...
    def route(platform: PlatformDep): ...                             # the platform's services only
    def route(who: PrincipalDep): ...                                 # an officer or the platform

Both kinds of credential travel as `Authorization: Bearer …`: an officer's token (it starts with
`pt1.`, api/auth/tokens.py) or the platform credential (LEDGER_PLATFORM_CREDENTIAL). An officer's
token on a platform-only route is 403 `platform_only`; the platform credential on an officer's
route is 403 `officer_only`; no or a bad credential is 401 with `WWW-Authenticate`.

`current_caller` is a plain `def`: checking the key against the registry is one blocking
`eth_call`, which belongs in the thread pool, not on the event loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.auth import tokens
from api.auth.service import ROLES, Caller, Platform
from api.deps import RuntimeDep
from api.errors import ApiError

officer_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="officerToken",
    description="An officer's token from `POST /v1/auth/token` (or `ledger login`): "
    "`Authorization: Bearer pt1.…`. Checked against the UnitRegistry at every use.",
)
platform_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="platformCredential",
    description="The platform's own services (the share service): `Authorization: Bearer` "
    "with LEDGER_PLATFORM_CREDENTIAL.",
)
Credentials = HTTPAuthorizationCredentials | None


def _missing(what: str) -> ApiError:
    error = ApiError(401, "not_authenticated", f"Authorization: {what} (Authorization: Bearer …)", "Authorization")
    error.headers = {"WWW-Authenticate": "Bearer"}
    return error


def _officer(runtime, credentials: Credentials) -> Caller:
    if credentials is None:
        raise _missing("this needs an officer's token from POST /v1/auth/token (`ledger login`)")
    token = credentials.credentials
    if not token.startswith(tokens.PREFIX) and runtime.auth.is_platform(token):
        raise ApiError(
            403,
            "officer_only",
            "Authorization: this route is for officers, not the platform's services",
            "Authorization",
        )
    return runtime.auth.authenticate(token)


def current_caller(runtime: RuntimeDep, credentials: Annotated[Credentials, Depends(officer_bearer)]) -> Caller:
    """The officer whose token this is, its key active in the registry now."""
    return _officer(runtime, credentials)


def maybe_caller(runtime: RuntimeDep, credentials: Annotated[Credentials, Depends(officer_bearer)]) -> Caller | None:
    """As `current_caller`, but None when no credential is sent (a route with a public part).
    A credential that is sent must be a valid officer's token."""
    return None if credentials is None else _officer(runtime, credentials)


async def current_platform(
    runtime: RuntimeDep, credentials: Annotated[Credentials, Depends(platform_bearer)]
) -> Platform:
    """The platform's own services, by the platform credential (no I/O: a constant-time compare)."""
    if credentials is None:
        raise _missing("this route is for the platform's services: send the platform credential")
    if runtime.auth.is_platform(credentials.credentials):
        return Platform()
    if runtime.auth.officer_claims(credentials.credentials) is not None:
        raise ApiError(
            403,
            "platform_only",
            "Authorization: this route is for the platform's services, not officers",
            "Authorization",
        )
    error = ApiError(401, "credential_invalid", "Authorization: not the platform credential", "Authorization")
    error.headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    raise error


async def current_principal(
    runtime: RuntimeDep, credentials: Annotated[Credentials, Depends(officer_bearer)]
) -> Caller | Platform:
    """An officer or the platform, whichever the credential is. `async`, for hot async routes (the
    gateway's check): the platform is known with no I/O on the loop; only an officer's token goes
    to the thread pool for its registry check."""
    if credentials is not None and runtime.auth.is_platform(credentials.credentials):
        return Platform()
    return await run_in_threadpool(_officer, runtime, credentials)


def require_role(*roles: str):
    """A dependency giving the caller if its unit's role is one of `roles` (403 `role_not_allowed` if not).

    Roles are the registry's unit kinds: office, data_center, ordinary, auditor (the regulators)."""
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"require_role: unknown roles {sorted(unknown)}; roles are {ROLES}")

    async def dependency(caller: CallerDep) -> Caller:
        if caller.role not in roles:
            raise ApiError(
                403,
                "role_not_allowed",
                f"Authorization: this needs an officer of {' or '.join(roles)}; the key's unit is {caller.role}",
                "Authorization",
            )
        return caller

    return Depends(dependency)


CallerDep = Annotated[Caller, Depends(current_caller)]
MaybeCallerDep = Annotated[Caller | None, Depends(maybe_caller)]
PlatformDep = Annotated[Platform, Depends(current_platform)]
PrincipalDep = Annotated[Caller | Platform, Depends(current_principal)]
