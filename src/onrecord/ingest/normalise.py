"""Normalise article text for the NLP layer, keeping a way back to the original.

News text arrives with Windows line ends, no-break spaces, invisible
zero-width characters and a dozen kinds of quotation marks. The parser and
the quote rules work better on one plain form of each, but every span
onrecord reports must index the user's *original* text. So :func:`normalise`
returns the plain text together with a map back: :meth:`Normalised.to_original`.

The character table lives in ``data/ingest_charmap.tsv``. Only a few
normalisations change the length of the text (CRLF, TeX quotes, deleted
invisible characters), so the map stores just the points where the offset
between the two texts changes, not one entry per character: a 5 MB article
with no such characters costs nothing.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from onrecord.data import read_lines
from onrecord.model import Span

__all__ = ["Normalised", "normalise"]

_CHARMAP_FILE = "ingest_charmap.tsv"


@dataclass(frozen=True)
class Normalised:
    """Normalised text plus the map from its offsets back to ``original``.

    The map is stored as breakpoints: for a normalised index ``i``, the
    original start of its character is ``i + delta`` where ``delta`` is the
    value at the last breakpoint ``<= i`` (0 before the first). Character
    *ends* have their own breakpoints because a two-character sequence
    normalised to one (CRLF to LF) starts at one offset and ends two later.
    No breakpoints at all means the identity map.
    """

    text: str
    original: str
    _start_keys: list[int] = field(default_factory=list, repr=False)
    _start_deltas: list[int] = field(default_factory=list, repr=False)
    _end_keys: list[int] = field(default_factory=list, repr=False)
    _end_deltas: list[int] = field(default_factory=list, repr=False)

    @property
    def is_identity(self) -> bool:
        """True when offsets in ``text`` are offsets in ``original`` unchanged."""
        return not self._start_keys and not self._end_keys

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the span ``text[start:end]`` (end exclusive) to the original text.

        ``start`` goes to the original position of the first character of the
        span, ``end`` to one past the original position of the last one, so a
        CRLF normalised to LF is covered whole and invisible characters
        deleted at either edge of the span stay outside it. An empty span maps
        to an empty span where its start would be.
        """
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span ({start}, {end}) is outside the normalised text of length {len(self.text)}")
        first = self._start_of(start)
        if start == end:
            return first, first
        return first, self._end_of(end - 1)

    def spans_to_original(self, spans: list[Span]) -> list[Span]:
        """``spans`` of the normalised text as spans of the original, their text read from it."""
        if self.is_identity:  # same offsets, but the text may differ (curly to straight quotes)
            return [Span.of(self.original, s.start, s.end) for s in spans]
        return [Span.of(self.original, *self.to_original(s.start, s.end)) for s in spans]

    def _start_of(self, i: int) -> int:
        if i == len(self.text):
            return len(self.original)
        return i + _delta_at(self._start_keys, self._start_deltas, i)

    def _end_of(self, i: int) -> int:
        return i + 1 + _delta_at(self._end_keys, self._end_deltas, i)


def normalise(text: str, *, straighten_quotes: bool = True) -> Normalised:
    """Return ``text`` in the plain form the NLP layer expects, with a map back.

    Line ends become LF; tab and every Unicode space separator become a plain
    space; zero-width characters and soft hyphens are deleted. With
    ``straighten_quotes`` (the default), curly, angle and full-width double
    quotes and TeX-style pairs (two backticks, two apostrophes) become ``"``
    and curly single quotes become ``'``; the prime is left alone.
    """
    pattern = _length_changing(straighten_quotes)
    if pattern.search(text) is None:
        # Fast path: same length, so the identity map holds and no breakpoints are built.
        return Normalised(_break_long_runs(_translate(text, straighten_quotes)), text)

    replace = _sequences(straighten_quotes)
    pieces: list[str] = []
    start_keys: list[int] = []
    start_deltas: list[int] = []
    end_keys: list[int] = []
    end_deltas: list[int] = []
    kept = 0  # length of the normalised text built so far
    delta = 0  # original offset minus normalised offset, for starts
    copied_to = 0  # original offset up to which text has been handled
    for match in pattern.finditer(text):
        begin, finish = match.span()
        pieces.append(text[copied_to:begin])
        kept += begin - copied_to
        replacement = replace.get(match.group(), "")
        if replacement:
            # Two characters became one: it ends one later than it starts,
            # and everything after it starts one later too.
            pieces.append(replacement)
            delta += finish - begin - 1
            _put(end_keys, end_deltas, kept, delta)
            kept += 1
            _put(start_keys, start_deltas, kept, delta)
        else:
            # A run of deleted characters: the next kept character moves on.
            delta += finish - begin
            _put(start_keys, start_deltas, kept, delta)
            _put(end_keys, end_deltas, kept, delta)
        copied_to = finish
    pieces.append(text[copied_to:])
    out = _break_long_runs(_translate("".join(pieces), straighten_quotes))
    return Normalised(out, text, start_keys, start_deltas, end_keys, end_deltas)


