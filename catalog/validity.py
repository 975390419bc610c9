"""Whether a catalog version's document is one the platform can judge (issue #10, rule 8).

The Catalog contract keeps a document's keccak256 and takes whatever bytes an officer signs; only
the API checks a document before relaying it. A version sent to the contract directly may carry
bytes that are no JSON, JSON that is not RFC 8785 canonical (its hash then identifies no document
a verifier can rebuild: PROTOCOL.md hashes the canonical form), or a document its schema refuses.
`document_problem` says which, from the bytes alone, so the mirror decides it once per version
and a rebuild from block 0 decides the same. Such a version is not a catalog entry anyone may
rely on: the views mark it, search leaves it out, the API refuses its approval and any
application naming it.
"""

from __future__ import annotations

import orjson
from pydantic import BaseModel, ValidationError

from catalog.document import CatalogDocument, DeletionRequest
from signer.canonical import is_canonical, parse_json_strict
from signer.errors import NotCanonicalizable

NOT_JSON = "not_json"  # not UTF-8 JSON text (or nested deeper than documents ever are)
# JSON, but not the RFC 8785 form of itself: whitespace, key order, escapes, number forms, and
# what RFC 8785 (I-JSON) has no form for: duplicate keys, NaN, integers beyond ±2**53.
NOT_CANONICAL = "not_canonical"
SCHEMA_INVALID = "schema_invalid"  # "schema_invalid: <field>: <message>", the API's 422 message
PROBLEM_MAX = 300  # characters kept of a problem (a field name is the signer's to choose)


def document_problem(raw: bytes, *, deletion: bool) -> str | None:
    """Why `raw`, the document of a catalog version, cannot be judged; None when it can.

    `deletion`: the version is a deletion request (schema `putuo.catalog-deletion/1`), else an
    entry version (`putuo.catalog/1`). The schema check is the API's own (`validate_model`: a lax
    pass naming the first bad field, then a strict pass over the JSON as signed), so the problem
    reads as the 422 the API would have answered. The answer depends on the bytes and this code
    only: never on the mirror's state or the time. At most PROBLEM_MAX characters, no NUL.
    """
    if not is_canonical(raw):
        try:
            parse_json_strict(raw)
        except NotCanonicalizable:  # duplicate keys, NaN: text RFC 8785 has no form for
            return NOT_CANONICAL
        except ValueError:  # not UTF-8, not JSON, nested too deep
            return NOT_JSON
        return NOT_CANONICAL
    value = orjson.loads(raw)  # canonical JSON: any parser reads the same value
    error = _first_schema_error(DeletionRequest if deletion else CatalogDocument, value, raw)
    if error is None:
        return None
    return f"{SCHEMA_INVALID}: {error}".replace("\x00", "")[:PROBLEM_MAX]


def _first_schema_error(model: type[BaseModel], value: object, raw: bytes) -> str | None:
    """The first error `model` finds in the document as "<field>: <message>", None if it is valid:
    the lax pass's first error (it names fields for any input), else the strict pass's."""
    try:
        model.model_validate_json(raw, strict=True)  # the types as signed ("1" is no 1)
        return None  # what the strict pass takes, the lax one does: the common case, one pass
    except ValidationError as exc:
        strict = exc
    try:
        model.model_validate(value)
        first = strict.errors()[0]
    except ValidationError as exc:
        first = exc.errors()[0]
    return ".".join(["document", *(str(p) for p in first["loc"])]) + ": " + first["msg"]
