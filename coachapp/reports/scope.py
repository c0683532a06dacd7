"""The report page's scope plumbing: the query arguments that select a scope again and the
choices of the scope picker. Which scope a user may see is the access rule's
(``access.report_scope``); every choice offered here is within that reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from coachapp.extensions import db
from coachapp.models import Program, User
from coachapp.models.enums import Role
from coachapp.reports.metrics import Scope


def scope_args(scope: Scope) -> dict[str, int]:
    """The query arguments that select ``scope`` again (for links and exports)."""
    return {name: value for name, value in scope.as_dict().items() if value is not None}


@dataclass
class ScopeChoices:
    """What the scope picker offers: every option is within ``access.report_scope``'s reach."""

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
