"""The key id rule (signer/keyid.py)."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_utils import keccak

from signer import errors
from signer.keyid import key_id, normalize_key_id
from signer.keys import SigningKey
from tests.signer.helpers import hexb, load_vector

ANNEX_A_PUB = hexb(load_vector("sm2-gbt32918-5-annex-a.json")["public_key"])


def test_sm2_key_id_is_first_20_bytes_of_keccak_of_the_65_byte_key() -> None:
    assert key_id("sm2", ANNEX_A_PUB) == "0x" + keccak(ANNEX_A_PUB)[:20].hex()


def test_sm2_key_id_of_the_standard_key_is_pinned() -> None:
    # Key ids are stored on-chain: a change of the rule must not pass unnoticed.
    assert key_id("sm2", ANNEX_A_PUB) == "0x5948233b04c10a1b0e1092dd24e1917f4a6c846a"


def test_ecdsa_key_id_is_the_checksum_address() -> None:
    account = Account.create()
    key = SigningKey.from_private("ecdsa", bytes(account.key))
    assert key.key_id == account.address


def test_same_coordinates_give_different_ids_per_scheme() -> None:
    assert key_id("sm2", ANNEX_A_PUB).lower() != key_id("ecdsa", ANNEX_A_PUB).lower()


def test_normalize() -> None:
    address = Account.create().address
    assert normalize_key_id("ecdsa", address.lower()) == address
    assert normalize_key_id("sm2", "0x" + "AB" * 20) == "0x" + "ab" * 20


def test_bad_checksum_is_refused() -> None:
    address = Account.create().address
    flipped = address[:2] + "".join(
        c.swapcase() if c.isalpha() and i == next(j for j, d in enumerate(address[2:]) if d.isalpha()) else c
        for i, c in enumerate(address[2:])
    )
    with pytest.raises(errors.InvalidKeyId) as caught:
        normalize_key_id("ecdsa", flipped)
    assert caught.value.expected == address


@pytest.mark.parametrize("text", ["0x1234", "ab" * 20, "0x" + "g" * 40, None])
def test_malformed_key_id(text) -> None:
    with pytest.raises(errors.InvalidKeyId):
        normalize_key_id("sm2", text)


def test_unknown_scheme() -> None:
    with pytest.raises(errors.UnsupportedScheme) as caught:
        key_id("rsa", ANNEX_A_PUB)
    assert caught.value.got == "rsa"
