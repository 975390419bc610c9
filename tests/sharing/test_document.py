"""The sharing documents: valid examples pass both validation passes, each rule refuses naming
its field, and every step's on-chain fields come out as the contract expects."""

from __future__ import annotations

import calendar
import json
import typing

import pytest
from eth_utils import keccak
from pydantic import BaseModel, ValidationError

from chain.sharing import (
    REJECT_LEGAL_BASIS,
    REJECT_NONCONFORMING,
    SIGNED_KINDS,
    TERMINATE_ADJUSTMENT,
    TERMINATE_SECURITY,
    AdjustmentTerms,
    ApplyTerms,
    CommitmentProof,
    DataForm,
    DecideTerms,
    Disposition,
    Frequency,
    KeyScheme,
    Method,
    Resource,
    ScenarioTerms,
    StepKind,
    demand_id_for,
    items_hash,
    scenario_id_for,
)
from sharing import (
    DECISION_CODES,
    DISPUTE_OUTCOMES,
    ESCALATION_OUTCOMES,
    SCHEMAS,
    Application,
    DemandDecision,
    DisputeResolution,
    EscalationOutcome,
    ShareMethod,
    StepFields,
    UseFrequency,
    apply_terms,
    step_fields,
)
from signer.canonical import canonical_bytes
from tests.sharing import examples as ex
from tests.sharing.examples import OMIT

ZERO = b"\x00" * 32
# Lower-case key id: what ApplyTerms.decode gives back (eth_abi decodes addresses so).
COMMITMENT = CommitmentProof(KeyScheme.ECDSA, "0x" + "c0" * 20, b'{"demand_id":"0x' + b"de" * 32 + b'"}', b"\x01" * 65)


def _b(hex_id: str) -> bytes:
    return bytes.fromhex(hex_id[2:])


def _errors(model: type[BaseModel], doc: dict, *, strict: bool) -> list[dict]:
    """What the API's two passes say of `doc`: lax from the dict, strict from its JSON text."""
    try:
        if strict:
            model.model_validate_json(json.dumps(doc), strict=True)
        else:
            model.model_validate(doc)
    except ValidationError as exc:
        return exc.errors()
    return []


def _parse(kind: StepKind, doc: dict) -> BaseModel:
    assert _errors(SCHEMAS[kind], doc, strict=True) == []
    return SCHEMAS[kind].model_validate(doc)


def _fields(kind: StepKind, doc: dict, **kwargs) -> StepFields:
    return step_fields(kind, _parse(kind, doc), canonical_bytes(doc), **kwargs)


# ---------------------------------------------------------------- valid documents


def test_every_signed_step_has_a_schema_and_an_example():
    assert set(SCHEMAS) == set(SIGNED_KINDS)
    assert set(ex.EXAMPLES) == set(SIGNED_KINDS)
    assert len(set(SCHEMAS.values())) == len(SCHEMAS)  # one model per step


@pytest.mark.parametrize("kind", SIGNED_KINDS, ids=lambda k: k.name)
def test_example_passes_both_passes_and_round_trips(kind):
    doc = ex.EXAMPLES[kind]()
    assert _errors(SCHEMAS[kind], doc, strict=False) == []
    assert _errors(SCHEMAS[kind], doc, strict=True) == []
    parsed = SCHEMAS[kind].model_validate(doc)
    assert parsed.model_dump(mode="json", by_alias=True, exclude_unset=True) == doc


VALID_VARIANTS = {
    "class 4, subject authorised": (
        Application,
        ex.application(scenario=ex.scenario(**{"class": 4, "class4_basis": "subject_authorised"})),
    ),
    "class 4, batch comparison": (
        Application,
        ex.application(
            scenario=ex.scenario(**{"class": 4, "class4_basis": "batch_comparison"}), method="batch_comparison"
        ),
    ),
    "fusion": (Application, ex.application(demand_type="fusion", fusion_plan=ex.fusion_plan())),
    "other method, evaluated": (Application, ex.application(method="other", method_reason="需经前置机摆渡")),
    "semi-annual, explained": (Application, ex.application(frequency="semi_annual", frequency_reason="半年普查")),
    "annual, explained": (Application, ex.application(frequency="annual", frequency_reason="年度统计")),
    "uncatalogued": (Application, ex.application(resources=[ex.resource(), ex.uncatalogued_resource()])),
    "catalogued, described": (Application, ex.application(resources=[ex.resource(description="用于比对")])),
    "same entry of two owners": (
        Application,
        ex.application(resources=[ex.uncatalogued_resource(owner_unit_id=ex.OWNER_UNIT), ex.uncatalogued_resource()]),
    ),
    "32 resources": (
        Application,
        ex.application(resources=[ex.resource(entry_id="0x" + f"{i + 1:064x}") for i in range(32)]),
    ),
    "reject, nonconforming": (
        DemandDecision,
        ex.rejection(reason_code="nonconforming", legal_basis=OMIT, nonconforming=["resources"]),
    ),
    "reject, legal basis": (DemandDecision, ex.rejection()),
    "approve, catalogued for it": (DemandDecision, ex.decision(entry_id=ex.ENTRY_ID, version=2)),
    "approve, with a note": (DemandDecision, ex.decision(reason="同意，接口地址另行通知")),
    "plan returned": (
        SCHEMAS[StepKind.REVIEW_PLAN],
        ex.plan_review(decision="return", reason_code=3, reason="融合方案缺少数据销毁安排"),
    ),
}


