"""The Sharing contract's idle clock in Python: when a grant counts as idle (Art. 26).

Exactly what `Sharing._idleFrom` computes with `ShanghaiDate`: local dates are Asia/Shanghai
(UTC+8 all year), "n months later" keeps the day of the month clamped to the target month's
length (31 January + 1 month = 28 or 29 February), and a period ends at 23:59:59 local of its
last day. Integer arithmetic only (Howard Hinnant's date algorithms, as the contract's library),
so it agrees with the chain for every uint40 timestamp, past year 9999 too.

The objection deadline of a suspension (Art. 26) is not computed here: it depends on the
working-day calendar published on-chain (a period ending on a weekend or holiday runs to the
next working day), so the contract computes it and `GrantStatusChanged` carries it.
"""

from __future__ import annotations

from chain.sharing import Frequency

UTC_OFFSET = 8 * 3600
DAY = 86_400
IDLE_MONTHS = 3  # Art. 26
REASONED_IDLE_MONTHS = 6  # a reason on file for using it less than quarterly...
ANNUAL_IDLE_MONTHS = 12  # ...and for using it once a year

_EPOCH_SHIFT = 719_468  # days from 0000-03-01 to 1970-01-01
_DAYS_PER_ERA = 146_097


def day_number(timestamp: int) -> int:
    """The Asia/Shanghai local day of `timestamp`, counted from 1970-01-01 (day 0)."""
    return (timestamp + UTC_OFFSET) // DAY


def end_of_day(day: int) -> int:
    """23:59:59 Asia/Shanghai of local day `day`."""
    return (day + 1) * DAY - UTC_OFFSET - 1


def civil_from_days(day: int) -> tuple[int, int, int]:
    """(year, month 1-12, day of month 1-31) of local day number `day` >= 0."""
    z = day + _EPOCH_SHIFT
    era = z // _DAYS_PER_ERA
    doe = z - era * _DAYS_PER_ERA
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    dom = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (1 if month <= 2 else 0), month, dom


def days_from_civil(year: int, month: int, dom: int) -> int:
    y = year - 1 if month <= 2 else year
    era = y // 400
    yoe = y - era * 400
    mp = month - 3 if month > 2 else month + 9
    doy = (153 * mp + 2) // 5 + dom - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * _DAYS_PER_ERA + doe - _EPOCH_SHIFT


def is_leap_year(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if is_leap_year(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def add_months(day: int, months: int) -> int:
    """The local day `months` calendar months after `day`, the day of the month clamped."""
    year, month, dom = civil_from_days(day)
    index = year * 12 + (month - 1) + months
    year, month = index // 12, index % 12 + 1
    return days_from_civil(year, month, min(dom, days_in_month(year, month)))


def _frequency(value: Frequency | int | str) -> Frequency:
    if isinstance(value, str):  # the mirror's lower-case name ("semi_annual")
        return Frequency[value.upper()]
    return Frequency(value)


def idle_months(frequency: Frequency | int | str, frequency_reason: bool) -> int:
    """How long a grant may go unused: 3 months, or 6 (12 for annual use) when the application
    gave a reason for using it less than quarterly (Art. 17, 26)."""
    if not frequency_reason:
        return IDLE_MONTHS
    return ANNUAL_IDLE_MONTHS if _frequency(frequency) == Frequency.ANNUAL else REASONED_IDLE_MONTHS


def idle_from(last_used_at: int, frequency: Frequency | int | str, frequency_reason: bool, excused_until: int) -> int:
    """The first second an active grant counts as idle (`Sharing.idleFrom`): the day after
    `idle_months` from its last use, or the second after the reason on file runs out."""
    months = idle_months(frequency, frequency_reason)
    idle = end_of_day(add_months(day_number(last_used_at), months)) + 1
    return idle if idle > excused_until else excused_until + 1
