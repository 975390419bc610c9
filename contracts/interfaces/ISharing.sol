// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ISignedActions} from "./ISignedActions.sol";
import {IUnitRegistry} from "./IUnitRegistry.sol";

/// @title Sharing of public data between units (数据共享, Art. 17–26 and 31)
/// @notice Demand applications with their signed commitments, the two routes to a grant
/// (scenario-authorised, Art. 19; owner review with silence as approval, Art. 20), uncatalogued
/// data and fusion plans (Art. 22), and the grant's life: use, idleness, suspension, objection,
/// reinstatement and termination (Art. 26, 31). Disputes (Art. 24) and escalations to the city
/// (Art. 23) are recorded steps.
///
/// Like the catalog, every document travels in full in calldata and in the {SharingStep} event;
/// storage keeps what the rules need (owners, statuses, due times, pinned versions). Every
/// officer action is an EIP-712 signature the contract checks. The three steps that only apply
/// the passage of time (deemed approval, idle suspension, lapse) need no signature: anyone may
/// take them, and the contract refuses them one second too early.
interface ISharing is ISignedActions {
    /// @dev What a step is. The numbering is part of the signed message: never reorder.
    /// FinaliseItem, SuspendIdle and FinaliseLapse are permissionless calls ({finaliseItem},
    /// {suspendIdle}, {finaliseLapse}), never signed actions; they share the enum so that one event
    /// records every step. Kinds added later are appended after them.
    enum StepKind {
        Apply, // demand unit: application + commitment (Art. 17, 18)
        Decide, // responsible unit: approve (code 0) or reject (code > 0) one item (Art. 20, 22)
        ReviewPlan, // Data Center: fusion plan / technical evaluation, approve (0) or return (Art. 21, 22)
        RecordServed, // Data Center: a fusion demand is fused and served (Art. 22)
        RecordUse, // Data Center: the grant was used at `at` (Art. 26, 30)
        FileIdleReason, // demand unit: why the grant may stay unused until `at` (Art. 26)
        SecuritySuspend, // Data Center: suspends a grant at once for a security risk (Art. 31)
        Object, // demand unit: objects to a suspension (Art. 26)
        Reinstate, // Data Center: lifts a suspension (after an objection, or a resolved risk)
        DismissObjection, // Data Center: keeps the grant suspended (code = reason)
        Terminate, // demand unit (Art. 26) or Data Center (Art. 31)
        ApproveScenario, // Data Center: a key-work scenario evaluated and approved (Art. 19 (2))
        WithdrawScenario, // Data Center
        RecordAdjustmentPlan, // responsible unit: plan for changing an entry live grants use (Art. 14)
        OpenDispute, // demand unit or responsible unit of an item (Art. 24)
        ResolveDispute, // Office: the coordinated outcome (code) (Art. 24)
        Escalate, // Office: the demand goes to the city platform (Art. 23)
        RecordEscalationOutcome, // Office: the city's answer (code) (Art. 23)
        FinaliseItem, // anyone: an item unanswered after its due time is deemed approved (Art. 20)
        SuspendIdle, // anyone: a grant unused for 3 months with no reason on file (Art. 26)
        FinaliseLapse, // anyone: 30 days after an idle suspension with no objection upheld (Art. 26)
        ConfirmConformity, // Data Center: a scenario-route application conforms (0) or is returned (Art. 19)
        ReviewIdleReason, // Data Center: accepts (0) or refuses a reason filed for idleness (Art. 26)
        AcknowledgeAdjustment, // Data Center, or a unit holding a live grant on the entry: agrees the plan (Art. 14)
        FollowAdjustment // anyone: a grant follows its entry's adjustment, moved to the new version or ended (Art. 14)
    }

    /// @dev What an adjustment plan does to the live grants of an entry that changes (Art. 14): they
    /// move to the version approved next, or end. A deletion ends them whatever the plan says.
    enum Disposition {
        None,
        Move,
        End
    }

