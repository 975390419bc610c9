"""mirror.outbox + api.runtime: nothing accepted is lost (DESIGN point 3).

Each test crashes something on purpose: the API process between accepting and sending, the
transaction after it was marked sent, the node back to an older state; then a new Runtime on
the same data directory must get every accepted action on-chain exactly once.
"""

from __future__ import annotations

import random
import shutil
import time

import pytest
from sqlalchemy import select, update
from web3.exceptions import TransactionNotFound

from api.services.actions import accept
from catalog.document import declared_at
from chain.actions import ActionKind, CatalogAction, entry_id_for, recover_signer
from chain.events import receipt_events
from chain.node import LocalNode, free_port
from chain.reverts import decode_revert
from chain.signed_contracts import SIGNED_CONTRACTS
from mirror.models import CatalogEntry, ChainEvent, OutboxAction, RejectedAction
from mirror.outbox import batch_calldata, decode_action
from signer.canonical import canonical_bytes
from tests.api.conftest import make_runtime, wait_for
from tests.chain.helpers import (
    APPROVE,
    SEEN_BLOCKS,
    catalog_fields,
    dump,
    fresh_dump,
    new_indexer,
    new_store,
    return_fields,
)
from tests.conftest import System, Units


def _accept(
    runtime, officer, kind: ActionKind, entry_id: bytes, document: dict, *, version: int = 0, reason_code: int = 0
) -> tuple[str, CatalogAction]:
    """Sign `document` as `officer` and hand it to the API service; the action id and the action."""
    declared = declared_at(document) if kind == ActionKind.SUBMIT else 0
    action = officer.action(
        kind, entry_id, canonical_bytes(document), version=version, reason_code=reason_code, declared_at=declared
    )
    accepted = accept(
        runtime,
        kind=kind,
        entry_id=entry_id,
        version=version,
        document=document,
        nonce=action.nonce,
        signature="0x" + action.signature.hex(),
    )
    assert accepted.status == "accepted"
    return accepted.action_id, action


def _outbox(runtime) -> dict[str, tuple[str, str | None]]:
    with runtime.store.sessions() as s:
        return {r.digest: (r.status, r.tx_hash) for r in s.scalars(select(OutboxAction))}


def _all_confirmed(runtime, ids) -> bool:
    rows = _outbox(runtime)
    return all(rows[i][0] == "confirmed" for i in ids)


def _event_of(system, tx_hash: str, action: CatalogAction):
    """The Submitted/Reviewed event of `action` in transaction `tx_hash`."""
    receipt = system.w3.eth.get_transaction_receipt(tx_hash)
    assert receipt["status"] == 1
    kinds = ("CatalogVersionSubmitted", "CatalogVersionReviewed")
    found = [e for e in receipt_events(receipt) if e.name in kinds and e.args["nonce"] == action.nonce]
    assert len(found) == 1
    return found[0]


@pytest.fixture
def runtimes():
    """Stops every Runtime a test started, even when the test fails."""
    started = []

    def track(rt):
        started.append(rt)
        return rt

    yield track
    for rt in started:
        rt.stop()


def test_actions_accepted_before_a_crash_are_sent_on_the_next_start(system, units, tmp_path, runtimes):
    crashed = make_runtime(system, tmp_path)  # never started: no relayer thread runs
    head = system.w3.eth.block_number
    accepted = {}
    for officer, code, name in (
        (units.civil, "MZJ-0501", "社区养老服务对象信息"),
        (units.civil, "MZJ-0502", "社会救助申请信息"),
        (units.market, "SCJ-0501", "广告经营单位信息"),
    ):
        eid = entry_id_for(officer.unit_id, code)
        action_id, action = _accept(crashed, officer, ActionKind.SUBMIT, eid, catalog_fields(code, name))
        accepted[action_id] = (officer, eid, action)
    assert _outbox(crashed) == {i: ("accepted", None) for i in accepted}
    assert system.w3.eth.block_number == head  # nothing was sent
    crashed.engine.dispose()  # the process dies here
    del crashed

    rt = runtimes(make_runtime(system, tmp_path))
    rt.start()
    wait_for(lambda: _all_confirmed(rt, accepted))
    rows = _outbox(rt)
    for action_id, (officer, eid, action) in accepted.items():
        ev = _event_of(system, rows[action_id][1], action)
        assert (ev.args["entryId"], ev.args["signer"], ev.args["version"]) == (eid, officer.address, 1)
        assert units.catalog.functions.nonceUsed(officer.address, action.nonce).call() is True
    with rt.store.sessions() as s:
        entries = {e.entry_id: (e.status, e.latest_version) for e in s.scalars(select(CatalogEntry))}
    assert entries == {"0x" + eid.hex(): ("under_review", 1) for _, eid, _ in accepted.values()}


