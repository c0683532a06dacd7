"""The sign-in lockout, counted in ``login_failures`` (shared by every worker and app server):
what a failure writes, the window, what a success and a password reset clear, pruning, and
that the report store does not count any of it as a change."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from coachapp.auth import services
from coachapp.auth.services import AccountLocked, authenticate, clear_lockout, is_locked
from coachapp.models import LoginFailure
from tests import factories


def rows(db) -> list[LoginFailure]:
    return list(db.session.scalars(select(LoginFailure).order_by(LoginFailure.id)))


def fail(db, email: str, times: int = 1) -> None:
    """``times`` failed sign-ins, each committed as the sign-in view commits."""
    for _ in range(times):
        assert authenticate(email, "not the password at all") is None
        db.session.commit()


def age(db, minutes: int, key: str | None = None) -> None:
    """Make the failures (of ``key``, or all) ``minutes`` old."""
    when = datetime.now(timezone.utc) - timedelta(minutes=minutes)
    for row in rows(db):
        if key is None or row.key == key:
            row.failed_at = when
    db.session.commit()


def test_a_failure_stores_the_hash_of_the_email_never_the_email(app, db, coach):
    fail(db, "  " + coach.email.upper() + " ")
    [row] = rows(db)
    assert row.key == hashlib.sha256(coach.email.lower().encode()).hexdigest()
    assert coach.email not in row.key and len(row.key) == 64
    assert row.failed_at is not None
    fail(db, "nobody@example.org")  # an unknown email counts the same way
    assert [r.key for r in rows(db)][1] == services.failure_key("Nobody@Example.org")


def test_locked_at_the_limit_and_not_before(app, db, coach):
    app.config["LOGIN_LOCKOUT_FAILURES"] = 4
    fail(db, coach.email, 3)
    assert not is_locked(coach.email)
    fail(db, coach.email.upper())
    assert is_locked(coach.email)
    try:
        authenticate(coach.email, factories.PASSWORD)
    except AccountLocked:
        pass
    else:
        raise AssertionError("the right password was let in on a locked account")
    db.session.commit()
    # A refused attempt on a locked account adds no row (the lock does not lengthen itself).
    assert len(rows(db)) == 4
    assert not is_locked("someone.else@example.org")


def test_only_failures_within_the_window_count(app, db, coach):
    app.config["LOGIN_LOCKOUT_FAILURES"] = 3
    app.config["LOGIN_LOCKOUT_MINUTES"] = 15
    fail(db, coach.email, 3)
    assert is_locked(coach.email)
    age(db, 14)
    assert is_locked(coach.email)
    age(db, 16)
    assert not is_locked(coach.email)
    assert authenticate(coach.email, factories.PASSWORD) == coach


def test_success_clears_that_email_only(app, db, coach, supervisor):
    fail(db, coach.email, 2)
    fail(db, supervisor.email, 2)
    assert authenticate(coach.email.upper(), factories.PASSWORD) == coach
    db.session.commit()
    assert {r.key for r in rows(db)} == {services.failure_key(supervisor.email)}


def test_clear_lockout_lifts_the_lock(app, db, coach):
    app.config["LOGIN_LOCKOUT_FAILURES"] = 2
    fail(db, coach.email, 2)
    assert is_locked(coach.email)
    clear_lockout(" " + coach.email.upper())
    db.session.commit()
    assert not is_locked(coach.email) and rows(db) == []


def test_a_failure_prunes_its_old_rows_and_a_bounded_batch_of_others(app, db, monkeypatch):
    monkeypatch.setattr(services, "PRUNE_BATCH", 3)
    app.config["LOGIN_LOCKOUT_MINUTES"] = 15
    others = [f"other{n}@example.org" for n in range(5)]
    for email in [*others, "me@example.org", "me@example.org", "recent@example.org"]:
        fail(db, email)
    recent = services.failure_key("recent@example.org")
    for row in rows(db):  # all old but the last; mine are newer than the others'
        if row.key != recent:
            row.failed_at = datetime.now(timezone.utc) - timedelta(minutes=20)
    db.session.commit()

    fail(db, "me@example.org")
    keys = [r.key for r in rows(db)]
    # Mine: only the new row (the batch alone would not have reached the old ones). Others:
    # the 3 oldest went, 2 remain. The recent row stays.
    assert keys == [
        *map(services.failure_key, others[3:]),
        recent,
        services.failure_key("me@example.org"),
    ]
    fail(db, "someone@example.org")
    assert [r.key for r in rows(db)][:2] == [recent, services.failure_key("me@example.org")]


def test_failures_and_successes_are_no_change_for_stored_reports(app, db, coach):
    from coachapp.reports.store import changes_token

    app.config["LOGIN_LOCKOUT_FAILURES"] = 2
    before = changes_token(date(2999, 12, 31))  # the counts of every month (the users' inserts)
    fail(db, coach.email, 2)
    try:
        authenticate(coach.email, factories.PASSWORD)
    except AccountLocked:
        db.session.commit()
    clear_lockout(coach.email)
    db.session.commit()
    assert authenticate(coach.email, factories.PASSWORD) == coach
    db.session.commit()
    assert changes_token(date(2999, 12, 31)) == before != "0:0"
