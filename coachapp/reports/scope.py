"""Who may report on what: the report's scope rule (metrics.md "Scope and period", product.md).

- a coach: their own caseload only (the coach filter is forced to themself);
- a supervisor: their team (``supervisor_id`` = themself) or one coach of it;
- a program manager: their own program, whole, one team of it or one coach of it;
- an admin: any program, whole, one team or one coach of it.

An id outside that reach (another coach, another team, another program, an id that does not
exist or is not an id at all) raises ``ScopeError``, which the views answer with 404, exactly
like a missing page: a report never confirms that someone else's team exists.

Every client a coach's or supervisor's scope counts is one the access rule lets them read (their
own caseload, their coaches' caseloads), which is why their drill-down lists may show names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from coachapp.extensions import db
from coachapp.models import Program, User
from coachapp.models.enums import Role
from coachapp.reports.metrics import Scope

MAX_ID = 2**31 - 1  # an INTEGER column; larger numbers are not ids (and PostgreSQL refuses them)
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
    """The ``metrics.Scope`` ``user`` asked for, if it is within their reach; ``ScopeError``
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


def parse_id(value: str | None) -> int | None:
    """A scope id from a query string: empty is ``None``; anything but 1..2**31-1 is an id
    nobody may see (``ScopeError``)."""
    if value is None or value == "":
        return None
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        raise ScopeError("not an id")
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ScopeError("not an id")
    return number


def scope_from_args(user: User, args: Mapping[str, str]) -> Scope:
    """``report_scope`` from ``program_id``, ``supervisor_id`` and ``coach_id`` query args."""
    ids = {name: parse_id(args.get(name)) for name in SCOPE_PARAMS}
    return report_scope(user, **ids)


def scope_args(scope: Scope) -> dict[str, int]:
    """The query arguments that select ``scope`` again (for links and exports)."""
    return {name: value for name, value in scope.as_dict().items() if value is not None}


@dataclass
class ScopeChoices:
    """What the scope picker offers: every option is within ``report_scope``'s reach."""

    programs: list[tuple[int, str]] = field(default_factory=list)
    supervisors: list[tuple[int, str]] = field(default_factory=list)
    # (coach id, name, supervisor id)
    coaches: list[tuple[int, str, int | None]] = field(default_factory=list)


def scope_choices(user: User, scope: Scope) -> ScopeChoices:
    """The programs, teams and coaches ``user`` may pick, around ``scope``; three queries at
    most."""
    choices = ScopeChoices()
    if user.role == Role.COACH:
        return choices
    if user.role == Role.ADMIN:
        choices.programs = [
            (p.id, p.name) for p in db.session.scalars(select(Program).order_by(Program.name))
        ]
    else:
        program = db.session.get(Program, scope.program_id)
        choices.programs = [(program.id, program.name)] if program else []
    if user.role == Role.SUPERVISOR:
        choices.supervisors = [(user.id, user.name)]
        coaches = select(User).where(User.role == Role.COACH, User.supervisor_id == user.id)
    else:
        choices.supervisors = [
            (u.id, u.name)
            for u in db.session.scalars(
                select(User)
                .where(User.role == Role.SUPERVISOR, User.program_id == scope.program_id)
                .order_by(User.name, User.id)
            )
        ]
        coaches = select(User).where(User.role == Role.COACH, User.program_id == scope.program_id)
    choices.coaches = [
        (u.id, u.name + ("" if u.active else " (inactive)"), u.supervisor_id)
        for u in db.session.scalars(coaches.order_by(User.active.desc(), User.name, User.id))
    ]
    return choices
