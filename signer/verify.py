"""Verification of detached signatures, returning a result instead of raising.

:func:`verify_detached` is the one verifier used by the CLI, the API and the
auditor's tooling. Trust comes from the ``public_key`` argument (from the
on-chain registry, or a file the user trusts); without it the key embedded
in the signature file is used and the result says so (``key_source``):
that proves integrity, not who signed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from signer._hex import parse_hex
from signer.detached import DetachedSignature, file_document_hash, signed_message
from signer.errors import (
    DocumentHashMismatch,
    InvalidPublicKey,
    KeyIdMismatch,
    PublicKeyMismatch,
    SignerError,
    UserIdMismatch,
)
from signer.keyid import key_id
from signer.keys import PublicKey


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a verification. ``bool(result)`` is ``result.ok``."""

    ok: bool
    error: SignerError | None
    scheme: str | None = None
    key_id: str | None = None
    user_id: bytes | None = None
    document_hash: bytes | None = None
    key_source: Literal["supplied", "embedded"] | None = None

    def __bool__(self) -> bool:
        return self.ok

    def raise_for_error(self) -> None:
        """Raise the failure's :class:`SignerError`, if any."""
        if self.error is not None:
            raise self.error


def _trusted_key(sig: DetachedSignature, public_key: PublicKey | bytes | str | None) -> bytes:
    if public_key is None:
        return sig.public_key
    if isinstance(public_key, PublicKey):
        if public_key.scheme != sig.scheme:
            raise PublicKeyMismatch(
                "the supplied key is for another scheme", expected=public_key.scheme, got=sig.scheme
            )
        if public_key.user_id is not None and public_key.user_id != sig.user_id:
            raise UserIdMismatch(
                "the signature names another SM2 user id", expected=public_key.user_id, got=sig.user_id
            )
        public_key = public_key.public_key
    elif isinstance(public_key, str):
        try:
            public_key = parse_hex(public_key.lower(), length=65)
        except ValueError as exc:
            raise InvalidPublicKey(f"supplied public key: {exc}", got=public_key) from None
    if bytes(public_key) != sig.public_key:
        raise PublicKeyMismatch(
            "the signature was made by another key than the one supplied",
            expected="0x" + bytes(public_key).hex(),
            got="0x" + sig.public_key.hex(),
        )
    return sig.public_key


def verify_detached(
    document: bytes,
    signature: DetachedSignature | dict | bytes,
    public_key: PublicKey | bytes | str | None = None,
    *,
    user_id: bytes | None = None,
) -> VerifyResult:
    """Check that ``signature`` signs ``document`` (its bytes, as read from the file).

    ``public_key``: the key you trust (PublicKey, 65 bytes, or 0x-hex); None
    uses the embedded key (``key_source == "embedded"``). ``user_id``: the
    SM2 user id you expect, if the registry fixes one.
    Never raises a :class:`SignerError`: failures come back in ``error``.
    """
    try:
        sig = DetachedSignature.load(signature)
    except SignerError as exc:
        return VerifyResult(False, exc)
    facts = {
        "scheme": sig.scheme,
        "key_id": sig.key_id,
        "user_id": sig.user_id,
        "document_hash": sig.document_hash,
        "key_source": "embedded" if public_key is None else "supplied",
    }
    try:
        key = _trusted_key(sig, public_key)
        if user_id is not None and user_id != sig.user_id:
            raise UserIdMismatch("the signature names another SM2 user id", expected=user_id, got=sig.user_id)
        if key_id(sig.scheme, key) != sig.key_id:
            raise KeyIdMismatch(
                "key id does not belong to the public key", expected=key_id(sig.scheme, key), got=sig.key_id
            )
        digest = file_document_hash(bytes(document))
        if digest != sig.document_hash:
            raise DocumentHashMismatch(
                "document differs from the one signed", expected="0x" + sig.document_hash.hex(), got="0x" + digest.hex()
            )
        PublicKey(sig.scheme, key, sig.user_id).verify(signed_message(digest), sig.signature)
    except SignerError as exc:
        return VerifyResult(False, exc, **facts)
    return VerifyResult(True, None, **facts)
