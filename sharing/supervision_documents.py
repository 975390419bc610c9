"""Documents of the Supervision contract's actions (Art. 29, 31), and the on-chain fields each
derives (`fields`): the API checks what an officer signs against them."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from catalog.document import LongText, ResponsibilityId, Text
from chain.supervision import ActionKind, EvaluationKind, MeasureKind, Severity, record_id
from sharing.document import ReportedTo  # the Office and a regulator (Art. 29, 31)

Id = ResponsibilityId  # a non-zero 0x-hex 32-byte id
Ids = Annotated[list[Id], Field(max_length=64)]
Time = Annotated[StrictInt, Field(ge=1, le=2**40 - 1)]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SeverityName(str, Enum):
    GENERAL = "general"
    LARGER = "larger"
    MAJOR = "major"
    ESPECIALLY = "especially"


class IncidentReport(_Doc):
    """A data security incident, reported at once by the unit that has it (Art. 29): what, when,
    which data and grants, the measures taken, to whom it is reported."""

    schema_: Literal["putuo.incident/1"] = Field(alias="schema")
    occurred_at: Time  # unix seconds; the signed `value`
    severity: SeverityName
    summary: LongText  # what happened
    entries: Ids = []  # the catalog entries whose data is concerned
    grants: Ids = []  # the grants concerned (the Data Center may suspend them, Art. 31)
    measures: LongText  # measures taken at once (立即采取处置措施)
    reported_to: ReportedTo


class Acknowledgement(_Doc):
    """The Office's or a regulator's receipt of an incident or of a report of an Art. 31 measure."""

    schema_: Literal["putuo.acknowledgement/1"] = Field(alias="schema")
    subject_id: Id  # the incident id or the measure report id
    note: LongText | None = None


class IncidentHandling(_Doc):
    """A step of the reporting unit's handling of its incident."""

    schema_: Literal["putuo.incident-handling/1"] = Field(alias="schema")
    incident_id: Id
    progress: LongText


class IncidentClosure(_Doc):
    """The reporting unit closes its incident: cause, outcome, what changes."""

    schema_: Literal["putuo.incident-closure/1"] = Field(alias="schema")
    incident_id: Id
    cause: LongText
    outcome: LongText
    improvements: LongText | None = None


class EvaluationName(str, Enum):
    QUALITY = "quality"
    EFFECTIVENESS = "effectiveness"
    SECURITY = "security"


class SupervisionEvaluation(_Doc):
    """The Data Center's data quality, sharing effectiveness or security evaluation of a unit or a
    grant (Art. 31), with its score (0–100)."""

    schema_: Literal["putuo.supervision-evaluation/1"] = Field(alias="schema")
    evaluation: EvaluationName
    target_id: Id  # the unit or the grant evaluated
    period: Text
    score: Annotated[StrictInt, Field(ge=0, le=100)]
    findings: LongText


class MeasureName(str, Enum):
    SUSPENSION = "suspension"
    TERMINATION = "termination"


class MeasureReport(_Doc):
    """The Data Center's report (报送) of a grant it suspended or terminated for a security risk to
    the regulators and the Office (Art. 31)."""

    schema_: Literal["putuo.measure-report/1"] = Field(alias="schema")
    grant_id: Id
    measure: MeasureName
    reported_to: ReportedTo
    summary: LongText


