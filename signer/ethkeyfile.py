"""Ethereum v3 JSON keystores (geth, MetaMask exports, eth-account) for ECDSA keys."""

from __future__ import annotations

from typing import Any

from eth_account import Account

from signer.canonical import parse_json_strict
from signer.errors import (
    KeystoreMalformed,
    NotCanonicalizable,
    UnsupportedScheme,
    WrongPassword,
)
from signer.keys import SigningKey

#: eth-account's own default is 2**18 (≈1 s); 2**15 matches our keystore's cost.
DEFAULT_SCRYPT_N = 2**15


def is_eth_v3(obj: Any) -> bool:
    """True when ``obj`` looks like a v3 keystore (version 3 and a crypto section)."""
    return isinstance(obj, dict) and obj.get("version") == 3 and ("crypto" in obj or "Crypto" in obj)


def _check_cost(crypto: Any) -> None:
    # eth-keyfile runs whatever KDF cost the file names; refuse one crafted to exhaust us.
    params = crypto.get("kdfparams", {}) if isinstance(crypto, dict) else {}
    n, r, p, c = (params.get(name, 0) for name in ("n", "r", "p", "c"))
    if not all(isinstance(v, int) for v in (n, r, p, c)) or 128 * n * r > 2**28 or p > 16 or c > 10_000_000:
        raise KeystoreMalformed(
            "Ethereum keystore KDF cost out of range", expected="scrypt memory <= 256 MiB, pbkdf2 c <= 1e7", got=params
        )


def import_eth_v3(data: bytes | str | dict[str, Any], password: str, *, name: str | None = None) -> SigningKey:
    """Decrypt a v3 keystore into an ECDSA :class:`SigningKey` (MAC checked by eth-account)."""
    obj: Any = data
    if isinstance(obj, (bytes, str)):
        try:
            obj = parse_json_strict(obj.encode() if isinstance(obj, str) else obj)
        except (ValueError, NotCanonicalizable) as exc:
            raise KeystoreMalformed(f"Ethereum keystore is not JSON: {exc}") from None
    if not is_eth_v3(obj):
        raise KeystoreMalformed(
            "not an Ethereum v3 keystore",
            expected="version 3",
            got=obj.get("version") if isinstance(obj, dict) else None,
        )
    _check_cost(obj.get("crypto") or obj.get("Crypto"))
    try:
        private = bytes(Account.decrypt(obj, password))
    except (ValueError, TypeError, KeyError, NotImplementedError) as exc:
        if "MAC mismatch" in str(exc):
            raise WrongPassword("wrong password for this Ethereum keystore") from None
        raise KeystoreMalformed(f"Ethereum keystore: {exc}") from None
    return SigningKey.from_private("ecdsa", private, name=name)


def export_eth_v3(key: SigningKey, password: str, *, scrypt_n: int = DEFAULT_SCRYPT_N) -> dict[str, Any]:
    """v3 keystore of an ECDSA key (scrypt), readable by geth and eth-account."""
    if key.scheme != "ecdsa":
        raise UnsupportedScheme("only ECDSA keys have an Ethereum keystore form", expected="ecdsa", got=key.scheme)
    return Account.encrypt(key.private_key, password, kdf="scrypt", iterations=scrypt_n)
