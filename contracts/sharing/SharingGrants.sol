// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ISharing} from "../interfaces/ISharing.sol";
import {IUnitRegistry} from "../interfaces/IUnitRegistry.sol";
import {ICatalog} from "../interfaces/ICatalog.sol";
import {ShanghaiDate} from "../lib/ShanghaiDate.sol";
import {SharingCases} from "./SharingCases.sol";
import {SharingCommon} from "./SharingCommon.sol";
import {SharingStorage} from "./SharingStorage.sol";

/// @title SharingGrants
/// @notice Sharing's grant module (Art. 25, 26, 31): uses, reasons on file, serving a fusion
/// demand, suspension for idleness or a security risk, objection, reinstatement, lapse and
/// termination. Linked into {Sharing} and run in its storage by DELEGATECALL.
library SharingGrants {
    /// @notice A signed step on grant `a.subject` (RecordUse, FileIdleReason, ReviewIdleReason,
    /// RecordServed, SecuritySuspend, Object, Reinstate, DismissObjection, Terminate). Who may sign which is
    /// checked by {Sharing} from {SharingRules}; here, the grant's holder where the step is the
    /// holder's.
    function grantStep(ISharing.SignedAction calldata a, bytes32 unitId) external {
        SharingStorage.Layout storage s = SharingStorage.layout();
        ISharing.Grant storage g = _grant(s, a.subject);
        ISharing.StepKind k = a.kind;
        if (k == ISharing.StepKind.RecordUse) {
            _use(s, g, a.subject, a.at);
            return;
        }
        if (g.status == ISharing.GrantStatus.Terminated) revert ISharing.SharingGrantTerminated(a.subject);
        bool holderStep = k == ISharing.StepKind.FileIdleReason || k == ISharing.StepKind.Object
            || (k == ISharing.StepKind.Terminate && s.registry.unitKind(unitId) == IUnitRegistry.UnitKind.Ordinary);
        if (holderStep && g.unitId != unitId) revert ISharing.SharingNotGrantHolder(a.subject, g.unitId, unitId);
        if (k == ISharing.StepKind.FileIdleReason) {
            if (g.status != ISharing.GrantStatus.Active) revert ISharing.SharingGrantNotActive(a.subject, g.status);
            if (a.at <= block.timestamp || a.at > block.timestamp + SharingCommon.MAX_EXCUSE) {
                revert ISharing.SharingExcuseOutOfRange(a.subject, a.at);
            }
            // Art. 26 依据和理由: a reason is the Data Center's to accept, for a bounded term; the
            // holder cannot excuse itself. Meanwhile the grant is not suspended for idleness.
            if (g.reasonPending) revert ISharing.SharingIdleReasonPending(a.subject);
            g.reasonPending = true;
            g.reasonUntil = a.at;
            g.reasonDueAt = SharingCommon.dueAnyYear(SharingCommon.REASON_REVIEW_DAYS);
            emit ISharing.IdleReasonFiled(a.subject, a.at, g.reasonDueAt);
        } else if (k == ISharing.StepKind.ReviewIdleReason) {
            if (!g.reasonPending) revert ISharing.SharingNoIdleReasonPending(a.subject);
            bool accepted = a.code == 0;
            if (accepted) g.excusedUntil = g.reasonUntil;
            (g.reasonPending, g.reasonUntil, g.reasonDueAt) = (false, 0, 0);
            emit ISharing.IdleReasonReviewed(a.subject, accepted, g.excusedUntil);
        } else if (k == ISharing.StepKind.RecordServed) {
            if (g.serveDueAt == 0) revert ISharing.SharingNotFusion(a.subject);
            if (g.servedAt != 0) revert ISharing.SharingAlreadyServed(a.subject);
            g.servedAt = uint40(block.timestamp);
            // The data is available from now: idleness counts from here, not from the grant.
            if (g.lastUsedAt < g.servedAt) g.lastUsedAt = g.servedAt;
        } else if (k == ISharing.StepKind.SecuritySuspend) {
            if (g.status != ISharing.GrantStatus.Active) revert ISharing.SharingGrantNotActive(a.subject, g.status);
            _suspend(a.subject, g, ISharing.Suspension.Security);
        } else if (k == ISharing.StepKind.Object) {
            if (g.status != ISharing.GrantStatus.Suspended) revert ISharing.SharingGrantNotSuspended(a.subject, g.status);
            if (g.objected || block.timestamp > g.objectionDueAt) {
                revert ISharing.SharingObjectionClosed(a.subject, g.objectionDueAt);
            }
            g.objected = true;
            g.objectionPending = true;
            g.objectionAnswerDueAt = SharingCommon.dueAnyYear(SharingCommon.OBJECTION_ANSWER_DAYS);
            emit ISharing.ObjectionFiled(a.subject, g.objectionAnswerDueAt);
        } else if (k == ISharing.StepKind.Reinstate) {
            _reinstate(a.subject, g);
        } else if (k == ISharing.StepKind.DismissObjection) {
            if (!g.objectionPending) revert ISharing.SharingNoPendingObjection(a.subject);
            g.objectionPending = false;
            g.objectionAnswerDueAt = 0;
        } else {
            // Terminate: the holder, no longer needing it (Art. 26, code 0, checked above); or the
            // Data Center, on the grounds the measures give it (SharingCommon.TERMINATE_*).
            if (holderStep != (a.code == 0)) revert ISharing.SharingInvalidCode(k, a.code);
            // Art. 26, 31: the suspended holder's 30 days to object are not cut short but for a security risk.
            if (
                !holderStep && a.code != SharingCommon.TERMINATE_SECURITY && g.status == ISharing.GrantStatus.Suspended
                    && block.timestamp <= g.objectionDueAt
            ) revert ISharing.SharingObjectionWindowOpen(a.subject, g.objectionDueAt);
            if (a.code == SharingCommon.TERMINATE_ADJUSTMENT && !_catalogMoved(s, a.subject, g)) {
                revert ISharing.SharingNoCatalogAdjustment(a.subject);
            }
            if (
                a.code == SharingCommon.TERMINATE_SCENARIO_WITHDRAWN
                    && SharingCommon.withdrawnAt(g.scenarioClass, g.scenarioId) == 0
            ) revert ISharing.SharingScenarioState(g.scenarioId, true);
            _terminate(s, a.subject, g);
        }
    }

    /// @notice A use at `at` on grant `grantId`, from a checkpoint of the usage log anchored by
    /// `log` ({IUsageLog}): recorded as a RecordUse step by the log, under the same rule as a signed one.
    function anchoredUse(bytes32 grantId, uint40 at, address log) external {
        SharingStorage.Layout storage s = SharingStorage.layout();
        ISharing.Grant storage g = _grant(s, grantId);
        emit ISharing.SharingStep(
            grantId, ISharing.StepKind.RecordUse, 0, bytes32(0), log, 0, 0, at, "", bytes32(0), ""
        );
        _use(s, g, grantId, at);
    }

    /// @dev Uses may arrive late and out of order (a batched log): each counts if it happened
    /// while the grant was active; the latest counts for idleness (Art. 26, 30). A grant ended
    /// while suspended (lapsed, or ended by the Data Center) was last active at its suspension.
    /// A use inside a suspension does not count, reinstated since or not (Art. 26, 31).
    function _use(SharingStorage.Layout storage s, ISharing.Grant storage g, bytes32 grantId, uint40 at) private {
        uint256 end = g.status == ISharing.GrantStatus.Terminated ? g.terminatedAt : block.timestamp;
        if (at < g.issuedAt || at > end) revert ISharing.SharingUseOutOfRange(grantId, at);
        SharingStorage.Suspended[] storage suspended = s.suspensions[grantId];
        for (uint256 i = 0; i < suspended.length; ++i) {
            (uint40 from, uint40 until) = (suspended[i].from, suspended[i].until);
            if (at > from && (until == 0 || at < until)) {
                revert ISharing.SharingUseWhileSuspended(grantId, at, from);
            }
        }
        // Art. 19: a withdrawn scenario serves nothing from its withdrawal.
        uint40 withdrawn = SharingCommon.withdrawnAt(g.scenarioClass, g.scenarioId);
        if (withdrawn != 0 && at >= withdrawn) revert ISharing.SharingScenarioWithdrawn(g.scenarioId, withdrawn);
        if (at > g.lastUsedAt) g.lastUsedAt = at;
    }

    /// @notice SuspendIdle (Art. 26): a grant unused for 3 months (or past the reason on file) is
    /// suspended. Anyone may call.
    function suspendIdle(bytes32 grantId) external {
        ISharing.Grant storage g = _grant(SharingStorage.layout(), grantId);
        if (g.status != ISharing.GrantStatus.Active) revert ISharing.SharingGrantNotActive(grantId, g.status);
        if (g.reasonPending) revert ISharing.SharingIdleReasonPending(grantId);
        uint256 from = idleFrom(g);
        if (block.timestamp < from) revert ISharing.SharingNotIdle(grantId, from);
        SharingCommon.permissionlessStep(grantId, ISharing.StepKind.SuspendIdle, 0);
        _suspend(grantId, g, ISharing.Suspension.Idle);
    }

    /// @notice FinaliseLapse (Art. 26): an idle suspension 30 days old with no objection pending
    /// terminates the grant. Anyone may call.
    function finaliseLapse(bytes32 grantId) external {
        SharingStorage.Layout storage s = SharingStorage.layout();
        ISharing.Grant storage g = _grant(s, grantId);
        if (g.status != ISharing.GrantStatus.Suspended || g.suspension != ISharing.Suspension.Idle) {
            revert ISharing.SharingGrantNotSuspended(grantId, g.status);
        }
        if (g.objectionPending) revert ISharing.SharingObjectionPending(grantId);
        if (block.timestamp <= g.objectionDueAt) revert ISharing.SharingNotLapsed(grantId, g.objectionDueAt);
        SharingCommon.permissionlessStep(grantId, ISharing.StepKind.FinaliseLapse, 0);
        _terminate(s, grantId, g);
    }

    /// @notice FollowAdjustment (Art. 14): a grant one of whose entries is no longer in force at its
    /// pinned version follows the adjustment plan that change consumed: moved to the version now in
    /// force when the plan said so for that version; otherwise (deleted, made not shared, a plan to
    /// end, a version the plan did not cover) the whole grant ends. Anyone may call.
    function followAdjustment(bytes32 grantId) external {
        SharingStorage.Layout storage s = SharingStorage.layout();
        ISharing.Grant storage g = _grant(s, grantId);
        if (g.status == ISharing.GrantStatus.Terminated) revert ISharing.SharingGrantTerminated(grantId);
        uint256 n = g.resourceCount;
        uint32[] memory inForce = new uint32[](n); // each entry's version in force, read once
        bool moved = false;
        bool end = false;
        for (uint256 i = 0; i < n; ++i) {
            ISharing.Pinned storage r = s.grantResources[grantId][i];
            ICatalog.Entry memory e = s.catalog.entry(r.entryId);
            inForce[i] = e.approvedVersion;
            if (SharingCommon.inForce(e, r.version)) continue;
            moved = true;
            ISharing.Adjustment storage adj = s.adjustments[r.entryId];
            if (
                e.status == ICatalog.EntryStatus.Deleted || e.sharing == ICatalog.SharingAttribute.NotShared
                    || adj.disposition != ISharing.Disposition.Move || adj.fromVersion != r.version
            ) end = true;
        }
        if (!moved) revert ISharing.SharingNoCatalogAdjustment(grantId);
        SharingCommon.permissionlessStep(grantId, ISharing.StepKind.FollowAdjustment, 0);
        if (end) {
            _terminate(s, grantId, g);
            return;
        }
        for (uint256 i = 0; i < n; ++i) {
            ISharing.Pinned storage r = s.grantResources[grantId][i];
            if (inForce[i] == r.version) continue;
            emit ISharing.GrantRepinned(grantId, r.entryId, r.version, inForce[i]);
            r.version = inForce[i];
        }
    }

    /// @dev The first second a grant counts as idle: the day after 3 months from its last use
    /// (6 or 12 when a lower frequency was justified), or after the reason on file runs out.
    function idleFrom(ISharing.Grant storage g) internal view returns (uint256) {
        uint256 months = SharingCommon.IDLE_MONTHS;
        if (g.frequencyReason) months = g.frequency == ISharing.Frequency.Annual ? 12 : 6;
        uint256 idle = ShanghaiDate.endOfDay(ShanghaiDate.addMonths(ShanghaiDate.dayNumber(g.lastUsedAt), months)) + 1;
        return idle > g.excusedUntil ? idle : uint256(g.excusedUntil) + 1;
    }

    function _reinstate(bytes32 grantId, ISharing.Grant storage g) private {
        if (g.status != ISharing.GrantStatus.Suspended) revert ISharing.SharingGrantNotSuspended(grantId, g.status);
        // Art. 26: an idle suspension whose 30 days passed with no objection pending has lapsed
        // (自动终止) whether or not {finaliseLapse} has recorded it yet; only a new application
        // brings the data back.
        if (g.suspension == ISharing.Suspension.Idle && !g.objectionPending && block.timestamp > g.objectionDueAt) {
            revert ISharing.SharingObjectionClosed(grantId, g.objectionDueAt);
        }
        SharingStorage.Suspended[] storage suspended = SharingStorage.layout().suspensions[grantId];
        suspended[suspended.length - 1].until = uint40(block.timestamp);
        g.status = ISharing.GrantStatus.Active;
        g.suspension = ISharing.Suspension.None;
        g.objectionPending = false;
        g.objectionAnswerDueAt = 0;
        g.objected = false;
        g.objectionDueAt = 0;
        g.suspendedAt = 0;
        // Reinstatement restarts the idle clock, or the grant would be idle again at once.
        g.lastUsedAt = uint40(block.timestamp);
        emit ISharing.GrantStatusChanged(grantId, ISharing.GrantStatus.Active, ISharing.Suspension.None, 0);
    }

    /// @dev Whether an entry the grant pins was deleted, or is no longer at the pinned version.
    function _catalogMoved(SharingStorage.Layout storage s, bytes32 grantId, ISharing.Grant storage g)
        private
        view
        returns (bool)
    {
        for (uint256 i = 0; i < g.resourceCount; ++i) {
            ISharing.Pinned storage r = s.grantResources[grantId][i];
            if (!SharingCommon.inForce(s.catalog.entry(r.entryId), r.version)) return true;
        }
        return false;
    }

    function _suspend(bytes32 grantId, ISharing.Grant storage g, ISharing.Suspension kind) private {
        SharingStorage.layout().suspensions[grantId].push(SharingStorage.Suspended(uint40(block.timestamp), 0));
        g.status = ISharing.GrantStatus.Suspended;
        g.suspension = kind;
        g.suspendedAt = uint40(block.timestamp);
        g.objectionDueAt = SharingCommon.objectionDue();
        emit ISharing.GrantStatusChanged(grantId, ISharing.GrantStatus.Suspended, kind, g.objectionDueAt);
    }

    function _terminate(SharingStorage.Layout storage s, bytes32 grantId, ISharing.Grant storage g) private {
        g.status = ISharing.GrantStatus.Terminated;
        g.objectionPending = false;
        g.objectionAnswerDueAt = 0;
        (g.reasonPending, g.reasonUntil, g.reasonDueAt) = (false, 0, 0);
        g.terminatedAt = uint40(block.timestamp);
        for (uint256 i = 0; i < g.resourceCount; ++i) {
            bytes32 entryId = s.grantResources[grantId][i].entryId;
            --s.liveGrants[entryId];
            if (--s.holderGrants[entryId][g.unitId] == 0) SharingCases.holderLeft(s, entryId, g.unitId);
        }
        emit ISharing.GrantStatusChanged(grantId, ISharing.GrantStatus.Terminated, g.suspension, g.objectionDueAt);
    }

    function _grant(SharingStorage.Layout storage s, bytes32 grantId) private view returns (ISharing.Grant storage g) {
        g = s.grants[grantId];
        if (g.status == ISharing.GrantStatus.None) revert ISharing.SharingUnknownGrant(grantId);
    }
}
