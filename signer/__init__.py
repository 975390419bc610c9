"""Keys, SM2 / ECDSA signatures and canonical documents for the Putuo data-sharing ledger.

The public surface is re-exported here; the per-scheme modules
(:mod:`signer.sm2`, :mod:`signer.ecdsa`) and :mod:`signer.errors` are public
too. Modules whose names start with ``_`` are machinery.
"""

from signer.canonical import canonical_bytes, document_hash, keccak256
from signer.commitment import (
    PROMISES,
    Commitment,
    build_commitment,
    sign_commitment,
    validate_commitment,
    verify_commitment,
)
from signer.detached import (
    DetachedSignature,
    file_document_hash,
    sign_detached,
    signed_message,
)
from signer.ecdsa import recover_typed_data, sign_typed_data, typed_data_digest
from signer.errors import SignerError
from signer.keyid import key_id
from signer.keys import PublicKey, SigningKey
from signer.keystore import (
    default_keystore_dir,
    find_key,
    list_keys,
    load_key,
    read_info,
    save_key,
)
from signer.sm2 import DEFAULT_USER_ID
from signer.verify import VerifyResult, verify_detached

__all__ = [
    "DEFAULT_USER_ID",
    "PROMISES",
    "Commitment",
    "DetachedSignature",
    "PublicKey",
    "SignerError",
    "SigningKey",
    "VerifyResult",
    "build_commitment",
    "canonical_bytes",
    "default_keystore_dir",
    "document_hash",
    "file_document_hash",
    "find_key",
    "keccak256",
    "key_id",
    "list_keys",
    "load_key",
    "read_info",
    "recover_typed_data",
    "save_key",
    "sign_commitment",
    "sign_detached",
    "sign_typed_data",
    "signed_message",
    "typed_data_digest",
    "validate_commitment",
    "verify_commitment",
    "verify_detached",
]
