"""The project's contracts on the Clique network, and a signed catalog action through them, read
back from another organisation's node."""

from __future__ import annotations

from chain.actions import ActionKind, EntryStatus
from chain.client import connect, contract_at
from chain.events import receipt_events
from chain.rpc import RpcClient
from tests.contracts.test_catalog import DOC, Desk
from tests.network.conftest import wait_until

WEEK_S = 7 * 86400


def test_contracts_deploy_and_a_signed_action_round_trips(clique, network_system, network_units):
    units = network_units
    desk = Desk(network_system, units)
    declared = network_system.w3.eth.get_block("latest")["timestamp"] - WEEK_S
    receipt = desk.act(units.civil, ActionKind.SUBMIT, DOC, declared_at=declared)
    submitted = receipt_events(receipt)[0]
    assert (submitted.name, submitted.args["document"], submitted.args["signer"]) == (
        "CatalogVersionSubmitted",
        DOC,
        units.civil.address,
    )
    desk.review()
    # Clique has no finality: under load an out-of-turn block can be replaced by the in-turn one
    # (depth 1-2, seen in CI) and the review, back in the pool, lands in a later block. Read the
    # state once it settles, as the platform's mirror does (LEDGER_SETTLE_BLOCKS).
    wait_until(lambda: desk.status() == EntryStatus.ACTIVE, 20, "the review on the settled chain")
    assert desk.entry()[:5] == [units.civil.unit_id, 1, 1, 0, EntryStatus.ACTIVE]

    # The 区公安分局's node, which relayed nothing, holds the same chain and serves the same answer.
    other = clique.manifest.nodes[3]
    rpc = RpcClient(other.rpc_url)
    wait_until(lambda: int(rpc.call("eth_blockNumber", []), 16) >= receipt["blockNumber"], 10, "block on node 3")
    block = rpc.call("eth_getBlockByNumber", [hex(receipt["blockNumber"]), False])
    assert block["hash"] == receipt["blockHash"].to_0x_hex()
    catalog = contract_at(connect(other.rpc_url), "Catalog", network_system.deployment.catalog)
    wait_until(lambda: catalog.functions.entry(desk.entry_id).call()[4] == EntryStatus.ACTIVE, 10, "review on node 3")
    assert list(catalog.functions.entry(desk.entry_id).call())[:5] == desk.entry()[:5]
