"""Errors the API answers with: a stable machine-readable code, a message naming the field.

Every error body is {"error": {"code": ..., "message": ..., "field": ...}}. Nothing else
reaches the client: unexpected exceptions are logged and answered with a bare 500 body.
"""

from __future__ import annotations

import logging

import requests
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from chain.errors import ActionRevertedError, LedgerError
from chain.reverts import decode_rejection, describe
from chain.rpc import RpcError

log = logging.getLogger(__name__)


class ApiError(LedgerError):
    """Raised by services for an answer other than success."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None, **details) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.details = details


# The contract's custom errors, as HTTP answers. The contract is the last line; these are the
# early, clear errors the API gives by simulating the action before accepting it.
REVERT_ANSWERS: dict[str, tuple[int, str, str, str | None]] = {
    # Every signed contract (Catalog, Sharing): contracts/interfaces/ISignedActions.sol
    "SignedActionSignerNotActive": (
        403,
        "signer_not_active",
        "the signing key is not an active officer key",
        "signature",
    ),
    # UsageLog (#11): contracts/interfaces/IUsageLog.sol
    "UsageLogNotDataCenter": (403, "not_data_center", "only a Data Center officer anchors checkpoints", "signature"),
    "UsageLogNotWitness": (403, "not_witness", "only the Office or an auditor unit co-signs checkpoints", "signature"),
    "UsageLogSizeNotGrowing": (409, "size_not_growing", "the checkpoint's size does not grow", "checkpoint"),
    "UsageLogBadCheckpoint": (422, "bad_checkpoint", "the checkpoint has a zero root or uneven uses", "checkpoint"),
    "UsageLogUnknownCheckpoint": (409, "checkpoint_not_anchored", "no such checkpoint is anchored", "checkpoint"),
    "UsageLogAlreadyCosigned": (409, "already_cosigned", "the unit already co-signed this checkpoint", "checkpoint"),
    "SignedActionNonceUsed": (409, "nonce_used", "this action was already executed (replay refused)", "nonce"),
    "SignedActionInvalidSignature": (400, "bad_signature", "the signature is malformed", "signature"),
    "SignedActionSignatureMismatch": (
        403,
        "signature_mismatch",
        "the SM2 signature does not match this action for the key it names",
        "signature",
    ),
    "SignedActionDocumentTooLarge": (413, "document_too_large", "the document is too large", "document"),
    "SignedActionEmptyDocument": (422, "invalid_document", "the document is empty", "document"),
    # Catalog (Art. 11–15): contracts/interfaces/ICatalog.sol
    "CatalogWrongUnitKind": (403, "wrong_unit_kind", "the signer's unit may not take this action", "signature"),
    "CatalogNotOwner": (403, "not_owner", "the entry belongs to another unit", "entry_id"),
    "CatalogEntryExists": (409, "entry_exists", "an entry with this id already exists", "entry_id"),
    "CatalogUnknownEntry": (404, "unknown_entry", "no catalog entry has this id", "entry_id"),
    "CatalogInvalidStatus": (409, "invalid_status", "the entry's status does not allow this action", "entry_id"),
    "CatalogNotPendingVersion": (409, "not_pending_version", "this version is not awaiting review", "version"),
    "CatalogInvalidSharing": (
        422,
        "invalid_sharing",
        "an entry version signs its document's sharing attribute; no other action signs one",
        "document.sharing.attribute",
    ),
    "CatalogInvalidDeclaredAt": (
        422,
        "invalid_declared_at",
        "the declared approval or acceptance date is in the future",
        "document.basis_event.date",
    ),
    "CatalogNotApproved": (409, "not_approved", "the entry has no approved version to collect data for", "entry_id"),
    "CatalogAlreadyCollected": (
        409,
        "already_collected",
        "the entry's data collection is already recorded",
        "entry_id",
    ),
    # Responsibilities (Art. 5, 11, 12): contracts/interfaces/IResponsibilities.sol
    "ResponsibilitiesWrongUnitKind": (
        403,
        "wrong_unit_kind",
        "the signer's unit may not take this action",
        "signature",
    ),
    "ResponsibilitiesNotOwner": (403, "not_owner", "the responsibility belongs to another unit", "subject"),
    "ResponsibilitiesInvalidStatus": (
        409,
        "invalid_status",
        "the responsibility's status does not allow this",
        "subject",
    ),
    "ResponsibilitiesNotServed": (
        409,
        "responsibility_not_approved",
        "the entry names no approved responsibility of its unit (Art. 11)",
        "document.responsibility",
    ),
    "ResponsibilitiesRequired": (
        409,
        "responsibility_required",
        "the Office requires every entry version to name its responsibility (Art. 11)",
        "document.responsibility",
    ),
    "ResponsibilitiesInvalidUnit": (409, "invalid_unit", "the unit named must be an ordinary unit", "document.unit_id"),
    "ResponsibilitiesRefusalExists": (409, "refusal_exists", "a refusal with this id is recorded", "subject"),
    "ResponsibilitiesUnknownRefusal": (404, "unknown_refusal", "no refusal has this id", "subject"),
    "ResponsibilitiesNothingToReport": (
        409,
        "nothing_to_report",
        "the refusal cited a legal basis or is reported already",
        "subject",
    ),
    "ResponsibilitiesSettingOutOfRange": (
        422,
        "setting_out_of_range",
        "the value is outside the setting's range",
        "document.value",
    ),
    "ResponsibilitiesInvalidExportRange": (
        409,
        "invalid_export_range",
        "an export starts after the previous one's last block and ends at an existing block",
        "document.to_block",
    ),
    # DataQuality (Art. 15-16): contracts/interfaces/IDataQuality.sol
    "DataQualityWrongUnitKind": (403, "wrong_unit_kind", "the signer's unit may not take this action", "signature"),
    "DataQualityNotOwner": (403, "not_owner", "only the entry's responsible unit may take this action", "signature"),
    "DataQualityInvalidCode": (
        422,
        "invalid_code",
        "the document's kind or source does not fit the signer",
        "document",
    ),
    "DataQualityEntryNotApproved": (
        409,
        "entry_not_approved",
        "the entry has no approved version, or is deleted",
        "document.entry_id",
    ),
    "DataQualityNoSchedule": (
        409,
        "no_update_frequency",
        "the entry's unit has not declared its update frequency",
        "document.entry_id",
    ),
    "DataQualityInvalidUnit": (409, "invalid_unit", "the unit named must be an ordinary unit", "document.unit_id"),
    "DataQualityExists": (409, "already_recorded", "a record with this id exists", "document"),
    "DataQualityUnknownObjection": (404, "unknown_objection", "no objection has this id", "document.objection_id"),
    "DataQualityOwnData": (
        409,
        "own_data",
        "a unit corrects its own data rather than objecting to it",
        "document.entry_id",
    ),
    "DataQualityObjectionHandled": (
        409,
        "objection_handled",
        "the objection is handled already",
        "document.objection_id",
    ),
    "DataQualityUnknownGrant": (404, "unknown_grant", "no grant has this id", "document.grant_id"),
    "DataQualityGrantNotHeld": (
        403,
        "grant_not_held",
        "a unit objects only under a grant it holds",
        "document.grant_id",
    ),
    "DataQualityGrantNotCovering": (
        409,
        "grant_not_covering",
        "the grant does not cover the entry objected to",
        "document.grant_id",
    ),
    # Supervision (Art. 29, 31): contracts/interfaces/ISupervision.sol
    "SupervisionWrongUnitKind": (403, "wrong_unit_kind", "the signer's unit may not take this action", "signature"),
    "SupervisionInvalidCode": (422, "invalid_code", "the document's kind is not one the contract takes", "document"),
    "SupervisionExists": (409, "already_recorded", "a record with this id exists", "document"),
    "SupervisionUnknownIncident": (404, "unknown_incident", "no incident has this id", "document.incident_id"),
    "SupervisionNotReporter": (
        403,
        "not_reporter",
        "only the unit that reported the incident handles and closes it",
        "signature",
    ),
    "SupervisionIncidentClosed": (409, "incident_closed", "the incident is closed", "document.incident_id"),
    "SupervisionInvalidTime": (
        422,
        "invalid_time",
        "when the incident occurred must be given and not in the future",
        "document.occurred_at",
    ),
    "SupervisionNothingToAcknowledge": (
        404,
        "nothing_to_acknowledge",
        "no incident or measure report has this id",
        "document.subject_id",
    ),
    "SupervisionAlreadyAcknowledged": (
        409,
        "already_acknowledged",
        "the signer's unit acknowledged it already",
        "document.subject_id",
    ),
    "SupervisionInvalidTarget": (
        409,
        "invalid_target",
        "an evaluation is of a registered unit or an issued grant",
        "document.target_id",
    ),
    "SupervisionInvalidScore": (422, "invalid_score", "a score is 0 to 100", "document.score"),
    "SupervisionNoMeasure": (
        409,
        "no_measure",
        "the grant is not suspended for a security risk, or not terminated",
        "document.grant_id",
    ),
    "SharingNoDesignationToFollow": (
        409,
        "no_designation_to_follow",
        "no designation of the item's entry moves this owner's open duties (Art. 5)",
        "item",
    ),
    "CatalogDesignationRefused": (
        409,
        "designation_refused",
        "the entry is unknown, deleted or already the designated unit's",
        "document.entry_id",
    ),
    # Sharing (Art. 17–26, 31): contracts/interfaces/ISharing.sol
    "SharingWrongUnitKind": (403, "wrong_unit_kind", "the signer's unit may not take this step", "signature"),
    "SharingWrongDemandId": (
        422,
        "demand_id_mismatch",
        "the demand id is not the one derived from the unit and the document",
        "document",
    ),
    "SharingDemandExists": (
        409,
        "demand_exists",
        "this application was already submitted; change application_no to apply again",
        "document.application_no",
    ),
    "SharingUnknownDemand": (404, "unknown_demand", "no demand has this id", "document.demand_id"),
    "SharingDemandClosed": (409, "demand_closed", "the demand is already closed", "document.demand_id"),
    "SharingInvalidScenarioClass": (
        422,
        "invalid_scenario_class",
        "no such Art. 19 scenario class",
        "document.scenario.class",
    ),
    "SharingScenarioNotApproved": (
        409,
        "scenario_not_approved",
        "an Art. 19 (1)–(3) scenario must be in the Data Center's register (GET /v1/scenarios); "
        "apply with class 0 for the owner's review",
        "document.scenario.code",
    ),
    "SharingScenarioClassMismatch": (
        409,
        "scenario_class_mismatch",
        "the scenario is registered under another Art. 19 class: claim the class the register gives",
        "document.scenario.class",
    ),
    "SharingScenarioNotForUnit": (
        409,
        "scenario_not_for_unit",
        "the Data Center approved this scenario for other units (Art. 19 (2)); it cannot be borrowed",
        "document.scenario.code",
    ),
    "SharingScenarioNotForEntry": (
        409,
        "scenario_not_for_entry",
        "the Data Center approved this scenario for other data (Art. 19 (2)): ask the owner instead",
        "document.resources",
    ),
    "SharingScenarioWithdrawn": (
        409,
        "scenario_withdrawn",
        "the Data Center withdrew this scenario: nothing is granted or used under it since; apply again",
        "document.scenario.code",
    ),
    "SharingInvalidDataForm": (
        422,
        "invalid_data_form",
        "an Art. 19 (4) application names its ground (class4_basis), and only a class-4 one; "
        "batch comparison returns results by the batch_comparison method",
        "document.scenario.class4_basis",
    ),
    "SharingConformityNotPending": (
        409,
        "conformity_not_pending",
        "no scenario-route application of this demand awaits the Data Center's confirmation",
        "document.demand_id",
    ),
    "SharingIdleReasonPending": (
        409,
        "idle_reason_pending",
        "a reason for idleness awaits the Data Center's review (Art. 26): one at a time",
        "document.grant_id",
    ),
    "SharingNoIdleReasonPending": (
        409,
        "no_idle_reason_pending",
        "no reason for idleness awaits review on this grant",
        "document.grant_id",
    ),
    "SharingObjectionWindowOpen": (
        409,
        "objection_window_open",
        "the holder's 30 days to object are running (Art. 26): only a security risk (Art. 31) ends the grant now",
        "document.ground",
    ),
    "SharingFrequencyReasonRequired": (
        422,
        "frequency_reason_required",
        "use less often than once per 3 months needs a stated reason (Art. 17)",
        "document.frequency_reason",
    ),
    "SharingDuplicateResource": (422, "duplicate_resource", "a resource is asked for twice", "document.resources"),
    "SharingOwnResource": (422, "own_resource", "a unit does not apply for its own data", "document.resources"),
    "SharingUnknownEntry": (404, "unknown_entry", "no catalog entry has this id", "document.resources"),
    "SharingVersionNotApproved": (
        409,
        "version_not_approved",
        "only an entry's version in force may be applied for or granted (Art. 14, 17); an owner approving an "
        "item whose entry changed since names the version now in force",
        "document.resources",
    ),
    "SharingEntryNotShared": (
        409,
        "entry_not_shared",
        "the entry's approved version is not shared (不予共享, Art. 7): no route grants it",
        "document.resources",
    ),
    "SharingEntryChangePending": (
        409,
        "entry_change_pending",
        "a change or deletion request on the entry awaits the Data Center's evaluation (Art. 14): "
        "nothing is applied for or granted on it until it is decided; try again after the review",
        "document.resources",
    ),
    "SharingWrongOwner": (422, "wrong_owner", "the entry belongs to another responsible unit", "document.resources"),
    "SharingUnknownUnit": (404, "unknown_unit", "no ordinary unit has this id", "document.resources"),
    "SharingCommitmentWrongDemand": (
        422,
        "commitment_wrong_demand",
        "the commitment names another demand",
        "commitment.document.demand_id",
    ),
    "SharingCommitmentKeyNotActive": (
        403,
        "commitment_key_not_active",
        "the commitment's key is not active",
        "commitment.signature",
    ),
    "SharingCommitmentWrongUnit": (
        403,
        "commitment_wrong_unit",
        "the commitment is signed by another unit's key",
        "commitment.signature",
    ),
    "SharingCommitmentWrongScheme": (
        422,
        "commitment_wrong_scheme",
        "the key is registered with another scheme",
        "commitment.signature",
    ),
    "SharingCommitmentInvalidSignature": (
        422,
        "commitment_invalid_signature",
        "the commitment's signature does not verify",
        "commitment.signature",
    ),
    "SharingUnknownItem": (404, "unknown_item", "the demand has no such item", "document.item"),
    "SharingNotItemOwner": (403, "not_item_owner", "the item is another responsible unit's to decide", "signature"),
    "SharingItemNotPending": (409, "item_not_pending", "the item is already decided or finalised", "document.item"),
    "SharingDecisionTooLate": (
        409,
        "decision_too_late",
        "past the due time silence has approved the item (Art. 20)",
        "document.item",
    ),
    "SharingBasisRequired": (
        422,
        "legal_basis_required",
        "a rejection cites a legal or regulatory basis (Art. 20)",
        "document.legal_basis",
    ),
    "SharingItemNotOverdue": (
        409,
        "item_not_overdue",
        "the item is not past its due time and the grace for a decision signed by then (Art. 20) yet",
        "item",
    ),
    "SharingNonconformityUnstated": (
        422,
        "nonconformity_unstated",
        "a rejection for non-conformity names the Art. 17 elements that do not conform (Art. 20, 24)",
        "document.nonconforming",
    ),
    "SharingInvalidSignedAt": (
        422,
        "invalid_signed_at",
        "the decision's signing time is missing or in the future",
        "document.signed_at",
    ),
    "SharingNoDeemedApproval": (
        409,
        "no_deemed_approval",
        "data not yet catalogued is not approved by silence (Art. 22)",
        "item",
    ),
    "SharingPlanNotPending": (
        409,
        "plan_not_pending",
        "no fusion plan or technical evaluation awaits review",
        "document.demand_id",
    ),
    "SharingUnknownGrant": (404, "unknown_grant", "no grant has this id", "grant_id"),
    "SharingGrantNotActive": (409, "grant_not_active", "the grant is not active", "grant_id"),
    "SharingGrantNotSuspended": (409, "grant_not_suspended", "the grant is not suspended (for idleness)", "grant_id"),
    "SharingGrantTerminated": (
        409,
        "grant_terminated",
        "the grant is terminated; apply again to use the data (Art. 26)",
        "grant_id",
    ),
    "SharingNotGrantHolder": (403, "not_grant_holder", "only the grant's demand unit may take this step", "signature"),
    "SharingUseOutOfRange": (
        422,
        "use_out_of_range",
        "a use is recorded only for a time the grant was live: "
        "from its issue to now, or to its suspension or termination",
        "document.used_at",
    ),
    "SharingNotCollected": (
        409,
        "not_collected",
        "the entry's data is not collected to the platform yet: collect it before approving (Art. 22)",
        "document.entry_id",
    ),
    "SharingExcuseOutOfRange": (
        422,
        "excuse_out_of_range",
        "a reason on file covers a time after now and within a year",
        "document.until",
    ),
    "SharingNotIdle": (
        409,
        "not_idle",
        "the grant was used within the last 3 months or has a reason on file",
        "grant_id",
    ),
    "SharingObjectionClosed": (
        409,
        "objection_closed",
        "the 30 days after the suspension notice are over (or an "
        "objection was already made): no objection now, and an idle suspension has lapsed",
        "grant_id",
    ),
    "SharingNoPendingObjection": (409, "no_pending_objection", "no objection awaits the Data Center", "grant_id"),
    "SharingObjectionPending": (409, "objection_pending", "an objection awaits the Data Center", "grant_id"),
    "SharingNotLapsed": (409, "not_lapsed", "30 days have not passed since the suspension notice", "grant_id"),
    "SharingNotFusion": (409, "not_fusion", "the grant has no fusion to serve", "grant_id"),
    "SharingAlreadyServed": (409, "already_served", "the fusion is already recorded as served", "grant_id"),
    "SharingScenarioState": (409, "scenario_state", "the scenario is already in that state", "document.scenario_code"),
    "SharingNoLiveGrants": (
        409,
        "no_live_grants",
        "no live grant uses the entry; no adjustment plan is needed",
        "document.entry_id",
    ),
    "SharingNotEntryOwner": (403, "not_entry_owner", "the entry belongs to another unit", "document.entry_id"),
    "SharingAdjustmentPlanRequired": (
        409,
        "adjustment_plan_required",
        "live grants use this entry: record an adjustment plan first (Art. 14)",
        "entry_id",
    ),
    "SharingNotParty": (
        403,
        "not_party",
        "only the demand unit and the item's responsible unit are parties",
        "signature",
    ),
    "SharingDisputeState": (
        409,
        "dispute_state",
        "the dispute is not in a state that allows this step",
        "document.item",
    ),
    "SharingEscalationState": (
        409,
        "escalation_state",
        "the escalation is not in a state that allows this step",
        "document.demand_id",
    ),
    "SharingInvalidCode": (422, "invalid_code", "the step's code is not allowed", "document"),
    "SharingUnexpectedField": (422, "unexpected_field", "the step carries a field it does not take", "document"),
    "SharingBadTerms": (422, "bad_terms", "the step's terms do not fit it", "document"),
    # Reached only when a document passed the API's schema yet the contract refuses it (an older
    # client, a schema and a contract out of step): still the field, not a bare 409.
    "SharingNoResources": (422, "no_resources", "an application names at least one resource", "document.resources"),
    "SharingTooManyResources": (
        422,
        "too_many_resources",
        "an application names at most the contract's maximum of resources",
        "document.resources",
    ),
    "SharingInvalidMethod": (422, "invalid_method", "the application names no sharing method", "document.method"),
    "SharingInvalidFrequency": (422, "invalid_frequency", "the application names no frequency", "document.frequency"),
    "SharingInvalidSecurityLevel": (
        422,
        "invalid_security_level",
        "the security level is 1 to 4",
        "document.security_level",
    ),
    "SharingNotSignedStep": (422, "not_signed_step", "this step is not one an officer signs", "kind"),
    "SharingUseWhileSuspended": (
        422,
        "use_while_suspended",
        "a use is recorded only for a time the grant was not suspended (Art. 26, 31)",
        "document.used_at",
    ),
    # Art. 14: a catalog adjustment that live grants use.
    "SharingAdjustmentPlanNotAgreed": (
        409,
        "adjustment_plan_not_agreed",
        "the adjustment plan is not yet acknowledged by the Data Center and every unit holding a live grant "
        "on the entry (Art. 14)",
        "entry_id",
    ),
    "SharingNoAdjustmentPlan": (
        409,
        "no_adjustment_plan",
        "no adjustment plan is recorded for the entry",
        "document.entry_id",
    ),
    "SharingNotAffected": (
        403,
        "not_affected",
        "only the Data Center and units holding a live grant on the entry acknowledge its plan",
        "signature",
    ),
    "SharingAlreadyAcknowledged": (
        409,
        "already_acknowledged",
        "the unit already acknowledged this plan",
        "document.entry_id",
    ),
    "SharingNoCatalogAdjustment": (
        409,
        "no_catalog_adjustment",
        "every entry the grant pins is still in force: no catalog adjustment to terminate it for",
        "grant_id",
    ),
    "CatalogUnexpectedField": (
        422,
        "unexpected_field",
        "the action carries a field its kind does not take",
        "document",
    ),
    "ResponsibilitiesUnexpectedField": (
        422,
        "unexpected_field",
        "the action carries a field its kind does not take",
        "document",
    ),
    "ResponsibilitiesInvalidCode": (422, "invalid_code", "the action's code is not one its kind takes", "document"),
    "ResponsibilitiesUnknownSetting": (
        404,
        "unknown_setting",
        "the Office has no setting of this name",
        "document.name",
    ),
    "DataQualityUnexpectedField": (
        422,
        "unexpected_field",
        "the action carries a field its kind does not take",
        "document",
    ),
    "SupervisionUnexpectedField": (
        422,
        "unexpected_field",
        "the action carries a field its kind does not take",
        "document",
    ),
    "SupervisionPeriodNotEnded": (
        409,
        "period_not_ended",
        "results are published for a period that has ended",
        "document.date_to",
    ),
    "SupervisionUnknownResults": (
        404,
        "unknown_results",
        "the Office published no results with this id",
        "document.results_id",
    ),
    "WorkCalendarYearNotPublished": (
        409,
        "calendar_year_not_published",
        "a deadline of this step falls in a year whose working-day calendar the Office has not published",
        "calendar_year",
    ),
}


# Custom errors of the deployed contracts that no signed action relayed by the API can meet: the
# Office's own transactions (units and keys, the calendar, sent by `ledger units`, `ledger
# calendar`, which explain them), the one-time bindings made at deployment, OpenZeppelin's
# internals, and the simulation's own marker. tests/api/test_revert_answers.py holds every other
# custom error to an answer above.
NOT_FROM_ACTIONS = frozenset(
    {
        "AccessControlBadConfirmation",
        "AccessControlUnauthorizedAccount",
        "BatchSimulated",  # executeBatch's simulation reports its outcome by this revert
        "CatalogNotDeployer",
        "CatalogNotResponsibilities",
        "CatalogResponsibilitiesBound",
        "CatalogSharingBound",
        "InvalidShortString",
        "StringTooLong",
        "RegistryInvalidSm2PublicKey",
        "RegistryInvalidUnitCode",
        "RegistryInvalidUnitKind",
        "RegistryKeyAlreadyRevoked",
        "RegistryKeyExists",
        "RegistryUnitExists",
        "RegistryUnknownKey",
        "RegistryUnknownUnit",
        "RegistryZeroKey",
        "ResponsibilitiesCatalogBound",
        "ResponsibilitiesNotDeployer",
        "SharingNotCatalog",
        "SharingNotDeployer",
        "SharingNotUsageLog",
        "SharingUsageLogBound",
        "SignedActionNotSelf",  # executeFromBatch is called by the contract itself only
        "SM2InvalidPublicKey",  # met when the Office registers a key
        "WorkCalendarBitmapTooLong",
        "WorkCalendarBitmapUnchanged",
        "WorkCalendarEmptyBitmap",
        "WorkCalendarTimestampOutOfRange",
        "WorkCalendarYearOutOfRange",
        "WorkCalendarZeroWorkingDays",
    }
)


def _calendar_year_message(exc: ActionRevertedError) -> str:
    year = exc.error_args.get("year")
    return (
        f"calendar_year: a deadline of this step falls in {year}, whose working-day calendar the Office has not "
        f"published; the Office runs `ledger calendar publish {year} --notice FILE` (the State Council's notice), "
        "then retry"
    )


def from_revert(exc: ActionRevertedError) -> ApiError:
    status, code, message, field = REVERT_ANSWERS.get(
        exc.error, (409, "refused_by_contract", "the contract refused the action", None)
    )
    if exc.error == "WorkCalendarYearNotPublished":
        return ApiError(
            status, code, _calendar_year_message(exc), field, contract_error=exc.error, contract_args=exc.error_args
        )
    return ApiError(
        status, code, f"{message}: {describe(exc)}", field, contract_error=exc.error, contract_args=exc.error_args
    )


def rejection(reason: bytes | None, error: str | None) -> dict | None:
    """A rejected action's error (`executeBatch` skipped it with revert data `reason`): the
    `error` object of the 4xx body the API answers when it refuses that action itself, with the
    same code, message and field. None when there is no rejection.

    An outbox row rejected before the revert data was kept has `error` only (the custom error
    as text): it is answered by that error's name, without arguments."""
    if reason is not None:
        refused = from_revert(decode_rejection(reason))
        return _body(refused.code, refused.message, refused.field, **refused.details)["error"]
    if error is None:
        return None
    name = error.split("(", 1)[0]
    _, code, message, field = REVERT_ANSWERS.get(
        name, (409, "refused_by_contract", "the contract refused the action", None)
    )
    return _body(code, f"{message}: {error}", field, contract_error=name)["error"]


