"""Request and response bodies (apart from the ORM models)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from catalog.document import CatalogDocument, CollectionRecord, DeletionRequest, ReviewNote
from protocol.schemas import CATALOG_MODELS, openapi_commitment, openapi_document

Hex32 = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{64}$", examples=["0x" + "ab" * 32])]


def _fits_uint256(value: str) -> str:
    if int(value) >= 2**256:
        raise ValueError("must be below 2**256 (the contract's uint256)")
    return value


Nonce = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{1,78}$",
        description="Unsigned decimal below 2**256, unique per signer",
        examples=["271828182845904523536"],
    ),
    AfterValidator(_fits_uint256),
]
Signature = Annotated[str, Field(description="65-byte r‖s‖v EIP-712 signature, 0x-hex", examples=["0x" + "11" * 65])]

EXAMPLE_DOCUMENT = {
    "schema": "putuo.catalog/1",
    "code": "MZJ-0001",
    "name": "最低生活保障对象信息",
    "description": "全区最低生活保障对象的家庭成员、保障金额与认定时间。",
    "source": {"system": "上海市社会救助管理信息系统", "method": "generated"},
    "update_frequency": "monthly",
    "classification": {"category": "民生保障", "grade": "L3"},
    "sharing": {"attribute": "conditional", "conditions": "仅限社会救助、帮困相关业务使用"},
    "opening": {"attribute": "not_open", "basis": "涉及个人隐私，《个人信息保护法》第二十八条"},
    "coverage": {"area": "普陀区", "period": "2015年至今"},
    "managing_agency": "普陀区民政局社会救助科",
    "data_items": [
        {"name": "姓名", "type": "string"},
        {"name": "公民身份号码", "type": "string"},
        {"name": "保障金额", "type": "decimal", "description": "元/月"},
    ],
    "basis_event": {"kind": "system_acceptance", "date": "2026-02-26"},
}


EXAMPLE_SIGNATURE = "0x" + "11" * 65


class SignedBody(BaseModel):
    """A document with the officer's EIP-712 signature over it (see POST /v1/catalog/typed-data)."""

    # One example per kind of document this body carries: a version, a deletion request, a review, a collection.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "document": {**EXAMPLE_DOCUMENT, "update_frequency": "weekly"},
                    "nonce": "2",
                    "signature": EXAMPLE_SIGNATURE,
                },
                {
                    "document": {"schema": "putuo.catalog-deletion/1", "reason": "该信息系统已下线，数据资源不再产生"},
                    "nonce": "3",
                    "signature": EXAMPLE_SIGNATURE,
                },
                {
                    "document": {"schema": "putuo.catalog-review/1", "decision": "approve"},
                    "nonce": "4",
                    "signature": EXAMPLE_SIGNATURE,
                },
                {
                    "document": {
                        "schema": "putuo.catalog-review/1",
                        "decision": "return",
                        "reason_code": 1,
                        "reason": "缺少数据项说明，请补充后重新提交",
                    },
                    "nonce": "5",
                    "signature": EXAMPLE_SIGNATURE,
                },
                {
                    "document": {"schema": "putuo.catalog-collection/1", "description": "已归集至区大数据资源分平台"},
                    "nonce": "6",
                    "signature": EXAMPLE_SIGNATURE,
                },
            ]
        },
    )
    document: openapi_document(
        *CATALOG_MODELS,
        description="The step's document, by the route: a version, a "
        "deletion request, a review note or a collection record (docs/schemas/)",
    )
    nonce: Nonce
    signature: Signature


class SubmitBody(SignedBody):
    entry_id: Hex32 = Field(description="keccak256(unit id ‖ utf-8 code): GET /v1/catalog/entry-id computes it")
    document: openapi_document(CatalogDocument)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "entry_id": "0x" + "ab" * 32,
                    "document": EXAMPLE_DOCUMENT,
                    "nonce": "1",
                    "signature": EXAMPLE_SIGNATURE,
                }
            ]
        },
    )


