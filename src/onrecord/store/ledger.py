"""The corpus ledger: many articles in one database, and the questions asked of it.

:meth:`Ledger.add` stores one extracted :class:`~onrecord.model.Document` in
its own transaction, so a run killed half way leaves every article either
fully stored or absent, and running it again finishes the job. Articles are
keyed by the hash of their normalised text (:func:`content_hash`): the same
article with other whitespace or quote marks is one row, and adding it again
replaces what was extracted from it instead of duplicating it.

Speakers are linked across articles conservatively (:func:`speaker_key`):
the same normalised name and type merge; for people, titles are ignored and a
bare surname ("Gallyamov", "Mr. Gallyamov") joins a full name only when the
ledger holds exactly one person with that surname (two Clintons keep "Clinton"
apart); unresolved or anonymous speakers are never linked at all.

SQLite is the default and the tested backend; PostgreSQL code paths (the
full-text query) are written behind dialect checks but not yet tested.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from collections.abc import Iterator
from typing import Any, TextIO

from sqlalchemy import Engine, create_engine, delete, event, func, or_, select, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from ..errors import E, OnrecordError
from ..ingest import normalise
from ..model import Attribution, Document
from .schema import Article, AttributionRow, EdgeRow, NonResponseRow, Speaker

__all__ = [
    "EXPORT_FORMATS",
    "StoreError",
    "Ledger",
    "Quote",
    "SpeakerStats",
    "OutletStats",
    "content_hash",
    "speaker_key",
    "database_url",
    "parse_date",
]

EXPORT_FORMATS = ("jsonl", "csv", "parquet")
#: Speaker types that never link across articles: "a source" (or "some soldiers") here is not the one there.
_UNLINKED_TYPES = frozenset({"anonymous", "unspecified_reports", "group", "unknown"})
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_TSVECTOR = "to_tsvector('english', coalesce(content_text, '') || ' ' || coalesce(speaker_name, ''))"


class StoreError(OnrecordError):
    """The ledger database cannot be opened, migrated, written or read."""


def _error(code: str, **fields: Any) -> StoreError:
    return StoreError(code, getattr(E, code).format(**fields))


# --- keys --------------------------------------------------------------------------------------


def content_hash(text_: str) -> str:
    """sha256 of the normalised text with whitespace runs collapsed: the article's identity.

    normalise() already maps quote marks and odd spaces to plain ones; collapsing
    runs of whitespace makes re-wrapped copies of one article the same article.
    """
    plain = " ".join(normalise(text_).text.split())
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def speaker_key(name: str) -> str:
    """The normalised canonical name speakers are matched on across articles.

    Lower case, no leading "the", single spaces, straight quotes: so "The Kremlin"
    and "the  Kremlin" are one key, but "Hillary Clinton" and "Bill Clinton"
    (or a bare "Clinton") stay three.
    """
    key = unicodedata.normalize("NFKC", normalise(name).text).casefold()
    key = " ".join(key.split()).strip(" .,;:")
    return re.sub(r"^the\s+", "", key)


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


def parse_date(value: str | None) -> date | None:
    """The date an ISO 8601 string starts with, or None when it does not start with one."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


# --- results -----------------------------------------------------------------------------------


@dataclass
class Quote:
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SpeakerStats:
    """A cross-article speaker and how much the corpus quotes it."""

    id: int
    name: str
    type: str
    attributions: int
    articles: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class OutletStats:
    """One publisher's sourcing: volume, anonymous share, who it quotes and relays."""

    publisher: str
    articles: int
    attributions: int
    anonymous: int
    anonymous_share: float
    top_speakers: list[str] = field(default_factory=list)
    relays: list[str] = field(default_factory=list)  # media outlets its articles pass words on from

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- the ledger --------------------------------------------------------------------------------