def test_a_row_marked_sent_that_never_reached_the_chain_is_sent_again_on_start(system, units, tmp_path, runtimes):
    crashed = make_runtime(system, tmp_path)
    eid = entry_id_for(units.civil.unit_id, "MZJ-0511")
    document = catalog_fields("MZJ-0511", "殡葬服务记录")
    action_id, action = _accept(crashed, units.civil, ActionKind.SUBMIT, eid, document)
    lost_tx = "0x" + "ee" * 32
    with crashed.store.sessions.begin() as s:  # marked sent, but the transaction was never broadcast
        s.execute(update(OutboxAction).values(status="sent", tx_hash=lost_tx, sent_at=time.time()))
    crashed.engine.dispose()

    # resend_after_s is far away: only the recovery at start can pick the row up again.
    rt = runtimes(make_runtime(system, tmp_path, resend_after_s=3600))
    rt.start()
    wait_for(lambda: _all_confirmed(rt, [action_id]))
    status, tx_hash = _outbox(rt)[action_id]
    assert tx_hash != lost_tx
    assert _event_of(system, tx_hash, action).args["entryId"] == eid


def test_recover_requeues_only_what_is_not_on_chain(system, units, tmp_path, runtimes):
    crashed = make_runtime(system, tmp_path)
    on_chain_id, on_chain = _accept(
        crashed,
        units.civil,
        ActionKind.SUBMIT,
        entry_id_for(units.civil.unit_id, "MZJ-0521"),
        catalog_fields("MZJ-0521", "优抚对象信息"),
    )
    assert crashed.relayer.step() is True  # sent, then the process dies before the indexer mirrors it
    sent_tx = _outbox(crashed)[on_chain_id][1]
    system.w3.eth.wait_for_transaction_receipt(sent_tx, timeout=10, poll_latency=0.01)
    lost_id, lost = _accept(
        crashed,
        units.market,
        ActionKind.SUBMIT,
        entry_id_for(units.market.unit_id, "SCJ-0521"),
        catalog_fields("SCJ-0521", "个体工商户信息"),
    )
    with crashed.store.sessions.begin() as s:
        s.execute(
            update(OutboxAction)
            .where(OutboxAction.digest == lost_id)
            .values(status="sent", tx_hash="0x" + "ee" * 32, sent_at=time.time())
        )
    crashed.engine.dispose()

    rt = runtimes(make_runtime(system, tmp_path, resend_after_s=3600))
    assert rt.relayer.recover() == 1
    assert _outbox(rt) == {on_chain_id: ("sent", sent_tx), lost_id: ("accepted", None)}
    rt.start()
    wait_for(lambda: _all_confirmed(rt, [on_chain_id, lost_id]))
    rows = _outbox(rt)
    assert rows[on_chain_id] == ("confirmed", sent_tx)  # not sent twice
    assert _event_of(system, rows[lost_id][1], lost).args["signer"] == units.market.address
    with rt.store.sessions() as s:
        assert s.scalars(select(RejectedAction)).all() == []


