"""Test fixtures: one database per run (SQLite in memory, or a fresh PostgreSQL database when
TEST_DATABASE_URL names a server), emptied after every test; role fixtures; logged-in clients.

``TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres`` runs the suite on
PostgreSQL: a database ``coachapp_test_<random>`` is created for the run and dropped after it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from coachapp import create_app
from coachapp.auth.tokens import create_token
from coachapp.extensions import db as _db
from coachapp.extensions import limiter
from coachapp.main.health import migration_heads
from tests import factories
from tests.helpers import (
    TestClient,
    create_scratch_database,
    drop_scratch_database,
    empty_all_tables,
    make_test_config,
    on_postgres,
)
from tests.matrix_world import build_world


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


@pytest.fixture
def app(_app):
    """The app with its context pushed and an empty database; emptied again afterwards."""
    saved_config = dict(_app.config)
    with _app.app_context():
        limiter.reset()
        yield _app
        _db.session.remove()
        empty_all_tables()
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


@pytest.fixture
def scratch_app(tmp_path):
    """An app on its own empty database (a file for SQLite, a new database on PostgreSQL)."""
    url = (
        create_scratch_database("coachapp_migr")
        if on_postgres()
        else (f"sqlite:///{tmp_path / 'migrations.sqlite3'}")
    )
    app = create_app(make_test_config(url))
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()
    if on_postgres():
        drop_scratch_database(url)


@pytest.fixture
def bearer(db):
    """``bearer(user)`` -> headers with a fresh token of that user."""

    def _bearer(user):
        token, _row = create_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return _bearer


@pytest.fixture(scope="module")
def matrix(_app):
    """The app and its world, built once for the module; emptied afterwards."""
    with _app.app_context():
        limiter.reset()
        world = build_world()
        # /readyz wants the schema at the migrations' head; create_all made it, so say so.
        stamped = "alembic_version" not in inspect(_db.engine).get_table_names()
        if stamped:
            with _db.engine.begin() as conn:
                conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
                for head in migration_heads():
                    conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": head})
        try:
            yield _app, world
        finally:
            _db.session.remove()
            empty_all_tables()
            if stamped:
                with _db.engine.begin() as conn:
                    conn.execute(text("DROP TABLE alembic_version"))
            limiter.reset()


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