class VersionBody(SignedBody):
    """A new version of an entry: a resubmission (Art. 13) or a change request (Art. 14)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "document": {**EXAMPLE_DOCUMENT, "update_frequency": "weekly"},
                    "nonce": "2",
                    "signature": EXAMPLE_SIGNATURE,
                }
            ]
        },
    )
    document: openapi_document(CatalogDocument, description="The entry's new version, `putuo.catalog/1`")


class DeletionBody(SignedBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "document": {"schema": "putuo.catalog-deletion/1", "reason": "该信息系统已下线，数据资源不再产生"},
                    "nonce": "3",
                    "signature": EXAMPLE_SIGNATURE,
                }
            ]
        },
    )
    document: openapi_document(DeletionRequest, description="Why the entry goes, `putuo.catalog-deletion/1`")


class ReviewBody(SignedBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "document": {"schema": "putuo.catalog-review/1", "decision": "approve"},
                    "nonce": "4",
                    "signature": EXAMPLE_SIGNATURE,
                },
                {
                    "document": {
                        "schema": "putuo.catalog-review/1",
                        "decision": "return",
                        "reason_code": 1,
                        "reason": "缺少数据项说明，请补充后重新提交",
                    },
                    "nonce": "5",
                    "signature": EXAMPLE_SIGNATURE,
                },
            ]
        },
    )
    document: openapi_document(ReviewNote, description="The Data Center's review note, `putuo.catalog-review/1`")


class CollectionBody(SignedBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "document": {"schema": "putuo.catalog-collection/1", "description": "已归集至区大数据资源分平台"},
                    "nonce": "6",
                    "signature": EXAMPLE_SIGNATURE,
                }
            ]
        },
    )
    document: openapi_document(CollectionRecord, description="The collection record, `putuo.catalog-collection/1`")


class TypedDataRequest(BaseModel):
    """What to sign: the API returns the EIP-712 message for it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "submit",
                    "entry_id": "0x" + "ab" * 32,
                    "version": 0,
                    "document": EXAMPLE_DOCUMENT,
                    "nonce": "1",
                },
                {
                    "kind": "review",
                    "entry_id": "0x" + "ab" * 32,
                    "version": 1,
                    "document": {"schema": "putuo.catalog-review/1", "decision": "approve"},
                    "nonce": "4",
                },
            ]
        },
    )
    kind: Annotated[str, Field(pattern="^(submit|resubmit|request_change|request_delete|review|record_collection)$")]
    entry_id: Hex32
    version: Annotated[int, Field(ge=0, le=2**32 - 1, strict=True)] = 0
    document: openapi_document(*CATALOG_MODELS)
    nonce: Nonce


class ActionItem(SignedBody):
    """One signed action of a batch: what the per-action routes take, plus what they put in the path."""

    kind: Annotated[str, Field(pattern="^(submit|resubmit|request_change|request_delete|review|record_collection)$")]
    entry_id: Hex32
    version: Annotated[int, Field(ge=0, le=2**32 - 1, strict=True)] = 0


