"""The keystore: sealing, tamper and truncation detection, files and lookup."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from signer import errors, sm2
from signer._hex import to_hex
from signer._sealed import _derive
from signer.canonical import canonical_bytes
from signer.keys import SigningKey
from signer.keystore import (
    default_keystore_dir,
    find_key,
    list_keys,
    load_key,
    read_info,
    save_key,
    seal,
    unseal,
)
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N, hexb, load_vector


@pytest.fixture(scope="module", params=["sm2", "ecdsa"])
def key(request) -> SigningKey:
    user_id = b"officer-7@putuo" if request.param == "sm2" else None
    return SigningKey.generate(request.param, user_id=user_id, name="officer-7")


@pytest.fixture(scope="module")
def sealed(key: SigningKey) -> dict:
    return seal(key, PASSWORD, scrypt_n=TEST_SCRYPT_N)


def test_round_trip_keeps_everything(key: SigningKey, sealed: dict) -> None:
    opened = unseal(sealed, PASSWORD)
    assert (opened.scheme, opened.private_key, opened.public_key, opened.user_id, opened.name) == (
        key.scheme,
        key.private_key,
        key.public_key,
        key.user_id,
        key.name,
    )


def test_header_is_public_and_ciphertext_is_not_the_key(key: SigningKey, sealed: dict) -> None:
    assert sealed["key_id"] == key.key_id
    assert sealed["public_key"] == to_hex(key.public_key)
    assert key.private_key.hex() not in json.dumps(sealed)


def test_wrong_password(sealed: dict) -> None:
    with pytest.raises(errors.WrongPassword):
        unseal(sealed, PASSWORD + "!")


@pytest.mark.parametrize("field", ["name", "public_key", "scheme_and_curve", "nonce"])
def test_header_tampering_is_detected(key: SigningKey, sealed: dict, field: str) -> None:
    doc = json.loads(json.dumps(sealed))
    other = SigningKey.generate(key.scheme)
    if field == "name":
        doc["name"] = "someone-else"
    elif field == "public_key":
        # Swap in another valid key with its matching id: only the AEAD can notice.
        doc["public_key"], doc["key_id"] = to_hex(other.public_key), other.key_id
    elif field == "scheme_and_curve":
        doc["scheme"], doc["curve"] = ("ecdsa", "secp256k1") if key.scheme == "sm2" else ("sm2", "sm2p256v1")
        doc.pop("user_id", None)
        if doc["scheme"] == "sm2":
            doc["user_id"] = "1234567812345678"
    elif field == "nonce":
        doc["cipher"]["nonce"] = to_hex(bytes(12))
    with pytest.raises(errors.KeystoreTampered):
        unseal(doc, PASSWORD)


def test_sm2_user_id_tampering_is_detected() -> None:
    # The user id enters Z_A: changing it would silently change what the key signs.
    sealed = seal(SigningKey.generate("sm2", user_id=b"officer-7"), PASSWORD, scrypt_n=TEST_SCRYPT_N)
    with pytest.raises(errors.KeystoreTampered):
        unseal({**sealed, "user_id": "1234567812345678"}, PASSWORD)


def test_key_id_not_matching_public_key_is_tampering(sealed: dict) -> None:
    doc = {**sealed, "key_id": "0x" + "00" * 20}
    with pytest.raises(errors.KeystoreTampered) as caught:
        unseal(doc, PASSWORD)
    assert caught.value.expected == sealed["key_id"]


def test_ciphertext_tampering_is_detected(sealed: dict) -> None:
    ct = bytearray(bytes.fromhex(sealed["ciphertext"][2:]))
    ct[0] ^= 0x01
    with pytest.raises(errors.KeystoreTampered):
        unseal({**sealed, "ciphertext": to_hex(bytes(ct))}, PASSWORD)


def test_changed_kdf_salt_reads_as_wrong_password(sealed: dict) -> None:
    # Documented limit: without the password a changed KDF input is indistinguishable.
    doc = json.loads(json.dumps(sealed))
    doc["kdf"]["salt"] = to_hex(bytes(16))
    with pytest.raises(errors.WrongPassword):
        unseal(doc, PASSWORD)


def test_truncated_ciphertext(sealed: dict) -> None:
    with pytest.raises(errors.KeystoreTruncated) as caught:
        unseal({**sealed, "ciphertext": sealed["ciphertext"][:-8]}, PASSWORD)
    assert (caught.value.expected, caught.value.got) == (48, 44)


def test_truncated_file(key: SigningKey, tmp_path: Path) -> None:
    path = save_key(key, PASSWORD, directory=tmp_path, scrypt_n=TEST_SCRYPT_N)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(errors.KeystoreTruncated):
        load_key(path, PASSWORD)
    path.write_bytes(b"")
    with pytest.raises(errors.KeystoreTruncated):
        load_key(path, PASSWORD)


def test_not_a_keystore(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"hello": "world"}')
    with pytest.raises(errors.UnknownSchemaVersion) as caught:
        load_key(path, PASSWORD)
    assert caught.value.expected == "putuo.keystore/1"


@pytest.mark.parametrize("n", [3, 2**30, 0])
def test_unsafe_kdf_cost_is_refused_before_deriving(sealed: dict, n: int) -> None:
    doc = json.loads(json.dumps(sealed))
    doc["kdf"]["n"] = n
    with pytest.raises(errors.KeystoreMalformed):
        unseal(doc, PASSWORD)


def test_short_password_is_refused(key: SigningKey) -> None:
    with pytest.raises(errors.WeakPassword):
        seal(key, "short", scrypt_n=TEST_SCRYPT_N)


def test_default_cost_is_2_pow_15(key: SigningKey) -> None:
    assert seal(key, PASSWORD)["kdf"]["n"] == 2**15


def test_file_is_0600_in_a_0700_directory_and_not_overwritten(key: SigningKey, tmp_path: Path) -> None:
    directory = tmp_path / "new" / "keys"
    path = save_key(key, PASSWORD, directory=directory, scrypt_n=TEST_SCRYPT_N)
    assert path == directory / f"{key.key_id}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    before = path.read_bytes()
    with pytest.raises(errors.KeyExists):
        save_key(key, PASSWORD, directory=directory, scrypt_n=TEST_SCRYPT_N)
    assert path.read_bytes() == before
    assert [p.name for p in directory.iterdir()] == [path.name]  # no temp file left behind
    assert load_key(path, PASSWORD).private_key == key.private_key


def test_default_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LEDGER_KEYSTORE_DIR", str(tmp_path))
    assert default_keystore_dir() == tmp_path
    monkeypatch.delenv("LEDGER_KEYSTORE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # not the home directory: the platform's data directory
    monkeypatch.delenv("LEDGER_DATA_DIR", raising=False)
    assert default_keystore_dir() == Path(".ledger") / "keys"
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path / "data"))
    assert default_keystore_dir() == tmp_path / "data" / "keys"


def test_list_and_find(keystore_dir: Path) -> None:
    a = SigningKey.generate("sm2", name="alice")
    b = SigningKey.generate("ecdsa", name="bob")
    for k in (a, b):
        save_key(k, PASSWORD, scrypt_n=TEST_SCRYPT_N)
    (keystore_dir / "junk.json").write_text("{")
    assert sorted(info.key_id for info in list_keys()) == sorted([a.key_id, b.key_id])
    assert find_key("alice") == keystore_dir / f"{a.key_id}.json"
    assert find_key(b.key_id.lower()) == keystore_dir / f"{b.key_id}.json"
    assert find_key(a.key_id[:10]) == keystore_dir / f"{a.key_id}.json"
    info = read_info(find_key("alice"))
    assert (info.name, info.public.user_id) == ("alice", sm2.DEFAULT_USER_ID)
    with pytest.raises(errors.KeyNotFound):
        find_key("carol")


def test_ambiguous_name(keystore_dir: Path) -> None:
    for _ in range(2):
        save_key(SigningKey.generate("ecdsa", name="same"), PASSWORD, scrypt_n=TEST_SCRYPT_N)
    with pytest.raises(errors.AmbiguousKey) as caught:
        find_key("same")
    assert len(caught.value.got) == 2


def test_private_key_not_matching_the_header_is_refused(key: SigningKey, sealed: dict) -> None:
    # Someone holding the password re-encrypts another private key under this header:
    # the AEAD is satisfied, so only re-deriving the public key catches it.

    header = {k: v for k, v in sealed.items() if k != "ciphertext"}
    aes_key, _ = _derive(PASSWORD, header["kdf"])
    intruder = SigningKey.generate(key.scheme).private_key
    ciphertext = AESGCM(aes_key).encrypt(
        bytes.fromhex(header["cipher"]["nonce"][2:]), intruder, canonical_bytes(header)
    )
    with pytest.raises(errors.KeystoreTampered) as caught:
        unseal({**header, "ciphertext": to_hex(ciphertext)}, PASSWORD)
    assert caught.value.got == sealed["public_key"]


def test_stored_v1_keystore_still_opens() -> None:
    # Pins the on-disk format: keys sealed by this version must open in later ones.
    vector = load_vector("keystore-sm2-v1.json")
    key = unseal(vector["keystore"], vector["password"])
    assert key.private_key == hexb(vector["private_key"])
    assert key.user_id == sm2.DEFAULT_USER_ID and key.name == "annex-a"
