"""Detached signatures: a JSON file ``putuo.signature/1`` next to the signed document.

The rules, in one place:

- **document hash** (:func:`file_document_hash`): if the file is JSON text
  (UTF-8; no duplicate keys, no NaN), keccak256 of its RFC 8785 canonical
  bytes — so a JSON document's hash is its on-chain id however it is
  formatted; otherwise keccak256 of the raw bytes.
- **signed message** (:func:`signed_message`): ``SIGNED_MESSAGE_TAG ||
  document_hash`` (50 bytes). The tag keeps a document signature from ever
  meaning anything else; 50 bytes keep on-chain SM3(Z_A || M) at 2 blocks.
- sm2 signs it as GB/T 32918.2 (SM3 with Z_A of the file's ``user_id``),
  DER. ecdsa signs it as an EIP-191 personal message, 65 bytes r||s||v:
  in Solidity ``MessageHashUtils.toEthSignedMessageHash(abi.encodePacked(
  TAG, documentHash))`` then ``ECDSA.recover``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from signer._hex import parse_hex, to_hex
from signer.canonical import canonical_bytes, keccak256, parse_json_strict
from signer.errors import (
    DocumentFieldInvalid,
    InvalidKeyId,
    InvalidPublicKey,
    NotCanonicalizable,
    UnknownSchemaVersion,
    UnsupportedScheme,
)
from signer.keyid import check_scheme, normalize_key_id
from signer.keys import SigningKey, validate_public_key

SCHEMA = "putuo.signature/1"
SIGNED_MESSAGE_TAG = b"putuo.signature/1\x00"
_FIELDS = {"schema", "scheme", "key_id", "public_key", "user_id", "document_hash", "signature"}


def file_document_hash(data: bytes) -> bytes:
    """keccak256 of the canonical JSON if ``data`` is JSON text, else of ``data`` itself."""
    try:
        return keccak256(canonical_bytes(parse_json_strict(data)))
    except (ValueError, NotCanonicalizable):
        return keccak256(data)


def signed_message(document_hash: bytes) -> bytes:
    """The bytes a document signature actually signs. Precondition: 32-byte hash."""
    if len(document_hash) != 32:
        raise ValueError("document hash must be 32 bytes")
    return SIGNED_MESSAGE_TAG + document_hash


@dataclass(frozen=True)
class DetachedSignature:
    """A parsed ``putuo.signature/1`` file. ``user_id`` is set for sm2 only."""

    scheme: str
    key_id: str
    public_key: bytes
    document_hash: bytes
    signature: bytes
    user_id: bytes | None = None

    def to_json(self) -> dict[str, Any]:
        out = {"schema": SCHEMA, "scheme": self.scheme, "key_id": self.key_id, "public_key": to_hex(self.public_key)}
        if self.user_id is not None:
            out["user_id"] = self.user_id.decode("utf-8")
        return {**out, "document_hash": to_hex(self.document_hash), "signature": to_hex(self.signature)}

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False).encode("utf-8") + b"\n"

    @classmethod
    def from_json(cls, obj: Any) -> DetachedSignature:
        """Parse strictly: unknown fields, wrong types and bad hex are refused, naming the field."""
        if not isinstance(obj, dict):
            raise DocumentFieldInvalid("$", "signature file must be a JSON object", got=type(obj).__name__)
        if obj.get("schema") != SCHEMA:
            raise UnknownSchemaVersion("unknown signature file schema", expected=SCHEMA, got=obj.get("schema"))
        unknown = sorted(set(obj) - _FIELDS)
        if unknown:
            raise DocumentFieldInvalid(unknown[0], "unknown field", expected=sorted(_FIELDS), got=unknown[0])
        values: dict[str, Any] = {}
        for name, length in (("public_key", 65), ("document_hash", 32), ("signature", None)):
            try:
                values[name] = parse_hex(obj.get(name), length=length)
            except ValueError as exc:
                raise DocumentFieldInvalid(name, str(exc), got=obj.get(name)) from None
        scheme = obj.get("scheme")
        checks = (
            ("scheme", UnsupportedScheme, lambda: check_scheme(scheme)),
            ("public_key", InvalidPublicKey, lambda: validate_public_key(scheme, values["public_key"])),
            ("key_id", InvalidKeyId, lambda: normalize_key_id(scheme, obj.get("key_id"))),
        )
        for name, error, check in checks:
            try:
                values[name] = check()
            except error as exc:
                raise DocumentFieldInvalid(name, exc.message, expected=exc.expected, got=exc.got) from None
        key_id = values["key_id"]
        user_id = obj.get("user_id")
        if (scheme == "sm2") != isinstance(user_id, str) or user_id == "":
            raise DocumentFieldInvalid("user_id", "required (non-empty string) for sm2, absent for ecdsa", got=user_id)
        return cls(
            scheme,
            key_id,
            values["public_key"],
            values["document_hash"],
            values["signature"],
            user_id.encode("utf-8") if user_id else None,
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> DetachedSignature:
        try:
            obj = parse_json_strict(data)
        except (ValueError, NotCanonicalizable) as exc:
            raise DocumentFieldInvalid("$", f"signature file is not JSON: {exc}") from None
        return cls.from_json(obj)

    @classmethod
    def load(cls, value: DetachedSignature | dict[str, Any] | bytes) -> DetachedSignature:
        """Accept a parsed signature, its JSON object, or the file's bytes."""
        if isinstance(value, DetachedSignature):
            return value
        if isinstance(value, (bytes, bytearray)):
            return cls.from_bytes(bytes(value))
        return cls.from_json(value)


def sign_detached(document: bytes, key: SigningKey) -> DetachedSignature:
    """Sign a document's bytes (hash rule in the module docstring)."""
    digest = file_document_hash(document)
    return DetachedSignature(
        key.scheme, key.key_id, key.public_key, digest, key.sign(signed_message(digest)), key.user_id
    )
