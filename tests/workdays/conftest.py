"""A WorkCalendar deployed on the test system, with 2024–2026 published from chinese-calendar.

Deployed inside each test's snapshot (four transactions, a few milliseconds), so every test
starts from the same published state and its own publications vanish afterwards.
"""

from __future__ import annotations

import pytest

from tests.conftest import GETH, TEST_NODES, _clean_system
from tests.workdays.helpers import deploy_calendar


@pytest.fixture
def calendar(system):
    """WorkCalendar on anvil with 2024–2026 published."""
    return deploy_calendar(system)


@pytest.fixture(params=[kind for kind in TEST_NODES if kind != GETH])
def any_calendar(request, _systems, node_factory):
    """The same on every dev node. Not on geth: the calendar's arithmetic is the EVM's, the same on
    every engine, and each of these many cases would cost a fresh deployment there (≈7 s); the flow
    tests run the calendar on geth."""
    clean = _clean_system(request, request.param, _systems, node_factory)
    yield deploy_calendar(next(clean))
    next(clean, None)
