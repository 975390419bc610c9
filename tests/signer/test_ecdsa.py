"""ECDSA secp256k1: EIP-191 and EIP-712 vectors, low-s only, round trips."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_keys import keys as eth_keys
from hypothesis import given, settings
from hypothesis import strategies as st

from signer import ecdsa, errors
from signer.canonical import keccak256
from signer.keys import SigningKey
from tests.signer.helpers import hexb, load_vector, vector_message

EIP191 = load_vector("ecdsa-eip191.json")
MAIL = load_vector("ecdsa-eip712-mail.json")


def test_eip191_vector() -> None:
    message = vector_message(EIP191)
    assert ecdsa.sign_message(hexb(EIP191["private_key"]), message) == hexb(EIP191["signature"])
    assert ecdsa.recover_message(message, hexb(EIP191["signature"])) == EIP191["address"]


def test_eip712_mail_vector_from_the_eip() -> None:
    assert ecdsa.typed_data_digest(MAIL["typed_data"]) == hexb(MAIL["digest"])
    signature = ecdsa.sign_typed_data(MAIL["private_key"], MAIL["typed_data"])
    assert signature == hexb(MAIL["signature"])
    assert ecdsa.recover_typed_data(MAIL["typed_data"], signature) == MAIL["address"]


def test_sign_typed_data_accepts_account_and_signing_key() -> None:
    key = SigningKey.from_private("ecdsa", hexb(MAIL["private_key"]))
    account = Account.from_key(MAIL["private_key"])
    assert ecdsa.sign_typed_data(key, MAIL["typed_data"]) == hexb(MAIL["signature"])
    assert ecdsa.sign_typed_data(account, MAIL["typed_data"]) == hexb(MAIL["signature"])


def test_sign_typed_data_refuses_an_sm2_key() -> None:
    with pytest.raises(errors.UnsupportedScheme) as caught:
        ecdsa.sign_typed_data(SigningKey.generate("sm2"), MAIL["typed_data"])
    assert (caught.value.expected, caught.value.got) == ("ecdsa", "sm2")


def test_high_s_is_refused_although_ecrecover_would_accept_it() -> None:
    vector = load_vector("ecdsa-high-s.json")
    message, signature = vector_message(vector), hexb(vector["signature"])
    # The malleated signature is mathematically valid: raw recovery yields the signer.
    raw = eth_keys.Signature(signature[:64] + bytes([signature[64] - 27]))
    signable = encode_defunct(primitive=message)
    digest = keccak256(b"\x19" + signable.version + signable.header + signable.body)
    assert raw.recover_public_key_from_msg_hash(digest).to_checksum_address() == vector["address"]
    with pytest.raises(errors.HighSSignature) as caught:
        ecdsa.recover_message(message, signature)
    assert caught.value.got == hex(int.from_bytes(signature[32:64], "big"))


@pytest.mark.parametrize("name", ["ecdsa-high-s.json", "ecdsa-bad-v.json", "ecdsa-wrong-message.json"])
def test_failure_vectors(name: str) -> None:
    vector = load_vector(name)
    public = ecdsa.public_key_from_private(hexb(EIP191["private_key"]))
    with pytest.raises(errors.SignerError) as caught:
        ecdsa.verify_message(public, vector_message(vector), hexb(vector["signature"]))
    assert type(caught.value) is getattr(errors, vector["expected_error"])


@pytest.mark.parametrize("length", [64, 66])
def test_signature_must_be_65_bytes(length: int) -> None:
    with pytest.raises(errors.SignatureEncodingError) as caught:
        ecdsa.recover_message(b"m", b"\x01" * length)
    assert caught.value.got == length


def test_off_curve_public_key_is_refused() -> None:
    public = bytearray(ecdsa.public_key_from_private(hexb(EIP191["private_key"])))
    public[-1] ^= 1
    with pytest.raises(errors.InvalidPublicKey):
        ecdsa.validate_public_key(bytes(public))


@settings(max_examples=25, deadline=None)
@given(private=st.integers(min_value=1, max_value=ecdsa.ORDER - 1), message=st.binary(max_size=100))
def test_round_trip_is_low_s_and_recovers_the_address(private: int, message: bytes) -> None:
    key = SigningKey.from_private("ecdsa", private.to_bytes(32, "big"))
    signature = ecdsa.sign_message(key, message)
    assert int.from_bytes(signature[32:64], "big") <= ecdsa.HALF_ORDER
    assert ecdsa.recover_message(message, signature) == key.key_id
    ecdsa.verify_message(key.public_key, message, signature)
