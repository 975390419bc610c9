"""The usage log's anchoring (#11 part 3): the tree follows the records, the Data Center's key
anchors a checkpoint every N records (or T seconds) in UsageLog, the roots are the records' SM3
tree, the anchored uses move the grant's idle clock, and intake stops when anchoring has failed
for too long."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from chain.client import contract_at
from tests.api.conftest import make_runtime, wait_for
from tests.api.test_sharing_api import Api
from tests.api.test_usage_intake import PLATFORM, logged, record
from tests.sharing_desk import SharingDesk
from usage.hasher import SM3
from usage.merkle import MerkleTree
from usage.rebuild import rebuild
from usage.sql_log import NewRecord
from usage.sql_nodes import SqlNodeStore


@pytest.fixture
def api(system, tmp_path):
    desk = SharingDesk(system)
    key = desk.data_center.sm2  # checkpoints signed with SM2, verified on-chain through the registry
    runtime = make_runtime(
        system,
        tmp_path,
        clock_ttl_s=0,
        usage_key=f"sm2:{key.private_key.hex()}",
        usage_anchor_poll_s=0,
        usage_checkpoint_records=5,
        usage_checkpoint_interval_s=3600,
    )
    runtime.start()
    try:
        with TestClient(create_app(runtime=runtime), headers=PLATFORM) as client:
            yield Api(desk, client, runtime)
    finally:
        runtime.stop()


def leaves(api: Api) -> list[bytes]:
    with api.runtime.engine.connect() as conn:
        return [bytes(r[0]) for r in conn.exec_driver_sql("SELECT leaf FROM usage_records ORDER BY seq")]


def checkpoints(api: Api) -> list[tuple]:
    with api.runtime.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT size, root, cosignatures FROM usage_checkpoints ORDER BY size").all()


def test_every_n_records_a_checkpoint_is_anchored_and_moves_the_idle_clock(api: Api):
    grant_id = api.apply(api.application(scenario_class=1))
    issued = api.get(f"/v1/grants/{grant_id}")["issued_at"]
    api.desk.travel_to(issued + 3600)
    times = [issued + 60 + 10 * k for k in range(12)]
    refused = record(api, grant_id, 99, scenario="PT-SC-OTHER", used_at=issued + 600)  # refused: does not count
    early = record(api, grant_id, 98, used_at=issued - 60)  # before the grant: refused, never anchored
    answer = logged(api, *[record(api, grant_id, k, used_at=t) for k, t in enumerate(times[:-1])], refused, early)
    assert [r["reason"] for r in answer["records"][-2:]] == ["scenario_not_granted", "before_grant"]
    logged(api, record(api, grant_id, 11, used_at=times[-1]))
    anchorer = api.runtime.usage_anchor
    assert anchorer.step() and anchorer.step() and not anchorer.step()  # 5, 10; 3 left, T not reached
    usage_log = contract_at(api.desk.w3, "UsageLog", api.runtime.deployment.usage_log)
    assert usage_log.functions.latestSize().call() == 10
    anchorer.interval_s = 0  # T passed
    assert anchorer.step() and not anchorer.step()
    all_leaves = leaves(api)
    assert [(size, root) for size, root, _ in checkpoints(api)] == [
        (n, "0x" + SM3.root(all_leaves[:n]).hex()) for n in (5, 10, 14)
    ]  # each anchored root is the SM3 RFC 9162 root of the records, recomputed from the definition
    assert usage_log.functions.checkpoint(14).call()[0] == SM3.root(all_leaves)
    # The latest accepted use (the refused one is later but does not count) moved the idle clock.
    assert api.desk.record("grant", bytes.fromhex(grant_id[2:])).lastUsedAt == times[-1]
    wait_for(lambda: api.get(f"/v1/grants/{grant_id}")["last_used_at"] == times[-1])


def test_intake_stops_when_anchoring_has_failed_too_long(system, tmp_path):
    """X-Road: logging stops when timestamping has failed for longer than the set time. Here the
    key is not the Data Center's, so the chain refuses every anchor."""
    desk = SharingDesk(system)
    runtime = make_runtime(
        system,
        tmp_path,
        clock_ttl_s=0,
        usage_key=f"ecdsa:{desk.street.ecdsa.private_key.hex()}",
        usage_anchor_poll_s=0,
        usage_checkpoint_records=1,
        usage_anchor_stall_s=0.05,
    )
    runtime.start()
    try:
        with TestClient(create_app(runtime=runtime), headers=PLATFORM) as client:
            api = Api(desk, client, runtime)
            grant_id = api.apply(api.application(scenario_class=1))
            logged(api, record(api, grant_id, 1))
            with pytest.raises(Exception, match="UsageLogNotDataCenter"):
                runtime.usage_anchor.step()
            wait_for(runtime.usage_anchor.stalled)
            answer = client.post("/v1/usage", json={"records": [record(api, grant_id, 2)]}, headers=PLATFORM)
            assert answer.status_code == 503
            assert answer.json()["error"]["code"] == "usage_anchoring_stalled"
            assert runtime.usage_records.size() == 1  # nothing stored
    finally:
        runtime.stop()


