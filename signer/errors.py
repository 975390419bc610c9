"""Every error the signer raises, under one root: :class:`SignerError`.

Each error carries the values that failed (``expected`` vs ``got``) and a
``hint`` saying what to fix; the CLI prints ``message; hint`` on one line.
Invariant: no error ever carries a private key or a password in any field.
"""

from __future__ import annotations

from typing import Any

from chain.errors import LedgerError  # the project's one exception root


class SignerError(LedgerError):
    """Raised when anything in the signer fails; the root of all signer errors."""

    hint: str = "see the error message"

    def __init__(self, message: str, *, expected: Any = None, got: Any = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.got = got
        if hint is not None:
            self.hint = hint

    def one_line(self) -> str:
        """The message and the fix on one line (what the CLI prints)."""
        return f"{self.message}; {self.hint}".replace("\n", " ")


# --- encodings -----------------------------------------------------------------


class NotCanonicalizable(SignerError):
    """Raised when a value cannot be written as RFC 8785 canonical JSON."""

    hint = "use only strings, booleans, null, lists, objects and integers within +-2**53"


class NotCanonical(SignerError):
    """Raised when bytes presented as a canonical document are not RFC 8785 canonical JSON."""

    hint = "pass the document object, or the bytes from canonical_bytes()"


class SignatureEncodingError(SignerError):
    """Raised when a signature is not strict DER (wrong tags, lengths, or integer encoding)."""

    hint = "the signature file is corrupt; ask the signer for a fresh signature"


class SignatureTrailingData(SignatureEncodingError):
    """Raised when bytes follow the end of a DER signature."""


class SignatureTruncated(SignatureEncodingError):
    """Raised when a signature ends before its encoding says it should."""


class SignatureValueOutOfRange(SignerError):
    """Raised when a signature's r or s is 0 or not below the curve order n."""

    hint = "the signature is invalid; ask the signer for a fresh signature"


# --- keys ----------------------------------------------------------------------


class UnsupportedScheme(SignerError):
    """Raised when a scheme is neither "sm2" nor "ecdsa"."""

    hint = "use --scheme sm2 or --scheme ecdsa"


class InvalidPublicKey(SignerError):
    """Raised when a public key is not 65 bytes 04||X||Y of a point on the scheme's curve."""

    hint = "supply the 65-byte uncompressed public key (0x04...)"


class InvalidPrivateKey(SignerError):
    """Raised when a private key is not a valid scalar for its curve."""

    hint = "the key material is corrupt; restore the key from its backup"


class InvalidUserId(SignerError):
    """Raised when an SM2 user id is empty, too long for ENTL, or not a string."""

    hint = "use the default user id 1234567812345678 unless your registry says otherwise"


class InvalidKeyId(SignerError):
    """Raised when a key id is not in the form the key id rule produces."""

    hint = "use the key id printed by `ledger keys show`"


# --- verification --------------------------------------------------------------


class InvalidSignature(SignerError):
    """Raised when a well-formed signature does not verify (other key, user id or document)."""

    hint = "the document, the key or the user id differs from what was signed"


class HighSSignature(SignerError):
    """Raised when an ECDSA signature has s > n/2 (malleable; OpenZeppelin ECDSA refuses it)."""

    hint = "re-sign with a library that produces low-s signatures (eth-account does)"


class InvalidRecoveryId(SignerError):
    """Raised when an ECDSA signature's v is not 27 or 28."""

    hint = "use a 65-byte r||s||v signature with v = 27 or 28"


class DocumentHashMismatch(SignerError):
    """Raised when a document's hash differs from the hash its signature covers."""

    hint = "the document was changed after signing; obtain the signed version"


class KeyIdMismatch(SignerError):
    """Raised when a key id does not belong to the public key or signer it is paired with."""

    hint = "check that the signature comes from the registered key"


class PublicKeyMismatch(SignerError):
    """Raised when the public key in a signature file is not the key the verifier trusts."""

    hint = "the signature was made by another key than the one you supplied"


class UserIdMismatch(SignerError):
    """Raised when an SM2 signature file names another user id than the verifier expects."""

    hint = "verify with the user id registered for the key"


# --- documents -----------------------------------------------------------------


class UnknownSchemaVersion(SignerError):
    """Raised when a document's "schema" is missing or not a version this code knows."""

    hint = "upgrade the ledger tools, or produce the document with a supported schema"


class DocumentFieldInvalid(SignerError):
    """Raised when one field of a commitment or signature file is missing or malformed."""

    hint = "correct the named field"

    def __init__(self, field: str, problem: str, *, expected: Any = None, got: Any = None) -> None:
        super().__init__(f"field {field!r}: {problem}", expected=expected, got=got)
        self.field = field


class CommitmentPromiseMissing(DocumentFieldInvalid):
    """Raised when a commitment omits or rewords one of the three Art. 18 promises."""

    hint = "a commitment must state 需求真实, 使用目标合理 and 使用过程安全合规 verbatim"


# --- keystore and key files ----------------------------------------------------


class WrongPassword(SignerError):
    """Raised when a password does not open a keystore or key file."""

    hint = "retry with the password the key was saved with"


class WeakPassword(SignerError):
    """Raised when a new password is shorter than the minimum length."""

    hint = "choose a password of at least 8 characters"


class PasswordUnavailable(SignerError):
    """Raised when no password source is available or the confirmation differs."""

    hint = "set LEDGER_KEY_PASSWORD, pass --password-fd N, or run in a terminal"


class KeystoreTampered(SignerError):
    """Raised when a keystore's header or ciphertext was changed after it was sealed."""

    hint = "do not use this file; restore the key from its backup"


class KeystoreMalformed(SignerError):
    """Raised when a keystore or key file is not in the expected format."""

    hint = "the file is not a keystore of this format; check the path"


class KeystoreTruncated(KeystoreMalformed):
    """Raised when a keystore or key file ends early (an interrupted copy)."""

    hint = "the file is incomplete; restore it from its backup"


class KeyNotFound(SignerError):
    """Raised when no key in the keystore matches a key id, name or path."""

    hint = "list the keys with `ledger keys list`"


class AmbiguousKey(SignerError):
    """Raised when a name or key id prefix matches more than one key."""

    hint = "use the full key id"


class KeyExists(SignerError):
    """Raised when saving would overwrite an existing key or file."""

    hint = "choose another path, or remove the existing file first"


class UnsupportedKeyFile(SignerError):
    """Raised when a key file uses an algorithm, curve or cipher this code does not read."""

    hint = "convert it with: openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256"
