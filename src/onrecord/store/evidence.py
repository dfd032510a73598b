"""Later reports that may settle a forecast: what a person reads before recording its outcome.

A forecast is judged by what happened after it was made, and a ledger that keeps
a stream of news usually holds the answer already: "Trump will win Iowa"
(November) meets "Cruz won the Iowa caucuses" (February). This module finds
such sentences. It suggests; it never decides: whether a sentence settles the
forecast is a person's call (``onrecord outcome``), so every suggestion carries
its article, date and exact offsets for them to check.

How it finds them. Every stored article's sentences are indexed for full-text
search (SQLite FTS5 with the Porter stemmer, or PostgreSQL's English
``tsvector``: the same engines ``onrecord search`` uses). A forecast's *terms*
are its content words, less stop words, dates and the words that make it a
forecast ("will", "likely", "expect": they say nothing of the event); a forecast
with fewer than two ("it will work") names no event to look for. A candidate
sentence holds two of the terms and comes from another article, published on or
after the forecast's (any other article when the forecast's is undated); the
filters and the ranking are :func:`find`'s. The sentence encoder that ranks by
meaning is passed in (``similarity``), so this module needs no model.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ..data import read_lines

__all__ = ["Evidence", "Found", "Similarity", "find", "forecast_terms", "sentence_spans"]

#: ``similarity(text, others) -> [cosine, ...]``: how close in meaning each of ``others`` is to ``text``.
Similarity = Callable[[str, Sequence[str]], Sequence[float]]

#: The least share of a forecast's terms (weighed by rarity) a sentence must hold to be suggested.
MIN_COVERAGE = 0.5
#: Sentences the engine's first ranking hands on to be weighed, per forecast.
_CANDIDATES = 200
#: Of those, how many (best covering first) the sentence encoder reads: it costs about 5 ms a sentence.
_RERANKED = 48
#: The least cosine between a forecast and a sentence for the sentence to be suggested. Chosen on blind
#: judgements of 122 suggestions for 80 PolNeAR forecasts made at 0.4: 0.5 keeps 15 of the 27 that speak
#: to the forecast's event and 26 of the 95 that do not (precision 0.23 -> 0.37); measured again on
#: another 80 forecasts in the README.
MIN_SIMILARITY = 0.5
#: Fewer words than this is a headline fragment or a quip ("Lose work?"), too little to settle anything.
MIN_WORDS = 5
#: A forecast this long found word for word in a later sentence is that sentence again, in another copy
#: of the story; a shorter one ("to boycott the speech") may well be how the report puts it.
_ECHO_WORDS = 6
#: Terms kept from one forecast: enough to name an event, few enough that the pairs stay a small query.
MAX_TERMS = 8

#: A possible sentence end: a stop, question or exclamation mark (closing quotes or brackets may
#: follow) and white space before a capital, a digit or an opening quote; or a line break.
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)\]]*[ \t]+(?=[\"'“‘(\[]?[A-Z0-9])|\n")
#: The word before a stop that abbreviates rather than ends: an initial ("J."), an acronym ("U.S.").
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|(?:\b[A-Za-z]\.)+[A-Za-z])\.$")
#: A word (letters, with one inner apostrophe) or a number ("1,237", "9/11").
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+(?:[/,.:-]\d+)*")


@dataclass
class Evidence:
    """One sentence of a later article that may say what became of a forecast."""

    forecast_id: int
    article_id: int
    title: str | None
    publisher: str | None
    published: str | None
    url: str | None
    sentence: str
    start: int  # character offsets of ``sentence`` in the article's stored text
    end: int
    terms: list[str] = field(default_factory=list)  # the forecast's terms the sentence holds
    looks_ahead: bool = False  # it has a forecast's words itself: more likely a repeat than a report
    coverage: float = 0.0  # the share of the forecast's terms it holds, each weighed by its rarity in the ledger
    similarity: float | None = None  # cosine with the forecast (sentence encoder); None when ranked by words alone
    score: float = 0.0  # the search engine's relevance: higher is better, comparable within one forecast

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sentence_spans(text_: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text_``, white space trimmed, empty ones left out.

    A plain splitter, not spaCy's parse: the store indexes text it did not parse (articles stored
    before this index existed are split by the migration), and a sentence boundary a little off
    costs a suggestion some context, not its place in the ranking.
    """
    cuts = [0]
    for match in _BOUNDARY.finditer(text_):
        before = text_[max(0, match.start() - 12) : match.start()].split()[-1:] or [""]
        if match.group() == "\n" or not (_ABBREVIATION.search(before[0]) or before[0].lower() in _titles()):
            cuts.append(match.end())
    cuts.append(len(text_))
    spans = []
    for start, end in zip(cuts, cuts[1:]):
        while start < end and text_[start].isspace():
            start += 1
        while end > start and text_[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def forecast_terms(forecast: str) -> list[str]:
    """The words of ``forecast`` that name its event, lower-cased, in order, at most :data:`MAX_TERMS`.

    Names and numbers go first when there are too many: "Clinton" and "2016" find the event
    better than "campaign" does.
    """
    words = []
    for match in _WORD.finditer(forecast):
        word = match.group().lower().replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        if "'" in word:  # a contraction ("i'm", "won't"): its parts are stop words
            continue
        if len(word) > (1 if word[0].isdigit() else 2) and word not in _ignored() and word not in words:
            words.append(word)
    if len(words) <= MAX_TERMS:
        return words
    named = _names(forecast)
    keep = set(sorted(words, key=lambda w: w not in named)[:MAX_TERMS])
    return [w for w in words if w in keep]


def _names(forecast: str) -> set[str]:
    """The words of ``forecast`` written as names or numbers (capitalised, or digits), lower-cased.

    A capitalised first word counts as a name: a forecast that starts a sentence starts with its
    subject more often than not ("Smith will resign"), and an event has its other words. In a
    headline's title case ("Trump Would Put Liberals On Court") capitals say nothing: only numbers count.
    """
    words = [m.group() for m in _WORD.finditer(forecast)]
    capitalised = [w for w in words if w[0].isupper()]
    title_case = len(words) >= 4 and len(capitalised) >= 0.6 * len(words)
    return {w.lower() for w in words if w[0].isdigit() or (w[0].isupper() and not title_case)}


@functools.cache
def _titles() -> frozenset[str]:
    """Titles written with a stop ("Sen.", "Dr."), which a name follows rather than a new sentence."""
    titles = (line.split("=")[0].strip() for line in read_lines("resolve_titles.txt"))
    return frozenset(t for t in titles if t.endswith("."))


@functools.cache
def _ignored() -> frozenset[str]:
    """Stop words (spaCy's English list, copied into a data file) and the words that make a sentence a forecast."""
    listed = itertools.chain(
        read_lines("evidence_stop_words.txt"),
        _forecast_words(),
        read_lines("forecast_cue_verbs.txt"),
        read_lines("forecast_intention_verbs.txt"),
        read_lines("forecast_forward_words.txt"),
        read_lines("evidence_ignored_words.txt"),
    )
    return frozenset(w for phrase in listed for w in phrase.lower().split())


@functools.cache
def _forecast_words() -> frozenset[str]:
    """Words that make a sentence look ahead (the estimative scale): a later sentence holding one
    repeats or revises the forecast rather than reporting what came of it."""
    phrases = [line.split("\t")[0] for line in read_lines("forecast_estimative.tsv", inline_comments=False)]
    # "set", "bound", "sure" and "going" report as often as they predict ("set a record", "going home"); as
    # search terms they are left out all the same (evidence_ignored_words.txt)
    return frozenset(w for phrase in phrases for w in phrase.lower().split()) - {"set", "bound", "sure", "going"}


def _search_sql(dialect: str, terms: list[str]) -> tuple[Any, dict[str, Any]] | None:
    """The query for sentences holding two of ``terms``, and its parameters; None for fewer than two terms
    (one word, "it will work", names no event that a sentence could settle).

    Columns: article id, start, end, sentence, score (higher is better), and the
    sentence with each matched word between ``\\x02`` and ``\\x03``. Filters on the article
    come as ``:article_id`` (the forecast's own, left out), ``:since`` (a date or None) and
    ``:limit``.
    """
    if len(terms) < 2:
        return None
    query = two_of(dialect, terms)
    if dialect == "sqlite":
        sql = text(
            "SELECT s.article_id, s.start, s.end, s.text, -bm25(sentences_fts) AS score, "
            "highlight(sentences_fts, 0, char(2), char(3)) AS marked "
            "FROM sentences_fts JOIN article_sentences s ON s.id = sentences_fts.rowid "
            "JOIN articles a ON a.id = s.article_id "
            "WHERE sentences_fts MATCH :q AND s.article_id != :article_id "
            "AND (:since IS NULL OR a.published_on >= :since) "
            "ORDER BY score DESC LIMIT :limit"
        )
    elif dialect == "postgresql":
        sql = text(
            "SELECT s.article_id, s.start, s.end, s.text, ts_rank(s.search_vector, q) AS score, "
            "ts_headline('english', s.text, q, 'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', HighlightAll=true') "
            "AS marked FROM article_sentences s, to_tsquery('english', :q) q, articles a "
            "WHERE a.id = s.article_id AND s.search_vector @@ q AND s.article_id != :article_id "
            "AND (CAST(:since AS date) IS NULL OR a.published_on >= CAST(:since AS date)) "
            "ORDER BY score DESC LIMIT :limit"
        )
    else:
        return None
    return sql, {"q": query}


def two_of(dialect: str, terms: Sequence[str]) -> str:
    """The full-text query for a text holding two of ``terms`` (any two): FTS5's syntax on SQLite, a
    ``to_tsquery`` operand on PostgreSQL."""
    pairs = itertools.combinations(terms, 2)
    if dialect == "sqlite":
        return " OR ".join("(" + " AND ".join(f'"{t}"' for t in pair) + ")" for pair in pairs)
    return " | ".join("(" + " & ".join(_lexeme(t) for t in pair) + ")" for pair in pairs)


def _lexeme(term: str) -> str:
    """``term`` as a PostgreSQL tsquery operand: its words as a phrase ("9/11" is "9 <-> 11")."""
    return " <-> ".join(re.findall(r"\w+", term))


@dataclass
class Found:
    """One suggestion as the index gives it, before the ledger adds its article's metadata."""

    article_id: int
    start: int
    end: int
    sentence: str
    terms: list[str]
    looks_ahead: bool
    coverage: float
    score: float
    similarity: float | None = None


def find(
    connection: Connection, forecast: str, article_id: int, since: date | None, limit: int, *,
    speaker: str | None = None, speaker_type: str | None = None, similarity: Similarity | None = None,
) -> list[Found]:
    """The best sentence of each of up to ``limit`` articles for ``forecast`` (of article ``article_id``).

    The engine's query finds sentences with two of the forecast's terms. A sentence is dropped
    when it holds none of the words that say what happens (only names and numbers), when it
    holds a forecast of :data:`_ECHO_WORDS` words or more word for word (its own sentence again,
    in another copy of the story), when it is a fragment
    (under :data:`MIN_WORDS` words), or when it lacks the
    speaker's name where the forecast has no subject of its own ("to boycott the speech", "he
    will resign": it is about the ``speaker``). The rest are weighed by how much of the
    forecast they cover, each term by its rarity in the ledger (inverse sentence frequency):
    "boycott" and "speech" say more of "rabbis to boycott Trump's speech" than "Trump" and
    "Republican" do. With ``similarity`` (a sentence encoder's cosine), the best-covering
    :data:`_RERANKED` are then ranked by closeness in meaning and those under
    :data:`MIN_SIMILARITY` dropped; without it, those covering less than
    :data:`MIN_COVERAGE`, or none of the forecast's names, are. Reports come before sentences
    that look ahead.
    """
    terms = forecast_terms(forecast)
    names = _names(forecast)
    subject = _subject(forecast, speaker, speaker_type)
    if subject and subject not in terms:
        terms = [subject, *terms][: MAX_TERMS + 1]
        names.add(subject)
    built = _search_sql(connection.dialect.name, terms)
    if built is None:
        return []
    sql, params = built
    rows = connection.execute(sql, {**params, "article_id": article_id, "since": since, "limit": _CANDIDATES}).all()
    weights = _rarity(connection, terms)
    whole = sum(weights.values()) or 1.0
    events = set(terms) - names  # what happens, as against who and when
    named = set(terms) & names
    echo = _plain(forecast) if len(forecast.split()) >= _ECHO_WORDS else None
    candidates = []
    for article, start, end, sentence, score, marked in rows:
        matched = _marked_terms(marked or "", terms)
        if (events and events.isdisjoint(matched)) or (subject and subject not in matched):
            continue
        if len(sentence.split()) < MIN_WORDS or (echo and echo in _plain(sentence)):
            continue
        coverage = sum(weights[t] for t in matched) / whole
        if similarity is None and (coverage < MIN_COVERAGE or (named and named.isdisjoint(matched))):
            continue
        ahead = any(w.lower() in _forecast_words() for w in _WORD.findall(sentence))
        candidates.append(Found(article, start, end, sentence, matched, ahead, round(coverage, 3), float(score)))
    candidates.sort(key=lambda f: (-f.coverage, -f.score))
    if similarity is not None:
        candidates = candidates[:_RERANKED]
        for found, close in zip(candidates, similarity(forecast, [f.sentence for f in candidates])):
            found.similarity = round(close, 3)
        candidates = sorted((f for f in candidates if f.similarity >= MIN_SIMILARITY), key=lambda f: -f.similarity)
    best: dict[int, Found] = {}
    for found in candidates:
        best.setdefault(found.article_id, found)
    return sorted(best.values(), key=lambda f: f.looks_ahead)[:limit]


#: Speaker types with a name of their own: one that can stand for a forecast's missing subject in a later
#: report, and whose words a quote trail can find in another's mouth.
NAMED_TYPES = frozenset({"person", "organisation", "government", "media_outlet"})
#: The pronouns that stand for a speaker as a clause's subject (a closed class of English, not a lexicon).
_SUBJECT_PRONOUNS = frozenset({"i", "we", "he", "she", "they"})


def _subject(forecast: str, speaker: str | None, speaker_type: str | None) -> str | None:
    """The speaker's surname (or an organisation's last word) when ``forecast`` has no subject of its own:
    it starts with "to" (a plan, "to boycott the speech") or a pronoun ("he will resign", "we will win")."""
    if not speaker or speaker_type not in NAMED_TYPES:
        return None
    first = forecast.split(maxsplit=1)[0].lower() if forecast.strip() else ""
    if first != "to" and first.replace("’", "'").split("'")[0] not in _SUBJECT_PRONOUNS:
        return None
    words = [w.lower() for w in _WORD.findall(speaker) if w.lower() not in _ignored() and len(w) > 2]
    return words[-1] if words else None


def _plain(text_: str) -> str:
    """``text_`` lower-cased with its white space made single, to spot the forecast's own words again."""
    return " ".join(text_.lower().replace("’", "'").split())


def _rarity(connection: Connection, terms: list[str]) -> dict[str, float]:
    """Each term's inverse sentence frequency in the ledger, log((N + 1) / (n + 0.5)), counted by the index."""
    total = connection.execute(text("SELECT count(*) FROM article_sentences")).scalar() or 0
    weights = {}
    for term in terms:
        sql, params = _term_count(connection.dialect.name, term)
        count = connection.execute(sql, params).scalar() or 0
        weights[term] = math.log((total + 1) / (count + 0.5))
    return weights


def _term_count(dialect: str, term: str) -> tuple[Any, dict[str, Any]]:
    if dialect == "sqlite":
        return text("SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH :q"), {"q": f'"{term}"'}
    return (
        text("SELECT count(*) FROM article_sentences WHERE search_vector @@ to_tsquery('english', :q)"),
        {"q": _lexeme(term)},
    )


def _marked_terms(marked: str, terms: list[str]) -> list[str]:
    """The forecast's terms the engine marked in a sentence, matched by stem (the words may differ: "pass", "passed")."""
    found = {w.lower() for w in re.findall("\x02(.*?)\x03", marked)}
    return [t for t in terms if any(_same_stem(t, w) for w in found)]


def _same_stem(term: str, word: str) -> bool:
    """Whether ``word`` is plausibly the engine's match for ``term``: a shared start of all but their
    last three letters (at least three), which is what Porter's suffixes leave."""
    stem = min(len(term), len(word), max(3, len(term) - 3))
    return term[:stem] == word[:stem]
