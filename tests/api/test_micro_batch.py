"""api.micro_batch: items submitted while a batch is in progress form the next batch; each
caller gets its own result or exception; an item left out by `select` waits, in order."""

from __future__ import annotations

import threading
import time

import pytest

from api.micro_batch import Combiner
from tests.api.conftest import wait_for


class Gate:
    """A `handle` that records its batches and holds the first until released."""

    def __init__(self, answer=lambda item: item * 10) -> None:
        self.batches: list[list] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.answer = answer

    def __call__(self, items: list, turn) -> list:
        self.batches.append(list(items))
        if len(self.batches) == 1:
            self.entered.set()
            assert self.release.wait(10)
        return [self.answer(item) for item in items]


def submit_all(combiner: Combiner, gate: Gate, items: list, select=None) -> list:
    """Submit items[0], then the rest one by one while its batch is held; each caller's outcome."""
    outcomes: list = [None] * len(items)

    def run(index: int) -> None:
        try:
            outcomes[index] = combiner.submit(items[index], gate, select)
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(0,))]
    threads[0].start()
    assert gate.entered.wait(10)
    for index in range(1, len(items)):
        threads.append(threading.Thread(target=run, args=(index,)))
        threads[-1].start()
        wait_for(lambda index=index: combiner.waiting == index)
    gate.release.set()
    for thread in threads:
        thread.join(10)
    return outcomes


def test_a_lone_item_is_handled_at_once_and_those_arriving_meanwhile_together():
    combiner, gate = Combiner(), Gate()
    assert submit_all(combiner, gate, [1, 2, 3, 4]) == [10, 20, 30, 40]
    assert gate.batches == [[1], [2, 3, 4]]
    assert combiner.batches == 2 and combiner.waiting == 0
    gate.release.set()
    assert combiner.submit(5, gate) == 50  # nothing in progress: handled at once, alone
    assert gate.batches[-1] == [5]


def test_each_caller_gets_its_own_exception_and_a_failed_batch_stops_nothing():
    def answer(item):
        if item == 3:
            return ValueError("three")
        if item == 4:
            raise RuntimeError("the whole batch failed")
        return item

    combiner, gate = Combiner(), Gate(answer)
    outcomes = submit_all(combiner, gate, [1, 2, 3])
    assert outcomes[:2] == [1, 2] and isinstance(outcomes[2], ValueError) and str(outcomes[2]) == "three"
    outcomes = submit_all(Combiner(), Gate(answer), [1, 4, 5])
    assert outcomes[0] == 1
    assert [str(o) for o in outcomes[1:]] == ["the whole batch failed"] * 2  # both callers hear of it
    gate.release.set()
    assert combiner.submit(6, gate) == 6  # and the combiner goes on


def test_items_left_out_wait_in_order_for_the_next_batch():
    def one_per_letter(items: list[str]) -> list[int]:
        seen, taken = set(), []
        for index, item in enumerate(items):
            if item[0] not in seen:
                seen.add(item[0])
                taken.append(index)
        return taken

    combiner, gate = Combiner(), Gate(answer=str.upper)
    outcomes = submit_all(combiner, gate, ["a1", "a2", "b1", "a3", "b2", "c1"], one_per_letter)
    assert outcomes == ["A1", "A2", "B1", "A3", "B2", "C1"]
    assert gate.batches == [["a1"], ["a2", "b1", "c1"], ["a3", "b2"]]


@pytest.mark.parametrize("select", [lambda items: [], lambda items: [len(items) - 1]])
def test_the_first_waiting_is_always_taken(select):
    combiner, gate = Combiner(), Gate()
    outcomes = submit_all(combiner, gate, [1, 2, 3], select)
    assert outcomes == [10, 20, 30]
    assert all(batch[0] == first for batch, first in zip(gate.batches, (1, 2)))


def test_a_batch_may_let_the_next_start_but_they_finish_in_order():
    combiner, steps = Combiner(), []
    released, second_started = threading.Event(), threading.Event()

    def handle(items: list, turn) -> list:
        if items == [1]:
            turn.release_next()
            steps.append("first released the next")
            released.set()
            assert second_started.wait(10)  # the next batch started while this one still runs
            steps.append("first done")
        else:
            second_started.set()
            turn.after_previous()
            steps.append("second after the first")
        return [item * 10 for item in items]

    outcomes: list = [None, None]

    def run(index: int, item: int) -> None:
        outcomes[index] = combiner.submit(item, handle)

    threads = [threading.Thread(target=run, args=(0, 1))]
    threads[0].start()
    assert released.wait(10)
    threads.append(threading.Thread(target=run, args=(1, 2)))
    threads[1].start()
    for thread in threads:
        thread.join(10)
    assert outcomes == [10, 20]
    assert steps == ["first released the next", "first done", "second after the first"]


