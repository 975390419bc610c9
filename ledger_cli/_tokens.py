"""An officer's API tokens on their machine: one file per API, under the keystore directory, 0600.

`ledger login` writes `<keystore>/tokens/<api>.json`; the officer's commands read it and send the
token to that API (ledger_cli/_api.py). A token is a bearer credential: whoever reads the file
may act as the officer's unit's reader until it expires or the key is revoked, hence the mode.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

from signer._atomic import write_private_file
from signer.keystore import default_keystore_dir

TOKENS_DIR = "tokens"


def api_origin(url: str) -> str:
    """`scheme://host[:port]` of an API URL, as login challenges name their audience."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else url.rstrip("/")


def token_path(api_url: str, keystore_dir: Path | None = None) -> Path:
    name = re.sub(r"[^A-Za-z0-9.-]+", "_", api_origin(api_url).split("://", 1)[-1]) or "api"
    return (keystore_dir or default_keystore_dir()) / TOKENS_DIR / f"{name}.json"


def save_token(api_url: str, issued: dict, keystore_dir: Path | None = None) -> Path:
    """Store the API's answer to POST /v1/auth/token for `api_url` (replacing an older one)."""
    record = {
        "api": api_origin(api_url),
        **{k: issued[k] for k in ("token", "key_id", "unit_id", "role", "expires_at")},
    }
    return write_private_file(token_path(api_url, keystore_dir), json.dumps(record, indent=2).encode(), overwrite=True)


def stored_token(api_url: str, keystore_dir: Path | None = None, *, now: float | None = None) -> str | None:
    """The token stored for `api_url`, unless missing, unreadable, for another API, or expired."""
    try:
        record = json.loads(token_path(api_url, keystore_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("api") != api_origin(api_url):
        return None
    if not isinstance(record.get("expires_at"), int) or record["expires_at"] <= (time.time() if now is None else now):
        return None
    token = record.get("token")
    return token if isinstance(token, str) else None
