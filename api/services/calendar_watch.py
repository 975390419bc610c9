"""The Office's calendar duty: next year's working days published before deadlines reach it.

From 1 December, while next year is unpublished (or only a provisional demo year), `/healthz`,
the Office's duties and the log of `ledger serve` say so, with the command that fixes it. The
report is judged at the chain's time and cached briefly: it costs a few calls and a log scan.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from web3.contract import Contract

from workdays.publish import CalendarStatus, calendar_status

log = logging.getLogger(__name__)
RULE = "calendar_publish"
ARTICLE = "DESIGN 5: deadlines in PRC working days need the year's calendar on-chain (Office)"


@dataclass(frozen=True)
class CalendarDuty:
    """A year the Office must publish: due when the longest deadline (15 working days) of a step
    taken then would first reach into it; overdue after that (such steps are refused)."""

    year: int
    message: str
    command: str
    due_at: int

    def state(self, now: int) -> str:
        return "due" if now <= self.due_at else "overdue"


class CalendarWatch:
    def __init__(self, calendar: Contract, ttl_s: float = 30.0) -> None:
        self.calendar = calendar
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._cached: tuple[float, CalendarStatus] | None = None
        self._logged: set[str] = set()

    def status(self) -> CalendarStatus:
        with self._lock:
            if self._cached is None or time.monotonic() - self._cached[0] > self.ttl_s:
                self._cached = (time.monotonic(), calendar_status(self.calendar))
            return self._cached[1]

    def duties(self) -> list[CalendarDuty]:
        report = self.status()
        out = []
        for warning in report.warnings:
            # The current year missing is due at once; the next year by the last moment a step of
            # the longest deadline still ends inside the current year.
            current = warning.year == report.today.year
            due = report.now if current or report.next_year_needed_at is None else report.next_year_needed_at
            out.append(CalendarDuty(warning.year, warning.message, warning.command, due))
        return out

    def log_warnings(self) -> bool:
        """Log each warning once a day (the serve log); a loop step, so it reports nothing done."""
        report = self.status()
        for warning in report.warnings:
            key = f"{report.today}:{warning.message}"
            if key not in self._logged:
                self._logged.add(key)
                log.warning("calendar: %s; run `%s`", warning.message, warning.command)
        return False
