"""Read queries of sessions, built on the access rule."""

from __future__ import annotations

from sqlalchemy import case, func, or_
from sqlalchemy.orm import selectinload

from coachapp import access
from coachapp.extensions import db
from coachapp.models import Client, CoachingSession, Goal, User
from coachapp.models.enums import GoalStatus, SessionOutcome

PANEL_LIMIT = 20


def offered_goals(client: Client, user: User, keep_ids=()) -> list[Goal]:
    """Goals a session may address: the client's active ones, plus ``keep_ids`` (those a
    session being edited addresses already, whatever their status). Archived goals never."""
    condition = Goal.status == GoalStatus.ACTIVE
    if keep_ids:
        condition = or_(condition, Goal.id.in_(list(keep_ids)))
    return list(
        db.session.scalars(
            access.client_child_select(Goal, user)
            .where(Goal.client_id == client.id, condition)
            .order_by(Goal.opened_on, Goal.id)
        )
    )


def client_panel(client: Client, user: User) -> dict:
    """Context of templates/sessions/_client_panel.html (see coachapp.clients.panels): the
    latest sessions, newest first, with the goals each addressed; how many sessions in all and
    the minutes of the completed ones. Three queries, whatever the history holds."""
    scoped = access.client_child_select(CoachingSession, user).where(
        CoachingSession.client_id == client.id
    )
    sessions = db.session.scalars(
        scoped.options(selectinload(CoachingSession.goals))
        .order_by(CoachingSession.date.desc(), CoachingSession.id.desc())
        .limit(PANEL_LIMIT)
    ).all()
    completed = CoachingSession.outcome == SessionOutcome.COMPLETED
    total, completed_minutes = db.session.execute(
        scoped.with_only_columns(
            func.count(CoachingSession.id),
            func.coalesce(
                func.sum(case((completed, CoachingSession.duration_minutes), else_=0)), 0
            ),
        )
    ).one()
    return {
        "sessions": sessions,
        "total": total,
        "completed_minutes": completed_minutes,
        "limit": PANEL_LIMIT,
    }


def session_goal_ids(session: CoachingSession) -> list[int]:
    return [g.id for g in session.goals]
