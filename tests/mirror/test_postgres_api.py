"""The API answers lookups alike from a PostgreSQL mirror and a SQLite one of the same chain."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.testclient import TestClient

from api.app import create_app
from chain.actions import ActionKind, entry_id_for
from tests.api.conftest import make_runtime
from tests.chain.helpers import approve_note, catalog_document, populate, send_batch

MISSING = "0x" + "ee" * 32


def _lookups(units, entries: list[str]) -> list[str]:
    """Every kind of lookup: by id, Chinese and Latin search with LIKE's special characters, filters, pages."""
    unit_ids = ["0x" + o.unit_id.hex() for o in (units.data_center, units.civil, units.market, units.auditor)]
    searches = ["养老服务", "信息", "许可信息", "gis", "GIS 地理", "50%_", "50%x", "%_", "人"]
    filters = [
        "",
        "status=deleted",
        "status=active",
        "sharing=conditional",
        "grade=L3",
        "category=民生保障",
        f"unit_id={unit_ids[1]}",
        f"unit_id={unit_ids[2].upper().replace('0X', '0x')}",
        "update_frequency=monthly",
        "limit=2",
        "limit=2&offset=2",
        "limit=1&offset=4",
        "q=低保对象&status=deleted",
        "q=信息&unit_id=" + unit_ids[2],
    ]
    paths = ["/v1/units", *(f"/v1/units/{u}/keys" for u in unit_ids), f"/v1/units/{MISSING}/keys"]
    paths += [f"/v1/catalog/entries?q={quote(q)}" for q in searches]
    paths += [f"/v1/catalog/entries?{f}" for f in filters]
    for entry in [*entries, MISSING]:
        paths += [f"/v1/catalog/entries/{entry}{tail}" for tail in ("", "/versions", "/review-data")]
    return paths


def test_postgresql_and_sqlite_mirrors_answer_alike(system, units, tmp_path, postgres_url):
    done = populate(system, units)
    gis = entry_id_for(units.market.unit_id, "SCJ-0100")
    gis_document = catalog_document("SCJ-0100", "GIS 地理信息 50%_覆盖")
    send_batch(system, units.catalog, [units.market.action(ActionKind.SUBMIT, gis, gis_document)])
    send_batch(system, units.catalog, [units.data_center.action(ActionKind.REVIEW, gis, approve_note(), version=1)])
    entries = [*done.entries.values(), "0x" + gis.hex()]
    paths = _lookups(units, entries)

    answers = {}
    bare_url = postgres_url().replace("postgresql+psycopg://", "postgresql://")  # as an operator writes it
    for backend, overrides in (("sqlite", {}), ("postgresql", {"database_url": bare_url})):
        runtime = make_runtime(system, tmp_path / backend, **overrides)
        try:
            assert runtime.engine.dialect.name == backend
            runtime.indexer.sync()  # no relayer or follower threads: the mirror stays as synced
            with TestClient(create_app(runtime=runtime)) as client:
                answers[backend] = [(p, (r := client.get(p)).status_code, r.json()) for p in paths]
        finally:
            runtime.stop()

    for sqlite, postgresql in zip(answers["sqlite"], answers["postgresql"], strict=True):
        assert postgresql == sqlite
    # And the answers are worth comparing: found, filtered and refused as they should be.
    by_path = {p: (status, body) for p, status, body in answers["postgresql"]}
    found = {
        q: [e["entry_id"] for e in by_path[f"/v1/catalog/entries?q={quote(q)}"][1]["items"]]
        for q in ("养老服务", "信息", "gis", "50%_", "50%x")
    }
    assert found == {
        "养老服务": [done.entries["B"]],
        "信息": ["0x" + gis.hex(), done.entries["D"], done.entries["C"]],
        "gis": ["0x" + gis.hex()],
        "50%_": ["0x" + gis.hex()],
        "50%x": [],
    }
    assert by_path["/v1/catalog/entries?q=%25_"][0] == 422
    assert by_path[f"/v1/catalog/entries/{MISSING}"][0] == 404
    assert by_path[f"/v1/catalog/entries/{done.entries['A']}"][1]["status"] == "deleted"
    assert len(by_path[f"/v1/units/0x{units.civil.unit_id.hex()}/keys"][1]) == 2  # one of them revoked
