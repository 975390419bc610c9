"""The catalog entry document (Art. 11), schema `putuo.catalog/1`.

A document is what a unit signs and what goes on-chain in full; this module says what a valid
one is. Every Art. 11 element is required. Sharing and opening attributes that are not
unconditional must carry their conditions or their legal basis (不予共享 needs a basis).
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, model_validator

from chain.actions import SharingAttribute

CATALOG_SCHEMA = "putuo.catalog/1"
DELETION_SCHEMA = "putuo.catalog-deletion/1"
REVIEW_SCHEMA = "putuo.catalog-review/1"
COLLECTION_SCHEMA = "putuo.catalog-collection/1"

Text = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=4000)]


def _no_bool(value):
    if isinstance(value, bool):
        raise ValueError("a number, not true or false")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def present_when(field: str, condition: dict) -> dict:
    """JSON Schema of a rule a validator enforces: `field` is given (not null) when `condition`
    holds. The published schemas (protocol/schemas.py) carry these, so a verifier that never
    runs this code applies the same rules; tests/protocol/test_schemas.py holds the two together."""
    return {"if": condition, "then": given(field)}


def absent_when(field: str, condition: dict) -> dict:
    """`field` is missing or null when `condition` holds."""
    return {"if": condition, "then": _null(field)}


def given_iff(field: str, condition: dict) -> dict:
    """`field` is given exactly when `condition` holds (missing or null otherwise)."""
    return {"if": condition, "then": given(field), "else": _null(field)}


def equals(field: str, value) -> dict:
    """The JSON Schema condition "`field` is present and equals `value`"."""
    return {"required": [field], "properties": {field: {"const": value}}}


def given(field: str) -> dict:
    """The JSON Schema condition "`field` is present and not null"."""
    return {"required": [field], "properties": {field: {"not": {"type": "null"}}}}


def null(field: str) -> dict:
    """The JSON Schema condition "`field` is present and null" (not `const: null`: the OpenAPI
    document drops every null value, and `{}` would hold for any value)."""
    return {"required": [field], "properties": {field: {"type": "null"}}}


def _null(field: str) -> dict:
    return {"properties": {field: {"type": "null"}}}


class UpdateFrequency(str, Enum):
    """更新频率."""

    REALTIME = "realtime"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"
    IRREGULAR = "irregular"


class ShareAttribute(str, Enum):
    """共享属性 (Art. 11): 无条件共享 / 有条件共享 / 不予共享."""

    UNCONDITIONAL = "unconditional"
    CONDITIONAL = "conditional"
    NOT_SHARED = "not_shared"

    @property
    def signed(self) -> SharingAttribute:
        """The `sharing` field an entry version stating this attribute signs (ICatalog.SharingAttribute)."""
        return SharingAttribute[self.name]


class OpenAttribute(str, Enum):
    """开放属性: 无条件开放 / 有条件开放 / 不予开放."""

    UNCONDITIONAL = "unconditional"
    CONDITIONAL = "conditional"
    NOT_OPEN = "not_open"


class Grade(str, Enum):
    """分级: the Shanghai public data grades, L1 (lowest) to L4."""

    L1 = "L1"
    L2 = "L2"
    L3 = "L3"
    L4 = "L4"


class SourceMethod(str, Enum):
    """How the unit got the data (Art. 2, 11, 12)."""

    COLLECTED = "collected"  # 直接收集
    GENERATED = "generated"  # 履职产生
    ENTRUSTED = "entrusted"  # 委托第三方收集和产生
    CITY_RETURNED = "city_returned"  # 属地返还 (Art. 12)


class Source(_Strict):
    """来源: the information system and how the data is obtained."""

    system: Text
    method: SourceMethod


class Classification(_Strict):
    """分类分级属性."""

    category: Text
    grade: Grade


class Sharing(_Strict):
    """共享属性, with conditions (conditional) or legal basis (not shared)."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                present_when("conditions", equals("attribute", ShareAttribute.CONDITIONAL.value)),
                present_when("basis", equals("attribute", ShareAttribute.NOT_SHARED.value)),
            ]
        }
    )
    attribute: ShareAttribute
    conditions: LongText | None = None
    basis: LongText | None = None

    @model_validator(mode="after")
    def _explained(self) -> "Sharing":
        if self.attribute == ShareAttribute.CONDITIONAL and not self.conditions:
            raise ValueError("conditional sharing needs `conditions`")
        if self.attribute == ShareAttribute.NOT_SHARED and not self.basis:
            raise ValueError("not_shared needs the legal `basis` (不予共享须有法律法规依据)")
        return self


