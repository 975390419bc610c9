"""SM2 signatures interoperate with OpenSSL 3 both ways (user id 1234567812345678)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from signer import errors, sm2
from signer.keys import SigningKey
from signer.pem import export_private_pem, public_key_pem
from tests.signer.helpers import DISTID, PASSWORD, TEST_PBKDF2_ITERATIONS, run_openssl

MESSAGE = "普陀区公共数据共享 承诺书".encode() * 5


@dataclass
class Files:
    key: SigningKey
    key_pem: Path
    pub_pem: Path
    msg: Path
    sig: Path


@pytest.fixture
def files(tmp_path: Path) -> Files:
    key = SigningKey.generate("sm2")
    f = Files(key, tmp_path / "key.pem", tmp_path / "pub.pem", tmp_path / "msg", tmp_path / "sig")
    f.key_pem.write_bytes(export_private_pem(key, PASSWORD, iterations=TEST_PBKDF2_ITERATIONS))
    f.pub_pem.write_bytes(public_key_pem(key.public))
    f.msg.write_bytes(MESSAGE)
    return f


def test_ours_verifies_in_openssl_dgst(openssl: str, files: Files) -> None:
    files.sig.write_bytes(files.key.sign(MESSAGE))
    out = run_openssl("dgst", "-sm3", "-sigopt", DISTID, "-verify", files.pub_pem, "-signature", files.sig, files.msg)
    assert out.stdout.strip() == "Verified OK"


def test_ours_verifies_in_openssl_pkeyutl(openssl: str, files: Files) -> None:
    files.sig.write_bytes(files.key.sign(MESSAGE))
    out = run_openssl(
        "pkeyutl",
        "-verify",
        "-rawin",
        "-digest",
        "sm3",
        "-pubin",
        "-inkey",
        files.pub_pem,
        "-sigfile",
        files.sig,
        "-in",
        files.msg,
        "-pkeyopt",
        DISTID,
    )
    assert out.stdout.strip() == "Signature Verified Successfully"


def test_openssl_without_distid_refuses_ours(openssl: str, files: Files) -> None:
    # Shows the user id is really in the digest: OpenSSL's default (empty) id fails.
    files.sig.write_bytes(files.key.sign(MESSAGE))
    out = run_openssl("dgst", "-sm3", "-verify", files.pub_pem, "-signature", files.sig, files.msg, check=False)
    assert out.returncode != 0 and "Verification failure" in out.stdout


def test_openssl_signature_verifies_here(openssl: str, files: Files) -> None:
    run_openssl(
        "dgst",
        "-sm3",
        "-sign",
        files.key_pem,
        "-passin",
        f"pass:{PASSWORD}",
        "-sigopt",
        DISTID,
        "-out",
        files.sig,
        files.msg,
    )
    signature = files.sig.read_bytes()
    files.key.public.verify(MESSAGE, signature)
    with pytest.raises(errors.InvalidSignature):
        sm2.verify(files.key.public_key, MESSAGE, signature, user_id=b"8765432187654321")
