"""Score predicted attributions against gold ones, as counts that add up.

Everything here works on *mentions*: all the spans of one role (source, cue
or content) in one attribution form one mention, a sorted tuple of
``(start, end)`` fragments. A discontinuous span is therefore one mention,
not several. Each fragment is first stripped of leading and trailing
whitespace (annotators and tokenisers disagree about a trailing space, and
nobody cares). Mentions are counted per attribution, as a multiset: when two
attributions share a source ("Smith said X and Y"), that source is two gold
mentions, and a prediction must produce it twice to find both.

Two per-role matches:

* **exact**: the predicted mention has exactly the gold fragments.
* **overlap**: the mentions share at least one token (a ``\\w+`` run of the
  document text) -- or, for mentions with no word in them (a ``:`` cue),
  at least one character. Every exact match is also an overlap match.

Matching is one-to-one and greedy, best first (by character Jaccard), so a
gold mention is credited to one prediction only.

At the attribution level a prediction and a gold attribution match when their
contents, as sets of character offsets, have Jaccard >= 0.5 (again one-to-one,
greedy, best first; ties go to the pair that agrees on source and cue). When
neither has a content, their sources and cues stand in for it. Among matched
pairs, the source is right when the two source mentions are exactly equal
(both absent counts as right), and the cue likewise.

Counts are plain integers so that they can be summed over files and over
annotators; rates (P/R/F1, accuracy) are computed only at the end. A rate
with an empty denominator is 0.0.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Any, Sequence

from onrecord.model import Attribution, Span

__all__ = ["ROLES", "ATTRIBUTION_JACCARD", "Tally", "Counts", "score_document", "bootstrap_f1"]

#: The roles scored per mention, in report order.
ROLES: tuple[str, ...] = ("source", "cue", "content")
#: Content Jaccard at or above which a predicted attribution matches a gold one.
ATTRIBUTION_JACCARD = 0.5

_WORD = re.compile(r"\w+")

Mention = tuple[tuple[int, int], ...]


@dataclass
class Tally:
    """True positives, false positives and false negatives for one kind of match."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return _rate(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _rate(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass
class Counts:
    """Everything :func:`score_document` counts for one text; ``a + b`` sums two."""

    source_exact: Tally = field(default_factory=Tally)
    source_overlap: Tally = field(default_factory=Tally)
    cue_exact: Tally = field(default_factory=Tally)
    cue_overlap: Tally = field(default_factory=Tally)
    content_exact: Tally = field(default_factory=Tally)
    content_overlap: Tally = field(default_factory=Tally)
    attribution: Tally = field(default_factory=Tally)
    #: Among matched attribution pairs (``attribution.tp`` of them): how many got the source / cue exactly right.
    source_correct: int = 0
    cue_correct: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def role(self, role: str, match: str) -> Tally:
        """The tally for ``role`` ("source", "cue", "content") and ``match`` ("exact", "overlap")."""
        return getattr(self, f"{role}_{match}")

    @property
    def source_accuracy(self) -> float:
        return _rate(self.source_correct, self.attribution.tp)

    @property
    def cue_accuracy(self) -> float:
        return _rate(self.cue_correct, self.attribution.tp)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            role: {match: self.role(role, match).as_dict() for match in ("exact", "overlap")} for role in ROLES
        }
        out["attribution"] = {
            **self.attribution.as_dict(),
            "jaccard_threshold": ATTRIBUTION_JACCARD,
            "source_accuracy": round(self.source_accuracy, 4),
            "cue_accuracy": round(self.cue_accuracy, 4),
            "source_correct": self.source_correct,
            "cue_correct": self.cue_correct,
        }
        return out


def score_document(gold: Sequence[Attribution], predicted: Sequence[Attribution], text: str) -> Counts:
    """Count how ``predicted`` matches ``gold``, both over the same ``text``.

    ``text`` is the document the spans index; it is used to strip whitespace
    from fragments and to find the tokens for the overlap match.
    """
    words = _Words(text)
    gold_m = [_mentions(a, text) for a in gold]
    pred_m = [_mentions(a, text) for a in predicted]
    counts = Counts()
    for role in ROLES:
        g = [m[role] for m in gold_m if m[role]]
        p = [m[role] for m in pred_m if m[role]]
        tp = _exact_matches(g, p)
        setattr(counts, f"{role}_exact", Tally(tp, len(p) - tp, len(g) - tp))
        tp = len(_overlap_matches(g, p, words))
        setattr(counts, f"{role}_overlap", Tally(tp, len(p) - tp, len(g) - tp))
    pairs = _attribution_matches(gold_m, pred_m)
    counts.attribution = Tally(len(pairs), len(pred_m) - len(pairs), len(gold_m) - len(pairs))
    counts.source_correct = sum(gold_m[g]["source"] == pred_m[p]["source"] for g, p in pairs)
    counts.cue_correct = sum(gold_m[g]["cue"] == pred_m[p]["cue"] for g, p in pairs)
    return counts


