"""Reads for billing: settings versions and the month's billable sessions with what decides
whether each can be billed, loaded as a few set queries (never one query per session).

The worksheet reads billing fields only: client code, name, payer and member id; session dates,
times, place of service, kind, group size, signatures and the ids of goals addressed; plans'
signature moments and goal ids; TPO consents' dates. Never a note, a plan's text, a consent's
text or an assessment."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import load_only

from coachapp import access
from coachapp.extensions import db
from coachapp.models import (
    BillingSetting,
    Client,
    CoachingSession,
    ConsentRecord,
    Enrollment,
    Program,
    RecoveryPlan,
    User,
    recovery_plan_goals,
    session_goals,
)
from coachapp.models.enums import ConsentType


def setting_versions(program_id: int) -> list[BillingSetting]:
    """Every version of a program's billing settings, oldest first."""
    return list(
        db.session.scalars(
            select(BillingSetting)
            .where(BillingSetting.program_id == program_id)
            .order_by(BillingSetting.effective_from, BillingSetting.id)
        )
    )


def setting_on(versions: list[BillingSetting], day: date) -> BillingSetting | None:
    """The version in force on ``day``: the latest ``effective_from`` on or before it."""
    found = None
    for version in versions:
        if version.effective_from <= day:
            found = version
    return found


def setting_of(program_id: int, effective_from: date) -> BillingSetting | None:
    return db.session.scalar(
        select(BillingSetting).where(
            BillingSetting.program_id == program_id,
            BillingSetting.effective_from == effective_from,
        )
    )


def programs() -> list[Program]:
    return list(db.session.scalars(select(Program).order_by(Program.name, Program.id)))


@dataclass
class SessionRow:
    """One billable session of the month, with its client's billing fields."""

    id: int
    client_id: int
    client_code: str
    client_name: str
    member_id: str | None
    coach_id: int
    coach_name: str
    date: date
    start_time: time | None
    end_time: time | None
    place_of_service: str | None
    kind: str
    outcome: str
    group_size: int | None
    signed_at: datetime | None
    cosigned_at: datetime | None
    goal_ids: frozenset[int] = frozenset()


@dataclass
class PlanRow:
    """A plan version's signature moments and goal ids (never its text)."""

    id: int
    client_id: int
    enrollment_id: int
    signed_by_client_at: datetime | None
    signed_by_coach_at: datetime | None
    goal_ids: frozenset[int] = frozenset()


@dataclass
class EpisodeRow:
    id: int
    client_id: int
    intake_date: date
    discharge_date: date | None


@dataclass
class MonthData:
    sessions: list[SessionRow]
    plans: dict[int, list[PlanRow]]  # by enrollment id
    episodes: dict[int, list[EpisodeRow]]  # by client id
    # The TPO consents (42 CFR 2.33(b)) of the month's clients, unarchived, by client id, in
    # signing order (signed_on, then id); their dates only, never their text.
    tpo_consents: dict[int, list[ConsentRecord]] = field(default_factory=dict)