    /// @dev How the data is served (Art. 21).
    enum Method {
        None,
        Interface, // preferred (Art. 21)
        BatchComparison,
        Other // needs the Data Center's technical evaluation (Art. 21)
    }

    /// @dev The form the data is served in. Art. 19 (4) grants rest on one of the last three, and
    /// the grant holds to it: the gateway serves nothing else.
    enum DataForm {
        Full,
        SubjectAuthorised, // access after the data subject's trusted authorisation
        ComparisonResult, // batch comparison returning results only (method BatchComparison)
        Desensitised // desensitised data only
    }

    /// @dev Declared frequency of use. Below quarterly needs a stated reason (Art. 17).
    enum Frequency {
        None,
        Continuous,
        Daily,
        Weekly,
        Monthly,
        Quarterly,
        SemiAnnual,
        Annual
    }

    enum DemandStatus {
        None,
        Open, // items or the Data Center's plan review still open
        Granted, // closed with a grant over the approved items
        Rejected, // every item rejected
        Returned // the Data Center returned the fusion plan / technical evaluation (Art. 22)
    }

    enum ItemStatus {
        None,
        Authorised, // scenario-authorised: no owner review (Art. 19)
        Pending, // forwarded to the responsible unit (Art. 20, 22)
        Approved,
        Rejected,
        DeemedApproved, // no answer by the due time (Art. 20)
        Closed, // left open when the demand was returned
        Superseded // its entry was changed, deleted or made not shared before the grant: not granted (Art. 7, 14)
    }

    enum PlanStatus {
        None, // no fusion plan and no technical evaluation needed
        Pending,
        Approved,
        Returned
    }

    enum GrantStatus {
        None,
        Active,
        Suspended,
        Terminated
    }

    enum Suspension {
        None,
        Idle, // Art. 26
        Security // Art. 31
    }

    /// @dev Which module runs a step ({SharingDemands}, {SharingGrants}, {SharingCases}).
    enum StepModule {
        Demands,
        Grants,
        Cases
    }

    /// @dev The codes a step takes: none (0), any, a non-zero reason or outcome, or a decision
    /// (0 approve, 1 non-conforming, 2 legal basis).
    enum CodeRule {
        Zero,
        Any,
        NonZero,
        Decision,
        Termination // 0 by the holder (Art. 26); by the Data Center 1 a security risk (Art. 31), 2 a catalog adjustment (Art. 14), 3 a withdrawn scenario (Art. 19)
    }

    /// @dev One row of the per-step rules table ({stepRule}).
    struct StepRule {
        bool signed; // an officer's signed action; false: a permissionless call
        IUnitRegistry.UnitKind signerKind; // whose officers sign it (None when unsigned)
        bool dataCenterToo; // the Data Center may sign it too (Terminate, Art. 31)
        bool usesItem;
        bool usesAt;
        bool usesTerms;
        CodeRule code;
        StepModule module;
    }

    struct SignedAction {
        StepKind kind;
        bytes32 subject; // demand id (= grant id), scenario id, entry id
        uint32 item; // Decide / OpenDispute / ResolveDispute: the demand item; 0 otherwise
        uint16 code; // decision or outcome code; 0 approves
        uint40 at; // RecordUse: time of use; FileIdleReason: excused until; Decide: when it was signed; 0 otherwise
        bytes terms; // ABI-encoded fields the contract checks: ApplyTerms for Apply,
        // DecideTerms for Decide, empty otherwise
        bytes document; // canonical JSON (RFC 8785): application, decision note, reason...
        uint256 nonce; // any unused number of the signer's; refused once used
        bytes signature; // over the EIP-712 digest of the fields above: 65-byte ECDSA, or SM2 key id ‖ DER (IUnitRegistry.tryRecoverSigner)
    }

