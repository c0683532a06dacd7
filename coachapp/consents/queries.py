"""What a disclosure summary carries: only the categories its consent names. Each category is
its own query, run only when the consent names it, so records the consent does not cover are
never even read."""

from __future__ import annotations

from collections.abc import Callable

from coachapp import access
from coachapp.consents import categories as consent_categories
from coachapp.extensions import db
from coachapp.models import (
    Appointment,
    Assessment,
    Client,
    CoachingSession,
    ConsentRecord,
    Enrollment,
    Goal,
    Referral,
    User,
)
from coachapp.models.enums import ConsentCategory, SessionOutcome

APPOINTMENTS_SHOWN = 50


def _completed_sessions(user: User, client: Client):
    return access.client_child_select(CoachingSession, user).where(
        CoachingSession.client_id == client.id,
        CoachingSession.outcome == SessionOutcome.COMPLETED,
    )


def _attendance(client: Client, user: User) -> dict:
    dates = list(
        db.session.scalars(
            _completed_sessions(user, client)
            .with_only_columns(CoachingSession.date)
            .order_by(CoachingSession.date)
        )
    )
    return {
        "count": len(dates),
        "first": dates[0] if dates else None,
        "last": dates[-1] if dates else None,
        "dates": dates,
    }


def _enrollment(client: Client, user: User) -> list[Enrollment]:
    return list(
        db.session.scalars(
            access.client_child_select(Enrollment, user)
            .where(Enrollment.client_id == client.id)
            .order_by(Enrollment.intake_date, Enrollment.id)
        )
    )


def _goals(client: Client, user: User) -> list[Goal]:
    return list(
        db.session.scalars(
            access.client_child_select(Goal, user)
            .where(Goal.client_id == client.id)
            .order_by(Goal.opened_on, Goal.id)
        )
    )


def _appointments(client: Client, user: User) -> list[Appointment]:
    return list(
        db.session.scalars(
            access.client_child_select(Appointment, user)
            .where(Appointment.client_id == client.id)
            .order_by(Appointment.scheduled_at.desc(), Appointment.id.desc())
            .limit(APPOINTMENTS_SHOWN)
        )
    )


def _referrals(client: Client, user: User) -> list[Referral]:
    return list(
        db.session.scalars(
            access.client_child_select(Referral, user)
            .where(Referral.client_id == client.id)
            .order_by(Referral.referred_on.desc(), Referral.id.desc())
        )
    )


def _assessments(client: Client, user: User) -> list[Assessment]:
    return list(
        db.session.scalars(
            access.client_child_select(Assessment, user)
            .where(Assessment.client_id == client.id)
            .order_by(Assessment.administered_on, Assessment.id)
        )
    )


def _notes(client: Client, user: User) -> list[dict]:
    # Through the ORM: the note column is encrypted and decrypted on load.
    sessions = db.session.scalars(
        access.client_child_select(CoachingSession, user)
        .where(CoachingSession.client_id == client.id, CoachingSession.note.is_not(None))
        .order_by(CoachingSession.date, CoachingSession.id)
    )
    return [{"date": s.date, "note": s.note} for s in sessions if s.note]


_LOADERS: dict[ConsentCategory, Callable[[Client, User], object]] = {
    ConsentCategory.ATTENDANCE: _attendance,
    ConsentCategory.ENROLLMENT: _enrollment,
    ConsentCategory.GOALS: _goals,
    ConsentCategory.APPOINTMENTS: _appointments,
    ConsentCategory.REFERRALS: _referrals,
    ConsentCategory.ASSESSMENTS: _assessments,
    ConsentCategory.NOTES: _notes,
}


def disclosure_summary(client: Client, consent: ConsentRecord, user: User) -> dict:
    """The records ``consent`` lets the program disclose, keyed by category value, and only
    those (each category queried only when named). The consent's free text is its own words:
    printed, never a source of records."""
    sections: dict[str, object] = {}
    for category in consent_categories.parse(consent.categories):
        sections[category.value] = _LOADERS[category](client, user)
    return sections
