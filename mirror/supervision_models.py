"""Mirror table of the Supervision contract (Art. 29, 31): one row per event, as the chain recorded
it. Incidents' states, evaluations and measure reports are read from these rows by
`api/services/supervision.py`; nothing here is overwritten."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mirror.models import MirrorBase


class SupervisionStep(MirrorBase):
    """One event of `Supervision`: `step` is its name in snake case (incident_reported,
    acknowledged, incident_handling_recorded, incident_closed, evaluation_recorded,
    measure_reported). `subject` is the incident, acknowledged id, evaluation or measure report id;
    `unit_id` the unit that reported, acknowledged, or holds the grant; `target` an evaluation's
    unit or grant, a measure report's grant."""

    __tablename__ = "supervision_steps"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # chain position
    step: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(66))
    unit_id: Mapped[str | None] = mapped_column(String(66), nullable=True)
    target: Mapped[str | None] = mapped_column(String(66), nullable=True)
    code: Mapped[int] = mapped_column(Integer, default=0)  # severity, evaluation kind or measure kind
    value: Mapped[int] = mapped_column(BigInteger, default=0)  # occurred at, score, count or taken at
    grant: Mapped[int] = mapped_column(Integer, default=0)  # 1: an evaluation of a grant
    signer: Mapped[str] = mapped_column(String(42))
    at: Mapped[int] = mapped_column(BigInteger)  # block time
    block_number: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(String(66))
    document_hash: Mapped[str] = mapped_column(String(66))
    document: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        Index("ix_supervision_steps_subject", "subject", "seq"),
        Index("ix_supervision_steps_target", "target", "seq"),
    )
