"""The learned presets' second pass: each cue reads its own source, cue and content.

A tagger (the MiniLM BIO tagger for ``accurate``, the CRFs for ``fast``)
marks every source, cue and content of an article in one pass, and
:func:`~onrecord.extraction.tagging.group` then pairs them by proximity.
That loses most where exact scores are decided: where a content ends, which
of two contents belongs to which cue, whether "said Thursday" is the cue or
"said" is. The pointer head looks again, once per cue. It reads the
tagger's features (MiniLM's last hidden layer, or spaCy's tok2vec output
beside the CRF tags) over ``window`` units either side of the cue, with the
cue marked and the rule extractor's hints (:data:`HINTS`) (and, for a head
trained with ``syntax``, how each unit hangs from the cue in the parse:
:func:`branches`), and scores every unit as the start or the end of *that*
cue's content, source and cue, plus a "none" score for each role; a head
trained with ``pair_rank`` also scores each (start, end) pair of the
content. "None" for the cue says the cue is not one, and the attribution
is dropped.

The README has the dev figures with and without the heads. The features
are built here, in numpy, for training and run time alike
(:func:`features`); :mod:`onrecord.train.pointer` trains the heads.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..model import Attribution
from ._onnx import all_there, session
from ._text import quotes_in

__all__ = [
    "BRANCHES",
    "BRANCH_LABELS",
    "BUCKETS",
    "HINTS",
    "POINTER_ROLES",
    "PieceIndex",
    "PointerHead",
    "Reading",
    "article_hints",
    "branches",
    "cue_hints",
    "decode_pointers",
    "decode_batch",
    "features",
    "load_pointer",
    "paragraphs",
    "piece_range",
    "same_cue",
]

#: The head's outputs come in (start, end) pairs, in this order.
POINTER_ROLES: tuple[str, ...] = ("content", "source", "cue")
#: Relative positions are embedded by bucket: exact up to 8 pieces away, then log-spaced.
BUCKETS = 24
_EXACT = 8
_PARAGRAPHS = 3  # paragraph distances beyond this many are one bucket
_BREAK = re.compile(r"\n\s*\n|\n")
#: What the rule extractor says of each piece, as 0/1 channels: four for the
#: article (in a quotation; in any rules content, source, cue) and four for
#: the rules' attribution of the cue being read (in its content, its first and
#: last content piece, in its source). The head learns when to side with them.
HINTS = 8
_ARTICLE_HINTS = 4
#: How a piece hangs from the cue in spaCy's parse (:func:`branches`): outside the cue's clause, the
#: cue itself, the clause governing the cue ("according to" hangs from it), the cue's subtree by
#: no listed label, and then by the label of the cue's child it sits under, in this order.
BRANCH_LABELS: tuple[str, ...] = (
    "ccomp", "xcomp", "nsubj", "nsubjpass", "dobj", "prep", "pobj", "advcl", "conj", "punct", "advmod",
    "npadvmod", "parataxis", "agent", "mark", "aux", "attr", "dep", "cc",
)
BRANCHES = 4 + len(BRANCH_LABELS)
_BRANCH_ID = {label: 4 + k for k, label in enumerate(BRANCH_LABELS)}

Span = tuple[int, int]


def _bucket(distance: int) -> int:
    size = abs(distance)
    b = size if size < _EXACT else min(BUCKETS // 2 - 1, _EXACT + int(np.log2(size / _EXACT) * 1.5))
    return b if distance >= 0 or not size else BUCKETS - 1 - b


class PieceIndex:
    """A text's piece offsets, ready for :meth:`find`: built once per text, since a reading
    looks up a few hundred spans and each list of starts and ends costs as much as the lookups."""

    def __init__(self, offsets: Sequence[tuple[int, int]]) -> None:
        self.starts = [s for s, _ in offsets]
        self.ends = [e for _, e in offsets]

    def __len__(self) -> int:
        return len(self.starts)

    def find(self, start: int, end: int) -> tuple[int, int] | None:
        """First and last piece (inclusive) overlapping characters ``start:end``; None when none does."""
        first = bisect.bisect_right(self.ends, start)
        last = bisect.bisect_left(self.starts, end) - 1
        return (first, last) if first <= last else None


def piece_range(offsets: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """:meth:`PieceIndex.find` for a single lookup."""
    return PieceIndex(offsets).find(start, end)


def paragraphs(text: str, offsets: Sequence[tuple[int, int]]) -> np.ndarray:
    """The paragraph (line) number of each piece: a content never crosses a line break in PolNeAR."""
    breaks = [m.start() for m in _BREAK.finditer(text)]
    return np.array([bisect.bisect_right(breaks, s) for s, _ in offsets], dtype=np.int64)


def same_cue(cue: Span, rule_atts: Sequence[Attribution]) -> Attribution | None:
    """The rules' attribution whose cue overlaps characters ``cue``, if it has a content."""
    start, end = cue
    return next((r for r in rule_atts if r.content and r.cue[0].start < end and start < r.cue[0].end), None)


