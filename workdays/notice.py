"""A year's calendar from the State Council's notice, for a year no package carries yet.

Each November the General Office of the State Council publishes the next year's holidays
(国务院办公厅关于 YEAR 年部分节假日安排的通知): for each festival the days off (放假调休) and
the weekends worked in exchange (调休上班). The packages transcribe it in a later release; until
then the Office transcribes it into a small file, schema `putuo.calendar-notice/1`:

    {"schema": "putuo.calendar-notice/1", "year": 2027,
     "notice": {"number": "国办发明电〔2026〕…号", "title": "国务院办公厅关于2027年部分节假日安排的通知",
                "date": "2026-11-…"},
     "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03", "days": 3}, …],
     "working_days": ["2027-…", …]}

The file is data the Office supplies, not a table in this code, and it is checked before it can
be published (`validate`): every statutory holiday that the `holidays` package computes for the
year must be a day off; every adjusted working day must be a weekend day outside the holidays;
every holiday range must hold a statutory holiday; its `days`, when given, must match. Weekends
are days off unless listed as working days. The notice travels on-chain in full, canonical JSON
as the publication's `source`, so anyone can re-derive the bitmap from the chain alone.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from signer.canonical import canonical_bytes
from workdays.bitmap import YearBitmap, bitmap_from_dates, year_dates
from workdays.errors import NoticeError

NOTICE_SCHEMA = "putuo.calendar-notice/1"
Text = Annotated[str, Field(min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoticeReference(_Strict):
    """Which notice the file transcribes: its document number, title and date of issue."""

    number: Text  # 文号, e.g. 国办发明电〔2025〕7号
    title: Text
    date: dt.date


class HolidayRange(_Strict):
    """One festival's days off, both ends included (the notice's "X月X日至X日放假调休，共N天")."""

    name: Text
    from_: dt.date = Field(alias="from")
    to: dt.date
    days: int | None = Field(default=None, ge=1, le=31)  # the notice's 共N天, checked when given

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "$comment": "Not expressible here, and refused too: 'to' before 'from'; 'days' other than the "
            "number of dates from 'from' to 'to'."
        },
    )

    @model_validator(mode="after")
    def _ordered(self) -> "HolidayRange":
        if self.to < self.from_:
            raise ValueError(f"{self.name}: 'to' ({self.to}) is before 'from' ({self.from_})")
        if self.days is not None and self.days != len(self.dates()):
            raise ValueError(
                f"{self.name}: {self.from_}..{self.to} is {len(self.dates())} days, the notice says {self.days}"
            )
        return self

    def dates(self) -> list[dt.date]:
        return [self.from_ + dt.timedelta(days=i) for i in range((self.to - self.from_).days + 1)]


class CalendarNotice(_Strict):
    """The file `ledger calendar publish YEAR --notice FILE` reads."""

    schema_: Literal["putuo.calendar-notice/1"] = Field(alias="schema")
    year: int = Field(ge=1970, le=2200)
    notice: NoticeReference
    holidays: list[HolidayRange] = Field(min_length=1, max_length=20)
    working_days: list[dt.date] = Field(default_factory=list, max_length=30)  # 调休上班

    model_config = ConfigDict(extra="forbid", frozen=True)

    def days_off(self) -> set[dt.date]:
        return {d for h in self.holidays for d in h.dates()}

    def canonical(self) -> bytes:
        """The RFC 8785 form recorded on-chain as the publication's source."""
        return canonical_bytes(self.model_dump(mode="json", by_alias=True, exclude_none=True))


@dataclass(frozen=True)
class NoticeYear:
    """A validated notice and the year it gives: what the Office is asked to confirm."""

    notice: CalendarNotice
    bitmap: YearBitmap
    outside_year: list[dt.date]  # days off the notice lists in a neighbouring year (checked, not published)

    def summary(self) -> list[str]:
        """Lines for the confirmation: each festival, the working weekends, the year's count."""
        lines = [f"{self.notice.notice.title} ({self.notice.notice.number}, {self.notice.notice.date})"]
        for h in self.notice.holidays:
            lines.append(f"  {h.name}: {h.from_} .. {h.to} off ({len(h.dates())} days)")
        worked = ", ".join(str(d) for d in sorted(self.notice.working_days)) or "none"
        lines.append(f"  weekends worked (调休上班): {worked}")
        lines.append(f"  {self.notice.year}: {len(self.bitmap.working_dates())} working days")
        return lines


