"""A `NodeStore` in one SQL table (SQLite or PostgreSQL through SQLAlchemy Core).

One row a node, keyed by one integer, ``level << 48 | index`` (2**48 leaves is far beyond any
usage log, and the key stays a signed 64-bit BIGINT), so that SQLite keeps it as the rowid and
a node costs its hash and a few bytes of key. A proof is one indexed ``IN`` query.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    bindparam,
    func,
    select,
)
from sqlalchemy.exc import OperationalError

from usage._layout import Node
from usage.errors import MissingNode, NodeRunOutOfPlace
from usage.nodes import Run

INDEX_BITS = 48

metadata = MetaData()
tree_nodes = Table(
    "usage_tree_nodes",
    metadata,
    # INTEGER on SQLite: only "INTEGER PRIMARY KEY" aliases the rowid (BIGINT would add a second index).
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False),
    Column("hash", LargeBinary, nullable=False),
)


def node_id(level: int, index: int) -> int:
    """The row key of node (level, index)."""
    return level << INDEX_BITS | index


class SqlNodeStore:
    """A `NodeStore` in the ``usage_tree_nodes`` table of ``engine``; each `append` is one transaction."""

    def __init__(self, engine: Engine, digest_size: int = 32) -> None:
        self.engine = engine
        self.digest_size = digest_size
        metadata.create_all(engine)
        # Appends go to the driver's executemany as tuples: SQLAlchemy Core's insert of dicts
        # measured 4x slower here (49k against 188k rows/s on SQLite), and a node is two rows a leaf.
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self._mark = mark
        self._insert = f"INSERT INTO {tree_nodes.name} (id, hash) VALUES ({mark}, {mark})"
        self._select = select(tree_nodes.c.id, tree_nodes.c.hash).where(
            tree_nodes.c.id.in_(bindparam("ids", expanding=True))
        )

    def size(self) -> int:
        return self.count(0)

    def count(self, level: int) -> int:
        """The number of nodes stored at ``level`` (levels are contiguous from index 0)."""
        with self.engine.connect() as conn:
            return _count(conn, level)

    def get(self, nodes: Sequence[Node]) -> list[bytes]:
        if not nodes:
            return []
        ids = [node_id(level, index) for level, index in nodes]
        with self.engine.connect() as conn:
            found = dict(conn.execute(self._select, {"ids": list(set(ids))}).all())
        missing = next((n for n, i in zip(nodes, ids) if i not in found), None)
        if missing is not None:
            raise MissingNode(level=missing[0], index=missing[1])
        return [bytes(found[i]) for i in ids]

    def append(self, runs: Sequence[Run]) -> None:
        rows = _rows(runs)
        with self.engine.begin() as conn:
            for level, first, _ in runs:
                expected = _count(conn, level)
                if first != expected:
                    raise NodeRunOutOfPlace(level=level, expected=expected, got=first)
            if rows:
                conn.exec_driver_sql(self._insert, rows)

    def append_on(self, cursor, runs: Sequence[Run]) -> None:
        """`append` inside the caller's transaction, on its DBAPI cursor: the usage intake stores a
        batch's records and the tree's nodes over them in one commit. Every level is checked
        before anything is written (NodeRunOutOfPlace), so a refused run leaves the transaction
        as it was."""
        mark = self._mark
        for level, first, _ in runs:
            low = node_id(level, 0)
            cursor.execute(
                f"SELECT max(id) FROM {tree_nodes.name} WHERE id >= {mark} AND id < {mark}",
                (low, node_id(level + 1, 0)),
            )
            top = cursor.fetchone()[0]
            expected = 0 if top is None else top - low + 1
            if first != expected:
                raise NodeRunOutOfPlace(level=level, expected=expected, got=first)
        if runs:
            cursor.executemany(self._insert, _rows(runs))

    def nbytes(self) -> int:
        """Bytes the table and its key take in a SQLite database (0 where ``dbstat`` is unavailable)."""
        with self.engine.connect() as conn:
            try:
                return int(
                    conn.exec_driver_sql("SELECT sum(pgsize) FROM dbstat WHERE name = 'usage_tree_nodes'").scalar() or 0
                )
            except OperationalError:  # dbstat is a compile-time SQLite option
                return 0


def _rows(runs: Sequence[Run]) -> list[tuple[int, bytes]]:
    """(key, hash) of every node of `runs`: node_id(level, first + k), without a call a node."""
    return [(node_id(level, first) + k, h) for level, first, hashes in runs for k, h in enumerate(hashes)]


def _count(conn: Connection, level: int) -> int:
    """Nodes at ``level``: one past the highest stored index, since each level is contiguous from 0."""
    low = node_id(level, 0)
    query = select(func.max(tree_nodes.c.id)).where(tree_nodes.c.id >= low, tree_nodes.c.id < node_id(level + 1, 0))
    top = conn.execute(query).scalar()
    return 0 if top is None else top - low + 1