@pytest.mark.parametrize("name", VALID_VARIANTS)
def test_valid_variant(name):
    model, doc = VALID_VARIANTS[name]
    assert _errors(model, doc, strict=False) == []
    assert _errors(model, doc, strict=True) == []


def test_chinese_text_counts_characters_not_bytes():
    long_text = "数" * 4000  # 12000 bytes of UTF-8, 4000 characters: the most a LongText holds
    assert _errors(Application, ex.application(business_goal=long_text), strict=True) == []
    [error] = _errors(Application, ex.application(business_goal=long_text + "据"), strict=True)
    assert (error["loc"], error["type"]) == (("business_goal",), "string_too_long")


def test_chinese_scenario_code_names_the_same_scenario_everywhere():
    code = "普陀区一网统管-防汛"
    app = _parse(StepKind.APPLY, ex.application(scenario=ex.scenario(code=code, **{"class": 2})))
    evaluation = ex.scenario_evaluation(scenario_code=code)
    assert apply_terms(app, COMMITMENT).scenario_id == scenario_id_for(code) == keccak(code.encode("utf-8"))
    assert _fields(StepKind.APPROVE_SCENARIO, evaluation).subject == scenario_id_for(code)


# ---------------------------------------------------------------- refusals

REFUSED = {
    # Application: the scenario (Art. 19)
    "class 4 without its basis": (
        Application,
        ex.application(scenario=ex.scenario(**{"class": 4})),
        ("scenario", "class4_basis"),
        "required",
    ),
    "basis without class 4": (
        Application,
        ex.application(scenario=ex.scenario(**{"class": 1, "class4_basis": "desensitised"})),
        ("scenario", "class4_basis"),
        "only allowed",
    ),
    "class 5": (Application, ex.application(scenario=ex.scenario(**{"class": 5})), ("scenario", "class"), "4"),
    "class 4 batch comparison by interface": (
        Application,
        ex.application(scenario=ex.scenario(**{"class": 4, "class4_basis": "batch_comparison"})),
        ("method",),
        "batch_comparison",
    ),
    # method and frequency (Art. 17, 21)
    "other method unexplained": (Application, ex.application(method="other"), ("method_reason",), "required"),
    "interface explained": (Application, ex.application(method_reason="无需评估"), ("method_reason",), "only allowed"),
    "semi-annual unexplained": (
        Application,
        ex.application(frequency="semi_annual"),
        ("frequency_reason",),
        "required",
    ),
    "annual unexplained": (Application, ex.application(frequency="annual"), ("frequency_reason",), "required"),
    "quarterly explained": (
        Application,
        ex.application(frequency="quarterly", frequency_reason="季度"),
        ("frequency_reason",),
        "only allowed",
    ),
    "unknown method": (Application, ex.application(method="email"), ("method",), "interface"),
    "unknown frequency": (Application, ex.application(frequency="hourly"), ("frequency",), "daily"),
    "security level L5": (Application, ex.application(security_level="L5"), ("security_level",), "L4"),
    # fusion (Art. 22)
    "fusion without a plan": (Application, ex.application(demand_type="fusion"), ("fusion_plan",), "required"),
    "routine with a plan": (
        Application,
        ex.application(fusion_plan=ex.fusion_plan()),
        ("fusion_plan",),
        "only allowed",
    ),
    "fusion of one department": (
        Application,
        ex.application(demand_type="fusion", fusion_plan=ex.fusion_plan(departments=[ex.OWNER_UNIT])),
        ("fusion_plan", "departments"),
        "at least 2",
    ),
    "fusion of one department twice": (
        Application,
        ex.application(demand_type="fusion", fusion_plan=ex.fusion_plan(departments=[ex.OWNER_UNIT, ex.OWNER_UNIT])),
        ("fusion_plan", "departments"),
        "distinct",
    ),
    # resources
    "no resources": (Application, ex.application(resources=[]), ("resources",), "at least 1"),
    "33 resources": (
        Application,
        ex.application(resources=[ex.resource(entry_id="0x" + f"{i + 1:064x}") for i in range(33)]),
        ("resources",),
        "32",
    ),
    "version without entry": (
        Application,
        ex.application(resources=[ex.uncatalogued_resource(version=1)]),
        ("resources", 0, "version"),
        "only allowed",
    ),
    "entry without version": (
        Application,
        ex.application(resources=[ex.resource(version=None)]),
        ("resources", 0, "version"),
        "required",
    ),
    "entry_id key left out": (
        Application,
        ex.application(resources=[ex.uncatalogued_resource(entry_id=OMIT)]),
        ("resources", 0, "entry_id"),
        "required",
    ),
    "version 0": (
        Application,
        ex.application(resources=[ex.resource(version=0)]),
        ("resources", 0, "version"),
        "greater than or equal to 1",
    ),
    "uncatalogued undescribed": (
        Application,
        ex.application(resources=[ex.uncatalogued_resource(description=OMIT)]),
        ("resources", 0, "description"),
        "Art. 22",
    ),
    "same entry twice": (
        Application,
        ex.application(resources=[ex.resource(), ex.resource(items=["姓名"])]),
        ("resources",),
        "resources 0 and 1",
    ),
    "uncatalogued of one owner twice": (
        Application,
        ex.application(resources=[ex.uncatalogued_resource(), ex.uncatalogued_resource(items=["联系电话"])]),
        ("resources",),
        "resources 0 and 1",
    ),
    "own data": (
        Application,
        ex.application(resources=[ex.resource(owner_unit_id=ex.DEMAND_UNIT)]),
        ("resources",),
        "own",
    ),
    "no items": (
        Application,
        ex.application(resources=[ex.resource(items=[])]),
        ("resources", 0, "items"),
        "at least 1",
    ),
    "201 items": (
        Application,
        ex.application(resources=[ex.resource(items=[f"项{i}" for i in range(201)])]),
        ("resources", 0, "items"),
        "200",
    ),
    "an item twice": (
        Application,
        ex.application(resources=[ex.resource(items=["姓名", "姓名"])]),
        ("resources", 0, "items"),
        "distinct",
    ),
    "no safeguards": (Application, ex.application(safeguards=[]), ("safeguards",), "at least 1"),
    "21 safeguards": (Application, ex.application(safeguards=[f"措施{i}" for i in range(21)]), ("safeguards",), "20"),
    # ids, schema, shape
    "upper-case id": (
        Application,
        ex.application(demand_unit_id=ex.DEMAND_UNIT.upper().replace("0X", "0x")),
        ("demand_unit_id",),
        "pattern",
    ),
    "id without 0x": (Application, ex.application(demand_unit_id=ex.DEMAND_UNIT[2:]), ("demand_unit_id",), "pattern"),
    "short id": (Application, ex.application(demand_unit_id=ex.DEMAND_UNIT[:-2]), ("demand_unit_id",), "pattern"),
    "zero id": (Application, ex.application(demand_unit_id="0x" + "0" * 64), ("demand_unit_id",), "zero"),
    "another schema": (Application, ex.application(schema="putuo.demand/2"), ("schema",), "putuo.demand/1"),
    "no schema": (Application, ex.application(schema=OMIT), ("schema",), "required"),
    "an extra field": (Application, ex.application(priority="high"), ("priority",), "not permitted"),
    "no legal basis": (Application, ex.application(legal_basis=OMIT), ("legal_basis",), "required"),
    "empty business goal": (Application, ex.application(business_goal=""), ("business_goal",), "at least 1"),
    "long application no": (Application, ex.application(application_no="号" * 201), ("application_no",), "200"),
    # DemandDecision (Art. 20, 22)
    "reject without code": (DemandDecision, ex.rejection(reason_code=OMIT), ("reason_code",), "required"),
    "approve with code": (DemandDecision, ex.decision(reason_code="nonconforming"), ("reason_code",), "only allowed"),
    "legal basis not cited": (DemandDecision, ex.rejection(legal_basis=OMIT), ("legal_basis",), "required"),
    "nonconforming with a basis": (
        DemandDecision,
        ex.rejection(reason_code="nonconforming", nonconforming=["scenario"]),
        ("legal_basis",),
        "only allowed",
    ),
    "approve with a basis": (
        DemandDecision,
        ex.decision(legal_basis="《中华人民共和国数据安全法》"),
        ("legal_basis",),
        "only allowed",
    ),
    "reject without reason": (DemandDecision, ex.rejection(reason=OMIT), ("reason",), "required"),
    "reject naming an entry": (
        DemandDecision,
        ex.rejection(entry_id=ex.ENTRY_ID, version=1),
        ("entry_id",),
        "approval",
    ),
    "decision: entry without version": (DemandDecision, ex.decision(entry_id=ex.ENTRY_ID), ("version",), "required"),
    "decision: version without entry": (DemandDecision, ex.decision(version=1), ("version",), "only allowed"),
    "unknown reason code": (DemandDecision, ex.rejection(reason_code="other"), ("reason_code",), "legal_basis"),
    "unknown decision": (DemandDecision, ex.decision(decision="defer"), ("decision",), "approve"),
    "item -1": (DemandDecision, ex.decision(item=-1), ("item",), "greater than or equal to 0"),
    "item 32": (DemandDecision, ex.decision(item=32), ("item",), "less than 32"),
    # PlanReview
    "return without code": (
        SCHEMAS[StepKind.REVIEW_PLAN],
        ex.plan_review(decision="return", reason="缺"),
        ("reason_code",),
        "required",
    ),
    "return without reason": (
        SCHEMAS[StepKind.REVIEW_PLAN],
        ex.plan_review(decision="return", reason_code=1),
        ("reason",),
        "required",
    ),
    "plan approve with code": (
        SCHEMAS[StepKind.REVIEW_PLAN],
        ex.plan_review(reason_code=1),
        ("reason_code",),
        "only allowed",
    ),
    "plan return code 0": (
        SCHEMAS[StepKind.REVIEW_PLAN],
        ex.plan_review(decision="return", reason_code=0, reason="缺"),
        ("reason_code",),
        "1",
    ),
    "plan return code 65536": (
        SCHEMAS[StepKind.REVIEW_PLAN],
        ex.plan_review(decision="return", reason_code=65536, reason="缺"),
        ("reason_code",),
        "65535",
    ),
    # grants
    "use in UTC": (SCHEMAS[StepKind.RECORD_USE], ex.usage(used_at="2026-03-03T02:15:00Z"), ("used_at",), "pattern"),
    "use with a space": (
        SCHEMAS[StepKind.RECORD_USE],
        ex.usage(used_at="2026-03-03 10:15:00+08:00"),
        ("used_at",),
        "pattern",
    ),
    "use with fractions": (
        SCHEMAS[StepKind.RECORD_USE],
        ex.usage(used_at="2026-03-03T10:15:00.5+08:00"),
        ("used_at",),
        "pattern",
    ),
    "use on 30 February": (
        SCHEMAS[StepKind.RECORD_USE],
        ex.usage(used_at="2026-02-30T10:15:00+08:00"),
        ("used_at",),
        "day",
    ),
    "no calls": (SCHEMAS[StepKind.RECORD_USE], ex.usage(calls=0), ("calls",), "greater than or equal to 1"),
    "excused until a time": (
        SCHEMAS[StepKind.FILE_IDLE_REASON],
        ex.idle_reason(until="2026-06-30T00:00:00+08:00"),
        ("until",),
        "pattern",
    ),
    "excused until 2026-6-30": (
        SCHEMAS[StepKind.FILE_IDLE_REASON],
        ex.idle_reason(until="2026-6-30"),
        ("until",),
        "pattern",
    ),
    "excused until 31 June": (
        SCHEMAS[StepKind.FILE_IDLE_REASON],
        ex.idle_reason(until="2026-06-31"),
        ("until",),
        "day",
    ),
    "dismissal code 0": (
        SCHEMAS[StepKind.DISMISS_OBJECTION],
        ex.objection_dismissal(reason_code=0),
        ("reason_code",),
        "1",
    ),
    "suspension without risk": (SCHEMAS[StepKind.SECURITY_SUSPEND], ex.suspension(risk=OMIT), ("risk",), "required"),
    # scenarios, plans, cases
    "plan affecting no grant": (
        SCHEMAS[StepKind.RECORD_ADJUSTMENT_PLAN],
        ex.adjustment_plan(affected_grants=[]),
        ("affected_grants",),
        "at least 1",
    ),
    "a unit notified twice": (
        SCHEMAS[StepKind.RECORD_ADJUSTMENT_PLAN],
        ex.adjustment_plan(notified_units=[ex.DEMAND_UNIT, ex.DEMAND_UNIT]),
        ("notified_units",),
        "distinct",
    ),
    "a bad grant id": (
        SCHEMAS[StepKind.RECORD_ADJUSTMENT_PLAN],
        ex.adjustment_plan(affected_grants=["0x12"]),
        ("affected_grants", 0),
        "pattern",
    ),
    "evaluation without key work": (
        SCHEMAS[StepKind.APPROVE_SCENARIO],
        ex.scenario_evaluation(key_work=OMIT),
        ("key_work",),
        "required",
    ),
    "dispute about price": (SCHEMAS[StepKind.OPEN_DISPUTE], ex.dispute(about="price"), ("about",), "reasonableness"),
    "dispute without negotiation": (
        SCHEMAS[StepKind.OPEN_DISPUTE],
        ex.dispute(negotiation=OMIT),
        ("negotiation",),
        "required",
    ),
    "dispute partly resolved": (DisputeResolution, ex.dispute_resolution(outcome="partial"), ("outcome",), "settled"),
    "escalation pending": (EscalationOutcome, ex.escalation_outcome(outcome="pending"), ("outcome",), "served"),
}


