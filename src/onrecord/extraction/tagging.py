"""What the learned taggers share: BIO tags, constrained decoding, windows, grouping.

Both learned presets (``fast``, a CRF over spaCy tokens; ``accurate``, a
fine-tuned MiniLM over word pieces) label *units* (tokens or word pieces,
each a character range) with one BIO layer per role: source, cue, content.
Three layers, not one, because roles nest: a content holds other
attributions' sources and cues. From the tags, :func:`group` builds
attributions around cues, the way PolNeAR counts them (one attribution per
cue; a source that serves two cues is credited twice).

Nothing here knows about torch, onnxruntime or crfsuite, so the decoding and
grouping rules are tested on hand-made arrays.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import combinations
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..model import Attribution, Span

__all__ = [
    "MODELS_DIR",
    "ROLES",
    "TAGS",
    "TaggerReading",
    "Prediction",
    "bio_tags",
    "viterbi",
    "tag_spans",
    "role_spans",
    "windows",
    "assemble",
    "sentence_starts",
    "snap_to_words",
    "group",
    "carve",
    "attribution_kind",
    "holder",
    "link_parents",
    "number",
]

#: Where the shipped learned models live (``fast/``, ``accurate/``).
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
ROLES: tuple[str, ...] = ("source", "cue", "content")
TAGS: tuple[str, ...] = ("O", "B", "I")
_O, _B, _I = range(3)
_QUOTES = "\"'“”‘’«»"
# Content nearer than this many sentence boundaries to a cue can be its continuation.
_MAX_SENTENCES_AWAY = 1


#: Role spans and a confidence per cue, as a learned tagger decodes them.
Prediction = tuple[dict[str, list[tuple[int, int]]], dict[tuple[int, int], float]]


@dataclass
class TaggerReading:
    """A learned tagger's view of one text: per unit (word piece or token), its characters, scores and features.

    ``hidden`` is what the pointer head reads: the transformer's last layer
    for ``accurate``, spaCy's tok2vec output for ``fast``; None when there is
    no head to read it.
    """

    offsets: list[tuple[int, int]]
    logits: np.ndarray  # (units, 3 roles x 3 BIO tags)
    hidden: np.ndarray | None  # (units, hidden size)

    @property
    def log_probs(self) -> np.ndarray:
        """Per-role log-probabilities, shape (units, 3, 3)."""
        scores = self.logits.reshape(len(self.offsets), len(ROLES), 3)
        scores = scores - scores.max(axis=-1, keepdims=True)
        return scores - np.log(np.exp(scores).sum(axis=-1, keepdims=True))


def bio_tags(units: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]]) -> list[int]:
    """Tag ids (0=O, 1=B, 2=I) for ``units`` (character ranges) covered by ``spans``.

    A unit belongs to a span when it overlaps it; the first such unit is B.
    Overlapping spans of one role (rare: 1% of PolNeAR contents) merge.
    """
    tags = [_O] * len(units)
    ends = [end for _, end in units]
    for start, end in sorted(spans):
        # units are in text order: the first that ends after ``start`` may overlap
        for n, i in enumerate(range(bisect_right(ends, start), len(units))):
            if units[i][0] >= end:
                break
            if tags[i] == _O:
                tags[i] = _I if n else _B
    return tags


def viterbi(log_probs: np.ndarray) -> list[int]:
    """The best BIO sequence for ``log_probs`` (units x 3) in which I only follows B or I.

    Per-unit argmax can produce an I after O, a span with no start; forbidding
    that transition is what keeps span boundaries whole. With O -> I the one
    forbidden move, O and B follow the best of the three previous tags and I
    the better of B and I, so the pass runs on Python floats: 0.7 ms for 1,200
    units where a numpy step per unit took 8.9.
    """
    if len(log_probs) == 0:
        return []
    rows = log_probs.tolist()
    o, b, i = rows[0][_O], rows[0][_B], -math.inf
    back: list[tuple[int, int]] = []  # per unit after the first: the best previous tag for O or B, and for I
    for row in rows[1:]:
        any_tag, best = (_O, o) if o >= b and o >= i else ((_B, b) if b >= i else (_I, i))
        after_b, best_b = (_B, b) if b >= i else (_I, i)
        back.append((any_tag, after_b))
        o, b, i = best + row[_O], best + row[_B], best_b + row[_I]
    tag = _O if o >= b and o >= i else (_B if b >= i else _I)
    path = [tag]
    for any_tag, after_b in reversed(back):
        tag = after_b if tag == _I else any_tag
        path.append(tag)
    return path[::-1]


def tag_spans(tags: Sequence[int], units: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character ranges of the B(I*) runs in ``tags`` (a stray I starts a span, too)."""
    spans: list[tuple[int, int]] = []
    start = end = -1
    for tag, (u_start, u_end) in zip(tags, units):
        if tag == _B or (tag == _I and start < 0):
            if start >= 0:
                spans.append((start, end))
            start, end = u_start, u_end
        elif tag == _I:
            end = u_end
        elif start >= 0:
            spans.append((start, end))
            start = -1
    if start >= 0:
        spans.append((start, end))
    return spans


