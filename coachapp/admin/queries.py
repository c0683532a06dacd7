"""Read-side queries of the admin pages. Staff and counts only: never a client's name.

Each page is a fixed number of queries whatever the number of users: lists join what they
show (program, team, supervisor) and caseload sizes are one aggregate (GROUP BY coach).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from coachapp.extensions import db
from coachapp.models import Client, Program, Team, User
from coachapp.models.enums import ClientStatus, Role

PER_PAGE = 50


def _live_clients() -> Select:
    """Clients that count in a caseload: not archived, not merged into another record."""
    return select(Client).where(Client.archived_at.is_(None), Client.merged_into_id.is_(None))


def caseload_counts_select() -> Select:
    """``(coach_id, active, total)`` per coach: one GROUP BY over the clients table."""
    return (
        _live_clients()
        .with_only_columns(
            Client.coach_id.label("coach_id"),
            func.count(case((Client.status == ClientStatus.ACTIVE, 1))).label("active"),
            func.count(Client.id).label("total"),
        )
        .group_by(Client.coach_id)
    )


def active_client_count(user: User) -> int:
    """How many active clients are on ``user``'s caseload (a count, never who)."""
    return (
        db.session.scalar(
            _live_clients()
            .with_only_columns(func.count(Client.id))
            .where(Client.coach_id == user.id, Client.status == ClientStatus.ACTIVE)
        )
        or 0
    )


def reporting_coach_count(user: User) -> int:
    """How many active coaches name ``user`` as their supervisor."""
    return (
        db.session.scalar(
            select(func.count(User.id)).where(
                User.supervisor_id == user.id, User.active.is_(True), User.id != user.id
            )
        )
        or 0
    )


def all_programs() -> list[Program]:
    return list(db.session.scalars(select(Program).order_by(Program.name)))


def user_form_choices(current_supervisor_id: int | None = None) -> tuple[list, list, list]:
    """Programs, teams and supervisors for the user form, grouped by program name. Deactivated
    supervisors are left out, except the one the user already has (so the form shows it)."""
    programs = all_programs()
    teams = list(
        db.session.scalars(
            select(Team)
            .join(Program, Program.id == Team.program_id)
            .options(joinedload(Team.program))
            .order_by(Program.name, Team.name)
        )
    )
    supervisor_program = aliased(Program)
    supervisors = list(
        db.session.scalars(
            select(User)
            .outerjoin(supervisor_program, supervisor_program.id == User.program_id)
            .options(joinedload(User.program))
            .where(
                User.role == Role.SUPERVISOR,
                or_(User.active.is_(True), User.id == (current_supervisor_id or -1)),
            )
            .order_by(
                supervisor_program.name.is_(None), supervisor_program.name, User.name, User.id
            )
        )
    )
    return programs, teams, supervisors


@dataclass
class UserFilters:
    q: str = ""
    role: str = ""
    program_id: int | None = None
    active: str = ""  # "", "active" or "inactive"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def users_select(filters: UserFilters) -> Select:
    query = select(User)
    if filters.q:
        pattern = f"%{_escape_like(filters.q.lower())}%"
        query = query.where(
            or_(
                func.lower(User.name).like(pattern, escape="\\"),
                func.lower(User.email).like(pattern, escape="\\"),
            )
        )
    if filters.role:
        query = query.where(User.role == filters.role)
    if filters.program_id is not None:
        query = query.where(User.program_id == filters.program_id)
    if filters.active == "active":
        query = query.where(User.active.is_(True))
    elif filters.active == "inactive":
        query = query.where(User.active.is_(False))
    return query


def users_page(filters: UserFilters, page: int) -> tuple[list[User], int]:
    """One page of users (with program, team and supervisor joined in) and the total."""
    query = users_select(filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(
        db.session.scalars(
            query.options(
                joinedload(User.program), joinedload(User.team), joinedload(User.supervisor)
            )
            .order_by(User.name, User.id)
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        ).unique()
    )
    return rows, total


@dataclass
class StaffRow:
    user: User
    supervisor_name: str | None
    team_name: str | None
    active_clients: int | None  # coaches only
    all_clients: int | None


def staff_of_program(program_id: int) -> list[StaffRow]:
    """The program's staff with, for coaches, their caseload sizes: ONE query (the counts are
    a GROUP BY subquery joined to the users), never a client's name."""
    counts = caseload_counts_select().where(Client.program_id == program_id).subquery()
    supervisor = aliased(User)
    rows = db.session.execute(
        select(
            User,
            supervisor.name,
            Team.name,
            counts.c.active,
            counts.c.total,
        )
        .outerjoin(supervisor, supervisor.id == User.supervisor_id)
        .outerjoin(Team, Team.id == User.team_id)
        .outerjoin(counts, counts.c.coach_id == User.id)
        .where(User.program_id == program_id)
        .order_by(User.active.desc(), User.role, User.name, User.id)
    ).all()
    return [
        StaffRow(
            user=user,
            supervisor_name=supervisor_name,
            team_name=team_name,
            active_clients=(active or 0) if user.role == Role.COACH else None,
            all_clients=(total or 0) if user.role == Role.COACH else None,
        )
        for user, supervisor_name, team_name, active, total in rows
    ]


def programs_overview() -> list[tuple[Program, int, int]]:
    """Every program with its number of teams and of active staff (two correlated counts)."""
    team_count = select(func.count(Team.id)).where(Team.program_id == Program.id).scalar_subquery()
    staff_count = (
        select(func.count(User.id))
        .where(User.program_id == Program.id, User.active.is_(True))
        .scalar_subquery()
    )
    return [
        (program, teams or 0, staff or 0)
        for program, teams, staff in db.session.execute(
            select(Program, team_count, staff_count).order_by(Program.name)
        ).all()
    ]


def teams_overview(program_id: int | None) -> list[tuple[Team, int]]:
    """Teams (of one program, or all) with their number of active members."""
    members = (
        select(func.count(User.id))
        .where(User.team_id == Team.id, User.active.is_(True))
        .scalar_subquery()
    )
    query = (
        select(Team, members)
        .join(Program, Program.id == Team.program_id)
        .options(joinedload(Team.program))
        .order_by(Program.name, Team.name)
    )
    if program_id is not None:
        query = query.where(Team.program_id == program_id)
    return [(team, n or 0) for team, n in db.session.execute(query).all()]
