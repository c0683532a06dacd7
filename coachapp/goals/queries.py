"""Read queries of recovery goals, built on the access rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, case, func, select

from coachapp import access, timeutil
from coachapp.extensions import db
from coachapp.models import Client, CoachingSession, Goal, User, session_goals
from coachapp.models.enums import GoalStatus


@dataclass(frozen=True)
class Progress:
    """How often sessions addressed a goal, and when last."""

    sessions: int = 0
    last_addressed: date | None = None


def progress_by_goal(client: Client, user: User) -> dict[int, Progress]:
    """Per goal of ``client``: the number of (non-archived) sessions that addressed it and the
    latest such date. ONE aggregate query for all the client's goals."""
    query = access.built_once(
        user,
        "goals.progress_by_goal",
        build=lambda: (
            select(
                session_goals.c.goal_id,
                func.count(CoachingSession.id),
                func.max(CoachingSession.date),
            )
            .join(CoachingSession, CoachingSession.id == session_goals.c.session_id)
            .where(
                CoachingSession.client_id == bindparam("panel_client_id"),
                CoachingSession.client_id.in_(access.visible_client_ids(user)),
                CoachingSession.archived_at.is_(None),
            )
            .group_by(session_goals.c.goal_id)
        ),
    )
    rows = db.session.execute(query, {"panel_client_id": client.id})
    return {goal_id: Progress(n, last) for goal_id, n, last in rows}


def client_panel(client: Client, user: User) -> dict:
    """Context of templates/goals/_client_panel.html (see coachapp.clients.panels): the
    client's goals, active first, each with its progress. Two queries, whatever the number of
    goals and sessions."""
    query = access.built_once(
        user,
        "goals.client_panel",
        build=lambda: (
            access.client_child_select(Goal, user)
            .where(Goal.client_id == bindparam("panel_client_id"))
            .order_by(
                case((Goal.status == GoalStatus.ACTIVE, 0), else_=1),
                Goal.opened_on.desc(),
                Goal.id.desc(),
            )
        ),
    )
    goals = db.session.scalars(query, {"panel_client_id": client.id}).all()
    progress = progress_by_goal(client, user) if goals else {}
    return {
        "goals": goals,
        "progress": {g.id: progress.get(g.id, Progress()) for g in goals},
        "today": timeutil.local_today(client.program),
        "active": sum(1 for g in goals if g.status == GoalStatus.ACTIVE),
    }
