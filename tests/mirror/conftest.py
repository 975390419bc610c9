"""An empty mirror store on each backend, for the store-level tests that need no chain."""

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
