"""Two of four validators down: the chain halts, an accepted action waits in the outbox, and it
lands once a third validator is back."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from api.app import create_app
from chain.actions import ActionKind
from network import node_status
from network.lifecycle import start_node
from tests.api.helpers import chain_entry, document, entry_id, post, sign
from tests.network.conftest import network_runtime, wait_until

HALT_WATCH_S = 3  # three periods without a block


def _still_head(node) -> int | None:
    """The node's head, once it has not moved over 3 s."""
    before = node_status(node.spec).head
    time.sleep(3)
    return before if node_status(node.spec).head == before else None


def test_two_validators_down_halt_the_chain_and_the_outbox_waits(clique, network_system, network_units, tmp_path):
    live, down = clique.nodes[:2], clique.nodes[2:]
    runtime = network_runtime(network_system, tmp_path, [n.spec.rpc_url for n in live])
    officer = network_units.civil
    doc = document("MZJ-H001", name="停链测试")
    try:
        for node in down:
            node.stop()  # SIGKILL is tested on one node (test_lifecycle); here the count matters
        # The two left may seal one block each (a signer waits out ⌊N/2⌋ blocks); then nothing.
        # Halted once the head has stood still for three periods (a loaded machine seals late).
        halted = wait_until(lambda: _still_head(live[0]), 30, "the chain halted")
        with TestClient(create_app(runtime=runtime)) as client:
            response = post(client, sign(officer, ActionKind.SUBMIT, entry_id(officer, doc), doc), doc)
            assert response.status_code == 202, response.json()
            action = f"/v1/catalog/actions/{response.json()['action_id']}"
            time.sleep(HALT_WATCH_S)
            assert [node_status(n.spec).head for n in live] == [halted, halted]
            assert client.get(action).json()["status"] == "sent"

            start_node(down[0], live)  # 3 of 4: more than half the signers seal again
            wait_until(lambda: client.get(action).json()["status"] == "confirmed", 30, "the action after the halt")
    finally:
        runtime.stop()
        for node in down:
            if not node.alive():
                start_node(node, [n for n in clique.nodes if n.alive()])
    entry = chain_entry(network_units, entry_id(officer, doc))
    assert (entry["latest"], entry["status"]) == (1, "under_review")
    assert node_status(live[0].spec).head > halted