def role_spans(text: str, tags: Sequence[int], units: Sequence[tuple[int, int]]) -> list[tuple[tuple[int, int], range]]:
    """The word-snapped spans of a role's BIO ``tags``, each with the range of units it covers.

    The unit range lets a tagger score its confidence over exactly the units
    it tagged (both learned presets report one for every cue).
    """
    starts = [u[0] for u in units]
    out = []
    for start, end in tag_spans(tags, units):
        snapped = snap_to_words(text, start, end)
        if snapped is not None:
            out.append((snapped, range(bisect_left(starts, start), bisect_right(starts, end - 1))))
    return out


def windows(n: int, size: int, stride: int) -> list[tuple[int, int]]:
    """Overlapping ``[start, end)`` windows covering ``n`` units; the last one ends at ``n``."""
    if size <= 0 or stride <= 0 or stride > size:
        raise ValueError(f"need 0 < stride <= size, got size={size}, stride={stride}")
    if n <= size:
        return [(0, n)]
    out = [(start, start + size) for start in range(0, n - size, stride)]
    out.append((n - size, n))
    return out


def assemble(parts: Sequence[np.ndarray], spans: Sequence[tuple[int, int]], n: int) -> np.ndarray:
    """Stitch per-window scores back into one array of ``n`` rows.

    Each unit takes its row from the window in which it sits farthest from an
    edge, where the encoder saw the most context on both sides.
    """
    if not parts:
        return np.zeros((n, 0))
    out = np.zeros((n, *parts[0].shape[1:]), dtype=parts[0].dtype)
    best = np.full(n, -1)
    for part, (start, end) in zip(parts, spans):
        idx = np.arange(start, end)
        margin = np.minimum(idx - start, end - 1 - idx)
        take = margin > best[start:end]
        out[idx[take]] = part[take]
        best[start:end] = np.maximum(best[start:end], margin)
    return out


_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])|\n\s*")


def sentence_starts(text: str) -> list[int]:
    """Rough sentence starts (after . ! ? before a capital, and at line breaks); 0 always."""
    return [0] + [m.end() for m in _SENTENCE_END.finditer(text) if m.end() < len(text)]


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Widen ``[start, end)`` to whole words and trim surrounding whitespace."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def group(
    text: str,
    roles: dict[str, list[tuple[int, int]]],
    starts: Sequence[int],
    *,
    confidence: dict[tuple[int, int], float] | None = None,
    cut_at_sentence: bool = False,
) -> list[Attribution]:
    """Attributions from role spans: one per cue, its contents and source by proximity.

    * Every content goes to the nearest cue in its own sentence that is not
      inside it (a cue inside a content belongs to a nested attribution).
      A content with none there may continue a cue of the sentence before or
      after -- a quotation always, anything else only when that cue has no
      content yet. What is left stands alone, without a cue.
    * Every cue takes the nearest source in its own sentence outside its
      content; a source may serve several cues ("she said ... and added").
      A source right next to the cue counts even inside the content, and is
      then cut out of it ("taxes rise, he said, and rates fall" is a content
      of two fragments).
    * ``cut_at_sentence`` ends a content that is not a quotation at the end of
      its first sentence (the CRF's contents run on; the transformer's do not).
    * An attribution nested in another's content gets it as ``parent``.
    """
    cues = sorted(roles.get("cue", []))
    sources = sorted(roles.get("source", []))
    contents = sorted(roles.get("content", []))
    if cut_at_sentence:
        contents = sorted({_cut_at_sentence(text, c, starts) for c in contents})
    sentence = _sentence_index(starts)
    owned: dict[int, list[tuple[int, int]]] = {i: [] for i in range(len(cues))}
    later: list[tuple[int, int]] = []
    for content in contents:
        best = _nearest(content, [c for c in cues if not _inside(c, content)], sentence, 0)
        if best is None:
            later.append(content)
        else:
            owned[cues.index(best)].append(content)
    alone: list[tuple[int, int]] = []
    for content in later:
        quoted = text[content[0]] in _QUOTES
        open_cues = [c for i, c in enumerate(cues) if not _inside(c, content) and (quoted or not owned[i])]
        best = _nearest(content, open_cues, sentence, _MAX_SENTENCES_AWAY)
        if best is None:
            alone.append(content)
        else:
            owned[cues.index(best)].append(content)
    out: list[Attribution] = []
    for i, cue in enumerate(cues):
        content = owned[i]
        free = [
            s for s in sources
            if not _overlap(s, cue) and (_adjacent(text, s, cue) or not any(_inside(s, c) for c in content))
        ]
        source = _nearest(cue, free, sentence, 0)
        if not content:
            content = _borrowed(text, cue, source, contents) or _relayed(text, cue, contents, sentence)
        content = carve(text, content, [cue, source] if source else [cue])
        out.append(_attribution(text, cue, [source] if source else [], content, confidence))
    out.extend(_attribution(text, None, [], [c], confidence) for c in alone)
    return number(out)


