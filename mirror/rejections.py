"""The one handler for an action `executeBatch` skipped, whichever contract skipped it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import insert

from chain.events import EventRecord
from chain.reverts import decode_rejection
from mirror import outbox_lifecycle
from mirror.documents import hex0x
from mirror.models import RejectedAction

if TYPE_CHECKING:
    from mirror.apply import ApplyContext


def action_rejected(ctx: ApplyContext, ev: EventRecord) -> None:
    """An action `executeBatch` skipped (`ActionRejected`, from either contract): kept
    with its error, and its outbox row marked rejected unless it was a resent copy."""
    digest = hex0x(ev.args["digest"])
    reverted = decode_rejection(ev.args["reason"])
    ctx.conn.execute(
        insert(RejectedAction).values(
            position=ev.position, digest=digest, error=str(reverted), block_number=ev.block_number, tx_hash=ev.tx_hash
        )
    )
    outbox_lifecycle.reject(ctx.conn, digest, reverted)
