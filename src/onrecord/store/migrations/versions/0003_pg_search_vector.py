"""PostgreSQL search reads a stored tsvector instead of recomputing one per matching row.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

0001 indexed a tsvector *expression*: the GIN index found the rows, but ranking
them recomputed ``to_tsvector`` for every match, about 15 µs each, so a common
word over 10,000 articles took 100 ms. A generated, stored column is computed
once at insert and ranked directly. Contents weigh more than speaker names
(weights A and B), as on SQLite's FTS5. SQLite is unchanged.
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: The stored column's expression; Ledger._search_pg queries the column by name.
PG_SEARCH_VECTOR = (
    "setweight(to_tsvector('english', coalesce(content_text, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(speaker_name, '')), 'B')"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE attributions ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({PG_SEARCH_VECTOR}) STORED")
    op.execute("CREATE INDEX ix_attributions_search_vector ON attributions USING GIN (search_vector)")
    op.execute("DROP INDEX IF EXISTS ix_attributions_fts")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_attributions_search_vector")
    op.execute("ALTER TABLE attributions DROP COLUMN IF EXISTS search_vector")
    op.execute(
        "CREATE INDEX ix_attributions_fts ON attributions USING GIN "
        "(to_tsvector('english', coalesce(content_text, '') || ' ' || coalesce(speaker_name, '')))"
    )
