"""verify_detached: every refusal comes back as the right error, never as an exception."""

from __future__ import annotations

import dataclasses

import pytest

from signer import errors
from signer.detached import sign_detached
from signer.ecdsa import ORDER
from signer.keys import PublicKey, SigningKey
from signer.verify import verify_detached

DOC = b'{"schema": "example/1", "text": "\xe6\x89\xbf\xe8\xaf\xba"}'


@pytest.fixture(scope="module", params=["sm2", "ecdsa"])
def key(request) -> SigningKey:
    return SigningKey.generate(request.param)


@pytest.fixture(scope="module")
def sig(key: SigningKey):
    return sign_detached(DOC, key)


def test_valid_with_supplied_key(key: SigningKey, sig) -> None:
    result = verify_detached(DOC, sig, key.public)
    assert result.ok and result.error is None
    assert (result.scheme, result.key_id, result.key_source) == (key.scheme, key.key_id, "supplied")
    result.raise_for_error()


def test_valid_with_embedded_key_says_so(sig) -> None:
    assert verify_detached(DOC, sig.to_bytes()).key_source == "embedded"


def test_document_changed_after_signing(sig) -> None:
    result = verify_detached(DOC.replace(b"example", b"exampl3"), sig)
    assert not result
    assert type(result.error) is errors.DocumentHashMismatch
    assert result.error.expected == "0x" + sig.document_hash.hex()
    with pytest.raises(errors.DocumentHashMismatch):
        result.raise_for_error()


def test_other_trusted_key(key: SigningKey, sig) -> None:
    other = SigningKey.generate(key.scheme)
    for supplied in (other.public, other.public_key, "0x" + other.public_key.hex()):
        assert type(verify_detached(DOC, sig, supplied).error) is errors.PublicKeyMismatch


def test_key_substituted_in_the_file(key: SigningKey, sig) -> None:
    # An attacker replaces key and id with their own but keeps the victim's signature.
    other = SigningKey.generate(key.scheme)
    forged = dataclasses.replace(sig, public_key=other.public_key, key_id=other.key_id)
    assert type(verify_detached(DOC, forged).error) is errors.InvalidSignature


def test_key_id_not_matching_the_key(sig) -> None:
    forged = dataclasses.replace(sig, key_id=SigningKey.generate(sig.scheme).key_id)
    assert type(verify_detached(DOC, forged).error) is errors.KeyIdMismatch


def test_signature_from_another_document(key: SigningKey, sig) -> None:
    other = sign_detached(b"another document", key)
    forged = dataclasses.replace(sig, signature=other.signature)
    assert type(verify_detached(DOC, forged).error) is errors.InvalidSignature


def test_sm2_user_id_changed_or_unexpected() -> None:
    key = SigningKey.generate("sm2")
    sig = sign_detached(DOC, key)
    changed = dataclasses.replace(sig, user_id=b"8765432187654321")
    assert type(verify_detached(DOC, changed).error) is errors.InvalidSignature
    assert type(verify_detached(DOC, sig, user_id=b"other").error) is errors.UserIdMismatch
    registry_key = PublicKey("sm2", key.public_key, b"other")
    assert type(verify_detached(DOC, sig, registry_key).error) is errors.UserIdMismatch


def test_ecdsa_high_s_in_a_file_is_refused() -> None:

    key = SigningKey.generate("ecdsa")
    sig = sign_detached(DOC, key)
    s = int.from_bytes(sig.signature[32:64], "big")
    high = sig.signature[:32] + (ORDER - s).to_bytes(32, "big") + bytes([55 - sig.signature[64]])
    result = verify_detached(DOC, dataclasses.replace(sig, signature=high), key.public)
    assert type(result.error) is errors.HighSSignature


def test_sm2_malformed_der_in_a_file_is_refused() -> None:
    key = SigningKey.generate("sm2")
    sig = sign_detached(DOC, key)
    for bad, error in (
        (sig.signature + b"\x00", errors.SignatureTrailingData),
        (sig.signature[:-1], errors.SignatureTruncated),
    ):
        result = verify_detached(DOC, dataclasses.replace(sig, signature=bad), key.public)
        assert type(result.error) is error


def test_malformed_file_is_a_result_not_an_exception() -> None:
    result = verify_detached(DOC, b"{not json")
    assert not result.ok and type(result.error) is errors.DocumentFieldInvalid
