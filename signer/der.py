"""ECDSA/SM2 signature encodings: strict DER ``SEQUENCE { r INTEGER, s INTEGER }`` and raw r||s.

Strict on purpose: a signature has exactly one accepted encoding, so a
signature's bytes (which the chain records) cannot be varied without the
key. Refused: trailing bytes, truncation, non-minimal lengths or integers,
negative integers, and r or s equal to 0 or >= n.
"""

from __future__ import annotations

from signer import _asn1
from signer._sm2_curve import N as SM2_N
from signer.errors import (
    SignatureEncodingError,
    SignatureTrailingData,
    SignatureTruncated,
    SignatureValueOutOfRange,
)

_KIND_TO_ERROR = {"truncated": SignatureTruncated, "trailing": SignatureTrailingData}


def check_range(r: int, s: int, order: int) -> None:
    """Raise :class:`SignatureValueOutOfRange` unless 0 < r < n and 0 < s < n."""
    for name, value in (("r", r), ("s", s)):
        if not 0 < value < order:
            raise SignatureValueOutOfRange(
                f"signature {name} is out of range (must be 0 < {name} < n)",
                expected=f"0 < {name} < 0x{order:x}",
                got=hex(value),
            )


def encode_signature(r: int, s: int, *, order: int = SM2_N) -> bytes:
    """DER-encode (r, s). Precondition: 0 < r, s < order (checked)."""
    check_range(r, s, order)
    return _asn1.seq(_asn1.integer(r), _asn1.integer(s))


def decode_signature(der: bytes, *, order: int = SM2_N) -> tuple[int, int]:
    """Decode a strict DER signature into (r, s), checking 0 < r, s < order."""
    try:
        body = _asn1.Reader(_asn1.parse_single(der, _asn1.SEQUENCE))
        r = _asn1.decode_integer(body.read(_asn1.INTEGER))
        s = _asn1.decode_integer(body.read(_asn1.INTEGER))
        body.done()
    except _asn1.Asn1Error as exc:
        error = _KIND_TO_ERROR.get(exc.kind, SignatureEncodingError)
        raise error(f"signature is not strict DER: {exc}", got=der.hex()) from exc
    check_range(r, s, order)
    return r, s


def der_to_raw(der: bytes, *, order: int = SM2_N) -> bytes:
    """DER signature -> 64-byte r||s (each 32 bytes big-endian)."""
    r, s = decode_signature(der, order=order)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def raw_to_der(raw: bytes, *, order: int = SM2_N) -> bytes:
    """64-byte r||s -> strict DER. Precondition: len(raw) == 64 (checked)."""
    if len(raw) != 64:
        error = SignatureTruncated if len(raw) < 64 else SignatureTrailingData
        raise error("raw signature must be 64 bytes r||s", expected=64, got=len(raw))
    return encode_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"), order=order)
