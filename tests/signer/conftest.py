"""Fixtures for the signer tests: OpenSSL and a scratch keystore."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.signer.helpers import OPENSSL


@pytest.fixture(scope="session")
def openssl() -> str:
    """Path of the OpenSSL 3 CLI, the independent SM2/SM3 reference."""
    try:
        version = subprocess.run([OPENSSL, "version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("openssl CLI not available")
    if not version.stdout.startswith("OpenSSL 3"):
        pytest.skip(f"need OpenSSL 3, found {version.stdout.strip()}")
    return OPENSSL


@pytest.fixture
def keystore_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty keystore directory, also set as $LEDGER_KEYSTORE_DIR; no password in env."""
    directory = tmp_path / "keys"
    monkeypatch.setenv("LEDGER_KEYSTORE_DIR", str(directory))
    monkeypatch.delenv("LEDGER_KEY_PASSWORD", raising=False)
    return directory
