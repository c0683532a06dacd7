"""Sign-in and sign-out through the real form (CSRF on), password hashing and session limits."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from coachapp.auth.passwords import hash_password, password_problem, verify_password
from coachapp.models import AuditEvent
from tests import factories
from tests.helpers import csrf_token, sign_in


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app


def test_argon2id_hashes(app):
    stored = hash_password("a long enough passphrase")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "a long enough passphrase")
    assert not verify_password(stored, "a long enough passphrasE")
    assert not verify_password("not a hash", "anything")


def test_password_policy(app):
    assert password_problem("short") == "Use at least 12 characters."
    assert password_problem("x" * 129) == "Use at most 128 characters."
    assert password_problem("a perfectly fine passphrase") is None
    # 12 characters, but among the 10,000 most common passwords (any case).
    assert password_problem("q1w2e3r4t5y6") == "This password is too common; choose another."
    assert password_problem("1QAZ2WSX3EDC") == "This password is too common; choose another."


def test_sign_in_and_out(csrf_app, db, coach):
    browser = csrf_app.test_client()
    response = sign_in(browser, coach.email, factories.PASSWORD)
    assert response.status_code == 302 and response.location.endswith("/home")
    home = browser.get("/home", follow_redirects=True)  # a coach's home is their caseload
    assert home.status_code == 200 and coach.name in home.get_data(as_text=True)

    token = csrf_token(home.get_data(as_text=True))
    assert browser.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert browser.get("/home").status_code == 302  # back to sign-in
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["login", "logout"]


def test_email_is_case_insensitive(csrf_app, coach):
    browser = csrf_app.test_client()
    assert sign_in(browser, coach.email.upper(), factories.PASSWORD).status_code == 302


@pytest.mark.parametrize("case", ["wrong_password", "unknown_email", "deactivated"])
def test_failed_sign_in_says_the_same_thing_every_time(csrf_app, db, coach, case):
    browser = csrf_app.test_client()
    email, password = coach.email, factories.PASSWORD
    if case == "wrong_password":
        password = "not the password at all"
    elif case == "unknown_email":
        email = "nobody@example.org"
    else:
        coach.active = False
        db.session.commit()
    response = sign_in(browser, email, password)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Email or password is not right, or the account is off." in page
    assert email not in page.replace(f'value="{email}"', "")  # only echoed back in the field
    assert browser.get("/home").status_code == 302
    assert db.session.scalar(select(AuditEvent.action)) == "login_failed"


def test_form_without_csrf_token_is_refused(csrf_app, coach):
    browser = csrf_app.test_client()
    response = browser.post(
        "/auth/login", data={"email": coach.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 400
    assert browser.get("/home").status_code == 302


def test_logout_needs_post_with_csrf(csrf_app, coach):
    browser = csrf_app.test_client()
    sign_in(browser, coach.email, factories.PASSWORD)
    assert browser.get("/auth/logout").status_code == 405
    assert browser.post("/auth/logout").status_code == 400
    assert browser.get("/clients/").status_code == 200  # still signed in


def test_logout_ends_every_session_of_that_user(csrf_app, coach):
    laptop, phone = csrf_app.test_client(), csrf_app.test_client()
    sign_in(laptop, coach.email, factories.PASSWORD)
    sign_in(phone, coach.email, factories.PASSWORD)
    token = csrf_token(laptop.get("/clients/").get_data(as_text=True))
    laptop.post("/auth/logout", data={"csrf_token": token})
    assert phone.get("/home").status_code == 302


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/clients/", "/clients/"),
        ("https://evil.example/", "/home"),
        ("//evil.example/", "/home"),
        ("/\\evil.example", "/home"),
        ("javascript:alert(1)", "/home"),
    ],
)
def test_next_redirects_only_to_local_paths(csrf_app, coach, next_url, expected):
    browser = csrf_app.test_client()
    response = sign_in(browser, coach.email, factories.PASSWORD, next_url=next_url)
    assert response.location == expected


def test_idle_session_expires(csrf_app, coach):
    browser = csrf_app.test_client()
    sign_in(browser, coach.email, factories.PASSWORD)
    with browser.session_transaction() as session:
        session["seen_at"] = time.time() - 31 * 60
    assert browser.get("/home").status_code == 302
    page = browser.get("/auth/login").get_data(as_text=True)
    assert "inactivity" in page


def test_absolute_session_lifetime(csrf_app, coach):
    browser = csrf_app.test_client()
    sign_in(browser, coach.email, factories.PASSWORD)
    with browser.session_transaction() as session:
        session["auth_at"] = time.time() - 13 * 3600
    assert browser.get("/home").status_code == 302


def browser_with_session(app, user, **values):
    """A browser whose session cookie, signed with the app's own key, names ``user`` and holds
    ``values``: what anyone holding SECRET_KEY (or an old cookie format) could present."""
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session.update(values)
    return browser


@pytest.mark.parametrize(
    "values",
    [{}, {"seen_at": "now"}, {"auth_at": "now"}, {"auth_at": "now", "seen_at": None}],
    ids=["neither", "no auth_at", "no seen_at", "seen_at not a time"],
)
def test_a_session_that_does_not_say_when_it_began_has_ended(app, coach, values):
    now = time.time()
    values = {k: (now if v == "now" else v) for k, v in values.items()}
    browser = browser_with_session(app, coach, **values)
    response = browser.get("/clients/")
    assert response.status_code == 302 and "/auth/login" in response.location
    with browser.session_transaction() as session:
        assert "_user_id" not in session  # signed out, not merely redirected


def test_session_limits_on_a_signed_cookie(app, coach):
    now = time.time()
    lifetime = app.config["SESSION_MAX_HOURS"] * 3600
    too_old = browser_with_session(app, coach, auth_at=now - lifetime - 60, seen_at=now)
    assert too_old.get("/clients/").status_code == 302
    fresh = browser_with_session(app, coach, auth_at=now - lifetime + 60, seen_at=now)
    assert fresh.get("/clients/").status_code == 200
    assert fresh.get("/clients/").status_code == 200  # and it stays signed in


def test_anonymous_is_sent_to_sign_in(anon):
    response = anon.get("/clients/1")
    assert response.status_code == 302
    assert "/auth/login?next=" in response.location


def test_login_is_rate_limited(csrf_app, coach):
    csrf_app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    browser = csrf_app.test_client()
    statuses = [sign_in(browser, coach.email, "wrong password here").status_code for _ in range(4)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429


def test_account_locks_after_repeated_failures_whatever_the_password(csrf_app, db, coach):
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import update

    from coachapp.models import LoginFailure

    csrf_app.config["LOGIN_LOCKOUT_FAILURES"] = 3
    browser = csrf_app.test_client()
    for _ in range(3):
        sign_in(browser, coach.email, "wrong password number")
    response = sign_in(browser, coach.email, factories.PASSWORD)
    assert response.status_code == 200
    assert "Too many failed attempts with this email" in response.get_data(as_text=True)
    assert browser.get("/clients/").status_code == 302
    # Another browser (another IP in real life) is locked out of that account too.
    assert "Too many failed" in sign_in(
        csrf_app.test_client(), coach.email, factories.PASSWORD
    ).get_data(as_text=True)
    # The lock's time runs out: the failures are older than LOGIN_LOCKOUT_MINUTES.
    db.session.execute(
        update(LoginFailure).values(failed_at=datetime.now(timezone.utc) - timedelta(minutes=16))
    )
    db.session.commit()
    assert sign_in(browser, coach.email, factories.PASSWORD).status_code == 302


def test_unknown_email_locks_the_same_way(csrf_app):
    csrf_app.config["LOGIN_LOCKOUT_FAILURES"] = 2
    browser = csrf_app.test_client()
    first = [
        sign_in(browser, "ghost@example.org", "whatever it is").get_data(as_text=True)
        for _ in range(3)
    ]
    assert "Email or password is not right" in first[0]
    assert "Too many failed attempts with this email" in first[2]


def test_success_clears_the_failure_count(csrf_app, coach):
    csrf_app.config["LOGIN_LOCKOUT_FAILURES"] = 3
    browser = csrf_app.test_client()
    sign_in(browser, coach.email, "wrong password number")
    sign_in(browser, coach.email, "wrong password number")
    assert sign_in(browser, coach.email, factories.PASSWORD).status_code == 302
    other = csrf_app.test_client()
    sign_in(other, coach.email, "wrong password number")
    sign_in(other, coach.email, "wrong password number")
    assert sign_in(other, coach.email, factories.PASSWORD).status_code == 302
