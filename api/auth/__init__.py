"""Who may read what: officers authenticated by a key registered on-chain, and the platform.

Routes use the dependency aliases (`CallerDep`, `require_role(...)`, `PlatformDep`,
`PrincipalDep`, `MaybeCallerDep`); the login routes are api/routers/auth.py; the challenge's
format is docs/PROTOCOL.md's "Logging in".
"""

from api.auth.deps import (
    CallerDep,
    MaybeCallerDep,
    PlatformDep,
    PrincipalDep,
    current_caller,
    current_platform,
    require_role,
)
from api.auth.service import OVERSIGHT_ROLES, ROLES, Authenticator, Caller, Platform

__all__ = [
    "OVERSIGHT_ROLES",
    "ROLES",
    "Authenticator",
    "Caller",
    "CallerDep",
    "MaybeCallerDep",
    "Platform",
    "PlatformDep",
    "PrincipalDep",
    "current_caller",
    "current_platform",
    "require_role",
]
