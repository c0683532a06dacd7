"""JSON API v1: users and the outcome report, for each role."""

from __future__ import annotations

from datetime import date

import pytest

from coachapp.auth.tokens import create_token
from coachapp.models import (
    User,
)
from tests import factories
from tests.api.helpers import API, error_of, fields_of
from tests.helpers import count

# --- Users -------------------------------------------------------------------------------------


def test_admin_opens_changes_and_deactivates_accounts(db, anon, call, admin, program, supervisor):
    response = call(
        admin,
        "post",
        "/users",
        json={
            "email": "New.Coach@Example.org",
            "name": "Nia Newcoach",
            "role": "coach",
            "program_id": program.id,
            "supervisor_id": supervisor.id,
            "password": "a long and unusual passphrase",
        },
    )
    assert response.status_code == 201
    out = response.get_json()
    assert set(out) == {
        "id",
        "email",
        "name",
        "role",
        "program_id",
        "supervisor_id",
        "active",
        "credential",
    }
    assert (out["email"], out["active"]) == ("new.coach@example.org", True)
    assert call(admin, "get", f"/users/{out['id']}").get_json() == out
    listing = call(admin, "get", "/users?per_page=200").get_json()
    assert out["id"] in [u["id"] for u in listing["items"]]
    assert listing["total"] == count(db, User)
    new_user = db.session.get(User, out["id"])
    token, _ = create_token(new_user, "t")
    db.session.commit()
    own = {"Authorization": f"Bearer {token}"}
    assert anon.get(f"{API}/me", headers=own).status_code == 200
    renamed = call(admin, "patch", f"/users/{out['id']}", json={"name": "Nia N."}).get_json()
    assert renamed["name"] == "Nia N."
    off = call(admin, "patch", f"/users/{out['id']}", json={"active": False}).get_json()
    assert off["active"] is False
    assert anon.get(f"{API}/me", headers=own).status_code == 401
    on = call(admin, "patch", f"/users/{out['id']}", json={"active": True}).get_json()
    assert on["active"] is True
    assert anon.get(f"{API}/me", headers=own).status_code == 401  # old tokens stay revoked


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"password": "short"}, "password"),
        ({"password": "password1234"}, "password"),
        ({"email": "casey@"}, "email"),
        ({"email": "TAKEN"}, "email"),
        ({"role": "superuser"}, "role"),
        ({"program_id": None}, "program_id"),
        ({"program_id": 999_999}, "program_id"),
        ({"supervisor_id": "COACH"}, "supervisor_id"),
        ({"name": " "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"team_id": 1}, "team_id"),
    ],
)
def test_user_create_validation(db, call, admin, program, coach, change, field):
    if change.get("email") == "TAKEN":
        change = {"email": coach.email.upper()}
    if change.get("supervisor_id") == "COACH":
        change = {"supervisor_id": coach.id}
    body = {
        "email": "someone@example.org",
        "name": "Some One",
        "role": "coach",
        "program_id": program.id,
        "password": "a long and unusual passphrase",
    } | change
    before = count(db, User)
    assert field in fields_of(call(admin, "post", "/users", json=body))
    assert count(db, User) == before


def test_user_patch_rules(db, call, admin, coach, supervisor, mine):
    assert "active" in fields_of(call(admin, "patch", f"/users/{admin.id}", json={"active": False}))
    assert "role" in fields_of(call(admin, "patch", f"/users/{admin.id}", json={"role": "coach"}))
    # A coach with active clients is not moved before the caseload is reassigned.
    assert "role" in fields_of(
        call(
            admin, "patch", f"/users/{coach.id}", json={"role": "supervisor", "supervisor_id": None}
        )
    )
    assert "supervisor_id" in fields_of(
        call(admin, "patch", f"/users/{supervisor.id}", json={"supervisor_id": supervisor.id})
    )
    assert "email" in fields_of(
        call(admin, "patch", f"/users/{coach.id}", json={"email": "x@y.org"})
    )
    assert call(admin, "get", "/users/999999").status_code == 404
    assert call(admin, "patch", "/users/999999", json={}).status_code == 404
    db.session.expire_all()
    assert db.session.get(User, coach.id).role == "coach"


