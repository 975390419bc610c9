"""api.services.intake: single actions sent while a batch is in progress are handled together.

The first request's simulation is held; the others arrive meanwhile and wait. Released, they
go as one batch: one `simulateBatch` call, one transaction, one relayed `executeBatch`. Each
still gets the answer it would get alone: a bad action among them is refused with exactly the
error it gets when sent alone, changes nothing, and the others are accepted and confirmed.
"""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from api.services import intake
from chain.actions import ActionKind
from chain.signed_contracts import SIGNED_CONTRACTS
from mirror.models import OutboxAction
from tests.api.conftest import make_runtime, wait_for
from tests.api.helpers import approval, body_of, document, entry_id, error_of, hex0x, post, sign


class HeldSimulation:
    """Holds the first `hold` simulations of `runtime` until `release()`; counts every simulation."""

    def __init__(self, runtime, hold: int = 1) -> None:
        self.runtime = runtime
        self.hold = hold
        self.entered = threading.Event()  # all `hold` are held
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.calls: list[bytes] = []
        self._eth_call = runtime.rpc.eth_call
        runtime.rpc.eth_call = self._call

    def _call(self, to, data, sender=None):
        with self._lock:
            self.calls.append(data[:4])
            held = len(self.calls) <= self.hold
            if len(self.calls) == self.hold:
                self.entered.set()
        if held:
            assert self._release.wait(30)
        return self._eth_call(to, data, sender)

    def release(self) -> None:
        self._release.set()

    def restore(self) -> None:
        self.runtime.rpc.eth_call = self._eth_call


def send_combined(runtime, client, first, others: list, *, starters: list = ()) -> list:
    """POST `first` (a callable) and `starters`, then `others` while their batches are held (one
    batch each: as many as may be simulated at once); every response, in order."""
    held = HeldSimulation(runtime, 1 + len(starters))
    answers: list = [None] * (1 + len(starters) + len(others))

    def run(index: int, request) -> None:
        answers[index] = request()

    combiner = runtime.intake_batches["catalog"]
    threads = []
    for index, request in enumerate([first, *starters]):  # one at a time, in this order
        threads.append(threading.Thread(target=run, args=(index, request)))
        threads[-1].start()
        wait_for(lambda index=index: len(held.calls) == index + 1)
    assert held.entered.wait(30)
    for index, request in enumerate(others, start=1):  # one at a time, so they wait in this order
        index += len(starters)
        threads.append(threading.Thread(target=run, args=(index, request)))
        threads[-1].start()
        wait_for(lambda index=index: combiner.waiting == index - len(starters))
    held.release()
    for thread in threads:
        thread.join(timeout=60)
    held.restore()
    held.batches = combiner.batches
    return answers, held


# These tests hold one batch's simulation and send the others meanwhile: with batches simulated one
# at a time (intake_overlap=1), all the others wait for it. The default lets two be simulated at
# once: test_batches_simulated_at_once_are_stored_in_order holds two.


@pytest.fixture
def runtime(system, units, tmp_path):
    rt = make_runtime(system, tmp_path, intake_overlap=1)
    rt.start()
    yield rt
    rt.stop()


@pytest.fixture
def idle_runtime(system, units, tmp_path):
    """A runtime that is never started: what is accepted stays in the outbox."""
    runtime = make_runtime(system, tmp_path, intake_overlap=1)
    yield runtime
    runtime.stop()


@pytest.fixture
def overlapping_runtime(system, units, tmp_path):
    """Never started, with the default overlap of simulations."""
    runtime = make_runtime(system, tmp_path)
    assert runtime.intake_batches["catalog"].overlap == 2
    yield runtime
    runtime.stop()


def _outbox(runtime) -> list[tuple[str, str]]:
    with runtime.store.sessions() as session:
        return [(r.digest, r.status) for r in session.scalars(select(OutboxAction).order_by(OutboxAction.id))]


