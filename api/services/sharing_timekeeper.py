"""The platform's timekeeper: takes the steps that only the passage of time calls for.

Silence past an owner's due time is approval (Art. 20); a grant unused for 3 months is
suspended (Art. 26: the Data Center "shall suspend"); 30 days after that notice with no
objection upheld it terminates. The contract lets anyone take these steps once they are due
and refuses them a second early, so the timekeeper only has to find candidates in the mirror
and send them; a candidate the chain refuses (taken meanwhile by someone else, or a mirror that
lags) is skipped and logged, never retried blindly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from api.errors import ApiError
from api.runtime import Runtime
from api.services.sharing_actions import run_permissionless
from chain.sharing import DECISION_GRACE_S, StepKind
from mirror.models import CatalogEntry
from mirror.sharing_models import SharingGrant, SharingGrantResource, SharingItem

log = logging.getLogger(__name__)


@dataclass
class Sweep:
    """What one pass took, by step, and what the chain refused."""

    taken: dict[str, int] = field(
        default_factory=lambda: {"finalise_item": 0, "suspend_idle": 0, "finalise_lapse": 0, "follow_adjustment": 0}
    )
    refused: int = 0

    @property
    def total(self) -> int:
        return sum(self.taken.values())


def candidates(runtime: Runtime, now: int) -> list[tuple[StepKind, tuple]]:
    """The due steps the mirror knows of at chain time `now`, oldest first."""
    with runtime.store.sessions() as session:
        items = session.execute(
            select(SharingItem.demand_id, SharingItem.item)
            .where(
                SharingItem.status == "pending",
                SharingItem.uncatalogued.is_(False),
                SharingItem.due_at != 0,
                SharingItem.due_at + DECISION_GRACE_S < now,  # silence approves after the grace (Art. 20)
            )
            .order_by(SharingItem.due_at)
        ).all()
        idle = session.scalars(
            select(SharingGrant.grant_id)
            .where(SharingGrant.status == "active", SharingGrant.idle_from != 0, SharingGrant.idle_from <= now)
            .order_by(SharingGrant.idle_from)
        ).all()
        lapsed = session.scalars(
            select(SharingGrant.grant_id)
            .where(
                SharingGrant.status == "suspended",
                SharingGrant.suspension == "idle",
                SharingGrant.objection_pending.is_(False),
                SharingGrant.objection_due_at < now,
            )
            .order_by(SharingGrant.objection_due_at)
        ).all()
        # Art. 14: a live grant whose entry was deleted, changed or made not shared follows its plan.
        r, e = SharingGrantResource, CatalogEntry
        moved = session.scalars(
            select(SharingGrant.grant_id)
            .join(r, r.grant_id == SharingGrant.grant_id)
            .join(e, e.entry_id == r.entry_id)
            .where(
                SharingGrant.status != "terminated",
                or_(e.status == "deleted", e.approved_version != r.version, e.sharing == "not_shared"),
            )
            .distinct()
            .order_by(SharingGrant.grant_id)
        ).all()
    return (
        [(StepKind.FINALISE_ITEM, (bytes.fromhex(d[2:]), i)) for d, i in items]
        + [(StepKind.SUSPEND_IDLE, (bytes.fromhex(g[2:]),)) for g in idle]
        + [(StepKind.FINALISE_LAPSE, (bytes.fromhex(g[2:]),)) for g in lapsed]
        + [(StepKind.FOLLOW_ADJUSTMENT, (bytes.fromhex(g[2:]),)) for g in moved]
    )


def sweep(runtime: Runtime) -> Sweep:
    """Take every step that is due now; one transaction each, each simulated first."""
    result = Sweep()
    for kind, args in candidates(runtime, runtime.clock.now()):
        try:
            run_permissionless(runtime, kind, *args)
        except ApiError as exc:  # refused by the contract: taken meanwhile, or not due on-chain yet
            log.info("timekeeper: %s %s not taken: %s", kind.name.lower(), "0x" + args[0].hex(), exc.message)
            result.refused += 1
            continue
        result.taken[kind.name.lower()] += 1
    if result.total:
        log.info("timekeeper: took %s", result.taken)
    return result