@pytest.mark.parametrize("name", REFUSED)
@pytest.mark.parametrize("strict", [False, True], ids=["lax", "strict"])
def test_refused_naming_the_field(name, strict):
    model, doc, loc, words = REFUSED[name]
    errors = _errors(model, doc, strict=strict)
    assert [e["loc"] for e in errors] == [loc], errors
    assert words in errors[0]["msg"]


STRICT_ONLY = {
    "item as text": (DemandDecision, ex.decision(item="0"), ("item",)),
    "item as float": (DemandDecision, ex.decision(item=0.0), ("item",)),
    "class as text": (Application, ex.application(scenario=ex.scenario(**{"class": "0"})), ("scenario", "class")),
    "version as text": (Application, ex.application(resources=[ex.resource(version="1")]), ("resources", 0, "version")),
    "calls as text": (SCHEMAS[StepKind.RECORD_USE], ex.usage(calls="12"), ("calls",)),
    "calls as true": (SCHEMAS[StepKind.RECORD_USE], ex.usage(calls=True), ("calls",)),
    "reason code as text": (
        SCHEMAS[StepKind.DISMISS_OBJECTION],
        ex.objection_dismissal(reason_code="1"),
        ("reason_code",),
    ),
}


@pytest.mark.parametrize("name", STRICT_ONLY)
def test_strict_pass_refuses_what_the_lax_one_coerces(name):
    model, doc, loc = STRICT_ONLY[name]
    assert _errors(model, doc, strict=False) == []
    assert [e["loc"] for e in _errors(model, doc, strict=True)] == [loc]


