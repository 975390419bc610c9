"""The transactional outbox: accepted signed actions, relayed in batches until mirrored.

An action is `accepted` once stored, `sent` once in a transaction, `confirmed` when the
indexer mirrors its event, `rejected` when the contract skipped it in a batch. Whatever was
accepted but is not on-chain is sent again on start and after `resend_after_s`; the
contract's nonces make resending harmless.
"""

from __future__ import annotations

import logging
import threading
import time

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak
from sqlalchemy import func, select, update
from sqlalchemy.orm import sessionmaker

from chain.actions import ACTION_ABI, CatalogAction, encode_execute
from chain.client import Sender
from mirror.models import OutboxAction

log = logging.getLogger(__name__)

EXECUTE_BATCH_SELECTOR = keccak(text=f"executeBatch({ACTION_ABI}[])")[:4]
# Gas is bounded from each action's size instead of estimated: an estimate executes the whole
# batch once more on the node, halving what the relayer can send. The bound is about twice what
# an action costs (≈170k gas for a 1.2 KB submission, calldata and log at most 24 gas a byte);
# an action starved of gas would fail inside `executeBatch`'s try/catch and be reported rejected.
GAS_PER_ACTION = 300_000
GAS_PER_DOCUMENT_BYTE = 64
GAS_BATCH_OVERHEAD = 100_000
GAS_BUDGET = 50_000_000  # below the node's 60M block gas limit


def _within_gas_budget(rows: list[OutboxAction]) -> tuple[list[OutboxAction], int]:
    """The longest prefix of `rows` whose gas bound fits one block, and that bound."""
    gas, taken = GAS_BATCH_OVERHEAD, []
    for row in rows:
        bound = GAS_PER_ACTION + GAS_PER_DOCUMENT_BYTE * len(row.payload)
        if taken and gas + bound > GAS_BUDGET:
            break
        gas += bound
        taken.append(row)
    return taken, gas


def encode_action(action: CatalogAction) -> bytes:
    """The outbox payload: the ABI-encoded SignedAction (the calldata of `execute` minus its selector)."""
    return encode_execute(action)[4:]


def decode_action(payload: bytes) -> tuple:
    return abi_decode([ACTION_ABI], payload)[0]


class Relayer:
    """Moves outbox rows onto the chain."""

    def __init__(self, sessions: sessionmaker, sender: Sender, catalog, *, batch_max: int, resend_after_s: float):
        self.sessions = sessions
        self.sender = sender
        self.catalog = catalog
        self.batch_max = batch_max
        self.resend_after_s = resend_after_s
        self._wake = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def wait(self, timeout: float) -> None:
        self._wake.wait(timeout)
        self._wake.clear()

    def recover(self, *, sent_before: float | None = None) -> int:
        """Return unconfirmed actions (sent before `sent_before`, default all) whose nonce is
        still unused on-chain to `accepted`."""
        with self.sessions.begin() as session:
            query = select(OutboxAction).where(OutboxAction.status == "sent")
            if sent_before is not None:
                query = query.where(OutboxAction.sent_at < sent_before)
            rows = session.scalars(query).all()
            requeued = 0
            for row in rows:
                if not self.catalog.functions.nonceUsed(row.signer, int(row.nonce)).call():
                    row.status, row.tx_hash, row.sent_at = "accepted", None, None
                    requeued += 1
        if requeued:
            log.info("outbox: %d accepted actions were not on-chain; sending them again", requeued)
        return requeued

    def step(self) -> bool:
        """Send one batch of accepted actions; True when there was anything to do."""
        self._requeue_stale()
        with self.sessions() as session:
            rows = session.scalars(
                select(OutboxAction).where(OutboxAction.status == "accepted").order_by(OutboxAction.id).limit(self.batch_max)
            ).all()
        if not rows:
            return False
        rows, gas = _within_gas_budget(rows)
        calldata = EXECUTE_BATCH_SELECTOR + abi_encode([f"{ACTION_ABI}[]"], [[decode_action(r.payload) for r in rows]])
        tx_hash = self.sender.send_data(self.catalog.address, calldata, gas=gas, wait=False)
        with self.sessions.begin() as session:
            session.execute(
                update(OutboxAction)
                .where(OutboxAction.id.in_([r.id for r in rows]), OutboxAction.status == "accepted")
                .values(status="sent", tx_hash=tx_hash.to_0x_hex(), sent_at=time.time())
            )
        return True

    def _requeue_stale(self) -> None:
        cutoff = time.time() - self.resend_after_s
        with self.sessions() as session:
            stale = session.scalars(
                select(OutboxAction.id).where(OutboxAction.status == "sent", OutboxAction.sent_at < cutoff).limit(1)
            ).first()
        if stale is not None:
            self.recover(sent_before=cutoff)

    def pending(self) -> int:
        """How many accepted actions are not yet confirmed."""
        with self.sessions() as session:
            return session.scalar(
                select(func.count()).select_from(OutboxAction).where(OutboxAction.status.in_(("accepted", "sent")))
            )
