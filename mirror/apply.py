"""How each chain event changes the mirror. One handler per event; each is idempotent because
the store applies an event only once (by its chain position) and handlers only derive state.

Handlers work on an `ApplyContext` of plain row dicts: the rows a batch touches are loaded in
a few queries, changed in memory, and written back with one executemany per table. This is
what lets a reindex apply thousands of events a second; the ORM would spend most of that
time tracking attribute changes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

from sqlalchemy import Connection, bindparam, insert, select, update

from catalog.search_terms import normalise, normalised_index_terms
from catalog.validity import document_problem
from chain.actions import EntryStatus, SharingAttribute, VersionKind
from chain.events import EventRecord
from mirror import search
from mirror.apply_quality import QUALITY_HANDLERS
from mirror.apply_quality import SUBJECT_KEYS as QUALITY_SUBJECT_KEYS
from mirror.apply_responsibilities import RESPONSIBILITY_HANDLERS
from mirror.apply_responsibilities import SUBJECT_KEYS as RESPONSIBILITY_SUBJECT_KEYS
from mirror.apply_sharing import SHARING_HANDLERS, SUBJECT_KEYS
from mirror.apply_supervision import SUBJECT_KEYS as SUPERVISION_SUBJECT_KEYS
from mirror.apply_supervision import SUPERVISION_HANDLERS
from mirror.documents import as_object, checked_document, field, hex0x
from mirror.models import (
    CatalogCollection,
    CatalogEntry,
    CatalogVersion,
    OfficerKey,
    Unit,
)
from mirror.rejections import action_rejected
from mirror.rows import insert_rows

UNIT_KINDS = {1: "office", 2: "data_center", 3: "ordinary", 4: "auditor"}
KEY_SCHEMES = {1: "ecdsa", 2: "sm2"}
ENTRY_TABLE = CatalogEntry.__table__
VERSION_TABLE = CatalogVersion.__table__
# Longest value kept in an indexed Text column: 500 characters stay under PostgreSQL's ~2.7 kB
# btree entry limit even at 4 bytes a character (with the unit id beside the name key).
INDEXED_TEXT_MAX = 500


class _Rows:
    """Rows of one table keyed by primary key, remembering which are new (in the order they
    came: chain order, which is `seq` order for entries) and which changed."""

    def __init__(self) -> None:
        self.rows: dict = {}
        self.new: dict = {}  # an ordered set
        self.dirty: set = set()

    def add(self, key, row: dict) -> dict:
        self.rows[key] = row
        self.new[key] = None
        return row

    def touch(self, key) -> dict:
        if key not in self.new:
            self.dirty.add(key)
        return self.rows[key]


DOCUMENT_EVENTS = ("CatalogVersionSubmitted", "CatalogVersionReviewed", "CatalogDataCollected")


class Prepared:
    """What the catalog handlers derive from a batch's events alone, whatever the mirror holds:
    each document checked against its hash and read as text, each submitted document's problem
    (`catalog.validity`), and the fields an entry shows for each submitted document. The indexer works it out in its prefetch thread, while the
    previous range's rows are being written; `ApplyContext` uses it instead of doing it again.

    An event whose document it cannot prepare (a hash that does not match, say) is left out:
    its handler then does the work, and fails, exactly where it would have anyway.
    """

    def __init__(self, events: list[EventRecord]) -> None:
        self.documents: dict[int, tuple[EventRecord, str]] = {}  # position -> (event, checked text)
        self.problems: dict[int, tuple[EventRecord, str | None]] = {}  # position -> (event, problem)
        self.shown: dict[str, dict] = {}  # document text -> shown_fields(text)
        for ev in events:
            if ev.name not in DOCUMENT_EVENTS:
                continue
            try:
                text = checked_document(ev, "")
                if ev.name == "CatalogVersionSubmitted":
                    self.problems[ev.position] = (ev, version_problem(ev))
                    if ev.args["kind"] != VersionKind.DELETION:
                        self.shown[text] = shown_fields(text)  # shown at once unless the entry has an approved version
            except Exception:  # noqa: BLE001 - left to the handler, which raises it in order
                continue
            self.documents[ev.position] = (ev, text)


class ApplyContext:
    """One batch's working set of rows, written back by `flush`."""

    def __init__(self, conn: Connection, block_times: dict[int, int], prepared: Prepared | None = None) -> None:
        self.conn = conn
        self.block_times = block_times
        self.entries = _Rows()
        self.versions = _Rows()
        self.search_dirty: dict[str, None] = {}  # entry ids, an ordered set
        self._documents = prepared.documents if prepared is not None else {}
        self._problems = prepared.problems if prepared is not None else {}
        self._shown = dict(prepared.shown) if prepared is not None else {}

    def checked_document(self, event: EventRecord, where: str) -> str:
        """`checked_document(event, where)`, prepared ahead where it could be."""
        ready = self._documents.get(event.position)
        if ready is not None and ready[0] is event:
            return ready[1]
        return checked_document(event, where)

    def version_problem(self, event: EventRecord) -> str | None:
        """`version_problem(event)`, prepared ahead where it could be."""
        ready = self._problems.get(event.position)
        if ready is not None and ready[0] is event:
            return ready[1]
        return version_problem(event)

    def shown_fields(self, document: str) -> dict:
        """`shown_fields(document)`, worked out once per document and batch."""
        shown = self._shown.get(document)
        if shown is None:
            shown = self._shown[document] = shown_fields(document)
        return shown

    def preload(self, events: list[EventRecord]) -> None:
        """Load every existing entry, and every pending version, that the batch's events touch."""
        ids = {hex0x(ev.args["entryId"]) for ev in events if "entryId" in ev.args}
        if not ids:
            return
        for row in self.conn.execute(*_entries_in(list(ids))).mappings():
            self.entries.rows[row["entry_id"]] = dict(row)
        reviewed = {hex0x(ev.args["entryId"]) for ev in events if ev.name == "CatalogVersionReviewed"}
        if reviewed:
            query = select(VERSION_TABLE).where(
                VERSION_TABLE.c.entry_id.in_(reviewed), VERSION_TABLE.c.status == "pending"
            )
            for row in self.conn.execute(query).mappings():
                self.versions.rows[(row["entry_id"], row["version"])] = dict(row)

    def flush(self) -> None:
        for table, rows, keys in (
            (ENTRY_TABLE, self.entries, ("entry_id",)),
            (VERSION_TABLE, self.versions, ("entry_id", "version")),
        ):
            if rows.new:
                insert_rows(self.conn, table, [rows.rows[k] for k in rows.new])
            dirty = [rows.rows[k] for k in rows.dirty]
            if dirty:
                where = [table.c[k] == bindparam(f"k_{k}") for k in keys]
                values = {c: bindparam(f"v_{c}") for c in dirty[0] if c not in keys and c != "seq"}
                self.conn.execute(
                    update(table).where(*where).values(values),
                    [{**{f"k_{k}": r[k] for k in keys}, **{f"v_{c}": r[c] for c in values}} for r in dirty],
                )
        rows = self.entries.rows
        search.put(
            self.conn,
            [{"seq": rows[i]["seq"], "terms": rows[i]["search_terms"]} for i in self.search_dirty],
            replacing=[rows[i]["seq"] for i in self.search_dirty if i not in self.entries.new],
        )


