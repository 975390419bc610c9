"""The outbox row's lifecycle: its statuses and every move between them, in one place.

    accepted ──mark_sent──▶ sent ──confirm──▶ confirmed
       ▲  ▲                  │  └───reject──▶ rejected
       │  └─requeue_unsent───┘                   │
       └──────── undo (a reorg removed the event that confirmed or rejected it)

- `accept`: stored by the API, atomically with the check that its subject is free.
- `mark_sent`: in an `executeBatch` transaction not yet mirrored.
- `confirm`: the indexer mirrored the event that records it (from any other status: a copy
  sent again, or one whose rejection came first, is confirmed all the same).
- `reject`: `executeBatch` skipped it, with the contract's error (unless it is confirmed, or
  the refusal was a resent copy's `…NonceUsed`).
- `requeue_unsent`: a sent row whose nonce is still unused on-chain (a crash, or a node that
  came back older) is sent again; `undo` does the same for a confirmation or a rejection that
  a reorg removed.
- `await_replay`: the mirror is rebuilt from block 0; confirmed rows are sent until the replay
  confirms them again.

Every other module calls these functions; none writes `OutboxAction.status` or compares it
with a literal (tests/mirror/test_outbox_lifecycle.py holds the source tree to that).
"""

from __future__ import annotations

import enum
from typing import Iterable, Mapping

from sqlalchemy import Connection, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from chain.errors import ActionRevertedError, LedgerError
from chain.events import EventRecord
from chain.sharing import SIGNED_KINDS
from mirror.apply_quality import SIGNERS as QUALITY_SIGNERS
from mirror.apply_responsibilities import SIGNERS
from mirror.apply_supervision import SIGNERS as SUPERVISION_SIGNERS
from mirror.models import OutboxAction, OutboxSubject


class OutboxStatus(str, enum.Enum):
    """`outbox.status`, stored as the value (a `str` enum: the column is a plain VARCHAR, and a
    row read back compares equal to its member)."""

    ACCEPTED = "accepted"
    SENT = "sent"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


IN_FLIGHT = (OutboxStatus.ACCEPTED, OutboxStatus.SENT)

# Each event that records an officer's signed action, and the argument that names the officer.
# (A SharingStep also records permissionless steps: only its signed kinds confirm an action.)
CONFIRMING_EVENTS: dict[str, str] = {
    "CatalogVersionSubmitted": "signer",
    "CatalogVersionReviewed": "reviewer",
    "CatalogDataCollected": "recorder",
    "SharingStep": "actor",
    **SIGNERS,  # the Responsibilities contract's events (Art. 5, 11, 12)
    **QUALITY_SIGNERS,  # the DataQuality contract's (Art. 15-16)
    **SUPERVISION_SIGNERS,  # the Supervision contract's (Art. 29, 31)
}
_SIGNED_STEPS = frozenset(SIGNED_KINDS)
# Each event that records an action `executeBatch` skipped (the digest and revert data of it).
REJECTING_EVENTS = frozenset({"ActionRejected"})
# A resent copy of an action that is already on-chain is refused with these: the first copy stands.
NONCE_USED_ERRORS = frozenset({"SignedActionNonceUsed"})


class SubjectBusyError(LedgerError):
    """Raised when an action's subject already has an action in flight (accepted or sent)."""

    def __init__(self, subject: str, action_id: str) -> None:
        super().__init__(f"subject {subject}: action {action_id} is not on-chain yet")
        self.subject = subject
        self.action_id = action_id


def confirmed_action(name: str, args: Mapping) -> tuple[str, int] | None:
    """(officer address, nonce) of the signed action that the event `name` with `args` records,
    or None when it records none. The mirror confirms by it, and a reorg requeues by it."""
    officer = CONFIRMING_EVENTS.get(name)
    if officer is None or (name == "SharingStep" and args["kind"] not in _SIGNED_STEPS):
        return None
    return args[officer], args["nonce"]


# ---- the API: accepted, and what is in flight


