"""Supervision actions (Art. 29, 31) as EIP-712 typed data: what an officer signs. The action has
the shared shape of chain.measure_actions under the type `SupervisionAction`."""

from __future__ import annotations

import enum

from eth_abi import encode as abi_encode
from eth_utils import keccak

from chain.measure_actions import ActionDomain
from chain.responsibilities import ResponsibilityAction

DOMAIN_NAME = "PutuoSupervision"
PRIMARY_TYPE = "SupervisionAction"
DOMAIN = ActionDomain(DOMAIN_NAME, PRIMARY_TYPE)
ACTION_TYPES = DOMAIN.types
ACTION_TYPEHASH = DOMAIN.typehash


class ActionKind(enum.IntEnum):
    REPORT_INCIDENT = 0
    ACKNOWLEDGE = 1
    RECORD_HANDLING = 2
    CLOSE_INCIDENT = 3
    RECORD_EVALUATION = 4
    REPORT_MEASURE = 5
    PUBLISH_RESULTS = 6
    PUBLISH_NOTICE = 7


# What each kind acts on: the action's subject type in the API (api.services.intake.subject_type).
SUPERVISION_SUBJECTS = {
    ActionKind.REPORT_INCIDENT: "incident",
    ActionKind.ACKNOWLEDGE: "report",
    ActionKind.RECORD_HANDLING: "incident",
    ActionKind.CLOSE_INCIDENT: "incident",
    ActionKind.RECORD_EVALUATION: "evaluation",
    ActionKind.REPORT_MEASURE: "grant",
    ActionKind.PUBLISH_RESULTS: "results",
    ActionKind.PUBLISH_NOTICE: "notice",
}


class Severity(enum.IntEnum):
    """ISupervision.Severity: 一般, 较大, 重大, 特别重大."""

    NONE = 0
    GENERAL = 1
    LARGER = 2
    MAJOR = 3
    ESPECIALLY = 4


class EvaluationKind(enum.IntEnum):
    NONE = 0
    QUALITY = 1
    EFFECTIVENESS = 2
    SECURITY = 3


class MeasureKind(enum.IntEnum):
    NONE = 0
    SUSPENSION = 1
    TERMINATION = 2


class SupervisionAction(ResponsibilityAction):
    """A Supervision action: the shared fields, `kind` an ActionKind here."""


typed_data, digest, sign = DOMAIN.typed_data, DOMAIN.digest, DOMAIN.sign


def record_id(kind: ActionKind, document: bytes) -> bytes:
    """An incident's, evaluation's, results' or notice's id: keccak256 of its kind's tag and its
    canonical document."""
    return keccak(f"putuo.supervision.{kind.name.lower()}:".encode() + document)


def measure_report_id(grant_id: bytes, measure: MeasureKind, taken_at: int) -> bytes:
    """`Supervision.measureReportId`: the id of the report of one measure on a grant."""
    return keccak(abi_encode(["bytes32", "uint8", "uint40"], [grant_id, int(measure), taken_at]))
