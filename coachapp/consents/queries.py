"""The consent history panel of the client page, and what a disclosure summary shows."""

from __future__ import annotations

from sqlalchemy import func, select

from coachapp import access
from coachapp.extensions import db
from coachapp.models import Appointment, Client, CoachingSession, Enrollment, Goal, Referral, User
from coachapp.models.enums import SessionOutcome


def disclosure_summary(client: Client, user: User) -> dict:
    """The client's episodes, goals, completed contacts (count and latest), latest 20
    appointments and referrals, for the summary a consent's recipient receives."""
    episodes = db.session.scalars(
        select(Enrollment).where(Enrollment.client_id == client.id).order_by(Enrollment.intake_date)
    ).all()
    goals = db.session.scalars(
        access.client_child_select(Goal, user)
        .where(Goal.client_id == client.id)
        .order_by(Goal.opened_on)
    ).all()
    contacts = db.session.execute(
        select(func.count(CoachingSession.id), func.max(CoachingSession.date)).where(
            CoachingSession.client_id == client.id,
            CoachingSession.archived_at.is_(None),
            CoachingSession.outcome == SessionOutcome.COMPLETED,
        )
    ).one()
    appointments = db.session.scalars(
        access.client_child_select(Appointment, user)
        .where(Appointment.client_id == client.id)
        .order_by(Appointment.scheduled_at.desc())
        .limit(20)
    ).all()
    referrals = db.session.scalars(
        access.client_child_select(Referral, user)
        .where(Referral.client_id == client.id)
        .order_by(Referral.referred_on.desc())
    ).all()
    return {
        "episodes": episodes,
        "goals": goals,
        "contacts": contacts,
        "appointments": appointments,
        "referrals": referrals,
    }
