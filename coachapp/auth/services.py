"""Sign-in and sign-out. No HTTP here: the view passes what it read from the request."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import delete, func, select

from coachapp import audit, records
from coachapp.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from coachapp.extensions import db
from coachapp.models import LoginFailure, User
from coachapp.models.enums import AuditAction

# Verified against when the email is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH: dict[str, str] = {}


class AccountLocked(Exception):
    """Too many failed sign-ins for this email: refused for a while, whatever the password."""


# Rows of other emails past the window deleted with each failure noted: enough to keep up
# with any rate of failures, bounded so that a failed sign-in never waits on a big delete.
PRUNE_BATCH = 100


def failure_key(email: str) -> str:
    """The SHA-256 (hex) of the trimmed, lower-cased email: what ``login_failures`` stores
    instead of the address."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def _window_start() -> datetime:
    minutes = current_app.config["LOGIN_LOCKOUT_MINUTES"]
    return datetime.now(timezone.utc) - timedelta(minutes=minutes)


def failures_within_window(email: str) -> int:
    """Failed sign-ins for ``email`` in the last ``LOGIN_LOCKOUT_MINUTES``, as committed by
    every worker and app server (the database is what they share)."""
    return db.session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.key == failure_key(email), LoginFailure.failed_at >= _window_start())
    )


def is_locked(email: str) -> bool:
    return failures_within_window(email) >= current_app.config["LOGIN_LOCKOUT_FAILURES"]


def note_failure(email: str) -> None:
    """Count one failed sign-in for ``email`` (the caller commits). Rows past the window go:
    this email's, and a bounded batch of the oldest others'."""
    key, cutoff = failure_key(email), _window_start()
    stale = LoginFailure.failed_at < cutoff
    _delete_unlocked(select(LoginFailure.id).where(LoginFailure.key == key, stale))
    _delete_unlocked(
        select(LoginFailure.id).where(stale).order_by(LoginFailure.id).limit(PRUNE_BATCH)
    )
    db.session.add(LoginFailure(key=key))


def _delete_unlocked(ids) -> None:
    # Rows another transaction is deleting are skipped, not waited for (PostgreSQL; SQLite
    # has one writer anyway): concurrent failed sign-ins never wait on, nor deadlock, each
    # other.
    ids = ids.with_for_update(skip_locked=True).scalar_subquery()
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.id.in_(ids)),
        execution_options={"synchronize_session": False},
    )


def clear_lockout(email: str) -> None:
    """Forget the failed sign-ins counted for ``email`` (the caller commits): the account is
    no longer locked."""
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.key == failure_key(email)),
        execution_options={"synchronize_session": False},
    )


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Writes ``login``/``login_failed``.

    The answer never tells an unknown email from a wrong password, nor from a deactivated
    account, in time or in words. After ``LOGIN_LOCKOUT_FAILURES`` failures for one email
    (known or not, so the lock tells nothing either) it raises ``AccountLocked`` for
    ``LOGIN_LOCKOUT_MINUTES``, whatever the password. Failures are rows of ``login_failures``
    written in the caller's transaction: the view commits on every outcome.
    """
    user = find_user_by_email(email)
    if is_locked(email):
        _dummy_verify(password)
        audit.record(
            AuditAction.LOGIN_FAILED,
            actor=None,
            entity_type="user" if user else None,
            entity_id=user.id if user else None,
            detail="locked",
        )
        raise AccountLocked()
    if user is None:
        _dummy_verify(password)
        note_failure(email)
        audit.record(AuditAction.LOGIN_FAILED, actor=None, detail="unknown account")
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        note_failure(email)
        audit.record(AuditAction.LOGIN_FAILED, actor=None, entity_type="user", entity_id=user.id)
        return None
    clear_lockout(email)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = datetime.now(timezone.utc)
    audit.record(AuditAction.LOGIN, actor=user, entity_type="user", entity_id=user.id)
    return user


def _dummy_verify(password: str) -> None:
    if "dummy" not in _DUMMY_HASH:
        _DUMMY_HASH["dummy"] = hash_password("not-a-real-password-at-all")
    verify_password(_DUMMY_HASH["dummy"], password)


def sign_out_everywhere(user: User) -> None:
    """End every session of this user (all browsers): the cookies' version no longer matches."""
    user.session_version += 1
    audit.record(AuditAction.LOGOUT, actor=user, entity_type="user", entity_id=user.id)


class PasswordRuleError(records.RuleError):
    """A password change the rules refuse; ``errors`` names each field to blame."""


def check_password_change(user: User, current: str | None, new: str | None) -> None:
    """The rules of ``change_password``, asked without writing: the current password is
    right, the new one passes the policy (a value the form refused is None, not judged).
    Raises ``PasswordRuleError`` naming every field refused."""
    problems: dict[str, str] = {}
    if current and not verify_password(user.password_hash, current):
        problems["current_password"] = "This is not your current password."  # noqa: S105  # nosec B105
    problem = password_problem(new) if new else None
    if problem:
        problems["new_password"] = problem
    if problems:
        raise PasswordRuleError(problems)


def change_password(user: User, current: str, new: str) -> str | None:
    """Change ``user``'s password; returns a problem (for the form) or None. Every other session
    of the user ends (the session version moves on)."""
    if not verify_password(user.password_hash, current):
        return "current_password:This is not your current password."
    problem = password_problem(new)
    if problem:
        return f"new_password:{problem}"
    user.password_hash = hash_password(new)
    user.session_version += 1
    audit.record(
        AuditAction.UPDATE,
        actor=user,
        entity_type="user",
        entity_id=user.id,
        fields=["password_hash"],
    )
    return None
