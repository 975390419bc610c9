"""catalog.validity: why a catalog version's document cannot be judged, from its bytes alone."""

from __future__ import annotations

import copy
import json

import pytest

from api.schemas import EXAMPLE_DOCUMENT
from catalog.validity import PROBLEM_MAX, document_problem
from signer.canonical import canonical_bytes

DELETION = {"schema": "putuo.catalog-deletion/1", "reason": "系统停用"}


def changed(**fields) -> dict:
    doc = copy.deepcopy(EXAMPLE_DOCUMENT)
    doc.update(fields)
    return doc


def without(name: str) -> dict:
    doc = copy.deepcopy(EXAMPLE_DOCUMENT)
    del doc[name]
    return doc


@pytest.mark.parametrize(
    ("raw", "deletion", "problem"),
    [
        (canonical_bytes(EXAMPLE_DOCUMENT), False, None),
        (canonical_bytes(DELETION), True, None),
        (json.dumps(EXAMPLE_DOCUMENT, ensure_ascii=False).encode(), False, "not_canonical"),  # spaces
        (json.dumps(DELETION, ensure_ascii=False, separators=(",", ":")).encode(), True, "not_canonical"),  # order
        (
            b'{"reason":"x","schema":"putuo.catalog-deletion/1","schema":"putuo.catalog-deletion/1"}',
            True,
            "not_canonical",
        ),
        (b"\xff\xfe", False, "not_json"),
        (b"hello", False, "not_json"),
        (b"", False, "not_json"),
        (b"[1]", False, "schema_invalid: document: Input should be a valid dictionary or instance of CatalogDocument"),
        (
            canonical_bytes(without("update_frequency")),
            False,
            "schema_invalid: document.update_frequency: Field required",
        ),
        (
            canonical_bytes(changed(sharing={"attribute": "conditional"})),
            False,
            "schema_invalid: document.sharing: Value error, conditional sharing needs `conditions`",
        ),
        # Strict: JSON 1 is not true, though a lax parse would take it.
        (
            canonical_bytes(changed(supplementary=1)),
            False,
            "schema_invalid: document.supplementary: Input should be a valid boolean",
        ),
        # A deletion request judged by the entry schema, and the other way round.
        (canonical_bytes(DELETION), False, "schema_invalid: document.schema: Input should be 'putuo.catalog/1'"),
        (
            canonical_bytes(EXAMPLE_DOCUMENT),
            True,
            "schema_invalid: document.schema: Input should be 'putuo.catalog-deletion/1'",
        ),
    ],
)
def test_the_problem_of_each_kind_of_document(raw, deletion, problem):
    assert document_problem(raw, deletion=deletion) == problem


def test_a_problem_is_bounded_and_holds_no_nul():
    """A field name is the signer's to choose; the mirror stores the problem on every backend."""
    problem = document_problem(canonical_bytes({"\x00" * 1000: 1}), deletion=True)
    assert problem == "schema_invalid: document.schema: Field required"
    problem = document_problem(canonical_bytes({**DELETION, "x\x00" * 500: 1}), deletion=True)
    assert len(problem) == PROBLEM_MAX and "\x00" not in problem
    assert problem.startswith("schema_invalid: document.xxxx")
