"""ECDSA over secp256k1 the Ethereum way: EIP-191 personal messages and EIP-712 typed data.

Signatures are 65 bytes ``r || s || v`` with v in {27, 28}, as OpenZeppelin
``ECDSA.recover`` takes them. Only low-s signatures (s <= n/2) are accepted:
the contracts refuse high-s (malleability), so the off-chain checks must
refuse exactly the same set, with their own error (:class:`HighSSignature`).
"""

from __future__ import annotations

from typing import Any

import coincurve
from eth_account import Account
from eth_account.messages import SignableMessage, encode_defunct, encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from eth_keys.exceptions import BadSignature

from signer.der import check_range
from signer.errors import (
    HighSSignature,
    InvalidPrivateKey,
    InvalidPublicKey,
    InvalidRecoveryId,
    InvalidSignature,
    SignatureTrailingData,
    SignatureTruncated,
    UnsupportedScheme,
)
from signer.keyid import key_id

CURVE_NAME = "secp256k1"
ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
HALF_ORDER = ORDER // 2


def generate_keypair() -> tuple[bytes, bytes]:
    """A fresh (private 32 bytes, public 65 bytes 04||X||Y) pair from os.urandom."""
    private = bytes(Account.create().key)
    return private, public_key_from_private(private)


def public_key_from_private(private_key: bytes) -> bytes:
    """65-byte uncompressed public key of a 32-byte private key (libsecp256k1)."""
    if len(private_key) != 32 or not 0 < int.from_bytes(private_key, "big") < ORDER:
        raise InvalidPrivateKey(
            "secp256k1 private key must be 32 bytes with 0 < d < n", expected=32, got=len(private_key)
        )
    return coincurve.PrivateKey(bytes(private_key)).public_key.format(compressed=False)


def validate_public_key(public_key: bytes) -> bytes:
    """Return ``public_key`` if it is 65 bytes 04||X||Y on secp256k1."""
    if len(public_key) != 65 or public_key[0] != 4:
        raise InvalidPublicKey("secp256k1 public key must be 65 bytes 04||X||Y", expected=65, got=len(public_key))
    try:
        coincurve.PublicKey(bytes(public_key))
    except ValueError as exc:
        raise InvalidPublicKey("public key is not a point on secp256k1", got="0x" + public_key.hex()) from exc
    return bytes(public_key)


def split_signature(signature: bytes) -> tuple[int, int, int]:
    """(r, s, v) of a 65-byte signature, refusing v not in {27, 28}, r/s out of range, high s."""
    if len(signature) != 65:
        error = SignatureTruncated if len(signature) < 65 else SignatureTrailingData
        raise error("ECDSA signature must be 65 bytes r||s||v", expected=65, got=len(signature))
    r, s, v = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big"), signature[64]
    if v not in (27, 28):
        raise InvalidRecoveryId("ECDSA signature v must be 27 or 28", expected=(27, 28), got=v)
    check_range(r, s, ORDER)
    if s > HALF_ORDER:
        raise HighSSignature("ECDSA signature has high s", expected=f"s <= 0x{HALF_ORDER:x}", got=hex(s))
    return r, s, v


def _private_bytes(account_or_key: Any) -> bytes:
    if isinstance(account_or_key, LocalAccount):
        return bytes(account_or_key.key)
    if hasattr(account_or_key, "scheme"):  # a signer.keys.SigningKey
        if account_or_key.scheme != "ecdsa":
            raise UnsupportedScheme(
                "EIP-191/EIP-712 signing needs an ECDSA key", expected="ecdsa", got=account_or_key.scheme
            )
        account_or_key = account_or_key.private_key
    key = account_or_key
    if isinstance(key, str):
        key = bytes.fromhex(key.removeprefix("0x"))
    public_key_from_private(key)  # validates
    return bytes(key)


def _sign(signable: SignableMessage, account_or_key: Any) -> bytes:
    signature = bytes(Account.sign_message(signable, _private_bytes(account_or_key)).signature)
    split_signature(signature)  # eth-account normalizes to low s; keep that a checked invariant
    return signature


def _recover(signable: SignableMessage, signature: bytes) -> str:
    split_signature(signature)  # refuse high s and bad v before recovering
    try:
        return Account.recover_message(signable, signature=signature)
    except (BadSignature, ValueError) as exc:  # r is not the x of any curve point
        raise InvalidSignature("ECDSA signature recovers no public key", got="0x" + bytes(signature).hex()) from exc


def sign_message(account_or_key: Any, message: bytes) -> bytes:
    """EIP-191 personal_sign of ``message`` ("\\x19Ethereum Signed Message:\\n" + len + message)."""
    return _sign(encode_defunct(primitive=message), account_or_key)


def recover_message(message: bytes, signature: bytes) -> str:
    """Checksum address that produced an EIP-191 personal signature over ``message``."""
    return _recover(encode_defunct(primitive=message), signature)


def recover_message_public_key(message: bytes, signature: bytes) -> bytes:
    """The 65-byte public key ``04 || X || Y`` behind an EIP-191 personal signature over ``message``.

    An ECDSA key id is only an address; a verifier holding a signature from the chain gets the
    public key back this way (it must then hash to the registered address).
    """
    _, _, v = split_signature(signature)
    signable = encode_defunct(primitive=message)
    digest = keccak(b"\x19" + signable.version + signable.header + signable.body)
    try:
        public = coincurve.PublicKey.from_signature_and_message(
            bytes(signature[:64]) + bytes([v - 27]), digest, hasher=None
        )
    except ValueError as exc:
        raise InvalidSignature("ECDSA signature recovers no public key", got="0x" + bytes(signature).hex()) from exc
    return public.format(compressed=False)


def typed_data_digest(typed_data: dict[str, Any]) -> bytes:
    """keccak256(0x1901 || domainSeparator || hashStruct(message)): what EIP-712 signs."""
    signable = encode_typed_data(full_message=typed_data)
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def sign_typed_data(account_or_key: Any, typed_data: dict[str, Any]) -> bytes:
    """EIP-712 signature (65 bytes r||s||v) of a full typed-data message.

    ``account_or_key``: an eth-account ``LocalAccount``, an ECDSA
    :class:`signer.keys.SigningKey`, 32 raw bytes or a hex string.
    ``typed_data``: {"types", "primaryType", "domain", "message"} as in EIP-712.
    """
    return _sign(encode_typed_data(full_message=typed_data), account_or_key)


def recover_typed_data(typed_data: dict[str, Any], signature: bytes) -> str:
    """Checksum address that signed ``typed_data`` (refuses high s, bad v)."""
    return _recover(encode_typed_data(full_message=typed_data), signature)


def verify_message(public_key: bytes, message: bytes, signature: bytes) -> None:
    """Raise unless ``signature`` is an EIP-191 signature over ``message`` by ``public_key``."""
    expected = key_id("ecdsa", validate_public_key(public_key))
    got = recover_message(message, signature)
    if got != expected:
        raise InvalidSignature("ECDSA signature was made by another key", expected=expected, got=got)
