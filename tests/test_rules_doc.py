"""docs/RULES.md stays true: every sharing article has a row, and every test it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES = (ROOT / "docs" / "RULES.md").read_text(encoding="utf-8")
SHARING_ARTICLES = {17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 31}
REFERENCE = re.compile(r"`((?:[\w/]+\.py)?)::([\w:\[\]\-]+)`")


def _section(title: str) -> str:
    start = RULES.index(f"## {title}")
    end = RULES.find("\n## ", start + 1)
    return RULES[start : end if end != -1 else None]


def test_every_sharing_article_has_a_rule_with_a_test():
    rows = [line for line in _section("Sharing rules").splitlines() if line.startswith("| Art.")]
    covered = set()
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        covered |= {int(n) for n in re.findall(r"Art\. (\d+)", cells[0])}
        assert REFERENCE.search(cells[-1]), f"no test named for: {cells[0]}"
    assert SHARING_ARTICLES <= covered


def test_every_named_test_exists():
    """`file.py::test` (or `::test` continuing the previous file) names a function in that file."""
    missing, current = [], None
    for path, name in REFERENCE.findall(RULES):
        current = path or current
        function = name.split("[")[0].rsplit("::", 1)[-1]
        source = (ROOT / "tests" / current).read_text(encoding="utf-8")
        if not re.search(rf"^\s*def {re.escape(function)}\(", source, re.MULTILINE):
            missing.append(f"{current}::{name}")
    assert missing == []


CHINESE_NUMERALS = "一二三四五六七八九"


def _chinese(n: int) -> str:
    """第N条's numeral for 1 ≤ n ≤ 39: 一, 十, 十一, 二十, 三十四."""
    tens, units = divmod(n, 10)
    return (
        (CHINESE_NUMERALS[tens - 1] if tens > 1 else "")
        + ("十" if tens else "")
        + (CHINESE_NUMERALS[units - 1] if units else "")
    )


def test_rules_point_into_the_repository():
    """A user who clones the repository has every document RULES.md cites: no path outside it."""
    assert "/work/" not in RULES
    for cited in re.findall(r"`(docs/[\w./-]+)`", RULES):
        assert (ROOT / cited).exists(), cited


def test_the_summary_follows_the_original_article_by_article():
    """docs/MEASURES.md summarises every article of the original under the original's number."""
    original = (ROOT / "docs" / "measures" / "original.txt").read_text(encoding="utf-8")
    summary = (ROOT / "docs" / "MEASURES.md").read_text(encoding="utf-8")
    articles = [int(n) for n in re.findall(r"^\*\*Art\. (\d+) \(第(?:[一二三四五六七八九十]+)条\)", summary, re.M)]
    last = max(n for n in range(1, 40) if f"第{_chinese(n)}条" in original)
    assert last == 34
    assert articles == list(range(1, last + 1))
    for n in articles:
        assert f"**Art. {n} (第{_chinese(n)}条)" in summary