@pytest.mark.parametrize("strict", [False, True], ids=["lax", "strict"])
def test_python_names_are_not_json_keys(strict):
    """Only `schema` and `class` spell those fields: a document has one spelling."""
    doc = {**ex.application(schema=OMIT), "schema_": "putuo.demand/1"}
    assert [e["loc"] for e in _errors(Application, doc, strict=strict)] == [("schema",), ("schema_",)]
    doc = ex.application(scenario={**ex.scenario(**{"class": OMIT}), "klass": 0})
    assert [e["loc"] for e in _errors(Application, doc, strict=strict)] == [
        ("scenario", "class"),
        ("scenario", "klass"),
    ]


def test_a_rule_is_not_checked_against_a_field_that_is_itself_invalid():
    errors = _errors(Application, ex.application(method="fax", method_reason="传真"), strict=True)
    assert [e["loc"] for e in errors] == [("method",)]


# ---------------------------------------------------------------- apply


def test_apply_subject_is_the_contracts_demand_id():
    doc = ex.application()
    fields = _fields(StepKind.APPLY, doc, commitment=COMMITMENT)
    data = canonical_bytes(doc)
    assert fields.subject == demand_id_for(_b(ex.DEMAND_UNIT), data)
    assert fields.subject == keccak(_b(ex.DEMAND_UNIT) + keccak(data))  # abi.encode of two bytes32
    assert (fields.item, fields.code, fields.at) == (0, 0, 0)