#: No word, number or web address in an article runs this long without a space.
_LONG_RUN = re.compile(r"\S{256,}")
_RUN_PIECE = 128


def _break_long_runs(text: str) -> str:
    """``text`` with every 128th character of a run of 256 or more non-space characters made a space.

    spaCy's tokenizer peels punctuation off a whitespace-free stretch one
    mark at a time, each time searching the rest of it, so a pasted run of
    20,000 quotation marks took 75 s and held up every other text. Pieces of
    128 characters cost nothing. The text keeps its length, so every offset
    still maps back to the original, where such a run stays as it was.
    """
    if _LONG_RUN.search(text) is None:
        return text
    chars = list(text)
    for run in _LONG_RUN.finditer(text):
        for i in range(run.start() + _RUN_PIECE, run.end(), _RUN_PIECE):
            chars[i] = " "
    return "".join(chars)


def _delta_at(keys: list[int], deltas: list[int], i: int) -> int:
    k = bisect_right(keys, i)
    return deltas[k - 1] if k else 0


def _put(keys: list[int], deltas: list[int], key: int, delta: int) -> None:
    """Record a breakpoint; a later one at the same key supersedes the earlier."""
    if keys and keys[-1] == key:
        deltas[-1] = delta
    else:
        keys.append(key)
        deltas.append(delta)


@lru_cache(maxsize=None)
def _charmap() -> tuple[tuple[str, str, str], ...]:
    """(from, to, group) rows of the character table, in file order."""
    rows = []
    for number, line in enumerate(_data_lines(_CHARMAP_FILE), 1):
        cols = line.split("\t")
        if len(cols) != 3 or cols[2].strip() not in ("always", "quotes"):
            raise ValueError(f"{_CHARMAP_FILE} line {number}: expected FROM<TAB>TO<TAB>always|quotes, got {line!r}")
        source, target, group = _code_points(cols[0]), _code_points(cols[1]), cols[2].strip()
        if not 1 <= len(source) <= 2 or len(target) > 1:
            raise ValueError(f"{_CHARMAP_FILE} line {number}: FROM must be 1-2 code points and TO at most 1")
        rows.append((source, target, group))
    return tuple(rows)


def _code_points(column: str) -> str:
    return "".join(chr(int(cp.strip()[2:], 16)) for cp in column.split() if cp.strip())


def _rows(straighten_quotes: bool) -> list[tuple[str, str]]:
    return [(s, t) for s, t, g in _charmap() if g == "always" or straighten_quotes]


def _translate(text: str, straighten_quotes: bool) -> str:
    """Apply the one-for-one replacements; these keep every offset where it was.

    A regex substitution rather than ``str.translate``: the characters to
    replace are rare in real text, and finding them is far cheaper than
    translating every character of a long article. Unchanged text is
    returned as the very same string.
    """
    table, pattern = _one_for_one(straighten_quotes)
    if pattern.search(text) is None:
        return text
    return pattern.sub(lambda m: table[m.group()], text)


@lru_cache(maxsize=None)
def _one_for_one(straighten_quotes: bool) -> tuple[dict[str, str], re.Pattern[str]]:
    """The one-for-one replacements as a table and a pattern matching any of them."""
    table = {s: t for s, t in _rows(straighten_quotes) if len(s) == 1 and len(t) == 1}
    for cp in range(0x10000):  # every space separator is in the Basic Multilingual Plane
        if cp != 0x20 and unicodedata.category(chr(cp)) == "Zs":
            table.setdefault(chr(cp), " ")
    return table, re.compile("[" + "".join(re.escape(c) for c in table) + "]")


@lru_cache(maxsize=None)
def _sequences(straighten_quotes: bool) -> dict[str, str]:
    """The two-for-one replacements (deletions are whatever the pattern matches beyond these)."""
    return {s: t for s, t in _rows(straighten_quotes) if len(s) == 2}


@lru_cache(maxsize=None)
def _length_changing(straighten_quotes: bool) -> re.Pattern[str]:
    """One pattern for every replacement that changes the text's length."""
    rows = _rows(straighten_quotes)
    pairs = [re.escape(s) for s, _ in rows if len(s) == 2]
    deleted = "".join(re.escape(s) for s, t in rows if len(s) == 1 and not t)
    alternatives = pairs + ([f"[{deleted}]+"] if deleted else [])
    return re.compile("|".join(alternatives) or r"(?!)")


def _data_lines(name: str) -> list[str]:
    """Table rows of a file under ``onrecord/data/``, cells kept exactly."""
    return read_lines(name, inline_comments=False)