class ActionBatch(BaseModel):
    """Signed actions accepted together or not at all, simulated in order."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "actions": [
                        {
                            "kind": "submit",
                            "entry_id": "0x" + "ab" * 32,
                            "document": EXAMPLE_DOCUMENT,
                            "nonce": "1",
                            "signature": "0x" + "11" * 65,
                        },
                        {
                            "kind": "review",
                            "entry_id": "0x" + "cd" * 32,
                            "version": 1,
                            "nonce": "2",
                            "signature": "0x" + "22" * 65,
                            "document": {"schema": "putuo.catalog-review/1", "decision": "approve"},
                        },
                    ]
                }
            ]
        },
    )
    actions: Annotated[list[ActionItem], Field(min_length=1, max_length=500)]


SubjectType = Literal[
    "entry",
    "demand",
    "grant",
    "scenario",
    "responsibility",
    "refusal",
    "setting",
    "export",
    "update",
    "reconciliation",
    "objection",
    "incident",
    "report",
    "evaluation",
    "results",
    "notice",
]


class AcceptedBatch(BaseModel):
    accepted: list["Accepted"] = Field(
        description="One answer per action, in the batch's order; poll each with GET /v1/catalog/actions/{action_id}"
    )


class Accepted(BaseModel):
    """A signed action accepted for the chain (202); the `Location` header is its status URL."""

    action_id: str = Field(description="The EIP-712 digest: poll GET /v1/catalog/actions/{action_id}")
    subject_type: SubjectType = Field(
        description="What the action acts on: a catalog entry, a demand, a grant or a "
        "scenario (an adjustment plan acts on an entry)"
    )
    subject_id: str = Field(description="That subject's id (entry_id, demand_id, grant_id or scenario_id)")
    signer: str
    status: str = Field(description="accepted | sent | confirmed | rejected")
    entry_id: str = Field(
        deprecated=True,
        description="Deprecated: the same as `subject_id` whatever the subject's "
        "type (a demand's id too); read `subject_id`",
    )


class ActionStatus(BaseModel):
    action_id: str
    subject_type: SubjectType
    subject_id: str
    signer: str
    status: str = Field(description="accepted | sent | confirmed | rejected")
    tx_hash: str | None
    error: Rejection | None = Field(description="Why it was rejected (null unless rejected)")
    entry_id: str = Field(deprecated=True, description="Deprecated: the same as `subject_id`; read `subject_id`")


class Rejection(BaseModel):
    """Why the contract skipped an action in a batch: the `error` of the 4xx body the API answers
    when it refuses the same action itself (`api.errors.rejection`)."""

    code: str = Field(examples=["signer_not_active"])
    message: str = Field(
        examples=["the signing key is not an active officer key: SignedActionSignerNotActive(signer=0x…)"]
    )
    field: str | None = Field(examples=["signature"])
    contract_error: str = Field(examples=["SignedActionSignerNotActive"])
    contract_args: dict[str, Any] | None = Field(
        None, description="That error's arguments (null for an action rejected before the outbox kept them)"
    )


class EntrySummary(BaseModel):
    entry_id: str
    unit_id: str
    code: str
    name: str
    description: str
    status: str
    sharing: str
    opening: str
    category: str
    grade: str
    update_frequency: str
    latest_version: int
    approved_version: int
    pending_version: int
    created_at: int
    resubmit_due_at: int = Field(description="Art. 13: when a returned entry must be resubmitted (0: none owed)")
    collection_due_at: int = Field(description="Art. 15: when the data must be collected (0: not approved yet)")
    collected_at: int = Field(description="When the Data Center recorded the collection (0: not yet)")
    document_problem: str | None = Field(
        description="Why the shown version's document cannot be judged (`not_json`, `not_canonical`, "
        "`schema_invalid: <field>: <message>`), null when it can: such an entry, taken by the contract "
        "from a direct call, is no normal entry (left out of lists and searches; never a resource)"
    )


class EntryPublic(EntrySummary):
    document: dict[str, Any] = Field(description="The approved version's document (the latest if none is approved)")


class Page(BaseModel):
    """The paging fields every paged collection answers with, beside its `items` (api/paging.py)."""

    limit: int = Field(description="The page size asked for")
    offset: int = Field(description="Items skipped before this page")
    has_more: bool = Field(description="Whether items follow this page (ask again with offset + limit)")
    total: int = Field(description="Items matching the filters, on every page")


class EntryPage(Page):
    items: list[EntrySummary]
    total: int | None = Field(
        description="Entries matching the filters; null for a full-text search (`q`), which "
        "stops after the page instead of counting every match"
    )


class Proof(BaseModel):
    """Where to find a step on-chain, to check it from the chain alone."""

    tx_hash: str
    block_number: int
    document_hash: str
    signer: str


class VersionPublic(BaseModel):
    version: int
    kind: str
    status: str
    document: dict[str, Any]
    submitted_at: int
    due_at: int = Field(description="When its review is due: 1 working day (Art. 13, 14)")
    declared_at: int = Field(description="First version: the approval/acceptance time the unit declared")
    compile_due_at: int = Field(
        description="First version: Art. 11 due, 10 working days after `declared_at` "
        "(0 when that year's calendar is not on-chain)"
    )
    sharing: Literal["", "unconditional", "conditional", "not_shared"] = Field(
        description="The sharing attribute the officer signed with this version, which the contract "
        "enforces (Art. 7: a not_shared entry is never granted); empty for a deletion request"
    )
    document_problem: str | None = Field(
        description="Why this version's document cannot be judged: `not_json`, `not_canonical` (not RFC 8785 "
        "canonical JSON) or `schema_invalid: <field>: <message>`; null when it can. The contract takes any "
        "document signed to it directly; the API refuses to approve such a version, or to apply for it"
    )
    submission: Proof
    reviewed_at: int | None
    review_reason_code: int | None
    review_document: dict[str, Any] | None
    review: Proof | None


class ReviewData(BaseModel):
    """What the Data Center looks at (Art. 13): the pending version and possible duplicates."""

    entry: EntryPublic
    pending_version: VersionPublic | None
    duplicates: list[EntrySummary]


class UnitPublic(BaseModel):
    unit_id: str = Field(description='keccak256("putuo.unit:" ‖ code), derived on-chain')
    code: str = Field(description="The unit's own code, as registered by the Office", examples=["PT-MZJ"])
    kind: str
    name: str
    registered_block: int


class KeyPublic(BaseModel):
    key_id: str
    unit_id: str
    scheme: str
    public_key: str
    registered_at: int
    revoked_at: int | None
    active: bool


class ErrorDetail(BaseModel):
    code: str = Field(examples=["invalid_document"])
    message: str = Field(examples=["document.sharing: Value error, not_shared needs the legal `basis`"])
    field: str | None = Field(examples=["document.sharing"])
    errors: list[dict[str, Any]] | None = Field(None, description="Every invalid field, when there are several")
    contract_error: str | None = Field(
        None, description="The contract's custom error the action would revert with", examples=["CatalogNotOwner"]
    )
    contract_args: dict[str, Any] | None = Field(None, description="That error's arguments")


class ErrorBody(BaseModel):
    error: ErrorDetail


# --- commitments (承诺书, Art. 18) ----------------------------------------------------------

# A real signature by a real (unregistered, publicly derivable: keccak256("putuo example officer
# sm2")) SM2 key, so the example parses and verifies cryptographically; the API answers it with
# valid: false, reason_code key_not_registered.
EXAMPLE_COMMITMENT = {
    "schema": "putuo.commitment/1",
    "demand_id": "0x6d81d6bd30fdf24ce5953273229cbad491165bdf76e7d09912debbc3fab9f8da",
    "signing_unit_id": "0x6f5fd947224b1d0a8a542e019ebc9b0d30b343fa608c3299e4078d3eb81155fc",  # PT-MZJ
    "officer_key_id": "0xc88dc8351d0b341baae27fe59705c88deb6e3a77",
    "scheme": "sm2",
    "scenario": "核实低保申请家庭的工商登记信息",
    "promises": ["需求真实", "使用目标合理", "使用过程安全合规"],
    "signed_at": "2026-05-06T09:30:00+08:00",
}
EXAMPLE_COMMITMENT_SIGNATURE = {
    "schema": "putuo.signature/1",
    "scheme": "sm2",
    "key_id": "0xc88dc8351d0b341baae27fe59705c88deb6e3a77",
    "public_key": "0x046d38a4c2f50c62d3e9135e48627c42f573ed331c81239ba93756c2da6a05a3bc"
    "6d2cda3086994a3868b426ff9af19b5fb0a8ab43023f86483f4a36faff4449b7",
    "user_id": "1234567812345678",
    "document_hash": "0x3e003dc4abe83eafd355bf7dee090a7187598cfeac6806589f67ec04214188a2",
    "signature": "0x3045022100df138f89fb6c4218ef366a2c678b528b566517a2afa17af6da6d1502e13cbf5e"
    "02205fb4ae545f5a9d95b59b689004dad9b1df4d122e7859b50d71a9a082883e8426",
}


class CommitmentVerifyRequest(BaseModel):
    """A commitment and the officer's detached signature over it, made on the officer's machine."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"document": EXAMPLE_COMMITMENT, "signature": EXAMPLE_COMMITMENT_SIGNATURE}]},
    )
    document: openapi_commitment() = Field(description="The commitment object, schema putuo.commitment/1")
    signature: dict[str, Any] = Field(
        description="Its detached signature object, schema putuo.signature/1 (`ledger sign` writes one)"
    )


