"""docs/schemas/ is what the models generate, and accepts exactly the documents the models accept.

The second half matters as much as the first: an auditor validates on-chain documents with
these files and never runs the models, so a rule a validator enforces and the schema does not
say would let the two disagree. Each valid example is mutated field by field (removed, nulled,
given each value the schemas name and a few of the wrong type) and the model and the schema
(read as the protocol's verifier reads it) must agree on every mutation, but for the rules a
schema's `$comment` names as not expressible.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from api.errors import ApiError
from api.schemas import EXAMPLE_COMMITMENT, EXAMPLE_DOCUMENT
from api.services.intake import validate_model
from catalog.document import CATALOG_SCHEMA, COLLECTION_SCHEMA, DELETION_SCHEMA, REVIEW_SCHEMA
from catalog.quality_documents import MODELS as QUALITY_MODELS
from catalog.responsibility_documents import MODELS as RESPONSIBILITY_MODELS
from chain.quality import ActionKind as QualityActionKind
from chain.responsibilities import ActionKind as ResponsibilityActionKind
from chain.sharing import PERMISSIONLESS_KINDS, StepKind
from chain.supervision import ActionKind as SupervisionActionKind
from protocol import schemas as protocol
from sharing.fields import SCHEMAS as SHARING_SCHEMAS
from sharing.supervision_documents import MODELS as SUPERVISION_MODELS
from signer.commitment import SCHEMA as COMMITMENT_SCHEMA
from signer.commitment import validate_commitment
from signer.errors import SignerError
from tests.protocol.verify_catalog_version import document_validator, load_schema
from tests.sharing import examples as ex
from workdays.notice import NOTICE_SCHEMA

PUBLISHED = protocol.json_schemas()
NOTICE = json.loads((protocol.ROOT / "tests" / "workdays" / "notices" / "2027-example.json").read_text("utf-8"))
ECDSA_KEY_ID = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"  # an EIP-55 checksum address


def test_the_committed_files_are_what_the_models_generate():
    assert protocol.stale() == [], "run `python -m protocol.schemas` and commit docs/schemas/"


def test_every_document_schema_is_published_once():
    sharing = {protocol.schema_id(m) for m in SHARING_SCHEMAS.values()}
    assert len(sharing) == len(StepKind) - len(PERMISSIONLESS_KINDS)  # every signed step has its own schema
    catalog = {CATALOG_SCHEMA, DELETION_SCHEMA, REVIEW_SCHEMA, COLLECTION_SCHEMA}
    responsibilities = {protocol.schema_id(m) for m in RESPONSIBILITY_MODELS}
    assert len(responsibilities) == len(ResponsibilityActionKind)  # one per Responsibilities action kind
    quality = {protocol.schema_id(m) for m in QUALITY_MODELS}
    assert len(quality) == len(QualityActionKind)  # one per DataQuality action kind
    supervision = {protocol.schema_id(m) for m in SUPERVISION_MODELS}
    assert len(supervision) == len(SupervisionActionKind)  # one per Supervision action kind
    assert set(PUBLISHED) == catalog | sharing | responsibilities | quality | supervision | {
        NOTICE_SCHEMA,
        COMMITMENT_SCHEMA,
    }
    for schema_id, schema in PUBLISHED.items():
        Draft202012Validator.check_schema(schema)
        assert schema["properties"]["schema"]["const"] == schema_id
        assert load_schema(protocol.SCHEMA_DIR, schema_id) == schema  # the verifier finds it by id


def test_the_generator_reports_and_rewrites_a_stale_file(tmp_path):
    protocol.write(tmp_path)
    (tmp_path / "putuo.catalog-1.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "putuo.retired-1.json").write_text("{}\n", encoding="utf-8")
    assert protocol.main(["--check", "--dir", str(tmp_path)]) == 1
    assert protocol.stale(tmp_path) == ["putuo.catalog-1.json", "putuo.retired-1.json"]
    assert protocol.main(["--dir", str(tmp_path)]) == 0
    assert protocol.stale(tmp_path) == []


# ---- the schemas say what the models accept


def _model(model: type[BaseModel]) -> Callable[[Any], bool]:
    def accepts(document: Any) -> bool:
        try:
            validate_model(model, document)  # the API's check: the lax pass and the strict JSON one
            return True
        except ApiError:
            return False

    return accepts


def _commitment(document: Any) -> bool:
    try:
        validate_commitment(document)
        return True
    except SignerError:
        return False


MODEL_OF = {protocol.schema_id(m): _model(m) for m in protocol.MODELS} | {COMMITMENT_SCHEMA: _commitment}


ID_A, ID_B = "0x" + "a1" * 32, "0x" + "b2" * 32
RESPONSIBILITY_EXAMPLES = {
    "putuo.responsibility/1": [
        {
            "schema": "putuo.responsibility/1",
            "code": "MZJ-ZZ-01",
            "name": "最低生活保障审核",
            "basis": "《社会救助暂行办法》",
        },
        {
            "schema": "putuo.responsibility/1",
            "code": "DSJ-ZZ-12",
            "name": "区域补充目录编制",
            "basis": "实施办法第十二条",
            "description": "属地返还数据",
        },
    ],
    "putuo.responsibility-review/1": [
        {"schema": "putuo.responsibility-review/1", "decision": "approve"},
        {"schema": "putuo.responsibility-review/1", "decision": "return", "reason_code": 2, "reason": "依据不明"},
    ],
    "putuo.designation/1": [
        {
            "schema": "putuo.designation/1",
            "entry_id": ID_A,
            "unit_id": ID_B,
            "disposition": "move_open_duties",
            "basis": "涉及多个单位",
        }
    ],
    "putuo.refusal/1": [
        {"schema": "putuo.refusal/1", "unit_id": ID_A, "data": "住房数据", "ground": "no_legal_basis"},
        {
            "schema": "putuo.refusal/1",
            "unit_id": ID_A,
            "data": "住房数据",
            "ground": "legal_basis_cited",
            "legal_basis": "《保守国家秘密法》",
            "entry_id": ID_B,
        },
    ],
    "putuo.refusal-report/1": [
        {
            "schema": "putuo.refusal-report/1",
            "refusal_id": ID_A,
            "reported_to": ["区委", "区政府"],
            "summary": "拒绝归集",
        }
    ],
    "putuo.setting/1": [
        {"schema": "putuo.setting/1", "name": "refusalReportDays", "value": 5, "reason": "及时报告"},
    ],
    "putuo.catalog-export/1": [
        {
            "schema": "putuo.catalog-export/1",
            "format": "putuo.supplementary-catalog/1",
            "json_keccak256": ID_A,
            "csv_keccak256": ID_B,
            "from_block": 1,
            "to_block": 9,
            "entries": 2,
        }
    ],
    "putuo.incident/1": [
        {
            "schema": "putuo.incident/1",
            "occurred_at": 1767225600,
            "severity": "general",
            "summary": "账号泄露",
            "measures": "已停用",
            "reported_to": ["district_office", "cyberspace"],
        },
        {
            "schema": "putuo.incident/1",
            "occurred_at": 1767225600,
            "severity": "especially",
            "summary": "数据库被拖库",
            "entries": [ID_A],
            "grants": [ID_B],
            "measures": "已断网",
            "reported_to": ["public_security", "district_office", "state_security"],
        },
    ],
    "putuo.acknowledgement/1": [
        {"schema": "putuo.acknowledgement/1", "subject_id": ID_A},
        {"schema": "putuo.acknowledgement/1", "subject_id": ID_A, "note": "已收悉"},
    ],
    "putuo.incident-handling/1": [{"schema": "putuo.incident-handling/1", "incident_id": ID_A, "progress": "排查中"}],
    "putuo.incident-closure/1": [
        {"schema": "putuo.incident-closure/1", "incident_id": ID_A, "cause": "弱口令", "outcome": "无泄露"},
        {
            "schema": "putuo.incident-closure/1",
            "incident_id": ID_A,
            "cause": "弱口令",
            "outcome": "无泄露",
            "improvements": "改为双因素",
        },
    ],
    "putuo.supervision-evaluation/1": [
        {
            "schema": "putuo.supervision-evaluation/1",
            "evaluation": "quality",
            "target_id": ID_A,
            "period": "2026-Q1",
            "score": 0,
            "findings": "无",
        },
        {
            "schema": "putuo.supervision-evaluation/1",
            "evaluation": "effectiveness",
            "target_id": ID_A,
            "period": "2026-Q1",
            "score": 100,
            "findings": "好",
        },
    ],
    "putuo.measure-report/1": [
        {
            "schema": "putuo.measure-report/1",
            "grant_id": ID_A,
            "measure": "suspension",
            "reported_to": ["district_office", "cyberspace"],
            "summary": "暂停",
        },
        {
            "schema": "putuo.measure-report/1",
            "grant_id": ID_A,
            "measure": "termination",
            "reported_to": ["district_office", "public_security"],
            "summary": "终止",
        },
    ],
    "putuo.evaluation-results/1": [
        {
            "schema": "putuo.evaluation-results/1",
            "date_from": "2026-01-01",
            "date_to": "2026-03-31",
            "period_end": 1774972799,
            "judged_at": 1775000000,
            "judged_block": 120,
            "csv_keccak256": ID_A,
            "units": [
                {"unit_id": ID_A, "name": "普陀区民政局", "rank": 1, "score": 97.5, "overdue": 0},
                {"unit_id": ID_B, "name": "普陀区卫健委", "rank": None, "score": None, "overdue": 2},
            ],
        }
    ],
    "putuo.evaluation-notice/1": [
        {
            "schema": "putuo.evaluation-notice/1",
            "results_id": ID_A,
            "scope": "全区各委办局",
            "lines": [
                {
                    "unit_id": ID_B,
                    "group": "update",
                    "finding": "未按更新频率更新",
                    "evidence": [{"rule": "art16_update", "subject_id": ID_A, "item": 1, "start_tx": ID_B}],
                },
                {
                    "unit_id": ID_B,
                    "group": "compile",
                    "finding": "目录编制超期",
                    "evidence": [{"rule": "art11_compile", "subject_id": ID_A, "version": 1, "start_tx": ID_B}],
                },
            ],
        }
    ],
    "putuo.update-frequency/1": [
        {"schema": "putuo.update-frequency/1", "entry_id": ID_A, "update_frequency": "monthly"},
        {"schema": "putuo.update-frequency/1", "entry_id": ID_A, "update_frequency": "irregular", "note": "按需"},
    ],
    "putuo.update-receipt/1": [
        {
            "schema": "putuo.update-receipt/1",
            "entry_id": ID_A,
            "received_at": 1767225600,
            "records": 12,
            "content_sm3": "ab" * 32,
        }
    ],
    "putuo.reconciliation/1": [
        {
            "schema": "putuo.reconciliation/1",
            "unit_id": ID_A,
            "period": "2026-Q4",
            "entries": [ID_B],
            "result": "consistent",
        },
        {
            "schema": "putuo.reconciliation/1",
            "unit_id": ID_A,
            "period": "2026-Q4",
            "entries": [ID_B],
            "result": "discrepancies",
            "discrepancies": [{"entry_id": ID_B, "description": "少 12 条"}],
        },
    ],
    "putuo.objection/1": [
        {
            "schema": "putuo.objection/1",
            "entry_id": ID_A,
            "source": "using_unit",
            "description": "住址有误",
            "grant_id": ID_B,
        },
        {
            "schema": "putuo.objection/1",
            "entry_id": ID_A,
            "source": "reconciliation",
            "description": "少 12 条",
            "reconciliation_id": ID_B,
        },
    ],
    "putuo.objection-handling/1": [
        {
            "schema": "putuo.objection-handling/1",
            "objection_id": ID_A,
            "outcome": "confirmed",
            "verification": "核实无误",
        },
        {
            "schema": "putuo.objection-handling/1",
            "objection_id": ID_A,
            "outcome": "corrected",
            "verification": "确有错误",
            "measures": "已更正",
        },
    ],
}


def _variants() -> dict[str, list[dict]]:
    """Valid documents of each schema, between them taking every branch of a conditional rule."""
    catalog = copy.deepcopy(EXAMPLE_DOCUMENT)
    other = {
        **copy.deepcopy(EXAMPLE_DOCUMENT),
        "supplementary": True,
        "responsibility": "0x" + "5a" * 32,
        "coverage": {"area": "普陀区"},
        "sharing": {"attribute": "not_shared", "basis": "《个人信息保护法》第十三条"},
        "opening": {"attribute": "conditional", "conditions": "经脱敏后开放"},
        "source": {"system": "市级返还", "method": "city_returned"},
    }
    plain = {
        **copy.deepcopy(EXAMPLE_DOCUMENT),
        "sharing": {"attribute": "unconditional"},
        "opening": {"attribute": "unconditional"},
    }
    out: dict[str, list[dict]] = {
        CATALOG_SCHEMA: [catalog, other, plain],
        DELETION_SCHEMA: [{"schema": DELETION_SCHEMA, "reason": "系统下线"}],
        REVIEW_SCHEMA: [
            {"schema": REVIEW_SCHEMA, "decision": "approve", "reason": "齐全"},
            {"schema": REVIEW_SCHEMA, "decision": "return", "reason_code": 3, "reason": "重复编目"},
        ],
        COLLECTION_SCHEMA: [{"schema": COLLECTION_SCHEMA}, {"schema": COLLECTION_SCHEMA, "description": "已归集"}],
        NOTICE_SCHEMA: [NOTICE, {**NOTICE, "working_days": [], "holidays": NOTICE["holidays"][:1]}],
        COMMITMENT_SCHEMA: [
            EXAMPLE_COMMITMENT,
            {**EXAMPLE_COMMITMENT, "scheme": "ecdsa", "officer_key_id": ECDSA_KEY_ID},
        ],
    }
    out.update(RESPONSIBILITY_EXAMPLES)
    for kind, build in ex.EXAMPLES.items():
        out[protocol.schema_id(SHARING_SCHEMAS[kind])] = [build()]
    out["putuo.demand/1"] += [
        ex.application(
            resources=[ex.uncatalogued_resource(), ex.resource()],
            method="other",
            method_reason="专线",
            frequency="annual",
            frequency_reason="年度核查",
        ),
        ex.application(
            demand_type="fusion",
            fusion_plan=ex.fusion_plan(),
            method="batch_comparison",
            scenario=ex.scenario(**{"class": 4, "class4_basis": "batch_comparison"}),
        ),
        ex.application(scenario=ex.scenario(**{"class": 4, "class4_basis": "desensitised"})),
    ]
    out["putuo.demand-decision/1"] += [
        ex.rejection(),
        ex.decision(entry_id=ex.ENTRY_ID, version=2),
        ex.rejection(reason_code="nonconforming", legal_basis=ex.OMIT, nonconforming=["resources", "frequency"]),
    ]
    out["putuo.plan-review/1"] += [ex.plan_review(decision="return", reason_code=4, reason="方案不完整")]
    return out


VARIANTS = _variants()


def _named_values(node: Any) -> list:
    """Every enum member and const of a schema: a value that may switch a rule on or off."""
    out: list = []
    if isinstance(node, dict):
        for key, value in node.items():
            out += value if key == "enum" else [value] if key == "const" else _named_values(value)
    elif isinstance(node, list):
        for item in node:
            out += _named_values(item)
    return out


WRONG = [
    None,
    "",
    " x",
    "x\n",
    0,
    1,
    4,
    9,
    -1,
    2**32,
    True,
    [],
    {},
    "0x" + "0" * 64,
    "0x" + "AB" * 32,
    "2026-02-30",
    "2026-03-03",
    "2026-03-03T10:15:00+08:00",
    ex.DEMAND_UNIT,
    ex.OWNER_UNIT,
]
NAMED = {json.dumps(v, ensure_ascii=False): v for s in PUBLISHED.values() for v in _named_values(s)}
VALUES = WRONG + [v for key, v in sorted(NAMED.items()) if v not in WRONG]


def _paths(node: Any, path: tuple = ()) -> Iterator[tuple]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield path + (key,)
            yield from _paths(value, path + (key,))
    elif isinstance(node, list) and node:
        yield path + (0,)
        yield from _paths(node[0], path + (0,))


_REMOVE = object()


def _set(document: Any, path: tuple, value: Any) -> Any:
    out = copy.deepcopy(document)
    parent = out
    for step in path[:-1]:
        parent = parent[step]
    if value is _REMOVE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = copy.deepcopy(value)
    return out


def mutations(document: dict) -> Iterator[tuple[str, Any]]:
    yield "extra field", {**document, "extra": 1}
    for path in _paths(document):
        where = ".".join(map(str, path))
        if isinstance(path[-1], str):
            yield f"{where} removed", _set(document, path, _REMOVE)
        for value in VALUES:
            yield f"{where} = {value!r}", _set(document, path, value)


def _not_expressible(schema_id: str, document: Any) -> bool:
    """Documents that break a rule a schema's `$comment` says it cannot state."""
    try:
        if schema_id == "putuo.demand/1":
            pairs = [(r.get("entry_id"), r.get("owner_unit_id")) for r in document["resources"]]
            return len(set(pairs)) < len(pairs) or document["demand_unit_id"] in {o for _, o in pairs}
        if schema_id == NOTICE_SCHEMA:
            spans = [
                (dt.date.fromisoformat(h["from"]), dt.date.fromisoformat(h["to"]), h.get("days"))
                for h in document["holidays"]
            ]
            return any(end < start or days not in (None, (end - start).days + 1) for start, end, days in spans)
        if schema_id == COMMITMENT_SCHEMA:
            return document["scheme"] == "ecdsa" and document["officer_key_id"] != ECDSA_KEY_ID
    except (KeyError, TypeError, AttributeError, ValueError):
        return False
    return False


