"""Sharing documents (Art. 17–26, 31): what each signed step says, and what it signs on-chain.

`sharing.document` defines one strict model per step; `sharing.fields` derives from a
validated document the `subject`, `item`, `code`, `at` and `terms` of its `SharingAction`.
"""

from sharing.document import (
    AdjustmentPlan,
    Application,
    Class4Basis,
    DemandDecision,
    DemandType,
    Dispute,
    DisputeAbout,
    DisputeResolution,
    Escalation,
    EscalationOutcome,
    FusionPlan,
    FusionServed,
    IdleReason,
    Objection,
    ObjectionDismissal,
    PlanReview,
    Reinstatement,
    RejectReason,
    Resource,
    Scenario,
    ScenarioEvaluation,
    ScenarioWithdrawal,
    SecurityLevel,
    SecuritySuspension,
    ShareMethod,
    Termination,
    UsageRecord,
    UseFrequency,
)
from sharing.fields import (
    DECISION_CODES,
    DISPUTE_OUTCOMES,
    ESCALATION_OUTCOMES,
    SCHEMAS,
    StepFields,
    apply_terms,
    step_fields,
)

__all__ = [
    "DECISION_CODES", "DISPUTE_OUTCOMES", "ESCALATION_OUTCOMES", "SCHEMAS",
    "AdjustmentPlan", "Application", "Class4Basis", "DemandDecision", "DemandType", "Dispute", "DisputeAbout",
    "DisputeResolution", "Escalation", "EscalationOutcome", "FusionPlan", "FusionServed", "IdleReason",
    "Objection", "ObjectionDismissal", "PlanReview", "Reinstatement", "RejectReason", "Resource", "Scenario",
    "ScenarioEvaluation", "ScenarioWithdrawal", "SecurityLevel", "SecuritySuspension", "ShareMethod",
    "StepFields", "Termination", "UsageRecord", "UseFrequency", "apply_terms", "step_fields",
]  # fmt: skip