# A follower that keeps up applies a block at a time, a few entries each: for so few ids a
# statement with one parameter per id, built once per count, costs a fraction of an expanding
# IN, which SQLAlchemy renders again at every execution. Larger sets (a reindex) expand.
_FIXED_IN_MAX = 32
_ENTRIES_IN = select(ENTRY_TABLE).where(ENTRY_TABLE.c.entry_id.in_(bindparam("ids", expanding=True)))


@lru_cache(maxsize=_FIXED_IN_MAX)
def _entries_in_fixed(count: int):
    return select(ENTRY_TABLE).where(ENTRY_TABLE.c.entry_id.in_([bindparam(f"id{i}") for i in range(count)]))


def _entries_in(ids: list[str]) -> tuple:
    """The statement and parameters that select the entries `ids` (some may not exist)."""
    if len(ids) > _FIXED_IN_MAX:
        return _ENTRIES_IN, {"ids": ids}
    return _entries_in_fixed(len(ids)), {f"id{i}": v for i, v in enumerate(ids)}


def _unit_registered(ctx: ApplyContext, ev: EventRecord) -> None:
    ctx.conn.execute(
        insert(Unit).values(
            unit_id=hex0x(ev.args["unitId"]),
            kind=UNIT_KINDS[ev.args["kind"]],
            name=ev.args["name"],
            code=ev.args["code"],
            registered_block=ev.block_number,
            tx_hash=ev.tx_hash,
        )
    )


def _key_registered(ctx: ApplyContext, ev: EventRecord) -> None:
    ctx.conn.execute(
        insert(OfficerKey).values(
            key_id=ev.args["keyId"],
            unit_id=hex0x(ev.args["unitId"]),
            scheme=KEY_SCHEMES[ev.args["scheme"]],
            public_key=hex0x(ev.args["publicKey"]),
            registered_block=ev.block_number,
            registered_at=ctx.block_times[ev.block_number],
            revoked_block=None,
            revoked_at=None,
        )
    )


