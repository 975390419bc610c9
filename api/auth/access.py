"""Who may read which sharing and duty records: the parties and the overseers (Art. 4, 30).

A unit reads its own records: a demand or grant it is a party to (the demand unit, which holds
the grant, and each unit whose data an item asks for), the demands addressed to it, its grants,
its duties. The Office, the Data Center and the regulators (unit kind `auditor`) read every
unit's (`Caller.oversees_all`), and so do the platform's own services (the platform credential:
they run beside the mirror the answers come from). The catalog, the register of units and keys, the scenario register
and the evaluation stay readable by anyone who reaches the API: they are published within the
district for units to find data, check signatures and apply (Art. 11, 19, 32).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.service import Caller, Platform
from api.errors import ApiError
from mirror.sharing_models import SharingDemand, SharingItem


def oversees_all(caller: Caller | Platform) -> bool:
    """The platform's services, the Office, the Data Center and the regulators read every unit's records."""
    return isinstance(caller, Platform) or caller.oversees_all


def require_unit(caller: Caller | Platform, unit_id: str, field: str = "unit_id") -> None:
    """403 `unit_not_allowed` unless `unit_id`'s records are the caller's to read (the platform's always are)."""
    if isinstance(caller, Platform) or caller.may_see(unit_id):
        return
    raise ApiError(
        403,
        "unit_not_allowed",
        f"{field}: {unit_id.lower()} is another unit's; an officer of {caller.unit_id} ({caller.role}) "
        "reads only its own unit's records",
        field,
    )


def demand_parties(session: Session, demand_id: str) -> set[str]:
    """The demand unit and the owner of each item asked for; empty for an unknown demand."""
    demand_id = demand_id.lower()
    demand_unit = session.scalar(select(SharingDemand.unit_id).where(SharingDemand.demand_id == demand_id))
    if demand_unit is None:
        return set()
    owners = session.scalars(select(SharingItem.owner_unit_id).where(SharingItem.demand_id == demand_id))
    return {demand_unit, *owners}


def require_party(caller: Caller | Platform, session: Session, demand_id: str, field: str) -> None:
    """403 `not_a_party` unless the caller's unit is a party to the demand (a grant's id is its
    demand's) or oversees all. An unknown demand passes: the query answers its 404."""
    if oversees_all(caller):
        return
    parties = demand_parties(session, demand_id)
    if parties and caller.unit_id not in parties:
        raise ApiError(
            403,
            "not_a_party",
            f"{field}: unit {caller.unit_id} is not a party to {demand_id.lower()} (neither the demand "
            "unit nor an owner of the data asked for)",
            field,
        )