def test_with_overlap_batches_start_at_once_up_to_the_bound_and_still_finish_in_order():
    combiner, steps = Combiner(overlap=2), []
    first_in, second_in, third_in, go = (threading.Event() for _ in range(4))
    batches: list[list] = []

    def handle(items: list, turn) -> list:
        batches.append(list(items))
        if items == [1]:
            first_in.set()
            assert go.wait(10)
        elif items == [2]:
            second_in.set()  # started while the first is still starting: the second slot
            assert go.wait(10)
        else:
            third_in.set()
        turn.release_next()
        turn.after_previous()
        steps.append(items)
        return [item * 10 for item in items]

    outcomes: list = [None] * 4

    def run(index: int, item: int) -> None:
        outcomes[index] = combiner.submit(item, handle)

    threads = []
    for index, (item, entered) in enumerate(((1, first_in), (2, second_in))):
        threads.append(threading.Thread(target=run, args=(index, item)))
        threads[-1].start()
        assert entered.wait(10)
    for index in (2, 3):  # both slots taken: these wait, and go together
        threads.append(threading.Thread(target=run, args=(index, index + 1)))
        threads[-1].start()
        wait_for(lambda index=index: combiner.waiting == index - 1)
    assert not third_in.is_set()
    combiner.wait_idle(0.01)  # bounded: the latest batch is not done
    go.set()
    for thread in threads:
        thread.join(10)
    assert outcomes == [10, 20, 30, 40]
    assert batches[:2] == [[1], [2]] and batches[2] == [3, 4]
    assert steps == [[1], [2], [3, 4]]  # finished in the order they started
    combiner.wait_idle(10)
    assert combiner.batches == 3 and combiner.waiting == 0
    assert combiner.submit(5, handle) == 50  # nothing in progress: handled at once, alone


def test_with_keys_a_batch_waits_only_for_the_earlier_batches_that_share_one():
    """Three batches start at once (overlap 3). The first is held; the second shares nothing with
    it and finishes first; the third shares a key with the first and waits for it."""
    combiner, steps = Combiner(overlap=3), []
    entered = {item: threading.Event() for item in (1, 2, 3)}
    go = threading.Event()
    keys = {1: ["a"], 2: ["b"], 3: ["a", "c"]}

    def handle(items: list, turn) -> list:
        [item] = items
        entered[item].set()
        if item == 1:
            assert go.wait(10)
        turn.release_next()
        turn.after_previous()
        steps.append(item)
        if item == 2:
            go.set()  # only now may the first finish: the second did not wait for it
        return [item * 10]

    outcomes: dict = {}

    def run(item: int) -> None:
        outcomes[item] = combiner.submit(item, handle, keys=lambda i: keys[i])

    threads = []
    for item in (1, 2, 3):
        threads.append(threading.Thread(target=run, args=(item,)))
        threads[-1].start()
        assert entered[item].wait(10)
    for thread in threads:
        thread.join(10)
    assert outcomes == {1: 10, 2: 20, 3: 30}
    assert steps == [2, 1, 3]  # the second did not wait; the third waited for the first
    combiner.wait_idle(10)
    assert combiner.batches == 3


def test_wait_idle_is_bounded_by_its_timeout_over_all_batches():
    combiner, go, entered = Combiner(overlap=2), threading.Event(), threading.Barrier(3)

    def handle(items: list, turn) -> list:
        entered.wait(10)
        go.wait(10)
        return items

    threads = [threading.Thread(target=combiner.submit, args=(i, handle)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    entered.wait(10)
    began = time.monotonic()
    combiner.wait_idle(0.2)
    assert 0.15 < time.monotonic() - began < 1  # not 0.2 s for each of the two batches
    go.set()
    for thread in threads:
        thread.join(10)


def test_overlap_is_at_least_one():
    with pytest.raises(ValueError, match="overlap"):
        Combiner(overlap=0)
