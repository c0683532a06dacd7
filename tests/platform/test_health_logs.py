"""/healthz, /readyz, the one-line-per-request log, and what a database failure answers and
logs."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError

from coachapp import create_app
from coachapp.auth.tokens import create_token
from coachapp.extensions import db
from coachapp.logs import JsonFormatter, error_summary
from coachapp.main.health import migration_heads
from coachapp.models import CoachingSession, User
from tests import factories
from tests.helpers import TestClient as LoginClient
from tests.helpers import make_test_config, session_data

NOT_READY_KEYS = {"status", "database", "migrations", "reason"}


def test_healthz_needs_no_sign_in_and_says_nothing_else(anon):
    response = anon.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_is_red_until_migrations_are_at_head(scratch_app):  # noqa: F811
    browser = scratch_app.test_client()
    response = browser.get("/readyz")
    assert response.status_code == 503 and response.get_json()["status"] == "unavailable"
    upgrade()
    response = browser.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": True, "migrations": "head"}


def test_readyz_on_an_empty_database_says_it_is_not_migrated(scratch_app):  # noqa: F811
    response = scratch_app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "database": True,
        "migrations": "behind",
        "reason": "database not migrated: run flask db upgrade",
    }


def test_readyz_when_the_database_is_behind_the_code(scratch_app):  # noqa: F811
    upgrade()
    downgrade(revision="-1")
    response = scratch_app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body == {
        "status": "unavailable",
        "database": True,
        "migrations": "behind",
        "reason": "database schema is older than this release: run flask db upgrade",
    }
    upgrade()
    assert scratch_app.test_client().get("/readyz").status_code == 200


def test_readyz_when_the_database_is_ahead_of_the_code(scratch_app):  # noqa: F811
    upgrade()
    # A newer release migrated the database to a revision this code does not know.
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00dbabe1234'"))
    response = scratch_app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body == {
        "status": "unavailable",
        "database": True,
        "migrations": "ahead",
        "reason": "database schema is newer than this release",
    }
    assert "f00dbabe1234" not in response.get_data(as_text=True)


def test_readyz_when_the_database_cannot_be_reached(tmp_path):
    url = f"sqlite:///{tmp_path / 'no-such-directory' / 'coachapp.sqlite3'}"
    app = create_app(make_test_config(url))
    with app.app_context():
        response = app.test_client().get("/readyz")
        db.engine.dispose()
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "database": False,
        "reason": "database unreachable",
    }
    # The driver's error (a path, a host) goes to the log, never into the answer.
    assert "no-such-directory" not in response.get_data(as_text=True)


def test_readyz_answers_say_no_more_than_the_state(scratch_app):  # noqa: F811
    browser = scratch_app.test_client()
    red = browser.get("/readyz")
    upgrade()
    green = browser.get("/readyz")
    assert set(red.get_json()) <= NOT_READY_KEYS and set(green.get_json()) < NOT_READY_KEYS
    for response in (red, green):
        assert response.headers["Content-Type"].startswith("application/json")
        assert "Set-Cookie" not in response.headers
        assert not any(head in response.get_data(as_text=True) for head in migration_heads())


def test_one_log_line_per_request_with_ids_only(caplog, login, coach):
    client = factories.client(coach, first_name="Zoë", last_name="Brontë")
    with caplog.at_level(logging.INFO, logger="coachapp.request"):
        response = login(coach).get(
            f"/clients/{client.id}?q=Bront%C3%AB", headers={"X-Request-ID": "abc12345-test"}
        )
    assert response.headers["X-Request-ID"] == "abc12345-test"
    [record] = [r for r in caplog.records if r.name == "coachapp.request"]
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/clients/<int:client_id>"
    assert line["method"] == "GET" and line["status"] == 200
    assert line["user_id"] == coach.id and line["request_id"] == "abc12345-test"
    assert isinstance(line["duration_ms"], float)
    text = json.dumps(line, ensure_ascii=False)
    assert "Bront" not in text and "Zoë" not in text


def test_unsafe_request_ids_are_replaced(anon):
    response = anon.get("/healthz", headers={"X-Request-ID": "<script>"})
    rid = response.headers["X-Request-ID"]
    assert rid != "<script>" and len(rid) == 32


# --- Database failures: the cause is logged, the answer is 503 --------------------------------


@pytest.fixture
def sqlite_file(tmp_path):
    """A SQLite file at the migrations' head with a coach, a client and an API token, and a
    way to serve it (SQLite whatever TEST_DATABASE_URL says: the failures are SQLite's own)."""
    path = tmp_path / "coachapp.sqlite3"
    apps = []

    def serve(url: str = f"sqlite:///{path}", **engine_options):
        config = make_test_config(url)
        if engine_options:
            config.SQLALCHEMY_ENGINE_OPTIONS = engine_options
        app = create_app(config)
        app.test_client_class = LoginClient
        apps.append(app)
        return app

    with serve().app_context():
        db.create_all()
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
            for head in migration_heads():
                conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": head})
        program = factories.program()
        coach = factories.user("coach", program=program)
        client = factories.client(coach, first_name="Wilhelmina", last_name="Quackenbush")
        token, _row = create_token(coach, "laptop")
        db.session.commit()
        db.session.refresh(coach)
        world = SimpleNamespace(
            path=path, serve=serve, coach=coach, client_id=client.id, token=token
        )
        db.session.expunge_all()  # the coach is used, detached, by the other apps' test clients
        db.session.remove()
    yield world
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def read_only(world) -> str:
    return f"sqlite:///file:{world.path}?mode=ro&uri=true"


def json_lines(records) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in records]


