"""/healthz, /readyz, and the one-line-per-request log."""

from __future__ import annotations

import json
import logging

from flask_migrate import upgrade

from coachapp.logs import JsonFormatter
from tests import factories
from tests.test_migrations import scratch_app  # noqa: F401 - fixture


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