def bootstrap_f1(
    tallies: Sequence[Tally], *, level: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """A percentile bootstrap interval for the micro F1 of ``tallies``, one per article, drawn again with replacement.

    Articles, not items, are drawn: an article's items share a writer, a
    topic and an annotator. The same ``seed`` gives the same interval; no
    tallies give ``(0.0, 0.0)``.
    """
    import numpy as np

    if not tallies:
        return (0.0, 0.0)
    counts = np.array([(t.tp, t.fp, t.fn) for t in tallies], dtype=np.int64)
    draws = np.random.default_rng(seed).integers(0, len(counts), size=(resamples, len(counts)))
    tp, fp, fn = counts[draws].sum(axis=1).T
    scored = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, scored, out=np.zeros(resamples), where=scored > 0)
    low, high = np.quantile(f1, [(1 - level) / 2, (1 + level) / 2])
    return (float(low), float(high))


def _rate(num: int, den: int) -> float:
    return num / den if den else 0.0


def _mentions(attribution: Attribution, text: str) -> dict[str, Mention]:
    return {role: _mention(getattr(attribution, role), text) for role in ROLES}


def _mention(spans: Sequence[Span], text: str) -> Mention:
    """The sorted, whitespace-stripped, non-empty fragments of one role."""
    frags = set()
    for span in spans:
        piece = text[span.start : span.end]
        start = span.start + (len(piece) - len(piece.lstrip()))
        end = span.end - (len(piece) - len(piece.rstrip()))
        if start < end:
            frags.add((start, end))
    return tuple(sorted(frags))


def _exact_matches(gold: list[Mention], pred: list[Mention]) -> int:
    """One-to-one exact matches between two multisets of mentions."""
    return sum((Counter(gold) & Counter(pred)).values())


class _Words:
    """The ``\\w+`` tokens of a text, to look up which ones a mention touches."""

    def __init__(self, text: str) -> None:
        spans = [m.span() for m in _WORD.finditer(text)]
        self._starts = [s for s, _ in spans]
        self._ends = [e for _, e in spans]

    def touched(self, mention: Mention) -> frozenset[int]:
        ids: set[int] = set()
        for start, end in mention:
            ids.update(range(bisect_right(self._ends, start), bisect_left(self._starts, end)))
        return frozenset(ids)


def _overlap_matches(gold: list[Mention], pred: list[Mention], words: _Words) -> list[tuple[int, int]]:
    """One-to-one token-overlap matches, greedy by character Jaccard."""
    g_words = [words.touched(m) for m in gold]
    p_words = [words.touched(m) for m in pred]
    candidates = []
    for gi, gm in enumerate(gold):
        for pi, pm in enumerate(pred):
            if not _bounds_meet(gm, pm):
                continue
            if g_words[gi] and p_words[pi]:
                hit = not g_words[gi].isdisjoint(p_words[pi])
            else:  # a mention with no word in it (":" or "--"): share a character
                hit = _intersection(gm, pm) > 0
            if hit:
                candidates.append((-_jaccard(gm, pm), gi, pi))
    return _greedy(candidates)


def _attribution_matches(gold: list[dict[str, Mention]], pred: list[dict[str, Mention]]) -> list[tuple[int, int]]:
    """One-to-one attribution matches on content Jaccard >= 0.5, best first."""
    candidates = []
    for gi, g in enumerate(gold):
        g_extent = _extent(g)
        for pi, p in enumerate(pred):
            if bool(g["content"]) != bool(p["content"]):
                continue
            p_extent = _extent(p)
            if not _bounds_meet(g_extent, p_extent):
                continue
            score = _jaccard(g_extent, p_extent)
            if score >= ATTRIBUTION_JACCARD:
                agree = (g["source"] == p["source"]) + (g["cue"] == p["cue"])
                candidates.append((-score, -agree, gi, pi))
    return _greedy(candidates)


def _extent(m: dict[str, Mention]) -> Mention:
    """What an attribution is matched on: its content, or failing that its source and cue."""
    if m["content"]:
        return m["content"]
    return _merge(m["source"] + m["cue"])


def _greedy(candidates: list[tuple]) -> list[tuple[int, int]]:
    """Take candidate pairs best first (they sort ascending), each side used once."""
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for *_, gi, pi in sorted(candidates):
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return pairs


def _merge(frags: Sequence[tuple[int, int]]) -> Mention:
    """Sorted, disjoint intervals covering the same characters as ``frags``."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(frags):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return tuple(out)


def _size(m: Mention) -> int:
    return sum(e - s for s, e in _merge(m))


def _intersection(a: Mention, b: Mention) -> int:
    """Number of character offsets in both ``a`` and ``b``."""
    a, b = _merge(a), _merge(b)
    i = j = total = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        total += max(0, hi - lo)
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def _jaccard(a: Mention, b: Mention) -> float:
    inter = _intersection(a, b)
    union = _size(a) + _size(b) - inter
    return inter / union if union else 0.0


def _bounds_meet(a: Mention, b: Mention) -> bool:
    """Cheap pre-check: do the mentions' overall ranges overlap at all?"""
    return bool(a and b) and a[0][0] < max(e for _, e in b) and b[0][0] < max(e for _, e in a)
