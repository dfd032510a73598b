"""Find quotations in running text, whatever marks the publisher used.

Works on characters, not tokens, so it is independent of the tokenizer and
can be tested without a model. News text is messy: straight and curly marks
mixed, German „…“ and French «…» styles, quotes running over several
paragraphs where each paragraph reopens the mark without closing the last,
and plain unbalanced marks. The finder never fails: an unclosed quote is
closed at the end of its paragraph and flagged ``closed=False``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..data import read_lines

__all__ = ["Quote", "find_quotes"]

_OPENING_CONTEXT = set(" \t\n([{—–-/")


@dataclass(frozen=True)
class Quote:
    """A quotation from its opening to its closing mark, both included."""

    start: int
    end: int
    closed: bool = True


@cache
def _marks() -> dict[str, str]:
    return dict(line.split() for line in read_lines("quote_marks.txt"))


def _context(text: str, i: int) -> str | None:
    """'open' or 'close' as the neighbouring characters suggest, else None."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before in _OPENING_CONTEXT and not after.isspace():
        return "open"
    if not before.isspace() and (after.isspace() or not after.isalnum()):
        return "close"
    return None


def _paragraph_break(text: str, start: int, end: int) -> int:
    """Index of the first newline in ``text[start:end]``, or -1."""
    return text.find("\n", start, end)


def _starts_paragraph(text: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    return j < 0 or text[j] == "\n"


def _trim_end(text: str, start: int, end: int) -> int:
    """Move ``end`` back over trailing whitespace, never before ``start + 1``."""
    while end > start + 1 and text[end - 1].isspace():
        end -= 1
    return end


def find_quotes(text: str) -> list[Quote]:
    """Every quotation in ``text`` in order; never raises on unbalanced marks."""
    table = _marks()
    quotes: list[Quote] = []
    open_at: int | None = None
    last = 0
    for i, ch in enumerate(text):
        role = table.get(ch)
        if role is None:
            continue
        if open_at is not None:
            brk = _paragraph_break(text, max(last, open_at), i)
            if brk != -1:
                opener_here = _starts_paragraph(text, i) and _context(text, i) == "open"
                if not opener_here:
                    # The paragraph ended inside a quote that was never closed and is
                    # not continued: best guess, the quote ran to the paragraph's end.
                    quotes.append(Quote(open_at, _trim_end(text, open_at, brk), closed=False))
                    open_at = None
                else:
                    # Multi-paragraph quote: the new paragraph reopens the mark.
                    last = i + 1
                    continue
        ctx = _context(text, i)
        if role == "either":
            role = ctx or ("close" if open_at is not None else "open")
        elif role == "open" and open_at is not None and ctx == "close":
            role = "close"  # German „…“ closes with the English opener
        elif role == "close" and open_at is None and ctx == "open":
            role = "open"  # Swedish ”…” opens with the English closer
        if role == "open":
            if open_at is not None:
                # Two openers in one paragraph: the first was never closed.
                quotes.append(Quote(open_at, _trim_end(text, open_at, i), closed=False))
            open_at = i
        elif open_at is not None:
            quotes.append(Quote(open_at, i + 1))
            open_at = None
        # A closer with nothing open is a stray mark: no quote is invented for it.
        last = i + 1
    if open_at is not None:
        brk = _paragraph_break(text, open_at, len(text))
        end = brk if brk != -1 else len(text)
        quotes.append(Quote(open_at, _trim_end(text, open_at, end), closed=False))
    return quotes
