"""The recovery plan API: list, start (N+1), read, PATCH a draft (ETag / If-Match), sign;
409 on a frozen version and a second draft, 422 with field messages, 404 outside the rule."""

from __future__ import annotations

from datetime import date

import pytest

from coachapp.plans import services
from tests import factories
from tests.plans.helpers import png_url

KEYS = {
    "id",
    "client_id",
    "version",
    "strengths",
    "barriers",
    "goal_ids",
    "steps",
    "supports",
    "review_on",
    "signed_by_client_at",
    "signed_by_coach_at",
    "status",
}


@pytest.fixture
def client_(coach):
    return factories.client(coach, intake_date=date(2025, 1, 6))


@pytest.fixture
def api(app, bearer, coach):
    headers = bearer(coach)
    browser = app.test_client()

    def call(method, url, json=None, extra=None):
        return browser.open(
            f"/api/v1{url}", method=method, json=json, headers={**headers, **(extra or {})}
        )

    return call


def test_the_whole_flow(db, api, coach, client_):
    goal = factories.goal(client_)
    answer = api(
        "POST",
        f"/clients/{client_.id}/plans",
        {
            "strengths": "Humour",
            "goal_ids": [goal.id],
            "steps": [{"action": "Call Sam", "who": "Client"}],
        },
    )
    assert answer.status_code == 201, answer.json
    plan = answer.json
    assert set(plan) == KEYS
    assert (plan["version"], plan["status"], plan["goal_ids"]) == (1, "draft", [goal.id])
    assert plan["steps"] == [{"action": "Call Sam", "who": "Client", "due_on": None}]
    etag = answer.headers["ETag"]
    assert answer.headers["Cache-Control"] == "no-store"

    answer = api("PATCH", f"/plans/{plan['id']}", {"review_on": "2026-12-01"}, {"If-Match": etag})
    assert answer.status_code == 200 and answer.json["review_on"] == "2026-12-01"
    # The old ETag is stale now.
    answer = api("PATCH", f"/plans/{plan['id']}", {"barriers": "x"}, {"If-Match": etag})
    assert answer.status_code == 409

    answer = api("POST", f"/plans/{plan['id']}/sign", {"signer": "client", "image": png_url()})
    assert answer.status_code == 200 and answer.json["signed_by_client_at"]
    answer = api(
        "POST",
        f"/plans/{plan['id']}/sign",
        {"signer": "coach", "typed_name": "Casey Coach", "attested": True},
    )
    assert answer.status_code == 200 and answer.json["status"] == "signed"

    frozen = api("PATCH", f"/plans/{plan['id']}", {"strengths": "changed"})
    assert frozen.status_code == 409
    assert "cannot change" in frozen.json["error"]["message"]
    assert api("GET", f"/plans/{plan['id']}").json["strengths"] == "Humour"

    answer = api("POST", f"/clients/{client_.id}/plans", {})
    assert answer.status_code == 201
    assert (answer.json["version"], answer.json["strengths"]) == (2, "Humour")
    assert api("POST", f"/clients/{client_.id}/plans", {}).status_code == 409
    listed = api("GET", f"/clients/{client_.id}/plans").json
    assert [p["version"] for p in listed["items"]] == [2, 1]
    assert listed["total"] == 2


def test_refusals_name_their_fields(db, api, coach, client_):
    other = factories.goal(factories.client(coach))
    plan = services.start_plan(client_, actor=coach)
    db.session.commit()
    answer = api("PATCH", f"/plans/{plan.id}", {"goal_ids": [other.id]})
    assert answer.status_code == 422
    assert "goal_ids" in answer.json["error"]["fields"]
    answer = api("POST", f"/plans/{plan.id}/sign", {"signer": "client", "typed_name": "Jo"})
    assert answer.status_code == 422 and "attested" in answer.json["error"]["fields"]
    answer = api(
        "POST",
        f"/plans/{plan.id}/sign",
        {"signer": "client", "image": "data:image/gif;base64,R0lG"},
    )
    assert answer.status_code == 422 and "image" in answer.json["error"]["fields"]
    answer = api("PATCH", f"/plans/{plan.id}", {"version": 3})
    assert answer.status_code == 422
    assert answer.json["error"]["fields"]["version"] == ["Read-only field."]
    answer = api("PATCH", f"/plans/{plan.id}", {"steps": [{"who": "Coach"}]})
    assert answer.status_code == 422


@pytest.mark.parametrize("role", ("other_coach", "other_supervisor", "program_manager", "admin"))
def test_outsiders_get_404(request, db, app, bearer, coach, client_, role):
    plan = services.start_plan(client_, actor=coach)
    db.session.commit()
    headers = bearer(request.getfixturevalue(role))
    browser = app.test_client()
    for method, url, body in (
        ("GET", f"/clients/{client_.id}/plans", None),
        ("POST", f"/clients/{client_.id}/plans", {}),
        ("GET", f"/plans/{plan.id}", None),
        ("PATCH", f"/plans/{plan.id}", {"strengths": "x"}),
        (
            "POST",
            f"/plans/{plan.id}/sign",
            {"signer": "client", "typed_name": "x", "attested": True},
        ),
    ):
        answer = browser.open(f"/api/v1{url}", method=method, json=body, headers=headers)
        assert answer.status_code == 404, (method, url)
    db.session.expire_all()
    assert plan.strengths is None and plan.signed_by_client_at is None


def test_openapi_describes_the_plan_endpoints(anon):
    paths = anon.get("/api/v1/openapi.json").json["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/clients/{client_id}/plans"])
    assert "patch" in paths["/api/v1/plans/{plan_id}"]
    assert "post" in paths["/api/v1/plans/{plan_id}/sign"]