def test_a_reapplication_is_another_demand():
    first = _fields(StepKind.APPLY, ex.application(), commitment=COMMITMENT)
    again = _fields(StepKind.APPLY, ex.application(application_no="普数需〔2025〕18号"), commitment=COMMITMENT)
    assert first.subject != again.subject


def test_apply_terms_of_the_example():
    fields = _fields(StepKind.APPLY, ex.application(), commitment=COMMITMENT)
    assert ApplyTerms.decode(fields.terms) == ApplyTerms(
        scenario_class=0,
        scenario_id=keccak(b"PT-SC-2025-001"),
        method=Method.INTERFACE,
        form=DataForm.FULL,
        frequency=Frequency.MONTHLY,
        frequency_reason=False,
        fusion=False,
        security_level=2,
        resources=(Resource(_b(ex.ENTRY_ID), 1, _b(ex.OWNER_UNIT), items_hash(ex.resource()["items"])),),
        commitment=COMMITMENT,
    )


def test_apply_terms_of_a_fusion_demand_for_uncatalogued_data_used_annually():
    doc = ex.application(
        demand_type="fusion",
        fusion_plan=ex.fusion_plan(),
        scenario=ex.scenario(**{"class": 3}),
        method="other",
        method_reason="融合计算在区大数据中心完成",
        frequency="annual",
        frequency_reason="年度评估",
        security_level="L4",
        resources=[ex.resource(version=7), ex.uncatalogued_resource()],
    )
    terms = ApplyTerms.decode(_fields(StepKind.APPLY, doc, commitment=COMMITMENT).terms)
    assert (
        terms.scenario_class,
        terms.method,
        terms.frequency,
        terms.frequency_reason,
        terms.fusion,
        terms.security_level,
    ) == (3, Method.OTHER, Frequency.ANNUAL, True, True, 4)
    assert terms.resources == (
        Resource(_b(ex.ENTRY_ID), 7, _b(ex.OWNER_UNIT), items_hash(ex.resource()["items"])),
        Resource(ZERO, 0, _b(ex.OTHER_UNIT), items_hash(ex.uncatalogued_resource()["items"])),
    )


