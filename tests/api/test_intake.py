"""api.services.intake: two conflicting actions on one subject, sent at the same moment.

The in-flight check and the outbox insert are one step in the database: exactly one is
accepted (202), the other is refused with 409 `entry_busy`, on SQLite and on PostgreSQL alike.
Both requests are held until each has been simulated against the chain (a barrier inside the
simulation), so both have passed the early check before either stores its row: the moment
the check alone could not tell them apart. Single requests to one API are combined (one
subject per batch, tests/api/test_intake_batches.py), so there the two singles come from two
API instances over one database, as behind a load balancer.
"""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from chain.actions import ActionKind
from mirror.models import OutboxAction
from tests.api.conftest import make_runtime
from tests.api.helpers import approval, body_of, document, entry_id, error_of, hex0x, sign
from tests.chain.helpers import BACKENDS


def _batch_item(action, doc: dict, kind: str) -> dict:
    return {
        "kind": kind,
        "entry_id": hex0x(action.entry_id),
        "version": action.version,
        "document": doc,
        "nonce": str(action.nonce),
        "signature": hex0x(action.signature),
    }


@pytest.fixture(params=BACKENDS)
def backend_runtimes(request, system, units, tmp_path):
    """Two runtimes over one database (two API instances), never started (nothing is relayed),
    on SQLite, then on PostgreSQL."""
    overrides = {"database_url": request.getfixturevalue("postgres_url")()} if request.param == "postgresql" else {}
    runtimes = [make_runtime(system, tmp_path, **overrides) for _ in range(2)]
    assert runtimes[0].engine.dialect.name == request.param
    yield runtimes
    for runtime in runtimes:
        runtime.stop()


@pytest.fixture
def backend_runtime(backend_runtimes):
    return backend_runtimes[0]


def _at_once(runtimes, requests: list) -> list:
    """Run each of `requests` (callables) on a thread of its own, all simulated before any stores
    (by `runtimes`, which they are sent to)."""
    simulated = threading.Barrier(len(requests), timeout=20)
    originals = [runtime.rpc.eth_call for runtime in runtimes]

    def held(eth_call):
        def call(*args, **kwargs):
            try:
                return eth_call(*args, **kwargs)
            finally:
                simulated.wait()

        return call

    for runtime, eth_call in zip(runtimes, originals):
        runtime.rpc.eth_call = held(eth_call)
    answers: list = [None] * len(requests)

    def run(index: int) -> None:
        answers[index] = requests[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for runtime, eth_call in zip(runtimes, originals):
        runtime.rpc.eth_call = eth_call
    return answers


def _outbox(runtime) -> list[tuple[str, str]]:
    with runtime.store.sessions() as session:
        return [(r.digest, r.status) for r in session.scalars(select(OutboxAction).order_by(OutboxAction.id))]


@pytest.mark.parametrize("route", ["single", "batch"])
def test_two_submissions_of_one_entry_at_once_one_is_accepted_the_other_busy(backend_runtimes, units, route):
    runtime = backend_runtimes[0]
    runtimes = backend_runtimes if route == "single" else [runtime]
    first, second = document("MZJ-0951", "婚姻登记信息"), document("MZJ-0951", "婚姻登记信息（另一份）")
    eid = entry_id(units.civil, first)
    actions = [sign(units.civil, ActionKind.SUBMIT, eid, doc) for doc in (first, second)]
    with TestClient(create_app(runtime=runtimes[0])) as one, TestClient(create_app(runtime=runtimes[-1])) as other:
        if route == "single":
            requests = [
                lambda c=c, a=a, d=d: c.post("/v1/catalog/entries", json=body_of(a, d))
                for c, a, d in zip((one, other), actions, (first, second))
            ]
        else:
            requests = [
                lambda a=a, d=d: one.post("/v1/catalog/actions", json={"actions": [_batch_item(a, d, "submit")]})
                for a, d in zip(actions, (first, second))
            ]
        answers = _at_once(runtimes, requests)
    assert sorted(r.status_code for r in answers) == [202, 409], [r.json() for r in answers]
    accepted = next(r for r in answers if r.status_code == 202).json()
    action_id = accepted["accepted"][0]["action_id"] if route == "batch" else accepted["action_id"]
    error = error_of(next(r for r in answers if r.status_code == 409))
    field = "entry_id" if route == "single" else "actions[0].entry_id"
    assert (error["code"], error["field"]) == ("entry_busy", field)
    assert action_id in error["message"]  # it names the action it waits for
    assert _outbox(runtime) == [(action_id, "accepted")]


def test_the_same_action_sent_twice_at_once_is_stored_once(backend_runtimes, units):
    """A client retrying at once, through two API instances: both are answered with the one accepted action."""
    runtime = backend_runtimes[0]
    doc = document("MZJ-0952", "收养登记信息")
    action = sign(units.civil, ActionKind.SUBMIT, entry_id(units.civil, doc), doc)
    with TestClient(create_app(runtime=runtime)) as one, TestClient(create_app(runtime=backend_runtimes[1])) as other:
        answers = _at_once(
            backend_runtimes,
            [lambda c=c: c.post("/v1/catalog/entries", json=body_of(action, doc)) for c in (one, other)],
        )
    assert [r.status_code for r in answers] == [202, 202], [r.json() for r in answers]
    assert answers[0].json() == answers[1].json()
    assert _outbox(runtime) == [(answers[0].json()["action_id"], "accepted")]


def test_a_review_and_a_submission_of_one_entry_in_one_batch_are_both_accepted(backend_runtime, units):
    """One request may hold several actions on one subject (simulated in order): the check is
    between requests, not within one."""
    runtime = backend_runtime
    doc = document("MZJ-0953", "殡葬服务记录")
    eid = entry_id(units.civil, doc)
    items = [
        _batch_item(sign(units.civil, ActionKind.SUBMIT, eid, doc), doc, "submit"),
        _batch_item(sign(units.data_center, ActionKind.REVIEW, eid, approval(), version=1), approval(), "review"),
    ]
    with TestClient(create_app(runtime=runtime)) as client:
        response = client.post("/v1/catalog/actions", json={"actions": items})
    assert response.status_code == 202, response.json()
    assert [status for _, status in _outbox(runtime)] == ["accepted", "accepted"]
