"""Key objects: :class:`PublicKey` and :class:`SigningKey`, one type for both schemes.

Invariant (enforced in ``__post_init__``): a SigningKey's public key is the
one derived from its private key, so Z_A, key ids and signatures can never
disagree. The private key never appears in ``repr`` or in an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from signer import ecdsa, sm2
from signer.errors import InvalidPrivateKey, InvalidUserId
from signer.keyid import check_scheme, key_id

CURVES = {"sm2": sm2.CURVE_NAME, "ecdsa": ecdsa.CURVE_NAME}


def validate_public_key(scheme: str, public_key: bytes) -> bytes:
    """Return the 65-byte public key if it is a point on ``scheme``'s curve."""
    module = sm2 if check_scheme(scheme) == "sm2" else ecdsa
    return module.validate_public_key(bytes(public_key))


def _check_user_id(scheme: str, user_id: bytes | None) -> None:
    if scheme == "sm2":
        if user_id is None:
            raise InvalidUserId("an SM2 key needs a user id (usually sm2.DEFAULT_USER_ID)", expected="bytes", got=None)
        sm2.validate_user_id(user_id)
    elif user_id is not None:
        raise InvalidUserId("ECDSA keys have no user id", expected=None, got=user_id)


@dataclass(frozen=True)
class PublicKey:
    """A verifying key: scheme, 65-byte 04||X||Y, and (SM2 only) the signer's user id."""

    scheme: str
    public_key: bytes
    user_id: bytes | None = None

    def __post_init__(self) -> None:
        validate_public_key(self.scheme, self.public_key)
        _check_user_id(self.scheme, self.user_id)

    @property
    def key_id(self) -> str:
        """See :mod:`signer.keyid` for the rule."""
        return key_id(self.scheme, self.public_key)

    @property
    def curve(self) -> str:
        return CURVES[self.scheme]

    def verify(self, message: bytes, signature: bytes) -> None:
        """Raise unless ``signature`` is this key's signature over ``message``.

        sm2: strict DER over SM3(Z_A || message); ecdsa: EIP-191 personal
        signature (65 bytes, low s) over ``message``.
        """
        if self.scheme == "sm2":
            assert self.user_id is not None  # guaranteed by __post_init__
            sm2.verify(self.public_key, message, signature, user_id=self.user_id)
        else:
            ecdsa.verify_message(self.public_key, message, signature)


@dataclass(frozen=True, eq=False, repr=False)
class SigningKey:
    """A private key with its public key, user id (SM2) and an optional label."""

    scheme: str
    private_key: bytes = field(repr=False)
    public_key: bytes
    user_id: bytes | None = None
    name: str | None = None

    def __repr__(self) -> str:  # never show the private key; the key id names the key
        return f"SigningKey(scheme={self.scheme!r}, key_id={self.key_id!r}, name={self.name!r})"

    def __post_init__(self) -> None:
        _check_user_id(self.scheme, self.user_id)
        derived = derive_public_key(self.scheme, self.private_key)
        if derived != bytes(self.public_key):
            raise InvalidPrivateKey(
                "private key does not belong to the stated public key",
                expected="0x" + derived.hex(),
                got="0x" + bytes(self.public_key).hex(),
            )

    @classmethod
    def generate(cls, scheme: str, *, user_id: bytes | None = None, name: str | None = None) -> SigningKey:
        """A fresh key; SM2 keys get ``sm2.DEFAULT_USER_ID`` unless another id is given."""
        module = sm2 if check_scheme(scheme) == "sm2" else ecdsa
        private, public = module.generate_keypair()
        if scheme == "sm2" and user_id is None:
            user_id = sm2.DEFAULT_USER_ID
        return cls(scheme, private, public, user_id, name)

    @classmethod
    def from_private(
        cls, scheme: str, private_key: bytes, *, user_id: bytes | None = None, name: str | None = None
    ) -> SigningKey:
        """Wrap an existing private key, deriving its public key."""
        if check_scheme(scheme) == "sm2" and user_id is None:
            user_id = sm2.DEFAULT_USER_ID
        return cls(scheme, bytes(private_key), derive_public_key(scheme, private_key), user_id, name)

    @property
    def key_id(self) -> str:
        return key_id(self.scheme, self.public_key)

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.scheme, self.public_key, self.user_id)

    def sign(self, message: bytes) -> bytes:
        """sm2: strict DER over SM3(Z_A || message); ecdsa: 65-byte EIP-191 signature."""
        if self.scheme == "sm2":
            assert self.user_id is not None  # guaranteed by __post_init__
            return sm2.sign(self.private_key, self.public_key, message, user_id=self.user_id)
        return ecdsa.sign_message(self.private_key, message)


def derive_public_key(scheme: str, private_key: bytes) -> bytes:
    """The 65-byte public key of ``private_key`` on ``scheme``'s curve."""
    module = sm2 if check_scheme(scheme) == "sm2" else ecdsa
    return module.public_key_from_private(bytes(private_key))
