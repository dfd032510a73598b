"""Lexicons the rule extractor reads, loaded once from ``onrecord/data``.

Word lists live in data files so that a person can audit and extend them
without touching code. ``cue_words.tsv`` is built from PolNeAR's train split
by ``scripts/build_cue_lexicon.py``: each word form with the share of its
occurrences that annotators marked as (part of) a cue.
"""

from __future__ import annotations

from functools import cache

from ..data import read_lines

__all__ = ["cue_ratio", "word_set"]


@cache
def _cue_table() -> dict[str, float]:
    table: dict[str, float] = {}
    for line in read_lines("cue_words.tsv"):
        form, _in_cue, _total, ratio = line.split("\t")
        table[form] = float(ratio)
    for line in read_lines("cue_words_extra.txt"):
        form, ratio = line.split()
        table[form] = max(table.get(form, 0.0), float(ratio))
    for form in read_lines("cue_words_stop.txt"):
        table.pop(form.strip(), None)
    return table


def cue_ratio(form: str) -> float:
    """How often ``form`` (lower-cased) is part of a cue in PolNeAR train, 0 when never."""
    return _cue_table().get(form.lower(), 0.0)


@cache
def word_set(name: str) -> frozenset[str]:
    """A one-entry-per-line word list from ``onrecord/data/<name>``, lower-cased."""
    return frozenset(ln.strip().lower() for ln in read_lines(name))
