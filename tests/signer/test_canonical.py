"""RFC 8785 canonical bytes and the document hash."""

from __future__ import annotations

import json

import orjson
import pytest
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from signer import errors
from signer.canonical import (
    canonical_bytes,
    document_hash,
    is_canonical,
    parse_json_strict,
)


def test_keys_sorted_by_utf16_code_units_and_no_whitespace() -> None:
    # RFC 8785 §3.2.3 sorts by UTF-16 code units: U+1F600 (surrogates D83D DE00) comes
    # before U+FB33, the reverse of code-point order, so this pins the right rule.
    doc = {"b": [1, 2.5, True, None], "a": "中", "\ufb33": 1, "\U0001f600": 2}
    assert canonical_bytes(doc) == '{"a":"中","b":[1,2.5,true,null],"😀":2,"\ufb33":1}'.encode()


def test_numbers_in_es6_form() -> None:
    assert canonical_bytes([1.0, 1e21, 0.000001, -0.0]) == b"[1,1e+21,0.000001,0]"


def test_document_hash_is_keccak_of_canonical_bytes() -> None:
    doc = {"schema": "x/1", "n": 1}
    assert document_hash(doc) == keccak(b'{"n":1,"schema":"x/1"}')
    assert document_hash(b'{"n":1,"schema":"x/1"}') == document_hash(doc)


def test_document_hash_refuses_non_canonical_bytes() -> None:
    with pytest.raises(errors.NotCanonical):
        document_hash(b'{"schema": "x/1", "n": 1}')


@pytest.mark.parametrize("value", [2**53, float("nan"), float("inf"), {1: "int key"}, b"bytes"])
def test_values_outside_i_json_are_refused(value) -> None:
    with pytest.raises(errors.NotCanonicalizable):
        canonical_bytes(value)


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(errors.NotCanonicalizable) as caught:
        parse_json_strict(b'{"a": 1, "a": 2}')
    assert caught.value.got == "a"


def test_nan_literal_is_refused() -> None:
    with pytest.raises(errors.NotCanonicalizable):
        parse_json_strict(b'{"a": NaN}')


json_values = st.recursive(
    st.none() | st.booleans() | st.text(max_size=8) | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_canonical_bytes_are_a_fixed_point(value) -> None:
    data = canonical_bytes(value)
    assert is_canonical(data)
    assert canonical_bytes(parse_json_strict(data)) == data


def test_deep_nesting_is_refused_before_it_can_crash_the_interpreter() -> None:
    # eth-account's py_ecc raises the recursion limit to 100000; json.loads would then
    # overflow the C stack (segfault) on this input instead of raising.
    with pytest.raises(ValueError, match="nested deeper than 64"):
        parse_json_strict(b"[" * 100_000 + b"]" * 100_000)
    assert parse_json_strict(b"[" * 64 + b"]" * 64) is not None


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    doc = {"a": "[" * 100 + "\\", "b": '\\"' + "{" * 100}  # escapes must not end a string early
    assert parse_json_strict(json.dumps(doc).encode()) == doc


# --- is_canonical's fast path (signer.canonical._surely_canonical) -------------------------------


def _full_check(data: bytes) -> bool:
    """is_canonical without its fast path: rfc8785 over the strict parse."""
    try:
        return canonical_bytes(parse_json_strict(data)) == data
    except (ValueError, errors.NotCanonicalizable):
        return False


def test_orjson_escapes_every_code_point_as_rfc_8785_does() -> None:
    """The fast path rests on this: one string of every code point but the surrogates."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert orjson.dumps(every) == canonical_bytes(every)


@pytest.mark.parametrize(
    "data",
    [
        b'{"\xee\x80\x80":1,"\xf0\x9f\x98\x80":2}',  # code point order, not UTF-16's: not canonical
        b'{"\xf0\x9f\x98\x80":2,"\xee\x80\x80":1}',  # UTF-16 order: canonical, orjson would not write it
        b"9007199254740992",  # 2**53: no canonical form
        b"9007199254740991",
        b"1.5",
        b"1e+21",
        b"100.0",
        b"-0",
        b'{"a":1,"a":1}',
        b'{"a":NaN}',
        b"[" * 65 + b"]" * 65,  # deeper than parse_json_strict takes
        b"[" * 64 + b"]" * 64,
        b'"\\u001f"',
        b'"\\u001F"',
        b'"\x7f"',
        b"\xff",
        b"",
    ],
)
def test_the_fast_path_agrees_with_the_full_check(data) -> None:
    assert is_canonical(data) == _full_check(data)


wide_values = st.recursive(
    st.none()
    | st.booleans()
    | st.text(max_size=8)
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(wide_values, st.sampled_from(["orjson", "sorted", "json", "rfc8785"]))
def test_the_fast_path_agrees_with_the_full_check_on_any_json(value, writer) -> None:
    """Whatever writes the JSON (orjson, key-sorted or not; json; rfc8785), floats, integers past
    2**53 and keys beyond U+D800 included, is_canonical answers as the full check does."""
    if writer == "rfc8785":
        try:
            data = canonical_bytes(value)
        except errors.NotCanonicalizable:
            return
    elif writer == "json":
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    else:
        data = orjson.dumps(value, option=orjson.OPT_SORT_KEYS if writer == "sorted" else 0)
    assert is_canonical(data) == _full_check(data)
