"""Personal API tokens: shown once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone

from sqlalchemy import select

from coachapp import audit
from coachapp.extensions import db
from coachapp.models import ApiToken, User
from coachapp.models.enums import AuditAction

TOKEN_PREFIX = "ca_"  # noqa: S105  # nosec B105


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: User, name: str, *, actor: User | None = None) -> tuple[str, ApiToken]:
    """A new token for ``user``; returns the token itself (never stored) and its row."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id, name=name[:100], token_hash=hash_token(token), prefix=token[:10]
    )
    db.session.add(row)
    db.session.flush()
    audit.record(AuditAction.CREATE, actor=actor or user, entity_type="api_token", entity_id=row.id)
    return token, row


def user_for_token(token: str) -> User | None:
    """The active user a live token belongs to, or None (revoked, unknown, user deactivated)."""
    row = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)
        )
    )
    if row is None or not row.user.active:
        return None
    row.last_used_at = datetime.now(timezone.utc)
    return row.user


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
        )
    )


def revoke_token(token: ApiToken, *, actor: User) -> None:
    """Stop a token at once (its row stays, for the record)."""
    if token.revoked_at is None:
        token.revoked_at = datetime.now(timezone.utc)
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            entity_type="api_token",
            entity_id=token.id,
            fields=["revoked_at"],
        )