class Ledger:
    """A database of extracted articles. Open with :meth:`open`; close when done (or use ``with``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)

    # opening

    @classmethod
    def open(cls, url: str | None = None) -> "Ledger":
        """Open (creating or migrating as needed) the ledger at ``url``; see :func:`database_url`."""
        url = database_url(url)
        try:
            engine = _engine(url)
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
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

    def add(self, document: Document) -> tuple[int, bool]:
        """Store ``document`` in one transaction; return (article id, True if it was not there before).

        An article already there (same content hash) is updated in place: its
        attributions, non-responses and edges are replaced by the new ones.
        """
        digest = content_hash(document.text)
        for attempt in range(2):  # a second writer may insert the same hash between our read and write
            try:
                with Session(self.engine) as session, session.begin():
                    article = session.scalar(select(Article).where(Article.content_hash == digest))
                    is_new = article is None
                    if article is None:
                        article = Article(content_hash=digest)
                        session.add(article)
                    else:
                        _clear(session, article.id)
                    _fill(article, document)
                    session.flush()
                    _store_children(session, article.id, document)
                    return article.id, is_new
            except IntegrityError as err:
                if attempt:
                    raise _error("E503", detail=_brief(err)) from err
            except SQLAlchemyError as err:
                raise _error("E503", detail=_brief(err)) from err
        raise AssertionError("unreachable")

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
        with self._reading() as session:
            if self.engine.dialect.name == "postgresql":
                rows = self._search_pg(session, " ".join(words), limit)
            elif self.engine.dialect.name == "sqlite":
                rows = self._search_sqlite(session, words, limit)
            else:
                rows = self._search_like(session, words, limit)
            ids = [row_id for row_id, _ in rows]
            found = {a.id: a for a in session.scalars(select(AttributionRow).where(AttributionRow.id.in_(ids)))}
            return [_quote(found[i], score) for i, score in rows if i in found]

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
        """Attributions filtered by speaker (full name, any case), outlet, date range, kind, anonymity.

        The date range is inclusive and applies to the article's publication
        date; articles without a date are left out when a range is given.
        """
        stmt = select(AttributionRow).join(Article)
        if speaker:
            key = speaker_key(speaker)
            stmt = stmt.outerjoin(Speaker, AttributionRow.speaker_id == Speaker.id).where(
                or_(Speaker.key == key, func.lower(AttributionRow.speaker_name) == speaker.strip().lower())
            )
        if outlet:
            stmt = stmt.where(func.lower(Article.publisher) == outlet.strip().lower())
        if since:
            stmt = stmt.where(Article.published_on >= _as_date(since))
        if until:
            stmt = stmt.where(Article.published_on <= _as_date(until))
        if kind:
            stmt = stmt.where(AttributionRow.kind == kind)
        if anonymous is not None:
            stmt = stmt.where(AttributionRow.anonymous == anonymous)
        stmt = stmt.order_by(Article.published_on.desc(), Article.id, AttributionRow.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._reading() as session:
            return [_quote(row) for row in session.scalars(stmt)]

    def speakers(self, top: int | None = None) -> list[SpeakerStats]:
        """Cross-article speakers, most quoted first."""
        n_attr = func.count(AttributionRow.id)
        stmt = (
            select(Speaker.id, Speaker.name, Speaker.type, n_attr, func.count(func.distinct(AttributionRow.article_id)))
            .join(AttributionRow, AttributionRow.speaker_id == Speaker.id)
            .group_by(Speaker.id, Speaker.name, Speaker.type)
            .order_by(n_attr.desc(), Speaker.name)
        )
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
            by_speaker: dict[str, Counter[str]] = defaultdict(Counter)
            rows = session.execute(
                select(Article.publisher, AttributionRow.anonymous, Speaker.name)
                .join(AttributionRow, AttributionRow.article_id == Article.id)
                .outerjoin(Speaker, AttributionRow.speaker_id == Speaker.id)
            )
            for publisher, anonymous, speaker in rows:
                one = stats[publisher or "(unknown)"]
                one.attributions += 1
                one.anonymous += bool(anonymous)
                if speaker:
                    by_speaker[one.publisher][speaker] += 1
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
                article = session.get(Article, article_id)
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

    def _search_sqlite(self, session: Session, words: list[str], limit: int) -> list[tuple[int, float]]:
        match = " ".join('"' + w.replace('"', "") + '"' for w in words)  # quoted: no FTS5 syntax from users
        sql = text(
            "SELECT rowid, bm25(attributions_fts, 1.0, 0.5, 0.25) AS rank FROM attributions_fts "
            "WHERE attributions_fts MATCH :q ORDER BY rank LIMIT :n"
        )
        return [(rowid, round(-rank, 4)) for rowid, rank in session.execute(sql, {"q": match, "n": limit})]

    def _search_pg(self, session: Session, query: str, limit: int) -> list[tuple[int, float]]:
        # Same expression as the GIN index in migration 0001, so the index is used.
        sql = text(
            f"SELECT id, ts_rank({_PG_TSVECTOR}, q) AS rank FROM attributions, plainto_tsquery('english', :q) q "
            f"WHERE {_PG_TSVECTOR} @@ q ORDER BY rank DESC LIMIT :n"
        )
        return [(i, float(rank)) for i, rank in session.execute(sql, {"q": query, "n": limit})]

    def _search_like(self, session: Session, words: list[str], limit: int) -> list[tuple[int, float]]:
        stmt = select(AttributionRow.id)
        for word in words:
            stmt = stmt.where(AttributionRow.content_text.ilike(f"%{word}%"))
        return [(i, 0.0) for i in session.scalars(stmt.limit(limit))]


class _ReadSession(Session):
    """A session whose database errors become one-line E506 errors."""

    def __exit__(self, kind: Any, err: Any, tb: Any) -> None:
        super().__exit__(kind, err, tb)
        if isinstance(err, SQLAlchemyError):
            raise _error("E506", detail=_brief(err)) from err


# --- opening and migrating ---------------------------------------------------------------------


def _engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url)
    memory = url in ("sqlite://", "sqlite:///:memory:")
    if not memory:
        Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
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


def _clear(session: Session, article_id: int) -> None:
    for table in (AttributionRow, NonResponseRow, EdgeRow):
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
    article.ingested_at = datetime.now(timezone.utc).replace(tzinfo=None)
    article.record = record


def _store_children(session: Session, article_id: int, document: Document) -> None:
    speakers: dict[tuple[str, str], int] = {}
    for att in document.attributions:
        session.add(_attribution_row(session, article_id, att, speakers))
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


def _speaker_id(session: Session, att: Attribution, cache: dict[tuple[str, str], int]) -> int | None:
    """The cross-article speaker of ``att``, created on first sight; None when it must not be linked."""
    ref = att.speaker
    if ref is None or not ref.resolved or att.anonymous or ref.type in _UNLINKED_TYPES:
        return None
    key = speaker_key(ref.name)
    if ref.type == "person":
        key = _without_titles(key)
    if not key:
        return None
    if (key, ref.type) not in cache:
        found = session.scalar(select(Speaker.id).where(Speaker.key == key, Speaker.type == ref.type))
        if found is None and ref.type == "person" and " " not in key:
            found = _only_full_name(session, key)  # "Gallyamov" -> the one "Abbas Gallyamov"
        if found is None:
            speaker = Speaker(name=ref.name, key=key, type=ref.type)
            session.add(speaker)
            session.flush()
            found = speaker.id
        if ref.type == "person" and " " in key:
            _absorb_surname(session, key, found, cache)
        cache[(key, ref.type)] = found
    return cache[(key, ref.type)]


def _without_titles(key: str) -> str:
    """A person's key without leading titles: "mr. gallyamov" -> "gallyamov", "sen. john smith" -> "john smith"."""
    from ..data import read_lines

    titles = {line.split("=")[0].strip().lower().rstrip(".") for name in _TITLE_FILES for line in read_lines(name)}
    words = key.split()
    while len(words) > 1 and words[0].rstrip(".") in titles:
        words = words[1:]
    return " ".join(words)


