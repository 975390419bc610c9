"""The key id rule: how a public key is named on-chain and in signature files.

This is the ONE definition of a key id; everything else calls :func:`key_id`.

- ecdsa: the EIP-55 checksum address, ``keccak256(X || Y)[12:]`` — the
  address OpenZeppelin ``ECDSA.recover`` returns, so the contract can compare.
- sm2: ``"0x" + keccak256(04 || X || Y)[:20].hex()`` in lower case. Hashing
  the 65-byte form and taking the *first* 20 bytes means an SM2 key id is
  never the Ethereum address of the same coordinates (domain separation),
  and the lower-case form tells the reader it is not a checksum address.

Both are 20 bytes, so the registry can store either as ``address``/``bytes20``.
"""

from __future__ import annotations

import re

from eth_hash.auto import keccak
from eth_utils import is_checksum_address, to_checksum_address

from signer.errors import InvalidKeyId, UnsupportedScheme

SCHEMES = ("sm2", "ecdsa")
_HEX40 = re.compile(r"^0x[0-9a-fA-F]{40}$")


def check_scheme(scheme: str) -> str:
    """Return ``scheme`` if it is "sm2" or "ecdsa"."""
    if scheme not in SCHEMES:
        raise UnsupportedScheme(f"unknown scheme {scheme!r}", expected=SCHEMES, got=scheme)
    return scheme


def key_id(scheme: str, public_key: bytes) -> str:
    """Key id of a 65-byte uncompressed public key (04||X||Y) under ``scheme``.

    Precondition: ``public_key`` is validated for its curve (see
    :func:`signer.keys.validate_public_key`).
    """
    if check_scheme(scheme) == "ecdsa":
        return to_checksum_address(keccak(bytes(public_key[1:]))[12:])
    return "0x" + keccak(bytes(public_key))[:20].hex()


def normalize_key_id(scheme: str, text: str) -> str:
    """Return ``text`` in the canonical form of a key id for ``scheme``.

    ecdsa ids must be valid EIP-55 (all-lower or all-upper hex is accepted
    and checksummed); sm2 ids are lower-cased.
    """
    if not isinstance(text, str) or not _HEX40.match(text):
        raise InvalidKeyId("key id must be 0x followed by 40 hex digits", expected="0x + 40 hex", got=text)
    if check_scheme(scheme) == "sm2":
        return text.lower()
    body = text[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(text):
        raise InvalidKeyId("ECDSA key id fails its EIP-55 checksum", expected=to_checksum_address(text), got=text)
    return to_checksum_address(text)
