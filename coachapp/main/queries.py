"""The figures of the home page, each from the access rule's scope or the user's program."""

from __future__ import annotations

from sqlalchemy import func, select

from coachapp import access
from coachapp.extensions import db
from coachapp.models import Client, Program, User
from coachapp.models.enums import ClientStatus, Role


def client_counts(user: User) -> dict:
    """The clients the user may open, counted by status."""
    visible = access.visible_clients(user).subquery()
    return dict(
        db.session.execute(select(visible.c.status, func.count()).group_by(visible.c.status)).all()
    )


def coaches_of(supervisor: User) -> list[User]:
    return db.session.scalars(
        select(User).where(User.supervisor_id == supervisor.id).order_by(User.name)
    ).all()


def active_client_count(user: User) -> int | None:
    """Active clients of the program manager's program, or of every program for an admin."""
    program_filter = (
        Client.program_id == user.program_id if user.role == Role.PROGRAM_MANAGER else True
    )
    return db.session.scalar(
        select(func.count(Client.id)).where(
            program_filter,
            Client.status == ClientStatus.ACTIVE,
            Client.archived_at.is_(None),
            Client.merged_into_id.is_(None),
        )
    )


def staff_counts(user: User) -> dict:
    """Active staff by role: of the program manager's program, or everywhere for an admin."""
    staff = select(User.role, func.count(User.id)).where(User.active.is_(True))
    if user.role == Role.PROGRAM_MANAGER:
        staff = staff.where(User.program_id == user.program_id)
    return dict(db.session.execute(staff.group_by(User.role)).all())


def all_programs() -> list[Program]:
    return db.session.scalars(select(Program).order_by(Program.name)).all()
