"""Mirror stores on each backend: one empty store (the store-level tests that need no chain), or
stores opened by name (the tests that index a chain into several)."""

from __future__ import annotations

import pytest

from tests.chain.helpers import BACKENDS, Stores


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    """An empty mirror, on SQLite and then on PostgreSQL (a fresh database)."""
    new_url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    stores = Stores(request.param, tmp_path, new_url)
    yield stores("mirror")
    stores.close()


@pytest.fixture(params=BACKENDS)
def stores(request, tmp_path):
    """Opens mirrors by name, on SQLite and then on PostgreSQL."""
    new_url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    opened = Stores(request.param, tmp_path, new_url)
    yield opened
    opened.close()
