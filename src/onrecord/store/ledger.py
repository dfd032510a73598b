"""The corpus ledger: many articles in one database, and the questions asked of it.

:meth:`Ledger.add` stores one extracted :class:`~onrecord.model.Document` in
its own transaction, so a run killed half way leaves every article either
fully stored or absent, and running it again finishes the job. Articles are
keyed by the hash of their normalised text (:func:`content_hash`): the same
article with other whitespace or quote marks is one row, and adding it again
replaces what was extracted from it instead of duplicating it. A new text at
the URL of a stored article (:func:`url_key`: an edited story) is a new
*version* of that article: it replaces the article's text and extraction in
place, keeps its id, its speaker links and the outcomes of forecasts it still
makes, and the earlier version is listed in ``article_versions``; a version
older than the stored one (an old crawl ingested after a fresh fetch) is only
listed there. The same text at another URL (syndication) is still one article.

Speakers are linked across articles conservatively (:func:`speaker_key`):
the same normalised name and type merge; for people, titles are ignored and a
bare surname ("Gallyamov", "Mr. Gallyamov") joins a full name only when the
ledger holds exactly one person with that surname (two Clintons keep "Clinton"
apart); unresolved or anonymous speakers are never linked at all. What the
rules get wrong a person corrects once, and later ingests respect it:
:meth:`Ledger.merge_speakers` makes two speakers one (the merged names become
aliases that new articles land on), :meth:`Ledger.split_speaker` takes a name
off a speaker and keeps it apart from that speaker for good.

Forecasts are stored with their article and linked to speakers the same way;
what became of each (:meth:`Ledger.record_outcome`) is filed under the
article's content hash and the forecast's normalised text
(:func:`forecast_key`), so it outlives storing the article again, and
:meth:`Ledger.track_record` scores a speaker on the outcomes recorded so far.

SQLite is the default; PostgreSQL (``postgresql://…``, driver psycopg 3 from
the ``postgres`` extra) runs the same code and the same test suite. The only
dialect-specific part is full-text search: FTS5 on SQLite, a tsvector GIN
index on PostgreSQL.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from collections.abc import Callable, Iterator
from typing import Any, TextIO
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import Engine, Float, Integer, case, create_engine, delete, event, false, func, insert, literal, or_, select, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, load_only, selectinload
from sqlalchemy.pool import StaticPool

from ..data import read_lines
from ..errors import E, OnrecordError
from ..ingest import normalise
from ..model import OUTCOMES, Attribution, Document, Forecast, SpeakerRef, parse_date
from . import evidence as _evidence
from . import trail as _trail
from .evidence import Evidence
from .trail import Change
from .schema import (
    Article,
    ArticleSentence,
    ArticleVersion,
    AttributionRow,
    EdgeRow,
    ForecastOutcome,
    ForecastRow,
    NonResponseRow,
    Speaker,
    SpeakerAlias,
    SpeakerDecision,
)

__all__ = [
    "EXPORT_FORMATS",
    "StoreError",
    "Ledger",
    "Stored",
    "Quote",
    "SpeakerStats",
    "SpeakerChange",
    "SpeakerInfo",
    "OutletStats",
    "StoredForecast",
    "CalibrationBand",
    "TrackRecord",
    "CALIBRATION_BANDS",
    "content_hash",
    "url_key",
    "normalise_url",
    "forecast_key",
    "speaker_key",
    "database_url",
    "parse_date",
]

EXPORT_FORMATS = ("jsonl", "csv", "parquet")
#: Speaker types that never link across articles: "a source" (or "some soldiers") here is not the one there.
_UNLINKED_TYPES = frozenset({"anonymous", "unspecified_reports", "group", "unknown"})
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: The largest row id the ledger's Integer columns hold on every database (PostgreSQL's integer), and the
#: largest offset SQLite and PostgreSQL take: a larger number from a URL or the command line finds
#: nothing rather than overflow in the driver.
_LARGEST_ID, _LARGEST_OFFSET = 2**31 - 1, 2**63 - 1


class StoreError(OnrecordError):
    """The ledger database cannot be opened, migrated, written or read."""


def _error(code: str, **fields: Any) -> StoreError:
    return StoreError(code, getattr(E, code).format(**fields))


class Stored(tuple):  # type: ignore[type-arg]
    """What :meth:`Ledger.add` did: a tuple (article id, True if the article is new), as callers
    have always unpacked it, with ``version`` saying which of these it was:

    ``"new"`` a new article; ``"same"`` the same text again (its extraction replaced);
    ``"revised"`` a new version at a stored article's URL replaced its text; ``"older"`` an
    older version of a stored article, only listed in its history (nothing else changed).
    """

    version: str

    def __new__(cls, article_id: int, version: str) -> "Stored":
        made = super().__new__(cls, (article_id, version == "new"))
        made.version = version
        return made

    @property
    def article_id(self) -> int:
        return self[0]

    @property
    def is_new(self) -> bool:
        return self[1]


# --- keys --------------------------------------------------------------------------------------


def content_hash(text_: str) -> str:
    """sha256 of the normalised text with whitespace runs collapsed: the article's identity.

    normalise() already maps quote marks and odd spaces to plain ones; collapsing
    runs of whitespace makes re-wrapped copies of one article the same article.
    """
    plain = " ".join(normalise(text_).text.split())
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


#: Query parameters that say how a reader came to a page, not which page it is (and every ``utm_*``).
_TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga", "_gl",
    "_hsenc", "_hsmi", "mkt_tok", "ocid", "cmpid", "smid", "sr_share", "ito",
})


def normalise_url(url: str | None) -> str | None:
    """``url`` as the ledger compares it: scheme and host in lower case, no default port, no
    fragment, no tracking parameters, no trailing slash; None for no URL.

    A feed links the same story with ``?utm_source=rss`` one day and without the next, or with
    ``#comments``; those are one article. The path and the other parameters are kept as they are
    (a path's case can matter), so two stories never share a key.
    """
    url = (url or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host  # an IPv6 address keeps its brackets
    try:
        port = parts.port
    except ValueError:  # a port that is no number: the address as written
        port, host = None, parts.netloc.lower()
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    query = [
        (name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not name.lower().startswith("utm_") and name.lower() not in _TRACKING_PARAMS
    ]
    return urlunsplit((scheme, host, parts.path.rstrip("/"), urlencode(query), ""))


def url_key(url: str | None) -> str | None:
    """sha256 of :func:`normalise_url`: how a new version of a stored article finds it; None for no URL."""
    plain = normalise_url(url)
    return hashlib.sha256(plain.encode("utf-8")).hexdigest() if plain else None


def speaker_key(name: str) -> str:
    """The normalised canonical name speakers are matched on across articles.

    Lower case, no leading "the", single spaces, straight quotes: so "The Kremlin"
    and "the  Kremlin" are one key, but "Hillary Clinton" and "Bill Clinton"
    (or a bare "Clinton") stay three.
    """
    key = unicodedata.normalize("NFKC", normalise(name).text).casefold()
    key = " ".join(key.split()).strip(" .,;:")
    return re.sub(r"^the\s+", "", key)


def forecast_key(text_: str) -> str:
    """sha256 of a forecast's normalised text: with its article's :func:`content_hash`, what its outcome is filed under.

    Row ids change whenever an article is stored again (another preset, a re-run), the text
    of the forecast does not; quote marks, case, whitespace and end punctuation are
    normalised away so that two readings that cut the same forecast a little differently
    ("taxes will fall." and "Taxes will fall") share its outcome.
    """
    plain = " ".join(unicodedata.normalize("NFKC", normalise(text_).text).casefold().split()).strip(" .,;:!?\"'")
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def database_url(value: str | None = None) -> str:
    """The SQLAlchemy URL to open: ``value``, else ``$ONRECORD_DB``, else ledger.db in the user data dir.

    A plain path (no ``://``) means an SQLite file there.
    """
    value = value or os.environ.get("ONRECORD_DB")
    if not value:
        import platformdirs

        folder = Path(platformdirs.user_data_dir("onrecord"))
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder / 'ledger.db'}"
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


# --- results -----------------------------------------------------------------------------------


class _Result:
    """A query result: a plain dataclass that also turns into JSON-ready dicts."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Quote(_Result):
    """One attribution with its article: a row of search and quotes results."""

    article_id: int
    title: str | None
    publisher: str | None
    published: str | None
    url: str | None
    attribution: str
    kind: str
    speaker: str | None
    speaker_type: str | None
    anonymous: bool
    source: str | None
    cue: str | None
    content: str | None
    confidence: float
    score: float | None = None  # search rank (higher is better); None for quotes


@dataclass
class TrailEntry(Quote):
    """An attribution of another article on a quote's trail (:meth:`Ledger.trail`)."""

    relation: str = "same"  # how its words relate to the quote's: one of trail.RELATIONS
    shared: int = 0  # words the two share, in runs of three or more
    changes: list[Change] = field(default_factory=list)  # words that differ inside the shared stretch
    other_speaker: bool | None = None  # put in another speaker's mouth (None: one of the two is unnamed)


@dataclass
class Trail(_Result):
    """Where else the ledger holds a quote's words, oldest article first (:meth:`Ledger.trail`)."""

    quote: Quote | None  # the stored quote asked about; None for words given as text
    words: int  # how many words of it were compared
    entries: list[TrailEntry] = field(default_factory=list)  # oldest first, undated last; at most the limit
    total: int = 0  # entries found before the limit
    first: Quote | None = None  # the earliest dated of the quote and its entries: where the ledger first has it


@dataclass
class SpeakerStats(_Result):
    """A cross-article speaker and how much the corpus quotes it."""

    id: int
    name: str
    type: str
    attributions: int
    articles: int


@dataclass
class OutletStats(_Result):
    """One publisher's sourcing: volume, anonymous share, who it quotes and relays."""

    publisher: str
    articles: int
    attributions: int
    anonymous: int
    anonymous_share: float
    top_speakers: list[str] = field(default_factory=list)
    relays: list[str] = field(default_factory=list)  # media outlets its articles pass words on from


@dataclass
class SpeakerChange(_Result):
    """What one manual merge or split did, as stored in the decision log."""

    kind: str  # "merge" or "split"
    speaker_id: int | None  # the speaker kept (merge) or split from (split)
    speaker: str
    other_id: int | None  # the speaker merged away, or the one the split-off attributions now belong to
    other: str | None
    key: str  # the name (normalised) merged in or kept apart
    attributions: int  # how many attributions moved


@dataclass
class SpeakerInfo(_Result):
    """One speaker with the names that join it, the names kept apart from it, and the decisions about it."""

    id: int
    name: str
    type: str
    key: str
    attributions: int
    articles: int
    aliases: list[str] = field(default_factory=list)
    apart: list[str] = field(default_factory=list)
    decisions: list[SpeakerChange] = field(default_factory=list)


#: Probability bands for calibration: the US intelligence community's estimative bands (ICD 203), the
#: scale the extractor reads estimative words on, so each band gathers one kind of word ("likely": 55-80%).
#: A probability falls in the band with ``low <= p < high`` (the last band takes 1.0 too).
CALIBRATION_BANDS: tuple[tuple[str, float, float], ...] = (
    ("0-5%", 0.0, 0.05),
    ("5-20%", 0.05, 0.20),
    ("20-45%", 0.20, 0.45),
    ("45-55%", 0.45, 0.55),
    ("55-80%", 0.55, 0.80),
    ("80-95%", 0.80, 0.95),
    ("95-100%", 0.95, 1.0),
)


@dataclass
class StoredForecast(_Result):
    """One stored forecast with its article, its ledger speaker and what became of it (``outcome``, None while open)."""

    id: int  # the ledger's id (what `onrecord outcome` takes); it changes when the article is stored again
    article_id: int
    forecast: str  # its id in the article ("f1")
    title: str | None
    publisher: str | None
    published: str | None
    url: str | None
    speaker_id: int | None
    speaker: str | None
    speaker_type: str | None
    attribution: str | None  # the id in the article of the attribution that carries it
    text: str
    estimative: str | None
    probability: float | None
    horizon: str | None
    due: str | None  # ISO date
    outcome: str | None = None  # one of OUTCOMES, or None: not judged yet
    note: str | None = None
    source: str | None = None
    judged_on: str | None = None
    recorded_at: str | None = None
    overdue: bool = False  # due before today and still open


@dataclass
class CalibrationBand(_Result):
    """Judged forecasts given a chance within one band, and how often they came true: a well-calibrated
    speaker's "likely" (55-80%) things come true 55-80% of the time."""

    band: str
    low: float
    high: float
    forecasts: int  # judged forecasts (true or false) whose probability falls in the band
    came_true: int
    share: float  # came_true / forecasts
    mean_probability: float  # the mean chance they were given, to compare with ``share``


@dataclass
class TrackRecord(_Result):
    """How one speaker's forecasts turned out, from the outcomes recorded in the ledger.

    ``judged`` counts forecasts that came true or false; void ones (a condition never met, a claim
    too vague to check) and open ones (no outcome yet) are not scored. ``overdue`` are open ones
    whose due date has passed: the next to judge. An outcome says whether the predicted *event*
    happened ("true" for "a recession is unlikely" means the recession came), so ``came_true`` counts
    events that happened, and ``hit_rate`` is the share of judged forecasts the speaker got right:
    the event happened where they gave it 50% or more (or said it flatly, with no probability), or
    did not where they gave it less. ``brier`` is the mean Brier score, (p - o)^2 with o = 1 if the event happened else 0,
    over the ``scored`` judged forecasts that gave a probability: 0 is perfect, lower is better,
    and 0.25 is what always saying 50% scores (None with nothing scored).
    """

    speaker_id: int
    speaker: str
    type: str
    forecasts: int
    judged: int
    came_true: int
    came_false: int
    void: int
    open: int
    overdue: int
    hit_rate: float | None
    scored: int
    brier: float | None
    calibration: list[CalibrationBand] = field(default_factory=list)


# --- the ledger --------------------------------------------------------------------------------


class Ledger:
    """A database of extracted articles. Open with :meth:`open`; close when done (or use ``with``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)

    # opening

    @classmethod
    def open(cls, url: str | None = None, *, existing: bool = False) -> "Ledger":
        """Open (creating or migrating as needed) the ledger at ``url``; see :func:`database_url`.

        ``existing``: an SQLite file that is not there is E513 rather than a new, empty ledger, so
        that a mistyped ``--db`` given to a command that only reads is not taken for an empty one.
        """
        url = database_url(url)
        path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ""
        if path not in ("", ":memory:"):
            if existing and not Path(path).is_file():
                raise _error("E513", path=path)
            if not Path(path).parent.is_dir():
                raise _error("E514", folder=Path(path).parent, path=path)
        try:
            engine = _engine(url)
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except ImportError as err:  # a postgresql:// URL without the driver, or another database's
            fix = "pip install 'onrecord[postgres]'" if url.startswith("postgres") else "onrecord keeps its ledger in SQLite or PostgreSQL"
            raise _error("E501", url=url, detail=f"{_brief(err)}; {fix}") from err
        except (SQLAlchemyError, OSError, ValueError) as err:
            raise _error("E501", url=url, detail=_brief(err)) from err
        upgrade(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # writing

    def add(self, document: Document) -> "Stored":
        """Store ``document`` in one transaction; return (article id, True if it was not there before),
        a :class:`Stored` whose ``version`` says which of four things happened.

        An article already there (same content hash) is updated in place: its
        attributions, non-responses and edges are replaced by the new ones, and a
        speaker name it linked before keeps that link (see :func:`_links`), so
        storing an article again never relinks its speakers. A new text at the URL
        of a stored article (same :func:`url_key`) is a new version of it: the same
        update in place, under the article's id, with the outcomes of its forecasts
        re-filed under the new text (:func:`_refile_outcomes`) and the old version
        listed in its history; unless the new text is the older one (see
        :func:`_is_older`), which is only listed there. A document without a URL is
        known by its text alone, as before.
        """
        digest, link = content_hash(document.text), url_key(document.url)
        for attempt in range(2):  # a second writer may insert the same hash between our read and write
            try:
                with Session(self.engine) as session, session.begin():
                    return _store(session, document, digest, link)
            except IntegrityError as err:
                if attempt:
                    raise _error("E503", detail=_brief(err)) from err
            except SQLAlchemyError as err:
                raise _error("E503", detail=_brief(err)) from err
        raise AssertionError("unreachable")

    def recall(self, document: Document) -> Document:
        """``document`` with the metadata it lacks taken from the stored article of the same text, if any.

        Call it before extracting an article to store: sent again without its title, URL, publisher,
        date or authors (a re-run, another preset, an API client that sends text only), the article
        keeps them instead of losing them (its label, the id, too), and its provenance is read from the
        same publisher. What the document does say wins. Returns the same object.
        """
        with self._reading() as session:
            stored = session.scalar(select(Article).where(Article.content_hash == content_hash(document.text)))
            if stored is None:
                return document
            for name in ("title", "url", "publisher", "published"):
                if getattr(document, name) is None and getattr(stored, name) is not None:
                    setattr(document, name, getattr(stored, name))
            if document.id is None and stored.source is not None:  # the label it was stored under
                document.id = stored.source
            if not document.authors:
                document.authors = list(((stored.record or {}).get("document") or {}).get("authors") or [])
        return document

    # manual speaker decisions

    def merge_speakers(self, a: int | str, b: int | str) -> SpeakerChange:
        """Make speaker ``b`` part of speaker ``a`` for good: a person has decided they are one.

        ``a`` and ``b`` are ids or names (any form the ledger keys on: "Mr.
        Gallyamov" finds "Gallyamov"; a name that fits several speakers is an
        E508 listing their ids). Every attribution of ``b`` moves to ``a``;
        ``b``'s key, and the names merged into ``b`` before, become aliases of
        ``a``, so a later ingest of any of them lands on ``a``; ``b`` is deleted.
        Merging ``b`` lifts a split that kept ``b``'s own name apart from ``a``
        (the later decision wins), but the names merged into ``b`` before that
        were split off ``a`` stay apart: they are not carried over.
        """

        def merge(session: Session) -> SpeakerChange:
            keep, gone = _find_speaker(session, a), _find_speaker(session, b)
            if keep.id == gone.id:
                raise _error("E509", first=str(a), second=str(b), id=keep.id)
            gone_id, gone_name, gone_key, gone_type = gone.id, gone.name, gone.key, gone.type
            # The merge speaks for gone's own name: a rule that kept it apart from keep is lifted.
            # Rules keeping keep's names apart from gone no longer mean anything.
            session.execute(delete(SpeakerAlias).where(
                SpeakerAlias.speaker_id == keep.id, SpeakerAlias.rule == _APART,
                SpeakerAlias.key == gone_key, SpeakerAlias.type == gone_type,
            ))
            for key, type_ in [(keep.key, keep.type), *_rule_keys(session, keep.id, _JOIN)]:
                session.execute(delete(SpeakerAlias).where(
                    SpeakerAlias.speaker_id == gone_id, SpeakerAlias.key == key, SpeakerAlias.type == type_,
                ))
            moved = _move_speaker(session, gone_id, keep.id)
            session.add(SpeakerAlias(speaker_id=keep.id, key=gone_key, type=gone_type, rule=_JOIN))
            return _log(session, "merge", keep, gone_id, gone_name, gone_key, gone_type, moved)

        return self._decide(merge)

    def split_speaker(self, speaker: int | str, alias: str) -> SpeakerChange:
        """Take the name ``alias`` off ``speaker`` for good: a person has decided it is someone else.

        ``alias`` is a name as articles write it, normalised like every key
        (case, "the", and for people titles: "Mr. Clinton" is "clinton"). The
        attributions of ``speaker`` whose source name normalises to it move to
        the speaker that name lands on by itself: the one keyed on it, or the
        one it is a merge alias of, else a new speaker named as the first of
        them. ``alias`` stops being a merge alias of ``speaker``, and a rule
        keeps it apart from ``speaker`` in every later ingest, the bare surname
        rule included: a "Clinton" split off "Hillary Clinton" never joins her
        again, even while she is the only Clinton. Only a later
        :meth:`merge_speakers` of the two lifts the rule. A name no attribution
        uses yet may be split off too (a decision ahead of the articles);
        ``speaker``'s own key cannot (E510).
        """

        def split(session: Session) -> SpeakerChange:
            owner = _find_speaker(session, speaker)
            key = _key_for(alias, owner.type)
            if not key:
                raise _error("E511", alias=alias)
            if key == owner.key:
                raise _error("E510", alias=alias, name=owner.name, id=owner.id)
            joined = session.scalars(select(SpeakerAlias).where(
                SpeakerAlias.speaker_id == owner.id, SpeakerAlias.key == key, SpeakerAlias.rule == _JOIN,
            )).all()
            types = list(dict.fromkeys([owner.type, *(row.type for row in joined)]))
            for row in joined:
                session.delete(row)
            session.flush()
            rows = session.execute(
                select(AttributionRow.id, AttributionRow.speaker_name)
                .where(AttributionRow.speaker_id == owner.id)
                .order_by(AttributionRow.id)
            ).all()
            detached = [(i, name) for i, name in rows if name and _key_for(name, owner.type) == key]
            # Forecasts follow the attribution that carries them; one without names its speaker itself.
            own_forecasts = session.execute(
                select(ForecastRow.id, ForecastRow.speaker_name)
                .where(ForecastRow.speaker_id == owner.id, ForecastRow.attribution_id.is_(None))
                .order_by(ForecastRow.id)
            ).all()
            forecasts = [(i, name) for i, name in own_forecasts if name and _key_for(name, owner.type) == key]
            land_type = joined[0].type if joined else owner.type  # a merged name keeps the type it came with
            target_id = _landing(session, key, land_type)
            if target_id is None and (detached or forecasts):
                target = Speaker(name=(detached or forecasts)[0][1], key=key, type=land_type)
                session.add(target)
                session.flush()
                target_id = target.id
            if detached:
                moved = [i for i, _ in detached]
                session.execute(AttributionRow.__table__.update().where(AttributionRow.id.in_(moved)).values(speaker_id=target_id))
                session.execute(ForecastRow.__table__.update().where(ForecastRow.attribution_id.in_(moved)).values(speaker_id=target_id))
            if forecasts:
                session.execute(
                    ForecastRow.__table__.update().where(ForecastRow.id.in_([i for i, _ in forecasts])).values(speaker_id=target_id)
                )
            for type_ in types:
                if not _kept_apart(session, key, type_, owner.id):
                    session.add(SpeakerAlias(speaker_id=owner.id, key=key, type=type_, rule=_APART))
            target_name = session.get(Speaker, target_id).name if target_id is not None else None
            return _log(session, "split", owner, target_id, target_name, key, land_type, len(detached))

        return self._decide(split)

    def speaker_info(self, ref: int | str) -> SpeakerInfo:
        """One speaker by id or name, with its aliases, the names kept apart from it and the decisions about it."""
        with self._reading() as session:
            found = _find_speaker(session, ref)
            attributions, articles = session.execute(
                select(func.count(AttributionRow.id), func.count(func.distinct(AttributionRow.article_id)))
                .where(AttributionRow.speaker_id == found.id)
            ).one()
            # other_id has no foreign key (it may name a speaker merged away, and SQLite reuses
            # the highest id), so a split counts as this speaker's only when its key is this one's too.
            split_off = (SpeakerDecision.kind == "split") & (SpeakerDecision.other_id == found.id) & (SpeakerDecision.key == found.key)
            decisions = session.scalars(
                select(SpeakerDecision).where(or_(SpeakerDecision.speaker_id == found.id, split_off)).order_by(SpeakerDecision.id)
            )
            return SpeakerInfo(
                id=found.id,
                name=found.name,
                type=found.type,
                key=found.key,
                attributions=attributions,
                articles=articles,
                aliases=sorted(key for key, _ in _rule_keys(session, found.id, _JOIN)),
                apart=sorted({key for key, _ in _rule_keys(session, found.id, _APART)}),
                decisions=[_change(d) for d in decisions],
            )

    def _decide(self, change: Callable[[Session], SpeakerChange]) -> SpeakerChange:
        """Run one merge or split in its own transaction: all of it is stored, or none of it."""
        try:
            with Session(self.engine) as session, session.begin():
                return change(session)
        except SQLAlchemyError as err:
            raise _error("E512", detail=_brief(err)) from err

    # reading

    def count(self) -> dict[str, int]:
        """Rows per main table: articles, attributions, speakers."""
        with Session(self.engine) as session:
            return {
                "articles": session.scalar(select(func.count(Article.id))) or 0,
                "attributions": session.scalar(select(func.count(AttributionRow.id))) or 0,
                "speakers": session.scalar(select(func.count(Speaker.id))) or 0,
            }

    def search(self, query: str, limit: int = 20) -> list[Quote]:
        """Attributions whose content, speaker or article title match every word of ``query``, best first."""
        words = re.findall(r"\w+", query)
        if not words:
            return []
        hits = self._search_hits(words)
        with self._reading() as session:
            rows = session.execute(select(hits.c.id, hits.c.score).order_by(hits.c.score.desc()).limit(limit)).all()
            chosen = select(AttributionRow).where(AttributionRow.id.in_([i for i, _ in rows]))
            found = {a.id: a for a in session.scalars(chosen.options(*self._QUOTE_LOADING))}
            return [_quote(found[i], round(float(score), 4)) for i, score in rows if i in found]

    def quotes(
        self,
        speaker: str | None = None,
        outlet: str | None = None,
        since: date | str | None = None,
        until: date | str | None = None,
        kind: str | None = None,
        anonymous: bool | None = None,
        limit: int | None = 100,
    ) -> list[Quote]:
        """Attributions filtered by speaker (full name or a name merged into it, any case), outlet,
        date range, kind, anonymity.

        The date range is inclusive and applies to the article's publication
        date; articles without a date are left out when a range is given.
        """
        stmt = self._filtered(
            select(AttributionRow).join(Article, AttributionRow.article_id == Article.id),
            speaker=speaker, outlet=outlet, since=since, until=until, kind=kind, anonymous=anonymous,
        )
        stmt = stmt.order_by(Article.published_on.desc().nulls_last(), Article.id, AttributionRow.id)
        stmt = stmt.options(*self._QUOTE_LOADING)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._reading() as session:
            return [_quote(row) for row in session.scalars(stmt)]

    def speakers(self, top: int | None = None) -> list[SpeakerStats]:
        """Cross-article speakers, most quoted first."""
        stmt, order = _speaker_counts()
        stmt = stmt.order_by(*order)
        if top:
            stmt = stmt.limit(top)
        with self._reading() as session:
            return [SpeakerStats(*row) for row in session.execute(stmt)]

    def outlets(self, top_speakers: int = 3) -> list[OutletStats]:
        """Per publisher: articles, attributions, anonymous share, top speakers, outlets relayed."""
        with self._reading() as session:
            stats: dict[str, OutletStats] = {}
            for publisher, n in session.execute(select(Article.publisher, func.count(Article.id)).group_by(Article.publisher)):
                name = publisher or "(unknown)"
                stats[name] = OutletStats(name, n, 0, 0, 0.0)
            # Aggregated in SQL: a large ledger has millions of attributions, far too many to stream.
            for publisher, n, anonymous in session.execute(
                select(Article.publisher, func.count(AttributionRow.id), func.sum(case((AttributionRow.anonymous, 1), else_=0)))
                .join(AttributionRow, AttributionRow.article_id == Article.id)
                .group_by(Article.publisher)
            ):
                one = stats[publisher or "(unknown)"]
                one.attributions, one.anonymous = n, int(anonymous or 0)
            by_speaker: dict[str, Counter[str]] = defaultdict(Counter)
            quoted = (
                select(Article.publisher, AttributionRow.speaker_id, func.count(AttributionRow.id).label("n"))
                .join(AttributionRow, AttributionRow.article_id == Article.id)
                .where(AttributionRow.speaker_id.is_not(None))
                .group_by(Article.publisher, AttributionRow.speaker_id)
                .subquery()
            )
            for publisher, speaker, n in session.execute(
                select(quoted.c.publisher, Speaker.name, quoted.c.n).join(Speaker, Speaker.id == quoted.c.speaker_id)
            ):
                by_speaker[publisher or "(unknown)"][speaker] += n
            relays: dict[str, set[str]] = defaultdict(set)
            for publisher, to_name in session.execute(
                select(Article.publisher, EdgeRow.to_name).join(EdgeRow).where(EdgeRow.to_type == "media_outlet")
            ):
                if to_name != publisher:
                    relays[publisher or "(unknown)"].add(to_name)
        for one in stats.values():
            one.anonymous_share = round(one.anonymous / one.attributions, 3) if one.attributions else 0.0
            one.top_speakers = [name for name, _ in by_speaker[one.publisher].most_common(top_speakers)]
            one.relays = sorted(relays[one.publisher])
        return sorted(stats.values(), key=lambda s: (-s.articles, s.publisher))

    def stale(self, model_prefix: str | None = None) -> Iterator[Document]:
        """Stored articles to read again, as Documents with their metadata: every one whose
        extractor label does not start with ``model_prefix`` (all of them when it is None).

        Texts are fetched one article at a time, so a large ledger is never held in memory.
        """
        query = select(Article.id).order_by(Article.id)
        if model_prefix is not None:
            query = query.where(or_(Article.model.is_(None), ~Article.model.startswith(model_prefix, autoescape=True)))
        with self._reading() as session:
            ids = list(session.scalars(query))
        for article_id in ids:
            with self._reading() as session:
                article = _get(session, Article, article_id)
                if article is None:  # deleted meanwhile
                    continue
                meta = (article.record or {}).get("document", {})
                yield Document(
                    text=article.text,
                    id=article.source,
                    title=article.title,
                    url=article.url,
                    publisher=article.publisher,
                    published=article.published,
                    language=article.language or "en",
                    authors=list(meta.get("authors") or []),
                )

    def documents(self) -> list[dict[str, Any]]:
        """Every stored article as its full nested JSON output (Document.to_dict()), oldest first."""
        with self._reading() as session:
            return [_record(a) for a in session.scalars(select(Article).order_by(Article.id))]

    def export(self, fmt: str, out: Any) -> int:
        """Write the ledger to ``out``: ``jsonl`` (one Document JSON per article), ``csv`` or
        ``parquet`` (one row per attribution, with article and speaker columns).

        ``out`` is a text stream for jsonl and csv, a path or binary stream for
        parquet. Returns the number of records written.
        """
        if fmt == "jsonl":
            n = 0
            with self._reading() as session:
                for article in session.scalars(select(Article).order_by(Article.id)).yield_per(100):
                    out.write(json.dumps(_record(article), ensure_ascii=False) + "\n")
                    n += 1
            return n
        if fmt == "csv":
            return self._export_csv(out)
        if fmt == "parquet":
            return self._export_parquet(out)
        raise _error("E504", fmt=fmt, choices=", ".join(EXPORT_FORMATS))

    # reading for the web app and the REST API: pages with totals; one article, speaker or outlet in full

    def article(self, article_id: int) -> dict[str, Any] | None:
        """One stored article: its ledger fields, its full JSON output under ``document`` (as
        ``onrecord extract --format json`` gives it), ``speakers``, the ledger speaker id of
        each linked attribution ("a3" -> 12), so a page can link attributions to speakers, and
        its history: ``versions``, the earlier texts at its URL, oldest first (content hash, title,
        date, ``kind`` "replaced" or "older", ``replaced_at``), and ``revised``, how many of them a
        newer version replaced.
        """
        with self._reading() as session:
            article = _get(session, Article, article_id)
            if article is None:
                return None
            speakers = {row.local_id: row.speaker_id for row in article.attributions if row.speaker_id is not None}
            summary = self._article_summary(article, len(article.attributions))
            versions = [_version(row) for row in session.scalars(
                select(ArticleVersion).where(ArticleVersion.article_id == article.id).order_by(ArticleVersion.id)
            )]
            revised = sum(v["kind"] == "replaced" for v in versions)
            return {**summary, "document": _record(article), "speakers": speakers, "versions": versions, "revised": revised}

    def article_page(self, *, outlet: str | None = None, limit: int = 20, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """Stored articles without their texts, last stored first (``outlet``: one publisher's,
        "(unknown)" for none); one page of them and how many there are in all.
        """
        n_attr = select(func.count(AttributionRow.id)).where(AttributionRow.article_id == Article.id).scalar_subquery()
        where = [self._outlet_is(outlet)] if outlet else []
        stmt = select(Article, n_attr).where(*where).order_by(Article.id.desc()).limit(limit).offset(min(offset, _LARGEST_OFFSET))
        stmt = stmt.options(load_only(*self._SUMMARY_COLUMNS))
        with self._reading() as session:
            total = session.scalar(select(func.count(Article.id)).where(*where)) or 0
            return [self._article_summary(article, n) for article, n in session.execute(stmt)], total

    def attribution_page(
        self,
        query: str | None = None,
        *,
        speaker: str | None = None,
        speaker_id: int | None = None,
        outlet: str | None = None,
        since: date | str | None = None,
        until: date | str | None = None,
        kind: str | None = None,
        anonymous: bool | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        """Attributions matching a full-text ``query`` (every word, best first, as :meth:`search`)
        and the filters of :meth:`quotes`; one page of them (Quote fields plus ``speaker_id``
        and ``parent``) and how many match in all. Without a query the newest articles come first.
        """
        stmt = select(AttributionRow).join(Article, AttributionRow.article_id == Article.id)
        score = None
        if query is not None and query.strip():
            words = re.findall(r"\w+", query)
            if not words:
                return [], 0
            hits = self._search_hits(words)
            stmt = stmt.join(hits, hits.c.id == AttributionRow.id)
            score = hits.c.score
        stmt = self._filtered(
            stmt, speaker=speaker, speaker_id=speaker_id, outlet=outlet, since=since, until=until, kind=kind, anonymous=anonymous
        )
        order = [Article.published_on.desc().nulls_last(), Article.id.desc(), AttributionRow.id]
        if score is not None:
            stmt = stmt.add_columns(score)
            order.insert(0, score.desc())
        page = stmt.order_by(*order).limit(limit).offset(min(offset, _LARGEST_OFFSET)).options(*self._QUOTE_LOADING)
        with self._reading() as session:
            total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            items = []
            for found in session.execute(page):
                row, rank = found[0], (round(float(found[1]), 4) if score is not None else None)
                items.append({**_quote(row, rank).to_dict(), "speaker_id": row.speaker_id, "parent": row.parent})
            return items, total

    def speaker_page(
        self, query: str | None = None, *, speaker_type: str | None = None, limit: int = 20, offset: int = 0
    ) -> tuple[list[SpeakerStats], int]:
        """Cross-article speakers, most quoted first, whose name contains ``query`` (any case);
        one page of them and how many match in all.
        """
        stmt, order = _speaker_counts()
        if query and query.strip():
            stmt = stmt.where(Speaker.key.contains(speaker_key(query), autoescape=True))
        if speaker_type:
            stmt = stmt.where(Speaker.type == speaker_type)
        with self._reading() as session:
            total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = session.execute(stmt.order_by(*order).limit(limit).offset(min(offset, _LARGEST_OFFSET)))
            return [SpeakerStats(*row) for row in rows], total

    def speaker_detail(self, speaker_id: int) -> dict[str, Any] | None:
        """Everything the ledger knows of one speaker: counts, first and last dates, the outlets
        that quote it, attributions per month, kinds, and the aliases and descriptions its
        articles give (read from the stored entities of its most recent 200 articles).
        """
        from ..resolve.types import _words

        with self._reading() as session:
            speaker = _get(session, Speaker, speaker_id)
            if speaker is None:
                return None
            mine = AttributionRow.speaker_id == speaker_id
            joined = select(AttributionRow).join(Article, AttributionRow.article_id == Article.id).where(mine).subquery()
            outlets = [
                {"publisher": publisher or "(unknown)", "attributions": n, "articles": m}
                for publisher, n, m in session.execute(
                    select(Article.publisher, func.count(AttributionRow.id), func.count(func.distinct(Article.id)))
                    .join(AttributionRow, AttributionRow.article_id == Article.id)
                    .where(mine)
                    .group_by(Article.publisher)
                    .order_by(func.count(AttributionRow.id).desc(), Article.publisher)
                )
            ]
            months: Counter[str] = Counter()
            for day, n in session.execute(
                select(Article.published_on, func.count(AttributionRow.id))
                .join(AttributionRow, AttributionRow.article_id == Article.id)
                .where(mine)
                .group_by(Article.published_on)
            ):
                months[day.strftime("%Y-%m") if day else "undated"] += n
            kinds = dict(session.execute(select(joined.c.kind, func.count()).group_by(joined.c.kind)).all())
            first, last = session.execute(
                select(func.min(Article.published_on), func.max(Article.published_on))
                .join(AttributionRow, AttributionRow.article_id == Article.id)
                .where(mine)
            ).one()
            recent = (
                select(Article.id)
                .join(AttributionRow, AttributionRow.article_id == Article.id)
                .where(mine)
                .group_by(Article.id)
                .order_by(Article.id.desc())
                .limit(200)
            )
            local: dict[int, set[str]] = defaultdict(set)
            for article_id, local_id in session.execute(
                select(AttributionRow.article_id, AttributionRow.local_id).where(mine, AttributionRow.article_id.in_(recent))
            ):
                local[article_id].add(local_id)
            pronouns = _words("pronouns")
            aliases: Counter[str] = Counter()
            descriptions: Counter[str] = Counter()
            for article in session.scalars(select(Article).where(Article.id.in_(list(local))).options(load_only(Article.id, Article.record))):
                record = article.record or {}
                entity_ids = {
                    (att.get("speaker") or {}).get("id")
                    for att in record.get("attributions", [])
                    if att.get("id") in local[article.id]
                }
                for entity in record.get("entities", []):
                    if entity.get("id") not in entity_ids:
                        continue
                    aliases[entity.get("name") or ""] += 1
                    for mention in entity.get("mentions", []):
                        written = " ".join(str(mention.get("text") or "").split())
                        if any(c.isupper() for c in written) and written.casefold() not in pronouns:
                            aliases[written] += 1
                    descriptions.update(d for d in entity.get("descriptions", []) if d)
            n_attr, n_art = session.execute(
                select(func.count(AttributionRow.id), func.count(func.distinct(AttributionRow.article_id))).where(mine)
            ).one()
        aliases.pop("", None)
        return {
            "id": speaker.id,
            "name": speaker.name,
            "type": speaker.type,
            "attributions": n_attr,
            "articles": n_art,
            "first": first.isoformat() if first else None,
            "last": last.isoformat() if last else None,
            "aliases": [name for name, _ in aliases.most_common() if name != speaker.name],
            "descriptions": [d for d, _ in descriptions.most_common()],
            "outlets": outlets,
            "kinds": kinds,
            "timeline": [{"month": m, "attributions": months[m]} for m in sorted(months)],
        }

    def outlet_detail(self, publisher: str, *, top: int = 10) -> dict[str, Any] | None:
        """One publisher's sourcing profile ("(unknown)" for articles without one): volume,
        anonymous share, kinds and speaker types, its ``top`` speakers, the outlets it relays
        (with how many of its articles do), and its last stored articles; None if it has none.
        """
        mine = self._outlet_is(publisher)
        with self._reading() as session:
            n_articles = session.scalar(select(func.count(Article.id)).where(mine)) or 0
            if not n_articles:
                return None
            name = session.scalar(select(Article.publisher).where(mine).order_by(Article.id.desc()).limit(1)) or "(unknown)"
            rows = select(AttributionRow).join(Article, AttributionRow.article_id == Article.id).where(mine).subquery()
            n_attr, n_anon = session.execute(
                select(func.count(rows.c.id), func.coalesce(func.sum(case((rows.c.anonymous.is_(True), 1), else_=0)), 0))
            ).one()
            kinds = dict(session.execute(select(rows.c.kind, func.count()).group_by(rows.c.kind)).all())
            types = {
                (t or "unknown"): n
                for t, n in session.execute(select(rows.c.speaker_type, func.count()).group_by(rows.c.speaker_type))
            }
            n_quoted = func.count(rows.c.id)
            speakers = [
                {"id": i, "name": name, "type": kind, "attributions": n}
                for i, name, kind, n in session.execute(
                    select(Speaker.id, Speaker.name, Speaker.type, n_quoted)
                    .join(rows, rows.c.speaker_id == Speaker.id)
                    .group_by(Speaker.id, Speaker.name, Speaker.type)
                    .order_by(n_quoted.desc(), Speaker.name)
                    .limit(top)
                )
            ]
            n_relaying = func.count(func.distinct(EdgeRow.article_id))
            relays = [
                {"name": name, "articles": n}
                for name, n in session.execute(
                    select(EdgeRow.to_name, n_relaying)
                    .join(Article, EdgeRow.article_id == Article.id)
                    .where(mine, EdgeRow.to_type == "media_outlet", or_(Article.publisher.is_(None), EdgeRow.to_name != Article.publisher))
                    .group_by(EdgeRow.to_name)
                    .order_by(n_relaying.desc(), EdgeRow.to_name)
                    .limit(top)
                )
            ]
        recent, _ = self.article_page(outlet=publisher, limit=top)
        return {
            "publisher": name,
            "articles": n_articles,
            "attributions": n_attr,
            "anonymous": n_anon,
            "anonymous_share": round(n_anon / n_attr, 3) if n_attr else 0.0,
            "kinds": kinds,
            "speaker_types": types,
            "top_speakers": speakers,
            "relays": relays,
            "recent_articles": recent,
        }

    # forecasts and track records

    def forecasts(
        self,
        speaker: int | str | None = None,
        outlet: str | None = None,
        *,
        open: bool | None = None,
        open_only: bool = False,
        due_by: date | str | None = None,
        limit: int | None = 100,
        offset: int = 0,
        today: date | None = None,
    ) -> list[StoredForecast]:
        """Stored forecasts, newest articles first, each with the outcome recorded for it (None while open).

        ``speaker`` is a ledger speaker's id, or a name matched as :meth:`quotes` matches one (any
        case, a name merged into a speaker finds it); ``outlet`` a publisher (any case). ``open``:
        None keeps every forecast, True those with no outcome yet, False those with one (true,
        false or void); ``open_only=True`` is ``open=True``, as earlier callers wrote it. ``due_by``
        keeps those due on or before that date (a forecast without a due date never is), so
        ``open=True`` and ``due_by=today`` list what is ready to judge. ``today`` decides
        ``overdue`` (default: the clock's date), so tests and reports can fix it.
        """
        return self.forecast_page(
            speaker, outlet, open=open, open_only=open_only, due_by=due_by, limit=limit, offset=offset, today=today, count=False
        )[0]

    def forecast_page(
        self,
        speaker: int | str | None = None,
        outlet: str | None = None,
        *,
        open: bool | None = None,
        open_only: bool = False,
        due_by: date | str | None = None,
        limit: int | None = 20,
        offset: int = 0,
        today: date | None = None,
        count: bool = True,
    ) -> tuple[list[StoredForecast], int]:
        """:meth:`forecasts` as a page for the web app and the REST API: the page, and how many match in all
        (``count=False`` skips counting them and answers 0)."""
        if open_only:
            open = True
        stmt = select(
            ForecastRow, ForecastOutcome, Speaker.name, Article.title, Article.publisher, Article.published, Article.url
        ).outerjoin(Speaker, Speaker.id == ForecastRow.speaker_id)
        stmt = self._forecasts_filtered(stmt, speaker=speaker, outlet=outlet, open=open, due_by=due_by)
        stmt = stmt.order_by(Article.published_on.desc().nulls_last(), Article.id.desc(), ForecastRow.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        if offset:
            stmt = stmt.offset(min(offset, _LARGEST_OFFSET))
        day = today or date.today()
        with self._reading() as session:
            total = 0
            if count:
                counted = self._forecasts_filtered(
                    select(func.count(ForecastRow.id)), speaker=speaker, outlet=outlet, open=open, due_by=due_by
                )
                total = session.scalar(counted) or 0
            return [_stored_forecast(*found, today=day) for found in session.execute(stmt)], total

    def forecast(self, forecast_id: int | str, *, today: date | None = None) -> StoredForecast | None:
        """One stored forecast by its ledger id (as :meth:`forecasts` lists it), or None."""
        wanted = str(forecast_id).strip()
        if not wanted.isdigit() or not 0 < int(wanted) <= _LARGEST_ID:  # no Integer column holds a larger one
            return None
        stmt = (
            select(ForecastRow, ForecastOutcome, Speaker.name, Article.title, Article.publisher, Article.published, Article.url)
            .outerjoin(Speaker, Speaker.id == ForecastRow.speaker_id)
            .join(Article, ForecastRow.article_id == Article.id)
            .outerjoin(ForecastOutcome, _OUTCOME_OF_FORECAST)
            .where(ForecastRow.id == int(wanted))
        )
        with self._reading() as session:
            found = session.execute(stmt).first()
            return _stored_forecast(*found, today=today or date.today()) if found is not None else None

    def record_outcome(
        self,
        forecast_id: int | str,
        outcome: str,
        *,
        note: str | None = None,
        source: str | None = None,
        judged_on: date | str | None = None,
    ) -> StoredForecast:
        """Record what became of forecast ``forecast_id`` (a ledger id): ``outcome`` is one of :data:`~onrecord.model.OUTCOMES`.

        The outcome is filed under the article's content hash and the forecast's normalised text
        (:func:`forecast_key`), not under the row, so it survives storing or re-processing the article
        again, which replaces the row and its id. Recording again replaces the earlier judgement, note
        and source included (a person correcting themselves). ``judged_on`` is the day the outcome
        was known (default today); ``source`` where it can be checked. Unknown id: E515; an outcome
        not in OUTCOMES: E516; a bad date: E505; a date before the article was published or in
        the future: E518 (see :func:`_check_judged`). Returns the forecast as it now reads.
        """
        if outcome not in OUTCOMES:
            raise _error("E516", outcome=outcome, choices=", ".join(OUTCOMES))
        judged = _as_date(judged_on) if judged_on else date.today()
        wanted = str(forecast_id).strip()
        for attempt in range(2):  # a second writer may file the same key between our read and write
            try:
                with Session(self.engine) as session, session.begin():
                    row, digest, filed = _filed_outcome(session, wanted)
                    _check_judged(wanted, judged, session.scalar(select(Article.published_on).where(Article.id == row.article_id)))
                    if filed is None:
                        filed = ForecastOutcome(content_hash=digest, key=row.key)
                        session.add(filed)
                    filed.text = row.text
                    filed.outcome = outcome
                    filed.note = note or None
                    filed.source = source or None
                    filed.judged_on = judged
                    filed.recorded_at = datetime.now(timezone.utc).replace(tzinfo=None)
                break
            except IntegrityError as err:
                if attempt:
                    raise _error("E517", detail=_brief(err)) from err
            except SQLAlchemyError as err:
                raise _error("E517", detail=_brief(err)) from err
        found = self.forecast(wanted)
        if found is None:  # its article was stored again meanwhile: the outcome is filed, the id is gone
            raise _error("E515", ref=wanted)
        return found

    def evidence(self, forecast_id: int | str, *, limit: int = 5, rerank: bool = True) -> list[Evidence]:
        """Sentences of later articles that may say what became of forecast ``forecast_id`` (E515 if there is none).

        Suggestions for whoever records the outcome, never an outcome: one sentence per article,
        from articles published on or after the forecast's (any other article when its own is
        undated), holding at least two of the forecast's words, ranked by closeness in meaning
        (a sentence encoder; ``rerank=False`` ranks by shared words alone, with no model);
        sentences that report come before those that themselves look ahead ("will", "likely").
        See :mod:`onrecord.store.evidence` for how they are found.
        """
        with self._reading() as session:
            row = _stored_forecast_row(session, str(forecast_id).strip())
            similarity = None
            if rerank:
                from ..extraction.sentences import load_sentence_encoder

                similarity = load_sentence_encoder().similarity
            since = session.scalar(select(Article.published_on).where(Article.id == row.article_id))
            found = _evidence.find(
                session.connection(), row.text, row.article_id, since, limit,
                speaker=row.speaker_name, speaker_type=row.speaker_type, similarity=similarity,
            )
            articles = {a.id: a for a in session.scalars(select(Article).where(Article.id.in_([f.article_id for f in found])))}
        return [
            Evidence(
                forecast_id=row.id, article_id=f.article_id, title=article.title, publisher=article.publisher,
                published=article.published, url=article.url, sentence=f.sentence, start=f.start, end=f.end,
                terms=f.terms, looks_ahead=f.looks_ahead, coverage=f.coverage, similarity=f.similarity, score=f.score,
            )
            for f, article in ((f, articles[f.article_id]) for f in found)
        ]

    def trail(
        self, article_id: int | None = None, attribution: str | None = None, *, text: str | None = None, limit: int = 50,
    ) -> Trail:
        """Where else the ledger holds the words of a quote: attribution ``attribution`` ("a3") of article
        ``article_id``, or the words of ``text`` (a quote pasted in), oldest article first.

        Only quotations (direct and mixed attributions) are traced. Each entry says how its words relate
        to the quote's (the same, part of it, longer, overlapping, or altered: words changed inside the
        shared stretch) and whether another speaker is named for them; :attr:`Trail.first` is the earliest
        dated of them all. Unknown attribution: E520; fewer than :data:`~onrecord.store.trail.MIN_SHARED`
        words to compare: E521; a paraphrase asked about: E522. See :mod:`onrecord.store.trail`.
        """
        with self._reading() as session:
            asked = None
            if text is None:
                ref = f"{article_id} {attribution}"
                asked = session.scalar(
                    select(AttributionRow).where(AttributionRow.article_id == article_id, AttributionRow.local_id == attribution)
                    .options(*self._QUOTE_LOADING)
                ) if article_id is not None and 0 < article_id <= _LARGEST_ID else None
                if asked is None:
                    raise _error("E520", ref=ref)
                if asked.kind not in _trail.QUOTED_KINDS:
                    raise _error("E522", ref=ref, kind=asked.kind)
                text = asked.content_text or ""
            words = _trail.quote_words(text)
            if len(words) < _trail.MIN_SHARED:
                raise _error("E521", n=len(words), least=_trail.MIN_SHARED, text=text[:80])
            found = _trail.find(session.connection(), words, exclude_article=asked.article_id if asked is not None else None)
            rows = {r.id: r for r in session.scalars(
                select(AttributionRow).where(AttributionRow.id.in_([f.attribution_id for f in found])).options(*self._QUOTE_LOADING)
            )}
            found.sort(key=lambda f: _oldest_first(rows[f.attribution_id]))
            quotes = [(rows[f.attribution_id], _quote(rows[f.attribution_id])) for f in found]
            entries = [
                TrailEntry(**q.to_dict(), relation=f.relation, shared=f.shared, changes=f.changes,
                           other_speaker=_other_speaker(asked, row))
                for f, (row, q) in zip(found, quotes)
            ]
            quote = _quote(asked) if asked is not None else None
            if asked is not None:
                quotes.append((asked, quote))
            dated = [(row.article.published_on, q) for row, q in quotes if row.article.published_on is not None]
            first = min(dated, key=lambda d: d[0])[1] if dated else None
        return Trail(quote=quote, words=len(words), entries=entries[:limit], total=len(entries), first=first)

    def clear_outcome(self, forecast_id: int | str) -> StoredForecast:
        """Take back the outcome recorded for forecast ``forecast_id``: it is open again (a mis-click, a
        judgement made too early). Unknown id: E515; nothing recorded: nothing to do. Returns the forecast."""
        wanted = str(forecast_id).strip()
        try:
            with Session(self.engine) as session, session.begin():
                _row, _digest, filed = _filed_outcome(session, wanted)
                if filed is not None:
                    session.delete(filed)
        except SQLAlchemyError as err:
            raise _error("E517", detail=_brief(err)) from err
        found = self.forecast(wanted)
        if found is None:
            raise _error("E515", ref=wanted)
        return found

    def track_record(self, speaker: int | str, *, today: date | None = None) -> TrackRecord:
        """How the forecasts of one speaker (an id or a name, as ``onrecord speakers`` lists it; E507, E508)
        turned out: counts, hit rate, mean Brier score and calibration (see :class:`TrackRecord`).

        Read from the outcomes recorded so far; ``today`` decides which open forecasts are
        overdue (default: the clock's date).
        """
        with self._reading() as session:
            found = _find_speaker(session, speaker)
            rows = session.execute(self._forecast_outcomes().where(ForecastRow.speaker_id == found.id)).all()
            return _track_record(found.id, found.name, found.type, rows, today or date.today())

    def track_records(self, min_judged: int = 1, *, today: date | None = None) -> list[TrackRecord]:
        """The leaderboard: the track record of every speaker with at least ``min_judged`` judged forecasts,
        best (lowest) mean Brier score first; those with nothing scored follow, most judged first.

        A Brier score from two forecasts says little: raise ``min_judged`` to compare speakers on more.
        """
        day = today or date.today()
        with self._reading() as session:
            rows = session.execute(self._forecast_outcomes().where(ForecastRow.speaker_id.is_not(None))).all()
            by_speaker: dict[int, list[Any]] = defaultdict(list)
            for row in rows:
                by_speaker[row[0]].append(row)
            speakers = session.execute(select(Speaker.id, Speaker.name, Speaker.type).where(Speaker.id.in_(list(by_speaker)))).all()
        records = [_track_record(i, name, type_, by_speaker[i], day) for i, name, type_ in speakers]
        records = [r for r in records if r.judged >= min_judged]
        return sorted(records, key=lambda r: (r.brier is None, r.brier or 0.0, -r.judged, r.speaker, r.speaker_id))

    @staticmethod
    def _forecast_outcomes() -> Any:
        """(speaker id, probability, due, outcome) of every forecast: what a track record is computed from."""
        return (
            select(ForecastRow.speaker_id, ForecastRow.probability, ForecastRow.due, ForecastOutcome.outcome)
            .join(Article, ForecastRow.article_id == Article.id)
            .outerjoin(ForecastOutcome, _OUTCOME_OF_FORECAST)
        )

    def _forecasts_filtered(
        self, stmt: Any, *, speaker: int | str | None, outlet: str | None, open: bool | None, due_by: date | str | None
    ) -> Any:
        """``stmt`` over forecasts, joined with their articles and outcomes and narrowed by :meth:`forecasts`' filters."""
        stmt = stmt.join(Article, ForecastRow.article_id == Article.id).outerjoin(ForecastOutcome, _OUTCOME_OF_FORECAST)
        wanted = str(speaker).strip() if speaker is not None else ""
        if isinstance(speaker, int) or wanted.isdigit():
            number = int(wanted)  # an id no Integer column holds is no speaker's
            stmt = stmt.where(ForecastRow.speaker_id == number if 0 < number <= _LARGEST_ID else false())
        elif wanted:
            key = speaker_key(wanted)
            named = select(Speaker.id).where(Speaker.key == key)
            merged_into = select(SpeakerAlias.speaker_id).where(SpeakerAlias.key == key, SpeakerAlias.rule == _JOIN)
            stmt = stmt.where(
                or_(
                    ForecastRow.speaker_id.in_(named.union(merged_into)),
                    func.lower(ForecastRow.speaker_name) == func.lower(wanted),  # as _filtered
                )
            )
        if outlet:
            stmt = stmt.where(self._outlet_is(outlet))
        if open is not None:  # open: no outcome filed; judged (open=False): one is, true, false or void
            stmt = stmt.where(ForecastOutcome.id.is_(None) if open else ForecastOutcome.id.is_not(None))
        if due_by:
            stmt = stmt.where(ForecastRow.due <= _as_date(due_by))
        return stmt

    _SUMMARY_COLUMNS = (
        Article.id, Article.content_hash, Article.source, Article.title, Article.url, Article.publisher,
        Article.published, Article.language, Article.model, Article.ingested_at,
    )
    #: How attributions shown as quotes load their article and speaker: in one query each, and
    #: without the article's text and JSON record, which a quote never shows.
    _QUOTE_LOADING = (selectinload(AttributionRow.article).load_only(*_SUMMARY_COLUMNS), selectinload(AttributionRow.speaker))

    @staticmethod
    def _article_summary(article: Article, attributions: int) -> dict[str, Any]:
        return {
            "id": article.id,
            "content_hash": article.content_hash,
            "source": article.source,
            "title": article.title,
            "url": article.url,
            "publisher": article.publisher,
            "published": article.published,
            "language": article.language,
            "model": article.model,
            "ingested_at": article.ingested_at.isoformat() if article.ingested_at else None,
            "attributions": attributions,
        }

    @staticmethod
    def _outlet_is(publisher: str) -> Any:
        """The WHERE clause for one publisher, any case; "(unknown)" means articles without one.

        Both sides go through the database's own lower(): SQLite's folds only A-Z, so a name
        lowered in Python ("ünïcode times") would never meet the stored one ("Ünïcode times").
        """
        if publisher == "(unknown)":
            return Article.publisher.is_(None)
        return func.lower(Article.publisher) == func.lower(publisher.strip())

    def _filtered(
        self,
        stmt: Any,
        *,
        speaker: str | None = None,
        speaker_id: int | None = None,
        outlet: str | None = None,
        since: date | str | None = None,
        until: date | str | None = None,
        kind: str | None = None,
        anonymous: bool | None = None,
    ) -> Any:
        """``stmt`` (attributions joined with their articles) narrowed by the filters :meth:`quotes`,
        :meth:`attribution_page` and the web pages share. A speaker name matches the ledger speaker's
        key, a name merged into it, or the attribution's own speaker name.
        """
        if speaker:
            key = speaker_key(speaker)
            named = select(Speaker.id).where(Speaker.key == key)
            merged_into = select(SpeakerAlias.speaker_id).where(SpeakerAlias.key == key, SpeakerAlias.rule == _JOIN)
            # Two indexed conditions (speaker_id; lower(speaker_name), migration 0004), so no table scan.
            stmt = stmt.where(
                or_(
                    AttributionRow.speaker_id.in_(named.union(merged_into)),
                    func.lower(AttributionRow.speaker_name) == func.lower(speaker.strip()),  # as _outlet_is
                )
            )
        if speaker_id is not None:
            stmt = stmt.where(AttributionRow.speaker_id == speaker_id)
        if outlet:
            stmt = stmt.where(self._outlet_is(outlet))
        if since:
            stmt = stmt.where(Article.published_on >= _as_date(since))
        if until:
            stmt = stmt.where(Article.published_on <= _as_date(until))
        if kind:
            stmt = stmt.where(AttributionRow.kind == kind)
        if anonymous is not None:
            stmt = stmt.where(AttributionRow.anonymous == anonymous)
        return stmt

    def _search_hits(self, words: list[str]) -> Any:
        """A subquery (id, score) of the attributions matching every word, higher score better;
        the same matching as :meth:`search`, per dialect, so it can be joined with filters.
        """
        if self.engine.dialect.name == "sqlite":
            match = " ".join('"' + w.replace('"', "") + '"' for w in words)
            sql = text(
                "SELECT rowid AS id, -bm25(attributions_fts, 1.0, 0.5, 0.25) AS score "
                "FROM attributions_fts WHERE attributions_fts MATCH :q"
            ).bindparams(q=match)
        elif self.engine.dialect.name == "postgresql":
            sql = text(  # search_vector: the stored, GIN-indexed tsvector of migration 0003
                "SELECT id, ts_rank(search_vector, plainto_tsquery('english', :q)) AS score "
                "FROM attributions WHERE search_vector @@ plainto_tsquery('english', :q)"
            ).bindparams(q=" ".join(words))
        else:
            stmt = select(AttributionRow.id.label("id"), literal(0.0, Float).label("score"))
            for word in words:
                stmt = stmt.where(AttributionRow.content_text.ilike(f"%{word}%"))
            return stmt.subquery("hits")
        return sql.columns(id=Integer, score=Float).subquery("hits")

    # helpers

    def _reading(self) -> Session:
        return _ReadSession(self.engine)

    def _rows(self) -> Iterator[dict[str, Any]]:
        """One flat row per attribution, with its article's and speaker's columns, in storage order."""
        with self._reading() as session:
            stmt = select(AttributionRow, Article).join(Article).order_by(Article.id, AttributionRow.id)
            for row, article in session.execute(stmt):
                yield _csv_row(row, article)

    def _export_csv(self, out: TextIO) -> int:
        writer = csv.DictWriter(out, fieldnames=_CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        n = 0
        for row in self._rows():
            writer.writerow(row)
            n += 1
        return n

    def _export_parquet(self, out: Any) -> int:
        import pyarrow as pa
        import pyarrow.parquet as pq

        rows = list(self._rows())
        table = pa.Table.from_pylist(rows) if rows else pa.table({c: pa.array([], pa.string()) for c in _CSV_COLUMNS})
        pq.write_table(table, out)
        return len(rows)


class _ReadSession(Session):
    """A session whose database errors become one-line E506 errors."""

    def __exit__(self, kind: Any, err: Any, tb: Any) -> None:
        super().__exit__(kind, err, tb)
        if isinstance(err, SQLAlchemyError):
            raise _error("E506", detail=_brief(err)) from err


# --- opening and migrating ---------------------------------------------------------------------


def _engine(url: str) -> Engine:
    if url.startswith(("postgresql://", "postgres://")):
        # SQLAlchemy's default PostgreSQL driver is psycopg2; onrecord[postgres] installs psycopg 3.
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(
        url,
        connect_args={"timeout": 30},  # wait for another writer instead of failing at once
        poolclass=StaticPool if memory else None,
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # ON DELETE CASCADE needs it, per connection
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the ingest writer
    cursor.close()


def upgrade(engine: Engine) -> None:
    """Run ``alembic upgrade head`` on ``engine`` from the package's migrations (no alembic.ini)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except Exception as err:  # alembic raises its own and SQLAlchemy's errors
        raise _error("E502", url=engine.url.render_as_string(hide_password=True), detail=_brief(err)) from err


# --- writing one article -----------------------------------------------------------------------


def _store(session: Session, document: Document, digest: str, link: str | None) -> Stored:
    """The body of :meth:`Ledger.add`: find the article ``document`` is (by text, else by URL) and store it."""
    article = session.scalar(select(Article).where(Article.content_hash == digest))
    version = "same"
    if article is None and link is not None:
        article = _at_url(session, link)
        if article is not None and _is_older(session, article, document, digest):
            if not _listed(session, article.id, digest):
                _list_version(session, article.id, digest, document.title, document.published, "older")
            return Stored(article.id, "older")
        if article is not None:
            _list_version(session, article.id, article.content_hash, article.title, article.published, "replaced")
            _refile_outcomes(session, article.content_hash, digest)
            article.content_hash = digest
            version = "revised"
    links: dict[tuple[str, str], int] = {}
    if article is None:
        article, version = Article(content_hash=digest), "new"
        session.add(article)
    else:
        links = _links(session, article.id)
        _clear(session, article.id)
    _fill(article, document)
    article.url_key = link  # follows the URL _fill stored, as a re-store under another URL moves it
    session.flush()
    _store_children(session, article.id, document, links)
    return Stored(article.id, version)


def _at_url(session: Session, link: str) -> Article | None:
    """The stored article at the URL whose :func:`url_key` is ``link``: the most recently published, then
    stored, when a ledger filled before migration 0006 holds several versions of it as articles."""
    return session.scalar(
        select(Article).where(Article.url_key == link)
        .order_by(Article.published_on.desc().nulls_last(), Article.id.desc()).limit(1)
    )


def _is_older(session: Session, article: Article, document: Document, digest: str) -> bool:
    """Whether ``document``, a new text at ``article``'s URL, is an older version than the stored one.

    It is when both have a date and its date is earlier (an old crawl ingested after a fresh
    fetch). A version the article has already had and left behind is too, unless its date is later
    than the stored one's: ingesting Monday's and Tuesday's copies of a feed again, in any
    order, must not bring Monday's text back.
    """
    order = _compare_published(document.published, article.published)
    if order is not None and order < 0:
        return True
    return _listed(session, article.id, digest) and not (order is not None and order > 0)


def _compare_published(a: str | None, b: str | None) -> int | None:
    """-1, 0 or 1 as publication date ``a`` is before, with or after ``b``; None when either has none.

    To the second when both give a time (a story updated the same day), else by day.
    """
    first, second = _moment(a), _moment(b)
    if first is None or second is None:
        return None
    if not (isinstance(first, datetime) and isinstance(second, datetime)):
        first, second = parse_date(a), parse_date(b)  # one without a time: compare the days
    return (first > second) - (first < second)


def _moment(value: str | None) -> datetime | date | None:
    """A ``published`` string as a UTC datetime when it gives a time, else as its date (None when it is none)."""
    day = parse_date(value)
    if day is None or len(value.strip()) <= 10:
        return day
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return day
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _listed(session: Session, article_id: int, digest: str) -> bool:
    """Whether the text of hash ``digest`` is one of the article's earlier (or older) versions."""
    return session.scalar(
        select(ArticleVersion.id).where(ArticleVersion.article_id == article_id, ArticleVersion.content_hash == digest).limit(1)
    ) is not None


def _list_version(session: Session, article_id: int, digest: str, title: str | None, published: str | None, kind: str) -> None:
    session.add(ArticleVersion(
        article_id=article_id, content_hash=digest, title=title, published=published, kind=kind,
        replaced_at=datetime.now(timezone.utc).replace(tzinfo=None),
    ))


def _refile_outcomes(session: Session, old: str, new: str) -> None:
    """Move the outcomes filed under an article's old content hash to its new one.

    An outcome is filed under (content hash, forecast key): a forecast the new version still
    makes, in the same words, is the same forecast and stays judged. One the new version
    dropped keeps its outcome too, under the new hash, and shows again if a later version
    brings it back. An outcome already filed under the new hash (the text was stored before)
    wins over the old one, which stays under the old hash.
    """
    taken = select(ForecastOutcome.key).where(ForecastOutcome.content_hash == new)
    session.execute(
        ForecastOutcome.__table__.update()
        .where(ForecastOutcome.content_hash == old, ForecastOutcome.key.not_in(taken))
        .values(content_hash=new)
    )


def _clear(session: Session, article_id: int) -> None:
    for table in (ForecastRow, AttributionRow, NonResponseRow, EdgeRow, ArticleSentence):  # forecasts first: they point at attributions
        session.execute(delete(table).where(table.article_id == article_id))


def _fill(article: Article, document: Document) -> None:
    record = document.to_dict()
    record.pop("text", None)  # the text has its own column
    article.source = document.id
    article.url = document.url
    article.title = document.title
    article.publisher = document.publisher
    article.published = document.published
    article.published_on = parse_date(document.published)
    article.language = document.language
    article.text = document.text
    article.model = document.model
    if article.ingested_at is None:  # when it first came: storing it again changes its reading, not its arrival
        article.ingested_at = datetime.now(timezone.utc).replace(tzinfo=None)
    article.record = record


def _links(session: Session, article_id: int) -> dict[tuple[str, str], int]:
    """The speakers an article's names are linked to now, as (key, type) -> speaker id.

    Linking depends on what the ledger held when the article arrived: a bare
    "McConnell" joins the only McConnell then, and is ambiguous once a second
    one exists. Storing the article again (a re-run, another preset) reuses
    these links, so the ledger's speakers do not depend on how often an
    article was ingested. Manual merges and splits have already rewritten them.
    """
    rows = session.execute(
        select(AttributionRow.speaker_name, AttributionRow.speaker_type, AttributionRow.speaker_id)
        .where(AttributionRow.article_id == article_id, AttributionRow.speaker_id.is_not(None))
        .union_all(
            select(ForecastRow.speaker_name, ForecastRow.speaker_type, ForecastRow.speaker_id)
            .where(ForecastRow.article_id == article_id, ForecastRow.speaker_id.is_not(None), ForecastRow.attribution_id.is_(None))
        )
    )
    return {(_key_for(name, type_), type_): speaker_id for name, type_, speaker_id in rows if name and type_}


def _store_children(
    session: Session, article_id: int, document: Document, links: dict[tuple[str, str], int] | None = None
) -> None:
    speakers: dict[tuple[str, str], int] = dict(links or {})
    # Rows are added after every speaker lookup: a query with rows pending would flush them one by one.
    attributions = [_attribution_row(session, article_id, att, speakers) for att in document.attributions]
    carriers = {row.local_id: row for row in attributions}
    own = [
        None if forecast.attribution in carriers else _linked_speaker(session, forecast.speaker, False, speakers)
        for forecast in document.forecasts
    ]
    session.add_all(attributions)
    if document.forecasts:
        session.flush()  # the attribution rows' ids, which the forecasts point at
        session.add_all([
            _forecast_row(article_id, forecast, carriers.get(forecast.attribution or ""), speaker_id)
            for forecast, speaker_id in zip(document.forecasts, own)
        ])
    for silent in document.non_responses:
        session.add(
            NonResponseRow(
                article_id=article_id,
                entity_name=silent.entity.name if silent.entity else None,
                entity_type=silent.entity.type if silent.entity else None,
                mention=silent.mention.text,
                cue=silent.cue.text,
            )
        )
    provenance = document.provenance
    if provenance is not None:
        for edge in provenance.edges:
            source = provenance.nodes.get(edge.source, (edge.source, None))
            target = provenance.nodes.get(edge.target, (edge.target, None))
            session.add(
                EdgeRow(
                    article_id=article_id,
                    from_name=source[0],
                    from_type=source[1],
                    to_name=target[0],
                    to_type=target[1],
                    relation=edge.relation,
                    attributions=list(edge.attributions),
                )
            )
    sentences = [
        {"article_id": article_id, "start": start, "end": end, "text": document.text[start:end]}
        for start, end in _evidence.sentence_spans(document.text)
    ]
    if sentences:  # one executemany, not the ORM's row by row: an article has dozens (forecast evidence)
        session.execute(insert(ArticleSentence), sentences)


def _attribution_row(session: Session, article_id: int, att: Attribution, cache: dict[tuple[str, str], int]) -> AttributionRow:
    ref = att.speaker
    return AttributionRow(
        article_id=article_id,
        local_id=att.id,
        kind=att.kind,
        source_text=_joined(att.source),
        cue_text=_joined(att.cue),
        content_text=_joined(att.content),
        spans={role: [[s.start, s.end] for s in getattr(att, role)] for role in ("source", "cue", "content")},
        speaker_id=_speaker_id(session, att, cache),
        speaker_name=ref.name if ref else None,
        speaker_type=ref.type if ref else None,
        anonymous=att.anonymous,
        parent=att.parent,
        confidence=att.confidence,
    )


def _forecast_row(article_id: int, forecast: Forecast, carrier: AttributionRow | None, speaker_id: int | None) -> ForecastRow:
    """The row of one forecast: its speaker is the attribution's that carries it, when one does (``carrier``),
    else its own, linked as an attribution's would be (``speaker_id``)."""
    if carrier is not None:
        speaker_id, name, type_ = carrier.speaker_id, carrier.speaker_name, carrier.speaker_type
    else:
        name, type_ = (forecast.speaker.name, forecast.speaker.type) if forecast.speaker else (None, None)
    return ForecastRow(
        article_id=article_id,
        local_id=forecast.id,
        key=forecast_key(forecast.text.text),
        text=forecast.text.text,
        estimative=forecast.estimative.text if forecast.estimative else None,
        probability=forecast.probability,
        horizon=forecast.horizon.text if forecast.horizon else None,
        due=parse_date(forecast.due),
        speaker_id=speaker_id,
        speaker_name=name,
        speaker_type=type_,
        attribution_id=carrier.id if carrier is not None else None,
        attribution=carrier.local_id if carrier is not None else None,
    )


def _speaker_id(session: Session, att: Attribution, cache: dict[tuple[str, str], int]) -> int | None:
    """The cross-article speaker of ``att``, created on first sight; None when it must not be linked."""
    return _linked_speaker(session, att.speaker, att.anonymous, cache)


def _linked_speaker(session: Session, ref: SpeakerRef | None, anonymous: bool, cache: dict[tuple[str, str], int]) -> int | None:
    """The cross-article speaker ``ref`` names, created on first sight; None when it must not be linked
    (anonymous sourcing, an unresolved or unlinked type). Attributions and forecasts without one share it."""
    if ref is not None and ref.type == "unknown" and ref.resolved and not anonymous:
        # The NER often leaves a bare "Gallyamov" untyped: it joins the one person of that surname, if
        # there is one, and is linked to nobody otherwise (nor stored as a speaker of its own).
        return _bare_surname(session, _key_for(ref.name, "person"))
    if ref is None or not ref.resolved or anonymous or ref.type in _UNLINKED_TYPES:
        return None
    key = _key_for(ref.name, ref.type)
    if not key:
        return None
    if (key, ref.type) not in cache:
        found = session.scalar(select(Speaker.id).where(Speaker.key == key, Speaker.type == ref.type))
        if found is None:
            found = _alias_target(session, key, ref.type)  # a name a person merged into another speaker
        if found is None and ref.type == "person":
            found = _bare_surname(session, key)
        if found is None:
            speaker = Speaker(name=ref.name, key=key, type=ref.type)
            session.add(speaker)
            session.flush()
            found = speaker.id
            if ref.type == "person" and " " in key:
                # Only a full name seen for the first time can make a bare surname stored before it
                # unambiguous; one already stored had its chance then (and a second one never does).
                _absorb_surname(session, key, found, cache)
        cache[(key, ref.type)] = found
    return cache[(key, ref.type)]


def _bare_surname(session: Session, key: str) -> int | None:
    """The one stored person whose surname a one-word person key is ("gallyamov" -> "Abbas Gallyamov"),
    unless a person split this name off that speaker; None when there is none, or the key is no bare name."""
    if not key or " " in key:
        return None
    found = _only_full_name(session, key)
    return None if found is None or _kept_apart(session, key, "person", found) else found


def _key_for(name: str, type_: str) -> str:
    """The key a speaker of ``type_`` named ``name`` is matched on: :func:`speaker_key`, and for people no titles."""
    key = speaker_key(name)
    return _without_titles(key) if type_ == "person" else key


def _without_titles(key: str) -> str:
    """A person's key without leading titles: "mr. gallyamov" -> "gallyamov", "sen. john smith" -> "john smith"."""
    titles = _titles()
    words = key.split()
    while len(words) > 1 and words[0].rstrip(".") in titles:
        words = words[1:]
    return " ".join(words)


@functools.cache
def _titles() -> frozenset[str]:
    """The resolver's titles and honorifics, without a final stop ("mr" for "Mr."), built once.

    Read from the resolver's data files, not through ``onrecord.resolve``, which imports spaCy:
    a command that only reads the ledger would wait seconds for it."""
    lines = (line for name in _TITLE_LISTS for line in read_lines(f"resolve_{name}.txt"))
    return frozenset(line.split("=", 1)[0].strip().lower().rstrip(".") for line in lines)


def _only_full_name(session: Session, surname: str) -> int | None:
    """The one stored person whose full name ends in ``surname``; None when there are none or several.

    Two Clintons make a bare "Clinton" ambiguous, so it stays its own speaker.
    """
    rows = session.scalars(
        select(Speaker.id).where(Speaker.type == "person", Speaker.key.endswith(f" {surname}", autoescape=True))
    ).all()
    return rows[0] if len(rows) == 1 else None


def _absorb_surname(session: Session, key: str, full_id: int, cache: dict[tuple[str, str], int]) -> None:
    """A bare surname stored before its full name arrived joins it, if this is its only full name: the
    speaker a bare surname typed person made, and the bare surnames the NER left untyped, which were
    linked to nobody (see :func:`_link_untyped`)."""
    surname = key.split()[-1]
    if _only_full_name(session, surname) != full_id or _kept_apart(session, surname, "person", full_id):
        return
    bare = session.scalar(select(Speaker.id).where(Speaker.key == surname, Speaker.type == "person"))
    if bare is not None:
        _move_speaker(session, bare, full_id)
        for cached, speaker_id in list(cache.items()):
            if speaker_id == bare:
                cache[cached] = full_id
    _link_untyped(session, surname, full_id)


def _link_untyped(session: Session, surname: str, full_id: int) -> None:
    """Link the unlinked, untyped, named attributions and own forecasts whose name is ``surname``, titles
    aside ("Gallyamov", "Mr. Gallyamov"), to ``full_id``, with the forecasts their attributions carry.

    What :func:`_linked_speaker` does for such a name when the full name is there first, done when
    it comes second. Found through the lower(speaker_name) index (migration 0004): the forms the
    name can take are listed, so no scan of every unlinked attribution runs per new person.
    """
    forms = {surname, surname[:1].upper() + surname[1:]}  # SQLite's lower() leaves a capital Ü as it is
    forms |= {f"{title}{stop} {form}" for title in _titles() for stop in ("", ".") for form in list(forms)}

    def named(table: Any) -> Any:
        return (
            select(table.id, table.speaker_name)
            .where(table.speaker_id.is_(None), table.speaker_type == "unknown", func.lower(table.speaker_name).in_(forms))
        )

    rows = session.execute(named(AttributionRow).where(AttributionRow.anonymous.is_(False))).all()
    moved = [i for i, name in rows if _key_for(name, "person") == surname]
    own = session.execute(named(ForecastRow).where(ForecastRow.attribution_id.is_(None))).all()
    forecasts = [i for i, name in own if _key_for(name, "person") == surname]
    if moved:
        session.execute(AttributionRow.__table__.update().where(AttributionRow.id.in_(moved)).values(speaker_id=full_id))
        session.execute(ForecastRow.__table__.update().where(ForecastRow.attribution_id.in_(moved)).values(speaker_id=full_id))
    if forecasts:
        session.execute(ForecastRow.__table__.update().where(ForecastRow.id.in_(forecasts)).values(speaker_id=full_id))


def _get(session: Session, table: type[Any], row_id: int) -> Any:
    """The row with this id, or None; an id no Integer column can hold is no row's."""
    return session.get(table, row_id) if 0 < row_id <= _LARGEST_ID else None


# --- manual decisions --------------------------------------------------------------------------

_JOIN, _APART = "join", "apart"


def _find_speaker(session: Session, ref: int | str) -> Speaker:
    """The one speaker ``ref`` names: a number is an id; a name matches keys and merge aliases (E507, E508;
    E519 for the name of a source the ledger never links, which ``onrecord speakers`` does not list either)."""
    wanted = str(ref).strip()
    if isinstance(ref, int) or wanted.isdigit():
        found = _get(session, Speaker, int(wanted))
        if found is None:
            raise _error("E507", ref=wanted)
        return found
    key = speaker_key(wanted)
    person = _without_titles(key)
    if not key:
        raise _error("E507", ref=wanted)

    def matches(column: Any, types: Any) -> Any:
        return or_(column == key, (types == "person") & (column == person))

    ids = set(session.scalars(select(Speaker.id).where(matches(Speaker.key, Speaker.type))))
    ids |= set(session.scalars(
        select(SpeakerAlias.speaker_id).where(SpeakerAlias.rule == _JOIN, matches(SpeakerAlias.key, SpeakerAlias.type))
    ))
    if not ids:
        unlinked = _unlinked_type(session, wanted)
        raise _error("E519", ref=wanted, type=unlinked) if unlinked else _error("E507", ref=wanted)
    candidates = session.scalars(select(Speaker).where(Speaker.id.in_(ids)).order_by(Speaker.id)).all()
    if len(candidates) > 1:
        listed = ", ".join(f"{s.id} {s.name} ({s.type})" for s in candidates)
        raise _error("E508", ref=wanted, candidates=listed)
    return candidates[0]


def _unlinked_type(session: Session, name: str) -> str | None:
    """The type of an attribution or forecast speaker named ``name`` (any case) that no ledger speaker
    stands for ("Ukrainian officials", anonymous), or None: how :func:`_find_speaker` tells a name the
    ledger never links from one it has never seen."""
    for table in (AttributionRow, ForecastRow):
        found = session.scalar(
            select(table.speaker_type)
            .where(table.speaker_id.is_(None), func.lower(table.speaker_name) == func.lower(name))  # as _filtered
            .limit(1)
        )
        if found is not None:
            return found
    return None


def _alias_target(session: Session, key: str, type_: str) -> int | None:
    """The speaker a person merged the name ``key`` into, if one did."""
    return session.scalar(
        select(SpeakerAlias.speaker_id).where(SpeakerAlias.key == key, SpeakerAlias.type == type_, SpeakerAlias.rule == _JOIN).limit(1)
    )


def _kept_apart(session: Session, key: str, type_: str, speaker_id: int) -> bool:
    """Whether a person split the name ``key`` off the speaker, so it must not join it again."""
    return session.scalar(
        select(SpeakerAlias.id).where(
            SpeakerAlias.speaker_id == speaker_id, SpeakerAlias.key == key, SpeakerAlias.type == type_, SpeakerAlias.rule == _APART
        ).limit(1)
    ) is not None


def _landing(session: Session, key: str, type_: str) -> int | None:
    """Where an ingest would put the name ``key`` by itself: the speaker keyed on it, or the one it is an alias of."""
    found = session.scalar(select(Speaker.id).where(Speaker.key == key, Speaker.type == type_))
    return found if found is not None else _alias_target(session, key, type_)


def _rule_keys(session: Session, speaker_id: int, rule: str) -> list[tuple[str, str]]:
    rows = session.execute(
        select(SpeakerAlias.key, SpeakerAlias.type).where(SpeakerAlias.speaker_id == speaker_id, SpeakerAlias.rule == rule)
    )
    return [(key, type_) for key, type_ in rows]


def _move_speaker(session: Session, source: int, target: int) -> int:
    """Move every attribution and alias rule of speaker ``source`` to ``target``, delete ``source``; return the attributions moved.

    A rule ``target`` already has for the same name wins over ``source``'s.
    """
    moved = session.execute(
        AttributionRow.__table__.update().where(AttributionRow.speaker_id == source).values(speaker_id=target)
    ).rowcount
    session.execute(ForecastRow.__table__.update().where(ForecastRow.speaker_id == source).values(speaker_id=target))
    taken = set(_rule_keys(session, target, _JOIN)) | set(_rule_keys(session, target, _APART))
    for rule in session.scalars(select(SpeakerAlias).where(SpeakerAlias.speaker_id == source)).all():
        if (rule.key, rule.type) in taken:
            session.delete(rule)
        else:
            rule.speaker_id = target
    session.flush()
    session.execute(delete(Speaker).where(Speaker.id == source))
    return moved or 0


def _log(session: Session, kind: str, speaker: Speaker, other_id: int | None, other: str | None,
         key: str, type_: str, moved: int) -> SpeakerChange:
    row = SpeakerDecision(
        kind=kind, speaker_id=speaker.id, speaker_name=speaker.name, other_id=other_id, other_name=other,
        key=key, type=type_, attributions=moved, created_at=datetime.now(timezone.utc).replace(tzinfo=None),
    )
    session.add(row)
    session.flush()
    return _change(row)


def _change(row: SpeakerDecision) -> SpeakerChange:
    return SpeakerChange(row.kind, row.speaker_id, row.speaker_name, row.other_id, row.other_name, row.key, row.attributions)


_TITLE_LISTS = ("titles", "honorifics_male", "honorifics_female")  # data/resolve_<name>.txt


def _joined(spans: list[Any]) -> str | None:
    return " … ".join(s.text for s in spans) if spans else None


# --- reading -----------------------------------------------------------------------------------


def _speaker_counts() -> tuple[Any, tuple[Any, ...]]:
    """Every linked speaker with its attributions and articles (SpeakerStats' columns), and the
    most-quoted-first order; :meth:`Ledger.speakers` and :meth:`Ledger.speaker_page` share them."""
    n_attr = func.count(AttributionRow.id)
    stmt = (
        select(Speaker.id, Speaker.name, Speaker.type, n_attr, func.count(func.distinct(AttributionRow.article_id)))
        .join(AttributionRow, AttributionRow.speaker_id == Speaker.id)
        .group_by(Speaker.id, Speaker.name, Speaker.type)
    )
    return stmt, (n_attr.desc(), Speaker.name, Speaker.id)


def _quote(row: AttributionRow, score: float | None = None) -> Quote:
    article = row.article
    return Quote(
        article_id=article.id,
        title=article.title,
        publisher=article.publisher,
        published=article.published,
        url=article.url,
        attribution=row.local_id,
        kind=row.kind,
        speaker=row.speaker.name if row.speaker else row.speaker_name,
        speaker_type=row.speaker_type,
        anonymous=row.anonymous,
        source=row.source_text,
        cue=row.cue_text,
        content=row.content_text,
        confidence=row.confidence,
        score=score,
    )


def _oldest_first(row: AttributionRow) -> tuple[Any, ...]:
    """Sort key: dated articles by date, undated ones last, then by article and attribution."""
    published = row.article.published_on
    return (published is None, published or date.min, row.article_id, row.id)


def _other_speaker(asked: AttributionRow | None, other: AttributionRow) -> bool | None:
    """Whether ``other`` puts the words in another named speaker's mouth than ``asked`` does.

    The same ledger speaker is the same; otherwise two names are compared by their last word with
    accents and case folded, since the ledger may keep "Donald J. Trump" and "Donald Trump", or
    "Calderon" and "Calderón", apart. None where either is unnamed or of no named type (a group, an
    unresolved phrase), or no stored quote was asked about."""
    from ..resolve.types import _fold  # not at import: the resolver package loads spaCy

    if asked is None:
        return None
    if asked.speaker_id is not None and asked.speaker_id == other.speaker_id:
        return False
    surnames = []
    for row in (asked, other):
        words = re.findall(r"\w+", row.speaker.name if row.speaker else row.speaker_name or "")
        if row.anonymous or row.speaker_type not in _evidence.NAMED_TYPES or not words:
            return None
        surnames.append(_fold(words[-1]))
    return surnames[0] != surnames[1]


#: How a forecast row meets the outcome filed for it: its article's content hash and its own key.
_OUTCOME_OF_FORECAST = (ForecastOutcome.content_hash == Article.content_hash) & (ForecastOutcome.key == ForecastRow.key)


def _stored_forecast(
    row: ForecastRow, filed: ForecastOutcome | None, speaker: str | None, title: str | None, publisher: str | None,
    published: str | None, url: str | None, *, today: date,
) -> StoredForecast:
    return StoredForecast(
        id=row.id,
        article_id=row.article_id,
        forecast=row.local_id,
        title=title,
        publisher=publisher,
        published=published,
        url=url,
        speaker_id=row.speaker_id,
        speaker=speaker or row.speaker_name,
        speaker_type=row.speaker_type,
        attribution=row.attribution,
        text=row.text,
        estimative=row.estimative,
        probability=row.probability,
        horizon=row.horizon,
        due=row.due.isoformat() if row.due else None,
        outcome=filed.outcome if filed else None,
        note=filed.note if filed else None,
        source=filed.source if filed else None,
        judged_on=filed.judged_on.isoformat() if filed and filed.judged_on else None,
        recorded_at=filed.recorded_at.isoformat() if filed else None,
        overdue=filed is None and row.due is not None and row.due < today,
    )


def _stored_forecast_row(session: Session, wanted: str) -> ForecastRow:
    """Forecast row ``wanted`` (its id as text), or E515 if there is none."""
    row = _get(session, ForecastRow, int(wanted)) if wanted.isdigit() else None
    if row is None:
        raise _error("E515", ref=wanted)
    return row


def _filed_outcome(session: Session, wanted: str) -> tuple[ForecastRow, str, ForecastOutcome | None]:
    """Forecast row ``wanted`` (E515 if there is none), its article's content hash, and the outcome filed for it."""
    row = _stored_forecast_row(session, wanted)
    digest = session.scalar(select(Article.content_hash).where(Article.id == row.article_id))
    filed = session.scalar(select(ForecastOutcome).where(ForecastOutcome.content_hash == digest, ForecastOutcome.key == row.key))
    return row, digest, filed


def _check_judged(ref: str, judged: date, published: date | None) -> None:
    """E518 unless ``judged`` can be the day a forecast's outcome was known: not before its article was
    published (what a forecast foretells cannot be known before it was made) and not in the future.

    "The future" starts the day after tomorrow: a server's today may be its client's yesterday.
    """
    latest = date.today() + timedelta(days=1)
    window = f"from {published.isoformat()} to today" if published else "today or earlier"
    if published is not None and judged < published:
        why = f"that is before its article was published ({published.isoformat()}), and an outcome cannot be known before the forecast was made"
    elif judged > latest:
        why = f"that is in the future (today is {date.today().isoformat()})"
    else:
        return
    raise _error("E518", ref=ref, judged=judged.isoformat(), why=why, window=window)


def _track_record(speaker_id: int, name: str, type_: str, rows: list[Any], today: date) -> TrackRecord:
    """A :class:`TrackRecord` from (speaker id, probability, due, outcome) rows, one per forecast."""
    outcomes = Counter(outcome for _, _, _, outcome in rows)
    judged = [(p, outcome == "true") for _, p, _, outcome in rows if outcome in ("true", "false")]
    scored = [(p, came) for p, came in judged if p is not None]
    came_true = sum(came for _, came in judged)
    right = sum(came == (p is None or p >= 0.5) for p, came in judged)  # "unlikely", and it did not happen: right
    bands = []
    for label, low, high in CALIBRATION_BANDS:
        inside = [(p, came) for p, came in scored if low <= p < high or (high == 1.0 and p == 1.0)]
        if inside:
            hits = sum(came for _, came in inside)
            bands.append(CalibrationBand(
                band=label, low=low, high=high, forecasts=len(inside), came_true=hits,
                share=round(hits / len(inside), 3), mean_probability=round(sum(p for p, _ in inside) / len(inside), 3),
            ))
    return TrackRecord(
        speaker_id=speaker_id,
        speaker=name,
        type=type_,
        forecasts=len(rows),
        judged=len(judged),
        came_true=came_true,
        came_false=len(judged) - came_true,
        void=outcomes["void"],
        open=outcomes[None],
        overdue=sum(1 for _, _, due, outcome in rows if outcome is None and due is not None and due < today),
        hit_rate=round(right / len(judged), 3) if judged else None,
        scored=len(scored),
        brier=round(sum((p - came) ** 2 for p, came in scored) / len(scored), 4) if scored else None,
        calibration=bands,
    )


def _version(row: ArticleVersion) -> dict[str, Any]:
    return {
        "content_hash": row.content_hash,
        "title": row.title,
        "published": row.published,
        "kind": row.kind,
        "replaced_at": row.replaced_at.isoformat(),
    }


def _record(article: Article) -> dict[str, Any]:
    record = dict(article.record)
    out: dict[str, Any] = {"schema_version": record.pop("schema_version", None)}
    if "id" in record:
        out["id"] = record.pop("id")
    out["text"] = article.text
    out.update(record)
    return out


_CSV_COLUMNS = [
    "article_id", "content_hash", "title", "url", "publisher", "published", "attribution", "kind",
    "speaker_id", "speaker", "speaker_type", "anonymous", "source", "cue", "content", "parent", "confidence",
]


def _csv_row(row: AttributionRow, article: Article) -> dict[str, Any]:
    return {
        "article_id": article.id,
        "content_hash": article.content_hash,
        "title": article.title,
        "url": article.url,
        "publisher": article.publisher,
        "published": article.published,
        "attribution": row.local_id,
        "kind": row.kind,
        "speaker_id": row.speaker_id,
        "speaker": row.speaker_name,
        "speaker_type": row.speaker_type,
        "anonymous": row.anonymous,
        "source": row.source_text,
        "cue": row.cue_text,
        "content": row.content_text,
        "parent": row.parent,
        "confidence": row.confidence,
    }


def _as_date(value: date | str) -> date:
    """A ``since``/``until`` filter's date, read by :func:`parse_date` exactly as an article's ``published``
    is when it is stored, so that any date an article can be filed under (``20221120`` too) can be asked for."""
    if isinstance(value, date):
        return value
    parsed = parse_date(value)
    if parsed is None:
        raise _error("E505", value=value)
    return parsed


def _brief(err: BaseException) -> str:
    """The first line of an error, without SQLAlchemy's background links."""
    message = str(getattr(err, "orig", None) or err).strip().splitlines()
    return (message[0] if message else type(err).__name__)[:300]