class CommitmentVerification(BaseModel):
    """The commitment's signature checked against the key registered on-chain."""

    valid: bool = Field(description="Signed by the key it names, registered to the unit it names, active at signed_at")
    document_hash: str = Field(description="keccak256 of the commitment's RFC 8785 bytes: its on-chain id")
    key_id: str = Field(description="The key that signed (from the signature)")
    scheme: str
    unit_id: str | None = Field(description="The unit the key is registered to; null when it is not registered")
    unit_name: str | None
    signed_at: int = Field(
        description="The commitment's `signed_at` in unix seconds: the time the key must have been active at"
    )
    key_active_at_signing: bool = Field(description="The registry's wasActiveAt(key, signed_at)")
    reason_code: str | None = Field(
        description="Why it is not valid (stable): signature_invalid, document_changed, "
        "key_mismatch, public_key_mismatch, user_id_mismatch, "
        "key_not_registered, unit_mismatch, key_not_active_at_signing"
    )
    reason: str | None = Field(description="The same in words")


class CommitmentSignRequest(BaseModel):
    """What the platform signs for an officer whose key it holds; it sets the unit and the time itself."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "demand_id": EXAMPLE_COMMITMENT["demand_id"],
                    "officer_key_id": EXAMPLE_COMMITMENT["officer_key_id"],
                    "scenario": EXAMPLE_COMMITMENT["scenario"],
                }
            ]
        },
    )
    demand_id: Annotated[
        str, Field(pattern=r"^0x[0-9a-f]{64}$", description="The demand it belongs to (lower-case hex)")
    ]
    officer_key_id: Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$", description="A key in the platform keystore")]
    scenario: Annotated[str, Field(min_length=1, max_length=2000, description="The application scenario")]


class SignedCommitment(BaseModel):
    document: dict[str, Any] = Field(description="The commitment, putuo.commitment/1")
    signature: dict[str, Any] = Field(description="Its detached signature, putuo.signature/1")
    document_hash: str


# --- duties and the evaluation (Art. 11, 13, 14, 15, 32) -----------------------------------


class Duty(BaseModel):
    """A duty with its deadline, judged at the chain's latest block time: a catalog duty on an
    entry, or a sharing duty on a demand item, a demand or a grant (docs/RULES.md, "Duties")."""

    subject_type: str = Field(description="entry | demand_item | demand | grant | objection")
    subject_id: str = Field(description="The entry id, or the demand id (a grant's id is its demand's)")
    entry_id: str | None = Field(
        description="The entry: an entry duty's, or the entry a demand item asks for (null when not catalogued)"
    )
    unit_id: str = Field(
        description="The unit the duty concerns: the entry's or demand item's responsible unit, or the "
        "demand unit of a demand or grant (also for the Data Center's duties on them)"
    )
    owed_by: str = Field(description="Who must act: the unit's id, or `data_center`")
    rule: str = Field(
        description="art11_compile | art13_review | art13_resubmit | art14_review | art15_collect | "
        "art19_confirm | art20_review | art22_catalogue | art22_plan_review | art22_serve | "
        "art26_reason_review | art26_objection_answer"
    )
    article: str = Field(examples=["Art. 13 (1 working day)"])
    working_days: int = Field(
        description="N: due_at = the end of the N-th working day after started_at; 0 for Art. 16 "
        "(an update period's end, or the objection's due time from the Office's setting when raised)"
    )
    version: int | None = Field(
        description="The version reviewed, returned (resubmission) or first submitted "
        "(compilation), or a demand item's; null for collection and for demand and grant duties"
    )
    item: int | None = Field(
        description="The demand item's index (demand_item duties); the update period (art16_update); null otherwise"
    )
    started_at: int = Field(
        description="When the duty started: the declared approval date (Art. 11), the "
        "submission (review), the review (resubmission, collection), the application (Art. 19, 20, "
        "22 review), the plan's approval (serving), the reason or objection filed (Art. 26)"
    )
    start_tx: str = Field(description="The transaction whose event recorded due_at")
    due_at: int = Field(description="23:59:59 Asia/Shanghai of the N-th working day; 0 when not computable")
    done_at: int | None = Field(
        description="When it was met; if cancelled, when its subject closed otherwise; if missed, "
        "when the item was approved by silence"
    )
    done_tx: str | None
    state: str = Field(description="due | overdue | done_on_time | done_late | missed | unknown | cancelled")


class CalendarDuty(BaseModel):
    """The Office's duty to publish a year's working days before deadlines reach it."""

    year: int
    owed_by: str = Field("office", description="Always `office`: the Office publishes the calendar")
    rule: str = Field("calendar_publish")
    message: str
    command: str = Field(
        examples=["ledger calendar publish 2027 --notice FILE"],
        description="What fixes it: the Office publishes the State Council's notice",
    )
    due_at: int = Field(
        description="The last moment a step with the longest deadline (15 working days) still "
        "ends inside the current year; for a missing current year, now"
    )
    state: str = Field(description="due | overdue")


class DutyPage(Page):
    items: list[Duty]
    now: int = Field(description="The chain's latest block time, which the states are judged at")
    now_block: int
    calendar: list[CalendarDuty] = Field(
        default_factory=list,
        description="The Office's open calendar duties "
        "(in the district's list and the Office's own; listed while open)",
    )


class CalendarWarning(BaseModel):
    year: int
    message: str
    command: str


class CalendarHealth(BaseModel):
    chain_date: str = Field(description="The chain's date, Asia/Shanghai", json_schema_extra={"format": "date"})
    published: list[int]
    provisional: list[int] = Field(description="Years published only as a provisional demo calendar")
    warnings: list[CalendarWarning]


class DeployedContract(BaseModel):
    name: str = Field(examples=["Catalog"])
    address: str
    code_hash: str = Field(description="keccak256 of the runtime code at the address (eth_getCode)")
    code_size: int


class DeploymentPublic(BaseModel):
    """What an auditor needs besides a chain RPC URL: which chain, which contracts, from which block."""

    chain_id: int
    deploy_block: int = Field(description="Read events from this block on")
    deploy_block_hash: str = Field(description="Identifies the chain: another chain has another block here")
    office: str = Field(description="The Office account that deployed and administers the contracts")
    contracts: list[DeployedContract]


class Health(BaseModel):
    chain_head: int
    mirror_block: int | None
    outbox_pending: int
    calendar: CalendarHealth
    deployment: DeploymentPublic


class RuleFigures(BaseModel):
    """One rule group's duties due in the period (by the Asia/Shanghai date of due_at)."""

    judged: int = Field(description="on_time + late + overdue (+ missed, for a sharing group)")
    on_time: int
    late: int = Field(description="Done late, or cancelled (entry deleted) after the due time")
    overdue: int = Field(description="Still open and past due")
    open: int = Field(description="Still open, not yet due: not judged")
    unknown: int = Field(description="No computable due time (Art. 11): not judged; counted by the done date")
    rate: float | None = Field(description="on_time / judged; null when nothing was judged")


