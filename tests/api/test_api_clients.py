"""JSON API v1: clients and enrollments by the access rule, pagination, optimistic locking."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coachapp.extensions import db
from coachapp.models import Client, ConsentRecord, Enrollment
from coachapp.plans import services as plan_services
from tests import factories
from tests.api.helpers import error_of

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
            for kind in (
                "enrollments",
                "sessions",
                "appointments",
                "referrals",
                "goals",
                "plans",
                "disclosures",
            )
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
        "/api/v1/clients/{client_id}/consents": ("coach", f"/api/v1/clients/{client}/consents?"),
        "/api/v1/consents/{consent_id}/summary": (
            "coach",
            f"/api/v1/consents/{ids['consent']}/summary?",
        ),
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
        "/api/v1/plans/{plan_id}": ("coach", f"/api/v1/plans/{ids['plan']}?"),
        "/api/v1/programs/{program_id}/billing": (
            "admin",
            f"/api/v1/programs/{ids['program']}/billing?",
        ),
        "/api/v1/billing/worksheet": ("admin", "/api/v1/billing/worksheet?"),
        "/api/v1/duplicates": ("supervisor", "/api/v1/duplicates?"),
    }


LISTS = {
    "/api/v1/programs",
    "/api/v1/users",
    "/api/v1/clients",
    "/api/v1/resources",
    "/api/v1/supervision-notes",
    *(
        f"/api/v1/clients/{{client_id}}/{kind}"
        for kind in (
            "enrollments",
            "sessions",
            "appointments",
            "referrals",
            "goals",
            "assessments",
            "disclosures",
        )
    ),
    "/api/v1/clients/{client_id}/assignments",
    "/api/v1/clients/{client_id}/statuses",
    "/api/v1/clients/{client_id}/consents",
    "/api/v1/duplicates",
}


def test_every_get_endpoint_reads_its_query_string_the_same_way(
    app, anon, bearer, coach, supervisor, admin
):
    """An unknown query parameter is refused everywhere (422 naming it); on every list a
    parameter of the wrong type is 400 and a page size past 200 is 422; each in api.md's error
    shape."""
    users = {"coach": coach, "supervisor": supervisor, "admin": admin}
    headers = {role: bearer(user) for role, user in users.items()}
    client = factories.client(coach)
    plan = plan_services.start_plan(client, actor=coach)
    consent = ConsentRecord(
        client_id=client.id,
        recipient="Harbor Clinic",
        purpose="Care coordination",
        information_disclosed="",
        categories="attendance",
        signed_on=date.today() - timedelta(days=3),
    )
    db.session.add(consent)
    db.session.commit()
    endpoints = get_endpoints(
        {
            "client": client.id,
            "coach": coach.id,
            "plan": plan.id,
            "program": coach.program_id,
            "consent": consent.id,
        }
    )
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