@pytest.mark.every_node
def test_concurrent_submissions_are_simulated_and_relayed_together_and_all_confirmed(runtime, client, units):
    docs = [document(f"MZJ-09{60 + i}", f"合并提交测试数据{i}") for i in range(5)]
    actions = [sign(units.civil, ActionKind.SUBMIT, entry_id(units.civil, d), d) for d in docs]
    requests = [lambda a=a, d=d: post(client, a, d) for a, d in zip(actions, docs)]
    answers, held = send_combined(runtime, client, requests[0], requests[1:])
    assert [r.status_code for r in answers] == [202] * 5, [r.json() for r in answers]
    assert [r.json()["subject_id"] for r in answers] == [hex0x(a.entry_id) for a in actions]
    # The first alone, then the four that waited for it: two simulations, each a simulateBatch.
    assert held.batches == 2 and len(held.calls) == 2
    assert set(held.calls) == {SIGNED_CONTRACTS["catalog"].simulate_selector}
    ids = [r.json()["action_id"] for r in answers]

    def all_confirmed():
        statuses = [client.get(f"/v1/catalog/actions/{i}").json()["status"] for i in ids]
        return statuses if set(statuses) == {"confirmed"} else None

    wait_for(all_confirmed)
    with runtime.store.sessions() as session:
        rows = session.scalars(select(OutboxAction).where(OutboxAction.digest.in_(ids[1:]))).all()
    assert len({r.tx_hash for r in rows}) == 1  # the four that waited went in one executeBatch
    for doc, action in zip(docs, actions):
        entry = client.get(f"/v1/catalog/entries/{hex0x(action.entry_id)}").json()
        assert (entry["code"], entry["status"]) == (doc["code"], "under_review")


def test_a_bad_action_among_them_is_refused_alone_with_its_exact_error(idle_runtime, units):
    runtime = idle_runtime
    good = [document(f"MZJ-09{70 + i}", f"合并拒绝测试数据{i}") for i in range(3)]
    good_actions = [sign(units.civil, ActionKind.SUBMIT, entry_id(units.civil, d), d) for d in good]
    # A review of an entry nobody submitted: it passes every check but the contract's.
    unknown = entry_id(units.civil, document("MZJ-0979", "不存在的条目"))
    bad = sign(units.data_center, ActionKind.REVIEW, unknown, approval(), version=1)
    with TestClient(create_app(runtime=runtime)) as client:
        requests = [lambda a=a, d=d: post(client, a, d) for a, d in zip(good_actions, good)]
        requests.insert(2, lambda: post(client, bad, approval()))
        answers, held = send_combined(runtime, client, requests[0], requests[1:])
        assert held.batches == 2 and len(held.calls) == 2
        assert [r.status_code for r in answers] == [202, 202, 404, 202], [r.json() for r in answers]
        alone = post(client, bad, approval())  # the same action, sent on its own
        assert alone.status_code == 404
        assert answers[2].json() == alone.json()
        assert error_of(alone) == {
            "code": "unknown_entry",
            "message": f"no catalog entry has this id: CatalogUnknownEntry(entryId={hex0x(unknown)})",
            "field": "entry_id",
            "contract_error": "CatalogUnknownEntry",
            "contract_args": {"entryId": hex0x(unknown)},
        }
    # Nothing of the refused action was stored; every other one was, once.
    assert _outbox(runtime) == [(r.json()["action_id"], "accepted") for r in answers if r.status_code == 202]