@pytest.mark.parametrize("frequency", list(UseFrequency), ids=lambda f: f.value)
def test_every_frequency_maps_to_the_contracts(frequency):
    reason = "频率较低" if frequency in (UseFrequency.SEMI_ANNUAL, UseFrequency.ANNUAL) else OMIT
    app = _parse(StepKind.APPLY, ex.application(frequency=frequency.value, frequency_reason=reason))
    terms = apply_terms(app, COMMITMENT)
    assert terms.frequency.name == frequency.name and terms.frequency != Frequency.NONE
    # The contract's rule: below quarterly needs a reason, and only then is one given.
    assert terms.frequency_reason == (terms.frequency > Frequency.QUARTERLY)


@pytest.mark.parametrize("method", list(ShareMethod), ids=lambda m: m.value)
def test_every_method_maps_to_the_contracts(method):
    reason = "需技术评估" if method == ShareMethod.OTHER else OMIT
    app = _parse(StepKind.APPLY, ex.application(method=method.value, method_reason=reason))
    assert (
        apply_terms(app, COMMITMENT).method
        == {"interface": Method.INTERFACE, "batch_comparison": Method.BATCH_COMPARISON, "other": Method.OTHER}[
            method.value
        ]
    )


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_security_level(level):
    app = _parse(StepKind.APPLY, ex.application(security_level=f"L{level}"))
    assert apply_terms(app, COMMITMENT).security_level == level


def test_apply_needs_its_commitment():
    app = _parse(StepKind.APPLY, ex.application())
    with pytest.raises(ValueError, match="commitment"):
        step_fields(StepKind.APPLY, app, canonical_bytes(ex.application()))


# ---------------------------------------------------------------- the other steps


SIGNED_AT = calendar.timegm((2026, 3, 2, 2, 0, 0))  # the examples' decision: 2026-03-02T10:00:00+08:00


def test_decide_approve():
    """A decision carries when it was signed (Art. 20: the grace after the due time is for it)."""
    assert _fields(StepKind.DECIDE, ex.decision(item=3)) == StepFields(_b(ex.DEMAND_ID), item=3, at=SIGNED_AT)


def test_decide_approve_names_the_entry_catalogued_for_the_item():
    fields = _fields(StepKind.DECIDE, ex.decision(item=1, entry_id=ex.ENTRY_ID, version=2))
    assert (fields.subject, fields.item, fields.code) == (_b(ex.DEMAND_ID), 1, 0)
    assert DecideTerms.decode(fields.terms) == DecideTerms(_b(ex.ENTRY_ID), 2, "")


def test_decide_reject_nonconforming():
    """Art. 20, 24: a non-conformity names the Art. 17 elements that do not conform, as a bit each."""
    doc = ex.rejection(reason_code="nonconforming", legal_basis=OMIT, nonconforming=["resources", "frequency"])
    fields = _fields(StepKind.DECIDE, doc)
    terms = DecideTerms(nonconforming=16 | 64).encode()
    assert fields == StepFields(_b(ex.DEMAND_ID), code=REJECT_NONCONFORMING, at=SIGNED_AT, terms=terms)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason_code": "nonconforming", "legal_basis": OMIT}, "nonconforming"),  # what does not conform?
        ({"legal_basis": " "}, "legal_basis"),  # a basis of one space
        ({"legal_basis": "依法依规"}, "legal_basis"),  # a placeholder: no instrument named
        ({"legal_basis": "《》"}, "legal_basis"),
    ],
    ids=["nonconforming-unstated", "one-space", "placeholder", "empty-title"],
)
def test_a_rejection_is_no_dodge(changes, field):
    """Art. 20 (明确的法律、法规等依据): a basis names its instrument 《…》; a non-conformity names
    the elements. Refused naming the field, by the model and by the published schema alike."""
    errors = _errors(DemandDecision, ex.rejection(**changes), strict=True)
    assert [e["loc"][0] for e in errors] == [field], errors


