"""JSON API v1: tokens, error shapes, clients and enrollments by the access rule, pagination,
optimistic locking and the OpenAPI document."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coachapp.auth.tokens import create_token
from coachapp.models import AuditEvent, Program
from tests.api.helpers import error_of

# --- Authentication -----------------------------------------------------------------------------


def test_me_with_a_token(anon, bearer, coach):
    response = anon.get("/api/v1/me", headers=bearer(coach))
    assert response.status_code == 200
    assert response.get_json()["email"] == coach.email
    assert response.get_json()["role"] == "coach"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}, {"Authorization": ""}],
)
def test_no_or_bad_token_is_401_in_the_error_shape(anon, headers):
    response = anon.get("/api/v1/clients", headers=headers)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_session_cookie_is_never_accepted(login, coach):
    assert login(coach).get("/api/v1/me").status_code == 401


def test_revoked_and_deactivated_tokens_stop_at_once(db, anon, coach):
    from coachapp.auth.tokens import revoke_token

    token, row = create_token(coach, "t")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert anon.get("/api/v1/me", headers=headers).status_code == 200
    revoke_token(row, actor=coach)
    db.session.commit()
    assert anon.get("/api/v1/me", headers=headers).status_code == 401
    token2, _ = create_token(coach, "t2")
    coach.active = False
    db.session.commit()
    assert anon.get("/api/v1/me", headers={"Authorization": f"Bearer {token2}"}).status_code == 401


def test_token_never_appears_in_logs(caplog, anon, db, coach):
    import logging

    token, _ = create_token(coach, "t")
    db.session.commit()
    with caplog.at_level(logging.DEBUG):
        anon.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        anon.get(f"/api/v1/clients?q={token}", headers={"Authorization": f"Bearer {token}"})
    assert token not in caplog.text
    assert all(token not in str(getattr(r, "fields", "")) for r in caplog.records)


def test_rate_limit_answers_429_with_retry_after(app, anon, bearer, coach):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    headers = bearer(coach)
    statuses = [anon.get("/api/v1/me", headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = anon.get("/api/v1/me", headers=headers)
    assert error_of(response)["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0


def test_made_up_tokens_share_the_limit_of_their_address(app, db, anon, bearer, coach):
    """A token that is no live token gets no bucket of its own: inventing a new one for each
    request counts against the address, and a live token keeps its own bucket."""
    from coachapp.auth.tokens import revoke_token
    from coachapp.models import ApiToken

    app.config["API_RATE_LIMIT"] = "5 per minute"
    headers = bearer(coach)
    revoked = bearer(coach)
    revoke_token(
        db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first(), actor=coach
    )
    db.session.commit()
    made_up = [{"Authorization": f"Bearer ca_made_up_{n}"} for n in range(6)]
    statuses = [anon.get("/api/v1/me", headers=h).status_code for h in [*made_up[:5], revoked]]
    assert statuses == [401, 401, 401, 401, 401, 429]
    assert anon.get("/api/v1/me", headers=made_up[5]).status_code == 429
    assert anon.get("/api/v1/me").status_code == 429  # no token: the same address's bucket
    assert [anon.get("/api/v1/me", headers=headers).status_code for _ in range(6)] == [
        *[200] * 5,
        429,
    ]


def test_a_token_is_looked_up_once_per_request(app, anon, bearer, coach, monkeypatch):
    from coachapp.api import auth

    calls = []
    real = auth.user_for_token
    monkeypatch.setattr(auth, "user_for_token", lambda token: calls.append(1) or real(token))
    assert anon.get("/api/v1/me", headers=bearer(coach)).status_code == 200
    assert len(calls) == 1
    assert anon.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert len(calls) == 2


def test_a_token_found_for_one_request_serves_no_other_in_the_same_app_context(app, bearer, coach):
    """A script or test that pushed the app context itself shares ``g`` between requests: the
    next request without a token is still refused."""
    from flask.testing import FlaskClient

    shared = FlaskClient(app, app.response_class)  # requests reuse the pushed app context
    assert shared.get("/api/v1/me", headers=bearer(coach)).status_code == 200
    assert shared.get("/api/v1/me").status_code == 401


# --- Programs (admin) --------------------------------------------------------------------------


def test_programs_are_for_admins(anon, bearer, admin, coach):
    assert anon.get("/api/v1/programs", headers=bearer(coach)).status_code == 403
    response = anon.post(
        "/api/v1/programs",
        headers=bearer(admin),
        json={"name": "Lakeside", "timezone": "America/Denver"},
    )
    assert response.status_code == 201
    assert response.get_json()["timezone"] == "America/Denver"
    listing = anon.get("/api/v1/programs", headers=bearer(admin)).get_json()
    assert "Lakeside" in [p["name"] for p in listing["items"]]
    bad = anon.post(
        "/api/v1/programs", headers=bearer(admin), json={"name": "X", "timezone": "Mars/Olympus"}
    )
    assert bad.status_code == 422 and "timezone" in error_of(bad)["fields"]


def test_a_program_made_through_the_api_follows_the_admin_pages_rules(db, anon, bearer, admin):
    headers = bearer(admin)
    made = anon.post(
        "/api/v1/programs", headers=headers, json={"name": "Lakeside", "timezone": "America/Denver"}
    )
    assert made.status_code == 201
    # The name is unique whatever its case, as on the admin pages; the creation is audited.
    again = anon.post(
        "/api/v1/programs", headers=headers, json={"name": "LAKESIDE", "timezone": "UTC"}
    )
    assert again.status_code == 422
    assert error_of(again)["fields"] == {"name": ["Another program has this name."]}
    assert db.session.scalar(select(func.count(Program.id)).where(Program.name == "LAKESIDE")) == 0
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "program"))
    assert (event.action, event.entity_id, event.user_id) == (
        "create",
        made.get_json()["id"],
        admin.id,
    )
    assert event.fields == "name,timezone"


# --- OpenAPI ------------------------------------------------------------------------------------


def test_openapi_document_describes_every_api_route(app, anon):
    response = anon.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    paths = set(document["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint.startswith("api."):
            path = rule.rule.replace("<int:", "{").replace(">", "}")
            assert path in paths, path
    from openapi_spec_validator import validate

    validate(document)


def test_a_program_name_that_only_sqlite_cannot_fold_is_refused_not_a_500(anon, bearer, admin):
    """SQLite's lower() folds ASCII only: a second "ÉCOLE" was let through to the unique index
    (a 500 schemathesis found). Both databases answer 422 naming the field."""
    headers = bearer(admin)
    body = {"name": "ÉCOLE Ÿ", "timezone": "America/Chicago"}
    assert anon.post("/api/v1/programs", json=body, headers=headers).status_code == 201
    again = anon.post("/api/v1/programs", json=body, headers=headers)
    assert again.status_code == 422
    assert again.get_json()["error"]["fields"] == {"name": ["Another program has this name."]}
