"""A quotation's trail: where else the ledger holds the same words, and how they differ.

A quote reaches readers through many articles, and each may cut it, extend it or change
a word. A fact-checker asks where it first appeared, who carries it, and whether anyone
altered it or put it in someone else's mouth. This module answers from the stored
quotations (direct and mixed attributions): for a quote (a stored one, or words pasted in)
it finds the quotations of other articles that share a stretch of its words, and says how
they relate (:data:`RELATIONS`) and what words differ. Paraphrases (indirect attributions)
are not traced: they word things the reporter's way, and share phrases rather than quotes.

How. A candidate's content holds two of the quote's longest words (the full-text index
``onrecord search`` uses: SQLite FTS5 or PostgreSQL's tsvector). Where a content holds
quotation marks, only the quoted words count (the reporter's "that" is nobody's quote). The
words are aligned (:class:`difflib.SequenceMatcher`, lower-cased, punctuation ignored) and
only runs of :data:`MIN_RUN` words or more count as shared: a coincidental "of the" does not.
A candidate is on the trail when at least :data:`MIN_SHARED` words are shared, at least half
of the shorter of the two, and the shared stretch holds :data:`MIN_TELLING` words that are not
stop words.

The words between shared runs are its *changes*, and so are a word or two that differ right
before or after the shared stretch ("There is" and "There's"): the quote is *altered*, unless
more words changed than half the shared ones (then they are two statements that share a line).
Where one quote simply runs on past the other, it is *part* or *longer*; where both run on
(*overlap*), :data:`MIN_OVERLAP` shared words are needed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from .evidence import _ignored, two_of

__all__ = ["Change", "Found", "MIN_SHARED", "RELATIONS", "compare", "find", "quote_words"]

#: How another attribution's words relate to the quote's:
#: ``same`` (word for word), ``part`` (a stretch of the quote), ``longer`` (the quote is a stretch of it),
#: ``overlap`` (each runs on where the other stops), ``altered`` (words changed, left out or added inside
#: the shared stretch).
RELATIONS = ("same", "part", "longer", "overlap", "altered")
#: The fewest words in a row that count as shared: "said that the" is chance, "a special place in hell" is not.
MIN_RUN = 3
#: The fewest shared words that put an attribution on a quote's trail (and the shortest quote that has one).
MIN_SHARED = 6
#: Attribution kinds whose content is the speaker's own words: only these are traced (a paraphrase
#: words things the reporter's way, and shares phrases like "Clinton's use of a private email server").
QUOTED_KINDS = ("direct", "mixed")
#: The fewest shared words of an ``overlap``, where both quotes run on past the shared stretch.
MIN_OVERLAP = 10
#: Words of the quote the index is asked for (the longest first): enough to find its copies.
_TERMS = 10
#: Candidates the index hands on to be aligned.
_CANDIDATES = 500
#: A word: letters with inner apostrophes, or a number.
_WORD = re.compile(r"[^\W_]+(?:['’‘][^\W_]+)*")
#: A quotation in curly or straight double marks, or in the doubled apostrophes some archives print
#: (''like this''); its words are the one group that matched.
_QUOTATION = re.compile(r"“([^”]*)”|\"([^\"]*)\"|''(.*?)''")
#: At an edge of the shared stretch where both quotes have words of their own, up to this many words on
#: the shorter side are a change ("There is" and "There's", "Although" and "Though"); more are two
#: selections from a longer speech that start or end at different places.
_EDGE_WORDS = 2
#: The fewest words that are not stop words in the shared stretch: "between the White House and the" is a
#: phrase, not a quote.
MIN_TELLING = 3


@dataclass
class Change:
    """Words that differ inside the shared stretch: ``was`` in the quote asked about, ``now`` in the other
    (either may be empty: words left out, or added)."""

    was: str
    now: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Found:
    """One attribution on the trail, as the index and the alignment give it."""

    attribution_id: int  # the ledger's row id
    relation: str  # one of RELATIONS
    shared: int  # words in shared runs
    changes: list[Change] = field(default_factory=list)


def quote_words(content: str) -> list[str]:
    """The words of ``content`` as they are compared: lower-cased, curly apostrophes straightened,
    punctuation, quotation marks and ellipses left out. Where ``content`` holds quotations, only their
    words: in 'that “there's a special place in hell …”' the "that" is the reporter's, not the speaker's."""
    quoted = [next((g for g in m.groups() if g), "") for m in _QUOTATION.finditer(content)]
    return [w.lower().replace("’", "'").replace("‘", "'") for w in _WORD.findall(" ".join(quoted) if quoted else content)]


