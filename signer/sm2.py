"""SM2 signatures (GB/T 32918.2) on the recommended curve, with SM3 and Z_A.

The signed digest is ``e = SM3(Z_A || M)`` with
``Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA)``. The user id is a
required keyword everywhere: signing without Z_A (``signer_id=None`` in the
backend) is not the standard, and OpenSSL 3 without ``distid`` uses an empty
id, so an implicit default is a silent interop failure waiting to happen.

Keys: private 32 bytes big-endian; public 65 bytes ``04 || X || Y``.
Signatures: strict DER (see :mod:`signer.der`).
"""

from __future__ import annotations

from signer import _gmssl_backend as backend
from signer import _sm2_curve as curve
from signer.der import decode_signature
from signer.errors import (
    InvalidPrivateKey,
    InvalidPublicKey,
    InvalidSignature,
    InvalidUserId,
    SignerError,
)
from signer.sm3 import sm3

#: The user id GB/T 35276 names as default; what OpenSSL calls distid:1234567812345678.
DEFAULT_USER_ID = b"1234567812345678"
CURVE_NAME = "sm2p256v1"
ORDER = curve.N
#: ENTL is 16 bits of *bit* length, so an id is at most 8191 bytes.
MAX_USER_ID_BYTES = 0xFFFF // 8

_CURVE_BYTES = b"".join(v.to_bytes(32, "big") for v in (curve.A, curve.B, curve.GX, curve.GY))


def validate_user_id(user_id: bytes) -> bytes:
    """Return ``user_id`` if it is 1..8191 bytes."""
    if not isinstance(user_id, (bytes, bytearray)):
        raise InvalidUserId("SM2 user id must be bytes", expected="bytes", got=type(user_id).__name__)
    if not 0 < len(user_id) <= MAX_USER_ID_BYTES:
        raise InvalidUserId("SM2 user id must be 1..8191 bytes", expected=f"1..{MAX_USER_ID_BYTES}", got=len(user_id))
    return bytes(user_id)


def validate_public_key(public_key: bytes) -> bytes:
    """Return ``public_key`` if it is 65 bytes 04||X||Y of a point on the SM2 curve."""
    if len(public_key) != 65 or public_key[0] != 4:
        raise InvalidPublicKey("SM2 public key must be 65 bytes 04||X||Y", expected=65, got=len(public_key))
    x, y = int.from_bytes(public_key[1:33], "big"), int.from_bytes(public_key[33:], "big")
    if not curve.is_on_curve(x, y):
        raise InvalidPublicKey("SM2 public key is not a point on the curve", got="0x" + public_key.hex())
    return bytes(public_key)


def validate_private_key(private_key: bytes) -> None:
    """Refuse anything but 32 bytes d with 1 <= d <= n-2 (SM2 inverts 1+d)."""
    if len(private_key) != 32 or not 1 <= int.from_bytes(private_key, "big") <= curve.N - 2:
        # Never put the key itself in the error.
        raise InvalidPrivateKey(
            "SM2 private key must be 32 bytes with 1 <= d <= n-2", expected=32, got=len(private_key)
        )


def z_a(public_key: bytes, *, user_id: bytes) -> bytes:
    """Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA) (GB/T 32918.2 §5.5)."""
    uid = validate_user_id(user_id)
    entl = (len(uid) * 8).to_bytes(2, "big")
    return sm3(entl + uid + _CURVE_BYTES + validate_public_key(public_key)[1:])


def message_digest(public_key: bytes, message: bytes, *, user_id: bytes) -> bytes:
    """e = SM3(Z_A || M), the 32 bytes that are actually signed."""
    return sm3(z_a(public_key, user_id=user_id) + message)


def generate_keypair() -> tuple[bytes, bytes]:
    """A fresh (private 32 bytes, public 65 bytes) pair from GmSSL's CSPRNG."""
    private, public_xy = backend.generate()
    return private, b"\x04" + public_xy


def _recover_candidates(e: int, r: int, s: int) -> set[bytes]:
    # k = s + d(s + r) gives kG = sG + (s + r)P, so P = (s + r)^-1 (R - sG)
    # where R.x = r - e (mod n). Two R per x (and x + n if still < p).
    u = pow((s + r) % curve.N, -1, curve.N)
    x1 = (r - e) % curve.N
    out = set()
    for x in (x1, x1 + curve.N):
        for point in curve.lift_x(x):
            pub = curve.mul_add(u, point, (-u * s) % curve.N, curve.G)
            if pub is not None:
                out.add(b"\x04" + pub[0].to_bytes(32, "big") + pub[1].to_bytes(32, "big"))
    return out


def public_key_from_private(private_key: bytes) -> bytes:
    """Derive the 65-byte public key of ``private_key``.

    Why this way: the backend has no "derive public key" call, and Python
    big-int arithmetic is not constant-time, so no scalar multiplication by
    d may happen in Python.
    The backend signs two fixed probe digests; the public key is recovered
    from each signature (public values only) and must be the one candidate
    both recoveries share.
    """
    validate_private_key(private_key)
    common: set[bytes] | None = None
    for probe in (b"\x01" * 32, b"\x02" * 32):
        r, s = decode_signature(backend.sign_digest(private_key, probe))
        found = _recover_candidates(int.from_bytes(probe, "big"), r, s)
        common = found if common is None else common & found
    if common is None or len(common) != 1:
        raise InvalidPrivateKey("could not derive the SM2 public key", expected=1, got=len(common or ()))
    return common.pop()


def sign_digest(private_key: bytes, digest: bytes) -> bytes:
    """DER signature over a precomputed e (32 bytes). Prefer :func:`sign`."""
    validate_private_key(private_key)
    if len(digest) != 32:
        raise ValueError("SM2 digest must be 32 bytes")
    return backend.sign_digest(private_key, digest)


def verify_digest(public_key: bytes, digest: bytes, signature: bytes) -> None:
    """Raise unless ``signature`` (strict DER) over e verifies under ``public_key``."""
    if len(digest) != 32:
        raise ValueError("SM2 digest must be 32 bytes")
    pub = validate_public_key(public_key)
    decode_signature(signature, order=curve.N)  # strictness and range before the backend
    if not backend.verify_digest(pub[1:], digest, signature):
        raise InvalidSignature("SM2 signature does not verify", got="0x" + signature.hex())


def sign(private_key: bytes, public_key: bytes, message: bytes, *, user_id: bytes) -> bytes:
    """Sign ``message``; returns strict DER.

    Precondition: ``public_key`` belongs to ``private_key`` (Z_A hashes it;
    :class:`signer.keys.SigningKey` guarantees it).
    """
    return sign_digest(private_key, message_digest(public_key, message, user_id=user_id))


def verify(public_key: bytes, message: bytes, signature: bytes, *, user_id: bytes) -> None:
    """Raise a :class:`signer.errors.SignerError` unless the signature verifies."""
    verify_digest(public_key, message_digest(public_key, message, user_id=user_id), signature)


def is_valid(public_key: bytes, message: bytes, signature: bytes, *, user_id: bytes) -> bool:
    """Like :func:`verify` but returns False instead of raising a signer error."""
    try:
        verify(public_key, message, signature, user_id=user_id)
    except SignerError:
        return False
    return True