def test_two_actions_on_one_subject_among_them_are_answered_as_one_after_the_other(idle_runtime, units):
    """The second on a subject waits for the next batch, where it meets the first in flight:
    409 entry_busy naming it, as when sent one after the other. The same action sent twice is
    stored once, and both are answered with it."""
    runtime = idle_runtime
    first, rival = document("MZJ-0981", "同一条目甲"), document("MZJ-0981", "同一条目乙")
    eid = entry_id(units.civil, first)
    other = document("MZJ-0982", "另一条目")
    a, b = sign(units.civil, ActionKind.SUBMIT, eid, first), sign(units.civil, ActionKind.SUBMIT, eid, rival)
    c = sign(units.civil, ActionKind.SUBMIT, entry_id(units.civil, other), other)
    with TestClient(create_app(runtime=runtime)) as client:
        starter_doc = document("MZJ-0980", "先行条目")
        starter = sign(units.civil, ActionKind.SUBMIT, entry_id(units.civil, starter_doc), starter_doc)
        answers, held = send_combined(
            runtime,
            client,
            lambda: post(client, starter, starter_doc),
            [lambda: post(client, a, first), lambda: post(client, b, rival), lambda: post(client, c, other)]
            + [lambda: client.post("/v1/catalog/entries", json=body_of(c, other))],
        )
    assert [r.status_code for r in answers] == [202, 202, 409, 202, 202], [r.json() for r in answers]
    busy = error_of(answers[2])
    assert (busy["code"], busy["field"]) == ("entry_busy", "entry_id")
    assert answers[1].json()["action_id"] in busy["message"]
    assert answers[3].json() == answers[4].json()  # the retry is answered with the one stored action
    assert held.batches == 3  # the starter; a and c; then b and c's retry, each after its first
    assert _outbox(runtime) == [(answers[i].json()["action_id"], "accepted") for i in (0, 1, 3)]


def test_a_busy_subject_is_answered_before_what_the_chain_would_say(idle_runtime, units):
    """An action on a subject with an action in flight is answered 409 entry_busy, even when the
    chain would refuse it too (here: a review of a version not on-chain yet), as before."""
    runtime = idle_runtime
    doc = document("MZJ-0990", "在途条目")
    eid = entry_id(units.civil, doc)
    with TestClient(create_app(runtime=runtime)) as client:
        submitted = post(client, sign(units.civil, ActionKind.SUBMIT, eid, doc), doc)
        assert submitted.status_code == 202, submitted.json()
        review = post(client, sign(units.data_center, ActionKind.REVIEW, eid, approval(), version=1), approval())
    assert review.status_code == 409, review.json()
    busy = error_of(review)
    assert (busy["code"], busy["field"]) == ("entry_busy", "entry_id")
    assert submitted.json()["action_id"] in busy["message"]
    assert _outbox(runtime) == [(submitted.json()["action_id"], "accepted")]


def test_batches_simulated_at_once_are_stored_in_order_where_they_share_a_subject(overlapping_runtime, units):
    """Two batches are simulated at the same time (both held here); what arrives meanwhile waits
    and goes as the third. Each is answered as it would be alone: a second action on the first's
    subject meets it in flight. The third batch holds that rival, so it is stored after the
    first; the second shares nothing with it and has no order to keep."""
    runtime = overlapping_runtime
    docs = [document(f"MZJ-099{i}", f"重叠模拟测试数据{i}") for i in range(4)]
    actions = [sign(units.civil, ActionKind.SUBMIT, entry_id(units.civil, d), d) for d in docs]
    rival_doc = document("MZJ-0990", "重叠模拟同一条目")
    rival = sign(units.civil, ActionKind.SUBMIT, entry_id(units.civil, rival_doc), rival_doc)
    with TestClient(create_app(runtime=runtime)) as client:
        requests = [lambda a=a, d=d: post(client, a, d) for a, d in zip(actions, docs)]
        answers, held = send_combined(
            runtime,
            client,
            requests[0],
            [requests[2], lambda: post(client, rival, rival_doc), requests[3]],
            starters=[requests[1]],
        )
    assert [r.status_code for r in answers] == [202, 202, 202, 409, 202], [r.json() for r in answers]
    assert answers[0].json()["action_id"] in error_of(answers[3])["message"]
    assert held.batches == 3 and len(held.calls) == 3
    stored = [answers[i].json()["action_id"] for i in (0, 1, 2, 4)]
    outbox = _outbox(runtime)
    assert sorted(outbox) == sorted((digest, "accepted") for digest in stored)
    order = [digest for digest, _ in outbox]
    assert order.index(stored[0]) < min(order.index(stored[2]), order.index(stored[3]))