    /// @dev A resource asked for. `entryId` 0: data not yet catalogued or collected, asked of
    /// `ownerUnitId` (Art. 22); otherwise `version` must be the entry's approved version and
    /// `ownerUnitId` its responsible unit.
    struct Resource {
        bytes32 entryId;
        uint32 version;
        bytes32 ownerUnitId;
        // The data items asked for: keccak256 of the RFC 8785 JSON array of their names, sorted.
        // What the grant serves of the entry (Art. 25); never zero.
        bytes32 items;
    }

    /// @dev The commitment (承诺书, Art. 18): its canonical JSON starts with the demand id.
    /// The signed message is `TAG ‖ keccak256(document)` (TAG = "putuo.signature/1\x00"). ECDSA:
    /// `signature` is its EIP-191 signature; SM2: its DER signature (e = SM3(Z_A ‖ message),
    /// default user id). The contract verifies both itself, so a commitment that does not verify
    /// never becomes a grant, whoever relays it.
    struct Commitment {
        IUnitRegistry.KeyScheme scheme;
        address keyId;
        bytes document;
        bytes signature;
    }

    struct ApplyTerms {
        uint8 scenarioClass; // Art. 19 item, 0 for none
        bytes32 scenarioId; // keccak256 of the scenario code; classes 1–3: a registered scenario of that class
        Method method;
        DataForm form; // class 4: its ground (never Full); otherwise Full
        Frequency frequency;
        bool frequencyReason; // the application gives a reason for using it less than quarterly
        bool fusion; // a cross-department fusion demand with its fusion plan (Art. 22)
        uint8 securityLevel; // 1 (lowest) to 4
        Resource[] resources;
        Commitment commitment;
    }

    /// @dev Decide on an uncatalogued item: the entry the owner catalogued for it (its approved
    /// version is pinned). A rejection with code {REJECT_LEGAL_BASIS} carries its basis here.
    struct DecideTerms {
        bytes32 entryId;
        uint32 version;
        string legalBasis;
        // A rejection for non-conformity (code 1): which Art. 17 elements do not conform, a bit each
        // (1 demand type, 2 scenario, 4 legal basis, 8 business goal, 16 resources, 32 method,
        // 64 frequency, 128 security level and safeguards); 0 otherwise.
        uint16 nonconforming;
    }

    struct Demand {
        bytes32 unitId;
        DemandStatus status;
        PlanStatus plan;
        uint8 itemCount;
        uint8 openItems;
        uint40 appliedAt;
        uint40 planDueAt; // 5 working days (Art. 22)
        uint40 serveDueAt; // 10 working days after the plan's approval (Art. 22)
        bytes32 documentHash;
        bytes32 commitmentHash;
        // The scenario route (Art. 19): the Data Center confirms the application conforms
        // (且满足规范性要求) within CONFORMITY_DAYS; nothing is granted before.
        PlanStatus conformity;
        uint40 conformityDueAt;
    }

    struct Item {
        bytes32 entryId;
        bytes32 ownerUnitId;
        uint32 version;
        ItemStatus status;
        bool uncatalogued; // not ready when asked: not yet catalogued, or not yet collected (Art. 22)
        uint40 dueAt; // 5 working days (Art. 20), 15 when not ready (Art. 22)
        uint40 decidedAt;
        uint16 code;
    }

    /// @dev A catalog version a grant is pinned to.
    struct Pinned {
        bytes32 entryId;
        uint32 version;
    }

    struct Grant {
        bytes32 unitId;
        bytes32 scenarioId;
        uint8 scenarioClass;
        Method method;
        Frequency frequency;
        bool frequencyReason;
        uint8 securityLevel;
        GrantStatus status;
        Suspension suspension;
        bool objectionPending;
        bool objected; // one objection per suspension
        uint40 issuedAt;
        uint40 lastUsedAt; // issuance counts as the first use
        uint40 excusedUntil; // a reason on file (Art. 26)
        uint40 suspendedAt;
        uint40 objectionDueAt; // end of the 30th day after the notice
        uint40 serveDueAt;
        uint40 servedAt;
        uint40 terminatedAt;
        uint8 resourceCount;
        DataForm form;
        bool reasonPending; // a reason filed for idleness awaits the Data Center (Art. 26)
        uint40 reasonUntil; // what the pending reason asks to be excused until
        uint40 reasonDueAt; // when the Data Center's review of it is due
        uint40 objectionAnswerDueAt; // when the Data Center's answer to a pending objection is due
    }

