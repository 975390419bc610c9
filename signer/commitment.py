"""The commitment (承诺书) a demand unit signs with its application (Art. 18).

Schema ``putuo.commitment/1``, a JSON object with exactly these fields::

    schema           "putuo.commitment/1"
    demand_id        0x + 64 lower-case hex: the demand it belongs to
    signing_unit_id  the demand unit's id (non-empty string)
    officer_key_id   the signing officer's key id (rule: signer.keyid)
    scheme           "sm2" | "ecdsa"
    scenario         the application scenario (non-empty string)
    promises         exactly PROMISES, in that order, verbatim
    signed_at        "YYYY-MM-DDTHH:MM:SS+08:00" (Asia/Shanghai, seconds)

Strict on purpose: a commitment's canonical bytes are its on-chain id, so a
field has one spelling (lower-case ids, one timestamp form), and nothing
outside the schema can ride along under the officer's signature.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from signer.canonical import canonical_bytes, document_hash, parse_json_strict
from signer.detached import DetachedSignature, sign_detached
from signer.errors import (
    CommitmentPromiseMissing,
    DocumentFieldInvalid,
    InvalidKeyId,
    KeyIdMismatch,
    NotCanonicalizable,
    SignerError,
    UnknownSchemaVersion,
    UnsupportedScheme,
)
from signer.keyid import check_scheme, normalize_key_id
from signer.keys import PublicKey, SigningKey
from signer.verify import VerifyResult, verify_detached

SCHEMA = "putuo.commitment/1"
PROMISE_GENUINE_NEED = "需求真实"  # the need is real
PROMISE_REASONABLE_GOAL = "使用目标合理"  # the goal of use is reasonable
PROMISE_SAFE_COMPLIANT_USE = "使用过程安全合规"  # the use is safe and compliant
PROMISES = (PROMISE_GENUINE_NEED, PROMISE_REASONABLE_GOAL, PROMISE_SAFE_COMPLIANT_USE)
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")  # no DST since 1991
MAX_TEXT_CHARS = 2000

_DEMAND_ID = re.compile(r"^0x[0-9a-f]{64}$")
_SIGNED_AT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+08:00$")
_FIELDS = ("schema", "demand_id", "signing_unit_id", "officer_key_id", "scheme", "scenario", "promises", "signed_at")

# The rules above as JSON Schema, for verifiers that never run this module (docs/schemas/,
# written by protocol/schemas.py). Hand-written, as the rules are: tests/protocol/test_schemas.py
# holds it to validate_commitment. What it cannot say: an ECDSA key id's EIP-55 checksum (and
# signed_at's being a real date and time, unless the validator asserts `format`).
_CONTROL = "\\x00-\\x1f\\x7f-\\x9f"  # unicodedata category Cc
# What str.strip() strips, less the Cc characters (refused anywhere): spelled out rather than
# \s, which means slightly different sets in Python, ECMA-262 and other regex engines.
_SPACE = "\\x20\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
_TEXT = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_TEXT_CHARS,
    "pattern": f"^[^{_SPACE}{_CONTROL}](?:[^{_CONTROL}]*[^{_SPACE}{_CONTROL}])?$",
}
JSON_SCHEMA: dict[str, Any] = {
    "title": "Commitment",
    "description": "承诺书 (Art. 18): the demand unit's signed promises for one demand.",
    "type": "object",
    "properties": {
        "schema": {"const": SCHEMA},
        "demand_id": {"type": "string", "pattern": _DEMAND_ID.pattern},
        "signing_unit_id": _TEXT,
        "officer_key_id": {"type": "string", "pattern": "^0x[0-9a-fA-F]{40}$"},
        "scheme": {"enum": ["sm2", "ecdsa"]},
        "scenario": _TEXT,
        "promises": {"const": list(PROMISES)},
        "signed_at": {"type": "string", "pattern": _SIGNED_AT.pattern, "format": "date-time"},
    },
    "required": list(_FIELDS),
    "additionalProperties": False,
    "allOf": [
        {
            "if": {"properties": {"scheme": {"const": "sm2"}}},
            "then": {"properties": {"officer_key_id": {"pattern": "^0x[0-9a-f]{40}$"}}},
        },
    ],
    "$comment": "officer_key_id: sm2 in lower case; ecdsa in its EIP-55 checksum form (not expressible here).",
}


@dataclass(frozen=True)
class Commitment:
    """A validated commitment; build with :func:`build_commitment` or :func:`validate_commitment`."""

    demand_id: str
    signing_unit_id: str
    officer_key_id: str
    scheme: str
    scenario: str
    signed_at: str
    promises: tuple[str, ...] = PROMISES
    schema: str = SCHEMA

    def to_document(self) -> dict[str, Any]:
        """The JSON object (field order is cosmetic: the canonical form sorts keys)."""
        return {name: list(v) if name == "promises" else v for name in _FIELDS for v in [getattr(self, name)]}

    def canonical_bytes(self) -> bytes:
        return canonical_bytes(self.to_document())

    @property
    def document_hash(self) -> bytes:
        """keccak256 of the canonical bytes: the commitment's on-chain id."""
        return document_hash(self.to_document())


def _text(doc: dict[str, Any], name: str) -> str:
    value = doc.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT_CHARS:
        raise DocumentFieldInvalid(
            name, f"must be a non-empty string of at most {MAX_TEXT_CHARS} characters", expected="string", got=value
        )
    if value != value.strip() or any(unicodedata.category(c) == "Cc" for c in value):
        raise DocumentFieldInvalid(
            name, "no surrounding spaces or control characters", expected=value.strip(), got=value
        )
    return value