# --- Reports -----------------------------------------------------------------------------------


HEADLINE = {
    "clients",
    "sessions",
    "time_to_first_contact_days",
    "appointments",
    "referrals",
    "retention",
    "goals",
    "recovery_capital",
    "supervision",
}


MARCH = "start=2026-03-01&end=2026-03-31"


def test_each_role_reports_on_its_own_scope(
    db, call, program, coach, supervisor, program_manager, admin, other_coach, mine, theirs
):
    factories.session(mine, on=date(2026, 3, 2))
    factories.session(theirs, on=date(2026, 3, 2))
    expected = {
        coach: ({"program_id": program.id, "coach_id": coach.id, "supervisor_id": None}, 1),
        supervisor: (
            {"program_id": program.id, "coach_id": None, "supervisor_id": supervisor.id},
            1,
        ),
        program_manager: ({"program_id": program.id, "coach_id": None, "supervisor_id": None}, 2),
    }
    for user, (scope, completed) in expected.items():
        response = call(user, "get", f"/reports/outcomes?{MARCH}")
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert set(body) == HEADLINE | {"period", "scope", "by_coach", "by_month"}
        assert body["scope"] == scope
        assert body["period"] == {"start": "2026-03-01", "end": "2026-03-31"}
        assert body["sessions"]["completed"] == completed
    admin_view = call(admin, "get", f"/reports/outcomes?{MARCH}&program_id={program.id}").get_json()
    assert admin_view["sessions"]["completed"] == 2
    narrowed = call(program_manager, "get", f"/reports/outcomes?{MARCH}&coach_id={other_coach.id}")
    assert narrowed.get_json()["scope"]["coach_id"] == other_coach.id


def test_scopes_outside_reach_are_404(
    db, call, program, coach, supervisor, program_manager, admin, other_coach, other_supervisor
):
    elsewhere = factories.program()
    outside = [
        (coach, f"&coach_id={other_coach.id}"),
        (coach, f"&supervisor_id={supervisor.id}"),
        (coach, f"&program_id={elsewhere.id}"),
        (supervisor, f"&coach_id={other_coach.id}"),
        (supervisor, f"&supervisor_id={other_supervisor.id}"),
        (program_manager, f"&program_id={elsewhere.id}"),
        (program_manager, "&coach_id=999999"),
        (admin, "&program_id=999999"),
    ]
    for user, extra in outside:
        response = call(user, "get", f"/reports/outcomes?{MARCH}{extra}")
        assert response.status_code == 404, (user.role, extra)
        assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2026-03-01", "end"),
        ("end=2026-03-31", "start"),
        ("start=2026-03-31&end=2026-03-01", "end"),
        ("start=2020-01-01&end=2025-12-31", "end"),
        ("start=1800-01-01&end=1800-12-31", "start"),
        (f"{MARCH}&coach_id=0", "coach_id"),
        (f"{MARCH}&program_id=99999999999", "program_id"),
        (f"{MARCH}&format=csv", "format"),
    ],
)
def test_report_arguments_validation(call, program_manager, query, field):
    assert field in fields_of(call(program_manager, "get", f"/reports/outcomes?{query}"))


@pytest.mark.parametrize(
    ("query", "field"),
    [("start=2026-02-30&end=2026-03-31", "start"), (f"{MARCH}&coach_id=abc", "coach_id")],
)
def test_report_arguments_of_the_wrong_type_are_400(call, program_manager, query, field):
    """Not a date, not a number: api.md's 400, with the parameter named."""
    response = call(program_manager, "get", f"/reports/outcomes?{query}")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "bad_request" and field in error["fields"]


def test_an_admin_names_the_program(call, admin):
    assert "program_id" in fields_of(call(admin, "get", f"/reports/outcomes?{MARCH}"))
