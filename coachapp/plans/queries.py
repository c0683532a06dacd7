"""Read queries of recovery plans, built on the access rule where a user asks.

The plan "current on day D" for a client (the issue 22 contract): the most recently signed
version (signed by both; its signed moment is the later of the two signatures) of the client's
episode covering D, whose signed moment falls on or before D in the program's time zone.
``current_plans_query`` says it in SQL for any number of clients at once (the claims
worksheet joins it); ``current_plan`` and ``current_plan_goal_ids`` ask it for one client.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Select, and_, bindparam, case, func, or_, select

from coachapp import access, timeutil
from coachapp.extensions import db
from coachapp.models import (
    Client,
    Enrollment,
    Goal,
    Program,
    RecoveryPlan,
    User,
    recovery_plan_goals,
)
from coachapp.models.enums import GoalStatus, PlanStatus, Role

# Roles that read a plan's text where the access rule lets them reach the client. The access
# rule already keeps program managers (and the billing role) away from client records; this is
# the second lock on the door, for plan text in particular.
READERS = (Role.COACH, Role.SUPERVISOR, Role.ADMIN)


def signed_moment_column():
    """The later of the two signatures, as SQL (NULL until both signed)."""
    return case(
        (
            and_(
                RecoveryPlan.signed_by_client_at.is_not(None),
                RecoveryPlan.signed_by_coach_at.is_not(None),
            ),
            case(
                (
                    RecoveryPlan.signed_by_client_at > RecoveryPlan.signed_by_coach_at,
                    RecoveryPlan.signed_by_client_at,
                ),
                else_=RecoveryPlan.signed_by_coach_at,
            ),
        ),
        else_=None,
    )


def end_of_day(day: date, program: Program | None) -> datetime:
    """The first moment after ``day`` in the program's zone, in UTC (signed moments are UTC)."""
    local = datetime.combine(day + timedelta(days=1), time(0), tzinfo=timeutil.zone(program))
    return local.astimezone(timezone.utc)


def current_plans_query(day, before) -> Select:
    """``SELECT client_id, plan_id`` of every client's plan current on ``day``: signed (both
    signatures) before ``before`` (``end_of_day(day, program)``), in the episode covering
    ``day``, the latest signed first. ``day`` and ``before`` may be values or bind parameters;
    narrow it with ``.where(RecoveryPlan.client_id ...)`` or join it as a subquery."""
    moment = signed_moment_column()
    ranked = (
        select(
            RecoveryPlan.client_id.label("client_id"),
            RecoveryPlan.id.label("plan_id"),
            func.row_number()
            .over(
                partition_by=RecoveryPlan.client_id,
                order_by=(moment.desc(), RecoveryPlan.number.desc()),
            )
            .label("rank"),
        )
        .join(Enrollment, Enrollment.id == RecoveryPlan.enrollment_id)
        .where(
            RecoveryPlan.status.in_((PlanStatus.SIGNED, PlanStatus.SUPERSEDED)),
            moment.is_not(None),
            moment < before,
            Enrollment.intake_date <= day,
            or_(Enrollment.discharge_date.is_(None), Enrollment.discharge_date >= day),
        )
        .subquery("ranked_plans")
    )
    return select(ranked.c.client_id, ranked.c.plan_id).where(ranked.c.rank == 1)


def current_plan_goals_query(day, before) -> Select:
    """``SELECT client_id, plan_id, goal_id`` of the goals of every client's current plan on
    ``day`` (see ``current_plans_query``)."""
    current = current_plans_query(day, before).subquery("current_plans")
    return select(current.c.client_id, current.c.plan_id, recovery_plan_goals.c.goal_id).join(
        recovery_plan_goals, recovery_plan_goals.c.plan_id == current.c.plan_id
    )


def _one_client(client_id: int, day: date, program: Program | None):
    if program is None:
        program = db.session.scalar(
            select(Program)
            .join(Client, Client.program_id == Program.id)
            .where(Client.id == client_id)
        )
    return day, end_of_day(day, program)


def current_plan(
    client_id: int, day: date, *, program: Program | None = None
) -> RecoveryPlan | None:
    """The client's plan current on ``day`` (None when there is none). ``program``: the
    client's, for its time zone (looked up when not given)."""
    day, before = _one_client(client_id, day, program)
    current = current_plans_query(
        bindparam("plan_day", day), bindparam("plan_before", before)
    ).subquery()
    query = select(RecoveryPlan).join(current, current.c.plan_id == RecoveryPlan.id)
    return db.session.scalars(query.where(current.c.client_id == client_id)).first()


def current_plan_goal_ids(client_id: int, day: date, *, program: Program | None = None) -> set[int]:
    """The ids of the goals of the client's plan current on ``day`` (empty without one)."""
    day, before = _one_client(client_id, day, program)
    query = current_plan_goals_query(day, before).subquery()
    rows = db.session.scalars(select(query.c.goal_id).where(query.c.client_id == client_id))
    return set(rows)


# --- For the pages (through the access rule) -------------------------------------------------


def may_read(user: User) -> bool:
    return user.is_authenticated and user.role in READERS


def client_versions(client: Client, user: User) -> list[RecoveryPlan]:
    """Every version of the client's plans (all episodes), newest first, within the rule."""
    query = access.built_once(
        user,
        "plans.client_versions",
        build=lambda: (
            access.client_child_select(RecoveryPlan, user)
            .where(RecoveryPlan.client_id == bindparam("plan_client_id"))
            .order_by(RecoveryPlan.enrollment_id.desc(), RecoveryPlan.number.desc())
        ),
    )
    return list(db.session.scalars(query, {"plan_client_id": client.id}))


def client_panel(client: Client, user: User) -> dict:
    """Context of templates/plans/_client_panel.html: the current plan, the open draft and
    the past versions. Two queries whatever the number of versions."""
    if not may_read(user):
        return {"shown": False}
    versions = client_versions(client, user)
    today = timeutil.local_today(client.program)
    current = None
    if versions:
        current = current_plan(client.id, today, program=client.program)
    draft = next((p for p in versions if p.status == PlanStatus.DRAFT), None)
    return {
        "shown": True,
        "current": current,
        "draft": draft,
        "past": [p for p in versions if p is not current and p is not draft],
        "today": today,
        "review_due": bool(current and current.review_on and current.review_on < today),
    }


def goal_choices(client: Client, plan: RecoveryPlan) -> list[Goal]:
    """Goals a draft may name: the client's (not archived), active first, and those it names."""
    kept = [g.id for g in plan.goals]
    return list(
        db.session.scalars(
            select(Goal)
            .where(
                Goal.client_id == client.id,
                or_(Goal.archived_at.is_(None), Goal.id.in_(kept)),
            )
            .order_by(
                case((Goal.status == GoalStatus.ACTIVE, 0), else_=1),
                Goal.opened_on.desc(),
                Goal.id.desc(),
            )
        )
    )


def coach_name(user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return db.session.scalar(select(User.name).where(User.id == user_id))


def signed_goal_texts(plan: RecoveryPlan) -> dict[int, str]:
    """Goal id -> its description as the version was signed (empty for a draft)."""
    return {int(k): v for k, v in json.loads(plan.signed_goals or "{}").items()}
