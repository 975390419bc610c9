"""Officer keys as the on-chain UnitRegistry records them, and signatures checked against them.

The chain is the source of truth for who a key belongs to and, for SM2, what the key is: the
registry keeps each key's record (unit, scheme, registration and revocation times) and its
``KeyRegistered`` event carries the SM2 public key. So an SM2 signature is verified against
the registered public key, never the one inside the signature file. An ECDSA key id *is* the
signer's address (the event carries only that), so there the file's public key is trusted
only because it must hash to the registered address.

Every read of one check is pinned to one block, so a record, its event and the contract's
``wasActiveAt`` answer cannot straddle a revocation. Chain failures (node down, no registry at
the address) are raised as they come; signature and registry outcomes are returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from eth_utils import to_checksum_address
from web3.exceptions import Web3Exception

from chain.client import contract_at
from chain.errors import ChainError
from chain.events import EventRecord, decode_log, event_topic
from signer.commitment import SCHEMA as COMMITMENT_SCHEMA
from signer.commitment import SHANGHAI, Commitment, validate_commitment
from signer.detached import DetachedSignature
from signer.errors import InvalidKeyId, KeyIdMismatch, SignerError
from signer.keyid import key_id as derive_key_id
from signer.keys import PublicKey
from signer.sm2 import DEFAULT_USER_ID
from signer.verify import VerifyResult, verify_detached

__all__ = [
    "COMMITMENT_SCHEMA",
    "KEY_SCHEMES",
    "UNIT_KINDS",
    "KeyNotActiveAtSigning",
    "KeyNotRegistered",
    "OnChainVerification",
    "RegisteredKey",
    "RegisteredUnit",
    "SigningUnitMismatch",
    "local_time",
    "registered_key",
    "registered_unit",
    "signed_at_seconds",
    "verify_commitment_on_chain",
    "verify_on_chain",
    "was_active_at",
]

# The contract's enums (IUnitRegistry.UnitKind, KeyScheme); 0 is None, "unknown".
UNIT_KINDS = {1: "office", 2: "data_center", 3: "ordinary", 4: "auditor"}
KEY_SCHEMES = {1: "ecdsa", 2: "sm2"}
_KEY_ID = re.compile(r"^0x[0-9a-fA-F]{40}$")


class KeyNotRegistered(SignerError):
    """Raised when a key id has no record in the on-chain UnitRegistry."""

    hint = "check the key id and the registry; the Office registers keys with `ledger units add-officer`"


class KeyNotActiveAtSigning(SignerError):
    """Raised when a key was not registered, or already revoked, at the time it signed."""

    hint = "a signature counts only if its key was registered and not yet revoked when it signed"


class SigningUnitMismatch(SignerError):
    """Raised when a commitment names another signing unit than the unit its key is registered to."""

    hint = "an officer signs only for the unit the registry lists the key under"


@dataclass(frozen=True)
class RegisteredKey:
    """A key's on-chain record. ``public_key``: the registered 65-byte SM2 key; None for ECDSA,
    whose registry entry is only its address (the key id). Times are block timestamps (unix s)."""

    key_id: str
    unit_id: bytes
    scheme: str
    public_key: bytes | None
    registered_block: int
    registered_at: int
    revoked_block: int | None
    revoked_at: int | None

    def active_at(self, timestamp: int) -> bool:
        """The contract's rule (``wasActiveAt``): registered at or before ``timestamp``, not revoked by then."""
        return self.registered_at <= timestamp and (self.revoked_at is None or timestamp < self.revoked_at)


@dataclass(frozen=True)
class RegisteredUnit:
    unit_id: bytes
    kind: str
    name: str
    code: str


def local_time(timestamp: int) -> str:
    """A unix time as Asia/Shanghai ISO 8601, the form commitments use."""
    return datetime.fromtimestamp(timestamp, SHANGHAI).isoformat()


def signed_at_seconds(commitment: Commitment) -> int:
    """A commitment's ``signed_at`` as unix seconds."""
    return int(datetime.fromisoformat(commitment.signed_at).timestamp())


def _address(key_id: str) -> str:
    if not isinstance(key_id, str) or not _KEY_ID.match(key_id):
        raise InvalidKeyId("key id must be 0x followed by 40 hex digits", expected="0x + 40 hex", got=key_id)
    return to_checksum_address(key_id)


def _word(value: bytes | str) -> str:
    raw = bytes.fromhex(value[2:]) if isinstance(value, str) else value
    return "0x" + raw.rjust(32, b"\0").hex()


def _logs(
    w3,
    registry_address: str,
    event: str,
    subject: bytes | str,
    from_block: int,
    to_block: int,
    *,
    subject_position: int = 1,
) -> list[EventRecord]:
    """The registry's `event` logs whose indexed argument at `subject_position` is `subject`."""
    topics: list[Any] = [event_topic("UnitRegistry", event)] + [None] * (subject_position - 1) + [_word(subject)]
    params = {
        "address": to_checksum_address(registry_address),
        "topics": topics,
        "fromBlock": hex(from_block),
        "toBlock": hex(to_block),
    }
    reply = w3.provider.make_request("eth_getLogs", [params])
    if "error" in reply:
        raise ChainError(f"eth_getLogs failed: {reply['error'].get('message')}")
    return [decode_log(log) for log in reply["result"]]


