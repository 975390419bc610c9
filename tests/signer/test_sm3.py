"""SM3 against the standard's examples and against an independent implementation."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from hypothesis import given, settings
from hypothesis import strategies as st

from signer.sm3 import sm3
from tests.signer.helpers import hexb, load_vector, vector_message

SM3_VECTORS = load_vector("sm3.json")["vectors"]


@pytest.mark.parametrize("vector", SM3_VECTORS, ids=[v["name"] for v in SM3_VECTORS])
def test_standard_examples(vector: dict) -> None:
    assert sm3(vector_message(vector)) == hexb(vector["digest"])


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=300))
def test_agrees_with_openssl_sm3_in_cryptography(data: bytes) -> None:
    reference = hashes.Hash(hashes.SM3())
    reference.update(data)
    assert sm3(data) == reference.finalize()