def read_notice(path: Path | str) -> CalendarNotice:
    """Parse a notice file. Raises NoticeError naming the field that is wrong."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NoticeError(f"{path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NoticeError(f"{path}: not a UTF-8 JSON file ({exc})") from None
    return parse_notice(raw, origin=str(path))


def parse_notice(raw: object, *, origin: str = "notice") -> CalendarNotice:
    try:
        return CalendarNotice.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(document)"
        raise NoticeError(f"{origin}: {field}: {first['msg']}") from None


def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The statutory holidays (法定节假日) the `holidays` package computes for `year`, without the
    observed days it invents for years whose notice it lacks."""
    import holidays

    return dict(holidays.China(years=year, observed=False).items())


def validate(notice: CalendarNotice, year: int, *, neighbour_is_off=None) -> NoticeYear:
    """Check `notice` against the rules above and give the year it defines. Raises NoticeError.

    `neighbour_is_off(date)` says whether a date of another year is already a day off (from the
    chain or a package; None: not known, and then only a weekend is); the notice may list such dates (a New Year holiday that starts on
    30 December) but cannot change them: that year would have to be republished.
    """
    if notice.year != year:
        raise NoticeError(f"year: the file is the notice for {notice.year}, not {year}")
    off, worked = notice.days_off(), set(notice.working_days)
    statutory = statutory_holidays(year)
    problems = []
    for day, name in sorted(statutory.items()):
        if day not in off:
            problems.append(f"holidays: the statutory holiday {day} ({name}) is not a day off in the file")
    for h in notice.holidays:
        if not any(d in statutory for d in h.dates()):
            problems.append(f"holidays: {h.name} ({h.from_}..{h.to}) holds none of {year}'s statutory holidays")
    for day in sorted(worked):
        if day.weekday() < 5:
            problems.append(f"working_days: {day} is a {day:%A}, already a working day")
        if day in off:
            problems.append(f"working_days: {day} is also inside a holiday range")
        if day.year != year:
            problems.append(f"working_days: {day} is not in {year}; republish {day.year} for it")
    outside = sorted(d for d in off if d.year != year)
    for day in outside:
        known = neighbour_is_off(day) if neighbour_is_off else None
        if not (day.weekday() >= 5 if known is None else known):
            problems.append(
                f"holidays: {day} is a weekday of {day.year}, which this notice cannot change; "
                f"republish {day.year} with it"
            )
    if len(worked) != len(notice.working_days):
        problems.append("working_days: a date is listed twice")
    if problems:
        raise NoticeError(
            problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""), problems=problems
        )
    working = [d for d in year_dates(year) if (d.weekday() < 5 and d not in off) or d in worked]
    source = notice.canonical().decode()
    return NoticeYear(notice, YearBitmap(year, bitmap_from_dates(year, working), source), outside)


def notice_from_source(source: str) -> CalendarNotice | None:
    """The notice a publication's on-chain `source` carries, or None for a package label."""
    if not source.startswith("{"):
        return None
    try:
        return parse_notice(json.loads(source))
    except (json.JSONDecodeError, NoticeError):
        return None


def compare_with_packages(seeded: YearBitmap) -> str | None:
    """The label of a package that carries `seeded.year` and agrees with it date by date, or None
    when no package carries the year. Raises NoticeDisagreesError when one carries it and differs."""
    from workdays.bitmap import Source, build_year
    from workdays.errors import NoticeDisagreesError, YearNotCoveredError

    for source in Source:
        try:
            packaged = build_year(seeded.year, source)
        except YearNotCoveredError:
            continue
        differing = [d for i, d in enumerate(year_dates(seeded.year)) if (packaged.bits ^ seeded.bits) >> i & 1]
        if differing:
            raise NoticeDisagreesError(seeded.year, packaged.source, differing)
        return packaged.source
    return None