def test_a_duplicate_send_of_a_confirmed_action_is_rejected_and_the_row_stays_confirmed(
    system, units, tmp_path, runtimes
):
    rt = runtimes(make_runtime(system, tmp_path))
    rt.start()
    eid = entry_id_for(units.civil.unit_id, "MZJ-0531")
    action_id, action = _accept(rt, units.civil, ActionKind.SUBMIT, eid, catalog_fields("MZJ-0531", "慈善组织信息"))
    wait_for(lambda: _all_confirmed(rt, [action_id]))
    first_tx = _outbox(rt)[action_id][1]
    with rt.store.sessions() as s:
        payload = s.scalars(select(OutboxAction.payload).where(OutboxAction.digest == action_id)).one()

    receipt = rt.sender.send(rt.catalog.functions.executeBatch([decode_action(payload)]))
    [ev] = receipt_events(receipt)
    assert ev.name == "ActionRejected"
    assert ev.args["relayer"] == rt.sender.account.address and ev.args["index"] == 0
    assert "0x" + ev.args["digest"].hex() == action_id
    reason = decode_revert(ev.args["reason"])
    assert (reason.error, reason.error_args) == (
        "SignedActionNonceUsed",
        {"signer": units.civil.address, "nonce": action.nonce},
    )

    def mirrored():
        with rt.store.sessions() as s:
            return s.scalars(select(RejectedAction).where(RejectedAction.digest == action_id)).all()

    [rejected] = wait_for(mirrored)
    assert (rejected.error, rejected.block_number, rejected.tx_hash) == (
        f"SignedActionNonceUsed(signer={units.civil.address}, nonce={action.nonce})",
        receipt["blockNumber"],
        receipt["transactionHash"].to_0x_hex(),
    )
    wait_for(lambda: rt.store.cursor()[0] >= receipt["blockNumber"])
    with rt.store.sessions() as s:
        row = s.scalars(select(OutboxAction).where(OutboxAction.digest == action_id)).one()
        assert (row.status, row.tx_hash, row.error) == ("confirmed", first_tx, None)
        assert (
            s.scalars(select(CatalogEntry.latest_version).where(CatalogEntry.entry_id == "0x" + eid.hex())).one() == 1
        )


def test_a_node_restarted_from_an_older_state_loses_no_accepted_action(tmp_path, runtimes):
    node = LocalNode("anvil", tmp_path / "node", free_port()).start()
    try:
        _restart_from_older_state(node, tmp_path, runtimes)
    finally:
        node.stop()


def _restart_from_older_state(node: LocalNode, tmp_path, runtimes) -> None:
    system = System(node)
    units = Units(system)
    civil, market, dc = units.civil, units.market, units.data_center
    api_dir = tmp_path / "api"
    first = runtimes(make_runtime(system, api_dir))
    first.start()
    a = entry_id_for(civil.unit_id, "MZJ-0541")
    c = entry_id_for(market.unit_id, "SCJ-0541")
    kept = dict(
        [
            _accept(first, civil, ActionKind.SUBMIT, a, catalog_fields("MZJ-0541", "低保边缘家庭信息")),
            _accept(first, market, ActionKind.SUBMIT, c, catalog_fields("SCJ-0541", "质量检验机构信息")),
        ]
    )
    wait_for(lambda: _all_confirmed(first, kept))
    older = system.w3.eth.get_block("latest")

    node.stop()  # SIGTERM: anvil dumps its state
    shutil.copy(node.state_file, tmp_path / "older-state.json")
    node.start()  # the same state again; the running Runtime carries on
    b = entry_id_for(civil.unit_id, "MZJ-0542")
    lost = dict(
        [
            _accept(first, dc, ActionKind.REVIEW, a, APPROVE, version=1),
            _accept(first, civil, ActionKind.SUBMIT, b, catalog_fields("MZJ-0542", "临时救助信息")),
            _accept(first, dc, ActionKind.REVIEW, c, return_fields(1, "数据项不完整"), version=1, reason_code=1),
        ]
    )
    wait_for(lambda: _all_confirmed(first, lost))
    lost_txs = {i: _outbox(first)[i][1] for i in lost}
    first.stop()
    node.stop(hard=True)

    shutil.copy(tmp_path / "older-state.json", node.state_file)
    node.start()
    system.office.resync()
    system.relayer.resync()
    # Anvil may bring the head back one lower than dumped (DESIGN.md): compare hashes, not numbers.
    restored = system.w3.eth.get_block("latest")
    assert restored["number"] in (older["number"], older["number"] - 1)
    for action_id, action in lost.items():
        signer = recover_signer(action, chain_id=system.w3.eth.chain_id, catalog_address=system.deployment.catalog)
        assert units.catalog.functions.nonceUsed(signer, action.nonce).call() is False
        with pytest.raises(TransactionNotFound):
            system.w3.eth.get_transaction_receipt(lost_txs[action_id])
    off_chain = _mirrored_events_off_chain(system, api_dir / "mirror.db")
    if restored["hash"] == older["hash"]:
        assert off_chain == 3  # the two reviews and the submission the node forgot
    else:
        assert off_chain > 3

    second = runtimes(make_runtime(system, api_dir))
    reports = []
    sync = second.indexer.sync
    second.indexer.sync = lambda **kw: reports.append(sync(**kw)) or reports[-1]
    second.start()
    assert reports[0].rolled_back == off_chain
    wait_for(lambda: _all_confirmed(second, [*kept, *lost]))
    rows = _outbox(second)
    for action_id, action in lost.items():
        assert rows[action_id][1] != lost_txs[action_id]  # confirmed again, by a new transaction
        _event_of(system, rows[action_id][1], action)
    second.stop()

    store = new_store(api_dir / "mirror.db")
    try:
        new_indexer(system, store).sync()
        fresh = fresh_dump(system, tmp_path / "fresh.db", without=(SEEN_BLOCKS,))
        assert dump(store.engine, without=(SEEN_BLOCKS,)) == fresh
        with store.sessions() as s:
            entries = {e.entry_id: e.status for e in s.scalars(select(CatalogEntry))}
    finally:
        store.engine.dispose()
    assert entries == {"0x" + a.hex(): "active", "0x" + b.hex(): "under_review", "0x" + c.hex(): "returned"}


