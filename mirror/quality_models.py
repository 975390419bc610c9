"""Mirror table of the DataQuality contract (Art. 15–16): one row per event, as the chain recorded
it. Schedules, missed update periods and objections' states are read from these rows by
`api/services/quality.py` and the duties; nothing here is overwritten."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mirror.models import MirrorBase


class QualityStep(MirrorBase):
    """One event of `DataQuality`: `step` is its name in snake case (update_frequency_declared,
    update_recorded, reconciliation_recorded, objection_raised, objection_handled). `subject` is the
    entry (a declaration), update, reconciliation or objection id; `entry_id` the entry concerned;
    `unit_id` the responsible (or reconciled) unit; `raiser_unit` an objection's raiser;
    `grant_id` a using unit's objection's grant, as the contract checked it against Sharing."""

    __tablename__ = "quality_steps"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # chain position
    step: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(66))
    entry_id: Mapped[str | None] = mapped_column(String(66), nullable=True)
    unit_id: Mapped[str] = mapped_column(String(66))
    raiser_unit: Mapped[str | None] = mapped_column(String(66), nullable=True)
    grant_id: Mapped[str | None] = mapped_column(String(66), nullable=True)
    code: Mapped[int] = mapped_column(Integer, default=0)  # frequency, result, source or outcome
    value: Mapped[int] = mapped_column(BigInteger, default=0)  # a declaration's period seconds; an update's period
    starts_at: Mapped[int] = mapped_column(BigInteger, default=0)  # a declaration's period 0
    due_at: Mapped[int] = mapped_column(BigInteger, default=0)  # an objection's handling due time
    signer: Mapped[str] = mapped_column(String(42))
    at: Mapped[int] = mapped_column(BigInteger)  # block time
    block_number: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(String(66))
    document_hash: Mapped[str] = mapped_column(String(66))
    document: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        Index("ix_quality_steps_subject", "subject", "seq"),
        Index("ix_quality_steps_entry", "entry_id", "seq"),
    )
