"""Helpers shared by the appointments tests (tests/helpers.py has those of every feature)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from coachapp import timeutil
from coachapp.models import AuditEvent


def audit_events(db, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.entity_type == "appointment")
            .order_by(AuditEvent.id)
        )
    )


class Frozen:
    """Freeze the clock timeutil reads (``datetime.now``) at one UTC instant."""

    def __init__(self, monkeypatch, instant: datetime):
        base = datetime

        class FrozenDatetime(base):
            @classmethod
            def now(cls, tz=None):
                return instant.astimezone(tz) if tz else instant.replace(tzinfo=None)

        monkeypatch.setattr(timeutil, "datetime", FrozenDatetime)