def test_readyz_is_red_when_the_database_cannot_write(sqlite_file, caplog):
    assert sqlite_file.serve().test_client().get("/readyz").status_code == 200

    with caplog.at_level(logging.WARNING, logger="coachapp"):
        response = sqlite_file.serve(read_only(sqlite_file)).test_client().get("/readyz")
    # Reads still work on a read-only file; the check is the write.
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "database": False,
        "reason": "database cannot write",
    }
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("readyz")]
    assert line == (
        "readyz: database cannot write: "
        "sqlite3.OperationalError: attempt to write a readonly database"
    )


def test_readyz_write_check_leaves_the_database_as_it_was(scratch_app):  # noqa: F811
    upgrade()
    assert scratch_app.test_client().get("/readyz").status_code == 200
    with db.engine.connect() as conn:
        versions = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    assert versions == set(migration_heads())


def test_a_page_answers_503_with_retry_after_when_the_database_cannot_write(sqlite_file, caplog):
    """Opening a client record writes an audit event; on a read-only file that fails."""
    app = sqlite_file.serve(read_only(sqlite_file))
    with caplog.at_level(logging.INFO, logger="coachapp"):
        response = app.test_client(user=sqlite_file.coach).get(f"/clients/{sqlite_file.client_id}")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "try again" in page and "Quackenbush" not in page
    lines = json_lines(caplog.records)
    [error] = [line for line in lines if line["logger"] == "coachapp.errors"]
    assert error["error"] == "sqlite3.OperationalError: attempt to write a readonly database"
    [request_line] = [line for line in lines if line["logger"] == "coachapp.request"]
    assert request_line["status"] == 503


def test_a_signed_in_page_answers_503_when_the_database_is_unreachable(sqlite_file, tmp_path):
    """The first query of a request (loading the signed-in user) fails: the error page and the
    response hooks must not go back to the database for the user."""
    app = sqlite_file.serve(f"sqlite:///{tmp_path / 'gone' / 'coachapp.sqlite3'}")
    response = app.test_client(user=sqlite_file.coach).get("/clients/")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "try again" in response.get_data(as_text=True)


def test_no_free_connection_answers_503(sqlite_file):
    """Every pooled connection is busy past the pool's timeout: SQLAlchemy's pool TimeoutError."""
    app = sqlite_file.serve(pool_size=1, max_overflow=0, pool_timeout=0.1)
    with app.app_context(), db.engine.connect():  # the only connection, held
        response = app.test_client(user=sqlite_file.coach).get("/clients/")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"


