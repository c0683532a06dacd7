"""THE access rule of coachapp (product.md, "Assignments and access"), in one place.

A user may read or change a client record if and only if:

1. the user is the client's assigned coach;
2. the user supervises the client's assigned coach;
3. the user holds a covering assignment for that client (or for that client's coach's whole
   caseload) that is in force today;
4. the user is an admin with an unexpired break-the-glass access to that client.

``visible_clients(user)`` is that rule as a ``Select``; every list, detail page, export, search,
report and API collection of client-linked rows is built on it, and child records (sessions,
goals, ...) are reached through ``client_child_select``. Anything outside answers 404.

Every route declares its rule with one of the decorators at the bottom (``public``,
``signed_in``, ``roles``, ``client_route``, ``record_route``); ``tests/test_route_rules.py``
fails for a route that declares none.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from coachapp.extensions import db
from coachapp.models import BreakGlassAccess, Client, CoveringAssignment, User
from coachapp.models.enums import Role

F = TypeVar("F", bound=Callable[..., Any])


def today() -> date:
    return datetime.now(timezone.utc).date()


def _coaches_supervised_by(user_id: int) -> Select:
    return select(User.id).where(User.supervisor_id == user_id)


def _covered_client_ids(user_id: int, on: date) -> Select:
    """Clients a covering assignment in force on ``on`` opens to the user."""
    in_force = (
        (CoveringAssignment.covering_user_id == user_id)
        & (CoveringAssignment.starts_on <= on)
        & (CoveringAssignment.ends_on >= on)
        & CoveringAssignment.ended_at.is_(None)
    )
    by_client = select(CoveringAssignment.client_id).where(
        in_force, CoveringAssignment.client_id.is_not(None)
    )
    by_caseload = (
        select(Client.id)
        .join(CoveringAssignment, CoveringAssignment.coach_id == Client.coach_id)
        .where(in_force, CoveringAssignment.client_id.is_(None))
    )
    return by_client.union(by_caseload)


def _break_glass_client_ids(user_id: int, now: datetime) -> Select:
    return select(BreakGlassAccess.client_id).where(
        BreakGlassAccess.user_id == user_id, BreakGlassAccess.expires_at > now
    )


def visible_clients_condition(user: User, *, on: date | None = None):
    """The access rule as a SQL condition on ``Client`` (for joins and aggregate queries)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return false()
    on = on or today()
    if user.role == Role.ADMIN:
        # Admins reach a client record only through break-the-glass.
        return Client.id.in_(_break_glass_client_ids(user.id, datetime.now(timezone.utc)))
    if user.role == Role.PROGRAM_MANAGER:
        # Program managers see aggregates and de-identified rows, never client records.
        return false()
    conditions = [Client.coach_id == user.id, Client.id.in_(_covered_client_ids(user.id, on))]
    if user.role == Role.SUPERVISOR:
        conditions.append(Client.coach_id.in_(_coaches_supervised_by(user.id)))
    return or_(*conditions)


def visible_clients(user: User, *, include_archived: bool = False) -> Select:
    """``SELECT clients`` the user may read or change, by the one rule of product.md."""
    query = select(Client).where(visible_clients_condition(user), Client.merged_into_id.is_(None))
    if not include_archived:
        query = query.where(Client.archived_at.is_(None))
    return query


def visible_client_ids(user: User) -> Select:
    return visible_clients(user).with_only_columns(Client.id)


def get_client_or_404(client_id: int, user: User) -> Client:
    """The client if the user may reach it; 404 otherwise, exactly like a missing one."""
    return db.one_or_404(visible_clients(user).where(Client.id == client_id))


def client_child_select(model: type, user: User) -> Select:
    """``SELECT model`` rows (sessions, goals, ...) whose client the user may reach."""
    client_id: InstrumentedAttribute = model.client_id  # type: ignore[attr-defined]
    query = select(model).where(client_id.in_(visible_client_ids(user)))
    if hasattr(model, "archived_at"):
        query = query.where(model.archived_at.is_(None))  # type: ignore[attr-defined]
    return query


def get_child_or_404(model: type, record_id: int, user: User):
    """A client-linked record by id, reached through its scoped client; 404 outside."""
    return db.one_or_404(client_child_select(model, user).where(model.id == record_id))  # type: ignore[attr-defined]


# --- Small permission questions, used by views and templates alike ---------------------------


def can_open_clients(user: User) -> bool:
    """Coaches open clients on their own caseload, supervisors on their team's coaches."""
    return user.is_authenticated and user.role in (Role.COACH, Role.SUPERVISOR)


def assignable_coaches(user: User) -> Select:
    """Coaches a new client of this user may be assigned to."""
    if user.role == Role.COACH:
        return select(User).where(User.id == user.id)
    if user.role == Role.SUPERVISOR:
        return (
            select(User)
            .where(User.supervisor_id == user.id, User.active.is_(True))
            .order_by(User.name)
        )
    return select(User).where(false())


# --- Route declarations ----------------------------------------------------------------------
# Every view carries ``access_rule``; the url_map test refuses a route without one.


def _declare(view: Callable, rule: str) -> None:
    view.access_rule = rule  # type: ignore[attr-defined]


def public(view: F) -> F:
    """Anyone, signed in or not (sign-in page, health checks, static files)."""
    _declare(view, "public")
    return view


def signed_in(view: F) -> F:
    """Any signed-in, active user. The view must scope what it shows itself."""
    wrapped = login_required(view)
    _declare(wrapped, "signed_in")
    return wrapped  # type: ignore[return-value]


def roles(*allowed: str) -> Callable[[F], F]:
    """Signed in with one of ``allowed`` roles; other roles get 403 (the page is no secret)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped = login_required(wrapper)
        _declare(wrapped, "roles:" + ",".join(allowed))
        return wrapped  # type: ignore[return-value]

    return decorator


def record_route(model: type, param: str) -> Callable[[F], F]:
    """A page about one client-linked record (a session, a goal, ...): URL parameter ``param``
    becomes ``record``, loaded through its client's scope (``get_child_or_404``); the view also
    gets ``client``. Outside the rule, or archived: 404."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args, **kwargs):
            record = get_child_or_404(model, kwargs.pop(param), current_user)
            client = get_client_or_404(record.client_id, current_user)
            return view(*args, record=record, client=client, **kwargs)

        wrapped = login_required(wrapper)
        _declare(wrapped, f"record:{model.__name__}:{param}")
        return wrapped  # type: ignore[return-value]

    return decorator


def client_route(view: F) -> F:
    """A page about one client: ``client_id`` in the URL becomes ``client``, loaded through the
    access rule, so the view cannot forget it. Outside the rule: 404."""

    @wraps(view)
    def wrapper(*args, client_id: int, **kwargs):
        client = get_client_or_404(client_id, current_user)
        return view(*args, client=client, **kwargs)

    wrapped = login_required(wrapper)
    _declare(wrapped, "client")
    return wrapped  # type: ignore[return-value]