    /// @dev A registered scenario of Art. 19 (1)–(3), kept by the Data Center with its basis
    /// document (the step's document): a certified 一网通办 / 一网统管 item or standard scenario (1),
    /// a key-work scenario it evaluated (2), a registered cross-department system or platform (3).
    /// It authorises only the units and entries it names (class 2 names both; classes 1 and 3 may
    /// name none: any unit, any entry). A withdrawal is final.
    /// @dev RecordAdjustmentPlan's terms.
    struct AdjustmentTerms {
        Disposition disposition;
    }

    /// @dev An entry's adjustment plan as the parties form it (Art. 14: 区大数据中心会同相关区级责任单位和
    /// 需求单位): the responsible unit records it, the Data Center and every unit holding a live grant
    /// on the entry acknowledge it. A new plan is a new round: earlier acknowledgements lapse.
    struct Plan {
        Disposition disposition;
        bool dataCenter; // the Data Center acknowledged this round
        uint32 round;
        uint32 acknowledged; // holders of live grants that acknowledged this round (and still hold one)
    }

    /// @dev The plan a catalog change or deletion request consumed: what happens to grants pinned to `fromVersion`.
    struct Adjustment {
        Disposition disposition;
        uint32 fromVersion;
    }

    struct Scenario {
        bool approved;
        uint8 scenarioClass;
        bool anyUnit;
        bool anyEntry;
        uint40 approvedAt;
        uint40 withdrawnAt;
        bytes32 evaluationHash;
    }

    /// @dev ApproveScenario's terms: the class and whom and what it authorises.
    struct ScenarioTerms {
        uint8 scenarioClass;
        bytes32[] units;
        bytes32[] entries;
    }