def test_decide_reject_cites_its_legal_basis():
    fields = _fields(StepKind.DECIDE, ex.rejection(item=2))
    assert (fields.item, fields.code) == (2, REJECT_LEGAL_BASIS)
    assert DecideTerms.decode(fields.terms) == DecideTerms(ZERO, 0, "《中华人民共和国个人信息保护法》第十三条")


def test_review_plan():
    assert _fields(StepKind.REVIEW_PLAN, ex.plan_review()) == StepFields(_b(ex.DEMAND_ID))
    returned = ex.plan_review(decision="return", reason_code=7, reason="方案不完整")
    assert _fields(StepKind.REVIEW_PLAN, returned) == StepFields(_b(ex.DEMAND_ID), code=7)


def test_record_use_at_the_time_of_use():
    fields = _fields(StepKind.RECORD_USE, ex.usage(used_at="2026-03-03T10:15:00+08:00"))
    assert fields == StepFields(_b(ex.GRANT_ID), at=calendar.timegm((2026, 3, 3, 2, 15, 0)))


def test_idle_reason_covers_its_last_day():
    fields = _fields(StepKind.FILE_IDLE_REASON, ex.idle_reason(until="2026-06-30"))
    assert fields == StepFields(_b(ex.GRANT_ID), at=calendar.timegm((2026, 6, 30, 15, 59, 59)))


def test_dismiss_objection_code_is_its_reason_code():
    fields = _fields(StepKind.DISMISS_OBJECTION, ex.objection_dismissal(reason_code=4))
    assert fields == StepFields(_b(ex.GRANT_ID), code=4)


@pytest.mark.parametrize(
    "kind",
    [StepKind.RECORD_SERVED, StepKind.SECURITY_SUSPEND, StepKind.OBJECT, StepKind.REINSTATE, StepKind.TERMINATE],
    ids=lambda k: k.name,
)
def test_grant_steps_name_the_grant(kind):
    doc = ex.EXAMPLES[kind](grant_id=ex.OTHER_GRANT)
    assert _fields(kind, doc) == StepFields(_b(ex.OTHER_GRANT))


@pytest.mark.parametrize("kind", [StepKind.APPROVE_SCENARIO, StepKind.WITHDRAW_SCENARIO], ids=lambda k: k.name)
def test_scenario_steps_name_the_scenario(kind):
    fields = _fields(kind, ex.EXAMPLES[kind]())
    assert fields.subject == scenario_id_for("PT-KW-2025-003")
    if kind == StepKind.APPROVE_SCENARIO:  # the register's terms: class 2, for its named unit and entry
        assert ScenarioTerms.decode(fields.terms) == ScenarioTerms(2, (_b(ex.DEMAND_UNIT),), (_b(ex.ENTRY_ID),))


def test_adjustment_plan_names_the_entry():
    fields = _fields(StepKind.RECORD_ADJUSTMENT_PLAN, ex.adjustment_plan())
    assert (fields.subject, AdjustmentTerms.decode(fields.terms)) == (
        _b(ex.ENTRY_ID),
        AdjustmentTerms(Disposition.MOVE),
    )
    end = _fields(StepKind.RECORD_ADJUSTMENT_PLAN, ex.adjustment_plan(disposition="end"))
    assert AdjustmentTerms.decode(end.terms) == AdjustmentTerms(Disposition.END)
    assert _fields(StepKind.ACKNOWLEDGE_ADJUSTMENT, ex.adjustment_acknowledgement()) == StepFields(_b(ex.ENTRY_ID))


def test_dispute_names_the_item():
    assert _fields(StepKind.OPEN_DISPUTE, ex.dispute(item=5)) == StepFields(_b(ex.DEMAND_ID), item=5)


@pytest.mark.parametrize(("outcome", "code"), [("settled", 1), ("upheld", 2), ("overturned", 3)])
def test_dispute_resolution(outcome, code):
    fields = _fields(StepKind.RESOLVE_DISPUTE, ex.dispute_resolution(item=2, outcome=outcome))
    assert fields == StepFields(_b(ex.DEMAND_ID), item=2, code=code)
    assert DISPUTE_OUTCOMES[code] == outcome


def test_escalation():
    assert _fields(StepKind.ESCALATE, ex.escalation()) == StepFields(_b(ex.DEMAND_ID))


@pytest.mark.parametrize(("outcome", "code"), [("served", 1), ("refused", 2)])
def test_escalation_outcome(outcome, code):
    fields = _fields(StepKind.RECORD_ESCALATION_OUTCOME, ex.escalation_outcome(outcome=outcome))
    assert fields == StepFields(_b(ex.DEMAND_ID), code=code)
    assert ESCALATION_OUTCOMES[code] == outcome


