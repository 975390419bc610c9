"""ORM models of the mirror (derived from chain events) and of the outbox (not derived).

Everything but `OutboxAction` and `OutboxSubject` can be dropped and rebuilt from block 0; the
outbox holds what the API accepted and must survive a reindex.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def _bytewise(length: int) -> String:
    """A String that sorts byte by byte on PostgreSQL too, as it does on SQLite.

    For ids in mixed case (checksummed addresses): a linguistic collation, the usual database
    default, would order "0xaB…" before "0xAc…", and a list ordered by them would differ by backend.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class Base(DeclarativeBase):
    pass


class MirrorBase(DeclarativeBase):
    """Tables derived from the chain: dropped and rebuilt by `ledger reindex`."""


class MirrorSchema(MirrorBase):
    """The fingerprint of the code that wrote the mirror (see mirror.store)."""

    __tablename__ = "mirror_schema"
    fingerprint: Mapped[str] = mapped_column(String(32), primary_key=True)


class SyncCursor(MirrorBase):
    """The last block applied, with its hash to detect a reorganised chain on resume."""

    __tablename__ = "sync_cursor"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    block_hash: Mapped[str] = mapped_column(String(66))


class SeenBlock(MirrorBase):
    """Hashes of blocks whose events were applied: where to look for the fork point."""

    __tablename__ = "seen_blocks"
    block_number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    block_hash: Mapped[str] = mapped_column(String(66))


class ChainEvent(MirrorBase):
    """Every applied event, raw enough to replay: the mirror's own journal."""

    __tablename__ = "chain_events"
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    log_index: Mapped[int] = mapped_column(Integer)
    tx_hash: Mapped[str] = mapped_column(String(66))
    name: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(66), index=True)  # entry id, unit id or key id
    address: Mapped[str] = mapped_column(String(42))
    block_hash: Mapped[str] = mapped_column(String(66))
    block_time: Mapped[int] = mapped_column(BigInteger)
    topics: Mapped[bytes] = mapped_column(LargeBinary)  # the topics, 32 bytes each
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Unit(MirrorBase):
    __tablename__ = "units"
    unit_id: Mapped[str] = mapped_column(String(66), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(Text)  # the unit's own code; unit_id = keccak256("putuo.unit:" ‖ code)
    registered_block: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(String(66))


class OfficerKey(MirrorBase):
    __tablename__ = "officer_keys"
    key_id: Mapped[str] = mapped_column(_bytewise(42), primary_key=True)  # checksummed address
    unit_id: Mapped[str] = mapped_column(String(66), index=True)
    scheme: Mapped[str] = mapped_column(String(8))
    public_key: Mapped[str] = mapped_column(String(132))
    registered_block: Mapped[int] = mapped_column(BigInteger)
    registered_at: Mapped[int] = mapped_column(BigInteger)
    revoked_block: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class CatalogEntry(MirrorBase):
    """An entry with the searchable fields of its current version (approved, else latest)."""

    __tablename__ = "catalog_entries"
    seq: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False
    )  # chain position of its first version
    entry_id: Mapped[str] = mapped_column(String(66), unique=True)
    unit_id: Mapped[str] = mapped_column(String(66))
    code: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    latest_version: Mapped[int] = mapped_column(Integer)
    approved_version: Mapped[int] = mapped_column(Integer)
    pending_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)  # normalised name + description, for the exact check
    search_terms: Mapped[str] = mapped_column(Text)  # see catalog.search_terms
    sharing: Mapped[str] = mapped_column(String(16))
    opening: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(Text)
    grade: Mapped[str] = mapped_column(String(4))
    update_frequency: Mapped[str] = mapped_column(String(16))
    name_key: Mapped[str] = mapped_column(Text)  # normalised name: duplicate detection (Art. 13)
    resubmit_due_at: Mapped[int] = mapped_column(
        BigInteger, default=0, server_default="0"
    )  # Art. 13; 0: no resubmission owed
    collection_due_at: Mapped[int] = mapped_column(
        BigInteger, default=0, server_default="0"
    )  # Art. 15; 0: not approved yet
    collected_at: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # 0: not collected yet
    # The shown version's `document_problem` (null: none): such an entry is left out of lists and
    # searches (api/services/queries.py), and nothing may rely on it (#10 rule 8).
    document_problem: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (
        Index("ix_entries_unit", "unit_id", "seq"),
        Index("ix_entries_status", "status", "seq"),
        Index("ix_entries_sharing", "sharing", "seq"),
        Index("ix_entries_grade", "grade", "seq"),
        Index("ix_entries_frequency", "update_frequency", "seq"),
        Index("ix_entries_category", "category", "seq"),
        Index("ix_entries_name_key", "unit_id", "name_key"),
        # Covers the gateway check's look at an entry's standing (api/services/sharing_queries.check):
        # without it SQLite reads each entry's wide row (search text) on every check.
        Index("ix_entries_standing", "entry_id", "status", "sharing", "approved_version", "document_problem"),
    )


