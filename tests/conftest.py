"""Test fixtures: one database per run (SQLite in memory, or a fresh PostgreSQL database when
TEST_DATABASE_URL names a server), emptied after every test; role fixtures; logged-in clients.

``TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres`` runs the suite on
PostgreSQL: a database ``coachapp_test_<random>`` is created for the run and dropped after it.
"""

from __future__ import annotations

import os
import secrets
import time

import pytest
from flask_login import FlaskLoginClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from coachapp import create_app
from coachapp.extensions import db as _db
from coachapp.extensions import limiter
from config import TestConfig
from tests import factories

SERVER_URL = os.environ.get("TEST_DATABASE_URL", "")


def on_postgres() -> bool:
    return SERVER_URL.startswith("postgresql")


def create_scratch_database(prefix: str = "coachapp_test") -> str:
    """Create an empty PostgreSQL database on the test server; return its URL."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)


def drop_scratch_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


class TestClient(FlaskLoginClient):
    """Each request gets its own app context (its own ``g`` and database session), as in
    production, even though the test itself runs inside one. ``user=`` signs in as the sign-in
    form does: the session says when it began and was last used (without that it has ended)."""

    def __init__(self, *args, **kwargs):
        user = kwargs.get("user")
        super().__init__(*args, **kwargs)
        if user is not None:
            with self.session_transaction() as session:
                session["auth_at"] = session["seen_at"] = time.time()

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_test_config(url: str) -> type:
    settings: dict = {"SQLALCHEMY_DATABASE_URI": url}
    if url.startswith("postgresql"):
        # Commits do not wait for the disk (a crash could lose the last ones, never corrupt
        # anything; the test database is dropped anyway). Tests commit at every step, and the
        # waits were most of the time of the suite on PostgreSQL (tests/goals/test_goals.py: 15.6 s
        # with them, 4.3 s without).
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **TestConfig.SQLALCHEMY_ENGINE_OPTIONS,
            "connect_args": {"options": "-c synchronous_commit=off"},
        }
    return type("RunTestConfig", (TestConfig,), settings)


@pytest.fixture(scope="session")
def database_url():
    if on_postgres():
        url = create_scratch_database()
        yield url
        drop_scratch_database(url)
    else:
        yield "sqlite://"


@pytest.fixture(scope="session")
def _app(database_url):
    app = create_app(make_test_config(database_url))
    app.test_client_class = TestClient
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _empty_all_tables() -> None:
    tables = list(reversed(_db.metadata.sorted_tables))
    with _db.engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())
        if conn.dialect.name == "postgresql":
            # Ids start at 1 again, as on SQLite. (DELETE, not TRUNCATE: a test leaves a few
            # rows, and TRUNCATE replaces the files of every table and index, ~0.2 s a test.)
            conn.execute(
                text(
                    "SELECT setval(c.oid, 1, false) FROM pg_class c "
                    "WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace"
                )
            )


@pytest.fixture
def app(_app):
    """The app with its context pushed and an empty database; emptied again afterwards."""
    saved_config = dict(_app.config)
    with _app.app_context():
        limiter.reset()
        yield _app
        _db.session.remove()
        _empty_all_tables()
    _app.config.clear()
    _app.config.update(saved_config)


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def anon(app):
    """A browser that is not signed in."""
    return app.test_client()


@pytest.fixture
def program(db):
    return factories.program()


@pytest.fixture
def supervisor(program):
    return factories.user("supervisor", program=program, name="Sam Supervisor")


@pytest.fixture
def coach(program, supervisor):
    return factories.user("coach", program=program, supervisor=supervisor, name="Casey Coach")


@pytest.fixture
def other_supervisor(program):
    return factories.user("supervisor", program=program, name="Olive Othersup")


@pytest.fixture
def other_coach(program, other_supervisor):
    return factories.user(
        "coach", program=program, supervisor=other_supervisor, name="Oscar Othercoach"
    )


@pytest.fixture
def program_manager(program):
    return factories.user("program_manager", program=program, name="Pat Manager")


@pytest.fixture
def admin(program):
    return factories.user("admin", program=program, name="Ada Admin")


@pytest.fixture
def login(app):
    """``login(user)`` -> a test client signed in as ``user`` (fast, no password round trip)."""

    def _login(user):
        return app.test_client(user=user)

    return _login


# Tests that can only mean something on one database are deselected (not skipped) on the other;
# each CI leg runs its own half.
POSTGRES_ONLY_FIXTURES = {"seeded_postgres"}
SQLITE_ONLY_FIXTURES = {"sqlite_demo"}


def pytest_collection_modifyitems(config, items):
    keep, dropped = [], []
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        wrong_db = (names & POSTGRES_ONLY_FIXTURES and not on_postgres()) or (
            names & SQLITE_ONLY_FIXTURES and on_postgres()
        )
        (dropped if wrong_db else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
