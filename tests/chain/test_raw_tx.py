"""chain.raw_tx signs the bytes eth_account signs (type 2 and EIP-155 legacy), and a node takes them."""

from __future__ import annotations

import random

import pytest
from coincurve import PrivateKey
from eth_account import Account
from eth_utils import keccak, to_checksum_address

from chain import raw_tx

# Seeded: the test ids name the bytes, and every xdist worker must collect the same tests.
_random = random.Random(20261207)
KEYS = [bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"), _random.randbytes(32)]
TO = bytes.fromhex("5fbdb2315678afecb367f032d93f642f64180aa3")


def _shapes():
    for key in KEYS:
        for data in (b"", b"\x01", _random.randbytes(4_000)):
            for to in (TO, None):
                yield key, dict(nonce=0, gas=21_000, to=to, value=0, data=data, max_fee=2 * 10**9, max_priority_fee=1)
                yield key, dict(nonce=2**40, gas=29_000_000, to=to, value=10**18, data=data, gas_price=7 * 10**9)
                yield key, dict(nonce=127, gas=55, to=to, value=128, data=data, max_fee=2**64, max_priority_fee=0)


SHAPES = list(_shapes())


@pytest.mark.parametrize(
    "key,tx",
    SHAPES,
    ids=[
        f"{'legacy' if 'gas_price' in tx else 'type2'}-{len(tx['data'])}B-{'call' if tx['to'] else 'create'}-{i}"
        for i, (_, tx) in enumerate(SHAPES)
    ],
)
def test_the_same_bytes_and_hash_as_eth_account(key, tx):
    chain_id = 31337 if tx["nonce"] % 2 else 1
    ours = raw_tx.sign(PrivateKey(key), chain_id=chain_id, **tx)
    theirs_tx = {"nonce": tx["nonce"], "gas": tx["gas"], "value": tx["value"], "data": tx["data"], "chainId": chain_id}
    if tx["to"] is not None:
        theirs_tx["to"] = to_checksum_address(tx["to"])
    if "gas_price" in tx:
        theirs_tx["gasPrice"] = tx["gas_price"]
    else:
        theirs_tx |= {"maxFeePerGas": tx["max_fee"], "maxPriorityFeePerGas": tx["max_priority_fee"]}
    theirs = Account.from_key(key).sign_transaction(theirs_tx)
    assert ours.raw == bytes(theirs.raw_transaction)
    assert ours.hash == bytes(theirs.hash) == keccak(ours.raw)
    # And it names its signer: the node recovers the key's address from these bytes.
    assert Account.recover_transaction(ours.raw) == Account.from_key(key).address


def test_bad_fields_are_refused():
    key = PrivateKey(KEYS[0])
    with pytest.raises(ValueError, match="to: 20 bytes"):
        raw_tx.sign(key, chain_id=1, nonce=0, gas=1, to=b"\x01", value=0, data=b"", gas_price=1)
    with pytest.raises(ValueError, match="max_fee"):
        raw_tx.sign(key, chain_id=1, nonce=0, gas=1, to=TO, value=0, data=b"", max_fee=1)


def test_a_node_takes_what_the_sender_signs(system):
    """The Office's Sender signs with chain.raw_tx: a transfer and a contract call are mined."""
    receiver = Account.create().address
    receipt = system.office.send_value(receiver, 12345)
    assert receipt["status"] == 1
    assert system.w3.eth.get_balance(receiver) == 12345
    tx = system.w3.eth.get_transaction(receipt["transactionHash"])
    assert tx["from"] == system.office.account.address and tx["type"] == 2
