"""How each chain event changes the mirror. One handler per event; each is idempotent because
the store applies an event only once (by its chain position) and handlers only derive state.

Handlers work on an `ApplyContext`, which caches the rows a batch touches so that a reindex
applies thousands of events per flush instead of querying per event.
"""

from __future__ import annotations

import json
from typing import Callable

from eth_utils import keccak
from sqlalchemy.orm import Session

from catalog.search_terms import index_terms, normalise
from chain.actions import EntryStatus, VersionKind
from chain.errors import DocumentHashMismatch
from chain.events import EventRecord
from chain.reverts import decode_revert
from mirror.models import CatalogEntry, CatalogVersion, OfficerKey, OutboxAction, RejectedAction, Unit

UNIT_KINDS = {1: "office", 2: "data_center", 3: "ordinary", 4: "auditor"}
KEY_SCHEMES = {1: "ecdsa", 2: "sm2"}


def hex0x(value: bytes) -> str:
    return "0x" + value.hex()


def checked_document(event: EventRecord, where: str) -> str:
    """The event's document as text, after checking it hashes to the on-chain hash."""
    document: bytes = event.args["document"]
    expected = hex0x(event.args["documentHash"])
    got = hex0x(keccak(document))
    if got != expected:
        raise DocumentHashMismatch(f"{where} (tx {event.tx_hash})", expected, got)
    return document.decode("utf-8")


class ApplyContext:
    """The session plus per-batch caches and the search rows to write at flush."""

    def __init__(self, session: Session, block_times: dict[int, int]) -> None:
        self.session = session
        self.block_times = block_times
        self.entries: dict[str, CatalogEntry] = {}
        self.versions: dict[tuple[str, int], CatalogVersion] = {}
        self.search_dirty: set[str] = set()
        self.confirmed: list[tuple[str, str, str]] = []  # (signer, nonce, tx)

    def preload(self, events: list[EventRecord]) -> None:
        """Load, in two queries, every entry and version the batch's catalog events touch."""
        ids = {hex0x(ev.args["entryId"]) for ev in events if "entryId" in ev.args}
        if not ids:
            return
        for entry in self.session.query(CatalogEntry).filter(CatalogEntry.entry_id.in_(ids)):
            self.entries[entry.entry_id] = entry
        pending = {hex0x(ev.args["entryId"]) for ev in events if ev.name == "CatalogVersionReviewed"}
        if pending:
            for version in self.session.query(CatalogVersion).filter(
                CatalogVersion.entry_id.in_(pending), CatalogVersion.status == "pending"
            ):
                self.versions[(version.entry_id, version.version)] = version

    def entry(self, entry_id: str) -> CatalogEntry | None:
        return self.entries.get(entry_id)

    def version(self, entry_id: str, number: int) -> CatalogVersion:
        return self.versions[(entry_id, number)]


def _unit_registered(ctx: ApplyContext, ev: EventRecord) -> None:
    ctx.session.merge(
        Unit(
            unit_id=hex0x(ev.args["unitId"]),
            kind=UNIT_KINDS[ev.args["kind"]],
            name=ev.args["name"],
            registered_block=ev.block_number,
            tx_hash=ev.tx_hash,
        )
    )


