// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IWorkCalendar} from "./interfaces/IWorkCalendar.sol";
import {BitCount} from "./lib/BitCount.sol";
import {ShanghaiDate} from "./lib/ShanghaiDate.sol";

/// @title WorkCalendar
/// @notice The Office (区府办) publishes each year's PRC working days; deadlines of N working
/// days are computed from them (DESIGN point 5). The counting convention is in {IWorkCalendar}.
contract WorkCalendar is AccessControl, IWorkCalendar {
    /// @dev Held by the Office's accounts: publishes and corrects years.
    bytes32 public constant OFFICE_ROLE = keccak256("OFFICE_ROLE");

    /// @dev Three slots. Invariant (checked by publishYear): no bit at or beyond the year's day
    /// count is set, so a popcount of a word counts only real days.
    struct Year {
        uint256[2] bitmap;
        uint32 revision;
    }

    mapping(uint16 year => Year) private _years;
    uint16[] private _publishedYears;

    constructor(address office) {
        _grantRole(DEFAULT_ADMIN_ROLE, office);
        _grantRole(OFFICE_ROLE, office);
    }

    /// @inheritdoc IWorkCalendar
    function publishYear(uint16 year, uint256[2] calldata bitmap, string calldata source)
        external
        onlyRole(OFFICE_ROLE)
    {
        if (year < 1970) revert WorkCalendarYearOutOfRange(year);
        uint256 dayCount = ShanghaiDate.daysInYear(year);
        // Word 1 holds days 256..365: its bits from (dayCount - 256) on must be clear.
        if (bitmap[1] >> (dayCount - 256) != 0) {
            revert WorkCalendarBitmapTooLong(year, dayCount, 256 + Math.log2(bitmap[1]));
        }
        if (bitmap[0] == 0 && bitmap[1] == 0) revert WorkCalendarEmptyBitmap(year);

        Year storage y = _years[year];
        bytes32 newHash = keccak256(abi.encode(bitmap));
        bytes32 oldHash;
        if (y.revision == 0) {
            _publishedYears.push(year);
        } else {
            oldHash = keccak256(abi.encode(y.bitmap));
            if (oldHash == newHash) revert WorkCalendarBitmapUnchanged(year, newHash);
        }
        y.bitmap = bitmap;
        uint32 rev = ++y.revision;
        emit CalendarYearPublished(year, rev, oldHash, newHash, bitmap, source);
    }

    /// @inheritdoc IWorkCalendar
    function isWorkingDay(uint256 timestamp) external view returns (bool) {
        (uint16 year, uint16 dayOfYear) = localDay(timestamp);
        Year storage y = _years[year];
        if (y.revision == 0) revert WorkCalendarYearNotPublished(year);
        return (y.bitmap[dayOfYear >> 8] >> (dayOfYear & 0xff)) & 1 == 1;
    }

    /// @inheritdoc IWorkCalendar
    function addWorkingDays(uint256 timestamp, uint256 n) external view returns (uint256 dueAt) {
        (bool ok, uint256 due, uint16 missingYear) = tryAddWorkingDays(timestamp, n);
        if (!ok) revert WorkCalendarYearNotPublished(missingYear);
        return due;
    }

    /// @inheritdoc IWorkCalendar
    function tryAddWorkingDays(uint256 timestamp, uint256 n)
        public
        view
        returns (bool ok, uint256 dueAt, uint16 missingYear)
    {
        if (n == 0) revert WorkCalendarZeroWorkingDays();
        _checkTimestamp(timestamp);
        // The step's own date never counts: start on the next local date, whatever the hour.
        uint256 first = ShanghaiDate.dayNumber(timestamp) + 1;
        uint16 year = uint16(ShanghaiDate.yearOf(first)); // fits: timestamp <= uint40 max
        uint256 yearStart = ShanghaiDate.firstDayOf(year);
        uint256 from = first - yearStart; // day-of-year where counting starts in `year`
        while (true) {
            Year storage y = _years[year];
            if (y.revision == 0) return (false, 0, year);
            for (uint256 w = from >> 8; w < 2; ++w) {
                // Clear the days before `from` in the word it falls in; later words count whole.
                uint256 skip = from > w << 8 ? from - (w << 8) : 0;
                uint256 word = (y.bitmap[w] >> skip) << skip;
                uint256 count = BitCount.popCount(word);
                if (count >= n) {
                    uint256 dayOfYear = (w << 8) + BitCount.select(word, n);
                    return (true, ShanghaiDate.endOfDay(yearStart + dayOfYear), 0);
                }
                n -= count;
            }
            yearStart += ShanghaiDate.daysInYear(year);
            ++year;
            from = 0;
        }
    }

    /// @inheritdoc IWorkCalendar
    function localDay(uint256 timestamp) public pure returns (uint16 year, uint16 dayOfYear) {
        _checkTimestamp(timestamp);
        uint256 day = ShanghaiDate.dayNumber(timestamp);
        uint256 y = ShanghaiDate.yearOf(day);
        return (uint16(y), uint16(day - ShanghaiDate.firstDayOf(y)));
    }

    /// @inheritdoc IWorkCalendar
    function workingDaysBitmap(uint16 year) external view returns (uint256[2] memory) {
        Year storage y = _years[year];
        if (y.revision == 0) revert WorkCalendarYearNotPublished(year);
        return y.bitmap;
    }

    /// @inheritdoc IWorkCalendar
    function isPublished(uint16 year) external view returns (bool) {
        return _years[year].revision != 0;
    }

    /// @inheritdoc IWorkCalendar
    function revision(uint16 year) external view returns (uint32) {
        return _years[year].revision;
    }

    /// @inheritdoc IWorkCalendar
    function publishedYears() external view returns (uint16[] memory) {
        return _publishedYears;
    }

    /// @dev uint40 seconds reach year 36812, so every year computed from a timestamp fits uint16.
    function _checkTimestamp(uint256 timestamp) private pure {
        if (timestamp > type(uint40).max) revert WorkCalendarTimestampOutOfRange(timestamp);
    }
}