    error SharingWrongUnitKind(address signer, uint8 expected, uint8 actual);
    error SharingNotSignedStep(StepKind kind);
    error SharingUnexpectedField(StepKind kind);
    error SharingBadTerms(StepKind kind);
    /// @dev Apply: the subject must be keccak256(abi.encode(unitId, keccak256(document))).
    error SharingWrongDemandId(bytes32 expected, bytes32 got);
    error SharingDemandExists(bytes32 demandId);
    error SharingUnknownDemand(bytes32 demandId);
    error SharingDemandClosed(bytes32 demandId, DemandStatus status);
    error SharingInvalidScenarioClass(uint8 scenarioClass);
    error SharingScenarioNotApproved(bytes32 scenarioId);
    /// @dev Art. 19: the application claims a class its scenario is not registered for.
    error SharingScenarioClassMismatch(bytes32 scenarioId, uint8 registered, uint8 claimed);
    /// @dev Art. 19 (2): the scenario was approved for other units; it cannot be borrowed.
    error SharingScenarioNotForUnit(bytes32 scenarioId, bytes32 unitId);
    /// @dev Art. 19 (2): the scenario was approved for other data.
    error SharingScenarioNotForEntry(bytes32 scenarioId, bytes32 entryId);
    /// @dev The scenario was withdrawn at `withdrawnAt`: nothing is granted or used under it since.
    error SharingScenarioWithdrawn(bytes32 scenarioId, uint40 withdrawnAt);
    /// @dev Art. 19 (4): a class-4 application names its ground as its data form, and only it; a
    /// comparison result is served by batch comparison.
    error SharingInvalidDataForm(uint8 scenarioClass, DataForm form, Method method);
    error SharingConformityNotPending(bytes32 demandId, PlanStatus status);
    error SharingInvalidMethod();
    error SharingInvalidFrequency();
    error SharingInvalidSecurityLevel(uint8 level);
    /// @dev Art. 17: a frequency below once per 3 months needs a stated reason.
    error SharingFrequencyReasonRequired(Frequency frequency);
    error SharingNoResources();
    error SharingTooManyResources(uint256 count, uint256 maxCount);
    error SharingDuplicateResource(bytes32 entryId, bytes32 ownerUnitId);
    error SharingOwnResource(bytes32 entryId);
    error SharingUnknownEntry(bytes32 entryId);
    /// @dev The version is not the entry's approved version, or the entry is deleted.
    error SharingVersionNotApproved(bytes32 entryId, uint32 version, uint32 approvedVersion);
    error SharingWrongOwner(bytes32 entryId, bytes32 owner, bytes32 named);
    error SharingUnknownUnit(bytes32 unitId);
    error SharingCommitmentWrongDemand(bytes32 demandId);
    error SharingCommitmentKeyNotActive(address keyId);
    error SharingCommitmentWrongUnit(address keyId, bytes32 keyUnit, bytes32 demandUnit);
    error SharingCommitmentWrongScheme(address keyId);
    error SharingCommitmentInvalidSignature(address keyId);
    error SharingUnknownItem(bytes32 demandId, uint32 item);
    error SharingNotItemOwner(bytes32 demandId, uint32 item, bytes32 owner, bytes32 signerUnit);
    error SharingItemNotPending(bytes32 demandId, uint32 item, ItemStatus status);
    /// @dev followDesignation: the item's entry has no designation moving this owner's open duties.
    error SharingNoDesignationToFollow(bytes32 demandId, uint32 item, bytes32 owner);
    /// @dev Art. 20: after the due time the item is approved by silence; a decision is too late.
    error SharingDecisionTooLate(bytes32 demandId, uint32 item, uint40 dueAt);
    /// @dev Art. 20: a rejection other than for non-conformity cites a legal or regulatory basis.
    error SharingBasisRequired(bytes32 demandId, uint32 item);
    /// @dev Art. 20, 24: a rejection for non-conformity names the Art. 17 elements that do not
    /// conform (DecideTerms.nonconforming), which the demand unit can then dispute.
    error SharingNonconformityUnstated(bytes32 demandId, uint32 item);
    /// @dev Art. 20: silence approves only after the due time and the grace for a decision signed by then.
    error SharingItemNotOverdue(bytes32 demandId, uint32 item, uint40 dueAt, uint40 graceEndsAt);
    /// @dev A decision's signing time (`at`) is missing or after the block's time.
    error SharingInvalidSignedAt(bytes32 demandId, uint32 item, uint40 at);
    error SharingNoDeemedApproval(bytes32 demandId, uint32 item);
    /// @dev Art. 22: an item not ready when asked is approved once its data is on the platform.
    error SharingNotCollected(bytes32 entryId);
    /// @dev Art. 7: the entry's approved version is 不予共享 (not shared); no route grants it.
    error SharingEntryNotShared(bytes32 entryId);
    /// @dev Art. 14: a change or deletion request on the entry awaits the Data Center's evaluation;
    /// nothing is applied for or granted on it until the request is decided.
    error SharingEntryChangePending(bytes32 entryId, uint8 entryStatus);
    error SharingPlanNotPending(bytes32 demandId, PlanStatus status);
    error SharingUnknownGrant(bytes32 grantId);
    error SharingGrantNotActive(bytes32 grantId, GrantStatus status);
    error SharingGrantNotSuspended(bytes32 grantId, GrantStatus status);
    error SharingGrantTerminated(bytes32 grantId);
    error SharingNotGrantHolder(bytes32 grantId, bytes32 holder, bytes32 signerUnit);
    error SharingUseOutOfRange(bytes32 grantId, uint40 at);
    /// @dev Art. 26, 31: a use recorded for a time when the grant was suspended (from `suspendedAt`).
    error SharingUseWhileSuspended(bytes32 grantId, uint40 at, uint40 suspendedAt);
    /// @dev Art. 14: a termination for a catalog adjustment, but every entry the grant pins is still in force.
    error SharingNoCatalogAdjustment(bytes32 grantId);
    error SharingExcuseOutOfRange(bytes32 grantId, uint40 until);
    /// @dev Art. 26: a reason for idleness awaits the Data Center's review (one at a time; the
    /// grant is not suspended for idleness meanwhile).
    error SharingIdleReasonPending(bytes32 grantId);
    error SharingNoIdleReasonPending(bytes32 grantId);
    /// @dev Art. 26, 31: inside a suspension's objection window the Data Center ends a grant only for a security risk.
    error SharingObjectionWindowOpen(bytes32 grantId, uint40 objectionDueAt);
    error SharingNotIdle(bytes32 grantId, uint256 idleFrom);
    /// @dev Object: past the window or already objected once. Reinstate: an idle suspension past its
    /// window with no objection pending has lapsed (Art. 26), recorded or not.
    error SharingObjectionClosed(bytes32 grantId, uint40 objectionDueAt);
    error SharingNoPendingObjection(bytes32 grantId);
    error SharingObjectionPending(bytes32 grantId);
    error SharingNotLapsed(bytes32 grantId, uint40 objectionDueAt);
    error SharingNotFusion(bytes32 grantId);
    error SharingAlreadyServed(bytes32 grantId);
    error SharingScenarioState(bytes32 scenarioId, bool approved);
    error SharingNoLiveGrants(bytes32 entryId);
    error SharingNotEntryOwner(bytes32 entryId, bytes32 owner, bytes32 signerUnit);
    /// @dev Art. 14: the entry serves live grants; record an adjustment plan first.
    error SharingAdjustmentPlanRequired(bytes32 entryId, uint256 liveGrants);
    /// @dev Art. 14: the plan is not yet agreed by the Data Center and every unit holding a live grant on the entry.
    error SharingAdjustmentPlanNotAgreed(bytes32 entryId, uint256 acknowledged, uint256 holders, bool dataCenter);
    error SharingNoAdjustmentPlan(bytes32 entryId);
    /// @dev Only the Data Center and units holding a live grant on the entry acknowledge its plan.
    error SharingNotAffected(bytes32 entryId, bytes32 unitId);
    error SharingAlreadyAcknowledged(bytes32 entryId, bytes32 unitId);
    error SharingNotCatalog(address caller);
    /// @dev {recordAnchoredUses} called by another than the bound usage log.
    error SharingNotUsageLog(address caller);
    /// @dev {bindUsageLog} called by another than the deployer, or a second time.
    error SharingNotDeployer(address caller);
    error SharingUsageLogBound(address usageLog);
    error SharingNotParty(bytes32 demandId, uint32 item, bytes32 signerUnit);
    error SharingDisputeState(bytes32 demandId, uint32 item, bool open);
    error SharingEscalationState(bytes32 demandId, bool open);
    error SharingInvalidCode(StepKind kind, uint16 code);