def article_hints(text: str, pieces: PieceIndex, rule_atts: Sequence[Attribution]) -> np.ndarray:
    """The article-wide hint channels, (pieces, 4): in a quotation, in any rules content, source, cue."""
    out = np.zeros((len(pieces), _ARTICLE_HINTS), dtype=np.float32)
    for q in quotes_in(text):
        _mark(out[:, 0], pieces, q.start, q.end)
    for att in rule_atts:
        for channel, role in enumerate(("content", "source", "cue"), 1):
            for span in getattr(att, role):
                _mark(out[:, channel], pieces, span.start, span.end)
    return out


def _mark(column: np.ndarray, pieces: PieceIndex, start: int, end: int) -> None:
    found = pieces.find(start, end)
    if found is not None:
        column[found[0] : found[1] + 1] = 1.0


def cue_hints(pieces: PieceIndex, rule: Attribution | None) -> list[tuple[int, int, int]]:
    """(channel, first piece, last piece) marks of the rules' attribution for one cue."""
    if rule is None:
        return []
    out = []
    for span in rule.content:
        found = pieces.find(span.start, span.end)
        if found is not None:
            out += [(4, *found), (5, found[0], found[0]), (6, found[1], found[1])]
    for span in rule.source:
        found = pieces.find(span.start, span.end)
        if found is not None:
            out.append((7, *found))
    return out


def branches(doc, offsets: Sequence[tuple[int, int]], cues: Sequence[Span]) -> list[np.ndarray]:
    """For each cue (a character range), how each piece hangs from it in ``doc``'s parse (:data:`BRANCH_LABELS`).

    A content is most often the subtree of one of the cue verb's children
    (its ``ccomp``), and its source another (``nsubj``); the head reads
    the labels, so it need not infer the parse from a window of features.
    A child's subtree is one run of tokens in spaCy's (projective) parses.
    """
    token_starts = doc.to_array(["IDX"]).reshape(-1)
    token_of = np.maximum(np.searchsorted(token_starts, [start for start, _ in offsets], side="right") - 1, 0)
    out = []
    for start, end in cues:
        labels = np.zeros(len(doc), dtype=np.int64)
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and len(span):
            root = span.root
            if root.head is not root:
                labels[root.head.left_edge.i : root.head.right_edge.i + 1] = 2
            labels[root.left_edge.i : root.right_edge.i + 1] = 3
            for child in root.children:
                labels[child.left_edge.i : child.right_edge.i + 1] = _BRANCH_ID.get(child.dep_, 3)
            labels[span.start : span.end] = labels[root.i] = 1
        out.append(labels[token_of])
    return out


