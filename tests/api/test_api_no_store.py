"""api.md: every API response carries ``Cache-Control: no-store`` — whatever the route, the
method, the viewer and the status (records, errors, rate limits, the OpenAPI document)."""

from __future__ import annotations

import pytest

from coachapp.auth.tokens import create_token
from tests import factories
from tests.matrix_world import api_body, query_of, url_of

# Viewers of the matrix's world: no token (401), the client's coach and supervisor (200, 201,
# 422), a coach outside the rule (404), roles the route refuses (403).
ASKERS = ("anonymous", "coach", "supervisor", "other_coach", "program_manager", "admin")


def api_rules(app) -> list:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")),
        key=lambda rule: rule.rule,
    )


def test_every_api_route_and_method_answers_no_store_whatever_the_status(matrix):  # noqa: F811
    app, world = matrix
    seen: set[int] = set()
    wrong: list[str] = []
    rules = api_rules(app)
    assert len(rules) >= 35
    for rule in rules:
        for method in sorted(rule.methods or ()):
            for viewer in ASKERS:
                ids = dict(world.ids)
                if method == "POST" and rule.endpoint in world.fresh:
                    ids.update(world.fresh[rule.endpoint]())
                headers = {}
                if viewer != "anonymous":
                    headers["Authorization"] = f"Bearer {world.tokens[viewer]}"
                kwargs: dict = {"headers": headers, "query_string": query_of(rule.endpoint, world)}
                if method in ("POST", "PATCH"):
                    kwargs["json"] = api_body(rule.endpoint, world, viewer)
                response = app.test_client().open(url_of(rule, ids), method=method, **kwargs)
                seen.add(response.status_code)
                if response.headers.get("Cache-Control") != "no-store":
                    wrong.append(f"{method} {rule.rule} as {viewer}: {response.status_code}")
    assert wrong == [], "API responses without Cache-Control: no-store: " + "; ".join(wrong)
    assert {200, 201, 401, 403, 404, 422} <= seen, seen


@pytest.fixture
def token(db, coach):
    secret, _row = create_token(coach, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_a_record_with_decrypted_notes_is_never_cached(anon, coach, token):
    client = factories.client(coach, notes="Court date on Friday")
    factories.session(client, note="Talked about the court date")
    for url in (f"/api/v1/clients/{client.id}", f"/api/v1/clients/{client.id}/sessions"):
        response = anon.get(url, headers=token)
        assert response.status_code == 200
        assert "court date" in response.get_data(as_text=True).lower()
        assert response.headers["Cache-Control"] == "no-store", url


@pytest.mark.parametrize(
    ("method", "url", "headers", "status"),
    [
        ("get", "/api/v1/clients", {}, 401),
        ("get", "/api/v1/clients", {"Authorization": "Bearer made-up"}, 401),
        ("get", "/api/v1/nothing/here", {}, 404),  # no route: no blueprint either
        ("delete", "/api/v1/clients", {}, 405),
        ("get", "/api/v1/openapi.json", {}, 200),
    ],
)
def test_errors_and_the_document_are_never_cached(anon, method, url, headers, status):
    response = getattr(anon, method)(url, headers=headers)
    assert response.status_code == status
    assert response.headers["Cache-Control"] == "no-store"


def test_malformed_json_answer_is_never_cached(anon, token):
    response = anon.post(
        "/api/v1/clients", headers=token | {"Content-Type": "application/json"}, data="{not"
    )
    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"


def test_a_rate_limited_answer_is_never_cached(app, anon, token):
    app.config["API_RATE_LIMIT"] = "2 per minute"
    statuses = []
    for _ in range(3):
        response = anon.get("/api/v1/me", headers=token)
        statuses.append(response.status_code)
        assert response.headers["Cache-Control"] == "no-store"
    assert statuses == [200, 200, 429]
