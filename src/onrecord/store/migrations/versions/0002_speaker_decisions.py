"""Manual speaker decisions: the log of merges and splits, and the alias rules later ingests obey.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

``speaker_aliases`` holds the rules: a ``join`` row sends a (key, type) that is
not a speaker's own key to that speaker (the names a merge folded into it);
an ``apart`` row forbids a (key, type) from ever joining that speaker again,
by the automatic surname rule or by a merge alias (what a split leaves
behind). ``speaker_decisions`` is the log of what a person decided, with the
names as they were, so it still reads right after the speakers involved were
merged away. Plain portable types only: the same DDL runs on SQLite and PostgreSQL.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "speaker_aliases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("speaker_id", sa.Integer, sa.ForeignKey("speakers.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("rule", sa.String(8), nullable=False),
        sa.UniqueConstraint("key", "type", "speaker_id", name="uq_speaker_aliases_key_type_speaker"),
    )
    op.create_index("ix_speaker_aliases_key_type", "speaker_aliases", ["key", "type"])
    op.create_table(
        "speaker_decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("speaker_id", sa.Integer, sa.ForeignKey("speakers.id", ondelete="SET NULL"), index=True),
        sa.Column("speaker_name", sa.String(512), nullable=False),
        sa.Column("other_id", sa.Integer),
        sa.Column("other_name", sa.String(512)),
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("attributions", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("speaker_decisions")
    op.drop_index("ix_speaker_aliases_key_type", table_name="speaker_aliases")
    op.drop_table("speaker_aliases")
