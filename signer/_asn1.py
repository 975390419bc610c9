"""Just enough strict DER (X.690) for signatures, PKCS#8 and SubjectPublicKeyInfo.

Strict means: one encoding per value. Lengths are definite and minimal,
integers minimal, nothing follows the outermost value. Callers turn
:class:`Asn1Error` into their own domain error (a truncated signature is not
a truncated keystore).
"""

from __future__ import annotations

SEQUENCE, INTEGER, BIT_STRING, OCTET_STRING, NULL, OID = 0x30, 0x02, 0x03, 0x04, 0x05, 0x06


class Asn1Error(ValueError):
    """Raised when bytes are not strict DER; ``kind`` is truncated, trailing or malformed."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind


# --- encoding ------------------------------------------------------------------


def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


def seq(*parts: bytes) -> bytes:
    return tlv(SEQUENCE, b"".join(parts))


def integer(value: int) -> bytes:
    """Minimal two's-complement INTEGER; only non-negative values are needed here."""
    if value < 0:
        raise ValueError("negative INTEGER not supported")
    return tlv(INTEGER, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def octet_string(data: bytes) -> bytes:
    return tlv(OCTET_STRING, data)


def bit_string(data: bytes) -> bytes:
    return tlv(BIT_STRING, b"\x00" + data)  # 0 unused bits: keys are whole bytes


def null() -> bytes:
    return tlv(NULL, b"")


def oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray()
    for arc in [arcs[0] * 40 + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body += bytes(reversed(chunk))
    return tlv(OID, bytes(body))


def explicit(number: int, content: bytes) -> bytes:
    """A context-specific constructed tag [number] around ``content``."""
    return tlv(0xA0 | number, content)


# --- decoding ------------------------------------------------------------------


def read_tlv(data: bytes, pos: int = 0) -> tuple[int, bytes, int]:
    """Read one value at ``pos``: (tag, content, position after it)."""
    if pos + 2 > len(data):
        raise Asn1Error("truncated", "value header cut short")
    tag, first = data[pos], data[pos + 1]
    if tag & 0x1F == 0x1F:
        raise Asn1Error("malformed", "multi-byte tags are not used here")
    pos += 2
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise Asn1Error("malformed", "indefinite length is not DER")
    else:
        count = first & 0x7F
        if count > 4:
            raise Asn1Error("malformed", "length field too long")
        if pos + count > len(data):
            raise Asn1Error("truncated", "length field cut short")
        raw = data[pos : pos + count]
        length = int.from_bytes(raw, "big")
        if raw[0] == 0 or length < 0x80:
            raise Asn1Error("malformed", "length not minimally encoded")
        pos += count
    if pos + length > len(data):
        raise Asn1Error("truncated", f"value needs {length} bytes, {len(data) - pos} left")
    return tag, data[pos : pos + length], pos + length


class Reader:
    """Reads the children of one constructed value in order."""

    def __init__(self, content: bytes) -> None:
        self._data, self._pos = content, 0

    def peek_tag(self) -> int | None:
        return self._data[self._pos] if self._pos < len(self._data) else None

    def read(self, expected_tag: int) -> bytes:
        tag, content, self._pos = read_tlv(self._data, self._pos)
        if tag != expected_tag:
            raise Asn1Error("malformed", f"expected tag 0x{expected_tag:02x}, got 0x{tag:02x}")
        return content

    def done(self) -> None:
        if self._pos != len(self._data):
            raise Asn1Error("trailing", f"{len(self._data) - self._pos} bytes after last field")


def parse_single(data: bytes, expected_tag: int) -> bytes:
    """The content of the one value that must make up all of ``data``."""
    tag, content, end = read_tlv(data)
    if end != len(data):
        raise Asn1Error("trailing", f"{len(data) - end} bytes after the value")
    if tag != expected_tag:
        raise Asn1Error("malformed", f"expected tag 0x{expected_tag:02x}, got 0x{tag:02x}")
    return content


def decode_integer(content: bytes) -> int:
    """A minimally encoded INTEGER; negative values are refused (none are valid here)."""
    if not content:
        raise Asn1Error("malformed", "empty INTEGER")
    if content[0] & 0x80:
        raise Asn1Error("malformed", "negative INTEGER")
    if len(content) > 1 and content[0] == 0 and not content[1] & 0x80:
        raise Asn1Error("malformed", "INTEGER not minimally encoded")
    return int.from_bytes(content, "big")


def decode_oid(content: bytes) -> str:
    if not content or content[-1] & 0x80:
        raise Asn1Error("malformed", "bad OBJECT IDENTIFIER")
    arcs, value = [], 0
    for i, byte in enumerate(content):
        if value == 0 and byte == 0x80 and (i == 0 or not content[i - 1] & 0x80):
            raise Asn1Error("malformed", "OID arc not minimally encoded")
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in [first, arcs[0] - 40 * first, *arcs[1:]])
