"""Micro-batching: concurrent single requests handled together, each answered on its own.

A request that arrives while `overlap` batches are starting (default 1) waits; what arrived
meanwhile is handled as the next batch, by the thread of its first request (the leader), and
every request gets its own result. A request that finds a free place is handled at once: nothing
waits on a timer, so a lone request costs what it did alone. This is group commit, as a database
does for its log.

A batch may let the next one start before it is done (`Turn.release_next`: the intake does
after its simulation, while it stores), and wait for the batches before it to finish
(`Turn.after_previous`: before it stores), so batches overlap but finish in order. With `keys`
(what an item touches: the intake's subject and (signer, nonce)) a batch waits only for the
earlier batches that touch one of its keys: those that touch nothing in common have no order to
keep, and waiting for them was most of a lone request's wait (bench (a), #12).

The caller chooses what may share a batch (`select`): an item left out waits, in order, for the
next one. The first item waiting is always taken, so every item is handled.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Generic, Hashable, Iterable, TypeVar

Item = TypeVar("Item")


class Turn:
    """A batch's place in line, given to `handle`."""

    def __init__(self, release: Callable[[], None], previous: Callable[[], None], finished: threading.Event) -> None:
        self._release = release
        self._previous = previous
        self.finished = finished

    def release_next(self) -> None:
        """Let the next batch start now (idempotent; done anyway when `handle` returns)."""
        self._release()

    def after_previous(self) -> None:
        """Wait until the batches before this one that it must follow have finished: all of them,
        or with `keys`, those that share a key with it (or whose keys are not known yet)."""
        self._previous()


# handle(items, turn) -> one result per item, in order: a value, or an Exception raised to its caller.
Handle = Callable[[list[Item], Turn], list[object]]
# select(items) -> the indexes of the items handled now (0 among them); the others wait, in order,
# for the next batch.
Select = Callable[[list[Item]], list[int]]
# keys(item) -> what the item touches; batches that share none need not finish in order.
Keys = Callable[[Item], Iterable[Hashable]]


class _Waiter(Generic[Item]):
    __slots__ = ("item", "ready", "lead", "result", "batch", "keys", "finished")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.ready = threading.Event()  # its result is in, or it leads the next batch
        self.lead = False
        self.result: object = None
        # A leader's, from its naming: the items it takes, their keys (None: not known yet, or
        # no `keys` given: it conflicts with every batch) and its batch's end.
        self.batch: list[_Waiter[Item]] = []
        self.keys: frozenset | None = None
        self.finished = threading.Event()


class Combiner(Generic[Item]):
    """Handles items submitted from many threads in batches, started in order, at most `overlap`
    at a time.

    Invariant (under `_lock`): while fewer than `overlap` batches are starting the queue is
    empty; a batch is starting from the moment its leader is named (and takes the queue) until
    it releases the next (`release_next`).
    """

    def __init__(self, overlap: int = 1) -> None:
        if overlap < 1:
            raise ValueError("micro_batch: overlap must be at least 1")
        self.overlap = overlap
        self._lock = threading.Lock()
        self._queue: list[_Waiter[Item]] = []
        self._starting = 0  # batches between naming their leader and releasing the next
        self._running: list[_Waiter[Item]] = []  # leaders of the batches named and not finished, in order
        self.batches = 0  # how many batches were started (for tests and benchmarks)

    @property
    def waiting(self) -> int:
        """How many items wait for a batch (not counting those of the batches starting)."""
        with self._lock:
            return len(self._queue)

    def wait_idle(self, timeout: float) -> None:
        """Wait, at most `timeout` seconds, until every batch named so far has finished."""
        deadline = time.monotonic() + timeout
        with self._lock:
            running = list(self._running)
        for leader in running:
            if not leader.finished.wait(max(0.0, deadline - time.monotonic())):
                return

    def submit(self, item: Item, handle: Handle, select: Select | None = None, keys: Keys | None = None) -> object:
        """`item`'s own result of `handle`, run over it and whatever was submitted with it.

        Raises the Exception `handle` gave for this item, or what `handle` itself raised.
        """
        me = _Waiter(item)
        with self._lock:
            self._queue.append(me)
            if self._starting < self.overlap:
                self._starting += 1
                self._name(me)
        if not me.lead:
            me.ready.wait()
        if me.lead:
            self._lead(me, handle, select, keys)
        if isinstance(me.result, BaseException):
            raise me.result
        return me.result

    def _name(self, leader: _Waiter[Item]) -> None:
        """(Under `_lock`.) `leader` leads the next batch: it takes the queue and its place in line."""
        leader.lead = True
        leader.batch, self._queue = self._queue, []
        self._running.append(leader)

    def _earlier(self, me: _Waiter[Item]) -> list[threading.Event]:
        """The ends of the batches named before `me` that it must follow (see Turn.after_previous)."""
        with self._lock:
            earlier = self._running[: self._running.index(me)]
            return [
                leader.finished
                for leader in earlier
                if me.keys is None or leader.keys is None or not me.keys.isdisjoint(leader.keys)
            ]

    def _lead(self, me: _Waiter[Item], handle: Handle, select: Select | None, keys: Keys | None) -> None:
        """Handle one batch, whose first item is the leader's own, naming the next leader when it
        releases the next batch."""
        waiting = me.batch
        batch, left = waiting, []
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            with self._lock:
                self.batches += 1
                self._queue[:0] = left  # before what arrived meanwhile: order is kept
                following = self._queue[0] if self._queue else None
                if following is None:
                    self._starting -= 1
                else:
                    self._name(following)
            if following is not None:
                following.ready.set()

        def after_previous() -> None:
            for finished in self._earlier(me):
                finished.wait()

        turn = Turn(release, after_previous, me.finished)
        try:
            if select is not None:
                chosen = set(select([w.item for w in waiting])) | {0}  # the first is always taken
                batch = [w for i, w in enumerate(waiting) if i in chosen]
                left = [w for i, w in enumerate(waiting) if i not in chosen]
            if keys is not None:
                taken = frozenset(k for w in batch for k in keys(w.item))
                with self._lock:
                    me.keys = taken
            results = handle([w.item for w in batch], turn)
            if len(results) != len(batch):
                raise RuntimeError(f"micro_batch: {len(results)} results for {len(batch)} items")
        except BaseException as exc:  # every caller of the batch hears of it; the next batch goes on
            results = [exc] * len(batch)
        finally:
            turn.after_previous()  # finish in order, whatever `handle` did
            release()
            turn.finished.set()
            with self._lock:
                self._running.remove(me)
        for waiter, result in zip(batch, results):
            waiter.result = result
            if not waiter.lead:
                waiter.ready.set()
