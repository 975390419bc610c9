"""Accepting an officer's signed catalog action: check early, store, let the relayer send it.

Order matters: everything that can be refused is refused before the outbox row is written,
so a rejected request changes nothing anywhere.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.errors import ApiError, from_revert
from api.runtime import Runtime
from catalog.document import (
    CatalogDocument,
    CollectionRecord,
    DeletionRequest,
    ReviewNote,
)
from chain.actions import (
    ACTION_ABI,
    ActionKind,
    CatalogAction,
    digest,
    encode_execute,
    entry_id_for,
    recover_signer,
)
from chain.reverts import decode_revert
from chain.rpc import RpcError
from mirror.models import CatalogEntry, OfficerKey, OutboxAction
from mirror.outbox import encode_action
from signer.canonical import canonical_bytes

MAX_DOCUMENT_BYTES = 32 * 1024  # Catalog.MAX_DOCUMENT_BYTES
SIMULATE_SELECTOR = keccak(text=f"simulateBatch({ACTION_ABI}[])")[:4]
BATCH_SIMULATED_SELECTOR = keccak(text="CatalogBatchSimulated(bytes[])")[:4]
SCHEMA_BY_KIND: dict[ActionKind, type[BaseModel]] = {
    ActionKind.SUBMIT: CatalogDocument,
    ActionKind.RESUBMIT: CatalogDocument,
    ActionKind.REQUEST_CHANGE: CatalogDocument,
    ActionKind.REQUEST_DELETE: DeletionRequest,
    ActionKind.REVIEW: ReviewNote,
    ActionKind.RECORD_COLLECTION: CollectionRecord,
}


@dataclass(frozen=True)
class Accepted:
    action_id: str
    entry_id: str
    signer: str
    status: str


def validate_document(kind: ActionKind, document: dict) -> BaseModel:
    """The document parsed by the schema of `kind`, or a 422 naming the first bad field.

    The document goes on-chain exactly as signed, not as parsed, so it must already be in the
    schema's own types: the strict pass refuses what the lax one would coerce ("yes" or 1 for
    true, "1" for a reason code, a datetime for a date).
    """
    schema = SCHEMA_BY_KIND[kind]
    try:
        parsed = schema.model_validate(document)  # lax first: its errors name fields for any input
        schema.model_validate_json(json.dumps(document), strict=True)
        return parsed
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(["document", *(str(p) for p in first["loc"])])
        raise ApiError(422, "invalid_document", f"{field}: {first['msg']}", field,
                       errors=[{"field": ".".join(["document", *(str(p) for p in e["loc"])]), "message": e["msg"]}
                               for e in exc.errors()]) from None  # fmt: skip


def contract_reason_code(parsed: BaseModel) -> int:
    """What the contract takes as `reasonCode`: 0 approves, the return reason otherwise."""
    return parsed.contract_reason_code if isinstance(parsed, ReviewNote) else 0


def declared_at(kind: ActionKind, parsed: BaseModel) -> int:
    """What the contract takes as `declaredAt`: a submission's Art. 11 date (00:00 Shanghai), else 0."""
    return parsed.basis_event.declared_at if kind == ActionKind.SUBMIT else 0


def document_bytes(document: dict) -> bytes:
    data = canonical_bytes(document)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ApiError(413, "document_too_large",
                       f"document: {len(data)} bytes as canonical JSON, at most {MAX_DOCUMENT_BYTES}", "document")
    return data


def parse_signature(value: str) -> bytes:
    text = value[2:] if value.startswith("0x") else value
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise ApiError(400, "bad_signature_encoding", "signature: not hexadecimal", "signature") from None
    if len(raw) != 65:
        raise ApiError(400, "bad_signature_encoding",
                       f"signature: expected 65 bytes r‖s‖v, got {len(raw)}", "signature")
    return raw


@dataclass(frozen=True)
class Prepared:
    """A signed action that passed every check that does not need the chain's current state."""

    action: CatalogAction
    signer: str
    action_id: str
    entry_hex: str