def accept(session: Session, rows: list[OutboxAction], *, exclusive: bool, now: float) -> dict[str, OutboxAction]:
    """Store `rows` (new, without a status) as accepted, in the caller's transaction.

    The check that their subjects are free and the insert are one step: the subjects' lock
    rows are taken first, so two intakes of one subject take turns, the second seeing what the
    first stored. Rows whose digest is already in flight are not stored again (a client's
    retry); they are returned, by digest, instead.

    Raises SubjectBusyError, when `exclusive`, if a subject has another action in flight.
    Raises sqlalchemy's IntegrityError (at commit, or here) if a (signer, nonce) or digest is
    already in the outbox.
    """
    _lock_subjects(session, {r.entry_id for r in rows})
    known = in_flight(session, [r.digest for r in rows])
    fresh = [r for r in rows if r.digest not in known]
    if exclusive:
        busy = busy_subject(session, {r.entry_id for r in fresh})
        if busy is not None:
            raise SubjectBusyError(*busy)
    for row in fresh:
        row.status, row.accepted_at = OutboxStatus.ACCEPTED, now
    session.add_all(fresh)
    session.flush()
    return known


def accept_each(
    session: Session, rows: list[OutboxAction], *, exclusive: set[str], refused: set[str], now: float
) -> dict[str, OutboxAction | SubjectBusyError | None]:
    """Store `rows` (new, of distinct subjects) as accepted, each on its own, in the caller's
    transaction, except those whose digest is in `refused` (the chain refused them).

    Every row's outcome, by digest: the row already in flight under its digest (a client's
    retry, not stored again); for a digest in `exclusive` whose subject has another action in
    flight, SubjectBusyError (not stored); else None for a refused row, and the row, stored, for
    the others. The check and the insert are one step, as in `accept`.

    Raises sqlalchemy's IntegrityError (at commit, or here) if a (signer, nonce) or digest is
    already in the outbox: the caller then stores the rows one by one to tell which.
    """
    if len({r.entry_id for r in rows}) != len(rows):
        raise ValueError("accept_each: one row per subject")
    _lock_subjects(session, {r.entry_id for r in rows if r.digest not in refused})
    # One read for both (SQL Core: no unit of work, a compiled statement reused): the rows in
    # flight under these digests, and those on these subjects.
    table = OutboxAction.__table__
    digests, checked = [r.digest for r in rows], {r.entry_id for r in rows if r.digest in exclusive}
    found = session.execute(_IN_FLIGHT_OR_BUSY, {"digests": digests, "subjects": list(checked)}).all()
    outcome: dict[str, OutboxAction | SubjectBusyError | None] = {
        r.digest: OutboxAction(**r._mapping) for r in found if r.digest in digests
    }
    busy = {r.entry_id: r.digest for r in found if r.entry_id in checked}  # the oldest comes last: kept
    stored = []
    for row in rows:
        if row.digest in outcome:
            continue
        if row.entry_id in busy:
            outcome[row.digest] = SubjectBusyError(row.entry_id, busy[row.entry_id])
        elif row.digest in refused:
            outcome[row.digest] = None
        else:
            row.status, row.accepted_at = OutboxStatus.ACCEPTED, now
            stored.append(row)
            outcome[row.digest] = row
    if stored:  # one INSERT for all, without the unit of work (the rows stay transient: answers only)
        session.execute(insert(table), [{c: getattr(r, c) for c in _ACCEPTED_COLUMNS} for r in stored])
    return outcome


_IN_FLIGHT_OR_BUSY = (
    select(OutboxAction.__table__)
    .where(
        OutboxAction.__table__.c.status.in_(IN_FLIGHT),
        or_(
            OutboxAction.__table__.c.digest.in_(bindparam("digests", expanding=True)),
            OutboxAction.__table__.c.entry_id.in_(bindparam("subjects", expanding=True)),
        ),
    )
    .order_by(OutboxAction.__table__.c.id.desc())
)
# What `accept_each` writes of a new row (the others keep their defaults).
_ACCEPTED_COLUMNS = ("digest", "signer", "nonce", "entry_id", "kind", "contract", "payload", "status", "accepted_at")


