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
``signed_in``, ``roles``, ``client_route``, ``record_route``);
``tests/platform/test_route_rules.py`` fails for a route that declares none.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from functools import lru_cache, wraps
from typing import Any, TypeVar

from flask import abort, g, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import Select, bindparam, false, select, union
from sqlalchemy.orm import InstrumentedAttribute

from coachapp.extensions import db
from coachapp.models import BreakGlassAccess, Client, CoveringAssignment, Program, User
from coachapp.models.base import parse_id
from coachapp.models.enums import Role
from coachapp.scope import Scope

F = TypeVar("F", bound=Callable[..., Any])


def today() -> date:
    return datetime.now(timezone.utc).date()


def _coaches_supervised_by(user_id: int) -> Select:
    return select(User.id).where(User.supervisor_id == user_id)


def _covered_client_ids(user_id: int, on: date) -> tuple[Select, Select]:
    """Clients a covering assignment in force on ``on`` opens to the user: those named one by
    one, and those of a whole caseload covered (two selects of client ids)."""
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
    return by_client, by_caseload


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
    return _member_condition(user.id, user.role, on)


# A built statement is immutable and its values are the user's id, role and the day: each is
# built once per user and day, not once per use (a page asks for the rule a dozen times, and
# building it cost more than running it). An admin's depends on the clock: built every time.
RULES_KEPT = 1024


@lru_cache(maxsize=RULES_KEPT)
def _member_condition(user_id: int, role: str, on: date):
    if role in (Role.PROGRAM_MANAGER, Role.BILLING):
        # Program managers see aggregates and de-identified rows, never client records; billing
        # specialists see only the billing view of their program (``billing_clients``).
        return false()
    # One branch per way in, as a UNION of client ids: each branch is an index search
    # (clients by coach, covering assignments by user), where an OR across them would make
    # the database walk every client.
    branches = [
        select(Client.id).where(Client.coach_id == user_id),
        *_covered_client_ids(user_id, on),
    ]
    if role == Role.SUPERVISOR:
        branches.append(
            select(Client.id).where(Client.coach_id.in_(_coaches_supervised_by(user_id)))
        )
    return Client.id.in_(union(*(branch.correlate(None) for branch in branches)))


