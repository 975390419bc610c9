"""Taking in officers' signed actions, for every contract that takes them (Catalog, Sharing).

The order is the same for all: validate the document, recover the signer, simulate against the
chain (so a refusal comes back as the contract's own custom error), and only then write the
outbox row that the relayer sends. Everything that can be refused is refused before the row
is written, so a rejected request changes nothing anywhere.

That a subject has no action in flight is checked where it counts: in the transaction that
stores the row, atomically with the insert (`mirror.outbox_lifecycle.accept`, `accept_each`),
so of two conflicting actions sent at once one is refused (a batch of actions in one request
is also checked early, before it is simulated).
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass
from typing import Callable

from eth_abi import decode as abi_decode
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError

from api import micro_batch
from api.errors import ApiError, from_revert
from api.runtime import Runtime
from chain.quality import QUALITY_SUBJECTS
from chain.responsibilities import RESPONSIBILITY_SUBJECTS
from chain.reverts import decode_revert
from chain.rpc import RpcError
from chain.sharing import SIGNED_KINDS, StepKind
from chain.signed_contracts import SIGNED_CONTRACTS
from chain.supervision import SUPERVISION_SUBJECTS
from mirror import outbox_lifecycle
from mirror.models import OutboxAction
from mirror.outbox import GAS_BUDGET, action_gas_bound, batch_calldata, encode_action
from signer.canonical import canonical_bytes

MAX_DOCUMENT_BYTES = 32 * 1024  # Catalog.MAX_DOCUMENT_BYTES = Sharing.MAX_DOCUMENT_BYTES


# What each signed action acts on, by contract and kind: its subject's id is the action's
# `subject` (catalog: the entry; sharing: `sharing.fields.step_fields`).
_STEP_SUBJECTS: dict[StepKind, str] = {
    **dict.fromkeys(
        (
            StepKind.APPLY,
            StepKind.DECIDE,
            StepKind.REVIEW_PLAN,
            StepKind.CONFIRM_CONFORMITY,
            StepKind.OPEN_DISPUTE,
            StepKind.RESOLVE_DISPUTE,
            StepKind.ESCALATE,
            StepKind.RECORD_ESCALATION_OUTCOME,
        ),
        "demand",
    ),
    **dict.fromkeys(
        (
            StepKind.RECORD_SERVED,
            StepKind.RECORD_USE,
            StepKind.FILE_IDLE_REASON,
            StepKind.REVIEW_IDLE_REASON,
            StepKind.SECURITY_SUSPEND,
            StepKind.OBJECT,
            StepKind.REINSTATE,
            StepKind.DISMISS_OBJECTION,
            StepKind.TERMINATE,
        ),
        "grant",
    ),
    **dict.fromkeys((StepKind.APPROVE_SCENARIO, StepKind.WITHDRAW_SCENARIO), "scenario"),
    StepKind.RECORD_ADJUSTMENT_PLAN: "entry",
    StepKind.ACKNOWLEDGE_ADJUSTMENT: "entry",
}
if set(_STEP_SUBJECTS) != set(SIGNED_KINDS):
    raise RuntimeError("api.services.intake._STEP_SUBJECTS must name the subject of every signed sharing step")


def subject_type(contract: str, kind: int) -> str:
    """What an action of `contract` and `kind` acts on: entry, demand, grant or scenario."""
    if contract == "responsibilities":
        return RESPONSIBILITY_SUBJECTS[kind]
    if contract == "data_quality":
        return QUALITY_SUBJECTS[kind]
    if contract == "supervision":
        return SUPERVISION_SUBJECTS[kind]
    return "entry" if contract == "catalog" else _STEP_SUBJECTS[StepKind(kind)]


@dataclass(frozen=True)
class Accepted:
    action_id: str
    subject_type: str  # entry, demand, grant or scenario: `subject_type()`
    subject_id: str
    signer: str
    status: str


@dataclass(frozen=True)
class Prepared:
    """A signed action that passed every check that does not need the chain's current state."""

    action: object  # chain.actions.CatalogAction | chain.sharing.SharingAction
    signer: str
    action_id: str
    subject_hex: str
    contract: str  # a key of chain.signed_contracts.SIGNED_CONTRACTS

    @functools.cached_property
    def payload(self) -> bytes:
        """The action's ABI encoding, as the outbox stores it (computed once: the selection of a
        batch, the simulation and the row all use it)."""
        return encode_action(self.action)

    @functools.cached_property
    def gas_bound(self) -> int:
        return action_gas_bound(self.contract, self.action.as_tuple(), len(self.payload))


