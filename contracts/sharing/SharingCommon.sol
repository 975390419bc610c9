// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ICatalog} from "../interfaces/ICatalog.sol";
import {ISharing} from "../interfaces/ISharing.sol";
import {ShanghaiDate} from "../lib/ShanghaiDate.sol";
import {SharingStorage} from "./SharingStorage.sol";

/// @title SharingCommon
/// @notice Periods of the measures and the helpers more than one sharing module needs (inlined:
/// internal functions only).
library SharingCommon {
    uint256 internal constant REVIEW_DAYS = 5; // Art. 20 owner review; Art. 22 fusion plan review
    uint256 internal constant UNCATALOGUED_DAYS = 15; // Art. 22
    uint256 internal constant SERVE_DAYS = 10; // Art. 22 fusion served after approval
    uint256 internal constant IDLE_MONTHS = 3; // Art. 26
    uint256 internal constant OBJECTION_DAYS = 30; // Art. 26, calendar days
    uint256 internal constant MAX_EXCUSE = 366 days; // a reason on file covers at most a year
    /// @dev Art. 19 gives the scenario route no period; the Data Center's confirmation that an
    /// application conforms is a formal check (the registry already proved the scenario on-chain),
    /// and "directly" (直接获取) must mean sooner than the owner's 5-day review: the 1 working day
    /// Art. 14 gives the Data Center for its comparable evaluation of a catalog change.
    uint256 internal constant CONFORMITY_DAYS = 1;
    /// @dev Art. 26 gives none for the Data Center's review of a reason for idleness or its
    /// answer to an objection: the measures' period for reviewing a unit's submission (Art. 20, 22).
    uint256 internal constant REASON_REVIEW_DAYS = 5;
    uint256 internal constant OBJECTION_ANSWER_DAYS = 5;

    /// @dev Rejection codes of {ISharing.StepKind.Decide}: the application did not conform (no
    /// basis needed), or a legal or regulatory basis is cited in {ISharing.DecideTerms.legalBasis}.
    uint16 internal constant REJECT_NONCONFORMING = 1;
    uint16 internal constant REJECT_LEGAL_BASIS = 2;

    uint256 internal constant MAX_RESOURCES = 32;

    /// @dev Art. 20: a decision the owner signed by its due time is not defeated by relay lag. The
    /// contract takes it up to this long after the due time (if signed by then), and silence
    /// approves only after it. An hour covers a relay, a node restart and a resend from the
    /// platform's outbox; it is also the most a signer could backdate a decision sent directly.
    uint256 internal constant DECISION_GRACE = 1 hours;

    /// @dev Codes of a Data Center's {ISharing.StepKind.Terminate} (the holder's own is 0): the grounds
    /// the measures give it. A security risk (Art. 31) ends a grant at any time, inside an objection
    /// window too; a catalog adjustment (Art. 14) only a grant one of whose entries was deleted or
    /// changed. There is no other: an idle grant lapses by itself ({ISharing.finaliseLapse}).
    uint16 internal constant TERMINATE_SECURITY = 1;
    uint16 internal constant TERMINATE_ADJUSTMENT = 2;
    /// @dev A grant under a registered scenario (Art. 19 (1)–(3)) the Data Center withdrew: it
    /// serves nothing from the withdrawal; this code ends it (else it lapses as idle, Art. 26).
    uint16 internal constant TERMINATE_SCENARIO_WITHDRAWN = 3;

    /// @dev The end of the n-th working day after now; reverts for an unpublished year.
    function due(uint256 n) internal view returns (uint40) {
        return uint40(SharingStorage.layout().calendar.addWorkingDays(block.timestamp, n));
    }

    /// @dev As {due}, for a duty the Data Center owes on a step a unit takes as of right (an
    /// objection, a reason for idleness), which an unpublished calendar year must not block: there,
    /// the calendar days n working days span at least (7 for 5), to the end of the last.
    function dueAnyYear(uint256 n) internal view returns (uint40) {
        (bool ok, uint256 dueAt,) = SharingStorage.layout().calendar.tryAddWorkingDays(block.timestamp, n);
        return uint40(ok ? dueAt : ShanghaiDate.endOfDay(ShanghaiDate.dayNumber(block.timestamp) + (n * 7 + 4) / 5));
    }

    /// @dev The end of the 30th day after the notice's day (Art. 26); a period ending on a weekend
    /// or holiday runs to the end of the next working day (Civil Code Art. 203). Where the
    /// calendar does not hold that year, the 30th day itself.
    function objectionDue() internal view returns (uint40) {
        uint256 last = ShanghaiDate.dayNumber(block.timestamp) + OBJECTION_DAYS;
        (bool ok, uint256 dueAt,) =
            SharingStorage.layout().calendar.tryAddWorkingDays(ShanghaiDate.endOfDay(last - 1), 1);
        return uint40(ok ? dueAt : ShanghaiDate.endOfDay(last));
    }

    /// @dev Whether the entry still stands at `version`: not deleted, and that version the one in
    /// force. What an application names, an approved item and a grant are pinned to (Art. 14, 17).
    function inForce(ICatalog.Entry memory e, uint32 version) internal pure returns (bool) {
        return e.status != ICatalog.EntryStatus.Deleted && e.approvedVersion == version;
    }

    /// @dev Art. 14: nothing is applied for or granted on an entry whose change or deletion awaits
    /// the Data Center's evaluation.
    function requireNoPendingChange(bytes32 entryId, ICatalog.Entry memory e) internal pure {
        if (e.status == ICatalog.EntryStatus.ChangePending || e.status == ICatalog.EntryStatus.DeletePending) {
            revert ISharing.SharingEntryChangePending(entryId, uint8(e.status));
        }
    }

    /// @dev When the registered scenario a grant or demand of class 1–3 rests on was withdrawn
    /// (0: it stands, or the class needs no registered scenario).
    function withdrawnAt(uint8 scenarioClass, bytes32 scenarioId) internal view returns (uint40) {
        if (scenarioClass == 0 || scenarioClass > 3) return 0;
        return SharingStorage.layout().scenarios[scenarioId].withdrawnAt;
    }

    /// @dev The step record of a permissionless step, emitted before its effects like every step's.
    function permissionlessStep(bytes32 subject, ISharing.StepKind kind, uint32 index) internal {
        emit ISharing.SharingStep(subject, kind, index, bytes32(0), msg.sender, 0, 0, 0, "", bytes32(0), "");
    }
}