def rule_key(user: User) -> tuple | None:
    """What ``visible_clients(user)`` depends on, for statements built once per key: the
    user's id and role and the day; None for an admin (the clock counts) or a user who sees
    nothing (not signed in, inactive)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return None
    if user.role == Role.ADMIN:
        return None
    return (user.id, str(user.role), today())


_built: OrderedDict[tuple, Any] = OrderedDict()
_built_lock = threading.Lock()


def built_once(user: User, name: str, *parts: Any, build: Callable[[], Any]) -> Any:
    """The statement ``build()`` makes for ``user``, built once per ``rule_key(user)``,
    ``name`` and ``parts`` (hashable: what else the statement's shape and values depend on)
    and kept for the next request (the most recent ``RULES_KEPT`` are kept). A value that
    changes between requests (the clock) must be a ``bindparam`` given at execution, never
    one of ``parts``. Built every time for a user without a key (an admin)."""
    key = rule_key(user)
    if key is None:
        return build()
    full = (name, key, *parts)
    with _built_lock:
        statement = _built.get(full)
        if statement is not None:
            _built.move_to_end(full)
            return statement
    statement = build()
    with _built_lock:
        _built[full] = statement
        if len(_built) > RULES_KEPT:
            _built.popitem(last=False)
    return statement


def visible_clients(user: User, *, include_archived: bool = False) -> Select:
    """``SELECT clients`` the user may read or change, by the one rule of product.md."""
    key = rule_key(user)
    if key is None:
        return _visible_clients(visible_clients_condition(user), include_archived)
    return _kept_visible_clients(key, include_archived)


@lru_cache(maxsize=RULES_KEPT)
def _kept_visible_clients(key: tuple, include_archived: bool) -> Select:
    return _visible_clients(_member_condition(*key), include_archived)


def _visible_clients(condition, include_archived: bool) -> Select:
    query = select(Client).where(condition, Client.merged_into_id.is_(None))
    if not include_archived:
        query = query.where(Client.archived_at.is_(None))
    return query


def visible_client_ids(user: User) -> Select:
    key = rule_key(user)
    if key is None:
        return visible_clients(user).with_only_columns(Client.id)
    return _kept_visible_client_ids(key)


@lru_cache(maxsize=RULES_KEPT)
def _kept_visible_client_ids(key: tuple) -> Select:
    return _kept_visible_clients(key, False).with_only_columns(Client.id)


def get_client_or_404(client_id: int, user: User) -> Client:
    """The client if the user may reach it; 404 otherwise, exactly like a missing one."""
    client = find_client(client_id, user)
    if client is None:
        abort(404)
    return client


def find_client(client_id: int, user: User) -> Client | None:
    """The client if the user may reach it (live, not merged, not archived), else None."""
    query = built_once(
        user,
        "get_client_or_404",
        build=lambda: visible_clients(user).where(Client.id == bindparam("access_client_id")),
    )
    return db.session.scalars(query, {"access_client_id": client_id}).one_or_none()


def merged_survivor(client_id: int, user: User) -> Client | None:
    """The record a merged client ``client_id`` now lives in (following merges of merges), if
    the user may reach it; None otherwise, and for a client that is not merged. Its pages
    redirect there (product.md: the duplicate's URL leads to the record kept)."""
    seen: set[int] = set()
    current = db.session.get(Client, client_id)
    while current is not None and current.merged_into_id is not None and current.id not in seen:
        seen.add(current.id)
        current = db.session.get(Client, current.merged_into_id)
    if current is None or current.id == client_id:
        return None
    return db.session.scalars(visible_clients(user).where(Client.id == current.id)).one_or_none()


def reachable_client(client_id: int, user: User) -> Client | None:
    """The client by the access rule, merged or not (archived ones excluded): a merge form says
    "merged already" about a record the user may know of, where a lookup by the rule says 404."""
    condition = visible_clients_condition(user)
    return db.session.scalars(
        select(Client).where(condition, Client.id == client_id, Client.archived_at.is_(None))
    ).one_or_none()


def can_merge_client(user: User, client: Client) -> bool:
    """Merging (and undoing a merge): a supervisor for the clients of their team, an admin for
    a client they reach (api.md). Asked of both records."""
    if not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.SUPERVISOR and client.coach.supervisor_id == user.id


def break_glass_grant(user: User, client_id: int) -> BreakGlassAccess | None:
    """The break-the-glass access in force through which ``user`` reaches ``client_id`` (the
    latest opened), or None: for anyone but an admin, or an admin without one. Each view of
    the record through it is a disclosure (42 CFR 2.24), recorded by the view."""
    if user is None or not getattr(user, "is_authenticated", False) or user.role != Role.ADMIN:
        return None
    return db.session.scalars(
        select(BreakGlassAccess)
        .where(
            BreakGlassAccess.user_id == user.id,
            BreakGlassAccess.client_id == client_id,
            BreakGlassAccess.expires_at > datetime.now(timezone.utc),
        )
        .order_by(BreakGlassAccess.opened_at.desc(), BreakGlassAccess.id.desc())
        .limit(1)
    ).first()


def can_make_patient_copy(user: User, client: Client) -> bool:
    """The client's copy of their record (42 CFR 2.23): made by those who care for the client,
    a coach or a supervisor who reaches the record by the rule (the route's ``client_route``
    has asked that); not an admin, whose break-the-glass opens the record for an emergency,
    not to hand it out."""
    return (
        getattr(user, "is_authenticated", False)
        and user.active
        and user.role in (Role.COACH, Role.SUPERVISOR)
    )


def client_child_select(model: type, user: User) -> Select:
    """``SELECT model`` rows (sessions, goals, ...) whose client the user may reach."""
    return built_once(user, "client_child_select", model, build=lambda: _child_select(model, user))


def _child_select(model: type, user: User) -> Select:
    client_id: InstrumentedAttribute = model.client_id  # type: ignore[attr-defined]
    query = select(model).where(client_id.in_(visible_client_ids(user)))
    if hasattr(model, "archived_at"):
        query = query.where(model.archived_at.is_(None))  # type: ignore[attr-defined]
    return query


def get_child_or_404(model: type, record_id: int, user: User):
    """A client-linked record by id, reached through its scoped client; 404 outside."""
    query = built_once(
        user,
        "get_child_or_404",
        model,
        build=lambda: client_child_select(model, user).where(
            model.id == bindparam("access_record_id")  # type: ignore[attr-defined]
        ),
    )
    record = db.session.scalars(query, {"access_record_id": record_id}).one_or_none()
    if record is None:
        abort(404)
    return record


# --- Small permission questions, used by views and templates alike ---------------------------


def can_open_clients(user: User) -> bool:
    """Coaches open clients on their own caseload, supervisors on their team's coaches."""
    return user.is_authenticated and user.role in (Role.COACH, Role.SUPERVISOR)


def billing_clients(user: User) -> Select:
    """``SELECT clients`` whose billing fields (name, code, payer, member id) ``user`` may read
    for the claims worksheet: a billing specialist's own program's clients (archived or merged
    records excluded); an admin's choice of program is checked by ``billing_program_id``.
    Never a way to client records: these rows feed the worksheet only, and no note, plan text
    or assessment is read through them."""
    if (
        user is None
        or not getattr(user, "is_authenticated", False)
        or not user.active
        or user.role not in (Role.BILLING, Role.ADMIN)
    ):
        return select(Client).where(false())
    query = select(Client).where(Client.merged_into_id.is_(None), Client.archived_at.is_(None))
    if user.role == Role.BILLING:
        if user.program_id is None:
            return select(Client).where(false())
        query = query.where(Client.program_id == user.program_id)
    return query


def billing_program_id(user: User, program_id: int | None = None) -> int:
    """The program whose billing ``user`` may read: a billing specialist their own (another
    program's id is ``ScopeError``, answered 404); an admin any program (the one asked for, or
    the first by name)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        raise ScopeError("not signed in")
    if user.role == Role.BILLING:
        if user.program_id is None or program_id not in (None, user.program_id):
            raise ScopeError("billing outside their program")
        return user.program_id
    if user.role == Role.ADMIN:
        if program_id is None:
            program_id = db.session.scalar(
                select(Program.id).order_by(Program.name, Program.id).limit(1)
            )
        if program_id is None or db.session.get(Program, program_id) is None:
            raise ScopeError("no such program")
        return program_id
    raise ScopeError("no billing for this role")


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


def mark_client_data() -> None:
    """The answer carries client data: never kept in a cache (``Cache-Control: no-store``, set
    by the app's ``after_request``). Set by the client-linked route decorators below and by
    the API's scoped lookups, never by hand in a view."""
    g.client_data = True


def public(view: F) -> F:
    """Anyone, signed in or not (sign-in page, health checks, static files)."""
    _declare(view, "public")
    return view


def signed_in(view: F) -> F:
    """Any signed-in, active user. The view must scope what it shows itself."""
    wrapped = login_required(view)
    _declare(wrapped, "signed_in")
    return wrapped  # type: ignore[return-value]


def roles(*allowed: str, client_data: bool = False) -> Callable[[F], F]:
    """Signed in with one of ``allowed`` roles; other roles get 403 (the page is no secret).
    ``client_data=True`` for a page that lists clients or their records (a caseload, a
    calendar, a team dashboard): its answers are marked never to be cached."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if current_user.role not in allowed:
                abort(403)
            if client_data:
                mark_client_data()
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
            mark_client_data()
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
        client = find_client(client_id, current_user)
        if client is None:
            survivor = merged_survivor(client_id, current_user)
            if survivor is not None and request.method == "GET":
                # A merged record's page: the same page of the record kept.
                target = {**(request.view_args or {}), "client_id": survivor.id}
                return redirect(url_for(request.endpoint, **target))
            abort(404)
        mark_client_data()
        return view(*args, client=client, **kwargs)

    wrapped = login_required(wrapper)
    _declare(wrapped, "client")
    return wrapped  # type: ignore[return-value]


# --- Report scopes -----------------------------------------------------------------------------
# Who may report on what (metrics.md "Scope and period", product.md):
# - a coach: their own caseload only (the coach filter is forced to themself);
# - a supervisor: their team (``supervisor_id`` = themself) or one coach of it;
# - a program manager: their own program, whole, one team of it or one coach of it;
# - an admin: any program, whole, one team or one coach of it.
# An id outside that reach (another coach, another team, another program, an id that does not
# exist or is not an id at all) raises ``ScopeError``, which views and the API answer with 404,
# exactly like a missing page: a report never confirms that someone else's team exists. Every
# client a coach's or supervisor's scope counts is one ``visible_clients`` lets them read,
# which is why their drill-down lists may show names.

SCOPE_PARAMS = ("program_id", "supervisor_id", "coach_id")


class ScopeError(LookupError):
    """The user may not report on that scope; answered with 404."""


def _staff(user_id: int, role: Role) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role != role:
        raise ScopeError(f"no {role.value} {user_id} within reach")
    return user


def _within_program(program_id: int, coach_id: int | None, supervisor_id: int | None) -> Scope:
    """A program-wide reporter's choice of team and coach, each checked to be in the program.

    When both are given and the coach is not on that team, the narrower choice (the coach)
    wins: both are within the user's reach, so nothing leaks, and a scope picker used without
    JavaScript never ends on an error page."""
    if (
        supervisor_id is not None
        and _staff(supervisor_id, Role.SUPERVISOR).program_id != program_id
    ):
        raise ScopeError("team outside the program")
    if coach_id is not None:
        coach = _staff(coach_id, Role.COACH)
        if coach.program_id != program_id:
            raise ScopeError("coach outside the program")
        return Scope(program_id, coach_id=coach.id)
    return Scope(program_id, supervisor_id=supervisor_id)


def report_scope(
    user: User,
    program_id: int | None = None,
    coach_id: int | None = None,
    supervisor_id: int | None = None,
) -> Scope:
    """The report ``Scope`` ``user`` asked for, if it is within their reach; ``ScopeError``
    otherwise. Omitted filters mean the widest scope the user has."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        raise ScopeError("not signed in")
    if user.role == Role.COACH:
        if user.program_id is None or program_id not in (None, user.program_id):
            raise ScopeError("coach outside their program")
        if coach_id not in (None, user.id) or supervisor_id is not None:
            raise ScopeError("a coach reports on their own caseload only")
        return Scope(user.program_id, coach_id=user.id)
    if user.role == Role.SUPERVISOR:
        if user.program_id is None or program_id not in (None, user.program_id):
            raise ScopeError("supervisor outside their program")
        if supervisor_id not in (None, user.id):
            raise ScopeError("a supervisor reports on their own team only")
        if coach_id is not None:
            if _staff(coach_id, Role.COACH).supervisor_id != user.id:
                raise ScopeError("coach outside the team")
            return Scope(user.program_id, coach_id=coach_id)
        return Scope(user.program_id, supervisor_id=user.id)
    if user.role == Role.PROGRAM_MANAGER:
        if user.program_id is None or program_id not in (None, user.program_id):
            raise ScopeError("program manager outside their program")
        return _within_program(user.program_id, coach_id, supervisor_id)
    if user.role == Role.ADMIN:
        if program_id is None:
            program_id = user.program_id or db.session.scalar(
                select(Program.id).order_by(Program.name, Program.id).limit(1)
            )
        if program_id is None or db.session.get(Program, program_id) is None:
            raise ScopeError("no such program")
        return _within_program(program_id, coach_id, supervisor_id)
    raise ScopeError("no reports for this role")


def parse_scope_id(value: str | None) -> int | None:
    """A scope id from a query string: empty is ``None``; anything but 1..2**31-1 is an id
    nobody may see (``ScopeError``)."""
    if value is None or value == "":
        return None
    number = parse_id(value)
    if number is None:
        raise ScopeError("not an id")
    return number


def scope_from_args(user: User, args: Mapping[str, str]) -> Scope:
    """``report_scope`` from the ``program_id``, ``supervisor_id`` and ``coach_id`` query
    arguments of a page."""
    ids = {name: parse_scope_id(args.get(name)) for name in SCOPE_PARAMS}
    return report_scope(user, **ids)