class CatalogVersion(MirrorBase):
    __tablename__ = "catalog_versions"
    entry_id: Mapped[str] = mapped_column(String(66), ForeignKey("catalog_entries.entry_id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    document: Mapped[str] = mapped_column(Text)
    document_hash: Mapped[str] = mapped_column(String(66))
    signer: Mapped[str] = mapped_column(String(42))
    nonce: Mapped[str] = mapped_column(String(80))
    due_at: Mapped[int] = mapped_column(BigInteger)
    submitted_at: Mapped[int] = mapped_column(BigInteger)
    submitted_block: Mapped[int] = mapped_column(BigInteger)
    submitted_tx: Mapped[str] = mapped_column(String(66))
    reviewer: Mapped[str | None] = mapped_column(String(42), nullable=True)
    reviewed_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    reviewed_block: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    reviewed_tx: Mapped[str | None] = mapped_column(String(66), nullable=True)
    review_reason_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    review_document: Mapped[str | None] = mapped_column(Text, nullable=True)
    review_document_hash: Mapped[str | None] = mapped_column(String(66), nullable=True)
    declared_at: Mapped[int] = mapped_column(
        BigInteger, default=0, server_default="0"
    )  # first version: the Art. 11 date the unit declared
    compile_due_at: Mapped[int] = mapped_column(
        BigInteger, default=0, server_default="0"
    )  # first version: Art. 11 due (0: year not held)
    # The sharing attribute the officer signed with this version (Art. 7): what Sharing checks; ""
    # for a deletion request. The entry shows the attribute of the version it shows.
    sharing: Mapped[str] = mapped_column(String(16), default="", server_default="")
    # Why the contract took a document the platform cannot judge (catalog.validity: "not_json",
    # "not_canonical", "schema_invalid: <field>: <message>"); null for a sound one. Decided once,
    # from the submitted bytes alone, when the submission is applied (#10 rule 8).
    document_problem: Mapped[str | None] = mapped_column(Text, nullable=True)


class CatalogCollection(MirrorBase):
    """The Data Center's signed record that an entry's data is collected to the platform (Art. 15)."""

    __tablename__ = "catalog_collections"
    entry_id: Mapped[str] = mapped_column(String(66), primary_key=True)
    recorder: Mapped[str] = mapped_column(String(42))
    due_at: Mapped[int] = mapped_column(BigInteger)
    collected_at: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    block_number: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(String(66))
    document: Mapped[str] = mapped_column(Text)
    document_hash: Mapped[str] = mapped_column(String(66))


class RejectedAction(MirrorBase):
    """An action that `executeBatch` skipped, with the custom error it failed with."""

    __tablename__ = "rejected_actions"
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    digest: Mapped[str] = mapped_column(String(66), index=True)
    error: Mapped[str] = mapped_column(Text)
    block_number: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(String(66))


class OutboxAction(Base):
    """A signed action the API accepted: kept until its event is mirrored (never dropped by reindex)."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(66), unique=True)
    signer: Mapped[str] = mapped_column(String(42))
    nonce: Mapped[str] = mapped_column(String(80))
    entry_id: Mapped[str] = mapped_column(String(66))  # the action's subject: entry, demand, grant, scenario
    kind: Mapped[int] = mapped_column(Integer)
    # Which contract's `executeBatch` takes it: "catalog" or "sharing" (see mirror.outbox.CONTRACTS).
    contract: Mapped[str] = mapped_column(String(16), default="catalog", server_default="catalog")
    payload: Mapped[bytes] = mapped_column(LargeBinary)  # ABI-encoded SignedAction of that contract
    # An OutboxStatus; only mirror.outbox_lifecycle writes it.
    status: Mapped[str] = mapped_column(String(16), index=True)
    tx_hash: Mapped[str | None] = mapped_column(String(66), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)  # a rejection's custom error, as text
    reason: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # ... and its revert data
    accepted_at: Mapped[float] = mapped_column()
    sent_at: Mapped[float | None] = mapped_column(nullable=True)

    __table_args__ = (UniqueConstraint("signer", "nonce"),)


class OutboxSubject(Base):
    """One row per subject the outbox ever took an action on: an intake locks the rows of its
    subjects while it checks they are free and stores its actions (mirror.outbox_lifecycle.accept),
    so two intakes of one subject take turns. Not derived: it stays with the outbox."""

    __tablename__ = "outbox_subjects"
    subject: Mapped[str] = mapped_column(String(66), primary_key=True)
