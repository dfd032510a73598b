"""Forecasts and what became of them: the rows speakers' track records are scored from.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

``forecasts`` holds one row per forecast of a stored article and, like the
article's attributions, is replaced whenever the article is stored again.
``forecast_outcomes`` holds what a person recorded about a forecast, keyed by
what survives that (the article's content hash and the forecast's normalised
text, hashed) rather than by row ids, so an outcome outlives re-storing and
re-processing. Plain portable types only: the same DDL runs on SQLite and PostgreSQL.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forecasts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("local_id", sa.String(32), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("estimative", sa.Text),
        sa.Column("probability", sa.Float),
        sa.Column("horizon", sa.Text),
        sa.Column("due", sa.Date, index=True),
        sa.Column("speaker_id", sa.Integer, sa.ForeignKey("speakers.id", ondelete="SET NULL"), index=True),
        sa.Column("speaker_name", sa.String(512)),
        sa.Column("speaker_type", sa.String(32)),
        sa.Column("attribution_id", sa.Integer, sa.ForeignKey("attributions.id", ondelete="SET NULL"), index=True),
        sa.Column("attribution", sa.String(32)),
    )
    op.create_table(
        "forecast_outcomes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("outcome", sa.String(8), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("judged_on", sa.Date),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("content_hash", "key", name="uq_forecast_outcomes_hash_key"),
    )


def downgrade() -> None:
    op.drop_table("forecast_outcomes")
    op.drop_table("forecasts")