def _lock_subjects(session: Session, subjects: set[str]) -> None:
    """Lock one row per subject until the transaction ends (created on first use; kept).

    An upsert that writes the row locks it on PostgreSQL, in the sorted order (no deadlock
    between two intakes of several subjects); on SQLite, any write takes the database's one
    write lock, so the transaction holds it from this statement on.
    """
    if not subjects:
        return
    dialect = session.get_bind().dialect.name
    # One statement per dialect, its values given as parameters: a statement holding the values
    # would be compiled again for every intake (≈1.5 ms), this one once.
    statement = _LOCK_SUBJECTS.get(dialect)
    if statement is None:
        upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(OutboxSubject.__table__)
        statement = upsert.on_conflict_do_update(index_elements=["subject"], set_={"subject": upsert.excluded.subject})
        _LOCK_SUBJECTS[dialect] = statement
    session.execute(statement, [{"subject": s} for s in sorted(subjects)])


_LOCK_SUBJECTS: dict[str, object] = {}  # dialect name -> the upsert `_lock_subjects` runs


def in_flight(session: Session, digests: list[str]) -> dict[str, OutboxAction]:
    """The rows of these digests that are accepted or sent, by digest."""
    query = select(OutboxAction).where(OutboxAction.digest.in_(digests), OutboxAction.status.in_(IN_FLIGHT))
    return {r.digest: r for r in session.scalars(query)}


