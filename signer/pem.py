"""Encrypted PKCS#8 PEM (PBES2) for SM2 and secp256k1 keys, readable by ``openssl pkey``.

Writes ``-----BEGIN ENCRYPTED PRIVATE KEY-----`` with PBES2 = PBKDF2-HMAC-SHA256
+ AES-256-CBC, what ``openssl pkcs8 -topk8 -v2 aes-256-cbc`` produces. Reads
that, plus the PRF (HMAC-SHA1/224/256/384/512) and AES key sizes OpenSSL may
have used. Unencrypted keys are refused on import: a plaintext key file
should not be the normal path into the keystore.
"""

from __future__ import annotations

import base64
import binascii
import os
import re

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from signer import _asn1 as a
from signer import _pkcs8
from signer.errors import (
    InvalidPublicKey,
    KeystoreMalformed,
    UnsupportedKeyFile,
    WrongPassword,
)
from signer.keys import PublicKey, SigningKey, validate_public_key

DEFAULT_PBKDF2_ITERATIONS = 600_000  # OWASP 2023 for PBKDF2-HMAC-SHA256
MAX_PBKDF2_ITERATIONS = 10_000_000  # refuse files crafted to stall the importer
PBES2, PBKDF2 = "1.2.840.113549.1.5.13", "1.2.840.113549.1.5.12"
_PRFS = {
    "1.2.840.113549.2.7": hashes.SHA1,
    "1.2.840.113549.2.8": hashes.SHA224,
    "1.2.840.113549.2.9": hashes.SHA256,
    "1.2.840.113549.2.10": hashes.SHA384,
    "1.2.840.113549.2.11": hashes.SHA512,
}
_HMAC_SHA256 = "1.2.840.113549.2.9"
_AES_CBC = {"2.16.840.1.101.3.4.1.2": 16, "2.16.840.1.101.3.4.1.22": 24, "2.16.840.1.101.3.4.1.42": 32}
_AES256_CBC = "2.16.840.1.101.3.4.1.42"
_ARMOR = re.compile(rb"-----BEGIN ([A-Z ]+)-----\s*(.*?)\s*-----END \1-----", re.S)


def _armor(label: str, der: bytes) -> bytes:
    body = base64.b64encode(der)
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    armored = [f"-----BEGIN {label}-----".encode(), *lines, f"-----END {label}-----".encode()]
    return b"\n".join(armored) + b"\n"


def _dearmor(data: bytes) -> tuple[str, bytes]:
    match = _ARMOR.search(data)
    if not match:
        raise KeystoreMalformed("not a PEM file", expected="-----BEGIN ...-----")
    try:
        return match[1].decode(), base64.b64decode(b"".join(match[2].split()), validate=True)
    except binascii.Error as exc:
        raise KeystoreMalformed(f"PEM body is not base64: {exc}") from None


def _kdf_key(password: str, salt: bytes, iterations: int, prf: type, length: int) -> bytes:
    return PBKDF2HMAC(prf(), length, salt, iterations).derive(password.encode("utf-8"))


def export_private_pem(key: SigningKey, password: str, *, iterations: int = DEFAULT_PBKDF2_ITERATIONS) -> bytes:
    """Encrypted PKCS#8 PEM of ``key``. The SM2 user id is not part of PKCS#8 and is not kept."""
    salt, iv = os.urandom(16), os.urandom(16)
    plain = _pkcs8.encode_private_key_info(key.scheme, key.private_key, key.public_key)
    pad = 16 - len(plain) % 16
    encryptor = Cipher(
        algorithms.AES(_kdf_key(password, salt, iterations, hashes.SHA256, 32)), modes.CBC(iv)
    ).encryptor()
    encrypted = encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()
    kdf = a.seq(a.oid(PBKDF2), a.seq(a.octet_string(salt), a.integer(iterations), a.seq(a.oid(_HMAC_SHA256), a.null())))
    scheme = a.seq(a.oid(_AES256_CBC), a.octet_string(iv))
    der = a.seq(a.seq(a.oid(PBES2), a.seq(kdf, scheme)), a.octet_string(encrypted))
    return _armor("ENCRYPTED PRIVATE KEY", der)


