"""Fixtures for the usage-log tests: a node store of each kind, so one suite runs against both."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from usage import MemoryNodeStore, NodeStore, SqlNodeStore

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def load_vector(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def hexes(items: list[str]) -> list[bytes]:
    return [bytes.fromhex(x) for x in items]


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NodeStore]:
    """An empty node store: in memory, or a SQLite file (the same suite runs against each)."""
    if request.param == "memory":
        yield MemoryNodeStore()
        return
    engine = create_engine(f"sqlite:///{tmp_path / 'nodes.db'}")
    yield SqlNodeStore(engine)
    engine.dispose()
