"""Read queries of appointments, built on the access rule.

``scheduled_at`` is a naive wall-clock time in the program's zone, so "today" is a half-open
range of wall-clock times ``[today 00:00, tomorrow 00:00)`` computed from the program-local date
(``coachapp.timeutil``), never from the server's or UTC's date.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import joinedload

from coachapp import access, timeutil
from coachapp.extensions import db
from coachapp.models import Appointment, Client, CoachingSession, Resource, User
from coachapp.models.enums import AppointmentOutcome, SessionKind

PANEL_PAST = 10
PANEL_UPCOMING = 50
OVERDUE_LIMIT = 100
FEED_DAYS = 90
MAX_RESOURCE_OPTIONS = 1000


def day_start(on: date) -> datetime:
    return datetime.combine(on, time.min)


def _with_rows(query: Select) -> Select:
    """Client, coach and resource joined in: a list runs one query whatever its length."""
    return query.options(
        joinedload(Appointment.client),
        joinedload(Appointment.coach),
        joinedload(Appointment.resource),
    )


def between(user: User, start: datetime, end: datetime) -> Select:
    """Appointments of the user's visible clients with ``start <= scheduled_at < end``."""
    return _with_rows(
        access.client_child_select(Appointment, user)
        .where(Appointment.scheduled_at >= start, Appointment.scheduled_at < end)
        .order_by(Appointment.scheduled_at, Appointment.id)
    )


def days(user: User, first: date, count: int) -> list[Appointment]:
    """Appointments on ``count`` program-local days from ``first`` (1 = that day only)."""
    start = day_start(first)
    return list(db.session.scalars(between(user, start, start + timedelta(days=count))))


def overdue(user: User, before: datetime, limit: int = OVERDUE_LIMIT) -> list[Appointment]:
    """Appointments before ``before`` whose outcome is still ``scheduled``, newest first."""
    return list(
        db.session.scalars(
            _with_rows(
                access.client_child_select(Appointment, user)
                .where(
                    Appointment.scheduled_at < before,
                    Appointment.outcome == AppointmentOutcome.SCHEDULED,
                )
                .order_by(Appointment.scheduled_at.desc(), Appointment.id.desc())
                .limit(limit)
            )
        )
    )


def feed(user: User, today: date) -> list[Appointment]:
    """The calendar feed: still-``scheduled`` appointments of the user's visible clients from
    the start of ``today`` for ``FEED_DAYS`` days (archived ones are left out by the scope).
    One query: client, its program (for the zone) and resource are joined in."""
    start = day_start(today)
    return list(
        db.session.scalars(
            access.client_child_select(Appointment, user)
            .where(
                Appointment.scheduled_at >= start,
                Appointment.scheduled_at < start + timedelta(days=FEED_DAYS),
                Appointment.outcome == AppointmentOutcome.SCHEDULED,
            )
            .options(
                joinedload(Appointment.client).joinedload(Client.program),
                joinedload(Appointment.resource),
            )
            .order_by(Appointment.scheduled_at, Appointment.id)
        )
    )


# Appointments carry no end: one closer than this to another is taken to overlap it (the
# calendar feed draws each as an hour, too).
CLASH_WINDOW = timedelta(hours=1)


def accompaniment_clashes(appointment: Appointment) -> list[Appointment]:
    """Other still-scheduled appointments of the same coach less than ``CLASH_WINDOW`` away
    where the coach plans to go along to one of the two: a double booking of the coach. Built
    on the coach's own scope (their visible clients); at most 5, soonest first."""
    if appointment.outcome != AppointmentOutcome.SCHEDULED or appointment.coach is None:
        return []
    at = appointment.scheduled_at
    query = access.client_child_select(Appointment, appointment.coach).where(
        Appointment.coach_id == appointment.coach_id,
        Appointment.id != appointment.id,
        Appointment.outcome == AppointmentOutcome.SCHEDULED,
        Appointment.scheduled_at > at - CLASH_WINDOW,
        Appointment.scheduled_at < at + CLASH_WINDOW,
    )
    if not appointment.accompaniment_planned:
        query = query.where(Appointment.accompaniment_planned.is_(True))
    return list(db.session.scalars(query.order_by(Appointment.scheduled_at).limit(5)))


