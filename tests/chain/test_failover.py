"""Several JSON-RPC URLs: the node in use until it is unreachable, then the next, and only then."""

from __future__ import annotations

import pytest
import requests

from chain.client import connect
from chain.failover import Endpoints
from chain.node import free_port
from chain.rpc import RpcClient, RpcError


@pytest.fixture
def anvil_url(node_factory) -> str:
    return node_factory("anvil").url


def _nowhere() -> str:
    return f"http://127.0.0.1:{free_port()}"  # nothing listens there


def test_an_unreachable_node_is_passed_over_once_and_for_all(anvil_url):
    dead = _nowhere()
    rpc = RpcClient([dead, anvil_url])
    moves = []
    rpc.endpoints.on_switch(moves.append)
    assert rpc.call("eth_chainId", []) == "0x7a69"
    assert rpc.call("eth_chainId", []) == "0x7a69"
    assert (rpc.url, moves) == (anvil_url, [anvil_url])


def test_an_error_answer_is_an_answer_not_a_failover(anvil_url):
    rpc = RpcClient([anvil_url, _nowhere()])
    with pytest.raises(RpcError, match="no_such_method failed"):
        rpc.call("no_such_method", [])
    assert rpc.url == anvil_url


def test_no_node_answering_raises_the_last_failure():
    endpoints = Endpoints([_nowhere(), _nowhere()])
    with pytest.raises(requests.ConnectionError):
        RpcClient(endpoints).call("eth_chainId", [])
    assert endpoints.current == endpoints.urls[0]


def test_web3_fails_over_with_the_same_endpoints(anvil_url):
    endpoints = Endpoints([_nowhere(), anvil_url])
    w3 = connect(endpoints)
    assert (w3.eth.chain_id, endpoints.current) == (31337, anvil_url)


def test_an_empty_list_is_refused():
    with pytest.raises(ValueError, match="at least one JSON-RPC URL"):
        Endpoints([])
