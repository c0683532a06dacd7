"""Helpers shared by the supervision tests (tests/helpers.py has those of every feature)."""

from __future__ import annotations

from sqlalchemy import func, select

from coachapp.models import (
    AuditEvent,
)


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def audit_rows(db, action=None):
    db.session.expire_all()
    query = select(AuditEvent).where(
        AuditEvent.entity_type.in_(["supervision_note", "training_record"])
    )
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))
