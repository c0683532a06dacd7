"""JSON API v1: tokens, error shapes, clients and enrollments by the access rule, pagination,
optimistic locking and the OpenAPI document."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from coachapp.auth.tokens import create_token
from coachapp.models import AuditEvent, Client, Enrollment, Program
from tests import factories


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"])
    return body["error"]


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


# --- Clients -----------------------------------------------------------------------------------


@pytest.fixture
def caseloads(coach, other_coach):
    return factories.client(coach, first_name="José"), factories.client(other_coach)


def test_list_shows_only_the_scope_with_honest_totals(anon, bearer, caseloads, coach):
    mine, theirs = caseloads
    body = anon.get("/api/v1/clients", headers=bearer(coach)).get_json()
    assert [c["id"] for c in body["items"]] == [mine.id]
    assert body["total"] == 1 and body["page"] == 1 and body["per_page"] == 50
    assert body["items"][0]["first_name"] == "José"
    assert body["items"][0]["intake_date"] == "2026-01-05"
    assert body["items"][0]["status"] == "active"


@pytest.mark.parametrize("role", ["other_coach", "other_supervisor", "program_manager", "admin"])
def test_client_outside_the_rule_is_404(request, anon, bearer, caseloads, role):
    mine, _ = caseloads
    headers = bearer(request.getfixturevalue(role))
    for method, url, body in [
        ("get", f"/api/v1/clients/{mine.id}", None),
        ("patch", f"/api/v1/clients/{mine.id}", {"phone": "1"}),
        ("get", f"/api/v1/clients/{mine.id}/enrollments", None),
        (
            "post",
            f"/api/v1/clients/{mine.id}/discharge",
            {"discharge_date": "2026-03-01", "discharge_reason": "moved"},
        ),
    ]:
        response = getattr(anon, method)(url, headers=headers, json=body)
        assert response.status_code == 404, (role, url)
        assert error_of(response)["code"] == "not_found"


def test_supervisor_reads_team_client(anon, bearer, caseloads, supervisor):
    mine, _ = caseloads
    assert anon.get(f"/api/v1/clients/{mine.id}", headers=bearer(supervisor)).status_code == 200


def test_create_client_as_coach(db, anon, bearer, coach, other_coach):
    headers = bearer(coach)
    response = anon.post(
        "/api/v1/clients",
        headers=headers,
        json={
            "first_name": "Zoë",
            "last_name": "Brontë",
            "date_of_birth": "1990-02-03",
            "intake_date": "2026-02-01",
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["code"] == "C-00001" and body["coach_id"] == coach.id and body["version"] == 1
    assert body["intake_date"] == "2026-02-01"
    refused = anon.post(
        "/api/v1/clients",
        headers=headers,
        json={"first_name": "A", "last_name": "B", "coach_id": other_coach.id},
    )
    assert refused.status_code == 422 and "coach_id" in error_of(refused)["fields"]


@pytest.mark.parametrize("role", ["program_manager", "admin"])
def test_create_client_forbidden_for_role(request, anon, bearer, role):
    response = anon.post(
        "/api/v1/clients",
        headers=bearer(request.getfixturevalue(role)),
        json={"first_name": "A", "last_name": "B"},
    )
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_name": "", "last_name": "B"}, "first_name"),
        ({"first_name": "   ", "last_name": "B"}, "first_name"),
        ({"first_name": "A"}, "last_name"),
        ({"first_name": "A", "last_name": "B", "date_of_birth": "1990-02-30"}, "date_of_birth"),
        ({"first_name": "A", "last_name": "B", "date_of_birth": "1800-01-01"}, "date_of_birth"),
        ({"first_name": "A", "last_name": "B", "intake_date": "2999-01-01"}, "intake_date"),
        ({"first_name": "A", "last_name": "B", "email": "nope"}, "email"),
        ({"first_name": "x" * 101, "last_name": "B"}, "first_name"),
        ({"first_name": 12, "last_name": "B"}, "first_name"),
        ({"first_name": "A", "last_name": "B", "unknown": 1}, "unknown"),
    ],
)
def test_create_client_validation(db, anon, bearer, coach, body, field):
    response = anon.post("/api/v1/clients", headers=bearer(coach), json=body)
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response)["fields"]
    assert db.session.scalar(select(Client)) is None


def test_malformed_json_is_400(anon, bearer, coach):
    response = anon.post(
        "/api/v1/clients",
        headers=bearer(coach) | {"Content-Type": "application/json"},
        data="{not json",
    )
    assert response.status_code == 400 and error_of(response)["code"] == "bad_request"


@pytest.mark.parametrize(
    ("query", "status"),
    [
        # A parameter of the wrong type: 400 (api.md's table), naming it.
        ("page=abc", 400),
        ("per_page=1.5", 400),
        ("coach_id=x", 400),
        ("page=2&per_page=x", 400),
        # A value a rule refuses, or a parameter the endpoint does not take: 422.
        ("per_page=201", 422),
        ("per_page=0", 422),
        ("page=0", 422),
        ("status=lost", 422),
        ("sort=code", 422),
    ],
)
def test_bad_query_parameters(anon, bearer, coach, query, status):
    response = anon.get(f"/api/v1/clients?{query}", headers=bearer(coach))
    assert response.status_code == status
    error = error_of(response)
    assert error["code"] == {400: "bad_request", 422: "validation_error"}[status]
    name = query.rsplit("&", 1)[-1].split("=")[0]
    assert list(error["fields"]) == [name]


def get_endpoints(ids: dict) -> dict[str, tuple[str, str]]:
    """Every GET endpoint of the API: ``{document path: (role, url with its ids)}``."""
    period = "start=2026-03-01&end=2026-03-31"
    client = ids["client"]
    return {
        "/api/v1/me": ("coach", "/api/v1/me?"),
        "/api/v1/programs": ("admin", "/api/v1/programs?"),
        "/api/v1/users": ("admin", "/api/v1/users?"),
        "/api/v1/users/{user_id}": ("admin", f"/api/v1/users/{ids['coach']}?"),
        "/api/v1/clients": ("coach", "/api/v1/clients?"),
        "/api/v1/clients/{client_id}": ("coach", f"/api/v1/clients/{client}?"),
        **{
            f"/api/v1/clients/{{client_id}}/{kind}": ("coach", f"/api/v1/clients/{client}/{kind}?")
            for kind in ("enrollments", "sessions", "appointments", "referrals", "goals")
        },
        "/api/v1/clients/{client_id}/assignments": (
            "coach",
            f"/api/v1/clients/{client}/assignments?",
        ),
        "/api/v1/clients/{client_id}/assessments": (
            "coach",
            f"/api/v1/clients/{client}/assessments?",
        ),
        "/api/v1/clients/{client_id}/profile": ("coach", f"/api/v1/clients/{client}/profile?"),
        "/api/v1/clients/{client_id}/statuses": ("coach", f"/api/v1/clients/{client}/statuses?"),
        "/api/v1/resources": ("coach", "/api/v1/resources?"),
        "/api/v1/supervision-notes": ("supervisor", "/api/v1/supervision-notes?"),
        "/api/v1/reports/outcomes": ("coach", f"/api/v1/reports/outcomes?{period}&"),
        "/api/v1/reports/outcomes/housing-employment": (
            "coach",
            f"/api/v1/reports/outcomes/housing-employment?{period}&",
        ),
        "/api/v1/reports/outcomes/breakdowns": (
            "coach",
            f"/api/v1/reports/outcomes/breakdowns?{period}&by=age_band&",
        ),
        "/api/v1/clients/{client_id}/followups": ("coach", f"/api/v1/clients/{client}/followups?"),
        "/api/v1/reports/followups": ("coach", f"/api/v1/reports/followups?{period}&"),
    }


LISTS = {
    "/api/v1/programs",
    "/api/v1/users",
    "/api/v1/clients",
    "/api/v1/resources",
    "/api/v1/supervision-notes",
    *(
        f"/api/v1/clients/{{client_id}}/{kind}"
        for kind in ("enrollments", "sessions", "appointments", "referrals", "goals", "assessments")
    ),
    "/api/v1/clients/{client_id}/assignments",
    "/api/v1/clients/{client_id}/statuses",
}


def test_every_get_endpoint_reads_its_query_string_the_same_way(
    app, anon, bearer, coach, supervisor, admin
):
    """An unknown query parameter is refused everywhere (422 naming it); on every list a
    parameter of the wrong type is 400 and a page size past 200 is 422; each in api.md's error
    shape."""
    users = {"coach": coach, "supervisor": supervisor, "admin": admin}
    headers = {role: bearer(user) for role, user in users.items()}
    endpoints = get_endpoints({"client": factories.client(coach).id, "coach": coach.id})
    documented = anon.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(endpoints) == {path for path, ops in documented.items() if "get" in ops}
    for path, (role, url) in endpoints.items():
        assert anon.get(url, headers=headers[role]).status_code == 200, path
        unknown = anon.get(url + "sort=name", headers=headers[role])
        assert unknown.status_code == 422, path
        assert error_of(unknown)["fields"] == {"sort": ["Unknown field."]}, path
        if path not in LISTS:
            continue
        wrong_type = anon.get(url + "page=first", headers=headers[role])
        assert wrong_type.status_code == 400, path
        error = error_of(wrong_type)
        assert error["code"] == "bad_request" and list(error["fields"]) == ["page"], path
        too_big = anon.get(url + "per_page=201", headers=headers[role])
        assert too_big.status_code == 422, path
        assert list(error_of(too_big)["fields"]) == ["per_page"], path
        body = anon.get(url + "per_page=200", headers=headers[role]).get_json()
        assert {"items", "page", "per_page", "total"} <= set(body), path
        assert body["per_page"] == 200, path


@pytest.mark.parametrize(
    "query", ["start=x&end=2026-03-31", "start=2026-03-01&end=2026-03-31&coach_id=me"]
)
def test_a_report_argument_of_the_wrong_type_is_400(anon, bearer, coach, query):
    response = anon.get(f"/api/v1/reports/outcomes?{query}", headers=bearer(coach))
    assert response.status_code == 400 and error_of(response)["code"] == "bad_request"


SESSION = {"duration_minutes": 30, "modality": "phone", "kind": "coaching", "outcome": "completed"}


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("patch", "/api/v1/clients/{big}", {"phone": "555-0100"}),
        ("get", "/api/v1/clients/{big}", None),
        ("post", "/api/v1/clients/{big}/sessions", SESSION),
        ("get", "/api/v1/clients/0/sessions", None),
        ("patch", "/api/v1/goals/{big}", {}),
    ],
)
def test_an_id_past_the_columns_range_is_404_whatever_the_method(
    anon, bearer, coach, method, url, body
):
    kwargs = {"json": body} if body is not None else {}
    response = getattr(anon, method)(url.format(big=2**31), headers=bearer(coach), **kwargs)
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_pagination(anon, bearer, coach):
    for n in range(5):
        factories.client(coach, last_name=f"P{n}")
    body = anon.get("/api/v1/clients?per_page=2&page=3", headers=bearer(coach)).get_json()
    assert body["total"] == 5 and len(body["items"]) == 1 and body["page"] == 3


def test_patch_with_stale_version_is_409_and_changes_nothing(db, anon, bearer, coach, supervisor):
    client = factories.client(coach)
    first = anon.patch(
        f"/api/v1/clients/{client.id}",
        headers=bearer(supervisor),
        json={"phone": "555-1111", "version": 1},
    )
    assert first.status_code == 200 and first.get_json()["version"] == 2
    stale = anon.patch(
        f"/api/v1/clients/{client.id}",
        headers=bearer(coach),
        json={"phone": "555-0000", "version": 1},
    )
    assert stale.status_code == 409 and error_of(stale)["code"] == "conflict"
    db.session.expire_all()
    assert db.session.get(Client, client.id).phone == "555-1111"


def test_discharge_and_reenroll(db, anon, bearer, coach):
    client = factories.client(coach, intake_date=date(2026, 1, 5))
    headers = bearer(coach)
    response = anon.post(
        f"/api/v1/clients/{client.id}/discharge",
        headers=headers,
        json={"discharge_date": "2026-02-15", "discharge_reason": "moved"},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["discharge_date"], body["discharge_reason"]) == (
        "discharged",
        "2026-02-15",
        "moved",
    )
    again = anon.post(
        f"/api/v1/clients/{client.id}/discharge",
        headers=headers,
        json={"discharge_date": "2026-02-16", "discharge_reason": "moved"},
    )
    assert again.status_code == 422
    back = anon.post(
        f"/api/v1/clients/{client.id}/reenroll", headers=headers, json={"intake_date": "2026-03-20"}
    )
    assert back.status_code == 200
    assert (back.get_json()["status"], back.get_json()["intake_date"]) == ("active", "2026-03-20")
    assert back.get_json()["discharge_date"] is None
    episodes = anon.get(f"/api/v1/clients/{client.id}/enrollments", headers=headers).get_json()
    # A list like every other (api.md, "Lists"): paginated, newest first.
    assert [e["intake_date"] for e in episodes["items"]] == ["2026-03-20", "2026-01-05"]
    assert (episodes["page"], episodes["per_page"], episodes["total"]) == (1, 50, 2)
    assert episodes["items"][1]["discharge_reason"] == "moved"
    assert db.session.scalar(select(Enrollment).where(Enrollment.discharge_reason == "moved"))


def test_unknown_api_path_is_json_404(anon):
    response = anon.get("/api/v1/nothing/here")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


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
