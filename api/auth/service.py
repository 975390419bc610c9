"""Who is calling: officers of registered units (a signed challenge, then a token) and the platform.

The UnitRegistry is the only source of identity: a key is an officer's if the registry says it
is active now, its unit and role are the registry's, and nothing like a password is kept here.
A token is checked again against the registry at every use (`activeKey`, one `eth_call` at the
chain's latest block), so a revocation ends it at the next request, whatever its expiry says.

Times here (challenge and token expiry) are the platform's wall clock, not the chain's: the
chain's clock may be set to another date (LEDGER_CHAIN_START) and stands still on a quiet node.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass

from eth_utils import keccak, to_checksum_address
from sqlalchemy import BigInteger, String, delete, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from api.auth import challenge as challenges
from api.auth import tokens
from api.errors import ApiError
from chain.rpc import RpcClient
from chain.signatures import SignatureMismatchError, recover_action_signer
from signer.registry import UNIT_KINDS

# The registry's unit kinds are the roles. The Office, the Data Center and the regulators
# (区委网信办, 区公安分局, 区安全分局: unit kind `auditor`, Art. 4, 30) oversee every unit.
ROLES = tuple(UNIT_KINDS.values())  # office, data_center, ordinary, auditor
OVERSIGHT_ROLES = frozenset({"office", "data_center", "auditor"})
_ACTIVE_KEY = keccak(text="activeKey(address)")[:4]
_ZERO_UNIT = "0x" + "00" * 32


class AuthBase(DeclarativeBase):
    """The authentication's own table: not derived from the chain, so not the mirror's."""


class UsedChallenge(AuthBase):
    """A redeemed challenge's nonce, kept until the challenge would have expired anyway."""

    __tablename__ = "auth_used_challenges"
    nonce: Mapped[str] = mapped_column(String(66), primary_key=True)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)


@dataclass(frozen=True)
class Caller:
    """An authenticated officer: the key that signed the challenge, its unit and the unit's role."""

    key_id: str
    unit_id: str  # 0x + 64 lower-case hex
    role: str  # office | data_center | ordinary | auditor
    scheme: str  # ecdsa | sm2: the scheme the challenge was signed with
    expires_at: int

    @property
    def oversees_all(self) -> bool:
        """The Office, the Data Center and the regulators see every unit's records."""
        return self.role in OVERSIGHT_ROLES

    def may_see(self, unit_id: str) -> bool:
        """Whether records of `unit_id` are the caller's to read: its own unit's, or any for oversight."""
        return self.oversees_all or unit_id.lower() == self.unit_id


@dataclass(frozen=True)
class Platform:
    """The platform's own services (the share service, the gateway), by the platform credential."""

    name: str = "platform"


@dataclass(frozen=True)
class KeyStatus:
    active: bool
    unit_id: str  # zero when the key is unknown
    role: str | None

    @property
    def registered(self) -> bool:
        return self.unit_id != _ZERO_UNIT


