"""Article versions: an edited article (same URL, new text) updates its row instead of adding a second one.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

``articles.url_key`` is the sha256 of the article's normalised URL (scheme and
host in lower case, no fragment, no utm_* or other tracking parameters, no
trailing slash), indexed, so that a new version finds its article; it is filled
here for the articles already stored. It is not unique: a ledger filled before
this revision may hold several versions of one URL as separate articles, and
this migration leaves them as they are (merging them would have to choose
between their extractions and outcomes); the next version to arrive updates
the most recently published of them. ``article_versions`` keeps one row per
earlier version: its content hash, title, date, and when it was replaced.
Plain portable types only: the same DDL runs on SQLite and PostgreSQL.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from onrecord.store.ledger import url_key  # the one normalisation, so stored keys match what add() computes

    op.add_column("articles", sa.Column("url_key", sa.String(64)))
    op.create_index("ix_articles_url_key", "articles", ["url_key"])
    op.create_table(
        "article_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("published", sa.String(64)),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("replaced_at", sa.DateTime, nullable=False),
    )
    articles = sa.table("articles", sa.column("id", sa.Integer), sa.column("url", sa.Text), sa.column("url_key", sa.String))
    conn = op.get_bind()
    keys = [{"row": i, "key": url_key(url)} for i, url in conn.execute(sa.select(articles.c.id, articles.c.url).where(articles.c.url.is_not(None)))]
    if keys:
        conn.execute(articles.update().where(articles.c.id == sa.bindparam("row")).values(url_key=sa.bindparam("key")), keys)


def downgrade() -> None:
    op.drop_table("article_versions")
    op.drop_index("ix_articles_url_key", table_name="articles")
    op.drop_column("articles", "url_key")