def test_a_rejection_the_chain_no_longer_has_is_not_final(system, units, tmp_path, runtimes):
    """Rejected on a branch the node later abandoned: on the chain that stands, it never was."""
    officer = units.add_officer(units.civil.unit_id)
    fork = system.snapshot()
    crashed = make_runtime(system, tmp_path)
    eid = entry_id_for(officer.unit_id, "MZJ-0551")
    document = catalog_fields("MZJ-0551", "居家养老服务补贴信息")
    action_id, action = _accept(crashed, officer, ActionKind.SUBMIT, eid, document)
    crashed.engine.dispose()
    # The officer's key is revoked before the relayer gets to send the action: it is rejected.
    system.office.send(units.registry.functions.revokeKey(officer.address))
    rt = runtimes(make_runtime(system, tmp_path))
    rt.start()
    wait_for(lambda: _outbox(rt)[action_id][0] == "rejected")
    rt.stop()

    # The node comes back without the revocation and the rejection.
    system.revert(fork)
    again = runtimes(make_runtime(system, tmp_path))
    again.start()
    wait_for(lambda: _all_confirmed(again, [action_id]))
    assert _event_of(system, _outbox(again)[action_id][1], action).args["entryId"] == eid
    with again.store.sessions() as s:
        assert s.scalars(select(RejectedAction)).all() == []


def _mirrored_events_off_chain(system, db_path) -> int:
    """How many events the mirror holds in blocks the chain no longer has (by hash)."""
    store = new_store(db_path)
    try:
        with store.sessions() as s:
            rows = s.execute(select(ChainEvent.block_number, ChainEvent.block_hash)).all()
    finally:
        store.engine.dispose()

    def on_chain(number: int, block_hash: str) -> bool:
        block = system.w3.eth.get_block(number) if number <= system.w3.eth.block_number else None
        return block is not None and block["hash"].to_0x_hex() == block_hash

    return sum(1 for number, block_hash in rows if not on_chain(number, block_hash))


def test_a_reindex_keeps_the_outbox_and_confirms_it_again(system, units, tmp_path, runtimes):
    leaving = units.add_officer(units.market.unit_id)
    crashed = make_runtime(system, tmp_path)
    ok_id, _ = _accept(
        crashed,
        units.civil,
        ActionKind.SUBMIT,
        entry_id_for(units.civil.unit_id, "MZJ-0561"),
        catalog_fields("MZJ-0561", "孤儿基本生活保障信息"),
    )
    bad_id, _ = _accept(
        crashed,
        leaving,
        ActionKind.SUBMIT,
        entry_id_for(leaving.unit_id, "SCJ-0561"),
        catalog_fields("SCJ-0561", "网络交易平台信息"),
    )
    crashed.engine.dispose()
    system.office.send(units.registry.functions.revokeKey(leaving.address))
    rt = runtimes(make_runtime(system, tmp_path))
    rt.start()
    wait_for(lambda: [row[0] for row in _outbox(rt).values()] == ["confirmed", "rejected"])
    rt.stop()

    def rows(store):
        with store.sessions() as s:
            ordered = s.scalars(select(OutboxAction).order_by(OutboxAction.id))
            return [(r.digest, r.status, r.tx_hash, r.error) for r in ordered]

    store = new_store(tmp_path / "mirror.db")
    try:
        before = rows(store)
        assert before[1][3] == f"SignedActionSignerNotActive(signer={leaving.address})"
        store.reset()
        assert [r[1] for r in rows(store)] == ["sent", "rejected"]  # confirmed again only by the replay
        new_indexer(system, store).sync()
        assert rows(store) == before
    finally:
        store.engine.dispose()


