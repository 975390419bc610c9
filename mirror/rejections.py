"""The one handler for an action `executeBatch` skipped, whichever contract skipped it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import insert, update

from chain.errors import ActionRevertedError
from chain.events import EventRecord
from chain.reverts import decode_revert
from mirror.documents import hex0x
from mirror.models import OutboxAction, RejectedAction

if TYPE_CHECKING:
    from mirror.apply import ApplyContext


# A resent copy of an action that is already on-chain is refused with these: the first copy stands.
NONCE_USED_ERRORS = frozenset({"CatalogNonceUsed", "SharingNonceUsed"})


def action_rejected(ctx: ApplyContext, ev: EventRecord) -> None:
    """An action `executeBatch` skipped (`CatalogActionRejected`, `SharingActionRejected`): kept
    with its error, and its outbox row marked rejected unless it was a resent copy."""
    digest = hex0x(ev.args["digest"])
    try:
        reverted = decode_revert(ev.args["reason"])
    except Exception:  # noqa: BLE001 - a known selector with malformed arguments
        reverted = ActionRevertedError("UnknownRevert", {"data": hex0x(ev.args["reason"])}, ev.args["reason"])
    error = str(reverted)
    ctx.conn.execute(insert(RejectedAction).values(position=ev.position, digest=digest, error=error,
                                                   block_number=ev.block_number, tx_hash=ev.tx_hash))  # fmt: skip
    if reverted.error in NONCE_USED_ERRORS:
        return
    ctx.conn.execute(
        update(OutboxAction)
        .where(OutboxAction.digest == digest, OutboxAction.status != "confirmed")
        .values(status="rejected", error=error)
    )
