"""Break-the-glass: an admin's reasoned, time-limited access to one client record."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from coachapp import audit
from coachapp.extensions import db
from coachapp.models import BreakGlassAccess, Client, User
from coachapp.models.enums import AuditAction

BREAK_GLASS_HOURS = 2


def break_glass(client: Client, *, reason: str, actor: User) -> BreakGlassAccess:
    """Open ``client`` to the admin ``actor`` for ``BREAK_GLASS_HOURS``; logged for review.

    The reason goes to the audit trail's ``detail``: it is the admin's justification, which
    program managers review, so it must stay short and free of clinical detail (the form says so).
    """
    now = datetime.now(timezone.utc)
    grant = BreakGlassAccess(
        user_id=actor.id,
        client_id=client.id,
        reason=reason,
        opened_at=now,
        expires_at=now + timedelta(hours=BREAK_GLASS_HOURS),
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
