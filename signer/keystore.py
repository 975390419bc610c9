"""The keystore directory: one ``<key id>.json`` file per key (format in :mod:`signer._sealed`).

Directory: ``$LEDGER_KEYSTORE_DIR``, else ``$LEDGER_DATA_DIR/keys`` (``.ledger/keys``), mode 0700:
one rule for the ``ledger keys`` commands, ``ledger sign``, the officer's commands and the demo.
Files are written atomically with mode 0600 and never silently overwritten.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from signer._atomic import ensure_private_dir, write_private_file
from signer._hex import parse_hex
from signer._sealed import (
    DEFAULT_SCRYPT_N,
    MIN_PASSWORD_CHARS,
    SCHEMA,
    check_header,
    seal,
    unseal,
)
from signer.canonical import parse_json_strict
from signer.errors import (
    AmbiguousKey,
    KeyNotFound,
    KeystoreMalformed,
    KeystoreTruncated,
    NotCanonicalizable,
    SignerError,
)
from signer.keys import PublicKey, SigningKey

__all__ = [
    "DEFAULT_SCRYPT_N",
    "ENV_KEYSTORE_DIR",
    "MIN_PASSWORD_CHARS",
    "SCHEMA",
    "KeyInfo",
    "default_keystore_dir",
    "find_key",
    "keystore_dir_for",
    "list_keys",
    "load_key",
    "read_info",
    "read_keystore",
    "save_key",
    "seal",
    "unseal",
]

ENV_KEYSTORE_DIR = "LEDGER_KEYSTORE_DIR"
ENV_DATA_DIR = "LEDGER_DATA_DIR"
DEFAULT_DATA_DIR = Path(".ledger")  # as api.settings.Settings.data_dir
DEFAULT_KEYSTORE_HELP = "$LEDGER_DATA_DIR/keys, .ledger/keys when LEDGER_DATA_DIR is unset"


def keystore_dir_for(data_dir: Path) -> Path:
    """``$LEDGER_KEYSTORE_DIR`` if set and non-empty, else ``data_dir/keys``.

    For a caller that already knows the data directory (``ledger demo seed`` from its settings).
    """
    env = os.environ.get(ENV_KEYSTORE_DIR)
    return Path(env).expanduser() if env else Path(data_dir).expanduser() / "keys"


def default_keystore_dir() -> Path:
    """``$LEDGER_KEYSTORE_DIR`` if set and non-empty, else ``$LEDGER_DATA_DIR/keys``
    (``.ledger/keys`` when LEDGER_DATA_DIR is unset or empty, like the platform's data directory)."""
    return keystore_dir_for(Path(os.environ.get(ENV_DATA_DIR) or DEFAULT_DATA_DIR))


@dataclass(frozen=True)
class KeyInfo:
    """What a keystore file says about its key, readable without the password.

    Unauthenticated until the file is opened with :func:`load_key`.
    """

    path: Path
    name: str | None
    public: PublicKey

    @property
    def key_id(self) -> str:
        return self.public.key_id

    @property
    def scheme(self) -> str:
        return self.public.scheme


def read_keystore(path: Path) -> dict[str, Any]:
    """Parse a keystore file's JSON, telling a truncated file from a malformed one."""
    data = Path(path).read_bytes()
    try:
        return parse_json_strict(data)
    except NotCanonicalizable as exc:  # duplicate keys: two readers could see two keys
        raise KeystoreMalformed(f"{path}: {exc.message}") from None
    except ValueError as exc:
        # An interrupted copy ends before the closing brace.
        if not data.rstrip().endswith(b"}"):
            raise KeystoreTruncated(f"{path} is incomplete", expected="closing '}'", got=f"{len(data)} bytes") from None
        raise KeystoreMalformed(f"{path} is not JSON: {exc}") from None


def _info(path: Path, doc: dict[str, Any]) -> KeyInfo:
    header = check_header(doc)
    user_id = header["user_id"].encode("utf-8") if "user_id" in header else None
    public = PublicKey(header["scheme"], parse_hex(header["public_key"]), user_id)
    return KeyInfo(Path(path), header.get("name"), public)


def read_info(path: Path) -> KeyInfo:
    """Public details of the key in ``path`` (no password, not authenticated)."""
    return _info(path, read_keystore(path))


def save_key(
    key: SigningKey,
    password: str,
    *,
    directory: Path | None = None,
    scrypt_n: int = DEFAULT_SCRYPT_N,
    overwrite: bool = False,
) -> Path:
    """Seal ``key`` and write ``<directory>/<key id>.json``; returns the path."""
    directory = ensure_private_dir(Path(directory or default_keystore_dir()))
    data = json.dumps(seal(key, password, scrypt_n=scrypt_n), indent=2, ensure_ascii=False)
    return write_private_file(directory / f"{key.key_id}.json", data.encode("utf-8") + b"\n", overwrite=overwrite)


def load_key(path: Path, password: str) -> SigningKey:
    """Open the keystore file at ``path`` (see :func:`signer._sealed.unseal` for the checks)."""
    return unseal(read_keystore(path), password)


def list_keys(directory: Path | None = None) -> list[KeyInfo]:
    """Every readable key in the directory, sorted by key id; unreadable files are skipped."""
    directory = Path(directory or default_keystore_dir())
    out = []
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        try:
            out.append(read_info(path))
        except (SignerError, OSError):
            continue  # not ours or damaged: `keys show PATH` reports why
    return out


def find_key(ref: str, directory: Path | None = None) -> Path:
    """Resolve a key reference: an existing file path, a key id (or unique prefix), or a name."""
    if os.sep in ref or ref.endswith(".json"):
        if Path(ref).is_file():
            return Path(ref)
        raise KeyNotFound(f"no key file at {ref}", got=ref)
    keys = list_keys(directory)
    matches = [k for k in keys if k.key_id.lower() == ref.lower()]
    matches = matches or [k for k in keys if k.name == ref]
    if not matches and ref.lower().startswith("0x") and len(ref) >= 6:
        matches = [k for k in keys if k.key_id.lower().startswith(ref.lower())]
    if not matches:
        raise KeyNotFound(f"no key {ref!r} in {directory or default_keystore_dir()}", got=ref)
    if len(matches) > 1:
        raise AmbiguousKey(f"{ref!r} matches {len(matches)} keys", got=[k.key_id for k in matches])
    return matches[0].path
