"""mirror.search through the API's search query: the same entries for the same query on SQLite
(FTS5) and PostgreSQL (GIN over to_tsvector), including the exact-substring check's escapes."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, insert, text

from api.errors import ApiError
from api.services.queries import search_entries
from catalog.search_terms import index_terms, normalise
from mirror import search
from mirror.models import CatalogEntry
from tests.chain.helpers import Stores

ENTRIES = {  # seq: (name, description, status)
    1: ("人口普查数据", "第七次全国人口普查汇总。", "active"),
    2: ("人口信息", "普查以外的人口登记。", "active"),  # 人口 and 普查, never 人口普查
    3: ("GIS 地理信息", "Shapefile 图层，50%_覆盖。", "active"),
    4: ("O'Brien 名录", "路径 a\\b。", "under_review"),
    5: ("道路养护信息", "已停用。", "deleted"),
}


def _row(seq: int, name: str, description: str, status: str) -> dict:
    return {
        "seq": seq,
        "entry_id": f"0x{seq:064x}",
        "unit_id": "0x" + "11" * 32,
        "code": f"T-{seq}",
        "status": status,
        "latest_version": 1,
        "approved_version": 1,
        "pending_version": 0,
        "created_at": seq,
        "name": name,
        "description": description,
        "search_text": normalise(name + "\n" + description),
        "search_terms": index_terms(name + " " + description),
        "sharing": "conditional",
        "opening": "not_open",
        "category": "民生保障",
        "grade": "L2",
        "update_frequency": "monthly",
        "name_key": normalise(name),
    }


def _add(store, seqs) -> None:
    rows = [_row(s, *ENTRIES[s]) for s in seqs]
    with store.engine.begin() as conn:  # as ApplyContext.flush writes them
        conn.execute(insert(CatalogEntry), rows)
        search.put(conn, [{"seq": r["seq"], "terms": r["search_terms"]} for r in rows])


def _found(store, q: str, status: str | None = None) -> list[int]:
    with store.sessions() as session:
        rows, _ = search_entries(
            session,
            q=q,
            unit_id=None,
            sharing=None,
            category=None,
            grade=None,
            update_frequency=None,
            status=status,
            limit=50,
            offset=0,
        )
    return [int(r["entry_id"], 16) for r in rows]


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("人口普查", [1]),  # every bigram, then the exact substring
        ("普查", [2, 1]),  # newest first
        ("人", [2, 1]),  # one character is a term of its own
        ("口普", [1]),
        ("gis", [3]),
        ("SHAPE", [3]),  # Latin terms match by prefix, case-folded
        ("shapefile 图层", [3]),
        ("50%", [3]),  # LIKE wildcards in the query are literal
        ("50%_覆盖", [3]),
        ("0%x", []),
        ("_覆盖", [3]),
        ("x覆盖", []),
        ("o'brien", [4]),  # a quote in the query is neither SQL nor tsquery syntax
        ("a\\b", [4]),  # nor is the escape character
        ("a\\c", []),
        ("道路", []),  # deleted: only when asked for by status
    ],
)
def test_a_query_finds_the_same_entries_on_every_backend(store, q, found):
    _add(store, ENTRIES)
    assert _found(store, q) == found


def test_deleted_entries_are_found_when_asked_for(store):
    _add(store, ENTRIES)
    assert _found(store, "道路", status="deleted") == [5]
    assert _found(store, "信息", status="deleted") == [5]


@pytest.mark.parametrize("q", ["%_", "——！"])
def test_a_query_without_searchable_characters_is_refused(store, q):
    _add(store, ENTRIES)
    with pytest.raises(ApiError) as info:
        _found(store, q)
    assert (info.value.status, info.value.code) == (422, "empty_query")


def test_reset_drops_the_index_with_the_entries(store):
    _add(store, ENTRIES)
    store.reset()
    assert _found(store, "人口") == []
    _add(store, [2])
    assert _found(store, "人口") == [2]  # nothing stale of entry 1 in the rebuilt index
    assert _found(store, "普查") == [2]


def test_postgresql_answers_a_search_from_the_gin_index(postgres_url, tmp_path):
    stores = Stores("postgresql", tmp_path, postgres_url)
    store = stores("plan")
    try:
        _add(store, ENTRIES)
        store.reset()  # the index goes with the table and comes back with it
        _add(store, ENTRIES)
        terms = bindparam("p_terms", search.query_param("postgresql", "人口普查 gis"))
        query, _ = search.restrict(CatalogEntry.__table__.select(), "postgresql", terms)  # the API's own path
        sql = str(query.compile(store.engine, compile_kwargs={"literal_binds": True}))
        with store.engine.connect() as conn:
            conn.execute(text("SET enable_seqscan = off"))  # five rows: a scan would be cheaper
            plan = "\n".join(r[0] for r in conn.execute(text("EXPLAIN " + sql)))
        assert f"Bitmap Index Scan on {search.PG_INDEX}" in plan
    finally:
        stores.close()
