"""Admin workflows (users, programs, teams) and the staff list of a program: role gates,
validation, deactivation and password reset that end sessions and tokens, the audit trail,
constant query counts, and no client name on any of these pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coachapp.auth.passwords import verify_password
from coachapp.models import AuditEvent, Team, User
from tests import factories
from tests.admin.helpers import admin_get_urls, audit_rows, count, errors_of, form_login, fresh
from tests.helpers import NEW_PASSWORD, QueryCounter, user_data

# --- Role gates -------------------------------------------------------------------------------


def admin_post_urls(user_id: int, program_id: int, team_id: int) -> list[str]:
    return [
        "/admin/users/new",
        f"/admin/users/{user_id}/edit",
        f"/admin/users/{user_id}/deactivate",
        f"/admin/users/{user_id}/reactivate",
        f"/admin/users/{user_id}/password",
        "/admin/programs/new",
        f"/admin/programs/{program_id}/edit",
        "/admin/teams/new",
        f"/admin/teams/{team_id}/edit",
    ]


def test_admin_opens_every_admin_page(login, admin, coach, program, team):
    browser = login(admin)
    for url in [*admin_get_urls(coach.id, program.id, team.id), "/admin/staff"]:
        assert browser.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["coach", "supervisor", "program_manager"])
def test_other_roles_get_403_on_admin_pages(request, login, role, coach, program, team):
    browser = login(request.getfixturevalue(role))
    for url in admin_get_urls(coach.id, program.id, team.id):
        assert browser.get(url).status_code == 403, url
    for url in admin_post_urls(coach.id, program.id, team.id):
        response = browser.post(url, data={"name": "X", "new_password": NEW_PASSWORD})
        assert response.status_code == 403, url
    stored = fresh(coach)
    assert stored.active and stored.name == "Casey Coach"
    assert verify_password(stored.password_hash, factories.PASSWORD)
    assert count(User) >= 2 and count(Team) == 1
    assert audit_rows("user") == []


@pytest.mark.parametrize(("role", "status"), [("coach", 403), ("supervisor", 403)])
def test_staff_list_is_for_program_managers_and_admins(request, login, role, status):
    assert login(request.getfixturevalue(role)).get("/admin/staff").status_code == status


def test_admin_pages_need_sign_in(anon, coach, program, team):
    for url in [*admin_get_urls(coach.id, program.id, team.id), "/admin/staff"]:
        response = anon.get(url)
        assert response.status_code == 302 and "/auth/login" in response.location, url


def test_unknown_ids_are_404(login, admin):
    browser = login(admin)
    for url in ("/admin/users/9999/edit", "/admin/programs/9999/edit", "/admin/teams/9999/edit"):
        assert browser.get(url).status_code == 404, url
    for url in ("/admin/users/9999/deactivate", "/admin/users/9999/password"):
        assert browser.post(url, data={"new_password": NEW_PASSWORD}).status_code == 404


# --- Users: list ------------------------------------------------------------------------------


def test_user_list_filters_and_search(login, admin, coach, other_coach, supervisor, program_b):
    inactive = factories.user("coach", program=program_b, name="Ina Inactive", active=False)
    browser = login(admin)

    def names(query: str) -> str:
        response = browser.get("/admin/users" + query)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    everyone = names("")
    assert all(u.name in everyone for u in (admin, coach, other_coach, supervisor, inactive))
    by_role = names("?role=supervisor")
    assert supervisor.name in by_role and coach.name not in by_role
    by_program = names(f"?program_id={program_b.id}")
    assert inactive.name in by_program and coach.name not in by_program
    deactivated = names("?active=inactive")
    assert inactive.name in deactivated and coach.name not in deactivated
    active = names("?active=active")
    assert inactive.name not in active and coach.name in active
    searched = names("?q=CASEY")
    assert coach.name in searched and other_coach.name not in searched
    by_email = names(f"?q={other_coach.email.upper()}")
    assert other_coach.name in by_email and coach.name not in by_email
    # Wildcards are searched for literally; junk filters are ignored, never a 500.
    assert coach.name not in names("?q=%25")
    assert coach.name in names("?role=wizard&active=maybe&program_id=abc&page=-4")


def test_user_list_is_paginated(login, admin, program):
    for n in range(55):
        factories.user("coach", program=program, name=f"Paged {n:02d}")
    browser = login(admin)
    first = browser.get("/admin/users?q=Paged").get_data(as_text=True)
    assert "55 users" in first and "Page 1 of 2" in first
    assert "Paged 00" in first and "Paged 54" not in first
    second = browser.get("/admin/users?q=Paged&page=2").get_data(as_text=True)
    assert "Paged 54" in second and "Paged 00" not in second
    assert browser.get("/admin/users?page=99").status_code == 200


def test_user_list_query_count_does_not_grow(db, login, admin, program, supervisor):
    browser = login(admin)

    def queries() -> int:
        with QueryCounter(db.engine) as counter:
            assert browser.get("/admin/users").status_code == 200
        return counter.n

    for _n in range(3):
        factories.user("coach", program=program, supervisor=supervisor)
    few = queries()
    for _n in range(27):
        factories.user("coach", program=program, supervisor=supervisor)
    assert queries() == few


# --- Users: create ----------------------------------------------------------------------------


def test_admin_creates_a_coach(db, anon, login, admin, program, supervisor, team):
    response = login(admin).post(
        "/admin/users/new",
        data=user_data(program_id=program.id, team_id=team.id, supervisor_id=supervisor.id),
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.name == "Nia Newcoach"))
    assert user.email == "nia.newcoach@example.org"  # stored lower-case
    assert (user.role, user.program_id, user.team_id, user.supervisor_id) == (
        "coach",
        program.id,
        team.id,
        supervisor.id,
    )
    assert user.active and verify_password(user.password_hash, NEW_PASSWORD)
    (created,) = audit_rows("user")
    assert (created.action, created.entity_id, created.user_id) == ("create", user.id, admin.id)
    assert set(created.fields.split(",")) == {
        "email",
        "name",
        "password_hash",
        "program_id",
        "role",
        "supervisor_id",
        "team_id",
    }
    # The new account signs in through the real form.
    assert form_login(anon, user.email, NEW_PASSWORD).status_code == 302


def test_admin_creates_an_admin_without_a_program(db, login, admin):
    response = login(admin).post(
        "/admin/users/new", data=user_data(name="Al Admin", email="al@example.org", role="admin")
    )
    assert response.status_code == 302
    assert db.session.scalar(select(User.role).where(User.email == "al@example.org")) == "admin"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "CASEY@EXAMPLE.ORG"}, "email", "Another account already uses this email."),
        ({"email": "not-an-email"}, "email", "This is not an email address."),
        ({"email": "x" * 250 + "@example.org"}, "email", "Field cannot be longer"),
        ({"role": "wizard"}, "role", "Not a valid choice"),
        ({"role": ""}, "role", "Choose a role."),
        ({"password": "password1234"}, "password", "This password is too common"),
        ({"password": "short"}, "password", "Use at least 12 characters."),
        ({"password": "x" * 500}, "password", "Use at most 128 characters."),
        ({"password": ""}, "password", "Give an initial password."),
        ({"name": "   "}, "name", "Give the person's name."),
        ({"program_id": ""}, "program_id", "A coach belongs to a program"),
        ({"program_id": "abc"}, "program_id", "could not coerce"),
        ({"program_id": "99999999999999999999"}, "program_id", "Not a valid choice"),
        ({"supervisor_id": "SUPB"}, "supervisor_id", "This supervisor works in another program."),
        ({"role": "supervisor", "supervisor_id": "SUP"}, "supervisor_id", "Only coaches have"),
        ({"role": "program_manager", "team_id": "TEAM"}, "team_id", "Only coaches and"),
        ({"team_id": "TEAMB"}, "team_id", "This team belongs to another program."),
    ],
)
def test_create_refusals_keep_input_and_save_nothing(
    db, login, admin, program, coach, supervisor, supervisor_b, team, overrides, field, message
):
    coach.email = "casey@example.org"
    team_b = Team(program_id=supervisor_b.program_id, name="South")
    db.session.add(team_b)
    db.session.commit()
    ids = {
        "SUP": supervisor.id,
        "SUPB": supervisor_b.id,
        "TEAM": team.id,
        "TEAMB": team_b.id,
    }
    data = user_data(program_id=program.id, name="Quinn Keepme")
    data.update({k: ids.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()})
    users_before, audits_before = count(User), count(AuditEvent)
    response = login(admin).post("/admin/users/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in errors_of(html, field), html
    if field != "name":
        assert 'value="Quinn Keepme"' in html  # the input is kept
    assert count(User) == users_before and count(AuditEvent) == audits_before


def test_coach_id_is_not_a_supervisor_choice(login, admin, program, coach):
    response = login(admin).post(
        "/admin/users/new", data=user_data(program_id=program.id, supervisor_id=coach.id)
    )
    assert response.status_code == 422
    assert "Not a valid choice" in errors_of(response.get_data(as_text=True), "supervisor_id")