def busy_subject(session: Session, subjects: set[str]) -> tuple[str, str] | None:
    """(subject, action id) of the oldest action in flight on any of `subjects`, or None."""
    if not subjects:
        return None
    row = session.execute(
        select(OutboxAction.entry_id, OutboxAction.digest)
        .where(OutboxAction.entry_id.in_(subjects), OutboxAction.status.in_(IN_FLIGHT))
        .order_by(OutboxAction.id)
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


def busy_subjects(session: Session, subjects: set[str]) -> dict[str, str]:
    """Of `subjects`, those with an action in flight: the id of the oldest, by subject."""
    if not subjects:
        return {}
    rows = session.execute(
        select(OutboxAction.entry_id, OutboxAction.digest)
        .where(OutboxAction.entry_id.in_(subjects), OutboxAction.status.in_(IN_FLIGHT))
        .order_by(OutboxAction.id.desc())
    )
    return {subject: digest for subject, digest in rows}  # the oldest comes last, so it is the one kept


def pending(session: Session) -> int:
    """How many actions are in flight (asked before each of the follower's pauses)."""
    return session.scalar(_PENDING)


_PENDING = (
    select(func.count()).select_from(OutboxAction.__table__).where(OutboxAction.__table__.c.status.in_(IN_FLIGHT))
)


# ---- the relayer: sent, and requeued when not on-chain


def next_batch(session: Session, limit: int) -> list:
    """Up to `limit` accepted rows of one contract, in acceptance order: the oldest accepted
    action picks the contract (so a review still follows the version it reviews). Each row holds
    what the relayer sends (`id`, `contract`, `payload`), read in one statement without loading
    whole rows into the session."""
    table = OutboxAction.__table__
    accepted = table.c.status == OutboxStatus.ACCEPTED
    oldest = select(table.c.contract).where(accepted).order_by(table.c.id).limit(1).scalar_subquery()
    query = select(table.c.id, table.c.contract, table.c.payload).where(accepted, table.c.contract == oldest)
    return list(session.execute(query.order_by(table.c.id).limit(limit)))


def mark_sent(session: Session, ids: list[int], *, tx_hash: str, at: float) -> None:
    """The rows `ids` that are still accepted went out in transaction `tx_hash`."""
    table = OutboxAction.__table__  # SQL Core: nothing in the session to synchronise
    session.execute(
        update(table)
        .where(table.c.id.in_(ids), table.c.status == OutboxStatus.ACCEPTED)
        .values(status=OutboxStatus.SENT, tx_hash=tx_hash, sent_at=at)
    )


def sent(session: Session, *, sent_before: float | None = None) -> list[OutboxAction]:
    """The rows sent (before `sent_before`, default all) and not yet mirrored."""
    query = select(OutboxAction).where(OutboxAction.status == OutboxStatus.SENT)
    if sent_before is not None:
        query = query.where(OutboxAction.sent_at < sent_before)
    return list(session.scalars(query))


def any_sent_before(session: Session, cutoff: float) -> bool:
    query = select(OutboxAction.id).where(OutboxAction.status == OutboxStatus.SENT, OutboxAction.sent_at < cutoff)
    return session.scalars(query.limit(1)).first() is not None


def requeue_unsent(row: OutboxAction) -> None:
    """A sent row whose nonce is still unused on-chain: its transaction is lost; send it again."""
    row.status, row.tx_hash, row.sent_at = OutboxStatus.ACCEPTED, None, None


# ---- the mirror: confirmed, rejected, and requeued when a reorg undoes either


def confirm(conn: Connection, events: Iterable[EventRecord]) -> None:
    """Mark confirmed the rows of the actions `events` record (a reindex usually has none waiting)."""
    recorded = [(action, ev.tx_hash) for ev in events if (action := confirmed_action(ev.name, ev.args))]
    if not recorded:
        return
    # Looked up by the outbox's unique key (signer, nonce), searched in its index (a superset: the
    # pairs are matched below); a scan of every unconfirmed row would read the whole table,
    # payloads included, once a block, and more the longer the outbox.
    signers, nonces = {signer for (signer, _), _ in recorded}, {str(nonce) for (_, nonce), _ in recorded}
    waiting = set(conn.execute(_WAITING, {"signers": list(signers), "nonces": list(nonces)}))
    mine = [
        {"b_signer": signer, "b_nonce": str(nonce), "b_tx": tx}
        for (signer, nonce), tx in recorded
        if (signer, str(nonce)) in waiting
    ]
    if mine:
        conn.execute(_CONFIRM, mine)


# `confirm`'s statements, built once (a follower runs them for every block of its own actions).
_OUTBOX = OutboxAction.__table__.c
_WAITING = select(_OUTBOX.signer, _OUTBOX.nonce).where(
    _OUTBOX.signer.in_(bindparam("signers", expanding=True)),
    _OUTBOX.nonce.in_(bindparam("nonces", expanding=True)),
    _OUTBOX.status != OutboxStatus.CONFIRMED,
)
_CONFIRM = (
    update(OutboxAction.__table__)
    .where(_OUTBOX.signer == bindparam("b_signer"), _OUTBOX.nonce == bindparam("b_nonce"))
    .values(status=OutboxStatus.CONFIRMED, tx_hash=bindparam("b_tx"), error=None, reason=None)
)


def reject(conn: Connection, digest: str, reverted: ActionRevertedError) -> None:
    """`executeBatch` skipped the action `digest` with `reverted`: its row is rejected, keeping
    the error and its revert data, unless it is confirmed or this was a resent copy's refusal."""
    if reverted.error in NONCE_USED_ERRORS:
        return
    conn.execute(
        update(OutboxAction)
        .where(OutboxAction.digest == digest, OutboxAction.status != OutboxStatus.CONFIRMED)
        .values(status=OutboxStatus.REJECTED, error=str(reverted), reason=reverted.raw)
    )


def undo(conn: Connection, event: EventRecord) -> None:
    """A reorg removed `event`: the action it confirmed or rejected is not on-chain, so it is
    sent again. (A rejection of the same action that still stands is replayed after this and
    rejects it again; so is a confirmation.)"""
    action = confirmed_action(event.name, event.args)
    if action is not None:
        signer, nonce = action
        conn.execute(
            update(OutboxAction)
            .where(OutboxAction.signer == signer, OutboxAction.nonce == str(nonce))
            .values(status=OutboxStatus.ACCEPTED, tx_hash=None, sent_at=None)
        )
    elif event.name in REJECTING_EVENTS:
        conn.execute(
            update(OutboxAction)
            .where(
                OutboxAction.digest == "0x" + event.args["digest"].hex(), OutboxAction.status == OutboxStatus.REJECTED
            )
            .values(status=OutboxStatus.ACCEPTED, tx_hash=None, sent_at=None, error=None, reason=None)
        )


def await_replay(conn: Connection) -> None:
    """The mirror is rebuilt from block 0: what was confirmed is only sent until the replay
    confirms it again."""
    conn.execute(
        update(OutboxAction).where(OutboxAction.status == OutboxStatus.CONFIRMED).values(status=OutboxStatus.SENT)
    )
