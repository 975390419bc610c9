"""#14 part 2, gas: the senders and the relayer take the gas price and the room in a block from
the network, on a Clique network whose genesis sets another gas limit and base fee than the
local nodes' 60M and 1 gwei, and whose validator wants a tip of its own."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.runtime import Runtime
from api.settings import Settings
from chain.actions import ActionKind
from chain.client import Sender
from chain.deploy import deployment_path
from chain.node import free_port
from mirror.outbox import GAS_BUDGET
from network import provision
from network.lifecycle import down, network_nodes, up
from tests.api.helpers import document, entry_id, post, sign
from tests.conftest import Units
from tests.network.conftest import API_RELAYER_KEY, FUNDED, PASSWORD, NetworkSystem, wait_until

GAS_LIMIT = 12_000_000  # a fifth of the local nodes'; Sharing's deployment still fits
BASE_FEE = 40 * 10**9  # 40 gwei at genesis; London lowers it over empty blocks
MIN_TIP = 3 * 10**9  # the validator includes nothing that tips less (`--miner.gasprice`)
ACTIONS = 40  # ≈ 15M gas of bounds: more than one block of this network holds


@pytest.fixture(scope="module")
def small_blocks(tmp_path_factory, geth):
    directory = tmp_path_factory.mktemp("small-blocks")
    manifest = provision(
        directory,
        validators=1,
        period=1,
        password=PASSWORD,
        keystore_dir=directory / "keys",
        funded=FUNDED,
        geth=geth,
        ports=[(free_port(), free_port(), free_port())],
        gas_limit=GAS_LIMIT,
        base_fee=BASE_FEE,
        min_tip=MIN_TIP,
    )
    try:
        up(directory, geth)
        assert network_nodes(directory, geth)[1][0].command().count("--miner.gasprice") == 1
        system = NetworkSystem(manifest.nodes[0].rpc_url)
        yield system, Units(system), manifest
    finally:
        down(directory, geth)


def test_a_sender_offers_the_networks_price_and_fits_its_blocks(small_blocks):
    system, _, _ = small_blocks
    w3 = system.w3
    sender = Sender.from_key(w3, API_RELAYER_KEY)
    latest = w3.eth.get_block("latest")
    assert latest["gasLimit"] == GAS_LIMIT
    assert (sender.gas.block_limit(), sender.gas.budget()) == (GAS_LIMIT, GAS_LIMIT * 5 // 6)
    # The tip is the node's suggestion (geth's price oracle starts from the validator's minimum);
    # the fee cap leaves room for the base fee to double while the transaction waits.
    tip = w3.eth.max_priority_fee
    assert tip >= MIN_TIP
    offered = sender.gas.fees()
    assert offered["maxPriorityFeePerGas"] == tip
    assert offered["maxFeePerGas"] <= 2 * w3.eth.get_block("latest")["baseFeePerGas"] + tip  # the next block's fee
    receipt = sender.send_value("0x000000000000000000000000000000000000dEaD", 1)
    tx = w3.eth.get_transaction(receipt["transactionHash"])
    block = w3.eth.get_block(receipt["blockNumber"])
    assert (tx["type"], tx["maxPriorityFeePerGas"]) == (2, tip)
    # The validator was paid its tip and no more: the next suggestion is not raised by ours (a
    # legacy price of twice eth_gasPrice paid the surplus as tip and ratcheted the oracle up).
    assert receipt["effectiveGasPrice"] - block["baseFeePerGas"] == tip
    assert w3.eth.max_priority_fee == tip
    # The fees are re-read, not kept: the base fee falls over empty blocks, and so does the cap.
    wait_until(lambda: sender.gas.fees()["maxFeePerGas"] < offered["maxFeePerGas"], 20, "the fee cap falling")


def test_the_relayer_splits_what_one_block_cannot_hold(small_blocks, tmp_path):
    system, units, manifest = small_blocks
    system.deployment.save(deployment_path(tmp_path, system.w3.eth.chain_id))
    settings = Settings(
        env="test", data_dir=tmp_path, rpc_urls=manifest.rpc_urls, relayer_key=API_RELAYER_KEY, poll_interval_s=0.05
    )
    runtime = Runtime(settings)  # not started: every action waits in the outbox first
    officer = units.civil
    docs = [document(f"MZJ-G{i:03d}", name=f"燃气测试{i}") for i in range(ACTIONS)]
    try:
        with TestClient(create_app(runtime=runtime)) as client:
            ids = []
            for doc in docs:
                response = post(client, sign(officer, ActionKind.SUBMIT, entry_id(officer, doc), doc), doc)
                assert response.status_code == 202, response.json()
                ids.append(response.json()["action_id"])
            assert runtime.relayer.pending() == ACTIONS
            start = system.w3.eth.block_number
            runtime.start()
            wait_until(
                lambda: all(client.get(f"/v1/catalog/actions/{i}").json()["status"] == "confirmed" for i in ids),
                90,
                "every action confirmed",
                poll=1.0,
            )
    finally:
        runtime.stop()
    w3, catalog = system.w3, system.deployment.catalog
    batches = [
        tx
        for number in range(start + 1, w3.eth.block_number + 1)
        for tx in w3.eth.get_block(number, full_transactions=True)["transactions"]
        if tx["to"] == catalog
    ]
    # Bounded by the local nodes' budget they would have gone in one transaction of more gas
    # than this network's block: geth refuses that ("exceeds block gas limit").
    assert GAS_BUDGET > GAS_LIMIT
    assert len(batches) >= 2, [tx["gas"] for tx in batches]
    assert all(tx["gas"] <= GAS_LIMIT * 5 // 6 for tx in batches), [tx["gas"] for tx in batches]
