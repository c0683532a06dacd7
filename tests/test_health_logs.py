"""/healthz, /readyz, and the one-line-per-request log."""

from __future__ import annotations

import json
import logging

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from coachapp import create_app
from coachapp.extensions import db
from coachapp.logs import JsonFormatter
from coachapp.main.health import migration_heads
from tests import factories
from tests.conftest import make_test_config
from tests.test_migrations import scratch_app  # noqa: F401 - fixture

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
