"""The full-text side of the mirror, one implementation per database dialect.

SQLite keeps an FTS5 table keyed by the entry's `seq`; PostgreSQL a GIN index over
`to_tsvector('simple', search_terms)`. Both index the terms of `catalog.search_terms`.
"""

from __future__ import annotations

from sqlalchemy import (
    Connection,
    Engine,
    Select,
    column,
    func,
    literal_column,
    table,
    text,
)
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from catalog.search_terms import query_terms
from mirror.models import CatalogEntry
from mirror.rows import insert_tuples

FTS_TABLE = "catalog_entry_fts"
SCHEMA = "fts5(terms, tokenize='unicode61', detail='none', columnsize=0)"  # part of the mirror's fingerprint
PG_INDEX = "ix_entries_fts"
# The configuration is spelled as a constant, never bound as a parameter: PostgreSQL uses an
# expression index only for a query expression identical to the indexed one.
_PG_CONFIG = "'simple'::regconfig"


def create(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text(f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING {SCHEMA}"))
        else:
            conn.execute(
                text(
                    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON {CatalogEntry.__tablename__} "
                    f"USING gin (to_tsvector({_PG_CONFIG}, search_terms))"
                )
            )


def drop(engine: Engine) -> None:
    """Drop the SQLite index table (PostgreSQL's index goes with its table)."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))


def put(conn: Connection, rows: list[dict], *, replacing: list[int] = ()) -> None:
    """Index entries (each row has `seq` and `terms`); `replacing` lists the seqs already indexed."""
    if not rows or conn.dialect.name != "sqlite":
        return  # PostgreSQL indexes the column itself
    remove(conn, list(replacing))
    # In rowid order: FTS5 writes its pending terms out as a new segment whenever a rowid is not
    # above the last one, so rows in any other order leave many small segments to merge.
    insert_tuples(
        conn, f"INSERT INTO {FTS_TABLE}(rowid, terms) VALUES (?, ?)", sorted([(r["seq"], r["terms"]) for r in rows])
    )


def remove(conn: Connection, seqs: list[int]) -> None:
    if seqs and conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"DELETE FROM {FTS_TABLE} WHERE rowid = ?", [(s,) for s in seqs])


def _fts5_quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def query_param(dialect: str, query: str) -> str | None:
    """The full-text query for `query` in the dialect's syntax, bound as a parameter of
    `restrict`: an FTS5 expression (SQLite) or a tsquery (PostgreSQL). None when `query` has
    no searchable characters."""
    terms = query_terms(query)
    if not terms:
        return None
    if dialect == "sqlite":
        return " AND ".join(_fts5_quote(t) + ("*" if t.isascii() else "") for t in terms)
    return " & ".join("'" + t.replace("'", "''") + "'" + (":*" if t.isascii() else "") for t in terms)


def restrict(query: Select, dialect: str, terms: BindParameter) -> tuple[Select, ColumnElement]:
    """`query` (over CatalogEntry) narrowed to entries matching `terms` (see `query_param`),
    and the column to order by, newest first.

    On SQLite the FTS table drives the join in rowid order, so a page stops after `limit`
    matches instead of collecting every match of a common word first.
    """
    if dialect != "sqlite":
        config = literal_column(_PG_CONFIG)
        vector = func.to_tsvector(config, CatalogEntry.search_terms)
        return query.where(vector.bool_op("@@")(func.to_tsquery(config, terms))), CatalogEntry.seq.desc()
    fts = table(FTS_TABLE, column("rowid"), column("terms"))
    # `<table> MATCH`, not `<column> MATCH`: the index keeps no column details (detail=none).
    narrowed = query.join(fts, fts.c.rowid == CatalogEntry.seq).where(literal_column(FTS_TABLE).bool_op("MATCH")(terms))
    return narrowed, fts.c.rowid.desc()
