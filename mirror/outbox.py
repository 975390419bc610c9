"""The relayer of the transactional outbox: accepted signed actions, sent in batches.

Its rows move through `mirror.outbox_lifecycle` (accepted → sent here; confirmed or rejected
by the mirror). Whatever was sent but is not on-chain is sent again on start and after
`resend_after_s`; the contract's nonces make resending harmless.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.orm import sessionmaker

from chain import sharing
from chain.actions import CatalogAction
from chain.client import Sender
from chain.quality import ActionKind as QualityActionKind
from chain.quality import QualityAction
from chain.responsibilities import ResponsibilityAction
from chain.signed_contracts import SIGNED_CONTRACTS
from chain.supervision import SupervisionAction
from mirror import outbox_lifecycle
from mirror.models import OutboxAction

log = logging.getLogger(__name__)

# A batch holds the actions of one contract (chain.signed_contracts); both contracts' nonces are
# per signer and unordered.
# Gas is bounded from each action's size instead of estimated: an estimate executes the whole
# batch once more on the node, halving what the relayer can send. The bound is about twice what
# an action costs (≈170k gas for a 1.2 KB submission, calldata and log at most 24 gas a byte);
# an action starved of gas would fail inside `executeBatch`'s try/catch and be reported rejected.
GAS_PER_ACTION = 300_000
GAS_PER_DOCUMENT_BYTE = 64
GAS_BATCH_OVERHEAD = 100_000
GAS_BUDGET = 50_000_000  # at most; a network with a smaller block gas limit gets 5/6 of it (chain/gas.py)
# geth's pool refuses a transaction over 128 KiB ("oversized data": legacypool txMaxSize, 4 × 32 KiB
# slots), where anvil and Hardhat take any size: on the Clique network a batch of 200 catalog
# submissions (~180 KB) was never mined. A batch's calldata stays under it, room left for the
# transaction's envelope; one action alone always fits (Catalog.MAX_DOCUMENT_BYTES is 32 KiB).
CALLDATA_BUDGET = 126 * 1024


# A sharing step that opens or issues a grant writes storage per resource (measured: an Apply
# of 32 resources by scenario ≈ 5.9M gas, one of 1 ≈ 0.5M). A Decide or ReviewPlan may close a
# demand and issue its grant, so it is bounded for the largest demand.
GAS_PER_RESOURCE = 200_000
GAS_SHARING_STEP = 600_000
MAX_RESOURCES = 32  # Sharing.MAX_RESOURCES
GRANTING_KINDS = (int(sharing.StepKind.DECIDE), int(sharing.StepKind.REVIEW_PLAN))


# A using unit's data objection reads its grant's resources from Sharing until it meets the entry
# (measured: ≈247k gas when the entry is the grant's first resource, ≈5.2k more per resource read
# before it; the last of 32 ≈ 410k).
GAS_OBJECTION_GRANT_READS = 6_000 * MAX_RESOURCES


# One on-chain SM2 verification, of an action's signature or of an Apply's commitment (measured:
# an SM2-signed submission costs ≈270k gas more than an ECDSA-signed one).
GAS_SM2_VERIFY = 400_000
ECDSA_SIGNATURE_BYTES = 65


def gas_bound(row: OutboxAction) -> int:
    """An upper bound of the gas one action of this row needs inside `executeBatch`."""
    contract = row.contract or "catalog"  # the column's default, before the row is flushed
    return action_gas_bound(contract, decode_action(row.payload, contract), len(row.payload))


def action_gas_bound(contract: str, action: tuple, size: int) -> int:
    """The bound for `action` (a SignedAction tuple of `contract`, `size` bytes encoded)."""
    gas = GAS_PER_DOCUMENT_BYTE * size
    if len(action[-1]) != ECDSA_SIGNATURE_BYTES:  # signed with SM2: verified on-chain
        gas += GAS_SM2_VERIFY
    kind = action[0]
    if contract == "data_quality" and kind == int(QualityActionKind.RAISE_OBJECTION):
        return gas + GAS_PER_ACTION + GAS_OBJECTION_GRANT_READS
    if contract != "sharing":
        return gas + GAS_PER_ACTION
    if kind == int(sharing.StepKind.APPLY):
        terms = sharing.ApplyTerms.decode(sharing.SharingAction.from_tuple(action).terms)
        sm2_commitment = GAS_SM2_VERIFY if terms.commitment.scheme == sharing.KeyScheme.SM2 else 0
        return gas + GAS_SHARING_STEP + GAS_PER_RESOURCE * len(terms.resources) + sm2_commitment
    if kind in GRANTING_KINDS:
        return gas + GAS_SHARING_STEP + GAS_PER_RESOURCE * MAX_RESOURCES
    return gas + GAS_PER_ACTION


def batch_gas_bound(contract: str, actions: list[tuple]) -> int:
    """The gas limit of one `executeBatch` of `actions` (callers that send batches themselves)."""
    return GAS_BATCH_OVERHEAD + sum(action_gas_bound(contract, a, len(encode_tuple(contract, a))) for a in actions)


def _within_gas_budget(rows: list, budget: int = GAS_BUDGET) -> tuple[list, int]:
    """The longest prefix of `rows` whose gas bound fits `budget` and whose calldata fits one
    transaction a geth pool takes (CALLDATA_BUDGET), and that gas bound (at least one row: a lone
    action over the budget still goes, its limit capped by the caller)."""
    gas, size, taken = GAS_BATCH_OVERHEAD, 4 + 64, []  # selector, the array's offset and length
    for row in rows:
        bound, length = gas_bound(row), len(row.payload) + 32  # the element's offset in the array
        if taken and (gas + bound > budget or size + length > CALLDATA_BUDGET):
            break
        gas += bound
        size += length
        taken.append(row)
    return taken, gas


def encode_action(action: CatalogAction | sharing.SharingAction) -> bytes:
    """The outbox payload: the ABI-encoded SignedAction (the calldata of `execute` minus its selector)."""
    if isinstance(action, sharing.SharingAction):
        contract = "sharing"
    elif isinstance(action, QualityAction):  # before their base class, ResponsibilityAction
        contract = "data_quality"
    elif isinstance(action, SupervisionAction):
        contract = "supervision"
    elif isinstance(action, ResponsibilityAction):
        contract = "responsibilities"
    else:
        contract = "catalog"
    return SIGNED_CONTRACTS[contract].encode(action.as_tuple())


def encode_tuple(contract: str, action: tuple) -> bytes:
    return SIGNED_CONTRACTS[contract].encode(action)


def decode_action(payload: bytes, contract: str = "catalog") -> tuple:
    return SIGNED_CONTRACTS[contract].decode(payload)


def batch_calldata(contract: str, payloads: list[bytes], function: str = "executeBatch") -> bytes:
    """`executeBatch` (or `simulateBatch`) calldata of the actions whose own encodings
    (`encode_action`) are `payloads`: the same bytes as `SignedContract.batch_calldata` of the
    decoded actions, without decoding and encoding each again. An action's encoding is the
    offset of its tuple (32) and the tuple; the array's is its length, each tuple's offset (from
    the first offset's word) and the tuples."""
    calls = SIGNED_CONTRACTS[contract]
    selector = {"executeBatch": calls.execute_batch_selector, "simulateBatch": calls.simulate_selector}.get(function)
    selector = selector or calls.selector(function, batch=True)
    offsets, at = [], 32 * len(payloads)
    for payload in payloads:
        if payload[:32] != _TUPLE_OFFSET:
            raise ValueError("batch_calldata: not the encoding of one action")
        offsets.append(at.to_bytes(32, "big"))
        at += len(payload) - 32
    head = _TUPLE_OFFSET + len(payloads).to_bytes(32, "big")
    return selector + head + b"".join(offsets) + b"".join(p[32:] for p in payloads)


_TUPLE_OFFSET = (32).to_bytes(32, "big")


class Relayer:
    """Moves outbox rows onto the chain."""

    def __init__(
        self, sessions: sessionmaker, sender: Sender, contracts: dict, *, batch_max: int, resend_after_s: float
    ):
        """`contracts` maps each name of chain.signed_contracts.SIGNED_CONTRACTS to its web3 contract."""
        self.sessions = sessions
        self.sender = sender
        self.contracts = contracts
        self.batch_max = batch_max
        self.resend_after_s = resend_after_s
        self._wake = threading.Event()
        self._stale_checked_at = 0.0

    def wake(self) -> None:
        self._wake.set()

    def wait(self, timeout: float) -> None:
        self._wake.wait(timeout)
        self._wake.clear()

    def recover(self, *, sent_before: float | None = None) -> int:
        """Return unconfirmed actions (sent before `sent_before`, default all) whose nonce is
        still unused on-chain to `accepted`."""
        with self.sessions.begin() as session:
            requeued = 0
            for row in outbox_lifecycle.sent(session, sent_before=sent_before):
                if not self.contracts[row.contract].functions.nonceUsed(row.signer, int(row.nonce)).call():
                    outbox_lifecycle.requeue_unsent(row)
                    requeued += 1
        if requeued:
            log.info("outbox: %d accepted actions were not on-chain; sending them again", requeued)
        return requeued

    def step(self) -> bool:
        """Send one batch of accepted actions; True when there was anything to do."""
        self._requeue_stale()
        with self.sessions() as session:
            rows = outbox_lifecycle.next_batch(session, self.batch_max)
        if not rows:
            return False
        contract = rows[0].contract
        # The network's block gas limit, not the local nodes': a Clique genesis sets its own.
        rows, gas = _within_gas_budget(rows, min(GAS_BUDGET, self.sender.gas.budget()))
        # A lone action bounded above a block still fits when it runs: the bound is about twice
        # the cost; if it did not, `executeBatch` reports it rejected.
        gas = min(gas, self.sender.gas.block_limit())
        calldata = batch_calldata(contract, [r.payload for r in rows])
        tx_hash = self.sender.send_data(self.contracts[contract].address, calldata, gas=gas, wait=False)
        with self.sessions.begin() as session:
            outbox_lifecycle.mark_sent(session, [r.id for r in rows], tx_hash=tx_hash.to_0x_hex(), at=time.time())
        return True

    def _requeue_stale(self) -> None:
        # A row is stale after `resend_after_s`: looking for one more often than a tenth of that
        # (at most once a second) finds nothing more, and costs a query per batch sent.
        now = time.time()
        if now - self._stale_checked_at < min(1.0, self.resend_after_s / 10):
            return
        self._stale_checked_at = now
        cutoff = now - self.resend_after_s
        with self.sessions() as session:
            stale = outbox_lifecycle.any_sent_before(session, cutoff)
        if stale:
            self.recover(sent_before=cutoff)

    def pending(self) -> int:
        """How many accepted actions are not yet confirmed."""
        with self.sessions() as session:
            return outbox_lifecycle.pending(session)
