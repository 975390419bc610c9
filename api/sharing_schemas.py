"""Request and response bodies of the sharing routes (demands, grants, the check)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api import schemas
from api.schemas import EXAMPLE_SIGNATURE, Nonce, Signature
from chain.sharing import SIGNED_KINDS
from protocol.schemas import SHARING_MODELS, openapi_commitment, openapi_document
from sharing.document import Application, DemandDecision, Objection, Termination

# The document of a body that carries any signed step: the one its `kind` names.
StepDocument = openapi_document(*SHARING_MODELS, description="The document of the step `kind` names (docs/schemas/)")

KIND_PATTERN = "^(" + "|".join(k.name.lower() for k in SIGNED_KINDS) + ")$"
UNIT = schemas.EXAMPLE_COMMITMENT["signing_unit_id"]
OWNER = "0x" + "0a" * 32
ENTRY = "0x" + "e1" * 32
DEMAND = "0x" + "de" * 32

EXAMPLE_APPLICATION = {
    "schema": "putuo.demand/1",
    "application_no": "普数需〔2026〕17号",
    "demand_unit_id": UNIT,
    "demand_type": "routine",
    "scenario": {"code": schemas.EXAMPLE_COMMITMENT["scenario"], "name": "低保申请家庭工商登记核实", "class": 0},
    "legal_basis": "《上海市数据条例》第三十条；《普陀区公共数据共享管理办法》第十七条",
    "business_goal": "核实低保申请家庭成员名下的企业登记信息",
    "resources": [{"entry_id": ENTRY, "version": 1, "owner_unit_id": OWNER, "items": ["企业名称", "法定代表人"]}],
    "method": "interface",
    "frequency": "monthly",
    "security_level": "L2",
    "safeguards": ["专人专岗", "访问日志留存六个月"],
}
# The commitments route's real, verifying example (an unregistered key: the API would refuse it).
EXAMPLE_COMMITMENT = {"document": schemas.EXAMPLE_COMMITMENT, "signature": schemas.EXAMPLE_COMMITMENT_SIGNATURE}
EXAMPLE_DECISION = {
    "schema": "putuo.demand-decision/1",
    "signed_at": "2026-03-02T10:00:00+08:00",
    "demand_id": DEMAND,
    "item": 0,
    "decision": "reject",
    "reason_code": "legal_basis",
    "legal_basis": "《中华人民共和国个人信息保护法》第十三条",
    "reason": "该数据项不予共享",
}
EXAMPLE_USE = {"schema": "putuo.grant-use/1", "grant_id": DEMAND, "used_at": "2026-03-03T10:15:00+08:00", "calls": 12}
EXAMPLE_TERMINATION = {"schema": "putuo.grant-termination/1", "grant_id": DEMAND, "reason": "业务调整，不再使用"}
EXAMPLE_OBJECTION = {"schema": "putuo.grant-objection/1", "grant_id": DEMAND, "reason": "该月为系统迁移期，已报备"}


class Commitment(BaseModel):
    """The demand unit's signed commitment (Art. 18): `putuo.commitment/1` and its detached
    `putuo.signature/1` (from `ledger sign` or POST /v1/commitments/sign)."""

    model_config = ConfigDict(extra="forbid")
    document: openapi_commitment()
    signature: dict[str, Any]


class DemandIdRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"document": EXAMPLE_APPLICATION}]})
    document: openapi_document(Application)


class DemandIdAnswer(BaseModel):
    demand_id: str = Field(
        description="keccak256(abi.encode(demand unit id, keccak256(canonical document))): "
        "what the commitment's demand_id must be"
    )
    commitment_template: dict[str, Any] = Field(
        description="The commitment to sign, but for officer_key_id, scheme and signed_at"
    )


class SharingTypedDataRequest(BaseModel):
    """What to sign: the API derives the step's on-chain fields from the document."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"kind": "apply", "document": EXAMPLE_APPLICATION, "nonce": "1", "commitment": EXAMPLE_COMMITMENT},
                {"kind": "decide", "document": EXAMPLE_DECISION, "nonce": "2"},
            ]
        },
    )
    kind: Annotated[str, Field(pattern=KIND_PATTERN)]
    document: StepDocument
    nonce: Nonce
    commitment: Commitment | None = None


