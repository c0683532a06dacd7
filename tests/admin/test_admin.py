"""Admin workflows (users, programs, teams) and the staff list of a program: role gates,
validation, deactivation and password reset that end sessions and tokens, the audit trail,
constant query counts, and no client name on any of these pages."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from coachapp.auth.passwords import verify_password
from coachapp.auth.tokens import create_token, user_for_token
from coachapp.extensions import db as _db
from coachapp.models import ApiToken, AuditEvent, Client, Program, Team, User
from tests import factories
from tests.helpers import NEW_PASSWORD, QueryCounter, user_data
from tests.helpers import user_edit_data as edit_data


def count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def fresh(row):
    """The row as the database has it now (requests run in their own session)."""
    _db.session.expire_all()
    return _db.session.get(type(row), row.id)


def errors_of(page: str, field_id: str) -> str:
    """The text of the error block the render_field macro puts beside ``field_id``."""
    match = re.search(rf'id="{field_id}-errors"[^>]*>(.*?)</div>\s*</div>', page, re.S)
    return html.unescape(match.group(1)) if match else ""


def audit_rows(entity_type: str | None = None) -> list[AuditEvent]:
    """Audit events about ``entity_type`` written by the admin pages (not sign-ins)."""
    query = select(AuditEvent).order_by(AuditEvent.id)
    if entity_type:
        query = query.where(
            AuditEvent.entity_type == entity_type,
            AuditEvent.action.not_in(("login", "login_failed", "logout")),
        )
    return list(_db.session.scalars(query))


def form_login(browser, email: str, password: str):
    """The real sign-in form (CSRF is off in TestConfig)."""
    return browser.post("/auth/login", data={"email": email, "password": password})


@pytest.fixture
def team(program):
    row = Team(program_id=program.id, name="North")
    _db.session.add(row)
    _db.session.commit()
    return row


@pytest.fixture
def program_b():
    return factories.program(name="Program B", timezone="America/Chicago")


@pytest.fixture
def supervisor_b(program_b):
    return factories.user("supervisor", program=program_b, name="Bea Bsupervisor")


# --- Role gates -------------------------------------------------------------------------------


def admin_get_urls(user_id: int, program_id: int, team_id: int) -> list[str]:
    return [
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{user_id}/edit",
        "/admin/programs",
        "/admin/programs/new",
        f"/admin/programs/{program_id}/edit",
        "/admin/teams",
        "/admin/teams/new",
        f"/admin/teams/{team_id}/edit",
    ]


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


# --- Users: edit ------------------------------------------------------------------------------


def test_admin_edits_a_user_and_the_audit_names_the_fields(db, login, admin, coach, team):
    browser = login(admin)
    response = browser.post(
        f"/admin/users/{coach.id}/edit",
        data=edit_data(browser, coach, name="Casey Renamed", team_id=team.id),
    )
    assert response.status_code == 302
    stored = fresh(coach)
    assert (stored.name, stored.team_id) == ("Casey Renamed", team.id)
    (row,) = audit_rows("user")
    assert (row.action, row.entity_id, row.fields) == ("update", coach.id, "name,team_id")


def test_coach_moves_to_another_supervisor_of_the_program(login, admin, coach, other_supervisor):
    browser = login(admin)
    response = browser.post(
        f"/admin/users/{coach.id}/edit",
        data=edit_data(browser, coach, supervisor_id=other_supervisor.id),
    )
    assert response.status_code == 302
    assert fresh(coach).supervisor_id == other_supervisor.id


@pytest.mark.parametrize(
    ("who", "overrides", "field", "message"),
    [
        ("supervisor", {"role": "coach", "supervisor_id": "SELF"}, "supervisor_id", "own super"),
        ("coach", {"supervisor_id": "SUPB"}, "supervisor_id", "works in another program"),
        ("program_manager", {"supervisor_id": "SUP"}, "supervisor_id", "Only coaches have"),
        ("coach", {"role": "wizard"}, "role", "Not a valid choice"),
        ("coach", {"name": ""}, "name", "Give the person's name."),
        ("admin", {"role": "coach"}, "role", "You cannot change your own role"),
    ],
)
def test_edit_refusals_keep_input_and_save_nothing(
    request, db, login, admin, supervisor, supervisor_b, who, overrides, field, message
):
    user = request.getfixturevalue(who)
    ids = {"SELF": user.id, "SUP": supervisor.id, "SUPB": supervisor_b.id}
    browser = login(admin)
    data = edit_data(browser, user, name="Typed Name")
    data.update({k: ids.get(v, v) for k, v in overrides.items()})
    before = (user.name, user.role, user.supervisor_id)
    audits_before = count(AuditEvent)
    response = browser.post(f"/admin/users/{user.id}/edit", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in errors_of(html, field), html
    if field != "name":
        assert 'value="Typed Name"' in html
    stored = fresh(user)
    assert (stored.name, stored.role, stored.supervisor_id) == before
    assert count(AuditEvent) == audits_before


def test_a_supervisor_cannot_be_their_own_supervisor_even_as_a_coach(login, admin, supervisor):
    """Self-supervision is refused whatever the role the form asks for."""
    browser = login(admin)
    response = browser.post(
        f"/admin/users/{supervisor.id}/edit",
        data=edit_data(browser, supervisor, supervisor_id=supervisor.id),
    )
    assert response.status_code == 422
    assert "Nobody can be their own supervisor." in response.get_data(as_text=True)


def test_a_coach_with_active_clients_keeps_role_and_program(login, admin, coach, program_b):
    factories.client(coach, first_name="Zebulon")
    browser = login(admin)
    for overrides, field in (({"role": "supervisor", "supervisor_id": ""}, "role"),):
        response = browser.post(
            f"/admin/users/{coach.id}/edit", data=edit_data(browser, coach, **overrides)
        )
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "1 active client" in errors_of(html, field) and "Zebulon" not in html
    assert fresh(coach).role == "coach"


def test_a_supervisor_with_coaches_keeps_role(login, admin, supervisor, coach):
    browser = login(admin)
    response = browser.post(
        f"/admin/users/{supervisor.id}/edit",
        data=edit_data(browser, supervisor, role="program_manager"),
    )
    assert response.status_code == 422
    assert "1 coach reports to this supervisor" in response.get_data(as_text=True)


def test_a_stale_edit_is_refused(db, login, admin, coach):
    browser = login(admin)
    data = edit_data(browser, coach, name="Mine")
    # Another admin renames the coach in between.
    other = login(factories.user("admin", name="Other Admin"))
    assert (
        other.post(
            f"/admin/users/{coach.id}/edit", data=edit_data(other, coach, name="Theirs")
        ).status_code
        == 302
    )
    response = browser.post(f"/admin/users/{coach.id}/edit", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Someone else changed this record" in html and 'value="Mine"' in html
    assert fresh(coach).name == "Theirs"


def test_a_sign_in_does_not_make_the_edit_stale(db, anon, login, admin, coach):
    browser = login(admin)
    data = edit_data(browser, coach, name="Casey Again")
    assert form_login(anon, coach.email, factories.PASSWORD).status_code == 302
    assert browser.post(f"/admin/users/{coach.id}/edit", data=data).status_code == 302


# --- Deactivation -----------------------------------------------------------------------------


def test_deactivation_ends_sign_in_sessions_and_tokens(db, anon, login, admin, coach):
    factories.client(coach, first_name="Zebulon")
    factories.client(coach, first_name="Yolanda")
    factories.client(coach, first_name="Xavier", status="discharged")
    token, _row = create_token(coach, "warehouse")
    db.session.commit()
    assert user_for_token(token).id == coach.id
    db.session.commit()  # user_for_token notes last_used_at: release the row, as a request does
    coach_browser = login(coach)
    assert coach_browser.get("/clients/").status_code == 200

    response = login(admin).post(
        f"/admin/users/{coach.id}/deactivate", data={"confirm": "yes"}, follow_redirects=True
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "still has 2 active clients" in html and "Reassign caseload" in html
    assert not any(name in html for name in ("Zebulon", "Yolanda", "Xavier"))

    stored = fresh(coach)
    assert not stored.active and stored.session_version == 2
    # The signed-in browser is signed out on its next request.
    response = coach_browser.get("/clients/")
    assert response.status_code == 302 and "/auth/login" in response.location
    # The token stops working (and is revoked for good).
    assert user_for_token(token) is None
    assert db.session.scalar(select(ApiToken.revoked_at)) is not None
    # The real sign-in form refuses the account.
    response = form_login(anon, coach.email, factories.PASSWORD)
    assert response.status_code == 200
    assert "the account is off" in response.get_data(as_text=True)
    (row,) = audit_rows("user")
    assert (row.action, row.entity_id, row.fields, row.detail) == (
        "update",
        coach.id,
        "active,session_version",
        "deactivated",
    )


def test_deactivating_a_coach_with_clients_asks_for_confirmation_first(
    db, login, admin, supervisor, coach
):
    """One click on "Deactivate" for a coach with active clients opens a confirm page with the
    count and a link to reassign the caseload; nothing changes until it is confirmed."""
    factories.client(coach, first_name="Zebulon")
    factories.client(coach, first_name="Yolanda")
    db.session.commit()
    browser = login(admin)
    response = browser.post(f"/admin/users/{coach.id}/deactivate")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "2 active clients" in html and f"/team/coaches/{coach.id}/reassign" in html
    assert 'name="confirm" value="yes"' in html and supervisor.name in html
    assert "Zebulon" not in html and "Yolanda" not in html
    assert fresh(coach).active and fresh(coach).session_version == 1
    assert audit_rows("user") == []
    # Anything but the confirmation changes nothing either.
    assert (
        browser.post(f"/admin/users/{coach.id}/deactivate", data={"confirm": "no"}).status_code
        == 200
    )
    assert fresh(coach).active
    done = browser.post(f"/admin/users/{coach.id}/deactivate", data={"confirm": "yes"})
    assert done.status_code == 302 and not fresh(coach).active


def test_deactivating_a_coach_without_clients_needs_no_confirmation(db, login, admin, coach):
    factories.client(coach, first_name="Xavier", status="discharged")
    db.session.commit()
    assert login(admin).post(f"/admin/users/{coach.id}/deactivate").status_code == 302
    assert not fresh(coach).active


def test_reactivation_lets_them_sign_in_again(db, anon, login, admin, coach):
    token, _row = create_token(coach, "script")
    db.session.commit()
    browser = login(admin)
    browser.post(f"/admin/users/{coach.id}/deactivate")
    response = browser.post(f"/admin/users/{coach.id}/reactivate")
    assert response.status_code == 302
    assert fresh(coach).active
    assert form_login(anon, coach.email, factories.PASSWORD).status_code == 302
    assert user_for_token(token) is None  # old tokens stay revoked
    details = [r.detail for r in audit_rows("user")]
    assert details == ["deactivated", "reactivated"]


def test_admin_cannot_deactivate_themself(db, login, admin):
    browser = login(admin)
    response = browser.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert fresh(admin).active
    assert browser.get("/admin/users").status_code == 200  # still signed in


def test_deactivating_a_supervisor_warns_about_their_coaches(login, admin, supervisor, coach):
    response = login(admin).post(f"/admin/users/{supervisor.id}/deactivate", follow_redirects=True)
    assert "1 active coach still reports to Sam Supervisor" in response.get_data(as_text=True)
    assert not fresh(supervisor).active


def test_deactivation_needs_post(login, admin, coach):
    assert login(admin).get(f"/admin/users/{coach.id}/deactivate").status_code == 405
    assert fresh(coach).active


# --- Password reset ---------------------------------------------------------------------------


def test_password_reset_ends_every_session_and_audits_no_password(db, anon, login, admin, coach):
    coach_browser = login(coach)
    assert coach_browser.get("/clients/").status_code == 200
    response = login(admin).post(
        f"/admin/users/{coach.id}/password", data={"new_password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    stored = fresh(coach)
    assert verify_password(stored.password_hash, NEW_PASSWORD)
    assert stored.session_version == 2
    response = coach_browser.get("/clients/")
    assert response.status_code == 302 and "/auth/login" in response.location
    assert form_login(anon, coach.email, factories.PASSWORD).status_code == 200
    assert form_login(anon, coach.email, NEW_PASSWORD).status_code == 302
    (row,) = [r for r in audit_rows("user") if r.action == "update"]
    assert row.fields == "password_hash,session_version" and row.entity_id == coach.id
    for event_row in audit_rows():
        text = " ".join(str(getattr(event_row, c.key)) for c in AuditEvent.__table__.columns)
        assert NEW_PASSWORD not in text and stored.password_hash not in text
        assert factories.PASSWORD not in text


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password1234", "This password is too common"),
        ("short", "Use at least 12 characters."),
        ("", "Give the new password."),
        ("y" * 20_000, "Use at most 128 characters."),
    ],
)
def test_password_reset_refusals(db, login, admin, coach, password, message):
    coach_browser = login(coach)
    response = login(admin).post(
        f"/admin/users/{coach.id}/password", data={"new_password": password}
    )
    assert response.status_code == 422
    assert message in errors_of(response.get_data(as_text=True), "new_password")
    stored = fresh(coach)
    assert verify_password(stored.password_hash, factories.PASSWORD)
    assert stored.session_version == 1
    assert coach_browser.get("/clients/").status_code == 200
    assert audit_rows("user") == []


def test_admin_resets_their_own_password_on_the_profile_only(login, admin):
    response = login(admin).post(
        f"/admin/users/{admin.id}/password", data={"new_password": NEW_PASSWORD}
    )
    assert response.status_code == 422
    assert "on your profile page" in response.get_data(as_text=True)
    assert verify_password(fresh(admin).password_hash, factories.PASSWORD)


def test_password_reset_lifts_the_sign_in_lockout(app, db, anon, login, admin, coach):
    app.config["LOGIN_LOCKOUT_FAILURES"] = 3
    for _ in range(3):
        form_login(anon, coach.email, "wrong password number")
    locked = form_login(anon, coach.email.upper(), factories.PASSWORD)
    assert "Too many failed attempts" in locked.get_data(as_text=True)
    # A refused reset changes nothing: the account stays locked.
    admin_browser = login(admin)
    refused = admin_browser.post(f"/admin/users/{coach.id}/password", data={"new_password": "x"})
    assert refused.status_code == 422
    still_locked = form_login(anon, coach.email, factories.PASSWORD)
    assert "Too many failed attempts" in still_locked.get_data(as_text=True)
    response = login(admin).post(
        f"/admin/users/{coach.id}/password", data={"new_password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert form_login(anon, coach.email, NEW_PASSWORD).status_code == 302


# --- Programs and teams -----------------------------------------------------------------------


def test_admin_creates_and_edits_a_program(db, login, admin):
    browser = login(admin)
    page = browser.get("/admin/programs/new").get_data(as_text=True)
    assert '<datalist id="timezones">' in page and 'value="Europe/Lisbon"' in page
    response = browser.post(
        "/admin/programs/new", data={"name": "Riverside", "timezone": "America/Denver"}
    )
    assert response.status_code == 302
    program = db.session.scalar(select(Program).where(Program.name == "Riverside"))
    assert program.timezone == "America/Denver"
    response = browser.post(
        f"/admin/programs/{program.id}/edit",
        data={"name": "Riverside East", "timezone": "America/New_York"},
    )
    assert response.status_code == 302
    assert (fresh(program).name, fresh(program).timezone) == ("Riverside East", "America/New_York")
    rows = audit_rows("program")
    assert [(r.action, r.fields) for r in rows] == [
        ("create", "name,timezone"),
        ("update", "name,timezone"),
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "PROGRAM B", "timezone": "UTC"}, "name", "Another program has this name."),
        ({"name": "New", "timezone": "Mars/Olympus_Mons"}, "timezone", "Choose a time zone"),
        ({"name": "New", "timezone": "../../etc/passwd"}, "timezone", "Choose a time zone"),
        ({"name": "New", "timezone": ""}, "timezone", "Give the time zone."),
        ({"name": " ", "timezone": "UTC"}, "name", "Give the program a name."),
        ({"name": "x" * 201, "timezone": "UTC"}, "name", "cannot be longer"),
    ],
)
def test_program_refusals(db, login, admin, program_b, data, field, message):
    before = count(Program)
    response = login(admin).post("/admin/programs/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in errors_of(html, field)
    assert count(Program) == before


def test_program_rename_to_a_taken_name_is_refused(login, admin, program, program_b):
    response = login(admin).post(
        f"/admin/programs/{program.id}/edit", data={"name": "program b", "timezone": "UTC"}
    )
    assert response.status_code == 422
    assert fresh(program).name != "program b"


def test_teams_are_unique_per_program(db, login, admin, program, program_b, team):
    browser = login(admin)
    listing = browser.get(f"/admin/teams?program_id={program.id}").get_data(as_text=True)
    assert "North" in listing
    response = browser.post("/admin/teams/new", data={"program_id": program.id, "name": "NORTH"})
    assert response.status_code == 422
    assert "already has a team with this name" in errors_of(response.get_data(as_text=True), "name")
    # The same name in another program is fine.
    response = browser.post("/admin/teams/new", data={"program_id": program_b.id, "name": "North"})
    assert response.status_code == 302
    assert count(Team) == 2
    response = browser.post("/admin/teams/new", data={"program_id": "", "name": "East"})
    assert response.status_code == 422 and "Choose a program." in response.get_data(as_text=True)
    assert count(Team) == 2


def test_team_rename(db, login, admin, program, team):
    other = Team(program_id=program.id, name="South")
    db.session.add(other)
    db.session.commit()
    browser = login(admin)
    response = browser.post(f"/admin/teams/{team.id}/edit", data={"name": "south"})
    assert response.status_code == 422
    assert fresh(team).name == "North"
    response = browser.post(f"/admin/teams/{team.id}/edit", data={"name": "North Star"})
    assert response.status_code == 302
    assert fresh(team).name == "North Star"
    (row,) = audit_rows("team")
    assert (row.action, row.fields) == ("update", "name")


# --- Staff list -------------------------------------------------------------------------------


def staff_rows(page: str) -> dict[str, list[str]]:
    """``{name: [role line, active clients, all clients]}`` from the staff table."""
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        name = re.search(r'class="fw-semibold"[^>]*>([^<]+)<', tr)
        line = re.search(r'<div class="small text-body-secondary">(.*?)</div>', tr, re.S)
        counts = re.findall(r'<td class="text-end">([^<]*)</td>', tr)
        if name and line:
            rows[name.group(1)] = [" ".join(line.group(1).split()), *counts]
    return rows


def test_program_manager_sees_staff_and_caseload_counts(
    db, login, program_manager, supervisor, coach, other_coach, team
):
    coach.team_id = team.id
    db.session.commit()
    factories.client(coach, first_name="Zebulon")
    factories.client(coach, first_name="Yolanda")
    factories.client(coach, first_name="Xavier", status="discharged")
    archived = factories.client(coach, first_name="Wilma")
    archived.archived_at = func.now()
    factories.client(other_coach, first_name="Valentina", status="inactive")
    db.session.commit()
    response = login(program_manager).get("/admin/staff")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in ("Zebulon", "Yolanda", "Xavier", "Wilma", "Valentina", "Jordan", "Rivera"):
        assert name not in html
    rows = staff_rows(html)
    assert rows["Casey Coach"] == ["Coach · team North · supervised by Sam Supervisor", "2", "3"]
    assert rows["Oscar Othercoach"][1:] == ["0", "1"]
    assert rows["Sam Supervisor"] == ["Supervisor", "—", "—"]
    assert rows["Pat Manager"][0] == "Program manager"


def test_program_manager_sees_nothing_of_another_program(
    login, program_manager, coach, program_b, supervisor_b
):
    coach_b = factories.user("coach", program=program_b, supervisor=supervisor_b, name="Bo Bcoach")
    factories.client(coach_b, first_name="Ulysses")
    browser = login(program_manager)
    for url in ("/admin/staff", f"/admin/staff?program_id={program_b.id}"):
        response = browser.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert coach.name in html
        assert "Bo Bcoach" not in html and "Bea Bsupervisor" not in html
        assert "Program B" not in html and "Ulysses" not in html


def test_admin_chooses_the_program_of_the_staff_list(login, admin, coach, program_b, supervisor_b):
    browser = login(admin)
    html = browser.get(f"/admin/staff?program_id={program_b.id}").get_data(as_text=True)
    assert "Bea Bsupervisor" in html and coach.name not in html
    assert browser.get("/admin/staff?program_id=9999").status_code == 404
    assert browser.get("/admin/staff?program_id=abc").status_code == 200


def test_staff_list_query_count_is_constant(db, login, program_manager, program, supervisor):
    browser = login(program_manager)

    def queries() -> int:
        with QueryCounter(db.engine) as counter:
            assert browser.get("/admin/staff").status_code == 200
        return counter.n

    def add_coaches(n: int) -> None:
        for _ in range(n):
            coach = factories.user("coach", program=program, supervisor=supervisor)
            factories.client(coach)
            factories.client(coach, status="discharged")

    add_coaches(3)
    three = queries()
    add_coaches(27)
    assert queries() == three


# --- No client record through the admin pages -------------------------------------------------


def test_no_client_name_on_any_admin_page(db, login, admin, coach, program, team):
    factories.client(coach, first_name="Zebulon", last_name="Quixote", preferred_name="Zeb")
    browser = login(admin)
    for url in [*admin_get_urls(coach.id, program.id, team.id), "/admin/staff"]:
        html = browser.get(url).get_data(as_text=True)
        assert "Zebulon" not in html and "Quixote" not in html and "C-0000" not in html, url
    assert count(AuditEvent, AuditEvent.action == "view") == 0
    assert count(Client) == 1


def test_admin_pages_have_no_inline_script_or_style(login, admin, coach, program, team):
    browser = login(admin)
    for url in [*admin_get_urls(coach.id, program.id, team.id), "/admin/staff"]:
        html = browser.get(url).get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html, url


def test_out_of_range_ids_never_answer_500(login, admin):
    browser = login(admin)
    huge = "99999999999999999999"
    for url in (
        f"/admin/users?program_id={huge}",
        f"/admin/teams?program_id={huge}",
        f"/admin/teams/new?program_id={huge}",
        f"/admin/staff?program_id={huge}",  # junk reads as "no choice": the default program
    ):
        assert browser.get(url).status_code == 200, url
    for url in (
        f"/admin/users/{huge}/edit",
        f"/admin/programs/{huge}/edit",
        f"/admin/teams/{huge}/edit",
    ):
        assert browser.get(url).status_code == 404, url
    assert browser.post(f"/admin/users/{huge}/deactivate").status_code == 404