def test_the_api_answers_503_unavailable_when_the_database_cannot_write(sqlite_file):
    app = sqlite_file.serve(read_only(sqlite_file))
    response = app.test_client().get(
        f"/api/v1/clients/{sqlite_file.client_id}",
        headers={"Authorization": f"Bearer {sqlite_file.token}"},
    )
    assert response.status_code == 503
    # Flask-Limiter's headers on the API take the later of its window's reset and ours.
    assert int(response.headers["Retry-After"]) >= 30
    assert response.get_json()["error"]["code"] == "unavailable"
    assert set(response.get_json()["error"]) == {"code", "message"}


def test_a_full_disk_is_logged_as_a_full_disk_and_nothing_written(sqlite_file, caplog):
    """The database cannot grow (SQLite's max_page_count, as a full disk does): saving a session
    fails with SQLite's own words in the log line, never the SQL, its parameters, the note or
    the client's name."""
    app = sqlite_file.serve()
    with app.app_context():

        @event.listens_for(db.engine, "connect")
        def no_room_to_grow(dbapi_connection, _record):
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

        # Connections opened before (the start-up key check reads the database) reconnect.
        db.engine.dispose()

    note = "Disclosed a relapse after the custody hearing. " * 200  # needs new pages
    with caplog.at_level(logging.DEBUG, logger="coachapp"):
        response = app.test_client(user=sqlite_file.coach).post(
            f"/clients/{sqlite_file.client_id}/sessions/new", data=session_data(note=note)
        )
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    lines = json_lines(caplog.records)
    [error] = [line for line in lines if "error" in line]
    assert error["error"] == "sqlite3.OperationalError: database or disk is full"
    logged = "\n".join(json.dumps(line) for line in lines)
    for private in ("Disclosed a relapse", "Wilhelmina", "Quackenbush", "INSERT", "[parameters"):
        assert private not in logged
    with app.app_context():
        assert db.session.scalar(select(func.count(CoachingSession.id))) == 0


def test_a_constraint_error_is_logged_without_the_values(app, db, coach, caplog):
    """On PostgreSQL the driver's message has a DETAIL line with the duplicate value; on both
    databases the statement and its parameters follow in SQLAlchemy's: only the first line of
    the driver's message is kept."""
    taken = "casey.private@example.org"
    factories.user("coach", email=taken)
    db.session.add(User(email=taken, name="Private Name", role="coach", password_hash="x"))
    with pytest.raises(IntegrityError) as caught:
        db.session.flush()
    db.session.rollback()
    # SQLAlchemy's own message names the statement only (hide_parameters); the driver's may
    # still quote a value (PostgreSQL's DETAIL line).
    assert "parameters hidden" in str(caught.value)
    assert taken not in str(caught.value).split("DETAIL")[0]
    summary = error_summary(caught.value)
    assert summary.startswith(type(caught.value.orig).__module__)
    assert type(caught.value.orig).__name__ + ": " in summary and "unique" in summary.lower()
    for private in (taken, "Private Name", "INSERT", "DETAIL", "Background", "\n"):
        assert private not in summary
    record = logging.LogRecord("coachapp.errors", logging.ERROR, __file__, 1, "failed", (), None)
    record.exc_info = (IntegrityError, caught.value, caught.value.__traceback__)
    assert json.loads(JsonFormatter().format(record))["error"] == summary


def test_the_engine_never_puts_values_in_an_error_message(app, db, coach):
    """Every configuration's engine hides a failed statement's parameters: a message that
    reaches a log or a traceback names the statement, never a client's name or note."""
    from config import Config, ProductionConfig, _engine_options

    for url in ("sqlite:///x.sqlite3", "postgresql+psycopg://u@h/d"):
        assert _engine_options(url)["hide_parameters"] is True
    assert Config.SQLALCHEMY_ENGINE_OPTIONS["hide_parameters"] is True
    assert ProductionConfig.SQLALCHEMY_ENGINE_OPTIONS["hide_parameters"] is True
    db.session.add(
        User(email=coach.email, name="Wilhelmina Private", role="coach", password_hash="x")
    )
    with pytest.raises(IntegrityError) as caught:
        db.session.flush()
    db.session.rollback()
    # PostgreSQL's own DETAIL line may quote the key (the log keeps only the first line).
    message = str(caught.value)
    sqlalchemy_part = message[message.index("[SQL:") :]
    assert "parameters hidden" in sqlalchemy_part
    assert "Wilhelmina Private" not in str(caught.value)
    assert coach.email not in sqlalchemy_part
