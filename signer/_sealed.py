"""The keystore file format ``putuo.keystore/1``: one private key sealed with a password.

Layout (JSON)::

    {"schema": "putuo.keystore/1", "scheme": "sm2", "curve": "sm2p256v1",
     "public_key": "0x04…", "key_id": "0x…", "user_id": "1234567812345678",
     "name": "…" | null,
     "kdf": {"name": "scrypt", "n": 32768, "r": 8, "p": 1, "salt": "0x…"},
     "password_check": "0x…", "cipher": {"name": "aes-256-gcm", "nonce": "0x…"},
     "ciphertext": "0x…"}

``user_id`` is present for SM2 only. Everything except ``ciphertext`` is the
header; its RFC 8785 bytes are the AES-GCM associated data, so changing any
header field (public key, name, user id, …) makes decryption fail.

scrypt yields 64 bytes: the first 32 are the AES-256-GCM key; the last 32
key an HMAC whose truncation is ``password_check``. When GCM fails, the
check tells a wrong password (check differs) from a file changed after
sealing (check matches). Changing the KDF fields or the check itself
necessarily reads as a wrong password: without the password nobody can tell.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from signer._hex import parse_hex, to_hex
from signer.canonical import canonical_bytes
from signer.errors import (
    InvalidPrivateKey,
    InvalidPublicKey,
    KeystoreMalformed,
    KeystoreTampered,
    KeystoreTruncated,
    UnknownSchemaVersion,
    WeakPassword,
    WrongPassword,
)
from signer.keyid import key_id
from signer.keys import CURVES, SigningKey, validate_public_key

SCHEMA = "putuo.keystore/1"
DEFAULT_SCRYPT_N = 2**15
MIN_PASSWORD_CHARS = 8
_CHECK_TAG = b"putuo.keystore/1 password check"
_PRIVATE_LEN, _TAG_LEN = 32, 16
_MAX_SCRYPT_MEMORY = 2**28  # 256 MiB: refuse a file crafted to exhaust memory


def _derive(password: str, kdf: dict[str, Any]) -> tuple[bytes, bytes]:
    dk = Scrypt(salt=parse_hex(kdf["salt"]), length=64, n=kdf["n"], r=kdf["r"], p=kdf["p"]).derive(
        password.encode("utf-8")
    )
    check = hmac.new(dk[32:], _CHECK_TAG, hashlib.sha256).digest()[:16]
    return dk[:32], check


def seal(key: SigningKey, password: str, *, scrypt_n: int = DEFAULT_SCRYPT_N) -> dict[str, Any]:
    """Encrypt ``key`` under ``password``; returns the keystore JSON object.

    ``scrypt_n`` below the default is for tests only (cost 2**15 ≈ 0.1 s here).
    """
    if len(password) < MIN_PASSWORD_CHARS:
        raise WeakPassword(
            "password too short", expected=f">= {MIN_PASSWORD_CHARS} characters", got=f"{len(password)} characters"
        )
    header: dict[str, Any] = {
        "schema": SCHEMA,
        "scheme": key.scheme,
        "curve": CURVES[key.scheme],
        "public_key": to_hex(key.public_key),
        "key_id": key.key_id,
        "name": key.name,
        "kdf": {"name": "scrypt", "n": scrypt_n, "r": 8, "p": 1, "salt": to_hex(os.urandom(16))},
        "cipher": {"name": "aes-256-gcm", "nonce": to_hex(os.urandom(12))},
    }
    if key.user_id is not None:
        header["user_id"] = key.user_id.decode("utf-8")
    aes_key, check = _derive(password, header["kdf"])
    header["password_check"] = to_hex(check)
    nonce = parse_hex(header["cipher"]["nonce"])
    ciphertext = AESGCM(aes_key).encrypt(nonce, key.private_key, canonical_bytes(header))
    return {**header, "ciphertext": to_hex(ciphertext)}


def _field(doc: dict[str, Any], name: str, kind: type) -> Any:
    value = doc.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise KeystoreMalformed(
            f"keystore field {name!r} is missing or not {kind.__name__}",
            expected=kind.__name__,
            got=type(value).__name__,
        )
    return value


def check_header(doc: Any) -> dict[str, Any]:
    """Validate structure and self-consistency of a keystore object (no password needed).

    Returns the header (all but ``ciphertext``). This is NOT authentication:
    only :func:`unseal` proves the header unchanged.
    """
    if not isinstance(doc, dict):
        raise KeystoreMalformed("keystore must be a JSON object", got=type(doc).__name__)
    if doc.get("schema") != SCHEMA:
        raise UnknownSchemaVersion("unknown keystore schema", expected=SCHEMA, got=doc.get("schema"))
    scheme = _field(doc, "scheme", str)
    if CURVES.get(scheme) != _field(doc, "curve", str):
        raise KeystoreTampered("scheme and curve disagree", expected=CURVES.get(scheme), got=doc["curve"])
    try:
        public_key = validate_public_key(scheme, parse_hex(_field(doc, "public_key", str)))
        kdf, cipher = _field(doc, "kdf", dict), _field(doc, "cipher", dict)
        parse_hex(kdf.get("salt")), parse_hex(cipher.get("nonce"), length=12)
        parse_hex(_field(doc, "password_check", str), length=16)
    except ValueError as exc:
        raise KeystoreMalformed(f"keystore field malformed: {exc}") from exc
    except InvalidPublicKey as exc:
        raise KeystoreTampered(f"header: {exc.message}", expected=scheme, got=exc.got) from None
    if key_id(scheme, public_key) != _field(doc, "key_id", str):
        raise KeystoreTampered(
            "key id does not match public key", expected=key_id(scheme, public_key), got=doc["key_id"]
        )
    if (scheme == "sm2") != isinstance(doc.get("user_id"), str):
        raise KeystoreMalformed("user_id must be a string for sm2 and absent for ecdsa", got=doc.get("user_id"))
    if doc.get("name") is not None and not isinstance(doc["name"], str):
        raise KeystoreMalformed("name must be a string or null", got=type(doc["name"]).__name__)
    n, r, p = kdf.get("n"), kdf.get("r"), kdf.get("p")
    if (
        kdf.get("name") != "scrypt"
        or not all(isinstance(v, int) for v in (n, r, p))
        or n < 2
        or n & (n - 1)
        or not 1 <= r <= 32
        or not 1 <= p <= 16
        or 128 * r * n > _MAX_SCRYPT_MEMORY
        or cipher.get("name") != "aes-256-gcm"
    ):
        raise KeystoreMalformed(
            "unsupported or unsafe kdf/cipher parameters", got={"kdf": kdf, "cipher": cipher.get("name")}
        )
    return {k: v for k, v in doc.items() if k != "ciphertext"}


def unseal(doc: Any, password: str) -> SigningKey:
    """Decrypt a keystore object; authenticate its header; re-derive and compare the public key."""
    header = check_header(doc)
    try:
        ciphertext = parse_hex(doc.get("ciphertext"))
    except ValueError as exc:
        raise KeystoreMalformed(f"ciphertext malformed: {exc}") from exc
    if len(ciphertext) != _PRIVATE_LEN + _TAG_LEN:
        error = KeystoreTruncated if len(ciphertext) < _PRIVATE_LEN + _TAG_LEN else KeystoreMalformed
        raise error("ciphertext has the wrong length", expected=_PRIVATE_LEN + _TAG_LEN, got=len(ciphertext))
    aes_key, check = _derive(password, header["kdf"])
    try:
        private = AESGCM(aes_key).decrypt(parse_hex(header["cipher"]["nonce"]), ciphertext, canonical_bytes(header))
    except InvalidTag:
        if hmac.compare_digest(check, parse_hex(header["password_check"])):
            raise KeystoreTampered("keystore header or ciphertext was changed after sealing") from None
        raise WrongPassword("wrong password for this keystore") from None
    user_id = header["user_id"].encode("utf-8") if "user_id" in header else None
    try:
        return SigningKey(header["scheme"], private, parse_hex(header["public_key"]), user_id, header.get("name"))
    except InvalidPrivateKey as exc:
        raise KeystoreTampered(
            "decrypted private key does not match the public key", expected=exc.expected, got=exc.got
        ) from None
