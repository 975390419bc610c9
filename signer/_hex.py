"""0x-prefixed lower-case hex, the one text form of bytes in every signer file."""

from __future__ import annotations

import re

_HEX = re.compile(r"^0x(?:[0-9a-f]{2})*$")


def to_hex(data: bytes) -> str:
    return "0x" + bytes(data).hex()


def parse_hex(text: object, *, length: int | None = None) -> bytes:
    """Bytes of a strict ``0x`` + lower-case hex string (exactly ``length`` bytes if given).

    Raises ``ValueError`` with the reason; callers wrap it in their field error.
    Lower case only, so a signed file has one spelling of each value.
    """
    if not isinstance(text, str) or not _HEX.match(text):
        raise ValueError("must be 0x followed by lower-case hex, whole bytes")
    data = bytes.fromhex(text[2:])
    if length is not None and len(data) != length:
        raise ValueError(f"must be {length} bytes, got {len(data)}")
    return data
