"""The documents of the sharing steps (Art. 17–26, 31), one strict model per signed step.

A document is what an officer signs and what goes on-chain in full; this module says what a
valid one is. Rules that tie one field to another ("required iff", "forbidden otherwise") are
checked on the dependent field, so a refusal names that field in the error's `loc`: the field
it depends on is declared first, and when that one is itself invalid the rule is not checked.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from catalog.document import LongText, Text, absent_when, equals, given, given_iff, null, present_when

MAX_RESOURCES = 32  # Sharing.MAX_RESOURCES
MAX_CODE = 2**16 - 1  # the action's `code` is a uint16
MAX_VERSION = 2**32 - 1  # catalog versions are uint32
ZERO_ID = "0x" + "0" * 64


def _nonzero(value: str) -> str:
    if value == ZERO_ID:
        raise ValueError("the zero id names nothing (on-chain it means 'none')")
    return value


def _distinct(values: list) -> list:
    seen = set()
    for i, value in enumerate(values):
        if value in seen:
            raise ValueError(f"item {i} repeats {value!r}: the items must be distinct")
        seen.add(value)
    return values


def _real_time(value: str) -> str:
    dt.datetime.fromisoformat(value)  # ValueError for 2025-02-30T25:00:00+08:00
    return value


def _real_date(value: str) -> str:
    dt.date.fromisoformat(value)
    return value


# One spelling each: the document's canonical bytes are its identity (a demand's id). Each
# `json_schema_extra` states an AfterValidator's rule in the published JSON Schema.
Id = Annotated[
    str, Field(pattern=r"^0x[0-9a-f]{64}$", json_schema_extra={"not": {"const": ZERO_ID}}), AfterValidator(_nonzero)
]
ShanghaiTime = Annotated[
    str,
    Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$", json_schema_extra={"format": "date-time"}),
    AfterValidator(_real_time),
]
ShanghaiDate = Annotated[
    str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", json_schema_extra={"format": "date"}), AfterValidator(_real_date)
]
ReasonCode = Annotated[int, Field(ge=1, le=MAX_CODE)]
ItemIndex = Annotated[int, Field(ge=0, lt=MAX_RESOURCES)]  # a demand has at most 32 items
Version = Annotated[int, Field(ge=1, le=MAX_VERSION)]
Ids = Annotated[list[Id], AfterValidator(_distinct), Field(json_schema_extra={"uniqueItems": True})]

_INVALID = object()  # the field a rule depends on failed its own validation


def _other(info: ValidationInfo, name: str) -> Any:
    return info.data.get(name, _INVALID)


def _required_iff_other(value: Any, info: ValidationInfo, name: str, expected: Any, why: str) -> Any:
    """`value` is required exactly when the field `name` (validated before it) equals `expected`;
    when that field failed its own validation, only its own error is reported."""
    other = _other(info, name)
    if other is _INVALID:
        return value
    return _required_iff(value, other == expected, why)


def _required_iff(value: Any, condition: bool, why: str) -> Any:
    """Refuse `value` missing where `condition` holds, or present where it does not."""
    if condition and value is None:
        raise ValueError(f"required {why}")
    if not condition and value is not None:
        raise ValueError(f"only allowed {why}")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DemandType(str, Enum):
    """需求类型: an ordinary demand, or a cross-department fusion demand (Art. 22)."""

    ROUTINE = "routine"
    FUSION = "fusion"


class Class4Basis(str, Enum):
    """Which of Art. 19 (4)'s grounds a class-4 scenario rests on."""

    SUBJECT_AUTHORISED = "subject_authorised"  # 数据主体授权
    BATCH_COMPARISON = "batch_comparison"  # 批量比对, results only
    DESENSITISED = "desensitised"  # 脱敏数据


# Member names match chain.sharing.Method / Frequency: sharing.fields maps them by name.
class ShareMethod(str, Enum):
    """共享方式 (Art. 21): interface preferred; another method needs a technical evaluation."""

    INTERFACE = "interface"
    BATCH_COMPARISON = "batch_comparison"
    OTHER = "other"