class SharingAction(BaseModel):
    """A signed sharing step: its kind, document, nonce and the officer's EIP-712 signature."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"kind": "decide", "document": EXAMPLE_DECISION, "nonce": "2", "signature": EXAMPLE_SIGNATURE},
                {"kind": "record_use", "document": EXAMPLE_USE, "nonce": "3", "signature": EXAMPLE_SIGNATURE},
            ]
        },
    )
    kind: Annotated[str, Field(pattern=KIND_PATTERN)]
    document: StepDocument
    nonce: Nonce
    signature: Signature
    commitment: Commitment | None = None


class SharingActionBatch(BaseModel):
    """Signed sharing steps accepted together or not at all, simulated in order."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "actions": [
                        {"kind": "record_use", "document": EXAMPLE_USE, "nonce": "3", "signature": EXAMPLE_SIGNATURE},
                        {
                            "kind": "record_use",
                            "document": {**EXAMPLE_USE, "used_at": "2026-03-04T09:00:00+08:00"},
                            "nonce": "4",
                            "signature": EXAMPLE_SIGNATURE,
                        },
                    ]
                }
            ]
        },
    )
    actions: Annotated[list[SharingAction], Field(min_length=1, max_length=500)]


class ApplicationBody(BaseModel):
    """An application (Art. 17) with its signed commitment (Art. 18)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "document": EXAMPLE_APPLICATION,
                    "commitment": EXAMPLE_COMMITMENT,
                    "nonce": "1",
                    "signature": EXAMPLE_SIGNATURE,
                },
            ]
        },
    )
    document: openapi_document(Application)
    commitment: Commitment
    nonce: Nonce
    signature: Signature


class DecisionBody(BaseModel):
    """The responsible unit's signed decision on one item (Art. 20, 22)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"document": EXAMPLE_DECISION, "nonce": "2", "signature": EXAMPLE_SIGNATURE}]},
    )
    document: openapi_document(DemandDecision)
    nonce: Nonce
    signature: Signature


class ObjectionBody(BaseModel):
    """The demand unit's signed objection to a suspension (Art. 26)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"document": EXAMPLE_OBJECTION, "nonce": "5", "signature": EXAMPLE_SIGNATURE}]},
    )
    document: openapi_document(Objection)
    nonce: Nonce
    signature: Signature


class TerminationBody(BaseModel):
    """A signed termination of a grant (Art. 26, 31)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"document": EXAMPLE_TERMINATION, "nonce": "6", "signature": EXAMPLE_SIGNATURE}]
        },
    )
    document: openapi_document(Termination)
    nonce: Nonce
    signature: Signature


class PermissionlessStep(BaseModel):
    """A step that only applies the passage of time, taken by the platform's account."""

    kind: str = Field(description="finalise_item | suspend_idle | finalise_lapse | follow_adjustment")
    tx_hash: str
    block_number: int


class StepProof(BaseModel):
    """One step with what proves it on-chain."""

    kind: str
    item: int
    unit_id: str | None = Field(description="The acting unit; null for a permissionless step")
    actor: str = Field(description="The officer key, or the account that took a permissionless step")
    code: int
    at: int
    document: Any
    document_hash: str
    block_number: int
    block_time: int
    tx_hash: str
    log_index: int


class DemandItem(BaseModel):
    item: int
    owner_unit_id: str
    entry_id: str | None
    version: int | None
    data: str = Field(
        description="Art. 22, the data asked for: `ready` (catalogued, approved and collected to the "
        "platform), `uncatalogued` (not in the catalog yet) or `not_collected` (catalogued, not yet "
        "collected); data not ready gets 15 working days and is never deemed approved"
    )
    status: str
    opened_at: int
    due_at: int
    decided_at: int
    code: int
    decider: str | None
    overdue: bool = Field(description="Pending after its due time (judged at `now`)")
    deemed_approvable: bool = Field(description="Anyone may finalise it as deemed approved now (Art. 20)")


class DemandPublic(BaseModel):
    demand_id: str
    unit_id: str
    status: str
    route: str
    scenario_code: str
    scenario_class: int
    method: str
    form: str
    frequency: str
    security_level: int
    fusion: bool
    plan_status: str
    plan_due_at: int
    conformity_status: str = Field(description="none | pending | approved | returned: the Data Center's (Art. 19)")
    conformity_due_at: int
    document_problem: str | None
    serve_due_at: int
    applied_at: int
    closed_at: int
    document: Any
    commitment: dict[str, Any] = Field(
        description="scheme, key_id, document, document_hash, signature: re-verify "
        "it from the chain with `ledger verify --on-chain`"
    )
    items: list[DemandItem]
    now: int