class Authenticator:
    """Issues challenges and tokens, and authenticates tokens and the platform credential."""

    def __init__(
        self,
        *,
        secret: bytes,
        platform_credential: bytes,
        audience: str,
        challenge_ttl_s: int,
        token_ttl_s: int,
        rpc: RpcClient,
        engine: Engine,
        chain_id: int,
        registry_address: str,
        sm2_public_key_of: Callable[[str], bytes | None],
    ) -> None:
        self._secret = secret
        self._token_key = tokens.token_key(secret)
        self._platform_credential = platform_credential
        self.audience = audience
        self.challenge_ttl_s = challenge_ttl_s
        self.token_ttl_s = token_ttl_s
        self.rpc = rpc
        self.engine = engine
        self.chain_id = chain_id
        self.registry_address = to_checksum_address(registry_address)
        self.sm2_public_key_of = sm2_public_key_of
        self.clock: Callable[[], float] = time.time
        AuthBase.metadata.create_all(engine)

    # --- the registry

    def key_status(self, key_id: str) -> KeyStatus:
        """The registry's `activeKey(key_id)` at the chain's latest block: one eth_call."""
        data = "0x" + (_ACTIVE_KEY + bytes(12) + bytes.fromhex(to_checksum_address(key_id)[2:])).hex()
        raw = bytes.fromhex(self.rpc.call("eth_call", [{"to": self.registry_address, "data": data}, "latest"])[2:])
        active, unit, kind = raw[31] == 1, "0x" + raw[32:64].hex(), int.from_bytes(raw[64:96], "big")
        return KeyStatus(active, unit, UNIT_KINDS.get(kind))

    def _require_active(self, key_id: str, field: str) -> KeyStatus:
        status = self.key_status(key_id)
        if not status.registered:
            raise ApiError(
                401,
                "key_not_registered",
                f"{field}: {key_id} is not an officer key in the UnitRegistry; "
                "the Office registers keys (`ledger units add-officer`)",
                field,
            )
        if not status.active or status.role is None:
            raise ApiError(401, "key_revoked", f"{field}: {key_id} is revoked in the UnitRegistry", field)
        return status

    # --- challenge and token

    def issue_challenge(self, key_id: str, *, now: int | None = None) -> challenges.Challenge:
        """A challenge for an active key (refused at once for an unknown or revoked one)."""
        self._require_active(key_id, "key_id")
        return challenges.issue(
            self._secret,
            key_id=key_id,
            audience=self.audience,
            now=int(self.clock()) if now is None else now,
            ttl_s=self.challenge_ttl_s,
        )

    def typed_data(self, challenge: challenges.Challenge) -> dict:
        return challenges.typed_data(challenge, chain_id=self.chain_id, registry_address=self.registry_address)

    def digest(self, challenge: challenges.Challenge) -> bytes:
        return challenges.digest(challenge, chain_id=self.chain_id, registry_address=self.registry_address)

    def redeem(self, challenge: challenges.Challenge, signature: bytes) -> tuple[str, Caller]:
        """A token for the signed `challenge`: issued here, unexpired, signed by its key, the key
        active, and never redeemed before (in that order; the nonce is spent last)."""
        if not challenges.issued_by(self._secret, challenge):
            raise ApiError(
                401,
                "challenge_invalid",
                "challenge: not a challenge this platform issued, or changed since (request a new one)",
                "challenge",
            )
        if challenge.audience != self.audience:  # another platform's, with the same secret
            raise ApiError(
                401, "challenge_invalid", f"challenge.audience: this API is {self.audience!r}", "challenge.audience"
            )
        now = int(self.clock())
        if now >= challenge.expires_at:
            raise ApiError(
                401,
                "challenge_expired",
                f"challenge.expires_at: the challenge expired {now - challenge.expires_at} s ago; request a new one",
                "challenge.expires_at",
            )
        digest = self.digest(challenge)
        try:
            signer = recover_action_signer(digest, signature, self.sm2_public_key_of)
        except SignatureMismatchError as exc:
            raise ApiError(401, "signature_mismatch", f"signature: {exc}", "signature") from None
        except ValueError as exc:
            raise ApiError(400, "bad_signature", f"signature: {exc}", "signature") from None
        if signer != challenge.key_id:
            raise ApiError(
                401,
                "signature_mismatch",
                f"signature: not a signature of this challenge by {challenge.key_id} "
                "(it was made over another message, or by another key)",
                "signature",
            )
        status = self._require_active(challenge.key_id, "challenge.key_id")
        self._spend(challenge, now)
        scheme = "ecdsa" if len(signature) == 65 else "sm2"  # chain/signatures.py: 65 bytes is ECDSA
        claims = tokens.TokenClaims(
            audience=self.audience,
            key_id=challenge.key_id,
            unit_id=status.unit_id,
            role=status.role or "",
            scheme=scheme,
            issued_at=now,
            expires_at=now + self.token_ttl_s,
            token_id=tokens.new_token_id(),
        )
        return tokens.encode(self._token_key, claims), _caller(claims)

    def _spend(self, challenge: challenges.Challenge, now: int) -> None:
        """Record the nonce as used; a second redemption, even a concurrent one, is refused."""
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(UsedChallenge).where(UsedChallenge.expires_at < now))
                conn.execute(
                    insert(UsedChallenge).values(nonce="0x" + challenge.nonce.hex(), expires_at=challenge.expires_at)
                )
        except IntegrityError:
            raise ApiError(
                401,
                "challenge_reused",
                "challenge.nonce: this challenge was already used; a challenge is good for one token",
                "challenge.nonce",
            ) from None

    # --- using a token

    def authenticate(self, token: str) -> Caller:
        """The officer a token stands for, if it is ours, unexpired, and its key still active."""
        try:
            claims = tokens.decode(self._token_key, token)
        except tokens.TokenInvalid as exc:
            raise _unauthenticated("token_invalid", f"Authorization: {exc}") from None
        if claims.audience != self.audience:
            raise _unauthenticated("token_invalid", f"Authorization: the token is for {claims.audience!r}")
        now = int(self.clock())
        if now >= claims.expires_at:
            raise _unauthenticated(
                "token_expired",
                f"Authorization: the token expired {now - claims.expires_at} s ago; log in again (`ledger login`)",
            )
        status = self.key_status(claims.key_id)
        if not status.active:
            raise _unauthenticated(
                "key_revoked",
                f"Authorization: the token's key {claims.key_id} is no longer active in the UnitRegistry",
            )
        if (status.unit_id, status.role) != (claims.unit_id, claims.role):  # cannot happen in this registry
            raise _unauthenticated("token_invalid", "Authorization: the token's unit is not its key's unit")
        return _caller(claims)

    def officer_claims(self, token: str) -> tokens.TokenClaims | None:
        """The claims of an officer's token of this platform (its MAC only: no expiry, no registry)."""
        try:
            return tokens.decode(self._token_key, token)
        except tokens.TokenInvalid:
            return None

    def is_platform(self, credential: str) -> bool:
        return hmac.compare_digest(credential.encode(), self._platform_credential)


def _caller(claims: tokens.TokenClaims) -> Caller:
    return Caller(claims.key_id, claims.unit_id, claims.role, claims.scheme, claims.expires_at)


def _unauthenticated(code: str, message: str) -> ApiError:
    error = ApiError(401, code, message, "Authorization")
    error.headers = {"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{code}"'}
    return error
