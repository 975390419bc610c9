"""Commitments (承诺书, Art. 18): verify an officer's signature against the on-chain registry,
and, when the platform is allowed to hold keys, sign one for an officer.

Trust comes from the chain, not the request: the SM2 public key is the one the registry's
KeyRegistered event carries, the unit is the key's registered unit, and activity at
``signed_at`` is the contract's ``wasActiveAt`` (all read through :mod:`signer.registry`, the
code `ledger verify --on-chain` uses). Malformed input is a 4xx naming the field; a well-formed
commitment that does not verify is a 200 with ``valid: false`` and a stable ``reason_code``.
"""

from __future__ import annotations

import logging
from typing import Any

from api import schemas
from api.errors import ApiError
from api.settings import Settings
from signer.commitment import (
    Commitment,
    build_commitment,
    sign_commitment,
    validate_commitment,
)
from signer.detached import DetachedSignature
from signer.errors import (
    DocumentFieldInvalid,
    DocumentHashMismatch,
    KeyIdMismatch,
    KeyNotFound,
    PublicKeyMismatch,
    SignerError,
    UnknownSchemaVersion,
    UserIdMismatch,
)
from signer.keystore import find_key, load_key, read_info
from signer.registry import (
    KeyNotActiveAtSigning,
    KeyNotRegistered,
    SigningUnitMismatch,
    registered_key,
    signed_at_seconds,
    verify_commitment_on_chain,
)
from signer.sm2 import DEFAULT_USER_ID

log = logging.getLogger(__name__)

# First match wins: subclasses before their bases. Anything else is "signature_invalid".
REASON_CODES: tuple[tuple[type[SignerError], str], ...] = (
    (DocumentHashMismatch, "document_changed"),
    (KeyIdMismatch, "key_mismatch"),
    (PublicKeyMismatch, "public_key_mismatch"),
    (UserIdMismatch, "user_id_mismatch"),
    (KeyNotRegistered, "key_not_registered"),
    (SigningUnitMismatch, "unit_mismatch"),
    (KeyNotActiveAtSigning, "key_not_active_at_signing"),
)


def reason_code(error: SignerError) -> str:
    return next((code for kind, code in REASON_CODES if isinstance(error, kind)), "signature_invalid")


def _bad_input(part: str, exc: SignerError) -> ApiError:
    """A signer validation error as a 422 naming ``part.field`` (``part`` for the whole object)."""
    if isinstance(exc, UnknownSchemaVersion):
        return ApiError(
            422, "unknown_schema", f"{part}.schema: {exc.message}, expected {exc.expected}", f"{part}.schema"
        )
    where = getattr(exc, "field", "$")
    field = part if where == "$" else f"{part}.{where}"
    problem = exc.message.removeprefix(f"field {where!r}: ")
    return ApiError(422, f"invalid_{part}", f"{field}: {problem}", field)


def _parse(document: dict[str, Any], signature: dict[str, Any]) -> tuple[Commitment, DetachedSignature]:
    try:
        commitment = validate_commitment(document)
    except SignerError as exc:
        raise _bad_input("document", exc) from None
    try:
        return commitment, DetachedSignature.from_json(signature)
    except SignerError as exc:
        raise _bad_input("signature", exc) from None


def verify(
    *, w3, registry_address: str, document: dict[str, Any], signature: dict[str, Any]
) -> schemas.CommitmentVerification:
    """Check a signed commitment against the registry (see the module docstring)."""
    commitment, sig = _parse(document, signature)
    checked = verify_commitment_on_chain(w3, registry_address, document, sig)
    key, unit = checked.key, checked.unit
    return schemas.CommitmentVerification(
        valid=checked.ok,
        document_hash="0x" + commitment.document_hash.hex(),
        key_id=sig.key_id,
        scheme=sig.scheme,
        unit_id="0x" + key.unit_id.hex() if key else None,
        unit_name=unit.name if unit else None,
        signed_at=signed_at_seconds(commitment),
        key_active_at_signing=bool(checked.active_at_signing),
        reason_code=reason_code(checked.error) if checked.error else None,
        reason=checked.error.one_line() if checked.error else None,
    )


def sign(
    *,
    settings: Settings,
    w3,
    registry_address: str,
    demand_id: str,
    officer_key_id: str,
    scenario: str,
    caller_unit_id: str,
) -> schemas.SignedCommitment:
    """Sign a commitment with a key of the platform keystore, for the unit the key is registered to,
    which must be the authenticated caller's unit (`caller_unit_id`): an officer has the platform
    sign only for its own unit (Art. 18).

    The platform sets ``signing_unit_id`` (the key's registered unit) and ``signed_at`` (now)
    itself: it never signs a unit or a time a caller chose. The key must be registered and not
    revoked; the result is verified against the registry before it is returned.
    """
    try:
        path = find_key(officer_key_id, settings.keystore_dir)
        info = read_info(path)
    except KeyNotFound:
        raise ApiError(
            404,
            "key_not_in_platform_keystore",
            f"officer_key_id: the platform holds no key {officer_key_id}",
            "officer_key_id",
        ) from None
    try:
        record = registered_key(w3, registry_address, info.key_id)
    except KeyNotRegistered:
        raise ApiError(
            409, "key_not_registered", f"officer_key_id: {info.key_id} is not registered on-chain", "officer_key_id"
        ) from None
    if record.revoked_at is not None:
        raise ApiError(409, "key_revoked", f"officer_key_id: {info.key_id} was revoked", "officer_key_id")
    if "0x" + record.unit_id.hex() != caller_unit_id:
        raise ApiError(
            403,
            "unit_mismatch",
            f"officer_key_id: {info.key_id} is registered to unit 0x{record.unit_id.hex()}, "
            f"not the caller's unit {caller_unit_id}; the platform signs only for the caller's own unit",
            "officer_key_id",
        )
    if info.scheme == "sm2" and info.public.user_id != DEFAULT_USER_ID:
        raise ApiError(
            409,
            "user_id_mismatch",
            f"officer_key_id: the SM2 key's user id is not {DEFAULT_USER_ID.decode()}, the one verifiers assume",
            "officer_key_id",
        )
    if not settings.key_password:
        raise ApiError(503, "platform_keystore_locked", "the platform keystore password is not configured", None)
    try:
        key = load_key(path, settings.key_password.get_secret_value())
        commitment = build_commitment(
            demand_id=demand_id,
            signing_unit_id="0x" + record.unit_id.hex(),
            officer_key_id=key.key_id,
            scheme=key.scheme,
            scenario=scenario,
        )
    except DocumentFieldInvalid as exc:
        raise ApiError(
            422, "invalid_request", f"{exc.field}: {exc.message.removeprefix(f'field {exc.field!r}: ')}", exc.field
        ) from None
    except SignerError as exc:  # the keystore or its password is broken: the operator's problem
        log.error("platform keystore: %s", exc.one_line())
        raise ApiError(503, "platform_keystore_unavailable", "the platform keystore cannot be opened", None) from None
    signature = sign_commitment(commitment, key)
    checked = verify_commitment_on_chain(w3, registry_address, commitment.to_document(), signature)
    if not checked.ok:
        assert checked.error is not None
        raise ApiError(
            409,
            reason_code(checked.error),
            f"the signature would not verify: {checked.error.one_line()}",
            "officer_key_id",
        )
    return schemas.SignedCommitment(
        document=commitment.to_document(),
        signature=signature.to_json(),
        document_hash="0x" + commitment.document_hash.hex(),
    )