def _key_revoked(ctx: ApplyContext, ev: EventRecord) -> None:
    ctx.conn.execute(
        update(OfficerKey)
        .where(OfficerKey.key_id == ev.args["keyId"])
        .values(revoked_block=ev.block_number, revoked_at=ctx.block_times[ev.block_number])
    )


STATUS_AFTER_SUBMISSION = {
    VersionKind.INITIAL: EntryStatus.UNDER_REVIEW,
    VersionKind.RESUBMISSION: EntryStatus.UNDER_REVIEW,
    VersionKind.CHANGE: EntryStatus.CHANGE_PENDING,
    VersionKind.DELETION: EntryStatus.DELETE_PENDING,
}
# The stored names, looked up once rather than through the enums' `name` for every event.
_KIND_NAME = {kind: kind.name.lower() for kind in VersionKind}
_STATUS_NAME_AFTER_SUBMISSION = {kind: status.name.lower() for kind, status in STATUS_AFTER_SUBMISSION.items()}


def _version_submitted(ctx: ApplyContext, ev: EventRecord) -> None:
    a = ev.args
    entry_id = hex0x(a["entryId"])
    number = a["version"]
    document = ctx.checked_document(ev, f"entry {entry_id} version {number}")
    kind = VersionKind(a["kind"])
    problem = ctx.version_problem(ev)
    if entry_id in ctx.entries.rows:
        entry = ctx.entries.touch(entry_id)
    else:
        entry = ctx.entries.add(
            entry_id,
            {
                "seq": ev.position,
                "entry_id": entry_id,
                "unit_id": hex0x(a["unitId"]),
                "code": "",
                "created_at": ctx.block_times[ev.block_number],
                "approved_version": 0,
                "name": "",
                "description": "",
                "search_text": "",
                "search_terms": "",
                "sharing": "",
                "opening": "",
                "category": "",
                "grade": "",
                "update_frequency": "",
                "name_key": "",
                "resubmit_due_at": 0,
                "collection_due_at": 0,
                "collected_at": 0,
                "document_problem": None,
            },
        )
    entry["latest_version"] = number
    entry["pending_version"] = number
    entry["status"] = _STATUS_NAME_AFTER_SUBMISSION[kind]
    if kind == VersionKind.RESUBMISSION:
        entry["resubmit_due_at"] = 0  # the duty is done
    ctx.versions.add(
        (entry_id, number),
        {
            "entry_id": entry_id,
            "version": number,
            "kind": _KIND_NAME[kind],
            "status": "pending",
            "document": document,
            "document_hash": hex0x(a["documentHash"]),
            "signer": a["signer"],
            "nonce": str(a["nonce"]),
            "due_at": a["dueAt"],
            "submitted_at": ctx.block_times[ev.block_number],
            "submitted_block": ev.block_number,
            "submitted_tx": ev.tx_hash,
            "reviewer": None,
            "reviewed_at": None,
            "reviewed_block": None,
            "reviewed_tx": None,
            "review_reason_code": None,
            "review_document": None,
            "review_document_hash": None,
            "declared_at": a["declaredAt"],
            "compile_due_at": a["compileDueAt"],
            "sharing": _attribute(a["sharing"]),
            "document_problem": problem,
        },
    )
    if kind != VersionKind.DELETION and entry["approved_version"] == 0:
        _show_version(ctx, entry, document, _attribute(a["sharing"]), problem)  # until approved, the latest version


def _version_reviewed(ctx: ApplyContext, ev: EventRecord) -> None:
    a = ev.args
    entry_id = hex0x(a["entryId"])
    review_document = ctx.checked_document(ev, f"review of entry {entry_id} version {a['version']}")
    entry = ctx.entries.touch(entry_id)
    version = ctx.versions.touch((entry_id, a["version"]))
    approved = a["reasonCode"] == 0
    version.update(
        status="approved" if approved else "returned",
        reviewer=a["reviewer"],
        reviewed_at=ctx.block_times[ev.block_number],
        reviewed_block=ev.block_number,
        reviewed_tx=ev.tx_hash,
        review_reason_code=a["reasonCode"],
        review_document=review_document,
        review_document_hash=hex0x(a["documentHash"]),
    )
    entry["pending_version"] = 0
    entry["status"] = EntryStatus(a["entryStatus"]).name.lower()
    if version["kind"] in ("initial", "resubmission"):  # the duty the review started (contract: _nextDuty)
        entry["collection_due_at" if approved else "resubmit_due_at"] = a["nextDueAt"]
    if approved and version["kind"] != "deletion":
        entry["approved_version"] = version["version"]
        _show_version(ctx, entry, version["document"], version["sharing"], version["document_problem"])


def _attribute(value: int) -> str:
    """How the mirror stores a version's signed sharing attribute: its name, "" for none."""
    attribute = SharingAttribute(value)
    return "" if attribute == SharingAttribute.NONE else attribute.name.lower()