def validate_model(schema: type[BaseModel], document: object) -> BaseModel:
    """`document` parsed by `schema`, or a 422 naming the first bad field.

    The document goes on-chain exactly as signed, not as parsed, so it must already be in the
    schema's own types: the strict pass refuses what the lax one would coerce ("yes" or 1 for
    true, "1" for a reason code, a datetime for a date).
    """
    try:
        parsed = schema.model_validate(document)  # lax first: its errors name fields for any input
        schema.model_validate_json(json.dumps(document), strict=True)
        return parsed
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(["document", *(str(p) for p in first["loc"])])
        raise ApiError(
            422,
            "invalid_document",
            f"{field}: {first['msg']}",
            field,
            errors=[
                {"field": ".".join(["document", *(str(p) for p in e["loc"])]), "message": e["msg"]}
                for e in exc.errors()
            ],
        ) from None


def document_bytes(document: dict) -> bytes:
    data = canonical_bytes(document)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ApiError(
            413,
            "document_too_large",
            f"document: {len(data)} bytes as canonical JSON, at most {MAX_DOCUMENT_BYTES}",
            "document",
        )
    return data


def accept(runtime: Runtime, prepared: Prepared, *, busy_check: bool = True) -> Accepted:
    """Simulate and store one prepared action; raises ApiError with nothing changed.

    Sending the same signed action again while it is in flight is answered with its status (a
    safe retry); once it is on-chain, it is a replay and refused.

    Single actions sent at the same moment are handled together (`api.micro_batch`): those that
    arrive while a batch is being simulated are simulated with one `simulateBatch` call and
    stored in one transaction, which reads whether each is in flight already or its subject busy
    atomically with the inserts; each is answered on its own, as it would be alone (and batches
    simulated while another is stored are stored together: `_store_batches`). Up to
    `intake_overlap` batches are simulated at once (each against the chain's current state: an
    action on a subject of an earlier batch meets it in flight when stored), and the next while
    one is stored; batches that share a subject or a (signer, nonce) are stored in the order they
    started (`_touches`; the others have no order to keep). At most one action per subject and
    per (signer, nonce) goes in a batch; a second waits for the next, where it meets the first as
    a sender would one after the other.
    """
    answer = runtime.intake_batches[prepared.contract].submit(
        (prepared, busy_check), functools.partial(_accept_each, runtime), _one_per_subject, _touches
    )
    return answer  # type: ignore[return-value]  # an ApiError is raised by submit


def _touches(item: tuple[Prepared, bool]) -> tuple:
    """What an action touches, for the order batches are stored in: its subject and its (signer,
    nonce). Batches that share neither are independent here (each is simulated against the chain
    as it is, and the outbox check reads the rows in flight), so neither waits for the other."""
    p, _ = item
    return p.subject_hex, (p.signer, p.action.nonce)


def _one_per_subject(items: list[tuple[Prepared, bool]]) -> list[int]:
    """Which waiting actions share the next batch: the first on each subject and (signer,
    nonce), within the gas of one simulated block."""
    taken, seen, gas = [], set(), 0
    for index, item in enumerate(items):
        p, keys = item[0], set(_touches(item))
        if seen & keys or (taken and gas + p.gas_bound > GAS_BUDGET):
            continue
        seen |= keys
        gas += p.gas_bound
        taken.append(index)
    return taken


def _accept_each(
    runtime: Runtime, items: list[tuple[Prepared, bool]], turn: micro_batch.Turn
) -> list[Accepted | ApiError]:
    """Each action's answer, with `accept`'s precedence: in flight already (its status), subject
    busy, refused by the chain, accepted. The actions are of one contract, with distinct subjects
    and (signer, nonce) pairs (`_one_per_subject`)."""
    contract = items[0][0].contract
    reasons = simulate_batch(runtime, contract, [p.payload for p, _ in items])
    turn.release_next()  # the next batch is simulated while this one is stored
    turn.after_previous()  # after the earlier batches on the same subjects or (signer, nonce)s
    stores = runtime.intake_stores[contract]
    return stores.submit((items, reasons), functools.partial(_store_batches, runtime), _disjoint_batches)  # type: ignore[return-value]


