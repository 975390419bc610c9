"""How the mirror keeps documents it cannot read.

The contract takes any document an officer signs (it checks the hash, not the schema), so a
document on-chain may be no JSON object, no JSON, or not even UTF-8. The mirror must not stop
on one: it keeps the text when it can, a marker holding the bytes as hex when it cannot, and
readers get an object either way.
"""

from __future__ import annotations

import json

import orjson

from chain.errors import DocumentHashMismatch
from chain.events import EventRecord
from chain.keccak import keccak256

RAW_KEY = "$raw"  # a document that is not UTF-8 text (or holds NUL): its bytes as 0x-hex
TEXT_KEY = "$text"  # a document that is text but no JSON object: the text itself


def stored_text(raw: bytes) -> str:
    """The text the mirror stores for document bytes `raw` (already checked against their hash)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:  # PostgreSQL text cannot hold NUL
        return json.dumps({RAW_KEY: "0x" + raw.hex()})
    return text


def as_object(text: str) -> dict:
    """A stored document as a JSON object; unreadable ones come back as their marker."""
    try:
        value = orjson.loads(text)  # fast path; it refuses what json accepts too (integers past 64 bits)
    except orjson.JSONDecodeError:
        try:
            value = json.loads(text)
        except ValueError:
            return {TEXT_KEY: text}
    return value if isinstance(value, dict) else {TEXT_KEY: text}


def field(doc: dict, *path: str, default=""):
    """doc[path[0]][path[1]]…, or `default` where the document does not have that shape."""
    value = doc
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return default
        value = value[key]
    return value


def hex0x(value: bytes) -> str:
    return "0x" + value.hex()


def checked_document(event: EventRecord, where: str) -> str:
    """The event's document as text, after checking it hashes to the on-chain hash."""
    document: bytes = event.args["document"]
    got = keccak256(document)
    if got != event.args["documentHash"]:
        raise DocumentHashMismatch(f"{where} (tx {event.tx_hash})", hex0x(event.args["documentHash"]), hex0x(got))
    return stored_text(document)