def _check_promises(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise DocumentFieldInvalid("promises", "must be a list of strings", expected=list(PROMISES), got=value)
    for promise in PROMISES:
        if promise not in value:
            raise CommitmentPromiseMissing(
                "promises", f"promise {promise} is missing or altered", expected=promise, got=value
            )
    if tuple(value) != PROMISES:
        raise DocumentFieldInvalid(
            "promises", "must be exactly the three promises, in order", expected=list(PROMISES), got=value
        )
    return PROMISES


def _check_signed_at(value: Any) -> str:
    if not isinstance(value, str) or not _SIGNED_AT.fullmatch(value):
        raise DocumentFieldInvalid(
            "signed_at",
            "must be YYYY-MM-DDTHH:MM:SS+08:00 (Asia/Shanghai)",
            expected="2024-01-31T09:30:00+08:00",
            got=value,
        )
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise DocumentFieldInvalid("signed_at", "is not a real date and time", got=value) from None
    return value


def validate_commitment(doc: dict[str, Any] | bytes) -> Commitment:
    """Validate a commitment object (or its JSON bytes); raise naming the first bad field."""
    if isinstance(doc, (bytes, bytearray)):
        try:
            doc = parse_json_strict(bytes(doc))
        except (ValueError, NotCanonicalizable) as exc:
            raise DocumentFieldInvalid("$", f"not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise DocumentFieldInvalid("$", "commitment must be a JSON object", got=type(doc).__name__)
    if doc.get("schema") != SCHEMA:
        raise UnknownSchemaVersion("unknown commitment schema", expected=SCHEMA, got=doc.get("schema"))
    unknown = sorted(set(doc) - set(_FIELDS))
    if unknown:
        raise DocumentFieldInvalid(unknown[0], "unknown field", expected=list(_FIELDS), got=unknown[0])
    demand_id = doc.get("demand_id")
    if not isinstance(demand_id, str) or not _DEMAND_ID.fullmatch(demand_id):
        raise DocumentFieldInvalid(
            "demand_id", "must be 0x and 64 lower-case hex digits", expected="0x + 64 hex", got=demand_id
        )
    try:
        scheme = check_scheme(doc.get("scheme"))
    except UnsupportedScheme as exc:
        raise DocumentFieldInvalid("scheme", exc.message, expected=exc.expected, got=exc.got) from None
    try:
        key_id = normalize_key_id(scheme, doc.get("officer_key_id"))
    except InvalidKeyId as exc:
        raise DocumentFieldInvalid("officer_key_id", exc.message, expected=exc.expected, got=exc.got) from None
    if key_id != doc["officer_key_id"]:
        raise DocumentFieldInvalid(
            "officer_key_id", "not in canonical form", expected=key_id, got=doc["officer_key_id"]
        )
    return Commitment(
        demand_id=demand_id,
        signing_unit_id=_text(doc, "signing_unit_id"),
        officer_key_id=key_id,
        scheme=scheme,
        scenario=_text(doc, "scenario"),
        signed_at=_check_signed_at(doc.get("signed_at")),
        promises=_check_promises(doc.get("promises")),
    )


def build_commitment(
    *,
    demand_id: str | bytes,
    signing_unit_id: str,
    officer_key_id: str,
    scheme: str,
    scenario: str,
    signed_at: datetime | None = None,
) -> Commitment:
    """Build and validate a commitment; ``signed_at`` defaults to now (Asia/Shanghai, seconds)."""
    if isinstance(demand_id, (bytes, bytearray)):
        demand_id = "0x" + bytes(demand_id).hex()
    when = signed_at or datetime.now(SHANGHAI)
    if when.tzinfo is None:
        raise DocumentFieldInvalid("signed_at", "needs a timezone", got=when.isoformat())
    when = when.astimezone(SHANGHAI).replace(microsecond=0)
    with contextlib.suppress(SignerError):  # validate_commitment reports it, naming the field
        officer_key_id = normalize_key_id(scheme, officer_key_id)
    if isinstance(demand_id, str):
        demand_id = demand_id.lower()
    doc = {
        "schema": SCHEMA,
        "demand_id": demand_id,
        "signing_unit_id": signing_unit_id,
        "officer_key_id": officer_key_id,
        "scheme": scheme,
        "scenario": scenario,
        "promises": list(PROMISES),
        "signed_at": when.isoformat(),
    }
    return validate_commitment(doc)


def sign_commitment(commitment: Commitment, key: SigningKey) -> DetachedSignature:
    """Sign a commitment's canonical bytes with the officer's :class:`signer.keys.SigningKey`.

    Refuses a key whose id or scheme is not the one the commitment names.
    """
    if key.key_id != commitment.officer_key_id or key.scheme != commitment.scheme:
        raise KeyIdMismatch(
            "the key is not the officer key the commitment names",
            expected=(commitment.scheme, commitment.officer_key_id),
            got=(key.scheme, key.key_id),
        )
    return sign_detached(commitment.canonical_bytes(), key)


def verify_commitment(
    doc: dict[str, Any] | bytes,
    signature: DetachedSignature | dict | bytes,
    public_key: PublicKey | bytes | str | None = None,
) -> VerifyResult:
    """Validate the commitment, check the signature names its officer key, then verify it.

    ``public_key`` as in :func:`signer.verify.verify_detached` (pass the
    registry's key). Never raises a :class:`SignerError`.
    """
    try:
        commitment = validate_commitment(doc)
        sig = DetachedSignature.load(signature)
        if (sig.scheme, sig.key_id) != (commitment.scheme, commitment.officer_key_id):
            raise KeyIdMismatch(
                "signature is not by the officer key the commitment names",
                expected=(commitment.scheme, commitment.officer_key_id),
                got=(sig.scheme, sig.key_id),
            )
    except SignerError as exc:
        return VerifyResult(False, exc)
    return verify_detached(commitment.canonical_bytes(), sig, public_key)
