"""Admin: editing users, deactivation (ends their sessions) and password reset."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coachapp.auth.passwords import verify_password
from coachapp.auth.tokens import create_token, user_for_token
from coachapp.models import ApiToken, AuditEvent
from tests import factories
from tests.admin.helpers import audit_rows, count, errors_of, form_login, fresh
from tests.helpers import NEW_PASSWORD
from tests.helpers import user_edit_data as edit_data

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
