"""A WorkCalendar deployed on the test system, with 2024–2026 published from chinese-calendar.

Deployed inside each test's snapshot (four transactions, a few milliseconds), so every test
starts from the same published state and its own publications vanish afterwards.
"""

from __future__ import annotations

import pytest

from tests.workdays.helpers import deploy_calendar


@pytest.fixture
def calendar(system):
    """WorkCalendar on anvil with 2024–2026 published."""
    return deploy_calendar(system)


@pytest.fixture
def any_calendar(any_system):
    """The same on every supported node."""
    return deploy_calendar(any_system)