def _pin(w3, block: int | None) -> int:
    return w3.eth.block_number if block is None else block


def _view(w3, registry_address: str, function: str, *args: Any, block: int) -> Any:
    """A view call of the registry; a contract that is not a UnitRegistry is a ChainError."""
    registry = contract_at(w3, "UnitRegistry", registry_address)
    try:
        return getattr(registry.functions, function)(*args).call(block_identifier=block)
    except Web3Exception as exc:
        raise ChainError(
            f"{registry_address} does not answer UnitRegistry.{function} ({exc}): is it the UnitRegistry's address?"
        ) from None


def registered_key(w3, registry_address: str, key_id: str, *, block: int | None = None) -> RegisteredKey:
    """The registry's record of ``key_id`` (either spelling) as of ``block`` (default: latest),
    rebuilt from the registry's events alone: its ``KeyRegistered`` and any ``KeyRevoked``.

    Events, never a view call at a past block: a node restarted from a state dump (anvil) or a
    node that does not keep historical state answers no such call, while every log survives.
    Raises :class:`KeyNotRegistered` for an unknown key, and ``ChainError`` when the events
    contradict each other or the address holds no registry (a wrong address, a pruned node).
    """
    address = _address(key_id)
    block = _pin(w3, block)
    registered = _logs(w3, registry_address, "KeyRegistered", address, 0, block, subject_position=2)
    if not registered:
        _view(w3, registry_address, "keyRecord", address, block="latest")  # a ChainError if no registry answers
        raise KeyNotRegistered(f"key {key_id} is not registered in the UnitRegistry at {registry_address}", got=key_id)
    if len(registered) != 1 or registered[0].args["scheme"] not in KEY_SCHEMES:
        raise ChainError(
            f"the registry's events of key {address} contradict each other ({len(registered)} KeyRegistered)"
        )
    event = registered[0]
    unit_id, scheme, published = bytes(event.args["unitId"]), event.args["scheme"], event.args["publicKey"]
    name = KEY_SCHEMES[scheme]
    if name == "sm2" and derive_key_id("sm2", published) != address.lower():
        raise ChainError(f"KeyRegistered of {address} carries a public key of another key id")
    revoked = _logs(w3, registry_address, "KeyRevoked", address, event.block_number, block, subject_position=2)
    revoked_block = revoked[0].block_number if revoked else None
    return RegisteredKey(
        key_id=address.lower() if name == "sm2" else address,
        unit_id=unit_id,
        scheme=name,
        public_key=published if name == "sm2" else None,
        registered_block=event.block_number,
        registered_at=_block_time(w3, event.block_number),
        revoked_block=revoked_block,
        revoked_at=_block_time(w3, revoked_block) if revoked_block is not None else None,
    )


def _block_time(w3, number: int) -> int:
    return int(w3.eth.get_block(number)["timestamp"])


def registered_unit(w3, registry_address: str, unit_id: bytes, *, block: int | None = None) -> RegisteredUnit | None:
    """The unit's kind and name from its ``UnitRegistered`` event; None for an unknown unit."""
    events = _logs(w3, registry_address, "UnitRegistered", unit_id, 0, _pin(w3, block))
    if not events:
        return None
    args = events[0].args
    return RegisteredUnit(
        bytes(args["unitId"]), UNIT_KINDS.get(args["kind"], str(args["kind"])), args["name"], args["code"]
    )


def was_active_at(w3, registry_address: str, key_id: str, timestamp: int, *, block: int | None = None) -> bool:
    """The contract's rule (``wasActiveAt``), from the events: registered at or before
    ``timestamp``, and not revoked by then."""
    try:
        key = registered_key(w3, registry_address, key_id, block=block)
    except KeyNotRegistered:
        return False
    return key.active_at(timestamp)


@dataclass(frozen=True)
class OnChainVerification:
    """A signature checked against the registry. ``bool(v)`` is ``v.ok``.

    ``error`` is the first failure: the signature itself, then the signing unit, then whether
    the key was active when it signed. The other fields are filled in as far as they are known,
    even on failure. ``active_at_signing`` is None when no signing time was given.
    """

    ok: bool
    error: SignerError | None
    result: VerifyResult
    key: RegisteredKey | None = None
    unit: RegisteredUnit | None = None
    signed_at: int | None = None
    active_at_signing: bool | None = None
    commitment: Commitment | None = None

    def __bool__(self) -> bool:
        return self.ok


def _failed(error: SignerError, **facts: Any) -> OnChainVerification:
    return OnChainVerification(False, error, facts.pop("result", VerifyResult(False, error)), **facts)


