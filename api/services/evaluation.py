"""The Art. 32 evaluation: each unit's timeliness in a period, from the duties of the mirror.

The rules (docs/RULES.md, "Evaluation") in short:

- A duty belongs to the period when the Asia/Shanghai date of its due time lies in [from, to].
  It is judged at `now` (the chain's latest block time): on time, late, or overdue (open past
  due). An open duty not yet due is `open`, not judged. A collection duty cancelled by the
  entry's deletion is not judged if the deletion came in time, and counts as late if it came
  after the due time (deleting an entry does not undo a missed deadline). An Art. 11 duty with
  no computable due time is `unknown`, counted by its submission date, not judged.
- Sharing duties likewise, and one more outcome: `missed` (an item approved by silence, Art. 20),
  judged and never on time. A sharing duty cancelled (its demand closed, its grant ended) is judged
  as a cancelled collection is.
- Per rule group, rate = on_time / judged (null when nothing was judged). The unit owes
  compile (Art. 11), collect (Art. 15), resubmit (Art. 13), item_review (Art. 20) and catalogue
  (Art. 22); the Data Center owes review (Art. 13/14): a done review is the reviewer's unit's, an
  open one each Data Center unit's; and confirm (Art. 19), plan_review and serve (Art. 22),
  reason_review and objection_answer (Art. 26), each Data Center unit's.
- score = 100 × the mean of the unit's rates that are not null (each rule group weighs the
  same, however many duties it holds); null when the unit has no judged duty.
- Ranking: score (high first; null last), then fewer overdue duties, then more judged duties,
  then unit id. `rank` is 1-based and null for a unit without a score.
- Counts (entries, versions, returns, changes, deletions, reviews) are of steps whose block
  time lies in the period.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import schemas
from api.errors import ApiError
from api.services.duties import DATA_CENTER, snapshot
from api.services.evaluation_dimensions import DIMENSION_FIGURES, dimensions
from catalog.document import SHANGHAI
from mirror.models import OfficerKey, Unit

GROUPS = {
    "art11_compile": "compile",
    "art15_collect": "collect",
    "art13_resubmit": "resubmit",
    "art13_review": "review",
    "art14_review": "review",
    "art20_review": "item_review",
    "art22_catalogue": "catalogue",
    "art19_confirm": "confirm",
    "art22_plan_review": "plan_review",
    "art22_serve": "serve",
    "art26_reason_review": "reason_review",
    "art26_objection_answer": "objection_answer",
    "art16_update": "update",
    "art16_objection": "objection",
}
CATALOG_GROUPS = ("compile", "collect", "resubmit", "review")
SHARING_GROUPS = ("item_review", "catalogue", "confirm", "plan_review", "serve", "reason_review", "objection_answer")
QUALITY_GROUPS = ("update", "objection")  # Art. 16: the unit's, judged like the catalog's
UNIT_GROUPS = ("compile", "collect", "resubmit", "item_review", "catalogue", *QUALITY_GROUPS)
DC_GROUPS = ("review", "confirm", "plan_review", "serve", "reason_review", "objection_answer")
EVALUATED_KINDS = ("ordinary", "data_center")
COUNTS = ("entries", "versions", "returns", "changes", "deletions", "reviews")
FIGURES = ("judged", "on_time", "late", "overdue", "open", "unknown", "rate")
SHARING_FIGURES = ("judged", "on_time", "late", "missed", "overdue", "open", "unknown", "rate")


# The days a period may name: chain times are unix seconds from 1970; 2099 bounds what the API
# states in its OpenAPI document (DAY_PATTERN), far past any deadline the ledger records.
FIRST_DAY = dt.date(1970, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)
DAY_PATTERN = r"^(19[7-9][0-9]|20[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def day(value: str | None, field: str) -> dt.date | None:
    """A period bound given as `YYYY-MM-DD` (DAY_PATTERN), or a 422 naming `field`: a day that
    does not exist (2026-02-30), or one outside FIRST_DAY … LAST_DAY."""
    if value is None:
        return None
    try:
        parsed = dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise ApiError(422, "invalid_date", f"{field}: {value!r} is not a day (YYYY-MM-DD)", field)
    return _in_range(parsed, field)


def _in_range(value: dt.date, field: str) -> dt.date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ApiError(422, "date_out_of_range", f"{field}: {value} is outside {FIRST_DAY} to {LAST_DAY}", field)
    return value


def period(date_from: dt.date | None, date_to: dt.date | None, now: int) -> tuple[dt.date, dt.date]:
    """The period asked for; by default from the first of `now`'s month to `now`'s date (Asia/Shanghai).

    Raises the 422 `date_out_of_range` for a day outside FIRST_DAY … LAST_DAY and
    `invalid_period` when `from` is after `to`.
    """
    today = dt.datetime.fromtimestamp(now, SHANGHAI).date()
    date_to = _in_range(date_to, "to") if date_to else today
    date_from = _in_range(date_from, "from") if date_from else date_to.replace(day=1)
    if date_from > date_to:
        raise ApiError(422, "invalid_period", f"from: {date_from} is after to {date_to}", "from")
    return date_from, date_to


def bounds(date_from: dt.date, date_to: dt.date) -> tuple[int, int]:
    """First and last second of the period, Asia/Shanghai (UTC+8, as the WorkCalendar counts)."""
    start = dt.datetime.combine(date_from, dt.time(), SHANGHAI)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), SHANGHAI)
    return int(start.timestamp()), int(end.timestamp()) - 1


@dataclass
class _Figures:
    on_time: int = 0
    late: int = 0
    missed: int = 0  # sharing groups only: nothing in the catalog is met by silence
    overdue: int = 0
    open: int = 0
    unknown: int = 0

    @property
    def judged(self) -> int:
        return self.on_time + self.late + self.missed + self.overdue

    @property
    def rate(self) -> float | None:
        return self.on_time / self.judged if self.judged else None

    def model(self, group: str) -> schemas.RuleFigures:
        figures = {
            "judged": self.judged,
            "on_time": self.on_time,
            "late": self.late,
            "overdue": self.overdue,
            "open": self.open,
            "unknown": self.unknown,
            "rate": self.rate,
        }
        if group in SHARING_GROUPS:
            return schemas.SharingRuleFigures(missed=self.missed, **figures)
        return schemas.RuleFigures(**figures)


@dataclass
class _Unit:
    unit: Unit
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    groups: dict[str, _Figures] = field(default_factory=lambda: {g: _Figures() for g in (*UNIT_GROUPS, *DC_GROUPS)})
    dimensions: dict = field(
        default_factory=dict
    )  # quality, security, effectiveness (api.services.evaluation_dimensions)

    @property
    def score(self) -> float | None:
        owed = DC_GROUPS if self.unit.kind == "data_center" else UNIT_GROUPS
        rates = [r for r in (self.groups[g].rate for g in owed) if r is not None]
        return round(100 * sum(rates) / len(rates), 2) if rates else None

    def sort_key(self) -> tuple:
        score = self.score
        overdue = sum(f.overdue for f in self.groups.values())
        judged = sum(f.judged for f in self.groups.values())
        return (score is None, -(score or 0), overdue, -judged, self.unit.unit_id)


def evaluate(session: Session, *, date_from: dt.date, date_to: dt.date, now: int, now_block: int) -> schemas.Evaluation:
    """Every ordinary and Data Center unit's figures for the period, best first."""
    start, end = bounds(date_from, date_to)
    units = {u.unit_id: _Unit(u) for u in session.scalars(select(Unit).where(Unit.kind.in_(EVALUATED_KINDS)))}
    data_centers = [u for u in units.values() if u.unit.kind == "data_center"]
    key_units = dict(session.execute(select(OfficerKey.key_id, OfficerKey.unit_id)).all())
    data = snapshot(session, now=now)  # update periods (Art. 16) counted up to `now`

    def within(t: int | None) -> bool:
        return t is not None and start <= t <= end

    for v in data.versions:
        owner = units.get(v.unit_id)
        if owner is not None:
            owner.counts["entries"] += v.version == 1 and within(v.submitted_at)
            owner.counts["versions"] += within(v.submitted_at)
            owner.counts["changes"] += v.kind == "change" and within(v.submitted_at)
            owner.counts["deletions"] += v.kind == "deletion" and within(v.submitted_at)
            owner.counts["returns"] += v.status == "returned" and within(v.reviewed_at)
        reviewer = units.get(key_units.get(v.reviewer, ""))
        if reviewer is not None and within(v.reviewed_at):
            reviewer.counts["reviews"] += 1

    reviewer_of = {(v.entry_id, v.version): v.reviewer for v in data.versions}
    for duty in data.duties:
        group = GROUPS[duty.rule]
        if duty.owed_by == DATA_CENTER and duty.subject_type != "entry":
            owers = data_centers
        elif duty.owed_by == DATA_CENTER:
            reviewer = units.get(key_units.get(reviewer_of[(duty.entry_id, duty.version)] or "", ""))
            owers = [reviewer] if reviewer is not None and reviewer.unit.kind == "data_center" else data_centers
        else:
            owers = [units[duty.unit_id]] if duty.unit_id in units else []
        if duty.due_at == 0:
            if within(duty.done_at):
                for ower in owers:
                    ower.groups[group].unknown += 1
            continue
        if not within(duty.due_at):
            continue
        outcome = _outcome(duty, now)
        if outcome is not None:
            for ower in owers:
                setattr(ower.groups[group], outcome, getattr(ower.groups[group], outcome) + 1)

    for unit_id, figures in dimensions(session, list(units), start=start, end=end).items():
        units[unit_id].dimensions = figures
    ranked = sorted(units.values(), key=_Unit.sort_key)
    rows, rank = [], 0
    for u in ranked:
        score = u.score
        rank += score is not None
        rows.append(
            schemas.UnitEvaluation(
                rank=rank if score is not None else None,
                score=score,
                unit_id=u.unit.unit_id,
                name=u.unit.name,
                kind=u.unit.kind,
                **u.counts,
                **{g: f.model(g) for g, f in u.groups.items()},
                **u.dimensions,
            )
        )
    return schemas.Evaluation(
        date_from=date_from.isoformat(), date_to=date_to.isoformat(), now=now, now_block=now_block, units=rows
    )