# --- The directory resources an appointment may name -------------------------------------------


def _program_condition(program_id: int):
    """Entries a program may use: the shared ones and its own."""
    return or_(Resource.program_id.is_(None), Resource.program_id == program_id)


def resource_options(program_id: int, *, keep_id: int | None = None) -> list[tuple[int, str]]:
    """``(id, label)`` of the active resources a client of the program may go to, by name.

    ``keep_id`` (an appointment's current resource) is offered even if it has since been
    deactivated, so editing an old appointment never forces a change of resource.
    """
    condition = Resource.active.is_(True) & _program_condition(program_id)
    if keep_id is not None:
        condition = condition | (Resource.id == keep_id)
    rows = db.session.execute(
        select(Resource.id, Resource.name, Resource.category)
        .where(condition)
        .order_by(Resource.name, Resource.id)
        .limit(MAX_RESOURCE_OPTIONS)
    ).all()
    return [(rid, f"{name} · {category.replace('_', ' ')}") for rid, name, category in rows]


def usable_resource(
    program_id: int, resource_id: int | None, *, keep_id: int | None = None
) -> Resource | None:
    """The resource if an appointment of the program may name it (active and shared or the
    program's own; or the one it names already), else ``None``."""
    if resource_id is None:
        return None
    if keep_id is not None and resource_id == keep_id:
        return db.session.get(Resource, resource_id)
    return db.session.scalar(
        select(Resource).where(
            Resource.id == resource_id,
            Resource.active.is_(True),
            _program_condition(program_id),
        )
    )


# --- The client page ---------------------------------------------------------------------------


def _panel_statements(user: User):
    """The panel's upcoming and past appointments, for any client of ``user`` and any time
    (``panel_client_id``, ``panel_now``): built once (``access.built_once``)."""
    base = (
        access.client_child_select(Appointment, user)
        .where(Appointment.client_id == bindparam("panel_client_id"))
        .options(joinedload(Appointment.resource))
    )
    now = bindparam("panel_now", type_=Appointment.scheduled_at.type)
    upcoming = (
        base.where(Appointment.scheduled_at >= now)
        .order_by(Appointment.scheduled_at, Appointment.id)
        .limit(PANEL_UPCOMING + 1)
    )
    past = (
        base.where(Appointment.scheduled_at < now)
        .order_by(Appointment.scheduled_at.desc(), Appointment.id.desc())
        .limit(PANEL_PAST)
    )
    return upcoming, past


def client_panel(client: Client, user: User) -> dict:
    """Context of templates/appointments/_client_panel.html (see coachapp.clients.panels).

    Upcoming appointments (soonest first, at most ``PANEL_UPCOMING``) and the last
    ``PANEL_PAST`` past ones (newest first), split at the program-local now. Two queries
    whatever the client's history (the resource is joined in).
    """
    now = timeutil.local_now(client.program)
    upcoming_query, past_query = access.built_once(
        user, "appointments.client_panel", build=lambda: _panel_statements(user)
    )
    params = {"panel_client_id": client.id, "panel_now": now}
    upcoming = db.session.scalars(upcoming_query, params).all()
    past = db.session.scalars(past_query, params).all()
    return {
        "upcoming": upcoming[:PANEL_UPCOMING],
        "more_upcoming": len(upcoming) > PANEL_UPCOMING,
        "past": past,
        "past_limit": PANEL_PAST,
        "now": now,
    }


def client_appointment(client: Client, appointment_id: int, user: User) -> Appointment | None:
    """One of ``client``'s appointments, through the access rule; None when not theirs."""
    return db.session.scalar(
        access.client_child_select(Appointment, user).where(
            Appointment.id == appointment_id, Appointment.client_id == client.id
        )
    )


def accompaniment_logged(client: Client, on: date, user: User) -> CoachingSession | None:
    """An accompaniment session already logged for ``client`` on ``on``, if any."""
    return db.session.scalar(
        access.client_child_select(CoachingSession, user)
        .where(
            CoachingSession.client_id == client.id,
            CoachingSession.date == on,
            CoachingSession.kind == SessionKind.ACCOMPANIMENT,
        )
        .limit(1)
    )
