"""The report page's scope plumbing: the query arguments that select a scope again and the
choices of the scope picker. Which scope a user may see is the access rule's
(``access.report_scope``); every choice offered here is within that reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, select

from coachapp.extensions import db
from coachapp.models import Program, Team, User
from coachapp.models.enums import Role
from coachapp.scope import Scope


def scope_args(scope: Scope) -> dict[str, int]:
    """The query arguments that select ``scope`` again (for links and exports)."""
    return {name: value for name, value in scope.as_dict().items() if value is not None}


@dataclass
class ScopeChoices:
    """What the scope picker offers: every option is within ``access.report_scope``'s reach."""

    programs: list[tuple[int, str]] = field(default_factory=list)
    # (supervisor id, the team's name): the report's team filter is a supervisor's coaches,
    # shown by the name of the supervisor's team (``team_labels``)
    supervisors: list[tuple[int, str]] = field(default_factory=list)
    # (coach id, name, supervisor id)
    coaches: list[tuple[int, str, int | None]] = field(default_factory=list)


# The picker's statements, built once (every view of the report page runs them): values are
# bound parameters. Coaches as plain columns: a program's every coach, no User object each.
_SUPERVISORS = (
    select(User.id, User.name, Team.name)
    .outerjoin(Team, Team.id == User.team_id)
    .order_by(Team.name, User.name, User.id)
)
_PROGRAM_SUPERVISORS = _SUPERVISORS.where(
    User.role == Role.SUPERVISOR, User.program_id == bindparam("program_id")
)
_THE_SUPERVISOR = _SUPERVISORS.where(User.id == bindparam("user_id"))
_COACHES = (
    select(User.id, User.name, User.active, User.supervisor_id)
    .where(User.role == Role.COACH)
    .order_by(User.active.desc(), User.name, User.id)
)
_PROGRAM_COACHES = _COACHES.where(User.program_id == bindparam("program_id"))
_TEAM_COACHES = _COACHES.where(User.supervisor_id == bindparam("user_id"))
_PROGRAMS = select(Program.id, Program.name).order_by(Program.name)


def scope_choices(user: User, scope: Scope, program: Program | None = None) -> ScopeChoices:
    """The programs, teams and coaches ``user`` may pick, around ``scope``; three queries at
    most. ``program``: the scope's program, if the caller has it already."""
    choices = ScopeChoices()
    if user.role == Role.COACH:
        return choices
    if user.role == Role.ADMIN:
        choices.programs = [tuple(row) for row in db.session.execute(_PROGRAMS)]
    else:
        if program is None or program.id != scope.program_id:
            program = db.session.get(Program, scope.program_id)
        choices.programs = [(program.id, program.name)] if program else []
    if user.role == Role.SUPERVISOR:
        params = {"user_id": user.id}
        supervisors, coaches = _THE_SUPERVISOR, _TEAM_COACHES
    else:
        params = {"program_id": scope.program_id}
        supervisors, coaches = _PROGRAM_SUPERVISORS, _PROGRAM_COACHES
    choices.supervisors = team_labels(db.session.execute(supervisors, params))
    choices.coaches = [
        (coach_id, name if active else name + " (inactive)", supervisor_id)
        for coach_id, name, active, supervisor_id in db.session.execute(coaches, params)
    ]
    return choices


def team_labels(rows) -> list[tuple[int, str]]:
    """``(supervisor id, label)`` from ``(supervisor id, supervisor name, team name)`` rows: the
    team's name; the supervisor's name is added only where it is needed to tell the options
    apart (two supervisors of one team) or where the supervisor has no team."""
    rows = list(rows)
    per_team: dict[str, int] = {}
    for _, _, team in rows:
        if team is not None:
            per_team[team] = per_team.get(team, 0) + 1
    labelled = []
    for supervisor_id, supervisor, team in rows:
        if team is None:
            label = f"{supervisor}'s coaches (no team set)"
        elif per_team[team] > 1:
            label = f"{team} ({supervisor})"
        else:
            label = team
        labelled.append((supervisor_id, label))
    return sorted(labelled, key=lambda pair: (pair[1].casefold(), pair[0]))