def features(
    hidden: np.ndarray,
    logits: np.ndarray,
    paras: np.ndarray,
    cues: Sequence[tuple[int, int]],
    window: int,
    hints: np.ndarray | None = None,
    owns: Sequence[Sequence[tuple[int, int, int]]] | None = None,
    branch: Sequence[np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """The head's inputs for each cue (a first and last piece), one row per cue.

    ``hidden`` is the tagger's last layer (pieces, dim; float16 or float32)
    and ``logits`` its (pieces, 9) scores. Each row covers pieces ``first - window`` to
    ``first + window``; pieces outside the article are masked. ``hints`` are
    :func:`article_hints` and ``owns`` each cue's own marks (zeros if absent);
    ``branch`` is each cue's :func:`branches` (zeros, "outside", if absent).
    """
    n, dim = hidden.shape
    rows, width = len(cues), 2 * window + 1
    h = np.zeros((rows, width, dim), dtype=np.float32)
    lg = np.zeros((rows, width, logits.shape[1]), dtype=np.float32)
    hint = np.zeros((rows, width, HINTS), dtype=np.float32)
    hc = np.zeros((rows, dim), dtype=np.float32)
    para = np.full((rows, width), _PARAGRAPHS, dtype=np.int64)
    iscue = np.zeros((rows, width), dtype=np.int64)
    mask = np.zeros((rows, width), dtype=bool)
    tree = np.zeros((rows, width), dtype=np.int64)
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
        if branch is not None:
            tree[row, a - lo : b - lo] = branch[row][a:b]
        if hints is not None:
            hint[row, a - lo : b - lo, :_ARTICLE_HINTS] = hints[a:b]
        for channel, i, j in owns[row] if owns is not None else ():
            i, j = max(i, a), min(j, b - 1)
            if i <= j:
                hint[row, i - lo : j + 1 - lo, channel] = 1.0
    return {
        "hidden": h, "logits": lg, "cue": hc, "rel": rel, "para": para, "iscue": iscue, "mask": mask, "hints": hint,
        "branch": tree,
    }


def decode_pointers(
    log_probs: np.ndarray,
    max_pieces: Sequence[int],
    null_bias: Sequence[float] = (0.0, 0.0, 0.0),
    pairs: np.ndarray | None = None,
) -> list[tuple[int, int] | None]:
    """Best (start, end) per role from (positions + 1, 6) log-probabilities; the last row is "none".

    A span must have ``start <= end`` and at most ``max_pieces`` pieces; it
    wins only if it scores above the role's "none" (plus ``null_bias``).
    ``pairs`` (positions x positions), from a head trained with ``pair_rank``,
    adds to each content span (start, end) its entry, the product of the
    start's and the end's vectors, so that where a content ends may depend
    on where it starts.
    """
    return decode_batch(log_probs[None], max_pieces, null_bias, None if pairs is None else pairs[None])[0]


def decode_batch(
    log_probs: np.ndarray,
    max_pieces: Sequence[int],
    null_bias: Sequence[float] = (0.0, 0.0, 0.0),
    pairs: np.ndarray | None = None,
) -> list[list[tuple[int, int] | None]]:
    """:func:`decode_pointers` for each of (rows, positions + 1, 6) scores (and (rows, positions, positions)
    ``pairs``) at once.

    Only the band of allowed (start, length) pairs is scored, for all rows in
    one numpy call per role: a run decodes every cue, and the full
    positions x positions table, or a numpy call per cue, cost more than the
    head itself. The scores need not be normalised: a column's log-sum-exp
    shifts a span and "none" alike.
    """
    rows, n = log_probs.shape[0], log_probs.shape[1] - 1
    out: list[list[tuple[int, int] | None]] = [[None] * len(POINTER_ROLES) for _ in range(rows)]
    for r in range(len(POINTER_ROLES)):
        longest = max(1, min(int(max_pieces[r]), n))
        pad = np.full((rows, longest - 1), -np.inf, dtype=log_probs.dtype)
        ends = np.concatenate([log_probs[:, :n, 2 * r + 1], pad], axis=1)
        band = log_probs[:, :n, 2 * r, None] + np.lib.stride_tricks.sliding_window_view(ends, longest, axis=1)
        if r == 0 and pairs is not None:
            band = band + _pair_band(pairs, longest)
        best = band.reshape(rows, -1).argmax(axis=1)
        starts, lengths = np.divmod(best, longest)
        scores = band[np.arange(rows), starts, lengths]
        none = log_probs[:, n, 2 * r] + log_probs[:, n, 2 * r + 1] + null_bias[r]
        for row in np.flatnonzero(scores >= none).tolist():
            out[row][r] = (int(starts[row]), int(starts[row] + lengths[row]))
    return out


def _content_score(scores: np.ndarray, pairs: np.ndarray | None, start: int, end: int) -> float:
    """The score of content span (start, end) in one row of the head's output, as :func:`decode_batch` scores it."""
    return float(scores[start, 0] + scores[end, 1]) + (0.0 if pairs is None else float(pairs[start, end]))


def _pair_band(pairs: np.ndarray, longest: int) -> np.ndarray:
    """(rows, positions, longest): the (start i, end i + k) entries of (rows, positions, positions) ``pairs``.

    A strided view of the table, padded so that ends past the window read
    zeros. The head computes the table itself: as a numpy product it ran on
    BLAS threads that fought the other worker process for the cores.
    """
    rows, n, _ = pairs.shape
    table = np.zeros((rows, n, n + longest), dtype=np.float32)
    table[:, :, :n] = pairs
    s0, s1, s2 = table.strides
    return np.lib.stride_tricks.as_strided(table, (rows, n, longest), (s0, s1 + s2, s2), writeable=False)


@dataclass
class Reading:
    """What the head reads for one cue, as character ranges (None: the role is absent).

    ``rules_doubt`` is how much lower the head scores the rules' content for
    the same cue than its own (0 when they agree; None when the rules have
    none, or the head cannot score it).
    """

    cue: Span | None
    source: Span | None
    content: Span | None
    rules_doubt: float | None = None


class PointerHead:
    """Runs the head's ONNX graph for a set of cues: ``run(inputs)`` gives (rows, positions + 1, 6) logits,
    or those and the content's (rows, positions, positions) ``pairs`` (:func:`decode_batch`)."""

    def __init__(
        self, run, *, window: int, max_pieces: Sequence[int], null_bias: Sequence[float], batch_size: int = 16,
        rule_cues: bool = False, dim: int | None = None, syntax: bool = False, rules_margin: float | None = None,
    ):
        self.run = run
        #: Whether the head reads how each piece hangs from the cue in the parse (:func:`branches`).
        self.syntax = syntax
        #: The width of the features it reads (None: unknown); other features cannot go in.
        self.dim = dim
        #: Whether the head also reads the cues only the rules found (it was trained on them).
        self.rule_cues = rule_cues
        #: Where the rules' content for the same cue holds the head's, it replaces it if the head scores
        #: it at most this much lower than its own (None: always; see
        #: :func:`~onrecord.extraction.presets._pointed`). A weaker head stops early more often.
        self.rules_margin = rules_margin
        self.window = window
        self.max_pieces = tuple(max_pieces)
        self.null_bias = tuple(null_bias)
        self.batch_size = batch_size

    def read(
        self,
        text: str,
        offsets: Sequence[tuple[int, int]],
        hidden: np.ndarray,
        logits: np.ndarray,
        cues: Sequence[Span],
        rule_atts: Sequence[Attribution] = (),
        doc=None,
    ) -> list[Reading | None]:
        """One :class:`Reading` per cue (character range); None where the cue covers no piece.

        ``rule_atts`` are the rule extractor's attributions of the same text,
        read as hints (:data:`HINTS`); ``doc``, its spaCy parse, is read by a
        head trained with ``syntax`` (without it such a head reads every piece
        as outside the cue's clause).
        """
        pieces = PieceIndex(offsets)
        ranges = [pieces.find(s, e) for s, e in cues]
        todo = [i for i, r in enumerate(ranges) if r is not None]
        out: list[Reading | None] = [None] * len(cues)
        if not todo:
            return out
        paras = paragraphs(text, offsets)
        hints = article_hints(text, pieces, rule_atts)
        rules = [same_cue(cue, rule_atts) for cue in cues]
        owns = [cue_hints(pieces, rule) for rule in rules]
        tree = branches(doc, offsets, cues) if self.syntax and doc is not None else None
        batches = self.scores(hidden, logits, paras, [ranges[i] for i in todo], hints, [owns[i] for i in todo],
                              None if tree is None else [tree[i] for i in todo])
        for b, scores in zip(range(0, len(todo), self.batch_size), batches):
            chunk = todo[b : b + self.batch_size]
            scores, pairs = scores if isinstance(scores, tuple) else (scores, None)
            for row, (i, found) in enumerate(zip(chunk, decode_batch(scores, self.max_pieces, self.null_bias, pairs))):
                lo = ranges[i][0] - self.window
                doubt = None
                if found[0] is not None and rules[i] is not None:
                    theirs = pieces.find(rules[i].content[0].start, rules[i].content[-1].end)
                    if theirs is not None and lo <= theirs[0] and theirs[1] - lo < scores.shape[1] - 1:
                        row_pairs = None if pairs is None else pairs[row]
                        doubt = _content_score(scores[row], row_pairs, *found[0]) - _content_score(
                            scores[row], row_pairs, theirs[0] - lo, theirs[1] - lo
                        )
                spans = []
                for pair in found:
                    if pair is None or not (0 <= pair[0] + lo and pair[1] + lo < len(offsets)):
                        spans.append(None)
                    else:
                        spans.append((offsets[pair[0] + lo][0], offsets[pair[1] + lo][1]))
                content, source, cue = spans
                out[i] = Reading(cue=cue, source=source, content=content, rules_doubt=doubt)
        return out

    def scores(
        self,
        hidden: np.ndarray,
        logits: np.ndarray,
        paras: np.ndarray,
        anchors: Sequence[tuple[int, int]],
        hints: np.ndarray | None = None,
        owns: Sequence[Sequence[tuple[int, int, int]]] | None = None,
        trees: Sequence[np.ndarray] | None = None,
    ) -> Iterator[np.ndarray | tuple[np.ndarray, np.ndarray]]:
        """The head's raw output (``run``'s) for the cues at ``anchors`` (first and last piece), ``batch_size``
        cues at a time, before any decoding: :meth:`read` decodes them, a pointer teacher
        (:mod:`onrecord.train.pointer`) teaches with them. The other arguments are :func:`features`'."""
        for b in range(0, len(anchors), self.batch_size):
            end = b + self.batch_size
            yield self.run(features(hidden, logits, paras, anchors[b:end], self.window, hints,
                                    None if owns is None else owns[b:end], None if trees is None else trees[b:end]))


def load_pointer(directory: Path, preset: str) -> PointerHead | None:
    """The pointer head in a preset's model folder, or None when it has none (E203 if half of it is there)."""
    files = [directory / "pointer.onnx", directory / "pointer.json"]
    if not any(f.is_file() for f in files):
        return None
    all_there(files, preset)
    settings = json.loads(files[1].read_text(encoding="utf-8"))
    head = session(files[0], arena=False, spin=False)
    names = [i.name for i in head.get_inputs()]
    dim = next((i.shape[-1] for i in head.get_inputs() if i.name == "hidden" and i.shape), None)
    outputs = [o.name for o in head.get_outputs() if o.name in ("scores", "pairs")]

    def run(inputs: dict[str, np.ndarray]) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        found = head.run(outputs, {name: inputs[name] for name in names})
        return found[0] if len(found) == 1 else (found[0], found[1])

    return PointerHead(
        run,
        window=int(settings["window"]),
        max_pieces=settings["max_pieces"],
        null_bias=settings.get("null_bias", [0.0, 0.0, 0.0]),
        batch_size=int(settings.get("batch_size", 16)),
        rule_cues=bool(settings.get("rule_cues", False)),
        rules_margin=settings.get("rules_margin"),
        dim=dim if isinstance(dim, int) else None,
        syntax="branch" in names,
    )
