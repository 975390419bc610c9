"""The API on several validators' nodes: its node SIGKILLed in the middle of a write, it moves to
the next, and every accepted action lands once."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from chain.actions import ActionKind
from network.lifecycle import start_node
from tests.api.helpers import chain_entry, document, entry_id, outbox_count, post, sign
from tests.network.conftest import network_runtime, wait_until

ACTIONS = 6
KILL_AFTER = 3  # the API's node dies once this many actions are accepted


def test_the_api_fails_over_when_its_node_dies_mid_write(clique, network_system, network_units, tmp_path):
    victim, fallback = clique.nodes[1], clique.manifest.nodes[2]
    # What the dead node took but never passed on is sent again after `resend_after_s`.
    runtime = network_runtime(network_system, tmp_path, [victim.spec.rpc_url, fallback.rpc_url], resend_after_s=5)
    officer = network_units.civil
    docs = [document(f"MZJ-F{i:03d}", name=f"失效转移测试{i}") for i in range(ACTIONS)]
    try:
        with TestClient(create_app(runtime=runtime)) as client:
            accepted = []
            for i, doc in enumerate(docs):
                if i == KILL_AFTER:
                    victim.stop(hard=True)
                response = post(client, sign(officer, ActionKind.SUBMIT, entry_id(officer, doc), doc), doc)
                assert response.status_code == 202, response.json()
                accepted.append(response.json()["action_id"])

            def statuses():
                return [client.get(f"/v1/catalog/actions/{a}").json()["status"] for a in accepted]

            wait_until(lambda: statuses() == ["confirmed"] * ACTIONS, 60, "every accepted action confirmed")
            assert runtime.rpc.url == fallback.rpc_url
    finally:
        runtime.stop()
        start_node(victim, [n for n in clique.nodes if n is not victim])
    # Nothing lost, nothing twice: each entry has exactly its one submitted version, under review.
    for doc in docs:
        entry = chain_entry(network_units, entry_id(officer, doc))
        assert (entry["latest"], entry["pending"], entry["status"]) == (1, 1, "under_review")
    assert outbox_count(runtime) == ACTIONS
