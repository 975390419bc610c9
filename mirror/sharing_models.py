"""Mirror tables of the Sharing contract: demands, their items, grants, scenarios and every step.

All derived from chain events (dropped and rebuilt by `ledger reindex`). Times are unix
seconds of block timestamps; a due time of 0 means "no duty open". Enum values are stored as
the lower-case names of `chain.sharing`'s enums (`granted`, `deemed_approved`, ...).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mirror.models import MirrorBase


class SharingDemand(MirrorBase):
    """A demand application (Art. 17) with its commitment (Art. 18), as it stands."""

    __tablename__ = "sharing_demands"
    demand_id: Mapped[str] = mapped_column(String(66), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(66), index=True)  # the demand unit
    applicant: Mapped[str] = mapped_column(String(42))  # the officer key that signed the Apply
    status: Mapped[str] = mapped_column(String(16))  # open | granted | rejected | returned
    route: Mapped[str] = mapped_column(String(16))  # scenario (Art. 19) | owner_review (Art. 20)
    scenario_code: Mapped[str] = mapped_column(Text)
    scenario_id: Mapped[str] = mapped_column(String(66))
    scenario_class: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(24))
    form: Mapped[str] = mapped_column(String(24))  # full | subject_authorised | comparison_result | desensitised
    frequency: Mapped[str] = mapped_column(String(16))
    frequency_reason: Mapped[bool] = mapped_column(Boolean)
    fusion: Mapped[bool] = mapped_column(Boolean)
    security_level: Mapped[int] = mapped_column(Integer)
    plan_status: Mapped[str] = mapped_column(String(16))  # none | pending | approved | returned
    plan_due_at: Mapped[int] = mapped_column(BigInteger, default=0)
    plan_decided_at: Mapped[int] = mapped_column(BigInteger, default=0)
    # The scenario route (Art. 19): the Data Center's confirmation that the application conforms.
    conformity_status: Mapped[str] = mapped_column(String(16), default="none")  # none | pending | approved | returned
    conformity_due_at: Mapped[int] = mapped_column(BigInteger, default=0)
    conformity_decided_at: Mapped[int] = mapped_column(BigInteger, default=0)
    serve_due_at: Mapped[int] = mapped_column(BigInteger, default=0)
    applied_at: Mapped[int] = mapped_column(BigInteger)
    closed_at: Mapped[int] = mapped_column(BigInteger, default=0)
    block_number: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(String(66))
    document: Mapped[str] = mapped_column(Text)
    document_hash: Mapped[str] = mapped_column(String(66))
    commitment_scheme: Mapped[str] = mapped_column(String(8))
    commitment_key_id: Mapped[str] = mapped_column(String(42))
    commitment_document: Mapped[str] = mapped_column(Text)
    commitment_hash: Mapped[str] = mapped_column(String(66))
    commitment_signature: Mapped[str] = mapped_column(Text)  # 0x hex
    # Why the document cannot be taken for the signed terms (a direct call can sign any pair): not
    # a valid application, or it says another scenario, method, form or resources than the terms.
    # None: it agrees. A grant of such a demand serves nothing (the check answers document_mismatch).
    document_problem: Mapped[str | None] = mapped_column(Text, nullable=True)


class SharingItem(MirrorBase):
    """One resource of a demand, forwarded to its responsible unit or authorised by scenario."""

    __tablename__ = "sharing_items"
    demand_id: Mapped[str] = mapped_column(String(66), primary_key=True)
    item: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    owner_unit_id: Mapped[str] = mapped_column(String(66))
    demand_unit_id: Mapped[str] = mapped_column(String(66))
    entry_id: Mapped[str] = mapped_column(String(66))  # 0x00…: not yet catalogued (Art. 22)
    version: Mapped[int] = mapped_column(Integer)
    uncatalogued: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(
        String(16)
    )  # authorised | pending | approved | rejected | deemed_approved | closed | superseded
    opened_at: Mapped[int] = mapped_column(BigInteger)
    due_at: Mapped[int] = mapped_column(BigInteger, default=0)
    decided_at: Mapped[int] = mapped_column(BigInteger, default=0)
    code: Mapped[int] = mapped_column(Integer, default=0)
    decider: Mapped[str | None] = mapped_column(String(42), nullable=True)  # officer key; None when deemed
    decision_tx: Mapped[str | None] = mapped_column(String(66), nullable=True)

    __table_args__ = (Index("ix_sharing_items_owner", "owner_unit_id", "status", "due_at"),)


class SharingGrant(MirrorBase):
    """A grant (Art. 21, 25, 26, 31): its terms and where it stands in its life."""

    __tablename__ = "sharing_grants"
    grant_id: Mapped[str] = mapped_column(String(66), primary_key=True)  # = the demand id
    unit_id: Mapped[str] = mapped_column(String(66), index=True)
    scenario_id: Mapped[str] = mapped_column(String(66))
    scenario_code: Mapped[str] = mapped_column(Text)
    scenario_class: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(24))
    form: Mapped[str] = mapped_column(String(24))  # the data form served (Art. 19 (4)); full otherwise
    frequency: Mapped[str] = mapped_column(String(16))
    frequency_reason: Mapped[bool] = mapped_column(Boolean)
    security_level: Mapped[int] = mapped_column(Integer)
    document_problem: Mapped[str | None] = mapped_column(Text, nullable=True)  # the demand's, see SharingDemand
    status: Mapped[str] = mapped_column(String(16))  # active | suspended | terminated
    suspension: Mapped[str] = mapped_column(String(16))  # none | idle | security
    objection_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    objected: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_at: Mapped[int] = mapped_column(BigInteger)
    issued_block: Mapped[int] = mapped_column(BigInteger)
    issued_tx: Mapped[str] = mapped_column(String(66))
    last_used_at: Mapped[int] = mapped_column(BigInteger)
    excused_until: Mapped[int] = mapped_column(BigInteger, default=0)  # a reason the Data Center accepted
    # A reason filed for idleness awaiting the Data Center (Art. 26): until when, and its review's due time.
    reason_until: Mapped[int] = mapped_column(BigInteger, default=0)
    reason_due_at: Mapped[int] = mapped_column(BigInteger, default=0)
    idle_from: Mapped[int] = mapped_column(BigInteger)  # Sharing.idleFrom while active; 0 otherwise
    suspended_at: Mapped[int] = mapped_column(BigInteger, default=0)
    objection_due_at: Mapped[int] = mapped_column(BigInteger, default=0)
    objection_answer_due_at: Mapped[int] = mapped_column(BigInteger, default=0)  # the Data Center's answer
    serve_due_at: Mapped[int] = mapped_column(BigInteger, default=0)
    served_at: Mapped[int] = mapped_column(BigInteger, default=0)
    terminated_at: Mapped[int] = mapped_column(BigInteger, default=0)
    termination: Mapped[str] = mapped_column(String(16), default="")  # voluntary | data_center | lapsed | adjustment


class SharingGrantResource(MirrorBase):
    """A catalog entry a grant covers, at the version it is pinned to."""

    __tablename__ = "sharing_grant_resources"
    grant_id: Mapped[str] = mapped_column(String(66), primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entry_id: Mapped[str] = mapped_column(String(66))
    version: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[str] = mapped_column(String(66))  # the grant's demand unit, for the check's lookup
    # The data items granted, sorted, one per line (their hash is the signed Resource.items); "" when
    # the application's document does not give them (see SharingDemand.document_problem).
    items: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_grant_resources_lookup", "unit_id", "entry_id"),
        Index("ix_grant_resources_entry", "entry_id"),
    )


class SharingScenario(MirrorBase):
    """A scenario of the Data Center's register (Art. 19 (1)–(3)), in force or withdrawn."""

    __tablename__ = "sharing_scenarios"
    scenario_id: Mapped[str] = mapped_column(String(66), primary_key=True)
    code: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    scenario_class: Mapped[int] = mapped_column(Integer, default=0)
    units: Mapped[str] = mapped_column(Text, default="")  # the unit ids it authorises, one per line; "": any
    entries: Mapped[str] = mapped_column(Text, default="")  # the entry ids it authorises, one per line; "": any
    approved: Mapped[bool] = mapped_column(Boolean)
    approved_at: Mapped[int] = mapped_column(BigInteger, default=0)
    withdrawn_at: Mapped[int] = mapped_column(BigInteger, default=0)
    evaluation_hash: Mapped[str] = mapped_column(String(66))
    changed_at: Mapped[int] = mapped_column(BigInteger)


class SharingStepRecord(MirrorBase):
    """Every step of the Sharing contract, with its on-chain proof: the history views read this."""

    __tablename__ = "sharing_steps"
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    subject: Mapped[str] = mapped_column(String(66))  # demand/grant id, scenario id or entry id
    kind: Mapped[str] = mapped_column(String(32))  # chain.sharing.StepKind name, lower case
    item: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[str] = mapped_column(String(66))  # 0x00…: a permissionless step
    actor: Mapped[str] = mapped_column(String(42))
    nonce: Mapped[str] = mapped_column(String(80))
    code: Mapped[int] = mapped_column(Integer)
    at: Mapped[int] = mapped_column(BigInteger)
    terms: Mapped[str] = mapped_column(Text)  # 0x hex of the ABI-encoded terms
    document: Mapped[str] = mapped_column(Text)
    document_hash: Mapped[str] = mapped_column(String(66))
    block_number: Mapped[int] = mapped_column(BigInteger)
    block_time: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(String(66))
    log_index: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_sharing_steps_subject", "subject", "position"),)