def _body(code: str, message: str, field: str | None, **details) -> dict:
    error = {"code": code, "message": message, "field": field}
    error.update({k: v for k, v in details.items() if v is not None})
    return {"error": error}


def _field(error: dict) -> str:
    if error.get("type") == "json_invalid":
        return "body"  # its loc is ("body", character offset): the offset names no field
    parts = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


# The methods a route refusing "every other method" of a path takes (all of HTTP's but POST).
OTHER_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"})


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at the request's path (RFC 9110 `Allow`): Starlette's own
    405 names only the first route that matched the path, and GET and POST are separate routes.

    As in OpenAPI, a concrete path (`/v1/demands/id`) hides the templated ones it also matches
    (`/v1/demands/{demand_id}`); routes that only refuse (`OTHER_METHODS`) serve nothing."""
    concrete: set[str] = set()
    templated: set[str] = set()
    stack = list(request.app.routes)
    while stack:  # FastAPI keeps an included router as one node holding the router's routes
        route = stack.pop()
        if hasattr(route, "original_router"):
            stack.extend(route.original_router.routes)
        elif (
            getattr(route, "methods", None)
            and route.methods != OTHER_METHODS
            and route.path_regex.match(request.url.path)
        ):
            (templated if route.param_convertors else concrete).update(route.methods)
    return ", ".join(sorted(concrete or templated))


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return JSONResponse(
            _body(exc.code, exc.message, exc.field, **exc.details),
            status_code=exc.status,
            headers=getattr(exc, "headers", None),  # a 401's WWW-Authenticate (api/auth)
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        first = exc.errors()[0]
        field = _field(first)
        message = f"{field}: {first.get('msg', 'invalid value')}"
        return JSONResponse(
            _body(
                "invalid_request",
                message,
                field,
                errors=[{"field": _field(e), "message": e.get("msg")} for e in exc.errors()],
            ),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeError):
            # FastAPI's "error parsing the body": JSON text that is not UTF-8 (RFC 8259) is invalid JSON.
            cause = exc.__cause__
            problem = f"not UTF-8: {getattr(cause, 'reason', cause)} at byte {getattr(cause, 'start', 0)}"
            return JSONResponse(
                _body(
                    "invalid_request", "body: JSON decode error", "body", errors=[{"field": "body", "message": problem}]
                ),
                status_code=422,
            )
        code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(exc.status_code, "http_error")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request)
        return JSONResponse(_body(code, str(exc.detail), None), status_code=exc.status_code, headers=headers)

    @app.exception_handler(RpcError)
    @app.exception_handler(requests.ConnectionError)
    async def _chain_down(request: Request, exc: Exception):
        log.warning("node unavailable on %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse(
            _body("chain_unavailable", "the chain node is not answering; retry shortly", None), status_code=503
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(_body("internal", "internal error; it has been logged", None), status_code=500)