    /// @notice Every step, signed or permissionless: the history of a demand, grant, scenario or
    /// entry plan. `unitId` is the acting unit (zero for a permissionless step), `actor` the
    /// officer key (or the caller of a permissionless step).
    event SharingStep(
        bytes32 indexed subject,
        StepKind indexed kind,
        uint32 item,
        bytes32 unitId,
        address actor,
        uint256 nonce,
        uint16 code,
        uint40 at,
        bytes terms,
        bytes32 documentHash,
        bytes document
    );

    /// @notice A use the usage log anchored (at `at`, on `grantId`) that did not count for the
    /// grant's idle clock: `reason` is the custom error a RecordUse step would get (the grant
    /// unknown, the use outside its active time or inside a suspension, the scenario withdrawn).
    event AnchoredUseNotCounted(bytes32 indexed grantId, uint40 at, bytes reason);

    /// @notice A demand item opened: forwarded to its responsible unit with a due time, or
    /// authorised by scenario (dueAt 0).
    event DemandItemOpened(
        bytes32 indexed demandId,
        uint32 item,
        bytes32 indexed ownerUnitId,
        bytes32 entryId,
        uint32 version,
        ItemStatus status,
        uint40 dueAt
    );

    event DemandItemClosed(bytes32 indexed demandId, uint32 item, ItemStatus status, bytes32 entryId, uint32 version);