class IncomingItem(DemandItem):
    demand_id: str
    demand_unit_id: str
    scenario_code: str
    applied_at: int


class IncomingPage(schemas.Page):
    items: list[IncomingItem]
    now: int = Field(description="The chain's time the overdue flags are judged at")


class DemandPage(schemas.Page):
    items: list[DemandPublic]


class GrantResource(BaseModel):
    entry_id: str
    version: int
    items: list[str] = Field(description="The data items granted, sorted (their hash is signed on-chain)")


class GrantPublic(BaseModel):
    grant_id: str
    unit_id: str
    scenario_code: str
    scenario_class: int
    method: str
    form: str = Field(description="full | subject_authorised | comparison_result | desensitised (Art. 19 (4))")
    frequency: str
    security_level: int
    document_problem: str | None = Field(description="Why the application's document disagrees with its terms")
    status: str
    suspension: str
    objection_pending: bool
    objection_answer_due_at: int = Field(description="When the Data Center's answer to the objection is due")
    issued_at: int
    last_used_at: int
    idle_from: int = Field(description="When anyone may suspend it for idleness (0 unless active)")
    excused_until: int = Field(description="Until when a reason the Data Center accepted excuses idleness")
    reason_until: int = Field(description="A reason awaiting the Data Center's review asks until when (0: none)")
    reason_due_at: int = Field(description="When the Data Center's review of that reason is due")
    suspended_at: int
    objection_due_at: int
    serve_due_at: int
    served_at: int
    terminated_at: int
    termination: str
    resources: list[GrantResource]


class GrantPage(schemas.Page):
    items: list[GrantPublic]


class GrantHistory(BaseModel):
    grant_id: str
    issued: StepProof | None = Field(description="The transaction that issued the grant")
    steps: list[StepProof]


class CheckAnswer(BaseModel):
    """May the unit use the resource for the scenario by the method now (Art. 25)?"""

    allowed: bool
    reason: str = Field(
        description="granted | no_grant | not_grant_holder | entry_deleted | entry_not_shared | entry_invalid"
        " | entry_changed | document_mismatch"
        " | scenario_withdrawn | before_grant | terminated | suspended | idle | version_not_pinned | item_not_granted"
        " | form_not_granted | method_not_granted | scenario_not_granted"
    )
    message: str
    grant_id: str | None = None
    version: int | None = Field(None, description="The catalog version the grant is pinned to")
    now: int


class ScenarioPublic(BaseModel):
    scenario_id: str
    code: str
    name: str
    scenario_class: int = Field(description="Art. 19 (1), (2) or (3)")
    units: list[str] = Field(description="The units it authorises; empty: any")
    entries: list[str] = Field(description="The catalog entries it authorises; empty: any")
    approved: bool
    approved_at: int
    withdrawn_at: int
    evaluation_hash: str


class ScenarioPage(schemas.Page):
    items: list[ScenarioPublic]


class Case(BaseModel):
    """One case on the Office's desk (Art. 23, 24), with the step that opened it."""

    kind: Literal["dispute", "sendable", "escalation"] = Field(
        description="`dispute`: a demand item's dispute taken to the Office and not yet coordinated "
        "(Art. 24); `sendable`: a demand every item of which was refused, never sent to the city "
        "platform (Art. 23); `escalation`: a demand sent to the city platform, its answer not yet recorded"
    )
    demand_id: str
    unit_id: str = Field(description="The demand unit")
    application_no: str | None = Field(description="The application's number, from its document")
    item: int | None = Field(description="A dispute's demand item; null for the other kinds")
    owner_unit_id: str | None = Field(description="A dispute item's responsible unit; null for the other kinds")
    step: StepProof | None = Field(
        description="The open_dispute or escalate step, with its on-chain proof; null for `sendable`"
    )


class CasePage(schemas.Page):
    items: list[Case]


class LiveGrant(BaseModel):
    grant_id: str
    unit_id: str
    status: str = Field(description="active | suspended")


class EntryAdjustment(BaseModel):
    """What an adjustment plan for a change to the entry must name (Art. 14), and its plans so far."""

    entry_id: str
    live_grants: list[LiveGrant] = Field(
        description="The grants not terminated that pin a version of the entry: every one for the "
        "entry's unit and the overseers, else the caller's unit's own"
    )
    steps: list[StepProof] = Field(
        description="record_adjustment_plan and acknowledge_adjustment steps on the entry, oldest first"
    )
