"""``build_demo``: the order of a build, in one transaction."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from coachapp.auth.passwords import hash_password
from coachapp.demo.clients import ClientBuilder
from coachapp.demo.plan import (
    DEMO_PASSWORD,
    DEMO_USERS,
    SCALES,
    DemoError,
    DemoSummary,
)
from coachapp.demo.staff import StaffBuilder
from coachapp.demo.supervision import SupervisionBuilder
from coachapp.extensions import db
from coachapp.models import (
    Appointment,
    Assessment,
    BillingSetting,
    Client,
    ClientAssignment,
    ClientProfile,
    ClientStatusRecord,
    CoachingSession,
    ConsentRecord,
    CoveringAssignment,
    Enrollment,
    FollowUpInterview,
    Goal,
    MutualAidAttendance,
    Organization,
    Program,
    RecoveryPlan,
    Referral,
    ReferralStatusChange,
    Resource,
    SupervisionNote,
    SupervisionNoteCoach,
    Team,
    TrainingRecord,
    User,
    recovery_plan_goals,
    session_goals,
    supervision_note_clients,
)
from coachapp.team.services import threads_from_sign_off_comments


class Builder(StaffBuilder, ClientBuilder, SupervisionBuilder):
    """Generates and inserts the rows; one instance per build."""


def build_demo(scale: str, seed: int = 1, *, today: date | None = None) -> DemoSummary:
    """Load the synthetic demo program at ``scale`` into an empty database and commit.

    Needs an app context. Raises ``DemoError`` for an unknown scale or when a program exists
    already (the demo is for a fresh database). The same ``seed`` and ``today`` give exactly
    the same rows; every date is relative to ``today`` (default: the current date).
    """
    spec = SCALES.get(scale)
    if spec is None:
        raise DemoError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    if db.session.scalar(select(Program.id).limit(1)) is not None:
        raise DemoError("the database has a program already: the demo loads into an empty one")
    emails = [email for _role, email in DEMO_USERS]
    if db.session.scalar(select(User.id).where(func.lower(User.email).in_(emails)).limit(1)):
        raise DemoError("a demo user exists already")

    started = time.perf_counter()
    builder = Builder(spec, seed, today or date.today())
    builder.start_ids(
        Program,
        Team,
        User,
        TrainingRecord,
        Organization,
        Resource,
        Client,
        Enrollment,
        Goal,
        CoachingSession,
        Appointment,
        Referral,
        ReferralStatusChange,
        Assessment,
        MutualAidAttendance,
        ConsentRecord,
        FollowUpInterview,
        SupervisionNote,
        CoveringAssignment,
        ClientProfile,
        ClientStatusRecord,
        ClientAssignment,
        BillingSetting,
        RecoveryPlan,
    )
    for table in (session_goals, supervision_note_clients, recovery_plan_goals):
        builder.counts[table.name] = 0
    builder.counts[SupervisionNoteCoach.__tablename__] = 0
    try:
        builder.build_staff(hash_password(DEMO_PASSWORD))
        builder.start_billing(seed)
        builder.build_billing_settings()
        builder.build_directory()
        builder.plan_clients()
        builder.build_clients()
        builder.build_supervision()
        builder.build_cover()
        # Sign-off comments open their sessions' review threads (the last 30 days unread).
        threads_from_sign_off_comments(
            datetime.combine(builder.today - timedelta(days=30), datetime.min.time(), timezone.utc)
        )
        builder.reset_sequences()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return DemoSummary(counts=builder.counts, seconds=time.perf_counter() - started)
