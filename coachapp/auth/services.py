"""Sign-in and sign-out. No HTTP here: the view passes what it read from the request."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import func, select

from coachapp import audit
from coachapp.auth.passwords import hash_password, needs_rehash, verify_password
from coachapp.extensions import db, limiter
from coachapp.models import User
from coachapp.models.enums import AuditAction

# Verified against when the email is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH: dict[str, str] = {}


class AccountLocked(Exception):
    """Too many failed sign-ins for this email: refused for a while, whatever the password."""


def _failure_key(email: str) -> str:
    # Hashed: the counter store (Redis) never holds an email address.
    digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()
    return f"coachapp/login-failures/{digest}"


def _lock_settings() -> tuple[int, int]:
    config = current_app.config
    return config["LOGIN_LOCKOUT_FAILURES"], config["LOGIN_LOCKOUT_MINUTES"] * 60


def is_locked(email: str) -> bool:
    failures, _ = _lock_settings()
    return limiter.storage.get(_failure_key(email)) >= failures


def _note_failure(email: str) -> None:
    _, window = _lock_settings()
    limiter.storage.incr(_failure_key(email), window)


def clear_lockout(email: str) -> None:
    """Forget the failed sign-ins counted for ``email``: the account is no longer locked."""
    limiter.storage.clear(_failure_key(email))


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Writes ``login``/``login_failed``.

    The answer never tells an unknown email from a wrong password, nor from a deactivated
    account, in time or in words. After ``LOGIN_LOCKOUT_FAILURES`` failures for one email
    (known or not, so the lock tells nothing either) it raises ``AccountLocked`` for
    ``LOGIN_LOCKOUT_MINUTES``, whatever the password.
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
        _note_failure(email)
        audit.record(AuditAction.LOGIN_FAILED, actor=None, detail="unknown account")
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        _note_failure(email)
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


def change_password(user: User, current: str, new: str) -> str | None:
    """Change ``user``'s password; returns a problem (for the form) or None. Every other session
    of the user ends (the session version moves on)."""
    from coachapp.auth.passwords import password_problem

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
