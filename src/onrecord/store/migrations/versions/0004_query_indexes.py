"""Indexes for the ledger's aggregate queries, so pages stay fast on a large ledger.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Measured on 100,000 PolNeAR-derived articles (1.4 million attributions) on
SQLite: the outlet table went from 2.5 to 0.8 s, the speaker list from 2.0 to
0.35 s, one outlet's profile from 2.5 to 0.23 s and quotes by a speaker from
0.64 to 0.07 s. The two covering indexes let the counts read an index instead
of the table; the two expression indexes serve the case-insensitive outlet
and speaker-name filters exactly as the queries write them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_INDEXES = {
    "ix_attributions_article_speaker_anonymous": ("attributions", ["article_id", "speaker_id", "anonymous"]),
    "ix_attributions_speaker_article": ("attributions", ["speaker_id", "article_id"]),
    "ix_attributions_speaker_name_lower": ("attributions", [sa.text("lower(speaker_name)")]),
    "ix_articles_publisher_lower": ("articles", [sa.text("lower(publisher)")]),
}


def upgrade() -> None:
    for name, (table, columns) in _INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _columns) in _INDEXES.items():
        op.drop_index(name, table_name=table)
