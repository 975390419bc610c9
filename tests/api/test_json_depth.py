"""`api.app.json_too_deep`: the depth of JSON nesting, brackets inside strings not counted, held
against a parser's own count on generated documents (escapes, quotes and brackets in strings)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from api.app import MAX_JSON_DEPTH, json_too_deep

# Strings made of what could fool a depth count: brackets, quotes, backslashes, control characters.
TRICKY = st.text(st.sampled_from('[]{}"\\/\n\t\u0000a字'), max_size=12)


def depth(value) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


def nested(levels: int, inner) -> object:
    for k in range(levels):
        inner = [inner] if k % 2 else {'[{\\"': inner}
    return inner


values = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TRICKY, children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(value=values, extra=st.integers(min_value=0, max_value=2 * MAX_JSON_DEPTH), ascii_only=st.booleans())
def test_the_depth_is_the_parsers(value, extra: int, ascii_only: bool):
    document = nested(extra, value)
    body = json.dumps(document, ensure_ascii=ascii_only).encode()
    assert json_too_deep(body) == (depth(document) > MAX_JSON_DEPTH)


def test_the_limit_is_exact_and_strings_do_not_count():
    assert not json_too_deep(json.dumps(nested(MAX_JSON_DEPTH, 1)).encode())
    assert json_too_deep(json.dumps(nested(MAX_JSON_DEPTH + 1, 1)).encode())
    assert not json_too_deep(json.dumps({"a": "[" * 1000 + '\\"' + "{" * 1000}).encode())
    # An escaped backslash ends in a real quote: the brackets after it are outside the string.
    assert json_too_deep(b'{"a": "\\\\", "b": ' + b"[" * 100 + b"]" * 100 + b"}")
    assert not json_too_deep(b'{"a": "\\\\\\"' + b"[" * 100 + b'"}')
