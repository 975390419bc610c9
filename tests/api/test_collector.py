"""`api.app.tune_collector`, which `ledger serve` runs once started: start-up's objects frozen out
of the collector's passes, a young generation of GC_YOUNG_THRESHOLD objects, cycles still freed."""

from __future__ import annotations

import gc
import weakref

from api.app import GC_YOUNG_THRESHOLD, tune_collector


class Node:
    pass


def test_startup_is_frozen_and_cycles_are_still_collected():
    before = gc.get_threshold()
    try:
        tune_collector()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, before[1], before[2])
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle only the collector frees
        gone = weakref.ref(a)
        del a, b
        gc.collect()
        assert gone() is None
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
