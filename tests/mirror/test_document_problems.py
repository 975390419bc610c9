"""#10 rule 8 in the mirror (mirror/apply.py, catalog/validity.py): a catalog version whose
document the platform cannot judge, which the contract took from a direct call, is marked with
why, once, when its submission is applied; an entry showing such a version is in no list or search.

Every action here goes to the Catalog contract directly, as any officer's key may send it, never
through the API (which would refuse each of these documents with a 422).
"""

from __future__ import annotations

import json

from sqlalchemy import select

from api.services.queries import count_entries, search_entries
from chain.actions import ActionKind, entry_id_for
from mirror.models import CatalogEntry, CatalogVersion
from signer.canonical import canonical_bytes
from tests.chain.helpers import (
    SEEN_BLOCKS,
    approve_note,
    catalog_document,
    catalog_fields,
    dump,
    fresh_dump,
    new_indexer,
    send_batch,
)

NOT_CANONICAL = "not_canonical"
NO_FREQUENCY = "schema_invalid: document.update_frequency: Field required"
NO_CONDITIONS = "schema_invalid: document.sharing: Value error, conditional sharing needs `conditions`"


def _problems(store) -> tuple[dict, dict]:
    """(entry id, version) -> the version's problem, and entry id -> the entry's."""
    with store.sessions() as session:
        versions = session.execute(
            select(CatalogVersion.entry_id, CatalogVersion.version, CatalogVersion.document_problem)
        )
        entries = session.execute(select(CatalogEntry.entry_id, CatalogEntry.document_problem))
        return {(e, v): p for e, v, p in versions}, {e: p for e, p in entries}


def _listed(store, q: str | None = None) -> tuple[list[str], int]:
    """The entry ids a list (or search) shows, newest first, and how many the list counts."""
    filters = dict(unit_id=None, sharing=None, category=None, grade=None, update_frequency=None, status=None)
    with store.sessions() as session:
        rows, _ = search_entries(session, q=q, **filters, limit=50, offset=0)
        return [r["entry_id"] for r in rows], count_entries(session, **filters)


def test_a_direct_call_with_a_document_nobody_can_judge_is_marked_per_version(system, units, stores, tmp_path):
    civil, dc = units.civil, units.data_center
    ids = {code: entry_id_for(civil.unit_id, code) for code in ("MZJ-0901", "MZJ-0902", "MZJ-0903", "MZJ-0904")}
    spaced, partial, sound, garbled = ("0x" + i.hex() for i in ids.values())
    # JSON as json.dumps writes it (spaces after separators): valid against the schema, not canonical.
    spaced_doc = json.dumps(catalog_fields("MZJ-0901", "间隔文件资源"), ensure_ascii=False).encode()
    partial_doc = catalog_fields("MZJ-0902", "缺项文件资源")
    del partial_doc["update_frequency"]  # canonical, but an Art. 11 element is missing
    send_batch(
        system,
        units.catalog,
        [
            civil.action(ActionKind.SUBMIT, ids["MZJ-0901"], spaced_doc),
            civil.action(ActionKind.SUBMIT, ids["MZJ-0902"], canonical_bytes(partial_doc)),
            civil.action(ActionKind.SUBMIT, ids["MZJ-0903"], catalog_document("MZJ-0903", "完好文件资源")),
            civil.action(ActionKind.SUBMIT, ids["MZJ-0904"], b"\xff\xfe not json"),
        ],
    )
    send_batch(system, units.catalog, [dc.action(ActionKind.REVIEW, ids["MZJ-0903"], approve_note(), version=1)])
    change = catalog_fields("MZJ-0903", "完好文件资源")
    change["sharing"] = {"attribute": "conditional"}  # conditional sharing without its conditions
    send_batch(
        system, units.catalog, [civil.action(ActionKind.REQUEST_CHANGE, ids["MZJ-0903"], canonical_bytes(change))]
    )
    store = stores("judged")
    new_indexer(system, store).sync()

    versions, entries = _problems(store)
    assert versions == {
        (spaced, 1): NOT_CANONICAL,
        (partial, 1): NO_FREQUENCY,
        (sound, 1): None,
        (sound, 2): NO_CONDITIONS,  # a pending change: the entry still shows version 1
        (garbled, 1): "not_json",
    }
    assert entries == {spaced: NOT_CANONICAL, partial: NO_FREQUENCY, sound: None, garbled: "not_json"}
    assert _listed(store) == ([sound], 1)
    assert _listed(store, "文件资源") == ([sound], 1)

    # The Data Center approves the change at the contract, not through the API (which refuses it):
    # the entry now shows a version nobody can judge, and leaves every list.
    send_batch(system, units.catalog, [dc.action(ActionKind.REVIEW, ids["MZJ-0903"], approve_note(), version=2)])
    new_indexer(system, store).sync()
    versions, entries = _problems(store)
    assert (versions[(sound, 2)], entries[sound]) == (NO_CONDITIONS, NO_CONDITIONS)
    assert _listed(store) == ([], 0)
    assert _listed(store, "文件资源") == ([], 0)

    # Decided from the events alone: a mirror rebuilt from block 0 holds the same rows.
    assert dump(store.engine, without=(SEEN_BLOCKS,)) == fresh_dump(
        system, tmp_path / "fresh.db", without=(SEEN_BLOCKS,)
    )
    rebuilt = stores("rebuilt")
    new_indexer(system, rebuilt).rebuild()
    assert _problems(rebuilt) == (versions, entries)


def test_a_deletion_request_is_judged_by_its_own_schema(system, units, stores):
    """A deletion request carries `putuo.catalog-deletion/1`; an entry document in its place is
    not one, and a canonical deletion request is sound."""
    civil, dc = units.civil, units.data_center
    eid = entry_id_for(civil.unit_id, "MZJ-0911")
    send_batch(system, units.catalog, [civil.action(ActionKind.SUBMIT, eid, catalog_document("MZJ-0911", "待删资源"))])
    send_batch(system, units.catalog, [dc.action(ActionKind.REVIEW, eid, approve_note(), version=1)])
    send_batch(
        system, units.catalog, [civil.action(ActionKind.REQUEST_DELETE, eid, catalog_document("MZJ-0911", "待删资源"))]
    )
    store = stores("deletion")
    new_indexer(system, store).sync()
    versions, entries = _problems(store)
    key = "0x" + eid.hex()
    assert versions == {
        (key, 1): None,
        (key, 2): "schema_invalid: document.schema: Input should be 'putuo.catalog-deletion/1'",
    }
    assert entries == {key: None}  # a deletion request is never the version an entry shows