def test_the_tree_rebuilt_from_the_records_matches_every_anchored_root_until_one_is_altered(api: Api):
    grant_id = api.apply(api.application(scenario_class=1))
    logged(api, *[record(api, grant_id, k) for k in range(12)])
    while api.runtime.usage_anchor.step():
        pass
    anchored = [(size, bytes.fromhex(root[2:])) for size, root, _ in checkpoints(api)]
    assert [size for size, _ in anchored] == [5, 10]
    done = rebuild(api.runtime.usage_records, anchored)
    assert (done.ok, done.checked, done.records) == (True, [5, 10], 12)
    with api.runtime.engine.begin() as conn:  # someone edits record 7 in the database
        conn.exec_driver_sql(
            "UPDATE usage_records SET leaf = CAST(replace(leaf, '\"count\":3', '\"count\":4') AS BLOB) WHERE seq = 7"
        )
    done = rebuild(api.runtime.usage_records, anchored)
    assert not done.ok and done.checked == [5] and done.mismatch[:2] == (10, "0x" + anchored[1][1].hex())


def test_the_intake_appends_its_leaves_to_the_tree_in_its_own_transaction_and_a_lagging_tree_catches_up(api: Api):
    """The records of a batch and the tree's nodes over them commit together: no anchor step is
    needed for the tree to hold them. A tree that lags the records (here: records stored with no
    tree, as by another process) is not appended to by the intake; the anchorer catches it up."""
    grant_id = api.apply(api.application(scenario_class=1))
    tree, store = api.runtime.usage_anchor.tree, api.runtime.usage_records
    logged(api, *[record(api, grant_id, k) for k in range(7)])
    assert tree.size == 7 and tree.root() == SM3.root(leaves(api))
    # What is committed, read by a tree opened afresh over the database, is the same.
    assert MerkleTree(SM3, SqlNodeStore(api.runtime.engine)).root() == SM3.root(leaves(api))
    nodes = SqlNodeStore(api.runtime.engine)
    # Records stored without the tree: it lags, and the intake leaves it to the anchorer.
    store.append([replace(r, request_id=f"other-{k}") for k, r in enumerate(stored_records(api)[:3])])
    logged(api, record(api, grant_id, 100))
    assert (store.size(), tree.size, nodes.size()) == (11, 7, 7)
    assert api.runtime.usage_anchor.grow() == 11 and nodes.size() == 11
    logged(api, record(api, grant_id, 101))  # caught up: the intake appends again
    assert (tree.size, nodes.size()) == (12, 12)
    assert tree.root() == SM3.root(leaves(api)) == MerkleTree(SM3, SqlNodeStore(api.runtime.engine)).root()


def stored_records(api: Api) -> list[NewRecord]:
    columns = "request_id, grant_id, entry_id, owner_unit_id, unit_id, scenario, method, used_at, outcome, reason, leaf"
    with api.runtime.engine.connect() as conn:
        rows = conn.exec_driver_sql(f"SELECT {columns} FROM usage_records ORDER BY seq").all()
    return [NewRecord(*row[:-1], bytes(row[-1])) for row in rows]


def test_a_checkpoint_carries_each_grants_latest_accepted_use_and_is_cut_before_one_grant_too_many(
    api: Api, monkeypatch
):
    """The anchor's uses: each grant's latest accepted use in the batch (refused ones do not count);
    a batch using more than MAX_GRANTS_PER_ANCHOR grants ends before the record that brings in one
    too many (the database groups the usual batch; only one over the limit is read row by row)."""
    from chain import usage_log

    g = ["0x" + f"{k:064x}" for k in range(1, 5)]
    uses = [(g[0], 10, "accepted"), (g[1], 20, "accepted"), (g[0], 30, "accepted"), (g[2], 40, "accepted")]
    uses.append((g[3], 50, "refused"))
    base = {"entry_id": g[0], "owner_unit_id": None, "unit_id": g[0], "scenario": "s", "method": "interface"}
    api.runtime.usage_records.append(
        [
            NewRecord(request_id=f"r{k}", grant_id=grant, used_at=t, outcome=outcome, reason="x", leaf=b"{}", **base)
            for k, (grant, t, outcome) in enumerate(uses)
        ]
    )
    anchorer = api.runtime.usage_anchor
    assert anchorer._batch(0, 5) == (5, {g[0]: 30, g[1]: 20, g[2]: 40})
    assert anchorer._batch(1, 3) == (3, {g[1]: 20, g[0]: 30})
    monkeypatch.setattr(usage_log, "MAX_GRANTS_PER_ANCHOR", 2)
    assert anchorer._batch(0, 5) == (3, {g[0]: 30, g[1]: 20})
    assert anchorer._batch(3, 5) == (5, {g[2]: 40})
