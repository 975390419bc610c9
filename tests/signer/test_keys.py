"""SigningKey / PublicKey invariants."""

from __future__ import annotations

import pytest

from signer import errors, sm2
from signer.keys import PublicKey, SigningKey


@pytest.mark.parametrize("scheme", ["sm2", "ecdsa"])
def test_generate_sign_verify(scheme: str) -> None:
    key = SigningKey.generate(scheme, name="officer")
    signature = key.sign(b"document")
    key.public.verify(b"document", signature)
    with pytest.raises(errors.InvalidSignature):
        key.public.verify(b"documenT", signature)


def test_sm2_key_gets_the_default_user_id() -> None:
    assert SigningKey.generate("sm2").user_id == sm2.DEFAULT_USER_ID


def test_mismatched_public_key_is_refused() -> None:
    a, b = SigningKey.generate("sm2"), SigningKey.generate("sm2")
    with pytest.raises(errors.InvalidPrivateKey) as caught:
        SigningKey("sm2", a.private_key, b.public_key, sm2.DEFAULT_USER_ID)
    assert caught.value.expected == "0x" + a.public_key.hex()
    assert a.private_key.hex() not in str(vars(caught.value))


def test_repr_hides_the_private_key() -> None:
    key = SigningKey.generate("ecdsa")
    assert key.private_key.hex() not in repr(key)
    assert key.key_id in repr(key)


def test_user_id_rules() -> None:
    private, public = sm2.generate_keypair()
    with pytest.raises(errors.InvalidUserId):
        SigningKey("sm2", private, public, None)
    with pytest.raises(errors.InvalidUserId):
        SigningKey.generate("ecdsa", user_id=b"1234567812345678")
    with pytest.raises(errors.InvalidUserId):
        PublicKey("sm2", public, None)


def test_public_key_of_the_wrong_curve_is_refused() -> None:
    sm2_public = SigningKey.generate("sm2").public_key
    with pytest.raises(errors.InvalidPublicKey):
        PublicKey("ecdsa", sm2_public)
