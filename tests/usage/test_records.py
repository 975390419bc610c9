"""A usage record's leaf is its RFC 8785 canonical JSON: the fast writer (orjson, sorted keys)
against the rfc8785 package, on records with every kind of text a record may carry."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from signer.canonical import canonical_bytes
from usage.records import SCHEMA, UsageRecordIn, leaf_bytes, leaf_document

BASE = {
    "request_id": "gw-1",
    "grant_id": "0x" + "1d" * 32,
    "entry_id": "0x" + "e1" * 32,
    "version": 4294967295,
    "items": ["姓名", "身份证号"],
    "scenario": "PT-SC-2026-001",
    "method": "interface",
    "unit_id": "0x" + "5a" * 32,
    "system": "长寿路街道-民生服务系统",
    "used_at": 2**40 - 1,
    "result": {"count": 2**53 - 1, "hash": "00" * 32},
}
TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40)  # any code point but lone surrogates


@pytest.mark.parametrize(
    "text",
    ["\u0000\u001f\u007f", '"\\/\b\f\n\r\t', "\u2028\u2029", "😀𝄞", "\ufeff\uffff", "é\u0301", "<>&'"],
)
def test_the_leaf_is_rfc_8785_for_every_kind_of_text(text):
    record = UsageRecordIn.model_validate({**BASE, "items": [text, "姓名"], "scenario": text, "system": text})
    document = leaf_document(record, outcome="refused", reason="scenario_not_granted")
    assert leaf_bytes(document) == canonical_bytes(document)


@settings(max_examples=200, deadline=None)
@given(items=st.lists(TEXT, min_size=1, max_size=5), scenario=TEXT, system=TEXT, count=st.integers(0, 2**53 - 1))
def test_the_leaf_is_rfc_8785_for_any_record(items, scenario, system, count):
    record = UsageRecordIn.model_validate(
        {**BASE, "items": items, "scenario": scenario, "system": system, "result": {"count": count, "hash": "ab" * 32}}
    )
    document = leaf_document(record, outcome="accepted", reason="granted")
    assert leaf_bytes(document) == canonical_bytes(document)
    # The document is the model's own dump (it is built from the validated values directly).
    assert document == {"schema": SCHEMA, **record.model_dump(), "outcome": "accepted", "reason": "granted"}
    assert leaf_bytes(document) == leaf_bytes(
        leaf_document(UsageRecordIn.model_validate_json(record.model_dump_json()), outcome="accepted", reason="granted")
    )


def test_a_lone_surrogate_is_no_record_and_no_leaf():
    """Not Unicode text: the record is refused (422 at the API), and the writer refuses it too."""
    with pytest.raises(ValidationError, match="string_unicode"):
        UsageRecordIn.model_validate({**BASE, "system": "\ud800"})
    with pytest.raises(ValueError):
        leaf_bytes({"system": "\ud800"})
