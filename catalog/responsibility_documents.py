"""Documents of the Responsibilities contract's actions (Art. 5, 11, 12), and the on-chain fields
each derives (`fields`): the API checks what an officer signs against them, as it derives a
catalog version's `sharing` and `responsibility` from its document."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from catalog.document import LongText, ResponsibilityId, Text, equals, given_iff
from chain.responsibilities import SETTINGS, ActionKind, Disposition, RefusalGround, setting_key

Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
Id = ResponsibilityId  # a non-zero 0x-hex 32-byte id


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResponsibilityDocument(_Doc):
    """One responsibility of a unit's list (职责清单, Art. 11): the duty under which it collects data."""

    schema_: Literal["putuo.responsibility/1"] = Field(alias="schema")
    code: Code
    name: Text
    basis: LongText  # the law, regulation or mandate (三定方案) that gives the duty
    description: LongText | None = None


class ResponsibilityReview(_Doc):
    """The Office's review of a responsibility: approve, or return with a reason."""

    schema_: Literal["putuo.responsibility-review/1"] = Field(alias="schema")
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "allOf": [
                given_iff("reason_code", equals("decision", "return")),
                given_iff("reason", equals("decision", "return")),
            ]
        },
    )
    decision: Literal["approve", "return"]
    reason_code: Annotated[StrictInt, Field(ge=1, le=99)] | None = None
    reason: LongText | None = None

    @model_validator(mode="after")
    def _return_has_reason(self) -> "ResponsibilityReview":
        returned = self.decision == "return"
        if returned != (self.reason_code is not None) or returned != (self.reason is not None):
            raise ValueError("reason_code and reason: given exactly when the decision is return")
        return self


class DispositionName(str, Enum):
    MOVE_OPEN_DUTIES = "move_open_duties"
    KEEP_OPEN_DUTIES = "keep_open_duties"


class Designation(_Doc):
    """The Office's designation of an entry's responsible unit (Art. 5)."""

    schema_: Literal["putuo.designation/1"] = Field(alias="schema")
    entry_id: Id
    unit_id: Id  # the designated unit
    disposition: DispositionName
    basis: LongText  # why: data falling to several units, or to none


class GroundName(str, Enum):
    NO_LEGAL_BASIS = "no_legal_basis"
    LEGAL_BASIS_CITED = "legal_basis_cited"


class Refusal(_Doc):
    """The Data Center's record of a unit refusing to collect data to it (Art. 11)."""

    schema_: Literal["putuo.refusal/1"] = Field(alias="schema")
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"allOf": [given_iff("legal_basis", equals("ground", "legal_basis_cited"))]},
    )
    unit_id: Id
    data: LongText  # which data the unit refused to collect
    ground: GroundName
    legal_basis: LongText | None = None  # what the unit cited, when it cited one
    entry_id: Id | None = None

    @model_validator(mode="after")
    def _basis_when_cited(self) -> "Refusal":
        if (self.ground == GroundName.LEGAL_BASIS_CITED) != (self.legal_basis is not None):
            raise ValueError("legal_basis: given exactly when the ground is legal_basis_cited")
        return self


class RefusalReport(_Doc):
    """The Office's report of a refusal without a legal basis (Art. 11: 区府办应当及时报告)."""

    schema_: Literal["putuo.refusal-report/1"] = Field(alias="schema")
    refusal_id: Id
    reported_to: Annotated[list[Text], Field(min_length=1, max_length=10)]
    summary: LongText


class SettingNotice(_Doc):
    """The Office's notice publishing one of its settings."""

    schema_: Literal["putuo.setting/1"] = Field(alias="schema")
    name: Literal[tuple(SETTINGS)]  # type: ignore[valid-type]
    value: Annotated[StrictInt, Field(ge=0, le=2**40 - 1)]
    reason: LongText


class CatalogExportManifest(_Doc):
    """The Data Center's record of an export of the supplementary catalog for the city (Art. 12)."""

    schema_: Literal["putuo.catalog-export/1"] = Field(alias="schema")
    format: Literal["putuo.supplementary-catalog/1"]
    json_keccak256: Id  # the JSON file's keccak256: the action's subject (the export id)
    csv_keccak256: Id
    from_block: Annotated[StrictInt, Field(ge=1)]
    to_block: Annotated[StrictInt, Field(ge=1)]
    entries: Annotated[StrictInt, Field(ge=0)]


SCHEMA_BY_KIND: dict[ActionKind, type[BaseModel]] = {
    ActionKind.RECORD_RESPONSIBILITY: ResponsibilityDocument,
    ActionKind.REVIEW_RESPONSIBILITY: ResponsibilityReview,
    ActionKind.DESIGNATE: Designation,
    ActionKind.RECORD_REFUSAL: Refusal,
    ActionKind.REPORT_REFUSAL: RefusalReport,
    ActionKind.PUBLISH_SETTING: SettingNotice,
    ActionKind.RECORD_CATALOG_EXPORT: CatalogExportManifest,
}
MODELS = tuple(SCHEMA_BY_KIND.values())


def _id(value: str) -> bytes:
    return bytes.fromhex(value[2:])


def fields(kind: ActionKind, parsed: BaseModel, *, subject: bytes) -> tuple[bytes, bytes, int, int]:
    """(subject, target, code, value) the action of `kind` signs for `parsed`. `subject` is the
    request's where the document does not fix it (a responsibility's or a refusal's id)."""
    zero = bytes(32)
    if isinstance(parsed, ResponsibilityReview):
        return subject, zero, parsed.reason_code or 0, 0
    if isinstance(parsed, Designation):
        code = Disposition[parsed.disposition.name]
        return _id(parsed.entry_id), _id(parsed.unit_id), int(code), 0
    if isinstance(parsed, Refusal):
        return subject, _id(parsed.unit_id), int(RefusalGround[parsed.ground.name]), 0
    if isinstance(parsed, RefusalReport):
        return _id(parsed.refusal_id), zero, 0, 0
    if isinstance(parsed, SettingNotice):
        return setting_key(parsed.name), zero, 0, parsed.value
    if isinstance(parsed, CatalogExportManifest):
        return _id(parsed.json_keccak256), zero, 0, parsed.to_block
    return subject, zero, 0, 0