class UseFrequency(str, Enum):
    """使用频率 (Art. 17): below once per 3 months needs a reason."""

    CONTINUOUS = "continuous"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMI_ANNUAL = "semi_annual"
    ANNUAL = "annual"


RARE_FREQUENCIES = frozenset({UseFrequency.SEMI_ANNUAL, UseFrequency.ANNUAL})


class SecurityLevel(str, Enum):
    """安全等级, L1 (lowest) to L4."""

    L1 = "L1"
    L2 = "L2"
    L3 = "L3"
    L4 = "L4"


class Art17Element(str, Enum):
    """The elements of an application (Art. 17) a rejection for non-conformity can name; the
    action's `DecideTerms.nonconforming` sets bit i for the i-th, in this order."""

    DEMAND_TYPE = "demand_type"
    SCENARIO = "scenario"
    LEGAL_BASIS = "legal_basis"
    BUSINESS_GOAL = "business_goal"
    RESOURCES = "resources"
    METHOD = "method"
    FREQUENCY = "frequency"
    SECURITY = "security"  # security level and safeguards

    @property
    def bit(self) -> int:
        return 1 << list(Art17Element).index(self)


# Art. 20 (明确的法律、法规等依据): a rejection's basis names its instrument, 《…》, so that a blank,
# a placeholder or "依法" is no basis.
LegalCitation = Annotated[str, Field(min_length=4, max_length=2000, pattern=r"《[^《》\s][^《》]*》")]


class RejectReason(str, Enum):
    """Why an owner rejects an item (Art. 20): non-conformity, or a cited legal basis."""

    NONCONFORMING = "nonconforming"
    LEGAL_BASIS = "legal_basis"


class DisputeAbout(str, Enum):
    REASONABLENESS = "reasonableness"  # 需求合理性
    SHAREABILITY = "shareability"  # 可共享性
    REJECTION = "rejection"  # 拒绝理由


# ---------------------------------------------------------------- application (Art. 17)


class Scenario(_Strict):
    """应用场景, with its Art. 19 item (0: none, the owner reviews)."""

    model_config = ConfigDict(json_schema_extra={"allOf": [given_iff("class4_basis", equals("class", 4))]})
    code: Text
    name: Text
    klass: int = Field(alias="class", ge=0, le=4)
    class4_basis: Class4Basis | None = Field(default=None, validate_default=True)

    @field_validator("class4_basis")
    @classmethod
    def _basis_of_class4(cls, value: Class4Basis | None, info: ValidationInfo) -> Class4Basis | None:
        klass = _other(info, "klass")
        if klass is _INVALID:
            return value
        return _required_iff(value, klass == 4, "when class is 4 (Art. 19 (4) names its ground)")