def _store_batches(runtime: Runtime, batches: list[tuple[list, list[bytes]]], _turn: micro_batch.Turn) -> list[list]:
    """Group commit of the intake's stores: the batches whose simulation ended while another
    batch was being stored, stored in one transaction; each batch's answers, in order.

    The outbox's writes are the intake's contended step on SQLite (one writer at a time): one
    action a request held the write lock about 1.3 ms a store, and waited as long again for the
    stores of the other requests (bench (a), #12). Batches stored together touch nothing in common
    (`_disjoint_batches`): those that do were ordered already (`Turn.after_previous`), and an
    action's answer is the one it would have had in a transaction of its own.
    """
    items = [item for batch, _ in batches for item in batch]
    answers = _store_each(runtime, items, [reason for _, reasons in batches for reason in reasons])
    out, start = [], 0
    for batch, _ in batches:
        out.append(answers[start : start + len(batch)])
        start += len(batch)
    return out


def _disjoint_batches(batches: list[tuple[list, list[bytes]]]) -> list[int]:
    """Which waiting batches share the next transaction: those that touch no subject or (signer,
    nonce) of a batch taken before them (`accept_each` stores one row per subject)."""
    taken, seen = [], set()
    for index, (batch, _) in enumerate(batches):
        keys = {key for item in batch for key in _touches(item)}
        if seen & keys:
            continue
        seen |= keys
        taken.append(index)
    return taken


def _store_each(runtime: Runtime, items: list[tuple[Prepared, bool]], reasons: list[bytes]) -> list:
    """Store each action the chain did not refuse, each on its own, in one transaction; every
    action's answer, in order. Whether it is in flight already or its subject busy is read in
    that transaction, atomically with the inserts."""
    rows = [_row(p) for p, _ in items]
    exclusive = {p.action_id for p, busy_check in items if busy_check}
    refused = {p.action_id for (p, _), reason in zip(items, reasons) if reason}
    try:
        with runtime.store.sessions.begin() as session:
            outcome = outbox_lifecycle.accept_each(session, rows, exclusive=exclusive, refused=refused, now=time.time())
            answers = [_answer(outcome[r.digest], reason) for r, reason in zip(rows, reasons)]
    except IntegrityError:
        if len(items) == 1:
            return [nonce_used_error()]
        # A (signer, nonce) already in the outbox under another digest: rare, so each is stored alone to tell which.
        return [answer for item, reason in zip(items, reasons) for answer in _store_each(runtime, [item], [reason])]
    if len(refused) < len(items):
        runtime.relayer.wake()
    return answers


def _answer(outcome: OutboxAction | outbox_lifecycle.SubjectBusyError | None, reason: bytes) -> Accepted | ApiError:
    if outcome is None:
        return from_revert(decode_revert(reason))
    if isinstance(outcome, outbox_lifecycle.SubjectBusyError):
        return busy_error(outcome.action_id)
    return _accepted(outcome)


def prepare_each(items: list[dict], prepare: Callable[..., Prepared]) -> list[Prepared]:
    """`prepare(**item)` for each item of a batch; a refusal names the item by its index."""
    prepared = []
    for index, item in enumerate(items):
        try:
            prepared.append(prepare(**item))
        except ApiError as exc:
            raise of_item(exc, index) from None
    return prepared


