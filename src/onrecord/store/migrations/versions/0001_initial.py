"""The first ledger: articles, speakers, attributions, non-responses, edges, full-text search.

Revision ID: 0001
Revises:
Create Date: 2026-11-24

Full-text search differs by dialect: SQLite gets an FTS5 table
(``attributions_fts``, rowid = attributions.id) kept in sync by triggers;
PostgreSQL gets a GIN index over a tsvector expression that
:meth:`Ledger.search` repeats word for word so the planner uses it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

#: The tsvector expression of the PostgreSQL index; ledger.py has the same text.
PG_TSVECTOR = "to_tsvector('english', coalesce(content_text, '') || ' ' || coalesce(speaker_name, ''))"


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("source", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("publisher", sa.String(255), index=True),
        sa.Column("published", sa.String(64)),
        sa.Column("published_on", sa.Date, index=True),
        sa.Column("language", sa.String(16)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("model", sa.String(255)),
        sa.Column("ingested_at", sa.DateTime, nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
    )
    op.create_table(
        "speakers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.UniqueConstraint("key", "type", name="uq_speakers_key_type"),
    )
    op.create_table(
        "attributions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("local_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False, index=True),
        sa.Column("source_text", sa.Text),
        sa.Column("cue_text", sa.Text),
        sa.Column("content_text", sa.Text),
        sa.Column("spans", sa.JSON, nullable=False),
        sa.Column("speaker_id", sa.Integer, sa.ForeignKey("speakers.id", ondelete="SET NULL"), index=True),
        sa.Column("speaker_name", sa.String(512)),
        sa.Column("speaker_type", sa.String(32)),
        sa.Column("anonymous", sa.Boolean, nullable=False),
        sa.Column("parent", sa.String(32)),
        sa.Column("confidence", sa.Float, nullable=False),
    )
    op.create_table(
        "non_responses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("entity_name", sa.String(512)),
        sa.Column("entity_type", sa.String(32)),
        sa.Column("mention", sa.Text, nullable=False),
        sa.Column("cue", sa.Text, nullable=False),
    )
    op.create_table(
        "edges",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("from_name", sa.String(512), nullable=False),
        sa.Column("from_type", sa.String(32)),
        sa.Column("to_name", sa.String(512), nullable=False),
        sa.Column("to_type", sa.String(32)),
        sa.Column("relation", sa.String(32), nullable=False),
        sa.Column("attributions", sa.JSON, nullable=False),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_fts()
    elif dialect == "postgresql":
        op.execute(f"CREATE INDEX ix_attributions_fts ON attributions USING GIN ({PG_TSVECTOR})")


def _sqlite_fts() -> None:
    # A contentful FTS5 table (it keeps its own copy of the words): simpler triggers than
    # an external-content one, and the title is denormalised into it for ranking.
    op.execute("CREATE VIRTUAL TABLE attributions_fts USING fts5(content, speaker, title, tokenize='porter unicode61')")
    op.execute(
        """CREATE TRIGGER attributions_fts_insert AFTER INSERT ON attributions BEGIN
             INSERT INTO attributions_fts(rowid, content, speaker, title)
             VALUES (new.id, coalesce(new.content_text, ''), coalesce(new.speaker_name, ''),
                     coalesce((SELECT title FROM articles WHERE id = new.article_id), ''));
           END"""
    )
    op.execute(
        """CREATE TRIGGER attributions_fts_delete AFTER DELETE ON attributions BEGIN
             DELETE FROM attributions_fts WHERE rowid = old.id;
           END"""
    )
    op.execute(
        """CREATE TRIGGER attributions_fts_update AFTER UPDATE ON attributions BEGIN
             DELETE FROM attributions_fts WHERE rowid = old.id;
             INSERT INTO attributions_fts(rowid, content, speaker, title)
             VALUES (new.id, coalesce(new.content_text, ''), coalesce(new.speaker_name, ''),
                     coalesce((SELECT title FROM articles WHERE id = new.article_id), ''));
           END"""
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS attributions_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS attributions_fts")
    for table in ("edges", "non_responses", "attributions", "speakers", "articles"):
        op.drop_table(table)