def prepare(
    runtime: Runtime, *, kind: ActionKind, entry_id: bytes, version: int, document: dict, nonce: int, signature: str
) -> Prepared:
    """Validate the document, decode and recover the signature, check the entry's identity."""
    parsed = validate_document(kind, document)
    if kind != ActionKind.REVIEW and version != 0:
        raise ApiError(422, "unexpected_version", "version: only a review names a version", "version")
    action = CatalogAction(kind, entry_id, version, contract_reason_code(parsed), document_bytes(document), nonce,
                           parse_signature(signature), declared_at(kind, parsed))  # fmt: skip
    try:
        signer = recover_signer(action, chain_id=runtime.chain_id, catalog_address=runtime.deployment.catalog)
    except ValueError as exc:
        raise ApiError(400, "bad_signature", f"signature: {exc}", "signature") from None
    _check_entry_identity(runtime, kind, entry_id, parsed, signer)
    action_id = "0x" + digest(action, chain_id=runtime.chain_id, catalog_address=runtime.deployment.catalog).hex()
    return Prepared(action, signer, action_id, "0x" + entry_id.hex())


def accept(runtime: Runtime, **fields) -> Accepted:
    """Validate, simulate and store one signed action; raises ApiError with nothing changed.

    Sending the same signed action again while it is in flight is answered with its status (a
    safe retry); once it is on-chain, it is a replay and refused.
    """
    prepared = prepare(runtime, **fields)
    known = _known(runtime, [prepared])
    if prepared.action_id in known:
        return known[prepared.action_id]
    busy = _busy(runtime, [prepared])
    if busy is not None:
        raise _busy_error(busy[1])
    try:
        runtime.rpc.eth_call(runtime.deployment.catalog, encode_execute(prepared.action), runtime.sender.account.address)
    except RpcError as exc:
        if exc.data is None:
            raise
        raise from_revert(decode_revert(exc.data)) from None
    return _store(runtime, [prepared])[0]


def accept_many(runtime: Runtime, items: list[dict]) -> list[Accepted]:
    """Accept a list of signed actions all together or not at all (a unit's bulk cataloguing).

    They are simulated in order in one `eth_call`, so later actions may depend on earlier ones;
    the first refusal is answered with its index in the field name and nothing is stored.
    """
    prepared = []
    for index, item in enumerate(items):
        try:
            prepared.append(prepare(runtime, **item))
        except ApiError as exc:
            raise _of_item(exc, index) from None
    known = _known(runtime, prepared)
    fresh = [p for p in prepared if p.action_id not in known]
    busy = _busy(runtime, fresh)
    if busy is not None:
        raise _of_item(_busy_error(busy[1]), prepared.index(busy[0]))
    if fresh:
        reasons = _simulate_batch(runtime, [p.action for p in fresh])
        for p, reason in zip(fresh, reasons):
            if reason:
                raise _of_item(from_revert(decode_revert(reason)), prepared.index(p))
    stored = {a.action_id: a for a in _store(runtime, fresh)} if fresh else {}
    return [known.get(p.action_id) or stored[p.action_id] for p in prepared]


def _of_item(exc: ApiError, index: int) -> ApiError:
    """`exc` naming item `index` of a batch in its field and message."""
    exc.field = f"actions[{index}].{exc.field}" if exc.field else f"actions[{index}]"
    exc.message = f"actions[{index}].{exc.message}"
    return exc


def _simulate_batch(runtime: Runtime, actions: list[CatalogAction]) -> list[bytes]:
    """What each action would revert with if executed in order (empty bytes: it would succeed)."""
    calldata = SIMULATE_SELECTOR + abi_encode([f"{ACTION_ABI}[]"], [[a.as_tuple() for a in actions]])
    try:
        runtime.rpc.eth_call(runtime.deployment.catalog, calldata, runtime.sender.account.address)
    except RpcError as exc:
        if exc.data is not None and exc.data[:4] == BATCH_SIMULATED_SELECTOR:
            return list(abi_decode(["bytes[]"], exc.data[4:])[0])
        raise
    raise RuntimeError("simulateBatch returned instead of reverting")


