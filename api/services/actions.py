"""Accepting an officer's signed catalog action: check early, store, let the relayer send it.

Order matters: everything that can be refused is refused before the outbox row is written,
so a rejected request changes nothing anywhere.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from eth_utils import to_checksum_address
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.errors import ApiError, from_revert
from api.runtime import Runtime
from catalog.document import CatalogDocument, DeletionRequest, ReviewNote
from chain.actions import ActionKind, CatalogAction, digest, encode_execute, entry_id_for, recover_signer
from chain.reverts import decode_revert
from chain.rpc import RpcError
from mirror.models import CatalogEntry, OfficerKey, OutboxAction
from mirror.outbox import encode_action
from signer.canonical import canonical_bytes

MAX_DOCUMENT_BYTES = 32 * 1024  # Catalog.MAX_DOCUMENT_BYTES
SCHEMA_BY_KIND: dict[ActionKind, type[BaseModel]] = {
    ActionKind.SUBMIT: CatalogDocument,
    ActionKind.RESUBMIT: CatalogDocument,
    ActionKind.REQUEST_CHANGE: CatalogDocument,
    ActionKind.REQUEST_DELETE: DeletionRequest,
    ActionKind.REVIEW: ReviewNote,
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


def accept(
    runtime: Runtime, *, kind: ActionKind, entry_id: bytes, version: int, document: dict, nonce: int, signature: str
) -> Accepted:
    """Validate, simulate and store one signed action; raises ApiError with nothing changed."""
    parsed = validate_document(kind, document)
    reason_code = parsed.contract_reason_code if isinstance(parsed, ReviewNote) else 0
    action = CatalogAction(kind, entry_id, version, reason_code, document_bytes(document), nonce, parse_signature(signature))
    try:
        signer = recover_signer(action, chain_id=runtime.chain_id, catalog_address=runtime.deployment.catalog)
    except Exception:  # noqa: BLE001 - any failure to recover is a bad signature
        raise ApiError(400, "bad_signature", "signature: does not recover to a key", "signature") from None
    entry_hex = "0x" + entry_id.hex()
    _check_entry_identity(runtime, kind, entry_id, parsed, signer)
    with runtime.store.sessions() as session:
        busy = session.scalars(
            select(OutboxAction.digest).where(OutboxAction.entry_id == entry_hex,
                                              OutboxAction.status.in_(("accepted", "sent"))).limit(1)
        ).first()  # fmt: skip
    if busy is not None:
        raise ApiError(409, "entry_busy", f"entry_id: action {busy} on this entry is not on-chain yet; retry shortly",
                       "entry_id")
    try:
        runtime.rpc.eth_call(runtime.deployment.catalog, encode_execute(action), runtime.sender.account.address)
    except RpcError as exc:
        if exc.data is None:
            raise
        raise from_revert(decode_revert(exc.data)) from None
    action_id = "0x" + digest(action, chain_id=runtime.chain_id, catalog_address=runtime.deployment.catalog).hex()
    try:
        with runtime.store.sessions.begin() as session:
            session.add(OutboxAction(digest=action_id, signer=signer, nonce=str(nonce), entry_id=entry_hex,
                                     kind=int(kind), payload=encode_action(action), status="accepted",
                                     accepted_at=time.time()))  # fmt: skip
    except IntegrityError:
        raise ApiError(409, "nonce_used", "nonce: this signer already used it (replay refused)", "nonce") from None
    runtime.relayer.wake()
    return Accepted(action_id, entry_hex, signer, "accepted")


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
