"""Which audit events and break-the-glass accesses a reviewer may read."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, or_, select

from coachapp.models import AuditEvent, BreakGlassAccess, Client, User
from coachapp.models.enums import Role


def visible_events(user: User) -> Select:
    """Admins read the whole trail; a program manager the events of their program (by the
    acting user's program or the client's)."""
    query = select(AuditEvent)
    if user.role == Role.ADMIN:
        return query
    program_clients = select(Client.id).where(Client.program_id == user.program_id)
    return query.where(
        or_(AuditEvent.program_id == user.program_id, AuditEvent.client_id.in_(program_clients))
    )


def filtered_events(
    user: User,
    *,
    user_id: int | None = None,
    client_id: int | None = None,
    action: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Select:
    query = visible_events(user)
    if user_id is not None:
        query = query.where(AuditEvent.user_id == user_id)
    if client_id is not None:
        query = query.where(AuditEvent.client_id == client_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if start:
        query = query.where(AuditEvent.occurred_at >= datetime.combine(start, time.min))
    if end:
        query = query.where(
            AuditEvent.occurred_at < datetime.combine(end + timedelta(days=1), time.min)
        )
    return query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def visible_break_glass(user: User) -> Select:
    query = select(BreakGlassAccess).join(Client, Client.id == BreakGlassAccess.client_id)
    if user.role != Role.ADMIN:
        query = query.where(Client.program_id == user.program_id)
    return query.order_by(BreakGlassAccess.opened_at.desc())


def staff_of(user: User) -> Select:
    query = select(User).order_by(User.name)
    if user.role != Role.ADMIN:
        query = query.where(User.program_id == user.program_id)
    return query
