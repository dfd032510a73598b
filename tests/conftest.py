"""Fixtures shared by the ledger and fetching tests: every test taking ``db_url`` or ``ledger`` runs on SQLite and PostgreSQL.

PostgreSQL comes from :mod:`pgserver` (a throwaway server from the installed
binaries) or ``$ONRECORD_TEST_POSTGRES``. When neither is available the
PostgreSQL half is skipped with the reason, unless
``$ONRECORD_REQUIRE_POSTGRES`` is set (CI sets it), which makes it an error.
"""

from __future__ import annotations

import itertools
import os

from collections.abc import Iterator

import pytest

import pgserver
from newssite import Site

_names = itertools.count()


@pytest.fixture(scope="session")
def postgres_server():
    """The URL of a PostgreSQL server whose user may create databases."""
    url = os.environ.get("ONRECORD_TEST_POSTGRES")
    if url:
        yield url
        return
    bindir = pgserver.binaries()
    if bindir is None:
        reason = "PostgreSQL is not installed (apt-get install postgresql) and $ONRECORD_TEST_POSTGRES is not set"
        if os.environ.get("ONRECORD_REQUIRE_POSTGRES"):
            pytest.fail(reason)
        pytest.skip(reason)
    server = pgserver.Server(bindir).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def new_db_url(request, tmp_path):
    """A factory of fresh, empty ledger database URLs: files for SQLite, new databases for PostgreSQL."""
    if request.param == "sqlite":
        yield lambda: f"sqlite:///{tmp_path / f'ledger{next(_names)}.db'}"
        return
    from sqlalchemy import create_engine, text

    server = request.getfixturevalue("postgres_server")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def make() -> str:
        name = f"onrecord_test_{os.getpid()}_{next(_names)}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return server.rsplit("/", 1)[0] + f"/{name}"

    try:
        yield make
    finally:
        with admin.connect() as conn:
            for name in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db_url(new_db_url):
    """A fresh, empty ledger database URL, on SQLite and on PostgreSQL."""
    return new_db_url()


@pytest.fixture
def ledger(db_url):
    from onrecord.store import Ledger

    with Ledger.open(db_url) as led:
        yield led


@pytest.fixture
def site() -> Iterator[Site]:
    running = Site()
    running.thread.start()
    try:
        yield running
    finally:
        running.server.shutdown()
        running.server.server_close()