def month_data(user: User, program_id: int, first: date, last: date) -> MonthData:
    """The billable, unarchived sessions of the program's clients dated ``first``..``last``,
    their goals addressed, and the episodes and plans (signatures and goal ids) of those
    clients, and those clients' TPO consents (their dates): six statements whatever the month
    holds."""
    clients = (
        access.billing_clients(user)
        .where(Client.program_id == program_id)
        .with_only_columns(Client.id)
        .scalar_subquery()
    )
    in_month = (
        (CoachingSession.client_id.in_(clients))
        & CoachingSession.billable.is_(True)
        & CoachingSession.archived_at.is_(None)
        & (CoachingSession.date >= first)
        & (CoachingSession.date <= last)
    )
    rows = db.session.execute(
        select(
            CoachingSession.id,
            CoachingSession.client_id,
            Client.code,
            Client.first_name,
            Client.last_name,
            Client.member_id,
            CoachingSession.coach_id,
            User.name,
            CoachingSession.date,
            CoachingSession.start_time,
            CoachingSession.end_time,
            CoachingSession.place_of_service,
            CoachingSession.kind,
            CoachingSession.outcome,
            CoachingSession.group_size,
            CoachingSession.signed_at,
            CoachingSession.cosigned_at,
        )
        .join(Client, Client.id == CoachingSession.client_id)
        .join(User, User.id == CoachingSession.coach_id)
        .where(in_month)
        .order_by(CoachingSession.date, CoachingSession.start_time, CoachingSession.id)
    ).all()
    month_ids = select(CoachingSession.id).where(in_month).scalar_subquery()
    goals: dict[int, set[int]] = defaultdict(set)
    for session_id, goal_id in db.session.execute(
        select(session_goals.c.session_id, session_goals.c.goal_id).where(
            session_goals.c.session_id.in_(month_ids)
        )
    ):
        goals[session_id].add(goal_id)
    sessions = [
        SessionRow(
            id=r[0],
            client_id=r[1],
            client_code=r[2],
            client_name=f"{r[3]} {r[4]}",
            member_id=r[5],
            coach_id=r[6],
            coach_name=r[7],
            date=r[8],
            start_time=r[9],
            end_time=r[10],
            place_of_service=r[11],
            kind=str(r[12]),
            outcome=str(r[13]),
            group_size=r[14],
            signed_at=r[15],
            cosigned_at=r[16],
            goal_ids=frozenset(goals.get(r[0], ())),
        )
        for r in rows
    ]
    month_clients = select(CoachingSession.client_id).where(in_month).scalar_subquery()
    episodes: dict[int, list[EpisodeRow]] = defaultdict(list)
    for e in db.session.execute(
        select(
            Enrollment.id, Enrollment.client_id, Enrollment.intake_date, Enrollment.discharge_date
        )
        .where(Enrollment.client_id.in_(month_clients))
        .order_by(Enrollment.intake_date, Enrollment.id)
    ):
        episodes[e[1]].append(EpisodeRow(e[0], e[1], e[2], e[3]))
    plan_ids_of_clients = RecoveryPlan.client_id.in_(month_clients)
    plan_goals: dict[int, set[int]] = defaultdict(set)
    for plan_id, goal_id in db.session.execute(
        select(recovery_plan_goals.c.plan_id, recovery_plan_goals.c.goal_id)
        .join(RecoveryPlan, RecoveryPlan.id == recovery_plan_goals.c.plan_id)
        .where(plan_ids_of_clients)
    ):
        plan_goals[plan_id].add(goal_id)
    plans: dict[int, list[PlanRow]] = defaultdict(list)
    for p in db.session.execute(
        select(
            RecoveryPlan.id,
            RecoveryPlan.client_id,
            RecoveryPlan.enrollment_id,
            RecoveryPlan.signed_by_client_at,
            RecoveryPlan.signed_by_coach_at,
        )
        .where(plan_ids_of_clients)
        .order_by(RecoveryPlan.number, RecoveryPlan.id)
    ):
        plans[p[2]].append(PlanRow(p[0], p[1], p[2], p[3], p[4], frozenset(plan_goals[p[0]])))
    consents: dict[int, list[ConsentRecord]] = defaultdict(list)
    for consent in db.session.scalars(
        select(ConsentRecord)
        .options(
            load_only(
                ConsentRecord.id,
                ConsentRecord.client_id,
                ConsentRecord.consent_type,
                ConsentRecord.signed_on,
                ConsentRecord.expires_on,
                ConsentRecord.revoked_on,
                ConsentRecord.archived_at,
            )
        )
        .where(
            ConsentRecord.client_id.in_(month_clients),
            ConsentRecord.consent_type == ConsentType.TPO,
            ConsentRecord.archived_at.is_(None),
        )
        .order_by(ConsentRecord.signed_on, ConsentRecord.id)
    ):
        consents[consent.client_id].append(consent)
    return MonthData(
        sessions=sessions,
        plans=dict(plans),
        episodes=dict(episodes),
        tpo_consents=dict(consents),
    )
