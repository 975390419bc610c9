"""Helpers shared by the signer tests (vector files, OpenSSL invocation)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
TEST_SCRYPT_N = 2**4  # keystore cost for tests only; real keys use 2**15
TEST_PBKDF2_ITERATIONS = 2048  # OpenSSL's own default; real exports use 600,000
PASSWORD = "correct horse battery"
DISTID = "distid:1234567812345678"


def load_vector(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def hexb(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


def vector_message(vector: dict) -> bytes:
    if "message_hex" in vector:
        return hexb(vector["message_hex"])
    return vector["message_utf8"].encode("utf-8")


def run_openssl(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([OPENSSL, *map(str, args)], capture_output=True, text=True, check=check)
