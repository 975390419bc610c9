// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ICatalog} from "../interfaces/ICatalog.sol";
import {ISharing} from "../interfaces/ISharing.sol";
import {IResponsibilities} from "../interfaces/IResponsibilities.sol";
import {IUnitRegistry} from "../interfaces/IUnitRegistry.sol";
import {SharingCommon} from "./SharingCommon.sol";
import {SharingStorage} from "./SharingStorage.sol";

/// @title SharingDemands
/// @notice Sharing's demand module (Art. 17–22): applications with their commitments, the owner's
/// decisions with silence as approval, the Data Center's plan review, and the grant a settled
/// demand becomes. Linked into {Sharing} and run in its storage by DELEGATECALL, so its events
/// are Sharing's.
library SharingDemands {
    /// @dev The tag that opens a commitment's signed message: signer/detached.py's SIGNED_MESSAGE_TAG.
    bytes private constant SIGNATURE_TAG = "putuo.signature/1\x00";
    /// @dev The canonical commitment starts with its demand id (RFC 8785 sorts "demand_id" first).
    bytes private constant COMMITMENT_PREFIX = '{"demand_id":"0x';

    /// @notice Apply (Art. 17, 18): opens the demand's items, each forwarded to its owner or
    /// authorised by scenario, and settles it at once when nothing is left open.
    function applyDemand(ISharing.SignedAction calldata a, bytes32 unitId) external {
        SharingStorage.Layout storage s = SharingStorage.layout();
        bytes32 demandId = keccak256(abi.encode(unitId, keccak256(a.document)));
        if (a.subject != demandId) revert ISharing.SharingWrongDemandId(demandId, a.subject);
        ISharing.Demand storage d = s.demands[demandId];
        if (d.status != ISharing.DemandStatus.None) revert ISharing.SharingDemandExists(demandId);
        ISharing.ApplyTerms memory t = abi.decode(a.terms, (ISharing.ApplyTerms));
        _checkTerms(s, t, unitId);
        _checkCommitment(s, demandId, unitId, t.commitment);
        // Art. 19 (1)–(3): the registered scenario authorises only the entries it names.
        bool entriesNamed = t.scenarioClass != 0 && t.scenarioClass < 4 && !s.scenarios[t.scenarioId].anyEntry;

        bool authorised = t.scenarioClass != 0;
        uint40 reviewDue = authorised ? 0 : SharingCommon.due(SharingCommon.REVIEW_DAYS);
        uint40 uncataloguedDue = 0;
        uint256 n = t.resources.length;
        uint8 open = 0;
        bool confirm = false; // an item authorised by scenario: the Data Center confirms conformity first
        for (uint256 i = 0; i < n; ++i) {
            ISharing.Resource memory r = t.resources[i];
            for (uint256 j = 0; j < i; ++j) {
                if (t.resources[j].entryId == r.entryId && t.resources[j].ownerUnitId == r.ownerUnitId) {
                    revert ISharing.SharingDuplicateResource(r.entryId, r.ownerUnitId);
                }
            }
            // Art. 22: data not yet catalogued, or catalogued but not yet collected to the platform,
            // is not ready: its owner has 15 working days to catalogue, collect and decide.
            bool uncatalogued = true;
            if (r.entryId == bytes32(0)) {
                if (r.version != 0) revert ISharing.SharingBadTerms(ISharing.StepKind.Apply);
                if (s.registry.unitKind(r.ownerUnitId) != IUnitRegistry.UnitKind.Ordinary) {
                    revert ISharing.SharingUnknownUnit(r.ownerUnitId);
                }
            } else {
                uncatalogued = _checkApprovedVersion(s, r.entryId, r.version, r.ownerUnitId) == 0;
                if (entriesNamed && !s.scenarioEntries[t.scenarioId][r.entryId]) {
                    revert ISharing.SharingScenarioNotForEntry(t.scenarioId, r.entryId);
                }
            }
            if (r.items == bytes32(0)) revert ISharing.SharingBadTerms(ISharing.StepKind.Apply);
            if (uncatalogued && uncataloguedDue == 0) uncataloguedDue = SharingCommon.due(SharingCommon.UNCATALOGUED_DAYS);
            if (r.ownerUnitId == unitId) revert ISharing.SharingOwnResource(r.entryId);
            ISharing.ItemStatus status =
                (authorised && !uncatalogued) ? ISharing.ItemStatus.Authorised : ISharing.ItemStatus.Pending;
            uint40 dueAt = uncatalogued ? uncataloguedDue : reviewDue;
            if (status == ISharing.ItemStatus.Pending) ++open;
            else confirm = true;
            s.items[demandId][uint32(i)] = ISharing.Item({
                entryId: r.entryId,
                ownerUnitId: r.ownerUnitId,
                version: r.version,
                status: status,
                uncatalogued: uncatalogued,
                dueAt: dueAt,
                decidedAt: 0,
                code: 0
            });
            emit ISharing.DemandItemOpened(demandId, uint32(i), r.ownerUnitId, r.entryId, r.version, status, dueAt);
        }
        d.unitId = unitId;
        d.status = ISharing.DemandStatus.Open;
        d.itemCount = uint8(n);
        d.openItems = open;
        d.appliedAt = uint40(block.timestamp);
        d.documentHash = keccak256(a.document);
        d.commitmentHash = keccak256(t.commitment.document);
        if (t.fusion || t.method == ISharing.Method.Other) {
            d.plan = ISharing.PlanStatus.Pending;
            d.planDueAt = SharingCommon.due(SharingCommon.REVIEW_DAYS);
            emit ISharing.DemandPlanOpened(demandId, d.planDueAt);
        }
        if (confirm) {
            d.conformity = ISharing.PlanStatus.Pending;
            d.conformityDueAt = SharingCommon.due(SharingCommon.CONFORMITY_DAYS);
            emit ISharing.DemandConformityOpened(demandId, d.conformityDueAt);
        }
        ISharing.Grant storage g = s.grants[demandId];
        g.unitId = unitId;
        g.scenarioId = t.scenarioId;
        g.scenarioClass = t.scenarioClass;
        g.method = t.method;
        g.frequency = t.frequency;
        g.frequencyReason = t.frequencyReason;
        g.securityLevel = t.securityLevel;
        g.form = t.form;
        _settle(s, demandId, d);
    }

    /// @notice Decide (Art. 20, 22): the responsible unit approves or rejects one pending item.
    function decide(ISharing.SignedAction calldata a, bytes32 unitId) external {
        SharingStorage.Layout storage s = SharingStorage.layout();
        ISharing.Demand storage d = _openDemand(s, a.subject);
        ISharing.Item storage it = _pendingItem(s, a.subject, a.item);
        if (it.ownerUnitId != unitId) revert ISharing.SharingNotItemOwner(a.subject, a.item, it.ownerUnitId, unitId);
        if (a.at == 0 || a.at > block.timestamp) revert ISharing.SharingInvalidSignedAt(a.subject, a.item, a.at);
        // Art. 20: past the due time silence approves it. A decision signed by then is taken within
        // the grace (relay lag must not defeat it); one signed later never. Art. 22's cataloguing
        // duty has no such rule: a late decision stands, and the views flag it late.
        if (!it.uncatalogued && (a.at > it.dueAt || block.timestamp > uint256(it.dueAt) + SharingCommon.DECISION_GRACE)) {
            revert ISharing.SharingDecisionTooLate(a.subject, a.item, it.dueAt);
        }
        ISharing.DecideTerms memory t;
        if (a.terms.length != 0) t = abi.decode(a.terms, (ISharing.DecideTerms));
        // Art. 20: a legal basis is cited, not left blank (one space is no basis); a non-conformity
        // names what does not conform. Either way the demand unit can dispute it (Art. 24).
        if (a.code == SharingCommon.REJECT_LEGAL_BASIS && !_hasText(t.legalBasis)) {
            revert ISharing.SharingBasisRequired(a.subject, a.item);
        }
        if ((a.code == SharingCommon.REJECT_NONCONFORMING) != (t.nonconforming != 0)) {
            if (t.nonconforming != 0) revert ISharing.SharingBadTerms(ISharing.StepKind.Decide);
            revert ISharing.SharingNonconformityUnstated(a.subject, a.item);
        }
        if (a.code == 0 && !it.uncatalogued) {
            // Art. 14: where the entry changed since the application, the owner's approval is a
            // fresh review only if it names the version now in force, which the item is re-pinned
            // to; terms name nothing else, and an unchanged entry takes none.
            bool repin = t.entryId != bytes32(0);
            if (
                bytes(t.legalBasis).length != 0 || (repin && (t.entryId != it.entryId || t.version == it.version))
                    || (!repin && t.version != 0)
            ) revert ISharing.SharingBadTerms(ISharing.StepKind.Decide);
            if (repin) it.version = t.version;
            _checkApprovedVersion(s, it.entryId, it.version, _ownerFor(s, it.entryId, unitId));
        } else if (a.code == 0) {
            // The owner names the entry it catalogued (or keeps the one asked for); its data must
            // be on the platform by now, at the entry's current approved version. An approval cites
            // no legal basis.
            if (bytes(t.legalBasis).length != 0) revert ISharing.SharingBadTerms(ISharing.StepKind.Decide);
            if (t.entryId != bytes32(0)) (it.entryId, it.version) = (t.entryId, t.version);
            else if (it.entryId == bytes32(0) || t.version != 0) revert ISharing.SharingBadTerms(ISharing.StepKind.Decide);
            if (_checkApprovedVersion(s, it.entryId, it.version, _ownerFor(s, it.entryId, unitId)) == 0) {
                revert ISharing.SharingNotCollected(it.entryId);
            }
        } else if (
            t.entryId != bytes32(0) || t.version != 0
                || (a.code != SharingCommon.REJECT_LEGAL_BASIS && bytes(t.legalBasis).length != 0)
        ) {
            revert ISharing.SharingBadTerms(ISharing.StepKind.Decide);
        }
        ISharing.ItemStatus outcome = a.code == 0 ? ISharing.ItemStatus.Approved : ISharing.ItemStatus.Rejected;
        _closeItem(s, a.subject, a.item, it, outcome, a.code);
        _settle(s, a.subject, d);
    }

    /// @notice ReviewPlan (Art. 21, 22): the Data Center approves (code 0) or returns a fusion
    /// plan or technical evaluation.
    function reviewPlan(ISharing.SignedAction calldata a) external {
        SharingStorage.Layout storage s = SharingStorage.layout();
        ISharing.Demand storage d = _openDemand(s, a.subject);
        if (d.plan != ISharing.PlanStatus.Pending) revert ISharing.SharingPlanNotPending(a.subject, d.plan);
        if (a.code == 0) {
            d.plan = ISharing.PlanStatus.Approved;
            d.serveDueAt = SharingCommon.due(SharingCommon.SERVE_DAYS);
        } else {
            d.plan = ISharing.PlanStatus.Returned;
        }
        emit ISharing.DemandPlanReviewed(a.subject, d.plan, d.serveDueAt);
        _settle(s, a.subject, d);
    }

    /// @notice ConfirmConformity (Art. 19 且满足规范性要求): the Data Center confirms (code 0) that a
    /// scenario-route application conforms, or returns it (a reason code; the document says why).
    /// Only a confirmation lets the items authorised by scenario be granted; a scenario withdrawn
    /// since the application cannot be confirmed.
    function confirmConformity(ISharing.SignedAction calldata a) external {
        SharingStorage.Layout storage s = SharingStorage.layout();
        ISharing.Demand storage d = _openDemand(s, a.subject);
        if (d.conformity != ISharing.PlanStatus.Pending) revert ISharing.SharingConformityNotPending(a.subject, d.conformity);
        if (a.code == 0) {
            ISharing.Grant storage g = s.grants[a.subject];
            uint40 withdrawn = SharingCommon.withdrawnAt(g.scenarioClass, g.scenarioId);
            if (withdrawn != 0) revert ISharing.SharingScenarioWithdrawn(g.scenarioId, withdrawn);
            d.conformity = ISharing.PlanStatus.Approved;
        } else {
            d.conformity = ISharing.PlanStatus.Returned;
        }
        emit ISharing.DemandConformityReviewed(a.subject, d.conformity);
        _settle(s, a.subject, d);
    }

    /// @notice Art. 5: a pending item follows its entry to the designated unit when the Office's
    /// designation moves the old owner's open duties.
    function followDesignation(bytes32 demandId, uint32 index) external {
        SharingStorage.Layout storage s = SharingStorage.layout();
        ISharing.Item storage it = _pendingItem(s, demandId, index);
        bytes32 owner = it.ownerUnitId;
        (bytes32 fromUnit, bytes32 toUnit, IResponsibilities.DesignationDisposition disposition) =
            _designation(s, it.entryId);
        if (
            fromUnit != owner || disposition != IResponsibilities.DesignationDisposition.MoveOpenDuties
                || s.catalog.entry(it.entryId).unitId != toUnit
        ) revert ISharing.SharingNoDesignationToFollow(demandId, index, owner);
        it.ownerUnitId = toUnit;
        emit ISharing.DemandItemOwnerMoved(demandId, index, fromUnit, toUnit);
    }

    /// @notice FinaliseItem (Art. 20): an item forwarded for review and unanswered after its due
    /// time is deemed approved. Anyone may call.
    function finaliseItem(bytes32 demandId, uint32 index) external {
        SharingStorage.Layout storage s = SharingStorage.layout();
        ISharing.Demand storage d = _openDemand(s, demandId);
        ISharing.Item storage it = _pendingItem(s, demandId, index);
        if (it.uncatalogued) revert ISharing.SharingNoDeemedApproval(demandId, index);
        uint256 graceEndsAt = uint256(it.dueAt) + SharingCommon.DECISION_GRACE;
        if (block.timestamp <= graceEndsAt) {
            revert ISharing.SharingItemNotOverdue(demandId, index, it.dueAt, uint40(graceEndsAt));
        }
        SharingCommon.permissionlessStep(demandId, ISharing.StepKind.FinaliseItem, index);
        _closeItem(s, demandId, index, it, ISharing.ItemStatus.DeemedApproved, 0);
        _settle(s, demandId, d);
    }

    /// @dev Whether `text` has a character other than ASCII white space.
    function _hasText(string memory text) private pure returns (bool) {
        bytes memory b = bytes(text);
        for (uint256 i = 0; i < b.length; ++i) {
            bytes1 c = b[i];
            if (c != " " && c != "\t" && c != "\n" && c != "\r") return true;
        }
        return false;
    }

    function _checkTerms(SharingStorage.Layout storage s, ISharing.ApplyTerms memory t, bytes32 unitId)
        private
        view
    {
        if (t.scenarioClass > 4) revert ISharing.SharingInvalidScenarioClass(t.scenarioClass);
        if (t.scenarioId == bytes32(0)) revert ISharing.SharingBadTerms(ISharing.StepKind.Apply);
        if (t.scenarioClass != 0 && t.scenarioClass < 4) _checkRegistered(s, t, unitId);
        if (t.method == ISharing.Method.None) revert ISharing.SharingInvalidMethod();
        // Art. 19 (4): the ground is the data form, held by the grant; batch comparison returns results only.
        if (
            (t.scenarioClass == 4) != (t.form != ISharing.DataForm.Full)
                || (t.form == ISharing.DataForm.ComparisonResult && t.method != ISharing.Method.BatchComparison)
        ) revert ISharing.SharingInvalidDataForm(t.scenarioClass, t.form, t.method);
        if (t.frequency == ISharing.Frequency.None) revert ISharing.SharingInvalidFrequency();
        if (t.frequency > ISharing.Frequency.Quarterly && !t.frequencyReason) {
            revert ISharing.SharingFrequencyReasonRequired(t.frequency);
        }
        if (t.frequency <= ISharing.Frequency.Quarterly && t.frequencyReason) {
            revert ISharing.SharingBadTerms(ISharing.StepKind.Apply);
        }
        if (t.securityLevel == 0 || t.securityLevel > 4) revert ISharing.SharingInvalidSecurityLevel(t.securityLevel);
        if (t.resources.length == 0) revert ISharing.SharingNoResources();
        if (t.resources.length > SharingCommon.MAX_RESOURCES) {
            revert ISharing.SharingTooManyResources(t.resources.length, SharingCommon.MAX_RESOURCES);
        }
    }

    /// @dev Art. 19 (1)–(3): the class is a fact of the Data Center's register, not the applicant's
    /// word: the scenario is registered, in force, of the class claimed, and names the unit (or any).
    function _checkRegistered(SharingStorage.Layout storage s, ISharing.ApplyTerms memory t, bytes32 unitId)
        private
        view
    {
        ISharing.Scenario storage sc = s.scenarios[t.scenarioId];
        if (sc.withdrawnAt != 0) revert ISharing.SharingScenarioWithdrawn(t.scenarioId, sc.withdrawnAt);
        if (!sc.approved) revert ISharing.SharingScenarioNotApproved(t.scenarioId);
        if (sc.scenarioClass != t.scenarioClass) {
            revert ISharing.SharingScenarioClassMismatch(t.scenarioId, sc.scenarioClass, t.scenarioClass);
        }
        if (!sc.anyUnit && !s.scenarioUnits[t.scenarioId][unitId]) {
            revert ISharing.SharingScenarioNotForUnit(t.scenarioId, unitId);
        }
    }

    /// @dev The designation of `entryId`, if a Responsibilities contract is bound (zeros otherwise).
    function _designation(SharingStorage.Layout storage s, bytes32 entryId)
        private
        view
        returns (bytes32, bytes32, IResponsibilities.DesignationDisposition)
    {
        IResponsibilities r = s.catalog.responsibilities();
        if (address(r) == address(0)) return (0, 0, IResponsibilities.DesignationDisposition.None);
        return r.designation(entryId);
    }

    /// @dev Art. 5: the entry's owner a deciding unit answers for. An old owner whose open duties
    /// the Office's designation keeps with it decides them as if the entry were still its own.
    function _ownerFor(SharingStorage.Layout storage s, bytes32 entryId, bytes32 unitId) private view returns (bytes32) {
        (bytes32 fromUnit, bytes32 toUnit, IResponsibilities.DesignationDisposition disposition) =
            _designation(s, entryId);
        bool kept = fromUnit == unitId && disposition == IResponsibilities.DesignationDisposition.KeepOpenDuties;
        return kept && s.catalog.entry(entryId).unitId == toUnit ? toUnit : unitId;
    }

    /// @dev Art. 17: only approved catalog versions, of entries not deleted, named with their owner;
    /// never an entry that is not shared (Art. 7) or whose change or deletion awaits evaluation
    /// (Art. 14). Returns when the entry's data was collected to the platform (0: not yet, Art. 15).
    function _checkApprovedVersion(SharingStorage.Layout storage s, bytes32 entryId, uint32 version, bytes32 ownerUnitId)
        private
        view
        returns (uint40 collectedAt)
    {
        ICatalog.Entry memory e = s.catalog.entry(entryId);
        if (e.status == ICatalog.EntryStatus.None) revert ISharing.SharingUnknownEntry(entryId);
        if (version == 0 || !SharingCommon.inForce(e, version)) {
            revert ISharing.SharingVersionNotApproved(entryId, version, e.approvedVersion);
        }
        if (e.unitId != ownerUnitId) revert ISharing.SharingWrongOwner(entryId, e.unitId, ownerUnitId);
        if (e.sharing == ICatalog.SharingAttribute.NotShared) revert ISharing.SharingEntryNotShared(entryId);
        SharingCommon.requireNoPendingChange(entryId, e);
        return e.collectedAt;
    }

    /// @dev Art. 7, 14, 19: whether an item approved (by its owner, by silence or by scenario) may
    /// still be granted as it was pinned. An entry deleted, changed or made not shared since then is
    /// not granted at the old version, nor an item authorised by a scenario withdrawn since: the item is superseded (its DemandItemClosed is the notice) and
    /// the demand unit applies again. An entry whose request awaits evaluation holds the grant back:
    /// the step is refused until the Data Center decides.
    function _stillGrantable(SharingStorage.Layout storage s, ISharing.Item storage it, bool scenarioGone)
        private
        view
        returns (bool)
    {
        if (scenarioGone && it.status == ISharing.ItemStatus.Authorised) return false;
        ICatalog.Entry memory e = s.catalog.entry(it.entryId);
        SharingCommon.requireNoPendingChange(it.entryId, e);
        return SharingCommon.inForce(e, it.version) && e.sharing != ICatalog.SharingAttribute.NotShared;
    }

    /// @dev Art. 18: the commitment names this demand and is signed by an active key of the demand unit.
    function _checkCommitment(
        SharingStorage.Layout storage s,
        bytes32 demandId,
        bytes32 unitId,
        ISharing.Commitment memory c
    ) private view {
        if (!_startsWithDemandId(c.document, demandId)) revert ISharing.SharingCommitmentWrongDemand(demandId);
        IUnitRegistry registry = s.registry;
        IUnitRegistry.KeyRecord memory key = registry.keyRecord(c.keyId);
        (bool active,,) = registry.activeKey(c.keyId);
        if (!active) revert ISharing.SharingCommitmentKeyNotActive(c.keyId);
        if (key.unitId != unitId) revert ISharing.SharingCommitmentWrongUnit(c.keyId, key.unitId, unitId);
        if (key.scheme != c.scheme) revert ISharing.SharingCommitmentWrongScheme(c.keyId);
        bytes memory message = abi.encodePacked(SIGNATURE_TAG, keccak256(c.document));
        if (c.scheme == IUnitRegistry.KeyScheme.Ecdsa) {
            bytes32 digest = MessageHashUtils.toEthSignedMessageHash(message);
            (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, c.signature);
            if (err != ECDSA.RecoverError.NoError || recovered != c.keyId) {
                revert ISharing.SharingCommitmentInvalidSignature(c.keyId);
            }
        } else if (registry.trySm2Verify(c.keyId, message, c.signature) != IUnitRegistry.SignatureError.None) {
            revert ISharing.SharingCommitmentInvalidSignature(c.keyId);
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

    /// @dev Closes the demand when nothing is open: a grant over the approved items, or a
    /// rejection; a returned plan or application closes it at once, whatever items were still open.
    function _settle(SharingStorage.Layout storage s, bytes32 demandId, ISharing.Demand storage d) private {
        if (d.plan == ISharing.PlanStatus.Returned || d.conformity == ISharing.PlanStatus.Returned) {
            for (uint32 i = 0; i < d.itemCount; ++i) {
                ISharing.Item storage it = s.items[demandId][i];
                if (it.status == ISharing.ItemStatus.Pending) _closeItem(s, demandId, i, it, ISharing.ItemStatus.Closed, 0);
            }
            _closeDemand(demandId, d, ISharing.DemandStatus.Returned);
            return;
        }
        if (d.openItems != 0 || d.plan == ISharing.PlanStatus.Pending || d.conformity == ISharing.PlanStatus.Pending) {
            return;
        }
        ISharing.Grant storage g = s.grants[demandId];
        bool scenarioGone = SharingCommon.withdrawnAt(g.scenarioClass, g.scenarioId) != 0;
        uint8 count = 0;
        for (uint32 i = 0; i < d.itemCount; ++i) {
            ISharing.Item storage it = s.items[demandId][i];
            if (it.status == ISharing.ItemStatus.Rejected) continue;
            if (!_stillGrantable(s, it, scenarioGone)) {
                it.status = ISharing.ItemStatus.Superseded;
                emit ISharing.DemandItemClosed(demandId, i, it.status, it.entryId, it.version);
                continue;
            }
            s.grantResources[demandId][count++] = ISharing.Pinned(it.entryId, it.version);
            ++s.liveGrants[it.entryId];
            if (s.holderGrants[it.entryId][d.unitId]++ == 0) ++s.holderCount[it.entryId]; // a party to its plans (Art. 14)
        }
        if (count == 0) {
            delete s.grants[demandId];
            _closeDemand(demandId, d, ISharing.DemandStatus.Rejected);
            return;
        }
        bytes32[] memory entryIds = new bytes32[](count);
        uint32[] memory versions = new uint32[](count);
        for (uint256 i = 0; i < count; ++i) {
            ISharing.Pinned storage r = s.grantResources[demandId][i];
            (entryIds[i], versions[i]) = (r.entryId, r.version);
        }
        g.status = ISharing.GrantStatus.Active;
        g.issuedAt = uint40(block.timestamp);
        g.lastUsedAt = uint40(block.timestamp);
        g.serveDueAt = d.serveDueAt;
        g.resourceCount = count;
        _closeDemand(demandId, d, ISharing.DemandStatus.Granted);
        emit ISharing.GrantIssued(
            demandId,
            g.unitId,
            g.scenarioId,
            g.scenarioClass,
            g.method,
            g.frequency,
            g.securityLevel,
            g.serveDueAt,
            entryIds,
            versions
        );
        emit ISharing.GrantStatusChanged(demandId, ISharing.GrantStatus.Active, ISharing.Suspension.None, 0);
    }

    function _closeItem(
        SharingStorage.Layout storage s,
        bytes32 demandId,
        uint32 index,
        ISharing.Item storage it,
        ISharing.ItemStatus status,
        uint16 code
    ) private {
        it.status = status;
        it.decidedAt = uint40(block.timestamp);
        it.code = code;
        --s.demands[demandId].openItems;
        emit ISharing.DemandItemClosed(demandId, index, status, it.entryId, it.version);
    }

    function _closeDemand(bytes32 demandId, ISharing.Demand storage d, ISharing.DemandStatus status) private {
        d.status = status;
        emit ISharing.DemandClosed(demandId, status);
    }

    function _openDemand(SharingStorage.Layout storage s, bytes32 demandId)
        private
        view
        returns (ISharing.Demand storage d)
    {
        d = s.demands[demandId];
        if (d.status == ISharing.DemandStatus.None) revert ISharing.SharingUnknownDemand(demandId);
        if (d.status != ISharing.DemandStatus.Open) revert ISharing.SharingDemandClosed(demandId, d.status);
    }

    function _pendingItem(SharingStorage.Layout storage s, bytes32 demandId, uint32 index)
        private
        view
        returns (ISharing.Item storage it)
    {
        if (index >= s.demands[demandId].itemCount) revert ISharing.SharingUnknownItem(demandId, index);
        it = s.items[demandId][index];
        if (it.status != ISharing.ItemStatus.Pending) revert ISharing.SharingItemNotPending(demandId, index, it.status);
    }
}
