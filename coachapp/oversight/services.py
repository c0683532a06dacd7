"""Break-the-glass: an admin's reasoned, time-limited access to one client record."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from coachapp import audit
from coachapp.extensions import db
from coachapp.models import BreakGlassAccess, Client, User
from coachapp.models.enums import AuditAction

# The range an admin may set a program's ``break_glass_minutes`` to.
MIN_MINUTES, MAX_MINUTES = 15, 1440


def duration_text(minutes: int) -> str:
    """``120`` -> ``2 hours``, ``90`` -> ``1 hour 30 minutes``, ``45`` -> ``45 minutes``."""
    hours, rest = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def is_open(grant: BreakGlassAccess, now: datetime | None = None) -> bool:
    """Whether the access still lets its admin in (``now``: the moment asked, UTC)."""
    now = now or datetime.now(timezone.utc)
    expires = grant.expires_at
    if expires.tzinfo is None:  # SQLite hands back naive UTC
        expires = expires.replace(tzinfo=timezone.utc)
    return expires > now


def break_glass(client: Client, *, reason: str, actor: User) -> BreakGlassAccess:
    """Open ``client`` to the admin ``actor`` for the minutes its program allows
    (``Program.break_glass_minutes``); logged for review.

    The reason goes to the audit trail's ``detail``: it is the admin's justification, which
    program managers review, so it must stay short and free of clinical detail (the form says so).
    """
    now = datetime.now(timezone.utc)
    grant = BreakGlassAccess(
        user_id=actor.id,
        client_id=client.id,
        reason=reason,
        opened_at=now,
        expires_at=now + timedelta(minutes=client.program.break_glass_minutes),
    )
    db.session.add(grant)
    db.session.flush()
    audit.record(
        AuditAction.BREAK_GLASS,
        actor=actor,
        entity_type="client",
        entity_id=client.id,
        client_id=client.id,
        detail=reason,
    )
    return grant


def mark_reviewed(grant: BreakGlassAccess, *, actor: User) -> None:
    grant.reviewed_by_id = actor.id
    grant.reviewed_at = datetime.now(timezone.utc)
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        entity_type="break_glass_access",
        entity_id=grant.id,
        client_id=grant.client_id,
        fields=["reviewed_at", "reviewed_by_id"],
    )
