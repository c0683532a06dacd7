"""Which clients and coaches a report's scope holds, and which coach each record is credited
to (metrics.md, "Credit to coaches").

A record is *in scope* when its client's program matches and, with a coach or team filter, the
coach who held the client on the record's date matches (the assignment history,
``held_spans``); archived (and merged-away) records never count. Program-wide figures need no
history (``credits``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)

from coachapp.models import Client, ClientAssignment, User
from coachapp.models.enums import Role
from coachapp.scope import Scope

# --- The scope today -------------------------------------------------------------------------


def client_counted() -> ColumnElement[bool]:
    """On ``Client``: the client's records count in reports. An archived client's do not, nor
    do those of a client merged into another (its records moved to the one kept)."""
    return and_(Client.archived_at.is_(None), Client.merged_into_id.is_(None))


def coach_in_scope(scope: Scope) -> ColumnElement[bool]:
    """Active users with role coach in scope (metrics.md ``supervision.coaches``), on ``User``."""
    condition = and_(User.role == Role.COACH, User.active.is_(True))
    if scope.coach_id is not None:
        return and_(condition, User.id == scope.coach_id)
    if scope.supervisor_id is not None:
        return and_(condition, User.supervisor_id == scope.supervisor_id)
    return and_(condition, User.program_id == scope.program_id)


def coach_ids_in_scope(scope: Scope) -> Select:
    """``SELECT users.id`` of the coaches in scope (see ``coach_in_scope``)."""
    return select(User.id).where(coach_in_scope(scope))


def scope_clients(scope: Scope):
    """Subquery ``(id, coach_id)`` of the clients in scope *today*: the program's, narrowed to
    the current coach or team. Figures do not use it for a coach or team scope (they credit each
    record to the coach who held the client on its date: ``held_spans``); lists of today's
    caseload do."""
    query = select(Client.id.label("id"), Client.coach_id.label("coach_id")).where(
        Client.program_id == scope.program_id, client_counted()
    )
    if scope.coach_id is not None:
        query = query.where(Client.coach_id == scope.coach_id)
    if scope.supervisor_id is not None:
        query = query.where(
            Client.coach_id.in_(select(User.id).where(User.supervisor_id == scope.supervisor_id))
        )
    return query.subquery("scope_clients")


def program_clients(scope: Scope):
    """Subquery ``(id, coach_id)`` of the live clients of the scope's program whose records can
    be credited to the scope: with a coach or team filter, the ones a coach in scope ever held
    (a stored assignment row, or no history and that coach today), which spares the span join
    every other client's records; otherwise all of them."""
    query = select(Client.id.label("id"), Client.coach_id.label("coach_id")).where(
        Client.program_id == scope.program_id, client_counted()
    )
    if scope.coach_id is not None or scope.supervisor_id is not None:
        ca = ClientAssignment
        query = query.where(
            or_(
                Client.id.in_(select(ca.client_id).where(credited_coach(scope, ca.coach_id))),
                and_(
                    credited_coach(scope, Client.coach_id),
                    ~exists().where(ca.client_id == Client.id),
                ),
            )
        )
    return query.subquery("program_clients")


# --- Credit to coaches (metrics.md) ------------------------------------------------------------

EARLIEST, LATEST = date(1, 1, 1), date(9999, 12, 31)


def credits(scope: Scope, credit: bool = False) -> bool:
    """Whether figures of ``scope`` are credited by the assignment history: always for a coach
    or team scope, and for ``by_coach`` (``credit``). Program-wide figures need no history."""
    return credit or scope.coach_id is not None or scope.supervisor_id is not None


def held_spans(client_ids: Select | None = None):
    """Subquery ``(client_id, coach_id, lo, hi)``: who held each client from ``lo``
    (inclusive) to ``hi`` (exclusive), from the assignment history (metrics.md, "Credit to
    coaches"). A client's spans partition time: the first row reaches back to any record
    dated before it, the open row forward; a client with no stored row (one never reassigned
    and opened before the history was kept) is held by their coach at every date."""
    ca = ClientAssignment
    first = func.row_number().over(partition_by=ca.client_id, order_by=(ca.starts_on, ca.id)) == 1
    stored = select(
        ca.client_id.label("client_id"),
        ca.coach_id.label("coach_id"),
        case((first, literal(EARLIEST, Date)), else_=ca.starts_on).label("lo"),
        func.coalesce(ca.ends_on, literal(LATEST, Date)).label("hi"),
    )
    unassigned = select(
        Client.id,
        Client.coach_id,
        literal(EARLIEST, Date),
        literal(LATEST, Date),
    ).where(~exists().where(ca.client_id == Client.id))
    if client_ids is not None:
        stored = stored.where(ca.client_id.in_(client_ids))
        unassigned = unassigned.where(Client.id.in_(client_ids))
    return union_all(stored, unassigned).subquery("held")


def held_on(held, client_id: ColumnElement, day: ColumnElement) -> ColumnElement[bool]:
    """``held``'s row is the client's on ``day`` (a date, or an appointment's wall-clock
    datetime: its date decides)."""
    return and_(held.c.client_id == client_id, held.c.lo <= day, day < held.c.hi)


def credited_coach(scope: Scope, coach_id: ColumnElement) -> ColumnElement[bool]:
    """The coach credited with a record is in scope: the scope's coach, or one of the coaches
    the team's supervisor supervises now; any coach for a program scope."""
    if scope.coach_id is not None:
        return coach_id == scope.coach_id
    if scope.supervisor_id is not None:
        return coach_id.in_(select(User.id).where(User.supervisor_id == scope.supervisor_id))
    return true()


def credited_records(
    scope: Scope, record_client: ColumnElement, day: ColumnElement, base: Select
) -> tuple[Select, Any]:
    """``base`` (records joined to the program's clients) joined to the span holding each
    record's client on ``day``, kept when its coach is in scope; and that span."""
    held = held_spans()
    joined = base.join(held, held_on(held, record_client, day)).where(
        credited_coach(scope, held.c.coach_id)
    )
    return joined, held