def test_code_tables_speak_the_documents_words():
    assert DECISION_CODES == {0: "approve", REJECT_NONCONFORMING: "nonconforming", REJECT_LEGAL_BASIS: "legal_basis"}
    outcome = DisputeResolution.model_fields["outcome"].annotation
    assert set(typing.get_args(outcome)) == set(DISPUTE_OUTCOMES.values())
    outcome = EscalationOutcome.model_fields["outcome"].annotation
    assert set(typing.get_args(outcome)) == set(ESCALATION_OUTCOMES.values())


@pytest.mark.parametrize("kind", SIGNED_KINDS, ids=lambda k: k.name)
def test_fields_keep_the_contracts_rules(kind):
    """Sharing._execute and _checkCode: which steps carry item, at, terms, and which codes."""
    fields = _fields(
        kind,
        ex.EXAMPLES[kind](**({"item": 1} if "item" in ex.EXAMPLES[kind]() else {})),
        commitment=COMMITMENT if kind == StepKind.APPLY else None,
    )
    assert len(fields.subject) == 32
    assert (fields.item != 0) == (kind in (StepKind.DECIDE, StepKind.OPEN_DISPUTE, StepKind.RESOLVE_DISPUTE))
    assert (fields.at != 0) == (kind in (StepKind.RECORD_USE, StepKind.FILE_IDLE_REASON, StepKind.DECIDE))
    if kind not in (StepKind.APPLY, StepKind.DECIDE, StepKind.APPROVE_SCENARIO, StepKind.RECORD_ADJUSTMENT_PLAN):
        assert fields.terms == b""
    if kind in (StepKind.DISMISS_OBJECTION, StepKind.RESOLVE_DISPUTE, StepKind.RECORD_ESCALATION_OUTCOME):
        assert 0 < fields.code < 2**16
    elif kind not in (StepKind.DECIDE, StepKind.REVIEW_PLAN, StepKind.TERMINATE, StepKind.CONFIRM_CONFORMITY):
        assert fields.code == 0


# ---------------------------------------------------------------- misuse


def test_a_document_of_another_step_is_refused():
    with pytest.raises(TypeError, match="DemandDecision"):
        step_fields(StepKind.DECIDE, _parse(StepKind.OBJECT, ex.objection()), b"{}")


def test_only_apply_takes_a_commitment():
    with pytest.raises(ValueError, match="commitment"):
        _fields(StepKind.TERMINATE, ex.termination(), commitment=COMMITMENT)


@pytest.mark.parametrize(
    "kind", [StepKind.FINALISE_ITEM, StepKind.SUSPEND_IDLE, StepKind.FINALISE_LAPSE], ids=lambda k: k.name
)
def test_permissionless_steps_have_no_document(kind):
    with pytest.raises(ValueError, match="not a signed step"):
        step_fields(kind, _parse(StepKind.TERMINATE, ex.termination()), b"{}")


# ---------------------------------------------------------------- Art. 26, 31: grounds and reports


@pytest.mark.parametrize(
    ("reported_to", "valid"),
    [
        (["district_office", "cyberspace"], True),
        (["public_security", "district_office", "state_security"], True),
        (["district_office"], False),  # no regulator
        (["cyberspace", "public_security"], False),  # not the Office
        (["district_office", "cyberspace", "cyberspace"], False),  # twice
        (["district_office", "网信办"], False),  # not one of the bodies
    ],
)
def test_an_art31_action_is_reported_to_the_office_and_a_regulator(reported_to, valid):
    """Art. 31 (报送相关数据安全监管部门、区府办): a security suspension, and a termination for a
    security risk, name the bodies reported to; the code of a termination comes from its ground."""
    for kind, doc in (
        (StepKind.SECURITY_SUSPEND, ex.suspension(reported_to=reported_to)),
        (StepKind.TERMINATE, ex.termination(ground="security_risk", reported_to=reported_to)),
    ):
        assert (_errors(SCHEMAS[kind], doc, strict=True) == []) is valid, (kind, reported_to)
    if valid:
        doc = ex.termination(ground="security_risk", reported_to=reported_to)
        assert _fields(StepKind.TERMINATE, doc).code == TERMINATE_SECURITY


def test_a_termination_states_its_ground_and_only_a_security_one_is_reported():
    assert _fields(StepKind.TERMINATE, ex.termination()).code == 0  # the holder's own (Art. 26)
    assert _fields(StepKind.TERMINATE, ex.termination(ground="catalog_adjustment")).code == TERMINATE_ADJUSTMENT
    missing = _errors(SCHEMAS[StepKind.TERMINATE], ex.termination(ground="security_risk"), strict=True)
    assert [e["loc"] for e in missing] == [("reported_to",)]
    stray = ex.termination(reported_to=["district_office", "cyberspace"])
    assert [e["loc"] for e in _errors(SCHEMAS[StepKind.TERMINATE], stray, strict=True)] == [("reported_to",)]
