"""Units and their officer keys, from the mirror."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api import schemas
from api.deps import SessionDep
from api.responses import INVALID_PARAMETER
from api.services import queries

# Bad parameters are answered with ErrorBody (api/errors.py), not FastAPI's default 422 body.
router = APIRouter(
    prefix="/v1/units",
    tags=["units"],
    responses=INVALID_PARAMETER,
)


@router.get("", response_model=list[schemas.UnitPublic])
def list_units(session: SessionDep) -> list[schemas.UnitPublic]:
    """Every registered unit."""
    return [schemas.UnitPublic.model_validate(u, from_attributes=True) for u in queries.units(session)]


@router.get("/{unit_id}/keys", response_model=list[schemas.KeyPublic], responses={404: {"model": schemas.ErrorBody}})
def list_keys(
    session: SessionDep, unit_id: Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{64}$")]
) -> list[schemas.KeyPublic]:
    """A unit's officer keys, revoked ones included (what they signed stays verifiable)."""
    return [
        schemas.KeyPublic(
            key_id=k.key_id,
            unit_id=k.unit_id,
            scheme=k.scheme,
            public_key=k.public_key,
            registered_at=k.registered_at,
            revoked_at=k.revoked_at,
            active=k.revoked_block is None,
        )
        for k in queries.unit_keys(session, unit_id)
    ]
