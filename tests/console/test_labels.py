"""Every duty rule and subject type the API can answer, and every objection source, outcome and
state, has its Chinese words in the console (console/src/lib/labels.js); a code added later is
still shown, by its code (Node, no browser)."""

from __future__ import annotations

from api.services.duties import RULES, SUBJECT_TYPES
from chain.quality import ObjectionOutcome, ObjectionSource
from tests.console.conftest import run_script


def _names(enum) -> set[str]:
    return {member.name.lower() for member in enum if member.value}


def test_every_code_the_api_answers_has_its_chinese_words():
    out = run_script("labels.mjs")
    keys = {name: set(codes) for name, codes in out["keys"].items()}
    assert keys["DUTY_RULES"] == set(RULES)
    assert keys["SUBJECT_TYPES"] == set(SUBJECT_TYPES)
    assert {r.subject_type for r in RULES.values()} <= keys["SUBJECT_TYPES"]
    assert keys["OBJECTION_SOURCE"] == _names(ObjectionSource)
    assert keys["OBJECTION_OUTCOME"] == _names(ObjectionOutcome)
    # api/services/quality.py objections: open, overdue, handled_on_time, handled_late.
    assert keys["OBJECTION_STATE"] == {"open", "overdue", "handled_on_time", "handled_late"}
    assert (out["unknownRule"], out["unknownSubject"]) == ("其他职责（art99_new）", "其他对象（scenario）")
