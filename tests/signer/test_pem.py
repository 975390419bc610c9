"""Encrypted PKCS#8 PEM: round trips and interoperation with the OpenSSL CLI both ways."""

from __future__ import annotations

from pathlib import Path

import pytest

from signer import errors, sm2
from signer.keys import SigningKey
from signer.pem import (
    export_private_pem,
    import_private_pem,
    load_public_key_pem,
    public_key_pem,
)
from tests.signer.helpers import DISTID, PASSWORD, TEST_PBKDF2_ITERATIONS, run_openssl


@pytest.mark.parametrize("scheme", ["sm2", "ecdsa"])
def test_round_trip(scheme: str) -> None:
    key = SigningKey.generate(scheme)
    pem = export_private_pem(key, PASSWORD, iterations=TEST_PBKDF2_ITERATIONS)
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
    back = import_private_pem(pem, PASSWORD)
    assert (back.scheme, back.private_key, back.public_key) == (scheme, key.private_key, key.public_key)
    assert load_public_key_pem(public_key_pem(key.public)) == (scheme, key.public_key)


def test_wrong_password() -> None:
    pem = export_private_pem(SigningKey.generate("sm2"), PASSWORD, iterations=TEST_PBKDF2_ITERATIONS)
    with pytest.raises(errors.WrongPassword):
        import_private_pem(pem, "not the password")


def test_sm2_user_id_is_set_on_import() -> None:
    pem = export_private_pem(SigningKey.generate("sm2"), PASSWORD, iterations=TEST_PBKDF2_ITERATIONS)
    assert import_private_pem(pem, PASSWORD).user_id == sm2.DEFAULT_USER_ID
    assert import_private_pem(pem, PASSWORD, user_id=b"other").user_id == b"other"


def test_exported_sm2_pem_opens_in_openssl_and_signs(openssl: str, tmp_path: Path) -> None:
    key = SigningKey.generate("sm2")
    (tmp_path / "k.pem").write_bytes(export_private_pem(key, PASSWORD, iterations=TEST_PBKDF2_ITERATIONS))
    text = run_openssl("pkey", "-in", tmp_path / "k.pem", "-passin", f"pass:{PASSWORD}", "-text", "-noout").stdout
    assert "ASN1 OID: SM2" in text
    pub = run_openssl("pkey", "-in", tmp_path / "k.pem", "-passin", f"pass:{PASSWORD}", "-pubout").stdout
    assert pub.encode() == public_key_pem(key.public)
    (tmp_path / "msg").write_bytes(b"signed by openssl with our key")
    run_openssl(
        "dgst",
        "-sm3",
        "-sign",
        tmp_path / "k.pem",
        "-passin",
        f"pass:{PASSWORD}",
        "-sigopt",
        DISTID,
        "-out",
        tmp_path / "sig",
        tmp_path / "msg",
    )
    key.public.verify(b"signed by openssl with our key", (tmp_path / "sig").read_bytes())


def test_exported_secp256k1_pem_opens_in_openssl(openssl: str, tmp_path: Path) -> None:
    key = SigningKey.generate("ecdsa")
    (tmp_path / "k.pem").write_bytes(export_private_pem(key, PASSWORD, iterations=TEST_PBKDF2_ITERATIONS))
    pub = run_openssl("pkey", "-in", tmp_path / "k.pem", "-passin", f"pass:{PASSWORD}", "-pubout").stdout
    assert load_public_key_pem(pub.encode()) == ("ecdsa", key.public_key)


@pytest.mark.parametrize("pbe", [["-v2", "aes-256-cbc"], ["-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1"]])
def test_openssl_generated_encrypted_pkcs8_imports(openssl: str, tmp_path: Path, pbe: list[str]) -> None:
    run_openssl("genpkey", "-algorithm", "SM2", "-out", tmp_path / "plain.pem")
    run_openssl(
        "pkcs8",
        "-topk8",
        *pbe,
        "-in",
        tmp_path / "plain.pem",
        "-out",
        tmp_path / "enc.pem",
        "-passout",
        f"pass:{PASSWORD}",
    )
    key = import_private_pem((tmp_path / "enc.pem").read_bytes(), PASSWORD)
    expected = run_openssl("pkey", "-in", tmp_path / "plain.pem", "-pubout").stdout.encode()
    assert public_key_pem(key.public) == expected
    # The imported key signs in a way OpenSSL accepts with the standard user id.
    (tmp_path / "msg").write_bytes(b"hello")
    (tmp_path / "sig").write_bytes(key.sign(b"hello"))
    (tmp_path / "pub.pem").write_bytes(expected)
    out = run_openssl(
        "dgst",
        "-sm3",
        "-sigopt",
        DISTID,
        "-verify",
        tmp_path / "pub.pem",
        "-signature",
        tmp_path / "sig",
        tmp_path / "msg",
    )
    assert out.stdout.strip() == "Verified OK"


def test_unencrypted_pem_is_refused_with_the_conversion_hint(openssl: str, tmp_path: Path) -> None:
    run_openssl("genpkey", "-algorithm", "SM2", "-out", tmp_path / "plain.pem")
    with pytest.raises(errors.UnsupportedKeyFile) as caught:
        import_private_pem((tmp_path / "plain.pem").read_bytes(), PASSWORD)
    assert caught.value.got == "PRIVATE KEY"
    assert "openssl pkcs8 -topk8" in caught.value.hint


def test_other_curve_is_refused(openssl: str, tmp_path: Path) -> None:
    run_openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", tmp_path / "p256.pem")
    run_openssl(
        "pkcs8",
        "-topk8",
        "-v2",
        "aes-256-cbc",
        "-in",
        tmp_path / "p256.pem",
        "-out",
        tmp_path / "enc.pem",
        "-passout",
        f"pass:{PASSWORD}",
    )
    with pytest.raises(errors.UnsupportedKeyFile):
        import_private_pem((tmp_path / "enc.pem").read_bytes(), PASSWORD)


def test_not_pem() -> None:
    with pytest.raises(errors.KeystoreMalformed):
        import_private_pem(b"hello", PASSWORD)