Day = Annotated[str, Field(pattern=r"^(19[7-9][0-9]|20[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
GroupName = Literal[
    "compile",
    "collect",
    "resubmit",
    "review",
    "item_review",
    "catalogue",
    "confirm",
    "plan_review",
    "serve",
    "reason_review",
    "objection_answer",
    "update",
    "objection",
]


class ResultLine(_Doc):
    unit_id: Id
    name: Text
    rank: Annotated[StrictInt, Field(ge=1)] | None
    score: Annotated[float, Field(ge=0, le=100)] | None
    overdue: Annotated[StrictInt, Field(ge=0)]


class EvaluationResults(_Doc):
    """The Office's publication of a period's Art. 32 evaluation results: each unit's rank, score
    and overdue duties as judged at `judged_at` (block `judged_block`), and the CSV's hash."""

    schema_: Literal["putuo.evaluation-results/1"] = Field(alias="schema")
    date_from: Day
    date_to: Day
    period_end: Time  # the last second of `date_to`, Asia/Shanghai: the signed `value`
    judged_at: Time
    judged_block: Annotated[StrictInt, Field(ge=0)]
    csv_keccak256: Id  # the CSV file the Office distributes (GET /v1/evaluation.csv for the period)
    units: Annotated[list[ResultLine], Field(min_length=1, max_length=500)]


class Evidence(_Doc):
    """A duty behind a notice line, as `GET /v1/duties` lists it: its rule, subject and (for an
    item or an update period) its index; `start_tx` recorded its due time on-chain."""

    rule: Annotated[str, Field(pattern=r"^art[0-9]{2}_[a-z_]+$")]
    subject_id: Id
    item: Annotated[StrictInt, Field(ge=0)] | None = None
    version: Annotated[StrictInt, Field(ge=1)] | None = None
    start_tx: Id


class NoticeLine(_Doc):
    unit_id: Id
    group: GroupName
    finding: LongText
    evidence: Annotated[list[Evidence], Field(min_length=1, max_length=50)]


class EvaluationNotice(_Doc):
    """The Office's notice (通报, Art. 32) of units that did not carry out their cataloguing,
    collection and update, or demand review duties, on published results, each line with the
    duties that show it."""

    schema_: Literal["putuo.evaluation-notice/1"] = Field(alias="schema")
    results_id: Id  # the signed `target`
    scope: Text  # 通报范围
    lines: Annotated[list[NoticeLine], Field(min_length=1, max_length=100)]


SCHEMA_BY_KIND: dict[ActionKind, type[BaseModel]] = {
    ActionKind.REPORT_INCIDENT: IncidentReport,
    ActionKind.ACKNOWLEDGE: Acknowledgement,
    ActionKind.RECORD_HANDLING: IncidentHandling,
    ActionKind.CLOSE_INCIDENT: IncidentClosure,
    ActionKind.RECORD_EVALUATION: SupervisionEvaluation,
    ActionKind.REPORT_MEASURE: MeasureReport,
    ActionKind.PUBLISH_RESULTS: EvaluationResults,
    ActionKind.PUBLISH_NOTICE: EvaluationNotice,
}
MODELS = tuple(SCHEMA_BY_KIND.values())


def _id(value: str) -> bytes:
    return bytes.fromhex(value[2:])


def fields(kind: ActionKind, parsed: BaseModel, *, document: bytes) -> tuple[bytes, bytes, int, int]:
    """(subject, target, code, value) the action of `kind` signs for `parsed`, whose canonical
    bytes are `document`. An incident's or evaluation's id is derived from its document."""
    zero = bytes(32)
    if isinstance(parsed, IncidentReport):
        return record_id(kind, document), zero, int(Severity[parsed.severity.name]), parsed.occurred_at
    if isinstance(parsed, Acknowledgement):
        return _id(parsed.subject_id), zero, 0, 0
    if isinstance(parsed, (IncidentHandling, IncidentClosure)):
        return _id(parsed.incident_id), zero, 0, 0
    if isinstance(parsed, SupervisionEvaluation):
        code = int(EvaluationKind[parsed.evaluation.name])
        return record_id(kind, document), _id(parsed.target_id), code, parsed.score
    if isinstance(parsed, EvaluationResults):
        return record_id(kind, document), zero, 0, parsed.period_end
    if isinstance(parsed, EvaluationNotice):
        return record_id(kind, document), _id(parsed.results_id), 0, 0
    assert isinstance(parsed, MeasureReport)
    return _id(parsed.grant_id), zero, int(MeasureKind[parsed.measure.name]), 0
