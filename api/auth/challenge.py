"""The login challenge: EIP-712 typed data an officer signs with a key registered on-chain.

The message is `PutuoLogin(address keyId,string audience,bytes32 nonce,uint64 issuedAt,uint64
expiresAt)` in the domain `{name: "PutuoLedgerLogin", version: "1", chainId, verifyingContract:
the UnitRegistry}`. It is signed exactly as an action is (chain/signatures.py): ECDSA r‖s‖v over
the digest, or the SM2 key id ‖ DER over M = the digest. Its own domain name and contract keep
a login signature from ever being an action's (the Catalog's and Sharing's domains differ), and
the registry's address and the chain id keep it from being replayed at another deployment.

The platform keeps nothing when it issues a challenge: the nonce is 16 random bytes and a 16-byte
MAC of them with the rest of the message under the platform's secret, so a challenge it did not
issue, or one edited afterwards, is recognised without a lookup; single use is recorded only when
a challenge is redeemed (api/auth/service.py).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address

DOMAIN_NAME = "PutuoLedgerLogin"
DOMAIN_VERSION = "1"
PRIMARY_TYPE = "PutuoLogin"
LOGIN_TYPES = {
    PRIMARY_TYPE: [
        {"name": "keyId", "type": "address"},
        {"name": "audience", "type": "string"},
        {"name": "nonce", "type": "bytes32"},
        {"name": "issuedAt", "type": "uint64"},
        {"name": "expiresAt", "type": "uint64"},
    ]
}
EIP712_DOMAIN_FIELDS = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
LOGIN_TYPEHASH = keccak(text="PutuoLogin(address keyId,string audience,bytes32 nonce,uint64 issuedAt,uint64 expiresAt)")
_DOMAIN_TYPEHASH = keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
NONCE_MAC_TAG = b"putuo.auth.challenge/1"  # domain separation of the nonce's MAC from the token's
RANDOM_BYTES = 16
MAC_BYTES = 16


@dataclass(frozen=True)
class Challenge:
    """One login challenge. Times are unix seconds of the platform's clock (not the chain's)."""

    key_id: str  # checksummed address
    audience: str
    nonce: bytes  # 32 bytes: random ‖ MAC
    issued_at: int
    expires_at: int

    def message(self) -> dict:
        return {
            "keyId": self.key_id,
            "audience": self.audience,
            "nonce": "0x" + self.nonce.hex(),
            "issuedAt": self.issued_at,
            "expiresAt": self.expires_at,
        }

    def to_json(self) -> dict:
        """The challenge as the API answers it and the token request carries it back."""
        return {
            "key_id": self.key_id,
            "audience": self.audience,
            "nonce": "0x" + self.nonce.hex(),
            "issued_at": self.issued_at,
            "expires_at": self.expires_at,
        }


def domain(chain_id: int, registry_address: str) -> dict:
    return {
        "name": DOMAIN_NAME,
        "version": DOMAIN_VERSION,
        "chainId": chain_id,
        "verifyingContract": to_checksum_address(registry_address),
    }


def typed_data(challenge: Challenge, *, chain_id: int, registry_address: str) -> dict:
    """The full EIP-712 message (eth_signTypedData_v4's argument) a wallet or the console signs."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN_FIELDS, **LOGIN_TYPES},
        "primaryType": PRIMARY_TYPE,
        "domain": domain(chain_id, registry_address),
        "message": challenge.message(),
    }


def digest(challenge: Challenge, *, chain_id: int, registry_address: str) -> bytes:
    """The EIP-712 digest keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(login)) that is signed."""
    separator = keccak(
        abi_encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                _DOMAIN_TYPEHASH,
                keccak(text=DOMAIN_NAME),
                keccak(text=DOMAIN_VERSION),
                chain_id,
                to_checksum_address(registry_address),
            ],
        )
    )
    struct_hash = keccak(
        abi_encode(
            ["bytes32", "address", "bytes32", "bytes32", "uint64", "uint64"],
            [
                LOGIN_TYPEHASH,
                challenge.key_id,
                keccak(text=challenge.audience),
                challenge.nonce,
                challenge.issued_at,
                challenge.expires_at,
            ],
        )
    )
    return keccak(b"\x19\x01" + separator + struct_hash)


def _nonce_mac(secret: bytes, random_part: bytes, key_id: str, audience: str, issued_at: int, expires_at: int) -> bytes:
    fields = abi_encode(
        ["address", "bytes32", "uint64", "uint64"], [key_id, keccak(text=audience), issued_at, expires_at]
    )
    return hmac.new(secret, NONCE_MAC_TAG + random_part + fields, hashlib.sha256).digest()[:MAC_BYTES]


def issue(secret: bytes, *, key_id: str, audience: str, now: int, ttl_s: int) -> Challenge:
    """A fresh challenge for `key_id`, valid from `now` for `ttl_s` seconds."""
    key_id = to_checksum_address(key_id)
    random_part = secrets.token_bytes(RANDOM_BYTES)
    expires_at = now + ttl_s
    mac = _nonce_mac(secret, random_part, key_id, audience, now, expires_at)
    return Challenge(key_id, audience, random_part + mac, now, expires_at)


def issued_by(secret: bytes, challenge: Challenge) -> bool:
    """Whether the platform holding `secret` issued `challenge` exactly as it stands."""
    if len(challenge.nonce) != RANDOM_BYTES + MAC_BYTES:
        return False
    random_part, mac = challenge.nonce[:RANDOM_BYTES], challenge.nonce[RANDOM_BYTES:]
    expected = _nonce_mac(
        secret, random_part, challenge.key_id, challenge.audience, challenge.issued_at, challenge.expires_at
    )
    return hmac.compare_digest(mac, expected)
