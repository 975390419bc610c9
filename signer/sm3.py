"""SM3 (GB/T 32905-2016), the hash inside SM2 signatures and the usage-log Merkle tree."""

from __future__ import annotations

from signer import _gmssl_backend

DIGEST_SIZE = 32


def sm3(data: bytes) -> bytes:
    """SM3 digest of ``data`` (32 bytes)."""
    return _gmssl_backend.sm3(bytes(data))