def _parse_pbes2(der: bytes) -> tuple[bytes, int, type, int, bytes, bytes]:
    """(salt, iterations, prf, key length, iv, encrypted data) of an EncryptedPrivateKeyInfo."""
    top = a.Reader(a.parse_single(der, a.SEQUENCE))
    alg = a.Reader(top.read(a.SEQUENCE))
    encrypted = top.read(a.OCTET_STRING)
    top.done()
    if a.decode_oid(alg.read(a.OID)) != PBES2:
        raise a.Asn1Error("unsupported", "only PBES2 encryption is supported")
    params = a.Reader(alg.read(a.SEQUENCE))
    alg.done()
    kdf, enc = a.Reader(params.read(a.SEQUENCE)), a.Reader(params.read(a.SEQUENCE))
    params.done()
    if a.decode_oid(kdf.read(a.OID)) != PBKDF2:
        raise a.Asn1Error("unsupported", "only PBKDF2 key derivation is supported")
    p = a.Reader(kdf.read(a.SEQUENCE))
    kdf.done()
    salt, iterations = p.read(a.OCTET_STRING), a.decode_integer(p.read(a.INTEGER))
    key_length = a.decode_integer(p.read(a.INTEGER)) if p.peek_tag() == a.INTEGER else None
    prf_oid = "1.2.840.113549.2.7"  # DEFAULT hmacWithSHA1 (RFC 8018)
    if p.peek_tag() == a.SEQUENCE:
        prf = a.Reader(p.read(a.SEQUENCE))
        prf_oid = a.decode_oid(prf.read(a.OID))
        if prf.peek_tag() == a.NULL:
            prf.read(a.NULL)
        prf.done()
    p.done()
    cipher_oid = a.decode_oid(enc.read(a.OID))
    iv = enc.read(a.OCTET_STRING)
    enc.done()
    if prf_oid not in _PRFS or cipher_oid not in _AES_CBC:
        raise a.Asn1Error("unsupported", f"PRF {prf_oid} / cipher {cipher_oid}")
    size = _AES_CBC[cipher_oid]
    if key_length not in (None, size) or len(iv) != 16 or not 0 < iterations <= MAX_PBKDF2_ITERATIONS:
        raise a.Asn1Error("malformed", "PBES2 parameters out of range")
    return salt, iterations, _PRFS[prf_oid], size, iv, encrypted


def import_private_pem(
    data: bytes, password: str, *, user_id: bytes | None = None, name: str | None = None
) -> SigningKey:
    """Decrypt an encrypted PKCS#8 PEM (SM2 or secp256k1) into a :class:`SigningKey`.

    SM2 keys get ``user_id`` (default :data:`signer.sm2.DEFAULT_USER_ID`). If the
    file holds a public key, it must match the one derived from the private key.
    """
    label, der = _dearmor(data)
    if label != "ENCRYPTED PRIVATE KEY":
        raise UnsupportedKeyFile(
            f"PEM holds {label!r}, not an encrypted PKCS#8 key", expected="ENCRYPTED PRIVATE KEY", got=label
        )
    try:
        salt, iterations, prf, size, iv, encrypted = _parse_pbes2(der)
    except a.Asn1Error as exc:
        error = UnsupportedKeyFile if exc.kind == "unsupported" else KeystoreMalformed
        raise error(f"encrypted key file: {exc}") from None
    if not encrypted or len(encrypted) % 16:
        raise KeystoreMalformed("encrypted data is not whole AES blocks", got=len(encrypted))
    decryptor = Cipher(algorithms.AES(_kdf_key(password, salt, iterations, prf, size)), modes.CBC(iv)).decryptor()
    plain = decryptor.update(encrypted) + decryptor.finalize()
    pad = plain[-1]
    try:
        if not 1 <= pad <= 16 or plain[-pad:] != bytes([pad]) * pad:
            raise a.Asn1Error("malformed", "bad padding")
        scheme, d, public = _pkcs8.decode_private_key_info(plain[:-pad])
    except a.Asn1Error as exc:
        # CBC has no integrity: garbage after decryption almost always means a wrong password.
        if exc.kind == "unsupported":
            raise UnsupportedKeyFile(f"key inside the file: {exc}") from None
        raise WrongPassword("wrong password for this key file (or the file is corrupt)") from None
    key = SigningKey.from_private(scheme, d, user_id=user_id, name=name)
    if public is not None and public != key.public_key:
        raise InvalidPublicKey(
            "the file's public key does not belong to its private key",
            expected="0x" + key.public_key.hex(),
            got="0x" + public.hex(),
        )
    return key


def public_key_pem(public: PublicKey) -> bytes:
    """SubjectPublicKeyInfo PEM (``openssl dgst -verify`` / ``pkeyutl -pubin`` read it)."""
    return _armor("PUBLIC KEY", _pkcs8.encode_spki(public.scheme, public.public_key))


def load_public_key_pem(data: bytes) -> tuple[str, bytes]:
    """(scheme, 65-byte public key) from a ``PUBLIC KEY`` PEM."""
    label, der = _dearmor(data)
    if label != "PUBLIC KEY":
        raise UnsupportedKeyFile(f"PEM holds {label!r}, not a public key", expected="PUBLIC KEY", got=label)
    try:
        scheme, public = _pkcs8.decode_spki(der)
    except a.Asn1Error as exc:
        error = UnsupportedKeyFile if exc.kind == "unsupported" else KeystoreMalformed
        raise error(f"public key file: {exc}") from None
    return scheme, validate_public_key(scheme, public)
