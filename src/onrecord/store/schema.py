"""The ledger's tables, as SQLAlchemy 2 ORM models.

The relational rows exist to answer queries (who said what, where, when);
``articles.record`` keeps the whole extraction output as JSON so that an
export gives back exactly the nested :class:`~onrecord.model.Document`
without the store having to model every detail (entity mentions, chains).

The Alembic migrations in ``store/migrations`` create these tables; keep
both in step (a schema change is a new migration, never an edit to an old one).
Only portable types are used so the same models run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "Base",
    "Article",
    "ArticleVersion",
    "ArticleSentence",
    "Speaker",
    "SpeakerAlias",
    "SpeakerDecision",
    "AttributionRow",
    "NonResponseRow",
    "EdgeRow",
    "ForecastRow",
    "ForecastOutcome",
]


class Base(DeclarativeBase):
    """Declarative base of every ledger table."""


class Article(Base):
    """One article, unique by the hash of its normalised text; a later text at the same URL is a new version of it.

    ``url_key`` (see :func:`~onrecord.store.ledger.url_key`) is how a new version
    finds the article: an edited story keeps its URL, not its text.
    """

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str | None] = mapped_column(Text)  # the input it was read from (Document.id)
    url: Mapped[str | None] = mapped_column(Text)
    url_key: Mapped[str | None] = mapped_column(String(64), index=True)  # sha256 of the normalised URL
    title: Mapped[str | None] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(String(255), index=True)
    published: Mapped[str | None] = mapped_column(String(64))  # as the source gave it
    published_on: Mapped[date | None] = mapped_column(Date, index=True)  # parsed, for date filters
    language: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(String(255))
    ingested_at: Mapped[datetime] = mapped_column(DateTime)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)  # Document.to_dict() without the text

    attributions: Mapped[list[AttributionRow]] = relationship(
        back_populates="article", cascade="all, delete-orphan", passive_deletes=True, order_by="AttributionRow.id"
    )
    non_responses: Mapped[list[NonResponseRow]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    edges: Mapped[list[EdgeRow]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    forecasts: Mapped[list[ForecastRow]] = relationship(
        back_populates="article", cascade="all, delete-orphan", passive_deletes=True, order_by="ForecastRow.id"
    )


class ArticleVersion(Base):
    """An earlier (or late-arriving older) version of an article: what it was, not what was read in it.

    ``kind`` is ``"replaced"`` (it was the article's text until a newer version at the same URL
    replaced it) or ``"older"`` (it arrived after a newer one, e.g. an old crawl ingested after a
    fresh fetch, and was only recorded here). The text and its extraction are not kept: the
    rows answer "revised N times", and which hash an outcome judged before a revision was under.
    """

    __tablename__ = "article_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    replaced_at: Mapped[datetime] = mapped_column(DateTime)  # when it was replaced, or recorded as older


class ArticleSentence(Base):
    """One sentence of a stored article, indexed for full-text search (forecast evidence, :mod:`~onrecord.store.evidence`).

    Replaced with the article's other rows whenever it is stored again. The index
    itself is outside the ORM (migration 0007): SQLite's ``sentences_fts``, kept by
    triggers, or PostgreSQL's stored ``search_vector`` column.
    """

    __tablename__ = "article_sentences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)  # offsets into articles.text
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class Speaker(Base):
    """A speaker across articles: one row per normalised canonical name and type."""

    __tablename__ = "speakers"
    __table_args__ = (UniqueConstraint("key", "type", name="uq_speakers_key_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(512))  # as first seen
    key: Mapped[str] = mapped_column(String(512))
    type: Mapped[str] = mapped_column(String(32))


class SpeakerAlias(Base):
    """A rule about one (key, type) and one speaker, left by a manual merge or split.

    ``rule`` is ``"join"`` (the key lands on the speaker: a name merged into it)
    or ``"apart"`` (the key must never join the speaker, whether by the bare
    surname rule or by a merge alias: a name split off it).
    """

    __tablename__ = "speaker_aliases"
    __table_args__ = (
        UniqueConstraint("key", "type", "speaker_id", name="uq_speaker_aliases_key_type_speaker"),
        Index("ix_speaker_aliases_key_type", "key", "type"),  # every ingest looks names up here
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(512))
    type: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(8))


class SpeakerDecision(Base):
    """One manual merge or split, as the log of what a person decided (names kept as they were then)."""

    __tablename__ = "speaker_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "merge" or "split"
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id", ondelete="SET NULL"), index=True)
    speaker_name: Mapped[str] = mapped_column(String(512))  # the speaker kept (merge) or split from (split)
    other_id: Mapped[int | None] = mapped_column(Integer)  # the speaker merged away, or the one split off
    other_name: Mapped[str | None] = mapped_column(String(512))
    key: Mapped[str] = mapped_column(String(512))  # the key merged in, or kept apart
    type: Mapped[str] = mapped_column(String(32))
    attributions: Mapped[int] = mapped_column(Integer)  # how many attributions moved
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AttributionRow(Base):
    """One attribution of one article; ``local_id`` is its id in the article ("a1")."""

    __tablename__ = "attributions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    local_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    source_text: Mapped[str | None] = mapped_column(Text)
    cue_text: Mapped[str | None] = mapped_column(Text)
    content_text: Mapped[str | None] = mapped_column(Text)
    spans: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"source": [[start, end], ...], "cue": ..., "content": ...}
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id", ondelete="SET NULL"), index=True)
    speaker_name: Mapped[str | None] = mapped_column(String(512))
    speaker_type: Mapped[str | None] = mapped_column(String(32))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    parent: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)

    article: Mapped[Article] = relationship(back_populates="attributions")
    speaker: Mapped[Speaker | None] = relationship()


class NonResponseRow(Base):
    """Someone asked for comment who gave none."""

    __tablename__ = "non_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    entity_name: Mapped[str | None] = mapped_column(String(512))
    entity_type: Mapped[str | None] = mapped_column(String(32))
    mention: Mapped[str] = mapped_column(Text)
    cue: Mapped[str] = mapped_column(Text)


class EdgeRow(Base):
    """One provenance edge of one article, by node names (node ids are local to the article)."""

    __tablename__ = "edges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    from_name: Mapped[str] = mapped_column(String(512))
    from_type: Mapped[str | None] = mapped_column(String(32))
    to_name: Mapped[str] = mapped_column(String(512))
    to_type: Mapped[str | None] = mapped_column(String(32))
    relation: Mapped[str] = mapped_column(String(32))
    attributions: Mapped[list[str]] = mapped_column(JSON)


class ForecastRow(Base):
    """One forecast of one article; ``local_id`` is its id in the article ("f1").

    Replaced with the article's other rows whenever the article is stored again,
    so what became of it lives apart, in :class:`ForecastOutcome`, under ``key``.
    ``speaker_id`` is the ledger speaker: the one of the attribution that carries
    the forecast (``attribution_id``), else the forecast's own speaker, linked as
    attribution speakers are.
    """

    __tablename__ = "forecasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    local_id: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))  # forecast_key(text): with the article's hash, what an outcome is filed under
    text: Mapped[str] = mapped_column(Text)
    estimative: Mapped[str | None] = mapped_column(Text)
    probability: Mapped[float | None] = mapped_column(Float)
    horizon: Mapped[str | None] = mapped_column(Text)
    due: Mapped[date | None] = mapped_column(Date, index=True)
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id", ondelete="SET NULL"), index=True)
    speaker_name: Mapped[str | None] = mapped_column(String(512))
    speaker_type: Mapped[str | None] = mapped_column(String(32))
    attribution_id: Mapped[int | None] = mapped_column(ForeignKey("attributions.id", ondelete="SET NULL"), index=True)
    attribution: Mapped[str | None] = mapped_column(String(32))  # the attribution's id in the article ("a3")

    article: Mapped[Article] = relationship(back_populates="forecasts")
    speaker: Mapped[Speaker | None] = relationship()


class ForecastOutcome(Base):
    """What became of a forecast, as a person recorded it: one row per (article hash, forecast key).

    Keyed by what survives storing the article again (its content hash and the
    forecast's normalised text), not by row ids, which a re-store replaces: an
    outcome recorded once shows on the forecast however often its article is
    re-read, and on any later reading that finds the same forecast.
    """

    __tablename__ = "forecast_outcomes"
    __table_args__ = (UniqueConstraint("content_hash", "key", name="uq_forecast_outcomes_hash_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)  # the forecast as written when judged, for a person reading the table
    outcome: Mapped[str] = mapped_column(String(8))  # one of model.OUTCOMES
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)  # where the outcome can be checked (a URL)
    judged_on: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