class Resource(_Strict):
    """A resource wanted: a catalog entry at a version, or (both null) data not yet catalogued."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                given_iff("version", given("entry_id")),
                present_when("description", null("entry_id")),
            ]
        }
    )
    entry_id: Id | None
    version: Version | None
    owner_unit_id: Id
    items: Annotated[
        list[Text],
        Field(min_length=1, max_length=200, json_schema_extra={"uniqueItems": True}),
        AfterValidator(_distinct),
    ]
    description: LongText | None = Field(default=None, validate_default=True)

    @field_validator("version")
    @classmethod
    def _paired(cls, value: int | None, info: ValidationInfo) -> int | None:
        entry_id = _other(info, "entry_id")
        if entry_id is _INVALID:
            return value
        return _required_iff(value, entry_id is not None, "with an entry_id: both set, or both null")

    @field_validator("description")
    @classmethod
    def _described(cls, value: str | None, info: ValidationInfo) -> str | None:
        if _other(info, "entry_id") is None and value is None:
            raise ValueError("required for data not yet catalogued (Art. 22): say what is wanted")
        return value


class FusionPlan(_Strict):
    """融合方案 of a cross-department fusion demand (Art. 22)."""

    summary: LongText
    departments: Annotated[Ids, Field(min_length=2)]
    governance: LongText


class Application(_Strict):
    """A demand application (Art. 17): what is wanted, why, how, how often, how it is kept safe."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "if": {
                        "required": ["scenario"],
                        "properties": {"scenario": equals("class4_basis", "batch_comparison")},
                    },
                    "then": {"properties": {"method": {"const": "batch_comparison"}}},
                },
                given_iff("method_reason", equals("method", "other")),
                given_iff(
                    "frequency_reason",
                    {
                        "required": ["frequency"],
                        "properties": {"frequency": {"enum": sorted(f.value for f in RARE_FREQUENCIES)}},
                    },
                ),
                given_iff("fusion_plan", equals("demand_type", "fusion")),
            ],
            "$comment": "Not expressible here, and refused too: two resources naming the same (entry_id, "
            "owner_unit_id); a resource whose owner_unit_id is the demand_unit_id.",
        }
    )
    schema_: Literal["putuo.demand/1"] = Field(alias="schema")
    application_no: Text
    demand_unit_id: Id
    demand_type: DemandType
    scenario: Scenario
    legal_basis: LongText
    business_goal: LongText
    resources: Annotated[list[Resource], Field(min_length=1, max_length=MAX_RESOURCES)]
    method: ShareMethod
    method_reason: LongText | None = Field(default=None, validate_default=True)
    frequency: UseFrequency
    frequency_reason: LongText | None = Field(default=None, validate_default=True)
    security_level: SecurityLevel
    safeguards: Annotated[list[Text], Field(min_length=1, max_length=20)]
    fusion_plan: FusionPlan | None = Field(default=None, validate_default=True)

    @field_validator("resources")
    @classmethod
    def _one_per_owner_and_entry(cls, value: list[Resource], info: ValidationInfo) -> list[Resource]:
        seen: dict[tuple, int] = {}
        for i, r in enumerate(value):
            key = (r.entry_id, r.owner_unit_id)
            if key in seen:
                raise ValueError(
                    f"resources {seen[key]} and {i} name the same entry of the same owner"
                    " (ask for uncatalogued data of one owner in one resource)"
                )
            seen[key] = i
            if r.owner_unit_id == info.data.get("demand_unit_id"):
                raise ValueError(f"resource {i} is the demand unit's own")
        return value

    @field_validator("method")
    @classmethod
    def _method_fits_scenario(cls, value: ShareMethod, info: ValidationInfo) -> ShareMethod:
        scenario = info.data.get("scenario")
        if (
            scenario is not None
            and scenario.class4_basis == Class4Basis.BATCH_COMPARISON
            and value != ShareMethod.BATCH_COMPARISON
        ):
            raise ValueError("must be batch_comparison: the scenario rests on batch comparison (Art. 19 (4))")
        return value

    @field_validator("method_reason")
    @classmethod
    def _evaluated(cls, value: str | None, info: ValidationInfo) -> str | None:
        method = _other(info, "method")
        if method is _INVALID:
            return value
        return _required_iff(
            value, method == ShareMethod.OTHER, "when method is other (Art. 21: for the technical evaluation)"
        )

    @field_validator("frequency_reason")
    @classmethod
    def _rare_use_explained(cls, value: str | None, info: ValidationInfo) -> str | None:
        frequency = _other(info, "frequency")
        if frequency is _INVALID:
            return value
        return _required_iff(
            value, frequency in RARE_FREQUENCIES, "when frequency is below once per 3 months (Art. 17)"
        )

    @field_validator("fusion_plan")
    @classmethod
    def _fusion_planned(cls, value: FusionPlan | None, info: ValidationInfo) -> FusionPlan | None:
        demand_type = _other(info, "demand_type")
        if demand_type is _INVALID:
            return value
        return _required_iff(value, demand_type == DemandType.FUSION, "when demand_type is fusion (Art. 22)")


# ---------------------------------------------------------------- review of a demand


