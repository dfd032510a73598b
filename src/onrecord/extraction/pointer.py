"""The ``accurate`` preset's second pass: each cue reads its own source, cue and content.

The BIO tagger marks every source, cue and content of an article in one pass,
and :func:`~onrecord.extraction.tagging.group` then pairs them by proximity.
That loses most where exact scores are decided: where a content ends, which
of two contents belongs to which cue, whether "said Thursday" is the cue or
"said" is. The pointer head looks again, once per cue. It reads the tagger's
last hidden layer over ``window`` pieces either side of the cue, with the
cue marked, and scores every piece as the start or the end of *that* cue's
content, source and cue, plus a "none" score for each role. "None" for the
cue says the tagger's cue is not one, and the attribution is dropped.

On PolNeAR dev this lifts exact F1 from 0.760 / 0.698 / 0.519 (source, cue,
content; the tagger and grouping alone) to the figures in the README. The
features are built here, in numpy, for training and run time alike
(:func:`features`); :mod:`onrecord.train.pointer` trains the head.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["BUCKETS", "POINTER_ROLES", "PointerHead", "Reading", "decode_pointers", "features", "paragraphs", "piece_range"]

#: The head's outputs come in (start, end) pairs, in this order.
POINTER_ROLES: tuple[str, ...] = ("content", "source", "cue")
#: Relative positions are embedded by bucket: exact up to 8 pieces away, then log-spaced.
BUCKETS = 24
_EXACT = 8
_PARAGRAPHS = 3  # paragraph distances beyond this many are one bucket
_BREAK = re.compile(r"\n\s*\n|\n")

Span = tuple[int, int]


def _bucket(distance: int) -> int:
    size = abs(distance)
    b = size if size < _EXACT else min(BUCKETS // 2 - 1, _EXACT + int(np.log2(size / _EXACT) * 1.5))
    return b if distance >= 0 or not size else BUCKETS - 1 - b


def piece_range(offsets: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """First and last piece (inclusive) overlapping characters ``start:end``; None when none does."""
    first = bisect.bisect_right([e for _, e in offsets], start)
    last = bisect.bisect_left([s for s, _ in offsets], end) - 1
    return (first, last) if first <= last else None


def paragraphs(text: str, offsets: Sequence[tuple[int, int]]) -> np.ndarray:
    """The paragraph (line) number of each piece: a content never crosses a line break in PolNeAR."""
    breaks = [m.start() for m in _BREAK.finditer(text)]
    return np.array([bisect.bisect_right(breaks, s) for s, _ in offsets], dtype=np.int64)


def features(
    hidden: np.ndarray, logits: np.ndarray, paras: np.ndarray, cues: Sequence[tuple[int, int]], window: int
) -> dict[str, np.ndarray]:
    """The head's inputs for each cue (a first and last piece), one row per cue.

    ``hidden`` is the tagger's last layer (pieces, dim; float16 or float32)
    and ``logits`` its (pieces, 9) scores. Each row covers pieces ``first - window`` to
    ``first + window``; pieces outside the article are masked.
    """
    n, dim = hidden.shape
    rows, width = len(cues), 2 * window + 1
    h = np.zeros((rows, width, dim), dtype=np.float32)
    lg = np.zeros((rows, width, logits.shape[1]), dtype=np.float32)
    hc = np.zeros((rows, dim), dtype=np.float32)
    para = np.full((rows, width), _PARAGRAPHS, dtype=np.int64)
    iscue = np.zeros((rows, width), dtype=np.int64)
    mask = np.zeros((rows, width), dtype=bool)
    rel = np.tile(np.array([_bucket(r) for r in range(-window, window + 1)], dtype=np.int64), (rows, 1))
    centred = (logits - logits.mean(axis=1, keepdims=True)) / 5.0
    for row, (first, last) in enumerate(cues):
        lo = first - window
        a, b = max(lo, 0), min(first + window + 1, n)
        h[row, a - lo : b - lo] = hidden[a:b]
        lg[row, a - lo : b - lo] = centred[a:b]
        hc[row] = hidden[first : last + 1].mean(axis=0, dtype=np.float32)
        para[row, a - lo : b - lo] = np.clip(paras[a:b] - paras[first], -_PARAGRAPHS, _PARAGRAPHS) + _PARAGRAPHS
        iscue[row, first - lo : last + 1 - lo] = 1
        mask[row, a - lo : b - lo] = True
    return {"hidden": h, "logits": lg, "cue": hc, "rel": rel, "para": para, "iscue": iscue, "mask": mask}


def decode_pointers(
    log_probs: np.ndarray, max_pieces: Sequence[int], null_bias: Sequence[float] = (0.0, 0.0, 0.0)
) -> list[tuple[int, int] | None]:
    """Best (start, end) per role from (positions + 1, 6) log-probabilities; the last row is "none".

    A span must have ``start <= end`` and at most ``max_pieces`` pieces; it
    wins only if it scores above the role's "none" (plus ``null_bias``).
    """
    n = log_probs.shape[0] - 1
    idx = np.arange(n)
    gap = idx[None, :] - idx[:, None]
    out: list[tuple[int, int] | None] = []
    for r in range(len(POINTER_ROLES)):
        pair = log_probs[:n, 2 * r][:, None] + log_probs[:n, 2 * r + 1][None, :]
        pair = np.where((gap >= 0) & (gap < max_pieces[r]), pair, -np.inf)
        i, j = np.unravel_index(int(np.argmax(pair)), pair.shape)
        none = log_probs[n, 2 * r] + log_probs[n, 2 * r + 1] + null_bias[r]
        out.append(None if none > pair[i, j] else (int(i), int(j)))
    return out


@dataclass
class Reading:
    """What the head reads for one cue, as character ranges (None: the role is absent)."""

    cue: Span | None
    source: Span | None
    content: Span | None


class PointerHead:
    """Runs the head's ONNX graph (``run(inputs) -> (rows, positions + 1, 6) logits``) for a set of cues."""

    def __init__(self, run, *, window: int, max_pieces: Sequence[int], null_bias: Sequence[float], batch_size: int = 16):
        self.run = run
        self.window = window
        self.max_pieces = tuple(max_pieces)
        self.null_bias = tuple(null_bias)
        self.batch_size = batch_size

    def read(
        self, text: str, offsets: Sequence[tuple[int, int]], hidden: np.ndarray, logits: np.ndarray, cues: Sequence[Span]
    ) -> list[Reading | None]:
        """One :class:`Reading` per cue (character range); None where the cue covers no piece."""
        ranges = [piece_range(offsets, s, e) for s, e in cues]
        todo = [i for i, r in enumerate(ranges) if r is not None]
        out: list[Reading | None] = [None] * len(cues)
        if not todo:
            return out
        paras = paragraphs(text, offsets)
        for b in range(0, len(todo), self.batch_size):
            chunk = todo[b : b + self.batch_size]
            scores = self.run(features(hidden, logits, paras, [ranges[i] for i in chunk], self.window))
            scores = scores - scores.max(axis=1, keepdims=True)
            scores = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
            for row, i in enumerate(chunk):
                lo = ranges[i][0] - self.window
                spans = []
                for found in decode_pointers(scores[row], self.max_pieces, self.null_bias):
                    if found is None or not (0 <= found[0] + lo and found[1] + lo < len(offsets)):
                        spans.append(None)
                    else:
                        spans.append((offsets[found[0] + lo][0], offsets[found[1] + lo][1]))
                content, source, cue = spans
                out[i] = Reading(cue=cue, source=source, content=content)
        return out
