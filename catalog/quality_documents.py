"""Documents of the DataQuality contract's actions (Art. 15–16), and the on-chain fields each
derives (`fields`): the API checks what an officer signs against them."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationInfo, field_validator

from catalog.document import LongText, ResponsibilityId, Text, UpdateFrequency, equals, given_iff
from chain.quality import ActionKind, ObjectionOutcome, ObjectionSource, ReconciliationResult, record_id
from chain.quality import UpdateFrequency as SignedFrequency

Id = ResponsibilityId  # a non-zero 0x-hex 32-byte id
Count = Annotated[StrictInt, Field(ge=0, le=2**53)]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FrequencyDeclaration(_Doc):
    """The responsible unit's declaration of an entry's update frequency (更新频率, Art. 16 ¶2):
    the one its approved catalog document states, from which the update periods count."""

    schema_: Literal["putuo.update-frequency/1"] = Field(alias="schema")
    entry_id: Id
    update_frequency: UpdateFrequency
    note: LongText | None = None


class UpdateReceipt(_Doc):
    """The Data Center's record of one update of an entry's data it received (Art. 15–16)."""

    schema_: Literal["putuo.update-receipt/1"] = Field(alias="schema")
    entry_id: Id
    received_at: Annotated[StrictInt, Field(ge=1, le=2**40 - 1)]  # unix seconds, as the platform logged it
    records: Count  # rows delivered
    content_sm3: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]  # SM3 of the delivered batch
    note: LongText | None = None


class ReconciliationResultName(str, Enum):
    CONSISTENT = "consistent"
    DISCREPANCIES = "discrepancies"


class Discrepancy(_Doc):
    entry_id: Id
    description: LongText


class Reconciliation(_Doc):
    """The Data Center's reconciliation (对账) with a unit (Art. 16 ¶3): which entries it checked,
    what it found. Each discrepancy is then raised as an objection."""

    schema_: Literal["putuo.reconciliation/1"] = Field(alias="schema")
    unit_id: Id
    period: Text  # e.g. 2026-Q4
    entries: Annotated[list[Id], Field(min_length=1, max_length=200)]
    result: ReconciliationResultName
    discrepancies: Annotated[list[Discrepancy], Field(max_length=200)] = []


class ObjectionSourceName(str, Enum):
    QUALITY_MONITORING = "quality_monitoring"
    RECONCILIATION = "reconciliation"
    USING_UNIT = "using_unit"


class DataObjection(_Doc):
    """A data objection (异议) on an entry's data, to its responsible unit (Art. 16). A using unit
    objects under the grant it holds on the entry (`grant_id`, signed and checked by the contract
    against Sharing); the Data Center's objections name none."""

    schema_: Literal["putuo.objection/1"] = Field(alias="schema")
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"allOf": [given_iff("grant_id", equals("source", "using_unit"))]}
    )
    entry_id: Id
    source: ObjectionSourceName
    description: LongText  # what is wrong: which records, which fields
    reconciliation_id: Id | None = None  # the reconciliation that found it
    # a using unit's grant on the data: required from it, absent from the Data Center's
    grant_id: Annotated[Id | None, Field(validate_default=True)] = None

    @field_validator("grant_id")
    @classmethod
    def _grant_with_using_unit(cls, value: str | None, info: ValidationInfo) -> str | None:
        using = info.data.get("source") is ObjectionSourceName.USING_UNIT
        if using and value is None:
            raise ValueError("a using unit objects under the grant it holds on the entry")
        if not using and value is not None:
            raise ValueError("only a using unit's objection names a grant")
        return value


class ObjectionOutcomeName(str, Enum):
    CORRECTED = "corrected"
    CONFIRMED = "confirmed"


class ObjectionHandling(_Doc):
    """The responsible unit's verification and handling of an objection (异议核实与处理)."""

    schema_: Literal["putuo.objection-handling/1"] = Field(alias="schema")
    objection_id: Id
    outcome: ObjectionOutcomeName
    verification: LongText  # what the unit checked
    measures: LongText | None = None  # the correction made, when corrected


SCHEMA_BY_KIND: dict[ActionKind, type[BaseModel]] = {
    ActionKind.DECLARE_FREQUENCY: FrequencyDeclaration,
    ActionKind.RECORD_UPDATE: UpdateReceipt,
    ActionKind.RECORD_RECONCILIATION: Reconciliation,
    ActionKind.RAISE_OBJECTION: DataObjection,
    ActionKind.HANDLE_OBJECTION: ObjectionHandling,
}
MODELS = tuple(SCHEMA_BY_KIND.values())


def _id(value: str) -> bytes:
    return bytes.fromhex(value[2:])


def grant_of(parsed: BaseModel) -> bytes:
    """The `grant` the action signs: a using unit's objection's grant, else zero."""
    grant_id = getattr(parsed, "grant_id", None) if isinstance(parsed, DataObjection) else None
    return _id(grant_id) if grant_id else bytes(32)


def fields(kind: ActionKind, parsed: BaseModel, *, document: bytes) -> tuple[bytes, bytes, int, int]:
    """(subject, target, code, value) the action of `kind` signs for `parsed`, whose canonical
    bytes are `document`. A record's id is derived from its document (chain.quality.record_id)."""
    zero = bytes(32)
    if isinstance(parsed, FrequencyDeclaration):
        return _id(parsed.entry_id), zero, int(SignedFrequency[parsed.update_frequency.name]), 0
    if isinstance(parsed, UpdateReceipt):
        return record_id(kind, document), _id(parsed.entry_id), 0, 0
    if isinstance(parsed, Reconciliation):
        return record_id(kind, document), _id(parsed.unit_id), int(ReconciliationResult[parsed.result.name]), 0
    if isinstance(parsed, DataObjection):
        return record_id(kind, document), _id(parsed.entry_id), int(ObjectionSource[parsed.source.name]), 0
    assert isinstance(parsed, ObjectionHandling)
    return _id(parsed.objection_id), zero, int(ObjectionOutcome[parsed.outcome.name]), 0