def number(atts: list[Attribution]) -> list[Attribution]:
    """``atts`` in text order, numbered a1, a2, …, each nested one linked to its parent."""
    atts.sort(key=lambda a: min(s.start for s in [*a.cue, *a.content]))
    for n, att in enumerate(atts, 1):
        att.id, att.parent = f"a{n}", None
    link_parents(atts)
    return atts


def _adjacent(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Only spaces (or nothing) between ``a`` and ``b``: "he said", "said Smith"."""
    gap = text[a[1] : b[0]] if a[1] <= b[0] else text[b[1] : a[0]]
    return len(gap) <= 3 and not gap.strip()


def carve(text: str, content: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``content`` without the attribution's own source and cue, edges tidied."""
    pieces = list(content)
    for h_start, h_end in holes:
        cut = []
        for start, end in pieces:
            if h_start < end and start < h_end:
                cut.extend(p for p in ((start, h_start), (h_end, end)) if p[1] > p[0])
            else:
                cut.append((start, end))
        pieces = cut
    out = []
    for start, end in pieces:
        while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-"):
            end -= 1
        if end - start > 1:
            out.append((start, end))
    return out if out or not content else list(content)


def _cut_at_sentence(text: str, content: tuple[int, int], starts: Sequence[int]) -> tuple[int, int]:
    start, end = content
    if text[start] in _QUOTES:
        return content
    # a parser's boundary between "." and a closing quote is not a sentence end
    inside = [s for s in starts if start < s < end and (text[s].isalnum() or text[s] in "\"“‘(")]
    if not inside:
        return content
    stop = inside[0]
    while stop > start and (text[stop - 1].isspace() or text[stop - 1] in ".!?"):
        stop -= 1
    return (start, stop) if stop > start else content


def _borrowed(
    text: str, cue: tuple[int, int], source: tuple[int, int] | None, contents: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The content of a cue nested inside another attribution's content.

    One BIO layer holds one content per stretch of text, so in "'Q,' Smith
    wrote, according to X" the tagger marks the outer content ('Q,' Smith
    wrote) and the inner one (Q) is lost. The inner cue then takes the part of
    the outer content on the far side of its own source and cue.
    """
    outer = [c for c in contents if _inside(cue, c)]
    if not outer:
        return []
    c_start, c_end = min(outer, key=lambda c: c[1] - c[0])
    near = [cue, source] if source else [cue]
    left = snap_to_words(text, c_start, min(s for s, _ in near))
    right = snap_to_words(text, max(e for _, e in near), c_end)
    for piece in (left, right):
        if piece is not None:
            start, end = piece
            while end > start and text[end - 1] in ",;:":
                end -= 1
            if end - start > 1:
                return [(start, end)]
    return []


def _relayed(
    text: str, cue: tuple[int, int], contents: list[tuple[int, int]], sentence
) -> list[tuple[int, int]]:
    """ "'Q,' X wrote, according to Y": Y's content is everything before its cue, X's attribution included."""
    if not text[cue[0] : cue[1]].lower().startswith("according"):
        return []
    before = [c for c in contents if c[1] <= cue[0] and sentence(c[0]) == sentence(cue[0])]
    if not before:
        return []
    start = before[0][0]
    end = cue[0]
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-"):
        end -= 1
    return [(start, end)] if end > start else []


def _attribution(
    text: str,
    cue: tuple[int, int] | None,
    source: list[tuple[int, int]],
    content: list[tuple[int, int]],
    confidence: dict[tuple[int, int], float] | None,
) -> Attribution:
    cue_text = text[cue[0] : cue[1]].lower() if cue else ""
    return Attribution(
        id="",
        kind=attribution_kind(text, content, cue_text),
        source=[Span.of(text, *s) for s in source],
        cue=[Span.of(text, *cue)] if cue else [],
        content=[Span.of(text, *c) for c in content],
        confidence=round((confidence or {}).get(cue, 0.5), 3) if cue else 0.5,
    )


def attribution_kind(text: str, content: list[tuple[int, int]], cue_text: str) -> str:
    """direct (all quotation), mixed (quoted words in reported speech), indirect or according_to."""
    if cue_text.startswith("according"):
        return "according_to"
    if not content:
        return "other"
    pieces = [text[s:e].strip() for s, e in content]
    if all(p[:1] in _QUOTES and p[-1:] in _QUOTES for p in pieces if p):
        return "direct"
    if any(q in p for p in pieces for q in _QUOTES if q not in "'’"):
        return "mixed"
    return "indirect"


def _sentence_index(starts: Sequence[int]):
    ordered = sorted(set(starts) | {0})

    def index(offset: int) -> int:
        return bisect_right(ordered, offset) - 1

    return index


def _nearest(anchor: tuple[int, int], candidates: list[tuple[int, int]], sentence, max_away: int):
    """The candidate nearest to ``anchor``: fewest sentence boundaries between, then fewest characters."""
    best, best_key = None, None
    for cand in candidates:
        if cand[1] <= anchor[0]:
            gap, away = anchor[0] - cand[1], sentence(anchor[0]) - sentence(max(cand[1] - 1, cand[0]))
        elif anchor[1] <= cand[0]:
            gap, away = cand[0] - anchor[1], sentence(cand[0]) - sentence(max(anchor[1] - 1, anchor[0]))
        else:
            gap, away = 0, 0
        if away > max_away:
            continue
        key = (away, gap)
        if best_key is None or key < best_key:
            best, best_key = cand, key
    return best


def _inside(inner: tuple[int, int], outer: tuple[int, int]) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def link_parents(atts: list[Attribution]) -> None:
    """An attribution whose cue sits inside another's content is nested in (or relayed by) it.

    Two readings of one sentence can each hold the other's cue ("Mr. Clinton
    said the economy was strong, a spokesman said" read as the spokesman
    relaying Clinton, and as Clinton saying everything after his "said"). A
    content does not run on through a later speaker's frame: where cutting the
    later frame (", a spokesman said") out of the earlier cue's content leaves
    it inside the later one's content, it is cut. A link that would still
    close a loop is not made, so parents always form a tree.
    """
    for a, b in combinations(atts, 2):
        if a.cue and b.cue and _holds_cue(a, b) and _holds_cue(b, a):
            outer, inner = (a, b) if a.cue[0].start > b.cue[0].start else (b, a)
            text = _content_text(inner)
            holes = [(s.start, s.end) for s in (*outer.source, *outer.cue)]
            pieces = carve(text, [(c.start, c.end) for c in inner.content], holes)
            if pieces and all(any(c.start <= start and end <= c.end for c in outer.content) for start, end in pieces):
                inner.content = [Span.of(text, start, end) for start, end in pieces]
    by_id = {att.id: att for att in atts}
    for child in atts:
        parent = holder(child, atts) if child.cue else None
        if parent is not None and not _descends(parent, child, by_id):
            child.parent = parent.id


def renumber(atts: list[Attribution]) -> None:
    """Number ``atts`` a1, a2, … again, in their order, after some were dropped; parents follow their new ids,
    and a parent that was dropped leaves its child at the top level."""
    new = {att.id: f"a{n}" for n, att in enumerate(atts, 1)}
    for att in atts:
        att.id = new[att.id]
        att.parent = new.get(att.parent) if att.parent else None


def _holds_cue(outer: Attribution, inner: Attribution) -> bool:
    cue = inner.cue[0]
    return any(c.start <= cue.start and cue.end <= c.end for c in outer.content)


def _content_text(att: Attribution) -> str:
    """The article's text as far as ``att``'s content shows it (blanks elsewhere): all :func:`carve` reads."""
    chars = [" "] * max(c.end for c in att.content)
    for c in att.content:
        chars[c.start : c.end] = c.text
    return "".join(chars)


def _descends(att: Attribution, ancestor: Attribution, by_id: dict[str, Attribution]) -> bool:
    """Whether ``ancestor`` is ``att`` or above it in the parent links made so far."""
    seen: set[str] = set()
    while att is not None and att.id not in seen:
        if att is ancestor:
            return True
        seen.add(att.id)
        att = by_id.get(att.parent) if att.parent else None
    return False


def holder(att: Attribution, atts: list[Attribution], *, with_source: bool = False) -> Attribution | None:
    """The attribution of ``atts`` (not ``att``) with the smallest content that holds, in one piece, ``att``'s
    cue (and, ``with_source``, its source too): the one ``att`` is nested in, or relayed by."""
    spans = [*att.cue, *att.source] if with_source else att.cue[:1]
    start, end = min(s.start for s in spans), max(s.end for s in spans)
    holders = [o for o in atts if o is not att and any(c.start <= start and end <= c.end for c in o.content)]
    return min(holders, key=lambda o: sum(c.end - c.start for c in o.content), default=None)