class SharingRuleFigures(RuleFigures):
    """One sharing rule group's duties due in the period; `missed` is judged, never on time."""

    missed: int = Field(description="Closed without the one who owed it acting: an item approved by silence (Art. 20)")
    late: int = Field(description="Done late, or cancelled (demand closed, grant ended) after the due time")


class QualityFigures(BaseModel):
    """Art. 16, 31, 32: data quality in the period."""

    objections: int = Field(description="Objections raised to the unit's data in the period (Art. 16)")
    corrected: int = Field(description="Of the objections handled in the period, those that held (data corrected)")
    evaluation: float | None = Field(description="The mean of the Data Center's quality evaluations of it (Art. 31)")


class SecurityFigures(BaseModel):
    """Art. 29, 31, 32: security in the period."""

    incidents: int = Field(description="Security incidents the unit reported that occurred in the period (Art. 29)")
    most_severe: str | None = Field(description="The most severe of them: general, larger, major, especially")
    unacknowledged: int = Field(description="Of them, those the Office or no regulator has acknowledged yet")
    evaluation: float | None = Field(description="The mean of the Data Center's security evaluations of it (Art. 31)")


class EffectivenessFigures(BaseModel):
    """Art. 30, 31, 32: sharing effectiveness in the period, from the usage log."""

    uses_served: int = Field(description="Accepted uses of the unit's data (the usage log, Art. 30)")
    uses_made: int = Field(description="Accepted uses the unit made of others' data")
    evaluation: float | None = Field(
        description="The mean of the Data Center's effectiveness evaluations of it or its grants (Art. 31)"
    )


