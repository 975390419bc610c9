// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Asia/Shanghai civil dates of Unix timestamps
/// @notice Asia/Shanghai is UTC+8 all year (no daylight saving since 1991), so a local date is
/// a plain division. "Day number" below counts local dates from 1970-01-01 (day 0).
/// Year/day conversions are Howard Hinnant's `civil_from_days` / `days_from_civil`
/// (https://howardhinnant.github.io/date_algorithms.html), proleptic Gregorian, in unsigned
/// arithmetic: valid for every day number >= 0, which is every uint256 timestamp.
library ShanghaiDate {
    uint256 internal constant UTC_OFFSET = 8 hours;

    /// @dev Days from 0000-03-01 (Hinnant's era origin) to 1970-01-01.
    uint256 private constant EPOCH_SHIFT = 719_468;
    uint256 private constant DAYS_PER_ERA = 146_097; // 400 Gregorian years

    /// @dev The local day number of `timestamp`. Timestamp 0 is 1970-01-01 08:00 local, day 0.
    function dayNumber(uint256 timestamp) internal pure returns (uint256) {
        return (timestamp + UTC_OFFSET) / 1 days;
    }

    /// @dev The timestamp of 23:59:59 local on day `day`: the next local midnight minus one second.
    function endOfDay(uint256 day) internal pure returns (uint256) {
        return (day + 1) * 1 days - UTC_OFFSET - 1;
    }

    /// @dev The year that day `day` falls in (Hinnant's civil_from_days, year part only).
    function yearOf(uint256 day) internal pure returns (uint256 year) {
        uint256 z = day + EPOCH_SHIFT;
        uint256 era = z / DAYS_PER_ERA;
        uint256 doe = z - era * DAYS_PER_ERA; // [0, 146096]
        uint256 yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
        uint256 doyMar = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of the March-based year
        uint256 mp = (5 * doyMar + 2) / 153; // [0, 11], 0 = March
        // January and February belong to the next civil year in the March-based count.
        year = yoe + era * 400 + (mp >= 10 ? 1 : 0);
    }

    /// @dev The day number of 1 January of `year` (Hinnant's days_from_civil with m = 1, d = 1).
    /// Requires year >= 1970 so that the result is not negative.
    function firstDayOf(uint256 year) internal pure returns (uint256) {
        uint256 y = year - 1; // January counts in the previous March-based year
        uint256 era = y / 400;
        uint256 yoe = y - era * 400; // [0, 399]
        uint256 doe = yoe * 365 + yoe / 4 - yoe / 100 + 306; // 306 = days from 1 March to 1 January
        return era * DAYS_PER_ERA + doe - EPOCH_SHIFT;
    }

    function isLeapYear(uint256 year) internal pure returns (bool) {
        return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    }

    function daysInYear(uint256 year) internal pure returns (uint256) {
        return isLeapYear(year) ? 366 : 365;
    }

    /// @dev The day `months` calendar months after day `day`, the day of the month clamped to
    /// the target month's length (31 January + 1 month = 28 or 29 February).
    function addMonths(uint256 day, uint256 months) internal pure returns (uint256) {
        (uint256 y, uint256 m, uint256 d) = civilFromDays(day);
        uint256 index = y * 12 + (m - 1) + months;
        (y, m) = (index / 12, index % 12 + 1);
        uint256 last = daysInMonth(y, m);
        return daysFromCivil(y, m, d > last ? last : d);
    }

    function daysInMonth(uint256 year, uint256 month) internal pure returns (uint256) {
        if (month == 2) return isLeapYear(year) ? 29 : 28;
        return (month == 4 || month == 6 || month == 9 || month == 11) ? 30 : 31;
    }

    /// @dev Hinnant's civil_from_days: (year, month 1–12, day 1–31) of day number `day`.
    function civilFromDays(uint256 day) internal pure returns (uint256 year, uint256 month, uint256 dom) {
        uint256 z = day + EPOCH_SHIFT;
        uint256 era = z / DAYS_PER_ERA;
        uint256 doe = z - era * DAYS_PER_ERA;
        uint256 yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        uint256 doyMar = doe - (365 * yoe + yoe / 4 - yoe / 100);
        uint256 mp = (5 * doyMar + 2) / 153;
        dom = doyMar - (153 * mp + 2) / 5 + 1;
        month = mp < 10 ? mp + 3 : mp - 9;
        year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    }

    /// @dev Hinnant's days_from_civil, for dates from 1970-01-01 on.
    function daysFromCivil(uint256 year, uint256 month, uint256 dom) internal pure returns (uint256) {
        uint256 y = month <= 2 ? year - 1 : year;
        uint256 era = y / 400;
        uint256 yoe = y - era * 400;
        uint256 mp = month > 2 ? month - 3 : month + 9;
        uint256 doy = (153 * mp + 2) / 5 + dom - 1;
        uint256 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * DAYS_PER_ERA + doe - EPOCH_SHIFT;
    }
}
