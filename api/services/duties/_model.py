"""What a duty is, which rules there are, and how a duty is judged at a time (docs/RULES.md, "Duties")."""

from __future__ import annotations

from dataclasses import dataclass

DATA_CENTER = "data_center"
STATES = ("due", "overdue", "done_on_time", "done_late", "missed", "unknown", "cancelled")
# What a duty is about: a catalog entry; one resource of a demand (its item); a demand; a grant
# (whose id is its demand's).
# an objection to an entry's data (Art. 16).
SUBJECT_TYPES = ("entry", "demand_item", "demand", "grant", "objection")


@dataclass(frozen=True)
class Rule:
    code: str
    article: str
    working_days: int
    owed_by_data_center: bool
    subject_type: str


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule("art11_compile", "Art. 11 (10 working days)", 10, False, "entry"),
        Rule("art13_review", "Art. 13 (1 working day)", 1, True, "entry"),
        Rule("art13_resubmit", "Art. 13 (3 working days)", 3, False, "entry"),
        Rule("art14_review", "Art. 14 (1 working day)", 1, True, "entry"),
        Rule("art15_collect", "Art. 15 (10 working days)", 10, False, "entry"),
        # The sharing duties; their periods are the contract's (contracts/sharing/SharingCommon.sol).
        Rule("art19_confirm", "Art. 19 (1 working day)", 1, True, "demand"),
        Rule("art20_review", "Art. 20 (5 working days)", 5, False, "demand_item"),
        Rule("art22_catalogue", "Art. 22 (15 working days)", 15, False, "demand_item"),
        Rule("art22_plan_review", "Art. 22 (5 working days)", 5, True, "demand"),
        Rule("art22_serve", "Art. 22 (10 working days)", 10, True, "demand"),
        Rule("art26_reason_review", "Art. 26 (5 working days)", 5, True, "grant"),
        Rule("art26_objection_answer", "Art. 26 (5 working days)", 5, True, "grant"),
        # Art. 16: no working days. An update is due within each period of the declared frequency
        # (`item` is the period); an objection by the Office's `objectionHandlingDays` when raised.
        Rule("art16_update", "Art. 16 (each update period)", 0, False, "entry"),
        Rule("art16_objection", "Art. 16 (objectionHandlingDays)", 0, False, "objection"),
    )
}
_RULE_ORDER = {code: i for i, code in enumerate(RULES)}


@dataclass(slots=True)
class Duty:
    """One duty. `started_at` + the rule's working days gives `due_at` (WorkCalendar.addWorkingDays);
    `start_tx` is the transaction that recorded the due time, `done_tx` the one that met it (or,
    when cancelled or missed, the one that closed it)."""

    subject_type: str  # SUBJECT_TYPES: the rule's
    subject_id: str  # the entry id, or the demand id (a grant's id is its demand's)
    unit_id: str  # the entry's or item's responsible unit; a demand's or grant's demand unit
    rule: str
    started_at: int
    start_tx: str
    due_at: int  # 0: not computable (Art. 11 only)
    done_at: int | None = None
    done_tx: str | None = None
    cancelled: bool = False  # the subject closed otherwise (entry deleted, demand closed, grant ended)
    missed: bool = False  # closed without the one who owed it acting (Art. 20 deemed approval)
    # Met by a step the contract takes only if signed by the due time (Art. 20: a decision mined
    # within DECISION_GRACE after it): on time whatever its block time, as relay lag is no lateness.
    signed_in_time: bool = False
    entry_id: str | None = None  # the entry concerned: an entry duty's, or the entry an item asks for
    version: int | None = None  # the version reviewed, returned, first submitted or asked for
    item: int | None = None  # a demand item's index; an update duty's period (art16_update)

    @property
    def owed_by(self) -> str:
        return DATA_CENTER if RULES[self.rule].owed_by_data_center else self.unit_id

    def state(self, now: int) -> str:
        if self.due_at == 0:
            return "unknown"
        if self.cancelled:
            return "cancelled"
        if self.missed:
            return "missed"
        if self.done_at is None:
            return "due" if now <= self.due_at else "overdue"
        return "done_on_time" if self.signed_in_time or self.done_at <= self.due_at else "done_late"

    def sort_key(self) -> tuple:
        """Oldest due first (unknown due times last), then subject, rule, version and item: a stable page order."""
        return (
            self.due_at == 0,
            self.due_at,
            self.subject_id,
            _RULE_ORDER[self.rule],
            self.version or 0,
            self.item or 0,
        )
