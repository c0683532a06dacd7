"""Sign-in and sign-out. No HTTP here: the view passes what it read from the request."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from coachapp import audit
from coachapp.auth.passwords import hash_password, needs_rehash, verify_password
from coachapp.extensions import db
from coachapp.models import User
from coachapp.models.enums import AuditAction

# Verified against when the email is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH: dict[str, str] = {}


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Writes ``login``/``login_failed``.

    The answer never tells an unknown email from a wrong password, nor from a deactivated
    account, in time or in words.
    """
    user = find_user_by_email(email)
    if user is None:
        key = "dummy"
        if key not in _DUMMY_HASH:
            _DUMMY_HASH[key] = hash_password("not-a-real-password-at-all")
        verify_password(_DUMMY_HASH[key], password)
        audit.record(AuditAction.LOGIN_FAILED, actor=None, detail="unknown account")
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        audit.record(AuditAction.LOGIN_FAILED, actor=None, entity_type="user", entity_id=user.id)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = datetime.now(timezone.utc)
    audit.record(AuditAction.LOGIN, actor=user, entity_type="user", entity_id=user.id)
    return user


def sign_out_everywhere(user: User) -> None:
    """End every session of this user (all browsers): the cookies' version no longer matches."""
    user.session_version += 1
    audit.record(AuditAction.LOGOUT, actor=user, entity_type="user", entity_id=user.id)
