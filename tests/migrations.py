"""A ledger database brought up to one migration revision, for the tests of the migrations after it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection


@contextmanager
def upgraded_to(url: str, revision: str) -> Iterator[Connection]:
    """Run the package's migrations on ``url`` up to ``revision`` and yield the connection, in one
    transaction, so the test can fill the tables as an older onrecord would have left them."""
    from alembic import command
    from alembic.config import Config

    from onrecord.store import ledger as ledger_module

    engine = ledger_module._engine(url)
    config = Config()
    config.set_main_option("script_location", str(ledger_module._MIGRATIONS))
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            yield conn
    finally:
        engine.dispose()
