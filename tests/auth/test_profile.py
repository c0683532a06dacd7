"""The profile page: password change (ends every other session) and personal API tokens."""

from __future__ import annotations

import re

from sqlalchemy import select

from coachapp.auth.passwords import verify_password
from coachapp.auth.tokens import user_for_token
from coachapp.models import ApiToken, AuditEvent, User
from tests import factories

NEW = "a brand new long passphrase"


def sign_in(browser, email, password):
    return browser.post("/auth/login", data={"email": email, "password": password})


def change(browser, current=factories.PASSWORD, new=NEW, confirm=None):
    return browser.post(
        "/auth/profile",
        data={
            "pw-current_password": current,
            "pw-new_password": new,
            "pw-confirm": confirm if confirm is not None else new,
            "pw-submit": "Change password",
        },
    )


def test_password_change_ends_every_other_session(app, db, coach):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, coach.email, factories.PASSWORD)
    sign_in(phone, coach.email, factories.PASSWORD)
    assert change(laptop).status_code == 302
    assert laptop.get("/clients/").status_code == 200  # this browser carries on
    assert phone.get("/clients/").status_code == 302  # the other one is signed out
    db.session.expire_all()
    assert verify_password(db.session.get(User, coach.id).password_hash, NEW)
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.fields == "password_hash"))
    assert row is not None and NEW not in (row.detail or "")


def test_password_change_refusals(app, db, login, coach):
    browser = login(coach)
    cases = [
        (dict(current="not my password at all"), "This is not your current password."),
        (dict(new="short", confirm="short"), "Use at least 12 characters."),
        (dict(new="q1w2e3r4t5y6", confirm="q1w2e3r4t5y6"), "too common"),
        (dict(confirm="something else entirely"), "The two do not match."),
    ]
    for kwargs, message in cases:
        response = change(browser, **kwargs)
        assert response.status_code == 422, kwargs
        assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert verify_password(db.session.get(User, coach.id).password_hash, factories.PASSWORD)


def test_token_is_shown_once_and_revocable(db, login, coach):
    browser = login(coach)
    page = browser.post("/auth/profile", data={"tok-name": "warehouse", "tok-submit": "Create"})
    token = re.search(r'id="new-token">([^<]+)<', page.get_data(as_text=True)).group(1)
    assert user_for_token(token).id == coach.id
    db.session.commit()  # user_for_token stamps last_used_at: release that row lock
    row = db.session.scalar(select(ApiToken))
    assert token not in browser.get("/auth/profile").get_data(as_text=True)
    assert browser.post(f"/auth/profile/tokens/{row.id}/revoke").status_code == 302
    db.session.expire_all()
    assert user_for_token(token) is None


def test_cannot_revoke_someone_elses_token(db, login, coach, other_coach):
    from coachapp.auth.tokens import create_token

    _token, row = create_token(other_coach, "theirs")
    db.session.commit()
    assert login(coach).post(f"/auth/profile/tokens/{row.id}/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is None


def test_profile_needs_sign_in(anon):
    assert anon.get("/auth/profile").status_code == 302
