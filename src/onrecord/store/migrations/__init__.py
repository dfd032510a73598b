"""Alembic migrations of the ledger (run by :meth:`onrecord.store.Ledger.open`)."""