def _inactive(key: RegisteredKey, unit: RegisteredUnit | None, signed_at: int | None) -> KeyNotActiveAtSigning:
    owner = f" of {unit.name}" if unit else ""
    if signed_at is None:
        assert key.revoked_at is not None
        return KeyNotActiveAtSigning(
            f"key {key.key_id}{owner} was revoked at {local_time(key.revoked_at)} and the signing time is unknown",
            got=key.revoked_at,
            hint="give the signing time (--at) to check a signature made before the revocation",
        )
    if signed_at < key.registered_at:
        return KeyNotActiveAtSigning(
            f"key {key.key_id}{owner} was registered at {local_time(key.registered_at)}, "
            f"after the signing time {local_time(signed_at)}",
            expected=key.registered_at,
            got=signed_at,
        )
    return KeyNotActiveAtSigning(
        f"key {key.key_id}{owner} was revoked at {local_time(key.revoked_at or 0)}, "
        f"before the signing time {local_time(signed_at)}",
        expected=key.revoked_at,
        got=signed_at,
    )


def verify_on_chain(
    w3,
    registry_address: str,
    document: bytes,
    signature: DetachedSignature | dict | bytes,
    *,
    signed_at: int | None = None,
    signing_unit_id: str | None = None,
) -> OnChainVerification:
    """Verify a detached signature over ``document`` against the key the registry holds.

    ``signed_at`` (unix seconds): check with the contract's ``wasActiveAt`` that the key was
    active then; None only refuses a revoked key. ``signing_unit_id``: the unit the signer
    claims to sign for (``0x`` + 64 lower-case hex), checked against the key's unit.
    SM2 signatures must use the default user id: the registry records none, so it is the one
    any verifier can assume. Never raises a SignerError; chain failures are raised.
    """
    try:
        sig = DetachedSignature.load(signature)
    except SignerError as exc:
        return _failed(exc)
    block = w3.eth.block_number
    try:
        key = registered_key(w3, registry_address, sig.key_id, block=block)
    except SignerError as exc:
        return _failed(exc, signed_at=signed_at)
    unit = registered_unit(w3, registry_address, key.unit_id, block=block)
    active = None if signed_at is None else was_active_at(w3, registry_address, key.key_id, signed_at, block=block)
    facts = {"key": key, "unit": unit, "signed_at": signed_at, "active_at_signing": active}
    if key.scheme != sig.scheme:
        return _failed(
            KeyIdMismatch("the key id is registered for another scheme", expected=key.scheme, got=sig.scheme), **facts
        )
    # ECDSA: verify_detached checks that the file's key hashes to sig.key_id, the registered address.
    try:  # the contract checks only an SM2 key's length and prefix: it may be off the curve
        trusted = PublicKey(
            key.scheme,
            key.public_key if key.scheme == "sm2" else sig.public_key,
            DEFAULT_USER_ID if key.scheme == "sm2" else None,
        )
    except SignerError as exc:
        return _failed(exc, **facts)
    result = verify_detached(document, sig, trusted)
    expected_unit = "0x" + key.unit_id.hex()
    if not result.ok:
        assert result.error is not None
        return _failed(result.error, result=result, **facts)
    if signing_unit_id is not None and signing_unit_id != expected_unit:
        owner = f" ({unit.name})" if unit else ""
        return _failed(
            SigningUnitMismatch(
                f"signing_unit_id {signing_unit_id} is not the key's unit {expected_unit}{owner}",
                expected=expected_unit,
                got=signing_unit_id,
            ),
            result=result,
            **facts,
        )
    if active is False or (signed_at is None and key.revoked_at is not None):
        return _failed(_inactive(key, unit, signed_at), result=result, **facts)
    return OnChainVerification(True, None, result, **facts)


def verify_commitment_on_chain(
    w3,
    registry_address: str,
    document: dict | bytes,
    signature: DetachedSignature | dict | bytes,
    *,
    signed_at: int | None = None,
) -> OnChainVerification:
    """Verify a signed commitment against the registry: its officer key, its unit, its time.

    The commitment must be valid, signed by the key it names (``officer_key_id``) for the unit
    it names (``signing_unit_id``), and that key active at ``signed_at`` (default: the
    commitment's own ``signed_at``). Never raises a SignerError; chain failures are raised.
    """
    try:
        commitment = validate_commitment(document)
        sig = DetachedSignature.load(signature)
    except SignerError as exc:
        return _failed(exc)
    when = signed_at_seconds(commitment) if signed_at is None else signed_at
    checked = verify_on_chain(
        w3,
        registry_address,
        commitment.canonical_bytes(),
        sig,
        signed_at=when,
        signing_unit_id=commitment.signing_unit_id,
    )
    if (sig.scheme, sig.key_id) != (commitment.scheme, commitment.officer_key_id):  # reported first
        error = KeyIdMismatch(
            "the signature is not by the officer key the commitment names",
            expected=commitment.officer_key_id,
            got=sig.key_id,
        )
        checked = replace(checked, ok=False, error=error)
    return replace(checked, commitment=commitment)