    /// @notice A pending item moved to the unit the Office designated for its entry (Art. 5): the
    /// designated unit decides it now, by the same due time.
    event DemandItemOwnerMoved(bytes32 indexed demandId, uint32 item, bytes32 fromUnit, bytes32 toUnit);

    /// @notice The Data Center's review of a fusion plan or technical evaluation is due.
    event DemandPlanOpened(bytes32 indexed demandId, uint40 dueAt);

    /// @notice The Data Center's review of the plan: approved (fusion served within `serveDueAt`,
    /// 10 working days, Art. 22) or returned.
    event DemandPlanReviewed(bytes32 indexed demandId, PlanStatus status, uint40 serveDueAt);

    event DemandClosed(bytes32 indexed demandId, DemandStatus status);

    /// @notice A scenario-route application awaits the Data Center's confirmation that it conforms (Art. 19).
    event DemandConformityOpened(bytes32 indexed demandId, uint40 dueAt);

    /// @notice The Data Center confirmed (Approved) or returned (Returned) a scenario-route application.
    event DemandConformityReviewed(bytes32 indexed demandId, PlanStatus status);

    /// @notice A grant and the catalog versions it is pinned to.
    event GrantIssued(
        bytes32 indexed grantId,
        bytes32 indexed unitId,
        bytes32 scenarioId,
        uint8 scenarioClass,
        Method method,
        Frequency frequency,
        uint8 securityLevel,
        uint40 serveDueAt,
        bytes32[] entryIds,
        uint32[] versions
    );

    /// @notice The grant's status changed; a suspension is the notice to the demand unit (Art. 26).
    event GrantStatusChanged(bytes32 indexed grantId, GrantStatus status, Suspension suspension, uint40 objectionDueAt);

    /// @notice The holder filed a reason for not using the grant until `until`; the Data Center's
    /// review is due at `reviewDueAt` (Art. 26).
    event IdleReasonFiled(bytes32 indexed grantId, uint40 until, uint40 reviewDueAt);

    /// @notice The Data Center accepted (the grant is excused until `excusedUntil`) or refused a reason.
    event IdleReasonReviewed(bytes32 indexed grantId, bool accepted, uint40 excusedUntil);

    /// @notice The holder objected to a suspension; the Data Center's answer is due at `answerDueAt` (Art. 26).
    event ObjectionFiled(bytes32 indexed grantId, uint40 answerDueAt);

    /// @notice A grant moved to the version of its entry now in force, as the entry's adjustment plan said (Art. 14).
    event GrantRepinned(bytes32 indexed grantId, bytes32 entryId, uint32 fromVersion, uint32 toVersion);

    /// @notice A catalog change consumed the adjustment plan recorded for its entry (Art. 14).
    event AdjustmentPlanUsed(bytes32 indexed entryId, uint256 liveGrants);


    /// @notice Executes one signed action.
    function execute(SignedAction calldata action) external;

    /// @notice Executes many signed actions; a failing one is skipped and reported with
    /// {ISignedActions.ActionRejected}.
    function executeBatch(SignedAction[] calldata actions) external;

    /// @notice As {executeBatch}, then reverts with {ISignedActions.BatchSimulated}. Call with `eth_call`.
    function simulateBatch(SignedAction[] calldata actions) external;

