"""Which audit events and break-the-glass accesses a reviewer may read."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from coachapp.extensions import db
from coachapp.models import AuditEvent, BreakGlassAccess, Client, Program, User
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


def client_id_by_code(code: str) -> int | None:
    return db.session.scalar(select(Client.id).where(Client.code == code.upper()))


EVENTS_PER_PAGE = 100


def events_page(user: User, page: int, **filters) -> tuple[int, list]:
    """How many events the filters match, and one page of them with the acting user's name
    and the client's code."""
    query = filtered_events(user, **filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(
        query.add_columns(User.name, Client.code)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Client, Client.id == AuditEvent.client_id)
        .limit(EVENTS_PER_PAGE)
        .offset((page - 1) * EVENTS_PER_PAGE)
    ).all()
    return total, rows


def staff_list(user: User) -> list[User]:
    return db.session.scalars(staff_of(user)).all()


def export_rows(user: User, **filters):
    """The filtered events with the acting user's email and the client's code, streamed."""
    return db.session.execute(
        filtered_events(user, **filters)
        .add_columns(User.email, Client.code)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Client, Client.id == AuditEvent.client_id)
        .execution_options(yield_per=1000)
    )


def program_choices() -> list[tuple[int, str]]:
    return [(p.id, p.name) for p in db.session.scalars(select(Program).order_by(Program.name))]


def program_durations() -> list[tuple[str, int]]:
    """(name, break-the-glass minutes) of every program, by name."""
    return [
        (name, minutes)
        for name, minutes in db.session.execute(
            select(Program.name, Program.break_glass_minutes).order_by(Program.name)
        )
    ]


def live_client_by_code(program_id: int, code: str) -> Client | None:
    """The client of that program with that code (not archived), or None."""
    return db.session.scalar(
        select(Client).where(
            Client.program_id == program_id,
            Client.code == code.upper(),
            Client.archived_at.is_(None),
        )
    )


def break_glass_list(user: User, limit: int = 500) -> list[BreakGlassAccess]:
    return db.session.scalars(
        visible_break_glass(user)
        .options(
            selectinload(BreakGlassAccess.user),
            selectinload(BreakGlassAccess.client).selectinload(Client.program),
        )
        .limit(limit)
    ).all()


def break_glass_or_404(user: User, grant_id: int) -> BreakGlassAccess:
    return db.one_or_404(visible_break_glass(user).where(BreakGlassAccess.id == grant_id))