def _outcome(duty, now: int) -> str | None:
    state = duty.state(now)
    if state == "cancelled":
        return "late" if duty.done_at > duty.due_at else None
    return {"done_on_time": "on_time", "done_late": "late", "missed": "missed", "overdue": "overdue", "due": "open"}[
        state
    ]


# --- CSV and chart ---------------------------------------------------------------------------

CSV_HEADER = (
    "rank",
    "score",
    "unit_id",
    "name",
    "kind",
    *COUNTS,
    *(f"{group}_{figure}" for group in CATALOG_GROUPS for figure in FIGURES),
    *(f"{group}_{figure}" for group in SHARING_GROUPS for figure in SHARING_FIGURES),
    *(f"{group}_{figure}" for group in QUALITY_GROUPS for figure in FIGURES),
    *(f"{dimension}_{figure}" for dimension, figures in DIMENSION_FIGURES.items() for figure in figures),
)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def to_csv(evaluation: schemas.Evaluation) -> str:
    """The evaluation as CSV (UTF-8 with a BOM, so spreadsheet software reads the Chinese names;
    header row, one unit a row in rank order; empty = null): the catalog groups' figures, the
    sharing groups' (with `missed`), the Art. 16 groups', then quality, security and effectiveness."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for u in evaluation.units:
        groups = [getattr(getattr(u, g), f) for g in CATALOG_GROUPS for f in FIGURES]
        groups += [getattr(getattr(u, g), f) for g in SHARING_GROUPS for f in SHARING_FIGURES]
        groups += [getattr(getattr(u, g), f) for g in QUALITY_GROUPS for f in FIGURES]
        groups += [getattr(getattr(u, d), f) for d, figures in DIMENSION_FIGURES.items() for f in figures]
        score = None if u.score is None else f"{u.score:.2f}"
        writer.writerow(
            [_cell(v) for v in (u.rank, score, u.unit_id, u.name, u.kind, *(getattr(u, c) for c in COUNTS), *groups)]
        )
    return out.getvalue()


def short_id(unit_id: str) -> str:
    return f"{unit_id[:6]}…{unit_id[-4:]}"


SAMPLE = "普陀区民政局"


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """A font file that has Chinese glyphs, if the host has one (`fc-list :lang=zh`); else None."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    for entry in font_manager.fontManager.ttflist:
        try:
            glyphs = [FT2Font(entry.fname).get_char_index(ord(c)) for c in SAMPLE]
        except (OSError, RuntimeError):
            continue
        # Distinct glyphs: a last-resort font maps every character to one placeholder box.
        if all(glyphs) and len(set(glyphs)) == len(SAMPLE):
            return entry.fname
    return None