def compare(asked: Sequence[str], other: Sequence[str]) -> Found | None:
    """How quotation ``other``'s words relate to quotation ``asked``'s, or None when they are not one
    passage (see the module). The returned :class:`Found` has ``attribution_id`` 0 for the caller to fill in.
    """
    # aligned on the words without a possessive's "'s" or "'" ("ISIS's" and "ISIS'" are one word); shown as written
    matcher = SequenceMatcher(None, [_bare(w) for w in asked], [_bare(w) for w in other], autojunk=False)
    runs = [m for m in matcher.get_matching_blocks() if m.size >= MIN_RUN]
    shared = sum(m.size for m in runs)
    if shared < MIN_SHARED or shared < 0.5 * min(len(asked), len(other)):
        return None
    first, last = runs[0], runs[-1]
    if sum(w not in _ignored() for w in asked[first.a : last.a + last.size]) < MIN_TELLING:
        return None
    # (the quote's words, the other's) before the shared stretch, between its runs, and after it
    gaps = [(asked[: first.a], other[: first.b])]
    gaps += [(asked[x.a + x.size : y.a], other[x.b + x.size : y.b]) for x, y in itertools.pairwise(runs)]
    gaps.append((asked[last.a + last.size :], other[last.b + last.size :]))
    # words on one side only at an edge are where one quote stops sooner; on both sides, or inside, a change
    changed = []
    for i, (was, now) in enumerate(gaps):
        edge = i in (0, len(gaps) - 1)
        if edge and 0 < min(len(was), len(now)) <= _EDGE_WORDS:  # a word or two next to the stretch changed
            most = 2 * min(len(was), len(now)) + 1  # (further out, the longer side simply runs on)
            changed.append((was[-most:], now[-most:]) if i == 0 else (was[:most], now[:most]))
        elif not edge:
            changed.append((was, now))
    if changed:
        if max(sum(len(was) for was, _ in changed), sum(len(now) for _, now in changed)) > shared / 2:
            return None  # more changed than half what is shared: two statements that share a line
        return Found(0, "altered", shared, [Change(" ".join(was), " ".join(now)) for was, now in changed])
    asked_out = bool(gaps[0][0] or gaps[-1][0])  # the quote has words outside the stretch (or both, at an edge)
    other_out = bool(gaps[0][1] or gaps[-1][1])
    if asked_out and other_out:  # a stretch inside both: it takes more words to be one passage
        return Found(0, "overlap", shared) if shared >= MIN_OVERLAP else None
    return Found(0, "part" if asked_out else "longer" if other_out else "same", shared)


def _bare(word: str) -> str:
    return word.removesuffix("'s").removesuffix("'")


def find(connection: Connection, asked: Sequence[str], *, exclude_article: int | None = None) -> list[Found]:
    """Every quotation of the ledger (outside article ``exclude_article``) on the trail of the quote whose
    words are ``asked`` (:func:`quote_words`), in no order: the ledger orders them by date."""
    terms = _terms(asked)
    built = _search_sql(connection.dialect.name, terms)
    if built is None:
        return []
    sql, params = built
    rows = connection.execute(sql, {**params, "article_id": exclude_article, "limit": _CANDIDATES}).all()
    found = []
    for row_id, content in rows:
        match = compare(asked, quote_words(content or ""))
        if match is not None:
            match.attribution_id = row_id
            found.append(match)
    return found


def _terms(asked: Sequence[str]) -> list[str]:
    """Up to :data:`_TERMS` distinct content words of the quote, longest (most telling) first."""
    words = {w for w in asked if len(w) > 2 and "'" not in w and w not in _ignored()}
    return sorted(words, key=lambda w: (-len(w), w))[:_TERMS]


def _search_sql(dialect: str, terms: list[str]) -> tuple[Any, dict[str, Any]] | None:
    """Quotations (direct or mixed attributions: id, content) whose content holds two of ``terms``, and the
    query's parameters; None for fewer than two terms. ``:article_id`` is an article to leave out (or None),
    ``:limit`` the most rows."""
    if len(terms) < 2:
        return None
    if dialect == "sqlite":
        query = f"content : ({two_of(dialect, terms)})"
        sql = text(
            "SELECT a.id, a.content_text FROM attributions_fts JOIN attributions a ON a.id = attributions_fts.rowid "
            f"WHERE attributions_fts MATCH :q AND a.kind IN {QUOTED_KINDS} "
            "AND (:article_id IS NULL OR a.article_id != :article_id) "
            "ORDER BY bm25(attributions_fts) LIMIT :limit"
        )
    elif dialect == "postgresql":
        query = two_of(dialect, terms)
        sql = text(
            "SELECT a.id, a.content_text FROM attributions a, to_tsquery('english', :q) q "
            f"WHERE a.search_vector @@ q AND a.kind IN {QUOTED_KINDS} "
            "AND (CAST(:article_id AS integer) IS NULL OR a.article_id != :article_id) "
            "ORDER BY ts_rank(a.search_vector, q) DESC LIMIT :limit"
        )
    else:
        return None
    return sql, {"q": query}