def _only_full_name(session: Session, surname: str) -> int | None:
    """The one stored person whose full name ends in ``surname``; None when there are none or several.

    Two Clintons make a bare "Clinton" ambiguous, so it stays its own speaker.
    """
    rows = session.scalars(
        select(Speaker.id).where(Speaker.type == "person", Speaker.key.endswith(f" {surname}", autoescape=True))
    ).all()
    return rows[0] if len(rows) == 1 else None


def _absorb_surname(session: Session, key: str, full_id: int, cache: dict[tuple[str, str], int]) -> None:
    """A bare surname stored before its full name arrived joins it, if this is its only full name."""
    surname = key.split()[-1]
    bare = session.scalar(select(Speaker.id).where(Speaker.key == surname, Speaker.type == "person"))
    if bare is None or _only_full_name(session, surname) != full_id:
        return
    session.execute(
        AttributionRow.__table__.update().where(AttributionRow.speaker_id == bare).values(speaker_id=full_id)
    )
    session.execute(delete(Speaker).where(Speaker.id == bare))
    cache.pop((surname, "person"), None)


_TITLE_FILES = ("resolve_titles.txt", "resolve_honorifics_male.txt", "resolve_honorifics_female.txt")


def _joined(spans: list[Any]) -> str | None:
    return " … ".join(s.text for s in spans) if spans else None


# --- reading -----------------------------------------------------------------------------------


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
    if isinstance(value, date):
        return value
    parsed = parse_date(value)
    if parsed is None or len(value.strip()) < 10:
        raise _error("E505", value=value)
    return parsed


def _brief(err: BaseException) -> str:
    """The first line of an error, without SQLAlchemy's background links."""
    message = str(getattr(err, "orig", None) or err).strip().splitlines()
    return (message[0] if message else type(err).__name__)[:300]
