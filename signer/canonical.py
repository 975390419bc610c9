"""Canonical documents: RFC 8785 (JCS) JSON, identified by keccak256 of its bytes.

A document's identity is ``keccak256(canonical_bytes(doc))``; this is the id
the contracts store. JSON text read from outside is parsed strictly first
(:func:`parse_json_strict`): a duplicate key or NaN would let two parsers see
two different documents behind one hash.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson
import rfc8785
from eth_hash.auto import keccak

from signer.errors import NotCanonical, NotCanonicalizable

MAX_JSON_DEPTH = 64  # documents here are a few levels deep
MAX_SAFE_INTEGER = 2**53 - 1  # RFC 8785 (I-JSON): integers beyond it have no canonical form
_KEY_ORDER_SAFE = "\ud800"  # below it, code point order is RFC 8785's UTF-16 code unit order
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)  # strings may hold brackets
_BRACKET = re.compile(r"[\[\]{}]")


def canonical_bytes(obj: Any) -> bytes:
    """Return the RFC 8785 canonical JSON encoding of ``obj``.

    Precondition: ``obj`` is built from dict (str keys), list, str, bool,
    None, int within +-2**53 and finite float.
    """
    try:
        return rfc8785.dumps(obj)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise NotCanonicalizable(f"not canonicalizable: {exc}", got=type(obj).__name__) from exc


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise NotCanonicalizable(f"duplicate key {key!r} in JSON object", got=key)
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise NotCanonicalizable(f"{name} is not JSON", got=name)


def _nesting_depth(text: str) -> int:
    depth = peak = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        depth += 1 if match.group() in "[{" else -1
        peak = max(peak, depth)
    return peak


def parse_json_strict(data: bytes) -> Any:
    """Parse UTF-8 JSON text, refusing duplicate keys, NaN/Infinity and deep nesting.

    Raises :class:`NotCanonicalizable` for the first two, ``ValueError``
    (including ``UnicodeDecodeError``/``json.JSONDecodeError``) otherwise.

    IMPORTANT: the depth check runs before ``json.loads`` because py_ecc
    (imported by eth-account) raises the interpreter's recursion limit to
    100000, and at that limit the C JSON scanner overflows the C stack and
    the process dies (measured: segfault on 100000 nested ``[``).
    """
    text = data.decode("utf-8")
    if _nesting_depth(text) > MAX_JSON_DEPTH:
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(text, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant)
    except RecursionError:  # nesting deeper than the interpreter's stack: not a document
        raise ValueError("JSON nested too deeply") from None


def is_canonical(data: bytes) -> bool:
    """True when ``data`` is exactly the canonical encoding of the JSON it holds."""
    if _surely_canonical(data):
        return True
    try:
        return canonical_bytes(parse_json_strict(data)) == data
    except (ValueError, NotCanonicalizable):
        return False


def _surely_canonical(data: bytes) -> bool:
    """True only when ``data`` is certainly canonical; False means "ask the full check".

    The full check costs ~0.3 ms for a 1 kB document (the strict parser's hooks and rfc8785 are
    pure Python), which the mirror pays for every catalog version it indexes. orjson writes what
    RFC 8785 writes for JSON without fractions (the same escapes for every code point: tested)
    except for integers beyond ±(2**53 - 1), which RFC 8785 refuses, and key order where a key
    holds a character from U+D800 up (UTF-16 code units order those differently). A document of
    only those kinds that orjson writes back byte for byte is canonical; duplicate keys, NaN,
    too deep a nesting or any other form make orjson write something else, or fail.
    """
    try:
        value = orjson.loads(data)
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS) == data and _plain(value)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return False


def _plain(value: Any, depth: int = 0) -> bool:
    """Whether orjson and RFC 8785 are known to write ``value`` alike (see `_surely_canonical`),
    and it is nested no deeper than :func:`parse_json_strict` takes."""
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER
    if depth >= MAX_JSON_DEPTH:
        return False
    if isinstance(value, list):
        return all(_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all((k.isascii() or max(k) < _KEY_ORDER_SAFE) and _plain(v, depth + 1) for k, v in value.items())
    return False  # a float: number forms differ (1e+21, 1.0)


def document_hash(obj_or_bytes: Any) -> bytes:
    """keccak256 of a document's canonical bytes (32 bytes): the on-chain document id.

    An object is canonicalized first. Bytes must already be canonical JSON
    (as :func:`canonical_bytes` returns) and are refused otherwise, because
    hashing a pretty-printed copy would silently yield another id.
    """
    if isinstance(obj_or_bytes, (bytes, bytearray, memoryview)):
        data = bytes(obj_or_bytes)
        if not is_canonical(data):
            raise NotCanonical(
                "bytes are not RFC 8785 canonical JSON",
                expected="canonical JSON",
                got=data[:40].decode("utf-8", "replace"),
            )
        return keccak(data)
    return keccak(canonical_bytes(obj_or_bytes))


def keccak256(data: bytes) -> bytes:
    """keccak256 (Ethereum's, not NIST SHA3-256) of raw bytes."""
    return keccak(data)
