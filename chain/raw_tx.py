"""Signing a transaction for the relayer: EIP-1559 (type 2) or, before London, EIP-155 legacy.

eth_account's `sign_transaction` validates and reformats the transaction dict field by field in
Python; for the relayer's executeBatch, a few kilobytes of calldata, that cost 2.7 ms per
transaction in the API process (bench (a)'s profile, #12), most of the relayer's share of the
interpreter. Here the fields are RLP-encoded as they are and signed with coincurve (libsecp256k1):
the same bytes (tests/chain/test_raw_tx.py compares them with eth_account's for both types).
"""

from __future__ import annotations

from dataclasses import dataclass

import rlp
from coincurve import PrivateKey
from eth_utils import keccak

EIP1559_TYPE = b"\x02"


@dataclass(frozen=True)
class SignedTx:
    raw: bytes  # what eth_sendRawTransaction takes
    hash: bytes  # the transaction's hash, keccak of `raw`


def sign(
    key: PrivateKey,
    *,
    chain_id: int,
    nonce: int,
    gas: int,
    to: bytes | None,
    value: int,
    data: bytes,
    max_fee: int | None = None,
    max_priority_fee: int | None = None,
    gas_price: int | None = None,
) -> SignedTx:
    """Sign a type-2 transaction (with `max_fee` and `max_priority_fee`) or a legacy one (with
    `gas_price`), to `to` (20 bytes; None creates a contract), with an empty access list."""
    if to is not None and len(to) != 20:
        raise ValueError(f"to: 20 bytes, got {len(to)}")
    to_field = b"" if to is None else to
    if gas_price is None:
        if max_fee is None or max_priority_fee is None:
            raise ValueError("a type-2 transaction needs max_fee and max_priority_fee (or give gas_price)")
        fields = [chain_id, nonce, max_priority_fee, max_fee, gas, to_field, value, data, []]
        digest = keccak(EIP1559_TYPE + rlp.encode(fields))
        r, s, parity = _sign(key, digest)
        raw = EIP1559_TYPE + rlp.encode([*fields, parity, r, s])
    else:
        fields = [nonce, gas_price, gas, to_field, value, data]
        digest = keccak(rlp.encode([*fields, chain_id, 0, 0]))  # EIP-155: the chain id is signed
        r, s, parity = _sign(key, digest)
        raw = rlp.encode([*fields, parity + 35 + 2 * chain_id, r, s])
    return SignedTx(raw, keccak(raw))


def _sign(key: PrivateKey, digest: bytes) -> tuple[int, int, int]:
    """(r, s, y parity) of libsecp256k1's signature over `digest`, s in the lower half (EIP-2)."""
    signature = key.sign_recoverable(digest, hasher=None)
    return int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big"), signature[64]