def accept_many(runtime: Runtime, prepared: list[Prepared], *, busy_check: bool = True) -> list[Accepted]:
    """Accept prepared actions of one contract all together or not at all.

    They are simulated in order in one `eth_call`, so later actions may depend on earlier ones;
    the first refusal is answered with its index in the field name and nothing is stored.
    """
    known = _known(runtime, prepared)
    fresh = [p for p in prepared if p.action_id not in known]
    if busy_check:
        busy = _busy(runtime, fresh)
        if busy is not None:
            raise of_item(busy_error(busy[1]), prepared.index(busy[0]))
    if fresh:
        reasons = simulate_batch(runtime, fresh[0].contract, [p.payload for p in fresh])
        for p, reason in zip(fresh, reasons):
            if reason:
                raise of_item(from_revert(decode_revert(reason)), prepared.index(p))
    try:
        stored = {a.action_id: a for a in store(runtime, fresh, busy_check=busy_check)} if fresh else {}
    except outbox_lifecycle.SubjectBusyError as exc:
        first = next(p for p in fresh if p.subject_hex == exc.subject)
        raise of_item(busy_error(exc.action_id), prepared.index(first)) from None
    return [known.get(p.action_id) or stored[p.action_id] for p in prepared]


def of_item(exc: ApiError, index: int) -> ApiError:
    """`exc` naming item `index` of a batch in its field and message."""
    exc.field = f"actions[{index}].{exc.field}" if exc.field else f"actions[{index}]"
    exc.message = f"actions[{index}].{exc.message}"
    return exc


def simulate_batch(runtime: Runtime, contract: str, payloads: list[bytes]) -> list[bytes]:
    """What each action (by its `encode_action` payload) would revert with if executed in order
    (empty bytes: it would succeed)."""
    calls = SIGNED_CONTRACTS[contract]
    calldata = batch_calldata(contract, payloads, "simulateBatch")
    try:
        runtime.rpc.eth_call(calls.address(runtime.deployment), calldata, runtime.sender.account.address)
    except RpcError as exc:
        if exc.data is not None and exc.data[:4] == calls.simulated_selector:
            return list(abi_decode(["bytes[]"], exc.data[4:])[0])
        raise
    raise RuntimeError("simulateBatch returned instead of reverting")


def _known(runtime: Runtime, prepared: list[Prepared]) -> dict[str, Accepted]:
    """Actions still in flight in the outbox, by action id: a client's retry, answered as before."""
    with runtime.store.sessions() as session:
        rows = outbox_lifecycle.in_flight(session, [p.action_id for p in prepared])
        return {digest: _accepted(r) for digest, r in rows.items()}


def _busy(runtime: Runtime, prepared: list[Prepared]) -> tuple[Prepared, str] | None:
    """The first action whose subject has an earlier action accepted but not yet on-chain (with
    that action's id): it was simulated against a state that is about to change. An early
    answer only: `store` checks again, atomically with the insert."""
    if not prepared:
        return None
    with runtime.store.sessions() as session:
        busy = outbox_lifecycle.busy_subject(session, {p.subject_hex for p in prepared})
    if busy is None:
        return None
    return next(p for p in prepared if p.subject_hex == busy[0]), busy[1]


def busy_error(action_id: str) -> ApiError:
    return ApiError(
        409, "entry_busy", f"entry_id: action {action_id} on this entry is not on-chain yet; retry shortly", "entry_id"
    )


def store(runtime: Runtime, prepared: list[Prepared], *, busy_check: bool = True) -> list[Accepted]:
    """Store prepared actions in the outbox as accepted, or nothing.

    Raises SubjectBusyError, with `busy_check`, if a subject has an action in flight by now;
    an action already in flight under the same id (a retry sent at the same moment) is answered
    with its status instead of being stored twice.
    """
    rows = [_row(p) for p in prepared]
    try:
        with runtime.store.sessions.begin() as session:
            known = outbox_lifecycle.accept(session, rows, exclusive=busy_check, now=time.time())
            answers = [_accepted(known.get(r.digest, r)) for r in rows]
    except IntegrityError:
        raise nonce_used_error() from None
    runtime.relayer.wake()
    return answers


def _row(p: Prepared) -> OutboxAction:
    return OutboxAction(
        digest=p.action_id,
        signer=p.signer,
        nonce=str(p.action.nonce),
        entry_id=p.subject_hex,
        kind=int(p.action.kind),
        contract=p.contract,
        payload=p.payload,
    )


def nonce_used_error() -> ApiError:
    return ApiError(409, "nonce_used", "nonce: this signer already used it (replay refused)", "nonce")


def _accepted(row: OutboxAction) -> Accepted:
    return Accepted(row.digest, subject_type(row.contract, row.kind), row.entry_id, row.signer, row.status)
