"""An officer's signature on an action, either scheme, checked as the contracts check it.

The API recovers the signer before simulating, so that a bad signature gets a clear answer:
malformed (400 `bad_signature`), or an SM2 signature that does not verify for the key it names
(403 `signature_mismatch`, never "key not active"). The rule is chain/signatures.py's.
"""

from __future__ import annotations

import functools

from eth_utils import to_checksum_address

from api.errors import ApiError
from api.runtime import Runtime
from chain.signatures import KEY_ID_BYTES, SignatureMismatchError, recover_action_signer, sm2_parts
from mirror.models import OfficerKey

ECDSA_BYTES = 65
MAX_DER_BYTES = 72  # SEQUENCE of two INTEGERs of at most 33 bytes each


def parse_action_signature(value: str, field: str = "signature") -> bytes:
    """An action signature from hex: 65-byte ECDSA r‖s‖v, or SM2 key id (20 bytes) ‖ DER."""
    text = value[2:] if value.startswith("0x") else value
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise ApiError(400, "bad_signature_encoding", f"{field}: not hexadecimal", field) from None
    if len(raw) != ECDSA_BYTES and not KEY_ID_BYTES + 8 <= len(raw) <= KEY_ID_BYTES + MAX_DER_BYTES:
        raise ApiError(
            400,
            "bad_signature_encoding",
            f"{field}: expected 65 bytes r‖s‖v (ECDSA) or a 20-byte key id "
            f"and a DER signature (SM2); got {len(raw)} bytes",
            field,
        )
    return raw


# Registered SM2 public keys by key id. A key id names one public key forever (ids are never
# reused, revocation keeps the record), so a key found once is cached for the process's life.
_SM2_KEYS: dict[str, bytes] = {}


def sm2_public_key(runtime: Runtime, key_id: str) -> bytes | None:
    """The SM2 public key registered under `key_id`: from the cache, the mirror, or the chain
    when the mirror lags."""
    address = to_checksum_address(key_id)
    if address in _SM2_KEYS:
        return _SM2_KEYS[address]
    with runtime.store.sessions() as session:
        key = session.get(OfficerKey, address)
    if key is not None:
        public = bytes.fromhex(key.public_key[2:]) if key.scheme == "sm2" else None
    else:
        x, y, _ = runtime.registry.functions.sm2Key(address).call()
        public = b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big") if x or y else None
    if public is not None:
        _SM2_KEYS[address] = public
    return public


def action_signer(runtime: Runtime, digest: bytes, signature: bytes, field: str = "signature") -> str:
    """The key id that signed `digest`. Raises ApiError (400 malformed, 403 SM2 mismatch)."""
    # 65 bytes is ECDSA (chain/signatures.py: an SM2 signature of that length is never made), so
    # the ECDSA path asks neither the mirror nor the chain for an SM2 key.
    if len(signature) == ECDSA_BYTES:
        lookup = lambda key_id: None  # noqa: E731
    else:
        lookup = functools.lru_cache(maxsize=2)(lambda key_id: sm2_public_key(runtime, key_id))
    if len(signature) != ECDSA_BYTES and sm2_parts(signature, lambda key_id: lookup(key_id) is not None) is None:
        raise ApiError(
            400,
            "bad_signature_encoding",
            f"{field}: expected 65 bytes r‖s‖v (ECDSA), or the 20-byte id "
            f"of a registered SM2 key and a DER signature (SM2); got {len(signature)} bytes",
            field,
        )
    try:
        return recover_action_signer(digest, signature, lookup)
    except SignatureMismatchError as exc:
        raise ApiError(403, "signature_mismatch", f"{field}: {exc}", field, key_id=exc.key_id) from None
    except ValueError as exc:
        raise ApiError(400, "bad_signature", f"{field}: {exc}", field) from None
