"""Every stored article's sentences, indexed for full-text search: what forecast evidence is found in.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

``article_sentences`` holds one row per sentence (offsets into ``articles.text``
and the sentence's text), replaced with the article's other rows whenever the
article is stored again. SQLite indexes it with an external-content FTS5 table
(``sentences_fts``, Porter stemmer, as ``attributions_fts``) kept in step by
triggers; PostgreSQL with a stored English tsvector and a GIN index, as 0003
does for attributions. Articles already stored are split here, with the same
splitter the ledger uses when it stores one.
"""

import sqlalchemy as sa
from alembic import op

from onrecord.store.evidence import sentence_spans

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_sentences",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE sentences_fts USING fts5(text, content='article_sentences', content_rowid='id', "
            "tokenize='porter unicode61')"
        )
        op.execute(
            """CREATE TRIGGER sentences_fts_insert AFTER INSERT ON article_sentences BEGIN
                 INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text);
               END"""
        )
        op.execute(
            """CREATE TRIGGER sentences_fts_delete AFTER DELETE ON article_sentences BEGIN
                 INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.id, old.text);
               END"""
        )
    elif dialect == "postgresql":
        op.execute(
            "ALTER TABLE article_sentences ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED"
        )
        op.execute("CREATE INDEX ix_article_sentences_search_vector ON article_sentences USING GIN (search_vector)")
    _split_stored_articles()


def _split_stored_articles() -> None:
    bind = op.get_bind()
    sentences = sa.table(
        "article_sentences", sa.column("article_id"), sa.column("start"), sa.column("end"), sa.column("text")
    )
    for article_id, body in bind.execute(sa.text("SELECT id, text FROM articles")).all():
        rows = [{"article_id": article_id, "start": s, "end": e, "text": body[s:e]} for s, e in sentence_spans(body)]
        if rows:
            bind.execute(sentences.insert(), rows)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS sentences_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS sentences_fts")
    op.drop_table("article_sentences")