def version_problem(event: EventRecord) -> str | None:
    """The `document_problem` of the version a `CatalogVersionSubmitted` event records, from the
    event alone (its document bytes and kind), so a rebuild decides it the same."""
    return document_problem(event.args["document"], deletion=event.args["kind"] == VersionKind.DELETION)


def _show_version(ctx: ApplyContext, entry: dict, document: str, sharing: str, problem: str | None) -> None:
    """Copy the searchable fields of the version the entry now shows; its sharing attribute is the
    one signed on-chain (what Sharing enforces), not the document's word for it; its document's
    problem, if any, marks the entry (left out of lists and searches)."""
    entry.update(ctx.shown_fields(document))
    entry["sharing"] = sharing
    entry["document_problem"] = problem
    ctx.search_dirty[entry["entry_id"]] = None


_NO_CODE = object()


def shown_fields(document: str) -> dict:
    """The entry columns that show a version with `document` (its code only where it has one:
    an entry keeps its code otherwise)."""
    doc = as_object(document)
    name, description = _text(field(doc, "name")), _text(field(doc, "description"))
    search_text = normalise(name + "\n" + description)
    shown = dict(
        name=name,
        description=description,
        # The terms of `index_terms(name + " " + description)`, from the text normalised once.
        search_text=search_text,
        search_terms=normalised_index_terms(search_text),
        name_key=_text(normalise(name).replace(" ", ""), "name_key"),
        sharing=_text(field(doc, "sharing", "attribute"), "sharing"),
        opening=_text(field(doc, "opening", "attribute"), "opening"),
        category=_text(field(doc, "classification", "category"), "category"),
        grade=_text(field(doc, "classification", "grade"), "grade"),
        update_frequency=_text(field(doc, "update_frequency"), "update_frequency"),
    )
    code = field(doc, "code", default=_NO_CODE)
    if code is not _NO_CODE:
        shown["code"] = _text(code, "code")
    return shown


_COLUMN_LENGTH = {c.name: getattr(c.type, "length", None) or INDEXED_TEXT_MAX for c in ENTRY_TABLE.c}


def _text(value, column: str | None = None) -> str:
    """A document field as every backend stores it alike: a string without NUL, cut to the
    length of `column` (an indexed Text column: to INDEXED_TEXT_MAX).

    The contract takes any document its officer signs; the API's schema does not bind the chain.
    PostgreSQL refuses NUL in text, a value over its VARCHAR length and an index key over ~2.7 kB,
    where SQLite stores anything: cutting here keeps the mirror identical on both, and stops no
    indexer.
    """
    text = str(value).replace("\x00", "")
    return text if column is None else text[: _COLUMN_LENGTH[column]]


def _data_collected(ctx: ApplyContext, ev: EventRecord) -> None:
    a = ev.args
    entry_id = hex0x(a["entryId"])
    document = ctx.checked_document(ev, f"collection record of entry {entry_id}")
    at = ctx.block_times[ev.block_number]
    ctx.entries.touch(entry_id)["collected_at"] = at
    ctx.conn.execute(
        insert(CatalogCollection).values(
            entry_id=entry_id,
            recorder=a["recorder"],
            due_at=a["collectionDueAt"],
            collected_at=at,
            block_number=ev.block_number,
            tx_hash=ev.tx_hash,
            document=document,
            document_hash=hex0x(a["documentHash"]),
        )
    )


HANDLERS: dict[str, Callable[[ApplyContext, EventRecord], None]] = {
    "UnitRegistered": _unit_registered,
    "KeyRegistered": _key_registered,
    "KeyRevoked": _key_revoked,
    "CatalogVersionSubmitted": _version_submitted,
    "CatalogVersionReviewed": _version_reviewed,
    "ActionRejected": action_rejected,
    "CatalogDataCollected": _data_collected,
    **SHARING_HANDLERS,
    **RESPONSIBILITY_HANDLERS,
    **QUALITY_HANDLERS,
    **SUPERVISION_HANDLERS,
}


def subject_of(ev: EventRecord) -> str:
    """The id whose derived rows this event changes: what a rollback must rebuild."""
    a = ev.args
    sharing_key = (
        SUBJECT_KEYS.get(ev.name)
        or RESPONSIBILITY_SUBJECT_KEYS.get(ev.name)
        or QUALITY_SUBJECT_KEYS.get(ev.name)
        or SUPERVISION_SUBJECT_KEYS.get(ev.name)
    )
    for key in (sharing_key,) if sharing_key else ("entryId", "keyId", "unitId", "digest"):
        if key in a:
            value = a[key]
            return value if isinstance(value, str) else hex0x(value)
    return ""
