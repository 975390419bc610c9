"""The Clique genesis: extradata laid out as geth 1.13 reads it, and no fork Clique refuses."""

from __future__ import annotations

import pytest

from network.genesis import CHAIN_ID, GAS_LIMIT, clique_extradata, genesis

A = "0x00000000000000000000000000000000000000aa"
B = "0x00000000000000000000000000000000000000Bb"
C = "0xCc00000000000000000000000000000000000000"


def test_extradata_is_vanity_sorted_signers_and_an_empty_seal():
    extra = clique_extradata([C, A, B])
    assert extra == bytes(32) + bytes.fromhex(A[2:]) + bytes.fromhex(B[2:].lower()) + bytes.fromhex(C[2:]) + bytes(65)
    assert len(extra) == 32 + 3 * 20 + 65


def test_a_signer_listed_twice_is_refused():
    with pytest.raises(ValueError, match="listed twice"):
        clique_extradata([A, A.upper().replace("0X", "0x")])


def test_config_stops_before_shanghai_and_never_merges():
    config = genesis([A], period=2, funded={B: 5})["config"]
    assert config["clique"] == {"period": 2, "epoch": 30_000}
    assert config["chainId"] == CHAIN_ID and config["londonBlock"] == 0
    # Clique in geth 1.13 refuses Shanghai and Cancun headers; a TTD would make geth wait for a beacon client.
    assert not {"shanghaiTime", "cancunTime", "pragueTime", "terminalTotalDifficulty"} & set(config)


def test_genesis_funds_and_sizes_the_chain():
    document = genesis([A, B], period=1, funded={C: 10**24})
    assert document["alloc"] == {C[2:].lower(): {"balance": hex(10**24)}}
    assert int(document["gasLimit"], 16) == GAS_LIMIT
    assert document["extraData"] == "0x" + clique_extradata([A, B]).hex()


def test_a_period_under_one_second_is_refused():
    with pytest.raises(ValueError, match="at least 1 s, got 0"):
        genesis([A], period=0, funded={})


def test_period_zero_only_on_demand():
    assert genesis([A], period=0, funded={}, on_demand=True)["config"]["clique"]["period"] == 0
