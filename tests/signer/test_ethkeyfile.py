"""Ethereum v3 JSON keystores in and out."""

from __future__ import annotations

import pytest
from eth_account import Account

from signer import errors
from signer.ethkeyfile import export_eth_v3, import_eth_v3
from signer.keys import SigningKey
from tests.signer.helpers import PASSWORD


def test_import_eth_account_keystore() -> None:
    account = Account.create()
    v3 = Account.encrypt(account.key, PASSWORD, kdf="pbkdf2", iterations=1000)
    key = import_eth_v3(v3, PASSWORD, name="geth")
    assert (key.scheme, key.key_id, key.name) == ("ecdsa", account.address, "geth")


def test_wrong_password() -> None:
    v3 = Account.encrypt(Account.create().key, PASSWORD, kdf="pbkdf2", iterations=1000)
    with pytest.raises(errors.WrongPassword):
        import_eth_v3(v3, "wrong password")


def test_crafted_kdf_cost_is_refused() -> None:
    v3 = Account.encrypt(Account.create().key, PASSWORD, kdf="scrypt", iterations=16)
    v3["crypto"]["kdfparams"]["n"] = 2**30
    with pytest.raises(errors.KeystoreMalformed):
        import_eth_v3(v3, PASSWORD)


def test_export_round_trip_through_eth_account() -> None:
    key = SigningKey.generate("ecdsa")
    v3 = export_eth_v3(key, PASSWORD, scrypt_n=16)
    assert v3["address"].lower() == key.key_id.lower()[2:]
    assert bytes(Account.decrypt(v3, PASSWORD)) == key.private_key


def test_sm2_keys_have_no_v3_form() -> None:
    with pytest.raises(errors.UnsupportedScheme):
        export_eth_v3(SigningKey.generate("sm2"), PASSWORD)


def test_not_v3() -> None:
    with pytest.raises(errors.KeystoreMalformed):
        import_eth_v3({"version": 1}, PASSWORD)
