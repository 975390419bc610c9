"""chain/gas.py on a local node: the price and the room are the node's, read again after the TTL."""

from __future__ import annotations

import time

import pytest

from chain.gas import BLOCK_SHARE, PRICE_MARGIN, GasLimitExceeded, NetworkGas


def test_the_price_and_the_room_are_the_nodes(system):
    gas = NetworkGas(system.w3, ttl_s=0.05)
    block_limit = system.w3.eth.get_block("latest")["gasLimit"]
    assert (gas.block_limit(), gas.budget()) == (block_limit, block_limit * BLOCK_SHARE[0] // BLOCK_SHARE[1])
    tip = system.w3.eth.max_priority_fee
    base_fee = system.w3.eth.fee_history(1, "latest")["baseFeePerGas"][-1]  # the next block's
    assert gas.fees() == {"maxFeePerGas": PRICE_MARGIN * base_fee + tip, "maxPriorityFeePerGas": tip}
    # A new base fee on the node: the cap follows it once the reading is older than the TTL.
    system.w3.provider.make_request("anvil_setNextBlockBaseFeePerGas", [hex(7 * 10**9)])
    try:
        system.w3.provider.make_request("evm_mine", [])
        time.sleep(0.1)
        next_fee = system.w3.eth.fee_history(1, "latest")["baseFeePerGas"][-1]
        assert 6 * 10**9 < next_fee < 7 * 10**9  # London: an empty block lowers the next fee by 12.5 %
        assert gas.fees() == {"maxFeePerGas": PRICE_MARGIN * next_fee + tip, "maxPriorityFeePerGas": tip}
    finally:
        # anvil keeps its fee schedule across the fixture's evm_revert: put the base fee back, or
        # the next test's senders, whose readings are younger than their TTL, offer too little.
        system.w3.provider.make_request("anvil_setNextBlockBaseFeePerGas", [hex(base_fee)])


def test_an_estimate_gets_its_margin_and_a_block_its_limit(system):
    gas = NetworkGas(system.w3)
    block_limit = gas.block_limit()
    assert gas.limit_for(100_000) == 130_000
    assert gas.limit_for(block_limit - 1) == block_limit  # the margin never goes past a block
    with pytest.raises(GasLimitExceeded) as info:
        gas.limit_for(block_limit + 1)
    assert (info.value.needed, info.value.block_limit) == (block_limit + 1, block_limit)
