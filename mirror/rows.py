"""Bulk INSERTs for the mirror's hot path (a reindex writes tens of thousands of rows a second).

PostgreSQL keeps SQLAlchemy's batched INSERT … VALUES. On SQLite the rows go to the driver as
plain tuples, several hundred to a statement:

- SQLAlchemy's per-row parameter processing cost more than SQLite's insert itself, and no
  column type of the mirror processes its values on SQLite;
- the driver's `executemany` lets go of the GIL for every row and must take it back after. While
  the indexer's prefetch thread decodes the next range, each of those rows waited for that
  thread, so the two threads only took turns. One statement of a few hundred rows lets go of
  the GIL once, and SQLite inserts them while the other thread runs.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from itertools import chain
from operator import itemgetter

from sqlalchemy import Connection, Table, insert
from sqlalchemy.dialects import sqlite

ROWS_PER_STATEMENT = 256
_DEFAULT_VARIABLE_LIMIT = 999  # SQLite's limit before 3.32, the lowest a build may have


def insert_rows(conn: Connection, table: Table, rows: list[dict]) -> None:
    """INSERT `rows` (dicts with the same keys) into `table`."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), rows)
        return
    sql, columns = _sqlite_insert(table, tuple(rows[0]))
    values = itemgetter(*columns)
    insert_tuples(
        conn, sql, [values(row) for row in rows] if len(columns) > 1 else [(row[columns[0]],) for row in rows]
    )


def insert_tuples(conn: Connection, sql: str, rows: list[tuple]) -> None:
    """Run `sql`, a one-row `INSERT … VALUES (?, …)` of SQLite, for each tuple of `rows`, as
    statements of up to ROWS_PER_STATEMENT rows (all of the same size, so SQLite's statement
    cache keeps them prepared; the rows left over go through executemany)."""
    if not rows:
        return
    head, values_keyword, one = sql.rpartition(" VALUES ")
    if not values_keyword or one.count("?") != len(rows[0]):
        raise ValueError(f"not a one-row INSERT of {len(rows[0])} values: {sql}")
    per = max(1, min(ROWS_PER_STATEMENT, _variable_limit(conn) // len(rows[0])))
    whole = len(rows) - len(rows) % per
    if whole:
        statement = f"{head} VALUES {','.join([one] * per)}"
        for start in range(0, whole, per):
            conn.exec_driver_sql(statement, tuple(chain.from_iterable(rows[start : start + per])))
    if whole < len(rows):
        conn.exec_driver_sql(sql, rows[whole:])


def _variable_limit(conn: Connection) -> int:
    driver = conn.connection.driver_connection
    try:
        return driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except (AttributeError, sqlite3.Error):  # a driver without getlimit
        return _DEFAULT_VARIABLE_LIMIT


@lru_cache(maxsize=64)
def _sqlite_insert(table: Table, keys: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The one-row INSERT of `keys` into `table` in SQLite's dialect, and its parameters' order."""
    compiled = insert(table).compile(dialect=sqlite.dialect(), column_keys=list(keys))
    if compiled.positiontup is None or set(compiled.positiontup) != set(keys):
        raise ValueError(f"unexpected columns for {table.name}: {keys}")
    return str(compiled), tuple(compiled.positiontup)