def test_the_relayer_sends_at_most_one_transaction_per_interval(system, units, tmp_path):
    """LEDGER_RELAY_INTERVAL_S: an action after a quiet spell is sent at once; those accepted
    within the interval after a send wait for it to pass and go together in the next one."""
    interval = 1.5
    runtime = make_runtime(system, tmp_path, relay_interval_s=interval)
    runtime.start()
    try:
        docs = [document(f"MZJ-099{i}", f"节流发送测试{i}") for i in range(3)]
        actions = [sign(units.civil, ActionKind.SUBMIT, entry_id(units.civil, d), d) for d in docs]
        with TestClient(create_app(runtime=runtime)) as client:
            began = time.monotonic()
            first = post(client, actions[0], docs[0])
            assert first.status_code == 202, first.json()
            wait_for(lambda: _outbox(runtime)[0][1] != "accepted")
            assert time.monotonic() - began < interval  # the first went at once
            later = [post(client, a, d) for a, d in zip(actions[1:], docs[1:])]  # each alone
            assert [r.status_code for r in later] == [202, 202], [r.json() for r in later]
            ids = [r.json()["action_id"] for r in (first, *later)]
            wait_for(lambda: {s for _, s in _outbox(runtime)} == {"confirmed"})
        with runtime.store.sessions() as session:
            rows = {r.digest: r for r in session.scalars(select(OutboxAction).where(OutboxAction.digest.in_(ids)))}
        first_row, *later_rows = (rows[i] for i in ids)
        assert len({r.tx_hash for r in later_rows}) == 1 and first_row.tx_hash != later_rows[0].tx_hash
        assert all(r.sent_at - first_row.sent_at >= interval for r in later_rows)
    finally:
        runtime.stop()


def test_batches_simulated_while_another_is_stored_are_stored_together(overlapping_runtime, units, monkeypatch):
    """Group commit: the first batch's store is held; two more batches are simulated meanwhile
    (each on its own) and wait for it. Released, the two are stored in one transaction, and
    every action is answered and stored as if alone."""
    runtime = overlapping_runtime
    held, release, stores = threading.Event(), threading.Event(), []
    store_each = intake._store_each

    def holding(rt, items, reasons):
        stores.append([p.action_id for p, _ in items])
        if len(stores) == 1:
            held.set()
            assert release.wait(30)
        return store_each(rt, items, reasons)

    monkeypatch.setattr(intake, "_store_each", holding)
    docs = [document(f"MZJ-098{i}", f"合并存储测试数据{i}") for i in range(3)]
    actions = [sign(units.civil, ActionKind.SUBMIT, entry_id(units.civil, d), d) for d in docs]
    answers: list = [None] * 3
    store_line = runtime.intake_stores["catalog"]
    with TestClient(create_app(runtime=runtime)) as client:

        def run(index: int) -> None:
            answers[index] = post(client, actions[index], docs[index])

        threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
        threads[0].start()
        assert held.wait(30)
        for index in (1, 2):  # one at a time: each is simulated alone, then waits to be stored
            threads[index].start()
            wait_for(lambda index=index: store_line.waiting == index)
        release.set()
        for thread in threads:
            thread.join(timeout=60)
    assert [r.status_code for r in answers] == [202] * 3, [r.json() for r in answers]
    ids = [r.json()["action_id"] for r in answers]
    assert stores == [ids[:1], ids[1:]]  # the first alone, then the two that waited, in one transaction
    assert store_line.batches == 2
    assert sorted(_outbox(runtime)) == sorted((i, "accepted") for i in ids)


def test_batches_stored_together_touch_nothing_in_common():
    """`_disjoint_batches`: a batch that shares a subject or a (signer, nonce) with one taken
    before it waits for the next transaction (the first is always taken)."""

    class P:
        def __init__(self, subject: str, signer: str, nonce: int) -> None:
            self.subject_hex, self.signer = subject, signer
            self.action = type("A", (), {"nonce": nonce})()

    def batch(*items):
        return ([(P(*item), True) for item in items], [b""] * len(items))

    batches = [
        batch(("s1", "k1", 1)),
        batch(("s2", "k1", 2), ("s3", "k2", 1)),
        batch(("s1", "k3", 1)),  # s1: the first's subject
        batch(("s4", "k2", 1)),  # (k2, 1): the second's
        batch(("s5", "k3", 1)),
    ]
    assert intake._disjoint_batches(batches) == [0, 1, 4]
