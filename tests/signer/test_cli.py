"""The signer CLI end to end: keys, sign, verify, passwords, one-line errors."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from eth_account import Account
from typer.testing import CliRunner

from signer import _password
from signer.cli import app
from signer.detached import DetachedSignature, signed_message
from signer.keystore import list_keys, load_key
from tests.signer.helpers import DISTID, PASSWORD, run_openssl

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


def ledger(*args: str | Path, password: str | None = PASSWORD, **env: str):
    environment = {"LEDGER_KEY_PASSWORD": password} if password else {}
    return runner.invoke(app, [str(a) for a in args], env={**environment, **env})


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]


def new_key(scheme: str, name: str, *extra: str) -> str:
    result = ledger("keys", "new", "--scheme", scheme, "--name", name, *extra)
    assert result.exit_code == 0, result.output
    return result.stdout.split()[3]  # "created <scheme> key <id> in <path>"


def test_keys_new_list_show(keystore_dir: Path) -> None:
    sm2_id = new_key("sm2", "alice", "--user-id", "alice@putuo")
    ecdsa_id = new_key("ecdsa", "bob")
    listing = ledger("keys", "list").stdout.splitlines()
    assert sorted(line.split()[0] for line in listing) == sorted([sm2_id, ecdsa_id])
    shown = ledger("keys", "show", "alice")
    assert shown.exit_code == 0
    assert f"key id:     {sm2_id}" in shown.stdout and "user id:    alice@putuo" in shown.stdout
    key = load_key(keystore_dir / f"{sm2_id}.json", PASSWORD)
    assert key.user_id == b"alice@putuo"
    assert key.private_key.hex() not in shown.output and PASSWORD not in shown.output
    assert stat.S_IMODE((keystore_dir / f"{sm2_id}.json").stat().st_mode) == 0o600


def test_user_id_on_an_ecdsa_key_is_refused(keystore_dir: Path) -> None:
    result = ledger("keys", "new", "--scheme", "ecdsa", "--user-id", "x")
    assert_one_line_error(result, "only SM2 keys have a user id", "--user-id")


def test_sign_and_verify(keystore_dir: Path, tmp_path: Path) -> None:
    key_id = new_key("sm2", "alice")
    doc = tmp_path / "commitment.json"
    doc.write_text(json.dumps({"b": 1, "a": "承诺"}, indent=2, ensure_ascii=False))
    signed = ledger("sign", doc, "--key", "alice")
    assert signed.exit_code == 0, signed.output
    sig = tmp_path / "commitment.json.sig.json"
    assert json.loads(sig.read_text())["key_id"] == key_id
    embedded = ledger("verify", doc, sig, password=None)
    assert embedded.exit_code == 0 and embedded.stdout.startswith(f"OK: sm2 signature by {key_id}")
    assert "note: checked against the key inside the signature file" in embedded.stdout
    pub = tmp_path / "pub.pem"
    assert ledger("keys", "export", "alice", "--format", "pubkey", "--out", pub).exit_code == 0
    trusted = ledger("verify", doc, sig, "--public-key", pub, password=None)
    assert trusted.exit_code == 0 and "note:" not in trusted.stdout
    (tmp_path / "pub.hex").write_text(json.loads(sig.read_text())["public_key"] + "\n")
    assert ledger("verify", doc, sig, "--public-key", tmp_path / "pub.hex").exit_code == 0


def test_verify_refuses_a_changed_document_and_another_key(keystore_dir: Path, tmp_path: Path) -> None:
    new_key("ecdsa", "bob")
    new_key("ecdsa", "carol")
    doc = tmp_path / "doc.bin"
    doc.write_bytes(b"\x00binary document")
    assert ledger("sign", doc, "--key", "bob", "--out", tmp_path / "sig.json").exit_code == 0
    doc.write_bytes(b"\x00binary document!")
    assert_one_line_error(ledger("verify", doc, tmp_path / "sig.json"), "document was changed")
    doc.write_bytes(b"\x00binary document")
    carol_pub = tmp_path / "carol.pem"
    assert ledger("keys", "export", "carol", "--format", "pubkey", "--out", carol_pub).exit_code == 0
    assert_one_line_error(ledger("verify", doc, tmp_path / "sig.json", "--public-key", carol_pub), "another key")


def test_sign_refuses_to_overwrite(keystore_dir: Path, tmp_path: Path) -> None:
    new_key("ecdsa", "bob")
    doc = tmp_path / "doc.txt"
    doc.write_text("hello")
    assert ledger("sign", doc, "--key", "bob").exit_code == 0
    assert_one_line_error(ledger("sign", doc, "--key", "bob"), "already exists")


def test_bad_password_exits_non_zero_with_one_line(keystore_dir: Path, tmp_path: Path) -> None:
    new_key("sm2", "alice")
    doc = tmp_path / "doc.txt"
    doc.write_text("hello")
    result = ledger("sign", doc, "--key", "alice", password="not the password")
    assert_one_line_error(result, "wrong password", "retry with the password")
    assert not (tmp_path / "doc.txt.sig.json").exists()


def test_password_from_fd(keystore_dir: Path) -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b"fd password 123\n")
    os.close(write_end)
    try:
        result = ledger("keys", "new", "--scheme", "ecdsa", "--password-fd", str(read_end), password=None)
    finally:
        os.close(read_end)
    assert result.exit_code == 0, result.output
    (info,) = list_keys()
    assert load_key(info.path, "fd password 123").key_id == info.key_id


def test_no_password_source(keystore_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_password, "_interactive", lambda: False)
    assert_one_line_error(
        ledger("keys", "new", "--scheme", "sm2", password=None), "LEDGER_KEY_PASSWORD", "--password-fd"
    )


def test_prompt_confirms_a_new_password(keystore_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_password, "_interactive", lambda: True)
    answers = iter(["first password", "second password"])
    monkeypatch.setattr(_password.getpass, "getpass", lambda prompt="": next(answers))
    assert_one_line_error(ledger("keys", "new", "--scheme", "sm2", password=None), "differ")
    answers = iter(["same password", "same password"])
    assert ledger("keys", "new", "--scheme", "sm2", password=None).exit_code == 0
    assert len(list_keys()) == 1


def test_export_pem_opens_in_openssl(keystore_dir: Path, tmp_path: Path, openssl: str) -> None:
    new_key("sm2", "alice")
    out = tmp_path / "alice.pem"
    result = ledger("keys", "export", "alice", "--format", "pem", "--out", out)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = run_openssl("pkey", "-in", out, "-passin", f"pass:{PASSWORD}", "-noout", "-text").stdout
    assert "ASN1 OID: SM2" in text
    assert_one_line_error(ledger("keys", "export", "alice", "--out", out), "already exists")


def test_export_json_for_ecdsa_is_eth_v3(keystore_dir: Path, tmp_path: Path) -> None:
    key_id = new_key("ecdsa", "bob")
    out = tmp_path / "bob.json"
    assert ledger("keys", "export", "bob", "--format", "json", "--out", out).exit_code == 0
    assert Account.from_key(Account.decrypt(json.loads(out.read_text()), PASSWORD)).address == key_id


def test_import_openssl_pem_then_sign_verifies_in_openssl(keystore_dir: Path, tmp_path: Path, openssl: str) -> None:
    run_openssl("genpkey", "-algorithm", "SM2", "-out", tmp_path / "plain.pem")
    run_openssl(
        "pkcs8",
        "-topk8",
        "-v2",
        "aes-256-cbc",
        "-in",
        tmp_path / "plain.pem",
        "-out",
        tmp_path / "enc.pem",
        "-passout",
        f"pass:{PASSWORD}",
    )
    run_openssl("pkey", "-in", tmp_path / "plain.pem", "-pubout", "-out", tmp_path / "pub.pem")
    result = ledger("keys", "import", tmp_path / "enc.pem", "--name", "from-openssl")
    assert result.exit_code == 0, result.output
    doc = tmp_path / "doc.txt"
    doc.write_text("hello")
    assert ledger("sign", doc, "--key", "from-openssl").exit_code == 0
    assert ledger("verify", doc, tmp_path / "doc.txt.sig.json", "--public-key", tmp_path / "pub.pem").exit_code == 0
    # What was signed is tag || document hash, with the standard user id: OpenSSL agrees.

    sig = DetachedSignature.from_bytes((tmp_path / "doc.txt.sig.json").read_bytes())
    (tmp_path / "msg").write_bytes(signed_message(sig.document_hash))
    (tmp_path / "sig.der").write_bytes(sig.signature)
    out = run_openssl(
        "dgst",
        "-sm3",
        "-sigopt",
        DISTID,
        "-verify",
        tmp_path / "pub.pem",
        "-signature",
        tmp_path / "sig.der",
        tmp_path / "msg",
    )
    assert out.stdout.strip() == "Verified OK"


def test_import_eth_v3_guessed(keystore_dir: Path, tmp_path: Path) -> None:
    account = Account.create()
    (tmp_path / "v3.json").write_text(json.dumps(Account.encrypt(account.key, PASSWORD, kdf="pbkdf2", iterations=1000)))
    result = ledger("keys", "import", tmp_path / "v3.json")
    assert result.exit_code == 0, result.output
    assert [k.key_id for k in list_keys()] == [account.address]


def test_unknown_key(keystore_dir: Path, tmp_path: Path) -> None:
    assert_one_line_error(ledger("keys", "show", "nobody"), "no key 'nobody'", "keys list")


def test_missing_file(keystore_dir: Path, tmp_path: Path) -> None:
    assert_one_line_error(ledger("verify", tmp_path / "nope", tmp_path / "nope.sig"), "nope")


def test_real_process_prints_exactly_one_line_on_failure(tmp_path: Path) -> None:
    # A subprocess, so that C-level output (GmSSL writes backtraces to fd 2) is captured too.
    env = {**os.environ, "LEDGER_KEYSTORE_DIR": str(tmp_path / "keys"), "LEDGER_KEY_PASSWORD": PASSWORD}

    def run(*args: str | Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "signer", *map(str, args)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert run("keys", "new", "--scheme", "sm2", "--name", "alice").returncode == 0
    doc = tmp_path / "doc.txt"
    doc.write_text("hello")
    assert run("sign", doc, "--key", "alice").returncode == 0
    sig = json.loads((tmp_path / "doc.txt.sig.json").read_text())
    sig["signature"] = sig["signature"][:-2] + ("00" if sig["signature"][-2:] != "00" else "01")
    (tmp_path / "bad.sig.json").write_text(json.dumps(sig))
    failed = run("verify", doc, tmp_path / "bad.sig.json")
    assert failed.returncode == 1
    assert failed.stderr.splitlines() == [failed.stderr.strip()]
    assert failed.stderr.startswith("error: signature invalid: SM2 signature does not verify")
    env["LEDGER_KEY_PASSWORD"] = "wrong password!"
    wrong = run("sign", doc, "--key", "alice", "--out", tmp_path / "x.json")
    assert wrong.returncode == 1 and wrong.stderr.count("\n") == 1 and "wrong password" in wrong.stderr
