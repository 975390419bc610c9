"""The full-text side of the mirror, one implementation per database dialect.

SQLite keeps an FTS5 table keyed by the entry's `seq`; PostgreSQL a GIN index over
`to_tsvector('simple', search_terms)`. Both index the terms of `catalog.search_terms`.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text
from sqlalchemy.sql.elements import ColumnElement

from catalog.search_terms import query_terms
from mirror.models import CatalogEntry

FTS_TABLE = "catalog_entry_fts"


def create(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text(f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(terms, tokenize='unicode61')"))
        else:
            conn.execute(
                text(
                    "CREATE INDEX IF NOT EXISTS ix_entries_fts ON catalog_entries "
                    "USING gin (to_tsvector('simple', search_terms))"
                )
            )


def drop(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))


def put(conn: Connection, rows: list[dict], *, replacing: list[int] = ()) -> None:
    """Index entries (each row has `seq` and `terms`); `replacing` lists the seqs already indexed."""
    if not rows or conn.dialect.name != "sqlite":
        return  # PostgreSQL indexes the column itself
    remove(conn, list(replacing))
    conn.execute(text(f"INSERT INTO {FTS_TABLE}(rowid, terms) VALUES (:seq, :terms)"), rows)


def remove(conn: Connection, seqs: list[int]) -> None:
    if seqs and conn.dialect.name == "sqlite":
        conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :seq"), [{"seq": s} for s in seqs])


def _fts5_quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def match(dialect: str, query: str) -> ColumnElement[bool] | None:
    """A condition on CatalogEntry selecting entries whose text contains all terms of `query`.

    None when the query has no searchable characters. The caller adds the exact substring check.
    """
    terms = query_terms(query)
    if not terms:
        return None
    latin_prefix = [t for t in terms if t.isascii()]
    if dialect == "sqlite":
        expr = " AND ".join(_fts5_quote(t) + ("*" if t in latin_prefix else "") for t in terms)
        return CatalogEntry.seq.in_(text(f"SELECT rowid FROM {FTS_TABLE} WHERE terms MATCH :q").bindparams(q=expr))
    tsquery = " & ".join(("'" + t.replace("'", "''") + "'") + (":*" if t in latin_prefix else "") for t in terms)
    return text("to_tsvector('simple', catalog_entries.search_terms) @@ to_tsquery('simple', :tsq)").bindparams(
        tsq=tsquery
    )