class DemandDecision(_Strict):
    """The responsible unit's decision on one item (Art. 20, 22)."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                given_iff("reason_code", equals("decision", "reject")),
                given_iff("legal_basis", equals("reason_code", "legal_basis")),
                given_iff("nonconforming", equals("reason_code", "nonconforming")),
                present_when("reason", equals("decision", "reject")),
                absent_when("entry_id", equals("decision", "reject")),
                given_iff("version", given("entry_id")),
            ]
        }
    )
    schema_: Literal["putuo.demand-decision/1"] = Field(alias="schema")
    demand_id: Id
    item: ItemIndex
    decision: Literal["approve", "reject"]
    # When the officer signed it (their tool stamps it): the contract takes a decision signed by
    # the due time within a bounded grace after it (Art. 20), so relay lag never defeats it.
    signed_at: ShanghaiTime
    reason_code: RejectReason | None = Field(default=None, validate_default=True)
    legal_basis: LegalCitation | None = Field(default=None, validate_default=True)
    # A non-conformity names the Art. 17 elements that do not conform (the demand unit may dispute it).
    nonconforming: (
        Annotated[
            list[Art17Element],
            Field(min_length=1, max_length=8, json_schema_extra={"uniqueItems": True}),
            AfterValidator(_distinct),
        ]
        | None
    ) = Field(default=None, validate_default=True)
    reason: LongText | None = Field(default=None, validate_default=True)
    entry_id: Id | None = Field(default=None, validate_default=True)
    version: Version | None = Field(default=None, validate_default=True)

    @field_validator("reason_code")
    @classmethod
    def _coded(cls, value: RejectReason | None, info: ValidationInfo) -> RejectReason | None:
        return _required_iff_other(value, info, "decision", "reject", "with a rejection")

    @field_validator("legal_basis")
    @classmethod
    def _basis_cited(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _required_iff_other(
            value,
            info,
            "reason_code",
            RejectReason.LEGAL_BASIS,
            "when reason_code is legal_basis (Art. 20: cite the law)",
        )

    @field_validator("nonconforming")
    @classmethod
    def _named_elements(cls, value, info: ValidationInfo):
        why = "when reason_code is nonconforming (name what does not conform)"
        return _required_iff_other(value, info, "reason_code", RejectReason.NONCONFORMING, why)

    @field_validator("reason")
    @classmethod
    def _reasoned(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("decision") == "reject" and value is None:
            raise ValueError("required with a rejection")
        return value

    @field_validator("entry_id")
    @classmethod
    def _catalogued_on_approval(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("decision") == "reject":
            raise ValueError("only allowed with an approval (the entry catalogued for the item, Art. 22)")
        return value

    @field_validator("version")
    @classmethod
    def _paired(cls, value: int | None, info: ValidationInfo) -> int | None:
        entry_id = _other(info, "entry_id")
        if entry_id is _INVALID:
            return value
        return _required_iff(value, entry_id is not None, "with an entry_id: both set, or neither")


class PlanReview(_Strict):
    """The Data Center's review of a fusion plan or technical evaluation (Art. 21, 22)."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                given_iff("reason_code", equals("decision", "return")),
                present_when("reason", equals("decision", "return")),
            ]
        }
    )
    schema_: Literal["putuo.plan-review/1"] = Field(alias="schema")
    demand_id: Id
    decision: Literal["approve", "return"]
    reason_code: ReasonCode | None = Field(default=None, validate_default=True)
    reason: LongText | None = Field(default=None, validate_default=True)

    @field_validator("reason_code")
    @classmethod
    def _coded(cls, value: int | None, info: ValidationInfo) -> int | None:
        decision = _other(info, "decision")
        if decision is _INVALID:
            return value
        return _required_iff(value, decision == "return", "with a return")

    @field_validator("reason")
    @classmethod
    def _reasoned(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("decision") == "return" and value is None:
            raise ValueError("required with a return")
        return value


# ---------------------------------------------------------------- grants (Art. 22, 26, 31)


class FusionServed(_Strict):
    schema_: Literal["putuo.fusion-served/1"] = Field(alias="schema")
    grant_id: Id
    note: LongText


class UsageRecord(_Strict):
    """A use of the grant (Art. 30), with the time it happened."""

    schema_: Literal["putuo.grant-use/1"] = Field(alias="schema")
    grant_id: Id
    used_at: ShanghaiTime
    calls: Annotated[int, Field(ge=1, le=2**53 - 1)]


class ConformityReview(PlanReview):
    """The Data Center's confirmation that a scenario-route application conforms (Art. 19
    且满足规范性要求), or its return with the reason."""

    schema_: Literal["putuo.conformity-review/1"] = Field(alias="schema")
    decision: Literal["confirm", "return"]


class IdleReasonReview(_Strict):
    """The Data Center's acceptance or refusal of a reason filed for idleness (Art. 26)."""

    schema_: Literal["putuo.idle-reason-review/1"] = Field(alias="schema")
    grant_id: Id
    decision: Literal["accept", "refuse"]
    reason: LongText


class IdleReason(_Strict):
    """Why the grant may stay unused, and until which day (Art. 26)."""

    schema_: Literal["putuo.idle-reason/1"] = Field(alias="schema")
    grant_id: Id
    reason: LongText
    until: ShanghaiDate


class _GrantReason(_Strict):
    """A step on a grant that states its reason: an objection, a reinstatement, a dismissal, a termination."""

    grant_id: Id
    reason: LongText


class ReportRecipient(str, Enum):
    """Who an Art. 31 action is reported to (报送相关数据安全监管部门、区府办, Art. 4, 31)."""

    DISTRICT_OFFICE = "district_office"  # 区府办
    CYBERSPACE = "cyberspace"  # 区委网信办
    PUBLIC_SECURITY = "public_security"  # 区公安分局
    STATE_SECURITY = "state_security"  # 区安全分局


REGULATORS = frozenset({ReportRecipient.CYBERSPACE, ReportRecipient.PUBLIC_SECURITY, ReportRecipient.STATE_SECURITY})


def _reported(value: list[ReportRecipient]) -> list[ReportRecipient]:
    if ReportRecipient.DISTRICT_OFFICE not in value or not REGULATORS & set(value):
        raise ValueError("an Art. 31 action is reported to the Office (district_office) and a data security regulator")
    return value


ReportedTo = Annotated[
    list[ReportRecipient],
    Field(
        min_length=2,
        max_length=4,
        json_schema_extra={
            "uniqueItems": True,
            "allOf": [
                {"contains": {"const": ReportRecipient.DISTRICT_OFFICE.value}},
                {"contains": {"enum": sorted(r.value for r in REGULATORS)}},
            ],
        },
    ),
    AfterValidator(_distinct),
    AfterValidator(_reported),
]


class SecuritySuspension(_Strict):
    """Art. 31: the Data Center suspends a grant at once for a security risk, and reports it."""

    schema_: Literal["putuo.grant-suspension/1"] = Field(alias="schema")
    grant_id: Id
    risk: LongText
    reported_to: ReportedTo


class Objection(_GrantReason):
    schema_: Literal["putuo.grant-objection/1"] = Field(alias="schema")


class Reinstatement(_GrantReason):
    schema_: Literal["putuo.grant-reinstatement/1"] = Field(alias="schema")


class ObjectionDismissal(_GrantReason):
    schema_: Literal["putuo.objection-dismissal/1"] = Field(alias="schema")
    reason_code: ReasonCode


class TerminationGround(str, Enum):
    """Why a grant ends (the action's code): the holder's own (Art. 26), or one of the Data Center's."""

    NO_LONGER_NEEDED = "no_longer_needed"  # the demand unit (Art. 26), code 0
    SECURITY_RISK = "security_risk"  # the Data Center (Art. 31), code 1: reported like a suspension
    CATALOG_ADJUSTMENT = "catalog_adjustment"  # the Data Center (Art. 14), code 2: an entry deleted or changed
    SCENARIO_WITHDRAWN = "scenario_withdrawn"  # the Data Center (Art. 19), code 3: its registered scenario withdrawn


class Termination(_GrantReason):
    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                given_iff("reported_to", equals("ground", TerminationGround.SECURITY_RISK.value)),
            ]
        }
    )
    schema_: Literal["putuo.grant-termination/1"] = Field(alias="schema")
    ground: TerminationGround = TerminationGround.NO_LONGER_NEEDED
    reported_to: ReportedTo | None = Field(default=None, validate_default=True)

    @field_validator("reported_to")
    @classmethod
    def _reported_iff_security(cls, value, info: ValidationInfo):
        why = "for a security_risk termination (Art. 31)"
        return _required_iff_other(value, info, "ground", TerminationGround.SECURITY_RISK, why)


