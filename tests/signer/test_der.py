"""Strict DER signature encoding and the raw r||s form."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signer import errors
from signer._sm2_curve import N
from signer.der import decode_signature, der_to_raw, encode_signature, raw_to_der
from signer.ecdsa import ORDER as SECP256K1_N

scalars = st.integers(min_value=1, max_value=N - 1)


def test_known_encoding() -> None:
    # 0x80 needs a sign byte, 0x7f does not.
    assert encode_signature(0x80, 0x7F) == bytes.fromhex("30070202008002017f")
    assert decode_signature(bytes.fromhex("30070202008002017f")) == (0x80, 0x7F)


@pytest.mark.parametrize(
    ("hex_der", "error"),
    [
        ("30070202008002017f00", errors.SignatureTrailingData),
        ("30070202008002017f", None),
        ("3007020200800201", errors.SignatureTruncated),
        ("3008020300008002017f", errors.SignatureEncodingError),  # r: redundant 0x00
        ("3006020180020180", errors.SignatureEncodingError),  # r, s negative
        ("3081070202008002017f", errors.SignatureEncodingError),  # long-form length < 128
        ("30800202008002017f0000", errors.SignatureEncodingError),  # indefinite length
        ("31070202008002017f", errors.SignatureEncodingError),  # SET, not SEQUENCE
        ("300a0202008002017f020101", errors.SignatureTrailingData),  # a third INTEGER
        ("3006020100020101", errors.SignatureValueOutOfRange),  # r = 0
        ("30050203", errors.SignatureTruncated),  # content shorter than its length
    ],
)
def test_strictness(hex_der: str, error: type | None) -> None:
    der = bytes.fromhex(hex_der)
    if error is None:
        decode_signature(der)
        return
    with pytest.raises(errors.SignerError) as caught:
        decode_signature(der)
    assert type(caught.value) is error


def test_r_equal_to_n_is_refused_for_each_curve() -> None:
    for order in (N, SECP256K1_N):
        with pytest.raises(errors.SignatureValueOutOfRange) as caught:
            encode_signature(order, 1, order=order)
        assert caught.value.got == hex(order)


@pytest.mark.parametrize("length", [0, 63, 65])
def test_raw_must_be_64_bytes(length: int) -> None:
    with pytest.raises(errors.SignatureEncodingError) as caught:
        raw_to_der(b"\x01" * length)
    assert caught.value.got == length


@settings(max_examples=200, deadline=None)
@given(r=scalars, s=scalars)
def test_der_raw_round_trip(r: int, s: int) -> None:
    der = encode_signature(r, s)
    raw = der_to_raw(der)
    assert raw == r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert raw_to_der(raw) == der
    assert decode_signature(der) == (r, s)


@settings(max_examples=200, deadline=None)
@given(r=scalars, s=scalars, junk=st.binary(min_size=1, max_size=4))
def test_any_appended_bytes_are_refused(r: int, s: int, junk: bytes) -> None:
    with pytest.raises(errors.SignatureTrailingData):
        decode_signature(encode_signature(r, s) + junk)


@settings(max_examples=200, deadline=None)
@given(r=scalars, s=scalars, data=st.data())
def test_any_truncation_is_refused(r: int, s: int, data: st.DataObject) -> None:
    der = encode_signature(r, s)
    cut = data.draw(st.integers(min_value=0, max_value=len(der) - 1))
    with pytest.raises(errors.SignatureEncodingError):
        decode_signature(der[:cut])
