"""What a validator's HTTP port serves, on real geth: no `clique` (its `clique_propose` would vote a
validator in or out with no Office decision), no `miner`, `admin`, `personal` or `debug`; yet the
signers are still known, over the owner's IPC socket or from the block headers alone.
"""

from __future__ import annotations

import pytest
import requests

from network import node_status
from network.ipc import ipc_call, ipc_path
from network.nodes import HTTP_APIS
from network.seal import block_signer, signers_at
from network.voting import proposals
from tests.network.conftest import wait_until

METHOD_NOT_FOUND = -32601
REFUSED = [
    ("clique_propose", ["0x" + "5a" * 20, True]),
    ("clique_discard", ["0x" + "5a" * 20]),
    ("clique_getSigners", ["latest"]),
    ("miner_stop", []),
    ("admin_addPeer", ["enode://" + "00" * 64 + "@127.0.0.1:30303"]),
    ("admin_nodeInfo", []),
    ("personal_listAccounts", []),
    ("debug_setHead", ["0x1"]),
]


def _http(url: str, method: str, params: list) -> dict:
    return requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=5).json()


def _head(url: str) -> int:
    return int(_http(url, "eth_blockNumber", [])["result"], 16)


def _block(url: str, number: int | str) -> dict:
    tag = hex(number) if isinstance(number, int) else number
    return _http(url, "eth_getBlockByNumber", [tag, False])["result"]


@pytest.mark.parametrize(("method", "params"), REFUSED, ids=[m for m, _ in REFUSED])
def test_http_refuses_what_would_vote_seal_or_administer(clique, method, params):
    assert "clique" not in HTTP_APIS.split(",")
    for node in clique.nodes:
        reply = _http(node.spec.rpc_url, method, params)
        assert "result" not in reply, (node.spec.code, method, reply)
        assert reply["error"]["code"] == METHOD_NOT_FOUND, reply
        assert method in reply["error"]["message"]
    # The vote never reached a node: none holds a proposal, and all four still sign.
    assert all(proposals(node) == {} for node in clique.nodes)
    assert all(len(node_status(n.spec, n.directory).signers) == 4 for n in clique.nodes)


def test_the_platform_api_is_still_served(clique):
    url = clique.nodes[0].spec.rpc_url
    for method in ("eth_blockNumber", "net_peerCount", "web3_clientVersion", "txpool_status"):
        assert "result" in _http(url, method, []), method


def test_a_blocks_sealer_is_recovered_from_its_seal_as_geth_says(clique):
    node = clique.nodes[1]
    url, socket = node.spec.rpc_url, ipc_path(node.directory)
    wait_until(lambda: _head(url) >= 6, 20, "six blocks")
    head = _head(url)
    for number in range(head - 5, head + 1):
        assert block_signer(_block(url, number)).lower() == ipc_call(socket, "clique_getSigner", [hex(number)])
    # A header changed after sealing recovers to some other address: the seal covers its fields.
    tampered = {**_block(url, head), "gasUsed": hex(int(_block(url, head)["gasUsed"], 16) + 1)}
    assert block_signer(tampered) != block_signer(_block(url, head))


def test_status_shows_the_signers_over_ipc_and_from_headers_alike(clique):
    expected = [a.lower() for a in clique.signers]
    for node in clique.nodes:
        by_ipc = node_status(node.spec, node.directory)
        by_headers = node_status(node.spec)  # as from another organisation's machine: HTTP only
        assert by_ipc.error is None and by_headers.error is None, (by_ipc.error, by_headers.error)
        assert [a.lower() for a in by_ipc.signers] == expected
        assert [a.lower() for a in by_headers.signers] == expected
        assert by_headers.peers == 3
        block = _block(node.spec.rpc_url, "latest")
        replayed = [a.lower() for a in signers_at(node.spec.rpc_url, block)]
        assert replayed == ipc_call(ipc_path(node.directory), "clique_getSignersAtHash", [block["hash"]])