class UnitEvaluation(BaseModel):
    rank: int | None = Field(description="1 = best; null when the unit has no judged duty")
    score: float | None = Field(description="100 × the mean of the unit's rule rates (see docs/RULES.md)")
    unit_id: str
    name: str
    kind: str
    entries: int = Field(description="Entries first submitted in the period")
    versions: int = Field(description="Versions submitted in the period")
    returns: int = Field(description="Versions returned in the period")
    changes: int = Field(description="Change requests submitted in the period")
    deletions: int = Field(description="Deletion requests submitted in the period")
    reviews: int = Field(description="Reviews done in the period (Data Center)")
    compile: RuleFigures = Field(description="Art. 11 compilation (the unit)")
    collect: RuleFigures = Field(description="Art. 15 collection (the unit)")
    resubmit: RuleFigures = Field(description="Art. 13 resubmission (the unit)")
    review: RuleFigures = Field(description="Art. 13/14 review (the Data Center)")
    item_review: SharingRuleFigures = Field(description="Art. 20 decision on a demand item (the unit)")
    catalogue: SharingRuleFigures = Field(
        description="Art. 22 cataloguing, collecting and deciding data asked while not ready (the unit)"
    )
    confirm: SharingRuleFigures = Field(
        description="Art. 19 confirmation that a scenario-route application conforms (the Data Center)"
    )
    plan_review: SharingRuleFigures = Field(
        description="Art. 21/22 review of a fusion plan or technical evaluation (the Data Center)"
    )
    serve: SharingRuleFigures = Field(description="Art. 22 serving an approved fusion demand (the Data Center)")
    reason_review: SharingRuleFigures = Field(
        description="Art. 26 review of a reason filed for idleness (the Data Center)"
    )
    objection_answer: SharingRuleFigures = Field(description="Art. 26 answer to an objection (the Data Center)")
    update: RuleFigures = Field(description="Art. 16 an update in each period of the declared frequency (the unit)")
    objection: RuleFigures = Field(description="Art. 16 a data objection verified and handled in time (the unit)")
    quality: QualityFigures
    security: SecurityFigures
    effectiveness: EffectivenessFigures


class Evaluation(BaseModel):
    """Art. 32: each unit's timeliness in a period, best first."""

    model_config = ConfigDict(populate_by_name=True)  # built by field name, served by alias (from, to)
    date_from: str = Field(alias="from", description="First day, Asia/Shanghai", json_schema_extra={"format": "date"})
    date_to: str = Field(alias="to", description="Last day (inclusive)", json_schema_extra={"format": "date"})
    now: int
    now_block: int
    units: list[UnitEvaluation]