    /// @notice Deems an item approved: it was forwarded for owner review (Art. 20) and its due
    /// time has passed with no decision. Anyone may call. Emits {SharingStep} (FinaliseItem).
    function finaliseItem(bytes32 demandId, uint32 item) external;

    /// @notice Moves a pending item to the unit the Office designated for its entry, when the
    /// designation moves the old owner's open duties (Art. 5). Anyone may call. Where the
    /// designation keeps them, the old owner decides the item instead. Emits {DemandItemOwnerMoved}.
    function followDesignation(bytes32 demandId, uint32 item) external;

    /// @notice Suspends a grant unused for 3 months (or past the reason on file). Anyone may call.
    function suspendIdle(bytes32 grantId) external;

    /// @notice Terminates an idle-suspended grant 30 days after the notice when no objection is
    /// pending (none made, or the Data Center dismissed it). Anyone may call.
    function finaliseLapse(bytes32 grantId) external;

    /// @notice Moves a grant whose pinned entry changed to the version now in force, when the entry's
    /// adjustment plan said so; otherwise (a deletion, a plan to end, a version the plan did not
    /// cover, an entry made not shared) ends it (Art. 14). Anyone may call. Emits {SharingStep}
    /// (FollowAdjustment), then {GrantRepinned} for each entry moved or {GrantStatusChanged}.
    function followAdjustment(bytes32 grantId) external;

    /// @notice The entry's adjustment plan being formed, and the one its last change consumed.
    function adjustmentPlan(bytes32 entryId) external view returns (Plan memory plan, Adjustment memory last);

    /// @notice Binds the usage log ({IUsageLog}) whose anchored checkpoints carry grants' uses.
    ///
    /// Requirements: called once, by the deployer.
    function bindUsageLog(address log) external;

    /// @notice The uses a checkpoint anchored in the usage log carries: for each grant, its latest
    /// use in the checkpoint's batch. Each counts for the grant's idle clock (Art. 26) as a RecordUse
    /// step would, recorded as one (`SharingStep`, kind RecordUse, actor the log); one that does not
    /// count is reported by {AnchoredUseNotCounted} and skipped.
    ///
    /// Requirements: called by the bound usage log; `usedAt` as long as `grantIds`.
    ///
    /// IMPORTANT: the log calls this only for a checkpoint the Data Center signed.
    function recordAnchoredUses(bytes32[] calldata grantIds, uint40[] calldata usedAt) external;

    /// @notice Called by the Catalog before a change or deletion request on `entryId` (Art. 14):
    /// reverts with {SharingAdjustmentPlanRequired} when live grants use the entry and no plan is
    /// recorded; otherwise consumes the plan.
    function beforeCatalogChange(bytes32 entryId) external;

    function actionDigest(SignedAction calldata action) external view returns (bytes32);

    function demand(bytes32 demandId) external view returns (Demand memory);

    function item(bytes32 demandId, uint32 index) external view returns (Item memory);

    function grant(bytes32 grantId) external view returns (Grant memory);

    function grantResource(bytes32 grantId, uint256 index) external view returns (bytes32 entryId, uint32 version);

    function scenario(bytes32 scenarioId) external view returns (Scenario memory);

    /// @notice Whether the registered scenario authorises `unitId` and `entryId` (Art. 19 (2)).
    /// Meaningless for an id never approved: read {scenario} first.
    function scenarioCovers(bytes32 scenarioId, bytes32 unitId, bytes32 entryId)
        external
        view
        returns (bool unit, bool entry);

    /// @notice When `grantId` may be suspended for idleness (0 when it cannot be now: not active, or a
    /// reason awaits the Data Center's review).
    function idleFrom(bytes32 grantId) external view returns (uint256);

    function liveGrants(bytes32 entryId) external view returns (uint256);

    /// @notice The rules of step `kind`: who signs it, which fields and codes it takes, which module runs it.
    function stepRule(StepKind kind) external pure returns (StepRule memory);

}