@pytest.mark.every_node
def test_the_relayers_gas_bound_covers_the_largest_documents(system, units, tmp_path):
    """Gas is bounded, not estimated: a full batch of maximum-size documents must all succeed, in
    one transaction small enough for geth's pool (128 KiB)."""
    from mirror.outbox import CALLDATA_BUDGET, GAS_BUDGET, SIGNED_CONTRACTS, _within_gas_budget, encode_action

    runtime = make_runtime(system, tmp_path)  # never started: the test drives the relayer
    try:
        largest = 32 * 1024  # Catalog.MAX_DOCUMENT_BYTES
        rows = []
        for i in range(40):
            eid = entry_id_for(units.civil.unit_id, f"BIG-{i}")
            document = (b'{"pad":"' + bytes([0x41 + i % 26]) * (largest - 10) + b'"}')[:largest]
            action = units.civil.action(ActionKind.SUBMIT, eid, document)
            rows.append(
                OutboxAction(
                    digest=f"0x{i:064x}",
                    signer=units.civil.address,
                    nonce=str(action.nonce),
                    entry_id="0x" + eid.hex(),
                    kind=0,
                    payload=encode_action(action),
                    status="accepted",
                    accepted_at=time.time(),
                )
            )
        taken, gas = _within_gas_budget(rows)
        assert 1 < len(taken) < len(rows) and gas <= GAS_BUDGET  # the budget, not batch_max, cut the batch
        calldata = SIGNED_CONTRACTS["catalog"].batch_calldata([decode_action(r.payload) for r in taken])
        assert CALLDATA_BUDGET - len(rows[0].payload) < len(calldata) <= CALLDATA_BUDGET
        with runtime.store.sessions.begin() as session:
            session.add_all(rows)
        assert runtime.relayer.step()
        with runtime.store.sessions() as session:
            tx_hash = session.scalars(select(OutboxAction.tx_hash).where(OutboxAction.status == "sent")).first()
        receipt = system.w3.eth.wait_for_transaction_receipt(tx_hash)
        events = receipt_events(receipt)
        assert [e.name for e in events] == ["CatalogVersionSubmitted"] * len(taken)
        assert receipt["gasUsed"] < gas * 0.7  # the bound keeps a wide margin
    finally:
        runtime.stop()


@pytest.mark.parametrize("contract", sorted(SIGNED_CONTRACTS))
@pytest.mark.parametrize("count", [0, 1, 3])
def test_batch_calldata_from_payloads_is_the_abi_encoding_of_the_decoded_actions(contract, count):
    """The relayer and the intake build `executeBatch`/`simulateBatch` calldata from the stored
    encodings; it must be byte for byte what eth_abi gives for the actions themselves."""
    calls, rng = SIGNED_CONTRACTS[contract], random.Random(count)

    def value(abi: str):
        if abi == "bytes":
            return rng.randbytes(rng.choice([0, 1, 31, 32, 33, 65, 1200]))
        if abi == "bytes32":
            return rng.randbytes(32)
        return rng.randrange(2 ** int(abi[len("uint") :]))

    types = calls.action_abi[1:-1].split(",")
    actions = [tuple(value(t) for t in types) for _ in range(count)]
    payloads = [calls.encode(a) for a in actions]
    for function in ("executeBatch", "simulateBatch"):
        assert batch_calldata(contract, payloads, function) == calls.batch_calldata(actions, function)
    with pytest.raises(ValueError):
        batch_calldata(contract, [b"\x00" * 64])
