"""Micro-batching: concurrent single requests handled together, each answered on its own.

A request that arrives while a batch is being handled waits; when that batch is done, what
arrived meanwhile is handled as the next batch, by the thread of its first request (the
leader), and every request gets its own result. A request that finds nothing in progress is
handled at once: nothing waits on a timer, so a lone request costs what it did alone. This is
group commit, as a database does for its log.

The caller chooses what may share a batch (`select`): an item left out waits, in order, for the
next one. The first item waiting is always taken, so every item is handled.
"""

from __future__ import annotations

import threading
from typing import Callable, Generic, TypeVar

Item = TypeVar("Item")

# handle(items) -> one result per item, in order: a value, or an Exception raised to its caller.
Handle = Callable[[list[Item]], list[object]]
# select(items) -> the indexes of the items handled now (0 among them); the others wait, in order,
# for the next batch.
Select = Callable[[list[Item]], list[int]]


class _Waiter(Generic[Item]):
    __slots__ = ("item", "ready", "lead", "result")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.ready = threading.Event()  # its result is in, or it leads the next batch
        self.lead = False
        self.result: object = None


class Combiner(Generic[Item]):
    """Handles items submitted from many threads in batches, one batch at a time.

    Invariant (under `_lock`): while no batch is in progress the queue is empty, and a batch is
    in progress from the moment a leader is named until its leader names the next or none.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[_Waiter[Item]] = []
        self._running = False
        self.batches = 0  # how many batches were handled (for tests and benchmarks)

    @property
    def waiting(self) -> int:
        """How many items wait for a batch (not counting the one in progress)."""
        with self._lock:
            return len(self._queue)

    def submit(self, item: Item, handle: Handle, select: Select | None = None) -> object:
        """`item`'s own result of `handle`, run over it and whatever was submitted with it.

        Raises the Exception `handle` gave for this item, or what `handle` itself raised.
        """
        me = _Waiter(item)
        with self._lock:
            self._queue.append(me)
            if not self._running:
                self._running = me.lead = True
        if not me.lead:
            me.ready.wait()
        if me.lead:
            self._lead(handle, select)
        if isinstance(me.result, BaseException):
            raise me.result
        return me.result

    def _lead(self, handle: Handle, select: Select | None) -> None:
        """Handle one batch, whose first item is the leader's own, then name the next leader."""
        with self._lock:
            waiting, self._queue = self._queue, []
        batch, left = waiting, []
        try:
            if select is not None:
                chosen = set(select([w.item for w in waiting])) | {0}  # the first is always taken
                batch = [w for i, w in enumerate(waiting) if i in chosen]
                left = [w for i, w in enumerate(waiting) if i not in chosen]
            results = handle([w.item for w in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"micro_batch: {len(results)} results for {len(batch)} items")
        except BaseException as exc:  # every caller of the batch hears of it; the next batch goes on
            results = [exc] * len(batch)
        with self._lock:
            self.batches += 1
            self._queue[:0] = left  # before what arrived meanwhile: order is kept
            following = self._queue[0] if self._queue else None
            if following is None:
                self._running = False
            else:
                following.lead = True
        for waiter, result in zip(batch, results):
            waiter.result = result
            if not waiter.lead:
                waiter.ready.set()
        if following is not None:
            following.ready.set()
