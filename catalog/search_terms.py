"""Turn Chinese and Latin text into search terms that any SQL full-text index can hold.

Chinese has no spaces, and SQLite's FTS5 and PostgreSQL's `simple` configuration both split
on spaces. So each run of CJK characters becomes its single characters and its overlapping
bigrams ("人口普查" → 人 口 普 查 人口 口普 普查), and Latin words are lower-cased. A query
becomes the bigrams it contains (or its single character), all of which must match; the
caller then confirms the exact substring, so "人口普" never matches "人口 ... 普查" by accident.
"""

from __future__ import annotations

import re
import unicodedata
from operator import add

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[0-9A-Za-z]+")
_IS_CJK = re.compile(rf"[{_CJK}]")


def _runs(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).lower())


def index_terms(text: str) -> str:
    """The space-separated terms to index for `text`."""
    return normalised_index_terms(normalise(text))


def normalised_index_terms(normalised: str) -> str:
    """`index_terms` of a text already through `normalise` (the mirror has it at hand).

    Runs are split on any character outside them, so `normalise(a + "\n" + b)` and
    `normalise(a + " " + b)` give the same terms.
    """
    terms: list[str] = []
    for run in _TOKEN.findall(normalised):
        if run[0] > "z":  # a CJK run (the other runs are ASCII letters and digits)
            terms += run
            terms += map(add, run, run[1:])
        else:
            terms.append(run)
    return " ".join(terms)


def query_terms(query: str) -> list[str]:
    """The terms a document must all contain to match `query` (empty: nothing searchable)."""
    terms: list[str] = []
    for run in _runs(query):
        if _IS_CJK.match(run):
            terms.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
        else:
            terms.append(run)
    return list(dict.fromkeys(terms))


def normalise(text: str) -> str:
    """The form both sides take for the exact substring check."""
    return unicodedata.normalize("NFKC", text).lower()
