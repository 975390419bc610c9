"""Mirror tables of the Responsibilities contract (Art. 5, 11, 12): one row per event, as the chain
recorded it. Current states (a responsibility's status, a refusal's report, a setting's value) are
read from these rows by `api/services/responsibilities.py`; nothing here is overwritten."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mirror.models import MirrorBase


class ResponsibilityStep(MirrorBase):
    """One event of `Responsibilities`: `step` is its name in snake case (responsibility_recorded,
    responsibility_reviewed, entry_designated, refusal_recorded, refusal_reported, setting_published,
    catalog_export_recorded). `subject` is the responsibility, entry, refusal, setting key or export
    id; `unit_id` the unit it concerns (the responsibility's, the designated or refusing unit)."""

    __tablename__ = "responsibility_steps"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # chain position
    step: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(66))
    unit_id: Mapped[str | None] = mapped_column(String(66), nullable=True)
    from_unit: Mapped[str | None] = mapped_column(String(66), nullable=True)  # a designation's old owner
    code: Mapped[int] = mapped_column(Integer, default=0)  # reason, disposition or ground
    value: Mapped[int] = mapped_column(BigInteger, default=0)  # version, setting value, export's last block
    due_at: Mapped[int] = mapped_column(BigInteger, default=0)  # a refusal's report due time
    signer: Mapped[str] = mapped_column(String(42))
    at: Mapped[int] = mapped_column(BigInteger)  # block time
    block_number: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(String(66))
    document_hash: Mapped[str] = mapped_column(String(66))
    document: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_responsibility_steps_subject", "subject", "seq"),)
