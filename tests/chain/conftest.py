"""Fixtures for the chain-mirror tests: registered units on every supported node."""

from __future__ import annotations

import pytest

from tests.conftest import Units


@pytest.fixture
def any_units(any_system) -> Units:
    """The test district's units and officers, registered on `any_system` (anvil, then Hardhat)."""
    return Units(any_system)
