"""DataQuality actions (Art. 15–16) as EIP-712 typed data: what an officer signs.

The action has the Responsibilities action's shape (kind, subject, target, code, value, document,
nonce) and a `grant` (a using unit's objection names the grant it holds on the entry, Art. 16), under
its own type name and domain; a test recomputes the contract's digest from here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from eth_utils import keccak

from chain.measure_actions import QUALITY_FIELDS, ActionDomain
from chain.responsibilities import ResponsibilityAction

DOMAIN_NAME = "PutuoDataQuality"
PRIMARY_TYPE = "QualityAction"


class ActionKind(enum.IntEnum):
    DECLARE_FREQUENCY = 0
    RECORD_UPDATE = 1
    RECORD_RECONCILIATION = 2
    RAISE_OBJECTION = 3
    HANDLE_OBJECTION = 4


# What each kind acts on: the action's subject type in the API (api.services.intake.subject_type).
QUALITY_SUBJECTS = {
    ActionKind.DECLARE_FREQUENCY: "entry",
    ActionKind.RECORD_UPDATE: "update",
    ActionKind.RECORD_RECONCILIATION: "reconciliation",
    ActionKind.RAISE_OBJECTION: "objection",
    ActionKind.HANDLE_OBJECTION: "objection",
}


class UpdateFrequency(enum.IntEnum):
    """IDataQuality.UpdateFrequency: the catalog document's `update_frequency`, signed."""

    NONE = 0
    REALTIME = 1
    DAILY = 2
    WEEKLY = 3
    MONTHLY = 4
    QUARTERLY = 5
    SEMIANNUAL = 6
    ANNUAL = 7
    IRREGULAR = 8


DAY = 86_400
# DataQuality._periodSeconds: fixed lengths from the declaration (docs/MEASURES.md says why).
PERIOD_SECONDS = {
    UpdateFrequency.REALTIME: DAY,
    UpdateFrequency.DAILY: DAY,
    UpdateFrequency.WEEKLY: 7 * DAY,
    UpdateFrequency.MONTHLY: 30 * DAY,
    UpdateFrequency.QUARTERLY: 91 * DAY,
    UpdateFrequency.SEMIANNUAL: 182 * DAY,
    UpdateFrequency.ANNUAL: 365 * DAY,
    UpdateFrequency.IRREGULAR: 0,
}


class ReconciliationResult(enum.IntEnum):
    NONE = 0
    CONSISTENT = 1
    DISCREPANCIES = 2


class ObjectionSource(enum.IntEnum):
    NONE = 0
    QUALITY_MONITORING = 1
    RECONCILIATION = 2
    USING_UNIT = 3


class ObjectionOutcome(enum.IntEnum):
    NONE = 0
    CORRECTED = 1
    CONFIRMED = 2


DOMAIN = ActionDomain(DOMAIN_NAME, PRIMARY_TYPE, tuple(f["name"] for f in QUALITY_FIELDS))
ACTION_TYPES = DOMAIN.types
ACTION_TYPEHASH = DOMAIN.typehash


@dataclass(frozen=True)
class QualityAction(ResponsibilityAction):
    """A DataQuality action: a Responsibilities action's fields, `kind` an ActionKind here, and
    `grant`: a using unit's grant on the entry it objects to (else zero)."""

    grant: bytes = bytes(32)

    def as_tuple(self) -> tuple:
        kind, subject, target, *rest = super().as_tuple()
        return (kind, subject, target, self.grant, *rest)

    def message(self) -> dict:
        return {**super().message(), "grant": self.grant}


typed_data, digest, sign = DOMAIN.typed_data, DOMAIN.digest, DOMAIN.sign


def record_id(kind: ActionKind, document: bytes) -> bytes:
    """An update's, reconciliation's or objection's id: keccak256 of its kind's tag and its canonical document."""
    return keccak(f"putuo.quality.{kind.name.lower()}:".encode() + document)