def chart_labels(evaluation: schemas.Evaluation, *, cjk: bool) -> list[str]:
    """The units' names with a CJK font; without one, their short ids (names would be empty boxes)."""
    return [u.name if cjk else short_id(u.unit_id) for u in evaluation.units]


def chart_png(evaluation: schemas.Evaluation) -> bytes:
    """A horizontal bar chart of the ranking (best on top), PNG.

    Bars are labelled with the units' names when the host has a CJK font, else with their short
    ids (the names are Chinese; without such a font they would render as empty boxes).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    font = cjk_font()
    units = evaluation.units
    labels = chart_labels(evaluation, cjk=font is not None)
    scores = [u.score or 0.0 for u in units]
    figure = Figure(figsize=(8, 1.6 + 0.45 * max(len(units), 1)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(units)))[::-1]  # the first (best) at the top
    bars = axes.barh(
        positions,
        scores,
        color=["#2e7d32" if (s or 0) >= 90 else "#f9a825" if (s or 0) >= 60 else "#c62828" for s in scores],
    )
    axes.set_yticks(positions, labels, fontproperties=FontProperties(fname=font) if font else None)
    for bar, u in zip(bars, units, strict=True):
        text = "n/a" if u.score is None else f"{u.score:.1f}"
        axes.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, text, va="center", fontsize=9)
    axes.set_xlim(0, 110)
    if font:  # the Office's own words where the host can draw them
        chinese = FontProperties(fname=font)
        axes.set_xlabel("按时履职得分（0–100）", fontproperties=chinese)
        axes.set_title(
            f"公共数据共享应用考核评价 {evaluation.date_from} 至 {evaluation.date_to}", fontproperties=chinese
        )
    else:
        axes.set_xlabel("on-time score (0-100)")
        axes.set_title(f"Art. 32 evaluation {evaluation.date_from} to {evaluation.date_to}")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
