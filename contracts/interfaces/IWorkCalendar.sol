// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title PRC working-day calendar of the Putuo public data sharing ledger
/// @notice The Office publishes, year by year, which Asia/Shanghai dates are working days
/// (weekends and statutory holidays off, 调休 make-up weekends on). Deadlines of N working days
/// (REGULATION "Working days") are computed from it, so anyone can re-check them from the chain.
///
/// Dates are Asia/Shanghai civil dates: UTC+8 all year, no daylight saving since 1991 (the
/// summers of 1986–1991 are counted at UTC+8 too; no ledger deadline lies there).
/// A year's calendar is a 366-bit bitmap held in two words: bit i (0-based, word i / 256, bit
/// i % 256 of that word) set means day-of-year i is a working day; day-of-year 0 is 1 January.
///
/// Counting convention of {addWorkingDays}, the one every deadline in the ledger uses:
/// - the day on which the step is taken (its Asia/Shanghai date) never counts, whatever its
///   hour and whether or not it is a working day; counting starts on the next date;
/// - so "after hours" does not matter: a step at 09:00 or at 23:59:59 of a working day, on a
///   weekend or on a holiday is due at the same time as any other step on that date;
/// - working day k ends at 24:00 Asia/Shanghai; `dueAt` is 23:59:59 of the N-th working day,
///   i.e. 24:00 local minus one second. A step is overdue when `block.timestamp > dueAt`.
/// Example: N = 1 on an ordinary Friday (any hour) is due Monday 23:59:59 Asia/Shanghai.
interface IWorkCalendar {
    /// @dev `year` has no published calendar; nothing falls back to calendar days.
    error WorkCalendarYearNotPublished(uint16 year);
    /// @dev A bitmap has a bit set at or beyond the year's day count (365 or 366).
    error WorkCalendarBitmapTooLong(uint16 year, uint256 daysInYear, uint256 highestSetBit);
    /// @dev A bitmap with no working day at all is certainly a mistake.
    error WorkCalendarEmptyBitmap(uint16 year);
    /// @dev Republishing the bitmap already in force would only inflate the revision.
    error WorkCalendarBitmapUnchanged(uint16 year, bytes32 bitmapHash);
    /// @dev Years before 1970 cannot hold a (uint256) timestamp.
    error WorkCalendarYearOutOfRange(uint16 year);
    /// @dev Timestamps are bounded to uint40 (as the ledger stores them), so years fit uint16.
    error WorkCalendarTimestampOutOfRange(uint256 timestamp);
    /// @dev A deadline is at least one working day away.
    error WorkCalendarZeroWorkingDays();

    /// @notice A year's calendar was published (`revision` 1) or corrected (`revision` > 1).
    /// `previousHash` is zero on first publication. Hashes are keccak256(abi.encode(bitmap)).
    /// `source` names what seeded it, e.g. "chinese-calendar 1.11.0".
    event CalendarYearPublished(
        uint16 indexed year,
        uint32 indexed revision,
        bytes32 previousHash,
        bytes32 bitmapHash,
        uint256[2] bitmap,
        string source
    );

    /// @notice Publishes (or corrects) the working days of `year`.
    /// Requirements: caller has OFFICE_ROLE; `year` >= 1970; no bit at or beyond the year's day
    /// count is set; at least one bit is set; on republication the bitmap differs.
    /// Emits {CalendarYearPublished}.
    /// IMPORTANT: a correction changes every deadline computed after it, not the ones already
    /// computed: callers should store `dueAt` when the step is taken.
    function publishYear(uint16 year, uint256[2] calldata bitmap, string calldata source) external;

    /// @notice Whether the Asia/Shanghai date of `timestamp` is a working day.
    /// Requirements: that date's year is published; `timestamp` fits uint40.
    function isWorkingDay(uint256 timestamp) external view returns (bool);

    /// @notice The end (23:59:59 Asia/Shanghai) of the `n`-th working day after the date of
    /// `timestamp`; see the counting convention above.
    /// Requirements: `n` >= 1; `timestamp` fits uint40; every year the count runs through is
    /// published (it reverts with {WorkCalendarYearNotPublished} naming the first missing one).
    function addWorkingDays(uint256 timestamp, uint256 n) external view returns (uint256 dueAt);

    /// @notice As {addWorkingDays}, but a missing year is returned, not reverted:
    /// `ok` false, `dueAt` 0 and `missingYear` the first unpublished year the count needed.
    /// IMPORTANT: `n` = 0 and an out-of-range timestamp still revert: they are caller bugs, not
    /// a state of the calendar a caller could handle.
    function tryAddWorkingDays(uint256 timestamp, uint256 n)
        external
        view
        returns (bool ok, uint256 dueAt, uint16 missingYear);

    /// @notice The Asia/Shanghai year and 0-based day-of-year of `timestamp`.
    function localDay(uint256 timestamp) external pure returns (uint16 year, uint16 dayOfYear);

    /// @notice The published bitmap of `year`. Requirements: `year` is published.
    function workingDaysBitmap(uint16 year) external view returns (uint256[2] memory);

    /// @notice Whether `year` has been published.
    function isPublished(uint16 year) external view returns (bool);

    /// @notice How many times `year` has been published (0 = never, 1 = once, more = corrected).
    function revision(uint16 year) external view returns (uint32);

    /// @notice Every published year, in order of first publication.
    function publishedYears() external view returns (uint16[] memory);
}