def _key_registered(ctx: ApplyContext, ev: EventRecord) -> None:
    ctx.session.merge(
        OfficerKey(
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
    # The key may have been registered earlier in this batch: flush so `get` sees it (the
    # batch runs without autoflush, and `get` does not look at pending objects).
    ctx.session.flush()
    key = ctx.session.get(OfficerKey, ev.args["keyId"])
    key.revoked_block = ev.block_number
    key.revoked_at = ctx.block_times[ev.block_number]


def _version_submitted(ctx: ApplyContext, ev: EventRecord) -> None:
    a = ev.args
    entry_id = hex0x(a["entryId"])
    document = checked_document(ev, f"entry {entry_id} version {a['version']}")
    kind = VersionKind(a["kind"])
    entry = ctx.entry(entry_id)
    if entry is None:
        parsed = json.loads(document)
        entry = CatalogEntry(
            seq=ev.position,
            entry_id=entry_id,
            unit_id=hex0x(a["unitId"]),
            code=str(parsed.get("code", ""))[:64],
            created_at=ctx.block_times[ev.block_number],
            approved_version=0,
        )
        ctx.session.add(entry)
        ctx.entries[entry_id] = entry
    entry.latest_version = a["version"]
    entry.pending_version = a["version"]
    entry.status = {
        VersionKind.INITIAL: EntryStatus.UNDER_REVIEW,
        VersionKind.RESUBMISSION: EntryStatus.UNDER_REVIEW,
        VersionKind.CHANGE: EntryStatus.CHANGE_PENDING,
        VersionKind.DELETION: EntryStatus.DELETE_PENDING,
    }[kind].name.lower()
    version = CatalogVersion(
        entry_id=entry_id,
        version=a["version"],
        kind=kind.name.lower(),
        status="pending",
        document=document,
        document_hash=hex0x(a["documentHash"]),
        signer=a["signer"],
        nonce=str(a["nonce"]),
        due_at=a["dueAt"],
        submitted_at=ctx.block_times[ev.block_number],
        submitted_block=ev.block_number,
        submitted_tx=ev.tx_hash,
    )
    ctx.session.add(version)
    ctx.versions[(entry_id, a["version"])] = version
    if kind != VersionKind.DELETION and entry.approved_version == 0:
        _show_version(ctx, entry, document)  # until approved, the entry shows its latest version
    ctx.confirmed.append((a["signer"], str(a["nonce"]), ev.tx_hash))


def _version_reviewed(ctx: ApplyContext, ev: EventRecord) -> None:
    a = ev.args
    entry_id = hex0x(a["entryId"])
    review_document = checked_document(ev, f"review of entry {entry_id} version {a['version']}")
    entry = ctx.entry(entry_id)
    version = ctx.version(entry_id, a["version"])
    approved = a["reasonCode"] == 0
    version.status = "approved" if approved else "returned"
    version.reviewer = a["reviewer"]
    version.reviewed_at = ctx.block_times[ev.block_number]
    version.reviewed_block = ev.block_number
    version.reviewed_tx = ev.tx_hash
    version.review_reason_code = a["reasonCode"]
    version.review_document = review_document
    version.review_document_hash = hex0x(a["documentHash"])
    entry.pending_version = 0
    entry.status = EntryStatus(a["entryStatus"]).name.lower()
    if approved and version.kind != "deletion":
        entry.approved_version = version.version
        _show_version(ctx, entry, version.document)
    ctx.confirmed.append((a["reviewer"], str(a["nonce"]), ev.tx_hash))


def _show_version(ctx: ApplyContext, entry: CatalogEntry, document: str) -> None:
    doc = json.loads(document)
    entry.code = str(doc.get("code", entry.code))[:64]
    entry.name = str(doc.get("name", ""))
    entry.description = str(doc.get("description", ""))
    entry.search_text = normalise(entry.name + "\n" + entry.description)
    entry.search_terms = index_terms(entry.name + " " + entry.description)
    entry.name_key = normalise(entry.name).replace(" ", "")
    entry.sharing = doc.get("sharing", {}).get("attribute", "")
    entry.opening = doc.get("opening", {}).get("attribute", "")
    entry.category = doc.get("classification", {}).get("category", "")
    entry.grade = doc.get("classification", {}).get("grade", "")
    entry.update_frequency = doc.get("update_frequency", "")
    ctx.search_dirty.add(entry.entry_id)


def _action_rejected(ctx: ApplyContext, ev: EventRecord) -> None:
    digest = hex0x(ev.args["digest"])
    reverted = decode_revert(ev.args["reason"])
    error = str(reverted)
    # Anyone may relay the same failing action twice in one range: flush so `merge` finds the
    # first copy's row instead of inserting a second one with the same digest.
    ctx.session.flush()
    ctx.session.merge(RejectedAction(digest=digest, error=error, block_number=ev.block_number, tx_hash=ev.tx_hash))
    if reverted.error == "CatalogNonceUsed":
        return  # a resent copy of an action that is already on-chain: the first copy stands
    ctx.session.query(OutboxAction).filter(OutboxAction.digest == digest, OutboxAction.status != "confirmed").update(
        {"status": "rejected", "error": error}
    )


HANDLERS: dict[str, Callable[[ApplyContext, EventRecord], None]] = {
    "UnitRegistered": _unit_registered,
    "KeyRegistered": _key_registered,
    "KeyRevoked": _key_revoked,
    "CatalogVersionSubmitted": _version_submitted,
    "CatalogVersionReviewed": _version_reviewed,
    "CatalogActionRejected": _action_rejected,
}


def subject_of(ev: EventRecord) -> str:
    """The id whose derived rows this event changes: what a rollback must rebuild."""
    a = ev.args
    for key in ("entryId", "keyId", "unitId", "digest"):
        if key in a:
            value = a[key]
            return value if isinstance(value, str) else hex0x(value)
    return ""
