"""The calendar package's errors, under the project's one root `LedgerError`."""

from __future__ import annotations

from chain.errors import LedgerError


class CalendarError(LedgerError):
    """Root of the workdays package's errors."""


class UnknownSourceError(CalendarError):
    """Raised when a calendar source other than the supported packages is named."""

    def __init__(self, source: str, supported: tuple[str, ...]) -> None:
        super().__init__(f"unknown calendar source {source!r}; supported: {', '.join(supported)}")
        self.source = source
        self.supported = supported


class YearNotCoveredError(CalendarError):
    """Raised when the source package has no complete working-day data for the year asked."""

    def __init__(self, year: int, source: str, reason: str) -> None:
        super().__init__(f"{source} cannot seed {year}: {reason}")
        self.year = year
        self.source = source
        self.reason = reason


class YearNotPublishedError(CalendarError):
    """Raised when a year is read from the chain before the Office has published it."""

    def __init__(self, year: int) -> None:
        super().__init__(f"the working-day calendar of {year} is not published on-chain")
        self.year = year


class NoticeError(CalendarError):
    """Raised when a State Council notice file is unreadable or fails a check (each problem listed)."""

    def __init__(self, message: str, *, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class NoticeDisagreesError(CalendarError):
    """Raised when a notice file and a package that carries the same year disagree on dates."""

    def __init__(self, year: int, source: str, dates: list) -> None:
        shown = ", ".join(str(d) for d in dates[:5]) + (f" and {len(dates) - 5} more" if len(dates) > 5 else "")
        super().__init__(
            f"{year}: the notice file and {source} disagree on {len(dates)} date(s): {shown}; "
            "correct the file, or publish from the package (`--source`)"
        )
        self.year = year
        self.source = source
        self.dates = dates