# Where the model once disagreed with its schema (defects of the model, found by this comparison
# and fixed): each must stay refused by both.
FIXED_DISAGREEMENTS = {
    "a catalog document may spell `schema` as `schema_` (populate_by_name)": (
        CATALOG_SCHEMA,
        {**{k: v for k, v in EXAMPLE_DOCUMENT.items() if k != "schema"}, "schema_": CATALOG_SCHEMA},
    ),
    "a review note likewise": (REVIEW_SCHEMA, {"schema_": REVIEW_SCHEMA, "decision": "approve"}),
    "a review note's reason_code may be `true` (an int Enum takes a bool, strict or not)": (
        REVIEW_SCHEMA,
        {"schema": REVIEW_SCHEMA, "decision": "return", "reason_code": True, "reason": "重复编目"},
    ),
    "a commitment's demand_id may end in a newline (Python's `$`)": (
        COMMITMENT_SCHEMA,
        {**EXAMPLE_COMMITMENT, "demand_id": EXAMPLE_COMMITMENT["demand_id"] + "\n"},
    ),
}


# Mutations whose disagreement is known and accepted (none).
KNOWN_MUTATIONS: set[tuple[str, str]] = set()


@pytest.mark.parametrize("schema_id", sorted(PUBLISHED))
def test_the_schema_accepts_what_the_model_accepts(schema_id):
    model_accepts, validator = MODEL_OF[schema_id], document_validator(PUBLISHED[schema_id])
    disagreements, checked = [], 0
    for example in VARIANTS[schema_id]:
        assert model_accepts(example) and validator.is_valid(example), example
        for label, mutated in mutations(example):
            checked += 1
            by_model, by_schema = model_accepts(mutated), validator.is_valid(mutated)
            known = (schema_id, label) in KNOWN_MUTATIONS
            if by_model != by_schema and not known and not (by_schema and _not_expressible(schema_id, mutated)):
                disagreements.append(
                    f"{label}: model {'accepts' if by_model else 'refuses'}, "
                    f"schema {'accepts' if by_schema else 'refuses'}"
                )
    assert disagreements == [] and checked > 50


@pytest.mark.parametrize("case", sorted(FIXED_DISAGREEMENTS))
def test_fixed_disagreements_stay_fixed(case):
    schema_id, document = FIXED_DISAGREEMENTS[case]
    assert not MODEL_OF[schema_id](document) and not document_validator(PUBLISHED[schema_id]).is_valid(document)
