"""An officer's signature over an action digest, in either scheme, as the contracts verify it.

The rule (IUnitRegistry.tryRecoverSigner, docs/PROTOCOL.md):

- **ECDSA**: 65 bytes r ‖ s ‖ v over the 32-byte EIP-712 digest (low s, v 27/28); the signer is
  the recovered address.
- **SM2**: the 20-byte key id ‖ the strict-DER signature of M = the digest (GB/T 32918.2,
  e = SM3(Z_A ‖ M), default user id 1234567812345678); the signer is that key id, and the
  signature must verify against the public key registered under it.

A signature is SM2 exactly when its first 20 bytes are a registered SM2 key id, so recovering
needs the registry's answer to "which SM2 public key has this id?" (`sm2_public_key_of`). Our
signer never makes a 65-byte SM2 signature (it would need a 45-byte DER, about 2^-200 likely,
and is signed again), so the API reads 65 bytes as ECDSA without asking.
"""

from __future__ import annotations

from collections.abc import Callable

from eth_account import Account
from eth_utils import to_checksum_address

from chain.errors import LedgerError
from signer import sm2
from signer.der import decode_signature
from signer.errors import SignerError
from signer.keys import SigningKey

KEY_ID_BYTES = 20
ECDSA_SIGNATURE_BYTES = 65


class SignatureMismatchError(LedgerError):
    """Raised when a well-formed SM2 signature does not verify for the key it names and the digest."""

    def __init__(self, key_id: str) -> None:
        super().__init__(
            f"the SM2 signature of key {key_id} does not match this action: it was made over "
            "other fields or another document, or by another key"
        )
        self.key_id = key_id


def sign_digest(key: SigningKey, digest: bytes) -> bytes:
    """`key`'s signature of a 32-byte action digest, in the form the contracts take.

    Precondition: an SM2 key has the default user id (the registry's Z_A is computed with it).
    """
    if len(digest) != 32:
        raise ValueError("an action digest is 32 bytes")
    if key.scheme == "sm2":
        if key.user_id != sm2.DEFAULT_USER_ID:
            raise ValueError("an SM2 officer key signs actions with the default user id 1234567812345678")
        while True:  # never 65 bytes long: that length is read as ECDSA (a 45-byte DER is ~2^-200 likely)
            der = sm2.sign(key.private_key, key.public_key, digest, user_id=sm2.DEFAULT_USER_ID)
            if KEY_ID_BYTES + len(der) != ECDSA_SIGNATURE_BYTES:
                return bytes.fromhex(key.key_id[2:]) + der
    return bytes(Account.unsafe_sign_hash(digest, key.private_key).signature)


def sm2_parts(signature: bytes, is_sm2_key: Callable[[str], bool]) -> tuple[str, bytes] | None:
    """(key id, DER) when `signature` names a registered SM2 key in its first 20 bytes, else None."""
    if len(signature) <= KEY_ID_BYTES:
        return None
    key_id = to_checksum_address(signature[:KEY_ID_BYTES])
    return (key_id, signature[KEY_ID_BYTES:]) if is_sm2_key(key_id) else None


def recover_action_signer(digest: bytes, signature: bytes, sm2_public_key_of: Callable[[str], bytes | None]) -> str:
    """The key id that signed `digest`, as the registry recovers it.

    `sm2_public_key_of(key_id)` gives the 65-byte SM2 public key registered under an id, or None.
    Raises ValueError when the signature is malformed, SignatureMismatchError when an SM2
    signature does not verify.
    """
    from chain.actions import recover_digest  # the ECDSA rule, shared with the typed-data modules

    parts = sm2_parts(signature, lambda key_id: sm2_public_key_of(key_id) is not None)
    if parts is None:
        return recover_digest(digest, signature)
    key_id, der = parts
    try:
        decode_signature(der, order=sm2.ORDER)
    except SignerError as exc:
        raise ValueError(f"the SM2 signature is not strict DER with r, s in [1, n-1]: {exc}") from None
    if not sm2.is_valid(sm2_public_key_of(key_id), digest, der, user_id=sm2.DEFAULT_USER_ID):
        raise SignatureMismatchError(key_id)
    return key_id
