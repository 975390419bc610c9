// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ICatalog} from "./interfaces/ICatalog.sol";
import {ISharing} from "./interfaces/ISharing.sol";
import {IUnitRegistry} from "./interfaces/IUnitRegistry.sol";
import {IWorkCalendar} from "./interfaces/IWorkCalendar.sol";
import {ShanghaiDate} from "./lib/ShanghaiDate.sol";

/// @title Sharing
/// @notice Demands, commitments and grants (Art. 17–26, 31). See {ISharing} for the model.
contract Sharing is ISharing, EIP712 {
    bytes32 public constant ACTION_TYPEHASH = keccak256(
        "SharingAction(uint8 kind,bytes32 subject,uint32 item,uint16 code,uint40 at,bytes terms,bytes document,uint256 nonce)"
    );

    /// @dev The tag that opens a commitment's signed message: signer/detached.py's SIGNED_MESSAGE_TAG.
    bytes private constant SIGNATURE_TAG = "putuo.signature/1\x00";
    /// @dev The canonical commitment starts with its demand id (RFC 8785 sorts "demand_id" first).
    bytes private constant COMMITMENT_PREFIX = '{"demand_id":"0x';

    uint256 private constant REVIEW_DAYS = 5; // Art. 20 owner review; Art. 22 fusion plan review
    uint256 private constant UNCATALOGUED_DAYS = 15; // Art. 22
    uint256 private constant SERVE_DAYS = 10; // Art. 22 fusion served after approval
    uint256 private constant IDLE_MONTHS = 3; // Art. 26
    uint256 private constant OBJECTION_DAYS = 30; // Art. 26, calendar days
    uint256 private constant MAX_EXCUSE = 366 days; // a reason on file covers at most a year

    /// @dev Rejection codes of {StepKind.Decide}: the application did not conform (no basis
    /// needed), or a legal or regulatory basis is cited in {DecideTerms.legalBasis} (Art. 20).
    uint16 public constant REJECT_NONCONFORMING = 1;
    uint16 public constant REJECT_LEGAL_BASIS = 2;

    uint256 public constant MAX_DOCUMENT_BYTES = 32 * 1024;
    uint256 public constant MAX_RESOURCES = 32;

    IUnitRegistry public immutable registry;
    IWorkCalendar public immutable calendar;
    ICatalog public immutable catalog;

    mapping(bytes32 demandId => Demand) private _demands;
    mapping(bytes32 demandId => mapping(uint32 index => Item)) private _items;
    mapping(bytes32 grantId => Grant) private _grants;
    mapping(bytes32 grantId => mapping(uint256 index => Pinned)) private _grantResources;
    mapping(bytes32 scenarioId => Scenario) private _scenarios;
    mapping(bytes32 entryId => uint256) private _liveGrants;
    mapping(bytes32 entryId => bool) private _adjustmentPlans;
    mapping(bytes32 demandId => mapping(uint32 index => bool)) private _openDisputes;
    mapping(bytes32 demandId => bool) private _openEscalations;
    mapping(address signer => mapping(uint256 nonce => bool)) private _nonces;

    constructor(IUnitRegistry registry_, IWorkCalendar calendar_, ICatalog catalog_) EIP712("PutuoSharing", "1") {
        registry = registry_;
        calendar = calendar_;
        catalog = catalog_;
    }

    // ---------------------------------------------------------------- entry points

    /// @inheritdoc ISharing
    function execute(SignedAction calldata action) external {
        _execute(action);
    }

    /// @inheritdoc ISharing
    function executeBatch(SignedAction[] calldata actions) external {
        for (uint256 i = 0; i < actions.length; ++i) {
            try this.executeFromBatch(actions[i]) {}
            catch (bytes memory reason) {
                emit SharingActionRejected(msg.sender, i, actionDigest(actions[i]), reason);
            }
        }
    }

    /// @inheritdoc ISharing
    function simulateBatch(SignedAction[] calldata actions) external {
        bytes[] memory reasons = new bytes[](actions.length);
        for (uint256 i = 0; i < actions.length; ++i) {
            try this.executeFromBatch(actions[i]) {}
            catch (bytes memory reason) {
                reasons[i] = reason;
            }
        }
        revert SharingBatchSimulated(reasons);
    }

    /// @dev Only for {executeBatch} and {simulateBatch}.
    function executeFromBatch(SignedAction calldata action) external {
        if (msg.sender != address(this)) revert SharingNotSelf(msg.sender);
        _execute(action);
    }

    /// @inheritdoc ISharing
    function finaliseItem(bytes32 demandId, uint32 index) external {
        Demand storage d = _openDemand(demandId);
        Item storage it = _pendingItem(demandId, index);
        if (it.uncatalogued) revert SharingNoDeemedApproval(demandId, index);
        if (block.timestamp <= it.dueAt) revert SharingItemNotOverdue(demandId, index, it.dueAt);
        _permissionlessStep(demandId, StepKind.FinaliseItem, index);
        _closeItem(demandId, index, it, ItemStatus.DeemedApproved, 0);
        _settle(demandId, d);
    }

    /// @inheritdoc ISharing
    function suspendIdle(bytes32 grantId) external {
        Grant storage g = _grant(grantId);
        if (g.status != GrantStatus.Active) revert SharingGrantNotActive(grantId, g.status);
        uint256 from = _idleFrom(g);
        if (block.timestamp < from) revert SharingNotIdle(grantId, from);
        _permissionlessStep(grantId, StepKind.SuspendIdle, 0);
        _suspend(grantId, g, Suspension.Idle);
    }

    /// @inheritdoc ISharing
    function finaliseLapse(bytes32 grantId) external {
        Grant storage g = _grant(grantId);
        if (g.status != GrantStatus.Suspended || g.suspension != Suspension.Idle) {
            revert SharingGrantNotSuspended(grantId, g.status);
        }
        if (g.objectionPending) revert SharingObjectionPending(grantId);
        if (block.timestamp <= g.objectionDueAt) revert SharingNotLapsed(grantId, g.objectionDueAt);
        _permissionlessStep(grantId, StepKind.FinaliseLapse, 0);
        _terminate(grantId, g);
    }

    /// @inheritdoc ISharing
    function beforeCatalogChange(bytes32 entryId) external {
        if (msg.sender != address(catalog)) revert SharingNotCatalog(msg.sender);
        uint256 live = _liveGrants[entryId];
        if (live == 0) return;
        if (!_adjustmentPlans[entryId]) revert SharingAdjustmentPlanRequired(entryId, live);
        _adjustmentPlans[entryId] = false;
        emit AdjustmentPlanUsed(entryId, live);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ISharing
    function actionDigest(SignedAction calldata a) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    ACTION_TYPEHASH,
                    a.kind,
                    a.subject,
                    a.item,
                    a.code,
                    a.at,
                    keccak256(a.terms),
                    keccak256(a.document),
                    a.nonce
                )
            )
        );
    }

    function demand(bytes32 demandId) external view returns (Demand memory) {
        return _demands[demandId];
    }

    function item(bytes32 demandId, uint32 index) external view returns (Item memory) {
        return _items[demandId][index];
    }

    function grant(bytes32 grantId) external view returns (Grant memory) {
        return _grants[grantId];
    }

    function grantResource(bytes32 grantId, uint256 index) external view returns (bytes32, uint32) {
        Pinned storage r = _grantResources[grantId][index];
        return (r.entryId, r.version);
    }

    function scenario(bytes32 scenarioId) external view returns (Scenario memory) {
        return _scenarios[scenarioId];
    }

    function idleFrom(bytes32 grantId) external view returns (uint256) {
        Grant storage g = _grants[grantId];
        return g.status == GrantStatus.Active ? _idleFrom(g) : 0;
    }

    function liveGrants(bytes32 entryId) external view returns (uint256) {
        return _liveGrants[entryId];
    }

    function nonceUsed(address signer, uint256 nonce) external view returns (bool) {
        return _nonces[signer][nonce];
    }

    // ---------------------------------------------------------------- signed actions

    function _execute(SignedAction calldata a) private {
        if (a.document.length == 0) revert SharingEmptyDocument();
        if (a.document.length > MAX_DOCUMENT_BYTES) {
            revert SharingDocumentTooLarge(a.document.length, MAX_DOCUMENT_BYTES);
        }
        if (a.kind >= StepKind.FinaliseItem) revert SharingNotSignedStep(a.kind);
        (address signer, bytes32 unitId, IUnitRegistry.UnitKind unitKind) = _authenticate(a);
        StepKind k = a.kind;
        bool usesItem = k == StepKind.Decide || k == StepKind.OpenDispute || k == StepKind.ResolveDispute;
        bool usesAt = k == StepKind.RecordUse || k == StepKind.FileIdleReason;
        bool usesTerms = k == StepKind.Apply || k == StepKind.Decide;
        if ((!usesItem && a.item != 0) || (!usesAt && a.at != 0) || (!usesTerms && a.terms.length != 0)) {
            revert SharingUnexpectedField(k);
        }
        IUnitRegistry.UnitKind required = _requiredKind(k);
        // Terminate: the demand unit (Art. 26, checked in _grantStep) or the Data Center (Art. 31).
        bool dataCenterTerminates = k == StepKind.Terminate && unitKind == IUnitRegistry.UnitKind.DataCenter;
        if (unitKind != required && !dataCenterTerminates) {
            revert SharingWrongUnitKind(signer, uint8(required), uint8(unitKind));
        }
        _checkCode(k, a.code);

        if (k == StepKind.Apply) _apply(a, unitId);
        else if (k == StepKind.Decide) _decide(a, unitId);
        else if (k == StepKind.ReviewPlan) _reviewPlan(a);
        else if (k == StepKind.ApproveScenario || k == StepKind.WithdrawScenario) _scenarioStep(a);
        else if (k == StepKind.RecordAdjustmentPlan) _adjustmentPlan(a, unitId);
        else if (k >= StepKind.OpenDispute) _caseStep(a, unitId);
        else _grantStep(a, unitId);

        emit SharingStep(a.subject, k, a.item, unitId, signer, a.nonce, a.code, a.at, a.terms, keccak256(a.document), a.document);
    }

    function _authenticate(SignedAction calldata a)
        private
        returns (address signer, bytes32 unitId, IUnitRegistry.UnitKind unitKind)
    {
        (IUnitRegistry.SignatureError err, address recovered) = registry.tryRecoverSigner(actionDigest(a), a.signature);
        if (err == IUnitRegistry.SignatureError.Malformed) revert SharingInvalidSignature(a.signature);
        if (err != IUnitRegistry.SignatureError.None) revert SharingSignatureMismatch(recovered);
        bool active;
        (active, unitId, unitKind) = registry.activeKey(recovered);
        if (!active) revert SharingSignerNotActive(recovered);
        if (_nonces[recovered][a.nonce]) revert SharingNonceUsed(recovered, a.nonce);
        _nonces[recovered][a.nonce] = true;
        signer = recovered;
    }

    /// @dev Who may take each signed step: demand and responsible units are ordinary units; the
    /// Data Center evaluates, records use and suspends; the Office coordinates (Art. 23, 24).
    function _requiredKind(StepKind k) private pure returns (IUnitRegistry.UnitKind) {
        if (
            k == StepKind.ReviewPlan || k == StepKind.RecordServed || k == StepKind.RecordUse
                || k == StepKind.SecuritySuspend || k == StepKind.Reinstate || k == StepKind.DismissObjection
                || k == StepKind.ApproveScenario || k == StepKind.WithdrawScenario
        ) return IUnitRegistry.UnitKind.DataCenter;
        if (k == StepKind.ResolveDispute || k == StepKind.Escalate || k == StepKind.RecordEscalationOutcome) {
            return IUnitRegistry.UnitKind.Office;
        }
        return IUnitRegistry.UnitKind.Ordinary;
    }

    /// @dev The codes each step takes. Decide: 0 approve, 1 non-conforming, 2 legal basis.
    /// ReviewPlan: 0 approve, > 0 a return reason. DismissObjection: a reason > 0. ResolveDispute and
    /// RecordEscalationOutcome: an outcome > 0. Everything else: 0.
    function _checkCode(StepKind k, uint16 code) private pure {
        bool ok;
        if (k == StepKind.Decide) ok = code <= REJECT_LEGAL_BASIS;
        else if (k == StepKind.ReviewPlan) ok = true;
        else if (k == StepKind.DismissObjection || k == StepKind.ResolveDispute || k == StepKind.RecordEscalationOutcome) {
            ok = code != 0;
        } else {
            ok = code == 0;
        }
        if (!ok) revert SharingInvalidCode(k, code);
    }

    // ---------------------------------------------------------------- demands

    function _apply(SignedAction calldata a, bytes32 unitId) private {
        bytes32 demandId = keccak256(abi.encode(unitId, keccak256(a.document)));
        if (a.subject != demandId) revert SharingWrongDemandId(demandId, a.subject);
        Demand storage d = _demands[demandId];
        if (d.status != DemandStatus.None) revert SharingDemandExists(demandId);
        ApplyTerms memory t = abi.decode(a.terms, (ApplyTerms));
        _checkTerms(t);
        _checkCommitment(demandId, unitId, t.commitment);

        bool authorised = t.scenarioClass != 0;
        uint40 reviewDue = authorised ? 0 : _due(REVIEW_DAYS);
        uint40 uncataloguedDue = 0;
        uint256 n = t.resources.length;
        uint8 open = 0;
        for (uint256 i = 0; i < n; ++i) {
            Resource memory r = t.resources[i];
            for (uint256 j = 0; j < i; ++j) {
                if (t.resources[j].entryId == r.entryId && t.resources[j].ownerUnitId == r.ownerUnitId) {
                    revert SharingDuplicateResource(r.entryId, r.ownerUnitId);
                }
            }
            // Art. 22: data not yet catalogued, or catalogued but not yet collected to the platform,
            // is not ready: its owner has 15 working days to catalogue, collect and decide.
            bool uncatalogued = true;
            if (r.entryId == bytes32(0)) {
                if (r.version != 0) revert SharingBadTerms(StepKind.Apply);
                if (registry.unitKind(r.ownerUnitId) != IUnitRegistry.UnitKind.Ordinary) {
                    revert SharingUnknownUnit(r.ownerUnitId);
                }
            } else {
                uncatalogued = _checkApprovedVersion(r.entryId, r.version, r.ownerUnitId) == 0;
            }
            if (uncatalogued && uncataloguedDue == 0) uncataloguedDue = _due(UNCATALOGUED_DAYS);
            if (r.ownerUnitId == unitId) revert SharingOwnResource(r.entryId);
            ItemStatus status = (authorised && !uncatalogued) ? ItemStatus.Authorised : ItemStatus.Pending;
            uint40 dueAt = uncatalogued ? uncataloguedDue : reviewDue;
            if (status == ItemStatus.Pending) ++open;
            _items[demandId][uint32(i)] = Item({
                entryId: r.entryId,
                ownerUnitId: r.ownerUnitId,
                version: r.version,
                status: status,
                uncatalogued: uncatalogued,
                dueAt: dueAt,
                decidedAt: 0,
                code: 0
            });
            emit DemandItemOpened(demandId, uint32(i), r.ownerUnitId, r.entryId, r.version, status, dueAt);
        }
        d.unitId = unitId;
        d.status = DemandStatus.Open;
        d.itemCount = uint8(n);
        d.openItems = open;
        d.appliedAt = uint40(block.timestamp);
        d.documentHash = keccak256(a.document);
        d.commitmentHash = keccak256(t.commitment.document);
        if (t.fusion || t.method == Method.Other) {
            d.plan = PlanStatus.Pending;
            d.planDueAt = _due(REVIEW_DAYS);
            emit DemandPlanOpened(demandId, d.planDueAt);
        }
        Grant storage g = _grants[demandId];
        g.unitId = unitId;
        g.scenarioId = t.scenarioId;
        g.scenarioClass = t.scenarioClass;
        g.method = t.method;
        g.frequency = t.frequency;
        g.frequencyReason = t.frequencyReason;
        g.securityLevel = t.securityLevel;
        _settle(demandId, d);
    }

    function _checkTerms(ApplyTerms memory t) private view {
        if (t.scenarioClass > 4) revert SharingInvalidScenarioClass(t.scenarioClass);
        if (t.scenarioId == bytes32(0)) revert SharingBadTerms(StepKind.Apply);
        if (t.scenarioClass == 2 && !_scenarios[t.scenarioId].approved) revert SharingScenarioNotApproved(t.scenarioId);
        if (t.method == Method.None) revert SharingInvalidMethod();
        if (t.frequency == Frequency.None) revert SharingInvalidFrequency();
        if (t.frequency > Frequency.Quarterly && !t.frequencyReason) revert SharingFrequencyReasonRequired(t.frequency);
        if (t.frequency <= Frequency.Quarterly && t.frequencyReason) revert SharingBadTerms(StepKind.Apply);
        if (t.securityLevel == 0 || t.securityLevel > 4) revert SharingInvalidSecurityLevel(t.securityLevel);
        if (t.resources.length == 0) revert SharingNoResources();
        if (t.resources.length > MAX_RESOURCES) revert SharingTooManyResources(t.resources.length, MAX_RESOURCES);
    }

    /// @dev Art. 17: only approved catalog versions, of entries not deleted, named with their owner.
    /// Returns when the entry's data was collected to the platform (0: not yet, Art. 15).
    function _checkApprovedVersion(bytes32 entryId, uint32 version, bytes32 ownerUnitId)
        private
        view
        returns (uint40 collectedAt)
    {
        ICatalog.Entry memory e = catalog.entry(entryId);
        if (e.status == ICatalog.EntryStatus.None) revert SharingUnknownEntry(entryId);
        if (e.status == ICatalog.EntryStatus.Deleted || version == 0 || e.approvedVersion != version) {
            revert SharingVersionNotApproved(entryId, version, e.approvedVersion);
        }
        if (e.unitId != ownerUnitId) revert SharingWrongOwner(entryId, e.unitId, ownerUnitId);
        return e.collectedAt;
    }

    /// @dev Art. 18: the commitment names this demand and is signed by an active key of the demand unit.
    function _checkCommitment(bytes32 demandId, bytes32 unitId, Commitment memory c) private view {
        if (!_startsWithDemandId(c.document, demandId)) revert SharingCommitmentWrongDemand(demandId);
        IUnitRegistry.KeyRecord memory key = registry.keyRecord(c.keyId);
        (bool active,,) = registry.activeKey(c.keyId);
        if (!active) revert SharingCommitmentKeyNotActive(c.keyId);
        if (key.unitId != unitId) revert SharingCommitmentWrongUnit(c.keyId, key.unitId, unitId);
        if (key.scheme != c.scheme) revert SharingCommitmentWrongScheme(c.keyId);
        if (c.scheme == IUnitRegistry.KeyScheme.Ecdsa) {
            bytes32 digest = MessageHashUtils.toEthSignedMessageHash(abi.encodePacked(SIGNATURE_TAG, keccak256(c.document)));
            (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, c.signature);
            if (err != ECDSA.RecoverError.NoError || recovered != c.keyId) {
                revert SharingCommitmentInvalidSignature(c.keyId);
            }
        } else {
            bytes memory message = abi.encodePacked(SIGNATURE_TAG, keccak256(c.document));
            if (registry.trySm2Verify(c.keyId, message, c.signature) != IUnitRegistry.SignatureError.None) {
                revert SharingCommitmentInvalidSignature(c.keyId);
            }
        }
    }

    /// @dev Whether `document` starts with `{"demand_id":"0x` and the id in lower-case hex.
    function _startsWithDemandId(bytes memory document, bytes32 demandId) private pure returns (bool) {
        bytes memory prefix = COMMITMENT_PREFIX;
        if (document.length < prefix.length + 65) return false;
        for (uint256 i = 0; i < prefix.length; ++i) {
            if (document[i] != prefix[i]) return false;
        }
        bytes16 digits = "0123456789abcdef";
        for (uint256 i = 0; i < 32; ++i) {
            uint8 b = uint8(demandId[i]);
            uint256 at = prefix.length + 2 * i;
            if (document[at] != digits[b >> 4] || document[at + 1] != digits[b & 0x0f]) return false;
        }
        return document[prefix.length + 64] == '"';
    }

    function _decide(SignedAction calldata a, bytes32 unitId) private {
        Demand storage d = _openDemand(a.subject);
        Item storage it = _pendingItem(a.subject, a.item);
        if (it.ownerUnitId != unitId) revert SharingNotItemOwner(a.subject, a.item, it.ownerUnitId, unitId);
        // Art. 20: past the due time silence has already approved it. Art. 22's cataloguing duty has
        // no such rule: a late decision stands, and the views flag it late.
        if (!it.uncatalogued && block.timestamp > it.dueAt) revert SharingDecisionTooLate(a.subject, a.item, it.dueAt);
        DecideTerms memory t;
        if (a.terms.length != 0) t = abi.decode(a.terms, (DecideTerms));
        if (a.code == REJECT_LEGAL_BASIS && bytes(t.legalBasis).length == 0) revert SharingBasisRequired(a.subject, a.item);
        if (a.code == 0 && it.uncatalogued) {
            // The owner names the entry it catalogued (or keeps the one asked for); its data must
            // be on the platform by now, at the entry's current approved version. An approval cites
            // no legal basis.
            if (bytes(t.legalBasis).length != 0) revert SharingBadTerms(StepKind.Decide);
            if (t.entryId != bytes32(0)) (it.entryId, it.version) = (t.entryId, t.version);
            else if (it.entryId == bytes32(0) || t.version != 0) revert SharingBadTerms(StepKind.Decide);
            if (_checkApprovedVersion(it.entryId, it.version, unitId) == 0) revert SharingNotCollected(it.entryId);
        } else if (t.entryId != bytes32(0) || t.version != 0 || (a.code != REJECT_LEGAL_BASIS && bytes(t.legalBasis).length != 0)) {
            revert SharingBadTerms(StepKind.Decide);
        }
        _closeItem(a.subject, a.item, it, a.code == 0 ? ItemStatus.Approved : ItemStatus.Rejected, a.code);
        _settle(a.subject, d);
    }

    function _reviewPlan(SignedAction calldata a) private {
        Demand storage d = _openDemand(a.subject);
        if (d.plan != PlanStatus.Pending) revert SharingPlanNotPending(a.subject, d.plan);
        if (a.code == 0) {
            d.plan = PlanStatus.Approved;
            d.serveDueAt = _due(SERVE_DAYS);
        } else {
            d.plan = PlanStatus.Returned;
        }
        emit DemandPlanReviewed(a.subject, d.plan, d.serveDueAt);
        _settle(a.subject, d);
    }

    /// @dev Closes the demand when nothing is open: a grant over the approved items, or a
    /// rejection; a returned plan closes it at once, whatever items were still open.
    function _settle(bytes32 demandId, Demand storage d) private {
        if (d.plan == PlanStatus.Returned) {
            for (uint32 i = 0; i < d.itemCount; ++i) {
                Item storage it = _items[demandId][i];
                if (it.status == ItemStatus.Pending) _closeItem(demandId, i, it, ItemStatus.Closed, 0);
            }
            _closeDemand(demandId, d, DemandStatus.Returned);
            return;
        }
        if (d.openItems != 0 || d.plan == PlanStatus.Pending) return;
        Grant storage g = _grants[demandId];
        uint8 count = 0;
        for (uint32 i = 0; i < d.itemCount; ++i) {
            Item storage it = _items[demandId][i];
            if (it.status == ItemStatus.Rejected) continue;
            _grantResources[demandId][count++] = Pinned(it.entryId, it.version);
            ++_liveGrants[it.entryId];
        }
        if (count == 0) {
            delete _grants[demandId];
            _closeDemand(demandId, d, DemandStatus.Rejected);
            return;
        }
        bytes32[] memory entryIds = new bytes32[](count);
        uint32[] memory versions = new uint32[](count);
        for (uint256 i = 0; i < count; ++i) {
            Pinned storage r = _grantResources[demandId][i];
            (entryIds[i], versions[i]) = (r.entryId, r.version);
        }
        g.status = GrantStatus.Active;
        g.issuedAt = uint40(block.timestamp);
        g.lastUsedAt = uint40(block.timestamp);
        g.serveDueAt = d.serveDueAt;
        g.resourceCount = count;
        _closeDemand(demandId, d, DemandStatus.Granted);
        emit GrantIssued(
            demandId, g.unitId, g.scenarioId, g.scenarioClass, g.method, g.frequency, g.securityLevel, g.serveDueAt, entryIds, versions
        );
        emit GrantStatusChanged(demandId, GrantStatus.Active, Suspension.None, 0);
    }

    function _closeItem(bytes32 demandId, uint32 index, Item storage it, ItemStatus status, uint16 code) private {
        it.status = status;
        it.decidedAt = uint40(block.timestamp);
        it.code = code;
        --_demands[demandId].openItems;
        emit DemandItemClosed(demandId, index, status, it.entryId, it.version);
    }

    function _closeDemand(bytes32 demandId, Demand storage d, DemandStatus status) private {
        d.status = status;
        emit DemandClosed(demandId, status);
    }

    function _openDemand(bytes32 demandId) private view returns (Demand storage d) {
        d = _demands[demandId];
        if (d.status == DemandStatus.None) revert SharingUnknownDemand(demandId);
        if (d.status != DemandStatus.Open) revert SharingDemandClosed(demandId, d.status);
    }

    function _pendingItem(bytes32 demandId, uint32 index) private view returns (Item storage it) {
        if (index >= _demands[demandId].itemCount) revert SharingUnknownItem(demandId, index);
        it = _items[demandId][index];
        if (it.status != ItemStatus.Pending) revert SharingItemNotPending(demandId, index, it.status);
    }

    // ---------------------------------------------------------------- grants

    function _grantStep(SignedAction calldata a, bytes32 unitId) private {
        Grant storage g = _grant(a.subject);
        StepKind k = a.kind;
        if (k == StepKind.RecordUse) {
            // Uses may arrive late and out of order (a batched log): each counts if it happened
            // while the grant was active; the latest counts for idleness (Art. 26, 30). A grant ended
            // while suspended (lapsed, or ended by the Data Center) was last active at its suspension.
            uint256 end = g.status == GrantStatus.Active ? block.timestamp : g.suspendedAt != 0
                ? g.suspendedAt
                : g.terminatedAt;
            if (a.at < g.issuedAt || a.at > end) revert SharingUseOutOfRange(a.subject, a.at);
            if (a.at > g.lastUsedAt) g.lastUsedAt = a.at;
            return;
        }
        if (g.status == GrantStatus.Terminated) revert SharingGrantTerminated(a.subject);
        bool holderStep = k == StepKind.FileIdleReason || k == StepKind.Object
            || (k == StepKind.Terminate && registry.unitKind(unitId) == IUnitRegistry.UnitKind.Ordinary);
        if (holderStep) {
            if (g.unitId != unitId) revert SharingNotGrantHolder(a.subject, g.unitId, unitId);
        }
        if (k == StepKind.FileIdleReason) {
            if (g.status != GrantStatus.Active) revert SharingGrantNotActive(a.subject, g.status);
            if (a.at <= block.timestamp || a.at > block.timestamp + MAX_EXCUSE) {
                revert SharingExcuseOutOfRange(a.subject, a.at);
            }
            g.excusedUntil = a.at;
        } else if (k == StepKind.RecordServed) {
            if (g.serveDueAt == 0) revert SharingNotFusion(a.subject);
            if (g.servedAt != 0) revert SharingAlreadyServed(a.subject);
            g.servedAt = uint40(block.timestamp);
            // The data is available from now: idleness counts from here, not from the grant.
            if (g.lastUsedAt < g.servedAt) g.lastUsedAt = g.servedAt;
        } else if (k == StepKind.SecuritySuspend) {
            if (g.status != GrantStatus.Active) revert SharingGrantNotActive(a.subject, g.status);
            _suspend(a.subject, g, Suspension.Security);
        } else if (k == StepKind.Object) {
            if (g.status != GrantStatus.Suspended) revert SharingGrantNotSuspended(a.subject, g.status);
            if (g.objected || block.timestamp > g.objectionDueAt) revert SharingObjectionClosed(a.subject, g.objectionDueAt);
            g.objected = true;
            g.objectionPending = true;
        } else if (k == StepKind.Reinstate) {
            if (g.status != GrantStatus.Suspended) revert SharingGrantNotSuspended(a.subject, g.status);
            // Art. 26: an idle suspension whose 30 days passed with no objection pending has lapsed
            // (自动终止) whether or not {finaliseLapse} has recorded it yet; only a new application
            // brings the data back.
            if (g.suspension == Suspension.Idle && !g.objectionPending && block.timestamp > g.objectionDueAt) {
                revert SharingObjectionClosed(a.subject, g.objectionDueAt);
            }
            g.status = GrantStatus.Active;
            g.suspension = Suspension.None;
            g.objectionPending = false;
            g.objected = false;
            g.objectionDueAt = 0;
            g.suspendedAt = 0;
            // Reinstatement restarts the idle clock, or the grant would be idle again at once.
            g.lastUsedAt = uint40(block.timestamp);
            emit GrantStatusChanged(a.subject, GrantStatus.Active, Suspension.None, 0);
        } else if (k == StepKind.DismissObjection) {
            if (!g.objectionPending) revert SharingNoPendingObjection(a.subject);
            g.objectionPending = false;
        } else {
            // Terminate: the holder (checked above) or the Data Center (Art. 31).
            _terminate(a.subject, g);
        }
    }

    function _suspend(bytes32 grantId, Grant storage g, Suspension kind) private {
        g.status = GrantStatus.Suspended;
        g.suspension = kind;
        g.suspendedAt = uint40(block.timestamp);
        g.objectionDueAt = _objectionDue();
        emit GrantStatusChanged(grantId, GrantStatus.Suspended, kind, g.objectionDueAt);
    }

    function _terminate(bytes32 grantId, Grant storage g) private {
        g.status = GrantStatus.Terminated;
        g.objectionPending = false;
        g.terminatedAt = uint40(block.timestamp);
        for (uint256 i = 0; i < g.resourceCount; ++i) {
            --_liveGrants[_grantResources[grantId][i].entryId];
        }
        emit GrantStatusChanged(grantId, GrantStatus.Terminated, g.suspension, g.objectionDueAt);
    }

    /// @dev The first second a grant counts as idle: the day after 3 months from its last use
    /// (6 or 12 when a lower frequency was justified), or after the reason on file runs out.
    function _idleFrom(Grant storage g) private view returns (uint256) {
        uint256 months = IDLE_MONTHS;
        if (g.frequencyReason) months = g.frequency == Frequency.Annual ? 12 : 6;
        uint256 idle = ShanghaiDate.endOfDay(ShanghaiDate.addMonths(ShanghaiDate.dayNumber(g.lastUsedAt), months)) + 1;
        return idle > g.excusedUntil ? idle : uint256(g.excusedUntil) + 1;
    }

    function _grant(bytes32 grantId) private view returns (Grant storage g) {
        g = _grants[grantId];
        if (g.status == GrantStatus.None) revert SharingUnknownGrant(grantId);
    }

    // ---------------------------------------------------------------- scenarios, plans, cases

    function _scenarioStep(SignedAction calldata a) private {
        Scenario storage s = _scenarios[a.subject];
        bool approve = a.kind == StepKind.ApproveScenario;
        if (s.approved == approve) revert SharingScenarioState(a.subject, s.approved);
        s.approved = approve;
        s.approvedAt = approve ? uint40(block.timestamp) : 0;
        s.evaluationHash = approve ? keccak256(a.document) : bytes32(0);
    }

    function _adjustmentPlan(SignedAction calldata a, bytes32 unitId) private {
        ICatalog.Entry memory e = catalog.entry(a.subject);
        if (e.unitId != unitId) revert SharingNotEntryOwner(a.subject, e.unitId, unitId);
        if (_liveGrants[a.subject] == 0) revert SharingNoLiveGrants(a.subject);
        _adjustmentPlans[a.subject] = true;
    }

    /// @dev Disputes over a demand item (Art. 24) and escalations of a demand (Art. 23).
    function _caseStep(SignedAction calldata a, bytes32 unitId) private {
        Demand storage d = _demands[a.subject];
        if (d.status == DemandStatus.None) revert SharingUnknownDemand(a.subject);
        StepKind k = a.kind;
        if (k == StepKind.OpenDispute || k == StepKind.ResolveDispute) {
            if (a.item >= d.itemCount) revert SharingUnknownItem(a.subject, a.item);
            bool open = _openDisputes[a.subject][a.item];
            if (k == StepKind.OpenDispute) {
                if (unitId != d.unitId && unitId != _items[a.subject][a.item].ownerUnitId) {
                    revert SharingNotParty(a.subject, a.item, unitId);
                }
                if (open) revert SharingDisputeState(a.subject, a.item, open);
            } else if (!open) {
                revert SharingDisputeState(a.subject, a.item, open);
            }
            _openDisputes[a.subject][a.item] = !open;
        } else {
            bool open = _openEscalations[a.subject];
            if (open != (k == StepKind.RecordEscalationOutcome)) revert SharingEscalationState(a.subject, open);
            _openEscalations[a.subject] = !open;
        }
    }

    // ---------------------------------------------------------------- helpers

    function _permissionlessStep(bytes32 subject, StepKind kind, uint32 index) private {
        emit SharingStep(subject, kind, index, bytes32(0), msg.sender, 0, 0, 0, "", bytes32(0), "");
    }

    /// @dev The end of the 30th day after the notice's day (Art. 26); a period ending on a weekend
    /// or holiday runs to the end of the next working day (Civil Code Art. 203). Where the
    /// calendar does not hold that year, the 30th day itself.
    function _objectionDue() private view returns (uint40) {
        uint256 last = ShanghaiDate.dayNumber(block.timestamp) + OBJECTION_DAYS;
        (bool ok, uint256 due,) = calendar.tryAddWorkingDays(ShanghaiDate.endOfDay(last - 1), 1);
        return uint40(ok ? due : ShanghaiDate.endOfDay(last));
    }

    /// @dev The end of the n-th working day after now; reverts for an unpublished year.
    function _due(uint256 n) private view returns (uint40) {
        return uint40(calendar.addWorkingDays(block.timestamp, n));
    }
}
