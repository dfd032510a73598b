"""Alembic revisions, oldest first: 0001_initial creates the ledger, 0002_speaker_decisions adds manual speaker decisions."""