# ---------------------------------------------------------------- scenarios, plans, cases


class ScenarioEvaluation(_Strict):
    """A scenario the Data Center registers for the scenario route (Art. 19 (1)–(3)) with its
    basis: a certified 一网通办 / 一网统管 item or standard scenario (1), a key-work scenario it
    evaluated for named units and named data (2), a registered cross-department system (3)."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                given_iff("key_work", equals("class", 2)),
                {
                    "if": equals("class", 2),
                    "then": {"properties": {"units": {"minItems": 1}, "entries": {"minItems": 1}}},
                },
            ]
        }
    )
    schema_: Literal["putuo.scenario-evaluation/1"] = Field(alias="schema")
    scenario_code: Text
    name: Text
    klass: int = Field(alias="class", ge=1, le=3)
    basis: LongText  # the certification, the evaluation's grounds, or the system's registration
    key_work: LongText | None = Field(default=None, validate_default=True)  # class 2: the key work it serves
    units: Ids = Field(default_factory=list)  # the units it authorises; none: any (classes 1 and 3)
    entries: Ids = Field(default_factory=list)  # the catalog entries it authorises; none: any
    plan: LongText
    conclusion: LongText

    @field_validator("key_work")
    @classmethod
    def _key_work_of_class2(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _required_iff_other(value, info, "klass", 2, "when class is 2 (Art. 19 (2))")

    @field_validator("units", "entries")
    @classmethod
    def _named_for_class2(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if info.data.get("klass") == 2 and not value:
            raise ValueError("a class-2 scenario names the units and the data it is evaluated for (Art. 19 (2))")
        return value


class ScenarioWithdrawal(_Strict):
    schema_: Literal["putuo.scenario-withdrawal/1"] = Field(alias="schema")
    scenario_code: Text
    reason: LongText


class AdjustmentPlan(_Strict):
    """How a change to an entry that live grants use is handled (Art. 14)."""

    schema_: Literal["putuo.adjustment-plan/1"] = Field(alias="schema")
    entry_id: Id
    change: LongText
    affected_grants: Annotated[Ids, Field(min_length=1)]
    notified_units: Annotated[Ids, Field(min_length=1)]
    plan: LongText
    # What the live grants do once the change is approved: move to the new version, or end (a
    # deletion ends them whatever the plan says). The Data Center and every affected demand unit
    # acknowledge the plan before the change may be requested (putuo.adjustment-acknowledgement/1).
    disposition: Literal["move", "end"]


class AdjustmentAcknowledgement(_Strict):
    """The Data Center's or an affected demand unit's agreement to an entry's adjustment plan (Art. 14)."""

    schema_: Literal["putuo.adjustment-acknowledgement/1"] = Field(alias="schema")
    entry_id: Id
    note: LongText | None = None


class Dispute(_Strict):
    """A dispute over a demand item, after the parties' own negotiation (Art. 24)."""

    schema_: Literal["putuo.dispute/1"] = Field(alias="schema")
    demand_id: Id
    item: ItemIndex
    about: DisputeAbout
    statement: LongText
    negotiation: LongText


class DisputeResolution(_Strict):
    schema_: Literal["putuo.dispute-resolution/1"] = Field(alias="schema")
    demand_id: Id
    item: ItemIndex
    outcome: Literal["settled", "upheld", "overturned"]
    text: LongText


class Escalation(_Strict):
    """A demand the district cannot serve, sent to the city (Art. 23)."""

    schema_: Literal["putuo.escalation/1"] = Field(alias="schema")
    demand_id: Id
    reason: LongText
    city_request: LongText


class EscalationOutcome(_Strict):
    schema_: Literal["putuo.escalation-outcome/1"] = Field(alias="schema")
    demand_id: Id
    outcome: Literal["served", "refused"]
    text: LongText