class Opening(_Strict):
    """开放属性."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                present_when("conditions", equals("attribute", OpenAttribute.CONDITIONAL.value)),
                present_when("basis", equals("attribute", OpenAttribute.NOT_OPEN.value)),
            ]
        }
    )
    attribute: OpenAttribute
    conditions: LongText | None = None
    basis: LongText | None = None

    @model_validator(mode="after")
    def _explained(self) -> "Opening":
        if self.attribute == OpenAttribute.CONDITIONAL and not self.conditions:
            raise ValueError("conditional opening needs `conditions`")
        if self.attribute == OpenAttribute.NOT_OPEN and not self.basis:
            raise ValueError("not_open needs the legal `basis`")
        return self


class Coverage(_Strict):
    """覆盖范围: the area and the period the data covers."""

    area: Text
    period: Text | None = None


class DataItem(_Strict):
    """One data item (信息项) of the resource."""

    name: Text
    type: Literal["string", "integer", "decimal", "date", "datetime", "boolean", "binary"]
    description: LongText | None = None


SHANGHAI = dt.timezone(dt.timedelta(hours=8))  # fixed UTC+8, as the WorkCalendar contract counts


class BasisEvent(_Strict):
    """The business approval or system acceptance that starts the Art. 11 10-working-day clock."""

    kind: Literal["business_approval", "system_acceptance"]
    # From 1970-01-02: the day's 00:00 in Shanghai is then a unix time the contract's uint40 holds
    # (1970-01-01 00:00 +08:00 is before the epoch).
    date: Annotated[dt.date, Field(ge=dt.date(1970, 1, 2))]

    @property
    def declared_at(self) -> int:
        """What the officer signs as `declaredAt`: 00:00 Asia/Shanghai of the declared date."""
        return int(dt.datetime.combine(self.date, dt.time(), SHANGHAI).timestamp())


def _nonzero_id(value: str) -> str:
    if value == "0x" + "00" * 32:
        raise ValueError("must not be zero")
    return value


ResponsibilityId = Annotated[
    str,
    Field(pattern=r"^0x[0-9a-f]{64}$", json_schema_extra={"not": {"const": "0x" + "00" * 32}}),
    AfterValidator(_nonzero_id),
]


class CatalogDocument(_Strict):
    """A catalog entry version: every element Art. 11 requires."""

    schema_: Literal["putuo.catalog/1"] = Field(alias="schema")
    code: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    name: Text
    description: LongText
    source: Source
    update_frequency: UpdateFrequency
    classification: Classification
    sharing: Sharing
    opening: Opening
    coverage: Coverage
    managing_agency: Text
    data_items: Annotated[list[DataItem], Field(min_length=1, max_length=500)]
    basis_event: BasisEvent
    supplementary: StrictBool = False  # Art. 12 district supplementary catalog entry (strict: "yes" is no flag)
    # Art. 11: the approved responsibility (职责) of the unit this entry serves; signed as the
    # action's `responsibility` and checked by the contract. A supplementary entry names the Data
    # Center's Art. 12 responsibility.
    responsibility: ResponsibilityId = None  # absent, never null

    model_config = ConfigDict(
        extra="forbid",
        # The published schema states the validator below.
        json_schema_extra={
            "if": {"properties": {"supplementary": {"const": True}}, "required": ["supplementary"]},
            "then": {"required": ["responsibility"]},
        },
    )

    @model_validator(mode="after")
    def _supplementary_names_its_responsibility(self) -> "CatalogDocument":
        if self.supplementary and self.responsibility is None:
            raise ValueError("responsibility: a supplementary entry (Art. 12) names the Data Center's responsibility")
        return self

    @property
    def signed_responsibility(self) -> bytes:
        """What the action signs as `responsibility`: the named id, or 32 zero bytes."""
        return bytes.fromhex(self.responsibility[2:]) if self.responsibility else bytes(32)


class DeletionRequest(_Strict):
    """Why a unit asks to delete an entry (Art. 14)."""

    schema_: Literal["putuo.catalog-deletion/1"] = Field(alias="schema")
    reason: LongText

    model_config = ConfigDict(extra="forbid")


def signed_sharing(document: dict) -> SharingAttribute:
    """The `sharing` an entry version signs: its document's sharing attribute (Art. 7, 11), which
    the contract keeps and Sharing checks (a 不予共享 entry is never granted)."""
    return ShareAttribute(document["sharing"]["attribute"]).signed


def declared_at(document: dict) -> int:
    """The `declaredAt` a submission of catalog `document` signs: its basis event's date, 00:00 Shanghai."""
    return BasisEvent.model_validate(document["basis_event"]).declared_at


class CollectionRecord(_Strict):
    """The Data Center's record that an entry's data is collected to the platform (Art. 15, 归集上云)."""

    schema_: Literal["putuo.catalog-collection/1"] = Field(alias="schema")
    description: LongText | None = None

    model_config = ConfigDict(extra="forbid")


class ReturnReason(int, Enum):
    """Why the Data Center returns a version (Art. 13: completeness, conformity, duplication)."""

    INCOMPLETE = 1  # 要素不完整
    NONCONFORMING = 2  # 不符合编制规范
    DUPLICATE = 3  # 重复编目
    OTHER = 9


class ReviewNote(_Strict):
    """The Data Center's review: approval, or return with a reason code and text (Art. 13)."""

    schema_: Literal["putuo.catalog-review/1"] = Field(alias="schema")
    decision: Literal["approve", "return"]
    # Strict: JSON `true` is not reason code 1 (an int Enum would take a bool otherwise).
    reason_code: Annotated[ReturnReason, BeforeValidator(_no_bool)] | None = None
    reason: LongText | None = None

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "allOf": [
                given_iff("reason_code", equals("decision", "return")),
                present_when("reason", equals("decision", "return")),
            ]
        },
    )

    @model_validator(mode="after")
    def _reasoned(self) -> "ReviewNote":
        if self.decision == "return" and (self.reason_code is None or not self.reason):
            raise ValueError("a return needs `reason_code` and `reason` (退回须附退回原因)")
        if self.decision == "approve" and self.reason_code is not None:
            raise ValueError("an approval carries no `reason_code`")
        return self

    @property
    def contract_reason_code(self) -> int:
        """What the contract takes: 0 approves, the reason code returns."""
        return 0 if self.decision == "approve" else int(self.reason_code)