def _known(runtime: Runtime, prepared: list[Prepared]) -> dict[str, Accepted]:
    """Actions still in flight in the outbox, by action id: a client's retry, answered as before.

    Once an action is on-chain, sending it again is a replay and the contract's refusal stands.
    """
    with runtime.store.sessions() as session:
        rows = session.scalars(select(OutboxAction).where(
            OutboxAction.digest.in_([p.action_id for p in prepared]), OutboxAction.status.in_(("accepted", "sent"))
        ))  # fmt: skip
        return {r.digest: Accepted(r.digest, r.entry_id, r.signer, r.status) for r in rows}


def _busy(runtime: Runtime, prepared: list[Prepared]) -> tuple[Prepared, str] | None:
    """The first action whose entry has an earlier action accepted but not yet on-chain (with
    that action's id): it was simulated against a state that is about to change."""
    if not prepared:
        return None
    with runtime.store.sessions() as session:
        busy = session.execute(
            select(OutboxAction.entry_id, OutboxAction.digest).where(
                OutboxAction.entry_id.in_({p.entry_hex for p in prepared}),
                OutboxAction.status.in_(("accepted", "sent")),
            )
        ).first()
    if busy is None:
        return None
    return next(p for p in prepared if p.entry_hex == busy[0]), busy[1]


def _busy_error(action_id: str) -> ApiError:
    return ApiError(409, "entry_busy", f"entry_id: action {action_id} on this entry is not on-chain yet; retry shortly",
                    "entry_id")


def _store(runtime: Runtime, prepared: list[Prepared]) -> list[Accepted]:
    now = time.time()
    try:
        with runtime.store.sessions.begin() as session:
            session.add_all([
                OutboxAction(digest=p.action_id, signer=p.signer, nonce=str(p.action.nonce), entry_id=p.entry_hex,
                             kind=int(p.action.kind), payload=encode_action(p.action), status="accepted",
                             accepted_at=now)
                for p in prepared
            ])  # fmt: skip
    except IntegrityError:
        raise ApiError(409, "nonce_used", "nonce: this signer already used it (replay refused)", "nonce") from None
    runtime.relayer.wake()
    return [Accepted(p.action_id, p.entry_hex, p.signer, "accepted") for p in prepared]


def _signer_unit(runtime: Runtime, signer: str) -> bytes | None:
    """The unit of an active officer key: from the mirror, or the chain if the mirror lags."""
    with runtime.store.sessions() as session:
        key = session.get(OfficerKey, signer)
    if key is not None and key.revoked_block is None:
        return bytes.fromhex(key.unit_id[2:])
    active, unit_id, _ = runtime.registry.functions.activeKey(to_checksum_address(signer)).call()
    return unit_id if active else None


def _check_entry_identity(runtime: Runtime, kind: ActionKind, entry_id: bytes, parsed: BaseModel, signer: str) -> None:
    """Entry ids are derived from (unit, code); a version may not change the entry's code."""
    if not isinstance(parsed, CatalogDocument):
        return
    if kind == ActionKind.SUBMIT:
        unit_id = _signer_unit(runtime, signer)
        if unit_id is not None and entry_id != entry_id_for(unit_id, parsed.code):
            raise ApiError(422, "entry_id_mismatch",
                           "entry_id: must be keccak256(unit id ‖ code) of the signer's unit and document.code",
                           "entry_id")
        return
    with runtime.store.sessions() as session:
        code = session.scalars(select(CatalogEntry.code).where(CatalogEntry.entry_id == "0x" + entry_id.hex())).first()
    if code is not None and code != parsed.code:
        raise ApiError(422, "code_changed", f"document.code: the entry's code is {code!r}; it cannot change",
                       "document.code")
