"""The PRC working-day calendar: seeded from a maintained package, published on-chain.

`build_year` / `year_bitmap` turn a year of `chinese-calendar` (or `holidays`) into the bitmap
the `WorkCalendar` contract stores; `publish_year` sends it from an Office account;
`check_year` and `calendar_status` say whether the chain and the package agree and which years
are missing. The counting convention of deadlines is in docs/WORKDAYS.md.
"""

from workdays.bitmap import (
    DEFAULT_SOURCE,
    Source,
    YearBitmap,
    build_year,
    working_dates,
    year_bitmap,
)
from workdays.errors import (
    CalendarError,
    UnknownSourceError,
    YearNotCoveredError,
    YearNotPublishedError,
)
from workdays.publish import (
    CalendarStatus,
    PublishResult,
    YearCheck,
    calendar_at,
    calendar_status,
    check_year,
    publish_year,
    read_year,
)

__all__ = [
    "DEFAULT_SOURCE",
    "CalendarError",
    "CalendarStatus",
    "PublishResult",
    "Source",
    "UnknownSourceError",
    "YearBitmap",
    "YearCheck",
    "YearNotCoveredError",
    "YearNotPublishedError",
    "build_year",
    "calendar_at",
    "calendar_status",
    "check_year",
    "publish_year",
    "read_year",
    "working_dates",
    "year_bitmap",
]
