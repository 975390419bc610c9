"""Shared by the chain-mirror tests: documents, signed batches, a populated chain, table dumps.

`populate` drives one district through every catalog path the mirror derives state from
(submit, review, return, resubmit, change, delete, a revoked key, rejected batch actions), so
the rebuild, resume and reorg tests compare mirrors that hold every kind of row.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy import Engine, inspect, select, text

from api.runtime import make_engine
from api.schemas import EXAMPLE_DOCUMENT
from chain.actions import ActionKind, CatalogAction, digest, entry_id_for
from chain.events import EventRecord, receipt_events
from chain.indexer import Indexer, RpcClient
from mirror import search
from mirror.models import CatalogEntry, MirrorBase
from mirror.store import SqlMirrorStore
from signer.canonical import canonical_bytes

APPROVE = {"schema": "putuo.catalog-review/1", "decision": "approve"}
SEEN_BLOCKS = "seen_blocks"


def catalog_fields(code: str, name: str) -> dict:
    """EXAMPLE_DOCUMENT with another code, name and description (so searches tell entries apart)."""
    doc = copy.deepcopy(EXAMPLE_DOCUMENT)
    doc.update(code=code, name=name, description=f"{name}：普陀区公共数据资源。")
    return doc


def catalog_document(code: str, name: str) -> bytes:
    """The same as canonical JSON bytes: what an officer signs and the chain carries."""
    return canonical_bytes(catalog_fields(code, name))


def return_fields(code: int, reason: str) -> dict:
    return {"schema": "putuo.catalog-review/1", "decision": "return", "reason_code": code, "reason": reason}


def return_note(code: int, reason: str) -> bytes:
    return canonical_bytes(return_fields(code, reason))


def approve_note() -> bytes:
    return canonical_bytes(APPROVE)


def deletion_request(reason: str) -> bytes:
    return canonical_bytes({"schema": "putuo.catalog-deletion/1", "reason": reason})


def send_batch(system, catalog, actions: list[CatalogAction]) -> tuple[dict, list[EventRecord]]:
    """Relay `actions` in one executeBatch from the platform account; the receipt and its events."""
    receipt = system.relayer.send(catalog.functions.executeBatch([a.as_tuple() for a in actions]))
    return receipt, receipt_events(receipt)


def action_digest(system, action: CatalogAction) -> str:
    return "0x" + digest(action, chain_id=system.w3.eth.chain_id, catalog_address=system.deployment.catalog).hex()


@dataclass
class Populated:
    """What `populate` did, for exact assertions on the mirror."""

    entries: dict[str, str] = field(default_factory=dict)  # label -> entry id (0x hex)
    revoked_key: str = ""
    rejected: dict[str, str] = field(default_factory=dict)  # digest -> custom error name
    events: int = 0


def populate(system, units) -> Populated:
    """Four entries through every catalog path, a revoked key and two rejected batch actions."""
    cat = units.catalog
    civil, market, dc = units.civil, units.market, units.data_center
    out = Populated()
    ids = {
        "A": entry_id_for(civil.unit_id, "MZJ-0001"),
        "B": entry_id_for(civil.unit_id, "MZJ-0002"),
        "C": entry_id_for(market.unit_id, "SCJ-0001"),
        "D": entry_id_for(market.unit_id, "SCJ-0002"),
    }
    out.entries = {k: "0x" + v.hex() for k, v in ids.items()}
    count = 0

    def batch(actions):
        nonlocal count
        _, events = send_batch(system, cat, actions)
        count += len(events)
        return events

    batch(
        [
            civil.action(ActionKind.SUBMIT, ids["A"], catalog_document("MZJ-0001", "最低生活保障对象信息")),
            civil.action(ActionKind.SUBMIT, ids["B"], catalog_document("MZJ-0002", "养老服务机构名录")),
            market.action(ActionKind.SUBMIT, ids["C"], catalog_document("SCJ-0001", "市场主体登记信息")),
            market.action(ActionKind.SUBMIT, ids["D"], catalog_document("SCJ-0002", "食品经营许可信息")),
        ]
    )
    batch(
        [
            dc.action(ActionKind.REVIEW, ids["A"], approve_note(), version=1),
            dc.action(ActionKind.REVIEW, ids["B"], return_note(1, "缺少数据项说明"), version=1, reason_code=1),
            dc.action(ActionKind.REVIEW, ids["D"], approve_note(), version=1),
        ]
    )
    batch(
        [
            civil.action(ActionKind.RESUBMIT, ids["B"], catalog_document("MZJ-0002", "养老服务机构名录（补充）")),
            civil.action(ActionKind.REQUEST_CHANGE, ids["A"], catalog_document("MZJ-0001", "低保对象家庭信息")),
            market.action(ActionKind.REQUEST_CHANGE, ids["D"], catalog_document("SCJ-0002", "食品经营许可证照信息")),
        ]
    )
    wrong_version = dc.action(ActionKind.REVIEW, ids["C"], approve_note(), version=2)
    batch(
        [
            dc.action(ActionKind.REVIEW, ids["B"], approve_note(), version=2),
            dc.action(ActionKind.REVIEW, ids["A"], approve_note(), version=2),
            dc.action(ActionKind.REVIEW, ids["D"], return_note(3, "与现有目录重复"), version=2, reason_code=3),
            wrong_version,
        ]
    )
    out.rejected[action_digest(system, wrong_version)] = "CatalogNotPendingVersion"
    # A second officer of the civil unit, revoked; its later action is rejected on-chain.
    former = units.add_officer(civil.unit_id)
    units.system.office.send(units.registry.functions.revokeKey(former.address))
    count += 2  # KeyRegistered, KeyRevoked
    out.revoked_key = former.address
    late = former.action(ActionKind.REQUEST_DELETE, ids["B"], deletion_request("已由他人撤销"))
    batch([civil.action(ActionKind.REQUEST_DELETE, ids["A"], deletion_request("系统停用，数据不再产生")), late])
    out.rejected[action_digest(system, late)] = "SignedActionSignerNotActive"
    batch([dc.action(ActionKind.REVIEW, ids["A"], approve_note(), version=3)])
    out.events = count
    return out


# --- stores and dumps ------------------------------------------------------------------------

BACKENDS = ("sqlite", "postgresql")
SEARCH_INDEX = "search index"  # dump()'s name for what the full-text index holds


def new_store(path: Path) -> SqlMirrorStore:
    return SqlMirrorStore(make_engine(f"sqlite:///{path}"))


class Stores:
    """Opens mirror stores on one backend by name; opening a name again reopens its database.

    SQLite databases are files under `tmp_path`; PostgreSQL ones are fresh databases from
    `new_postgres_url` (the `postgres_url` fixture), one per name.
    """

    def __init__(self, backend: str, tmp_path: Path, new_postgres_url: Callable[[], str] | None = None) -> None:
        self.backend = backend
        self.tmp_path = tmp_path
        self.new_postgres_url = new_postgres_url
        self.urls: dict[str, str] = {}
        self.opened: list[SqlMirrorStore] = []

    def url(self, name: str) -> str:
        if name not in self.urls:
            sqlite = self.backend == "sqlite"
            self.urls[name] = f"sqlite:///{self.tmp_path / name}.db" if sqlite else self.new_postgres_url()
        return self.urls[name]

    def __call__(self, name: str) -> SqlMirrorStore:
        store = SqlMirrorStore(make_engine(self.url(name)))
        self.opened.append(store)
        return store

    def close(self) -> None:
        for store in self.opened:
            store.engine.dispose()


def new_indexer(system, store: SqlMirrorStore, block_range: int | None = None) -> Indexer:
    extra = {} if block_range is None else {"block_range": block_range}
    return Indexer(RpcClient(system.node.url), system.deployment, store, **extra)


def dump(engine: Engine, *, without: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every derived table's rows in primary-key order, plus what the full-text index holds.

    The same chain gives equal dumps on SQLite and PostgreSQL. SQLite's index is a table of its
    own that can fall out of step with the entries; PostgreSQL indexes `search_terms` itself, so
    there the index holds exactly (seq, search_terms) of every entry, once the index exists.
    """
    out: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for table in MirrorBase.metadata.sorted_tables:
            if table.name in without:
                continue
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns))]
        if engine.dialect.name == "sqlite":
            indexed = conn.execute(text(f"SELECT rowid, terms FROM {search.FTS_TABLE} ORDER BY rowid"))
        else:
            assert search.PG_INDEX in {i["name"] for i in inspect(conn).get_indexes(CatalogEntry.__tablename__)}
            indexed = conn.execute(select(CatalogEntry.seq, CatalogEntry.search_terms).order_by(CatalogEntry.seq))
        out[SEARCH_INDEX] = [tuple(r) for r in indexed]
    return out


def fresh_dump(system, path: Path, *, without: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """The mirror of the chain as it is now, built from nothing in a new SQLite database.

    SQLite whatever the backend under test: a PostgreSQL mirror must equal it row for row.
    """
    store = new_store(path)
    try:
        new_indexer(system, store).sync()
        return dump(store.engine, without=without)
    finally:
        store.engine.dispose()
