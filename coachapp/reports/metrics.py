"""Every figure of metrics.md, as SQL aggregates over a report's scope and period.

This module is the single definition: the report page, the API, the exports and the
supervisor dashboard all call it. Each figure group is one or two queries (GROUP BY, FILTER,
window functions); nothing here loops over clients, coaches or records in Python. With
``by_coach`` the same queries group by the client's currently assigned coach.

Keys and meanings follow ../shared/spec/metrics.md word for word:

- a client is *in scope* when their program matches and, with a coach or team filter, their
  currently assigned coach matches; archived (and merged-away) records never count;
- *enrolled in the period*: an episode with ``intake_date <= end`` and
  (``discharge_date`` empty or ``>= start``);
- rates are ``round(numerator / denominator, 4)`` or ``None`` for a zero denominator; medians
  of an even count are the mean of the two middle values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import (
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    null,
    or_,
    select,
)

from coachapp.extensions import db
from coachapp.models import (
    Appointment,
    Assessment,
    Client,
    CoachingSession,
    Enrollment,
    Goal,
    Referral,
    SupervisionNote,
    SupervisionNoteCoach,
    User,
)
from coachapp.models.enums import (
    AppointmentOutcome,
    GoalStatus,
    ReferralStatus,
    ResourceCategory,
    Role,
    SessionOutcome,
)
from coachapp.reports.sqlfuncs import add_days, days_between

RETENTION_DAYS = (30, 60, 90)
RETENTION_WINDOW = 29  # the window is [intake + N - 29, intake + N]
ALL = "__all__"  # the group key of whole-scope figures


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("the period ends before it starts")

    def months(self) -> list[Period]:
        """Each calendar month overlapping the period, clipped to it."""
        months = []
        cursor = self.start.replace(day=1)
        while cursor <= self.end:
            following = (cursor + timedelta(days=32)).replace(day=1)
            months.append(
                Period(max(cursor, self.start), min(following - timedelta(days=1), self.end))
            )
            cursor = following
        return months


@dataclass(frozen=True)
class Scope:
    """A program, optionally narrowed to one coach or one supervisor's team."""

    program_id: int
    coach_id: int | None = None
    supervisor_id: int | None = None

    def as_dict(self) -> dict:
        return {
            "program_id": self.program_id,
            "coach_id": self.coach_id,
            "supervisor_id": self.supervisor_id,
        }


def rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def round2(value) -> float | None:
    return round(float(value), 2) if value is not None else None


# --- Scope -------------------------------------------------------------------------------------


def coach_ids_in_scope(scope: Scope) -> Select:
    """Active users with role coach in scope (metrics.md ``supervision.coaches``)."""
    query = select(User.id).where(User.role == Role.COACH, User.active.is_(True))
    if scope.coach_id is not None:
        return query.where(User.id == scope.coach_id)
    if scope.supervisor_id is not None:
        return query.where(User.supervisor_id == scope.supervisor_id)
    return query.where(User.program_id == scope.program_id)


def scope_clients(scope: Scope):
    """Subquery ``(id, coach_id)`` of the clients in scope."""
    query = select(Client.id.label("id"), Client.coach_id.label("coach_id")).where(
        Client.program_id == scope.program_id,
        Client.archived_at.is_(None),
        Client.merged_into_id.is_(None),
    )
    if scope.coach_id is not None:
        query = query.where(Client.coach_id == scope.coach_id)
    if scope.supervisor_id is not None:
        query = query.where(
            Client.coach_id.in_(select(User.id).where(User.supervisor_id == scope.supervisor_id))
        )
    return query.subquery("scope_clients")


def _group(sc, by_coach: bool):
    return sc.c.coach_id if by_coach else literal(ALL)


def _rows(query) -> dict:
    return {row[0]: row[1:] for row in db.session.execute(query)}


def _day_bounds(period: Period) -> tuple[datetime, datetime]:
    """Appointments are wall-clock datetimes in the program's zone: its date is the date part."""
    return (
        datetime.combine(period.start, time.min),
        datetime.combine(period.end + timedelta(days=1), time.min),
    )


def _median_by(values) -> dict:
    """``{group: median}`` over a subquery with columns ``g`` and ``x``, in one query."""
    ranked = select(
        values.c.g.label("g"),
        values.c.x.label("x"),
        func.row_number().over(partition_by=values.c.g, order_by=values.c.x).label("rn"),
        func.count().over(partition_by=values.c.g).label("n"),
    ).subquery()
    query = (
        select(ranked.c.g, func.avg(ranked.c.x * 1.0))
        .where(ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2]))
        .group_by(ranked.c.g)
    )
    return {g: float(m) for g, m in db.session.execute(query)}


# --- Figure groups -----------------------------------------------------------------------------


def client_figures(scope: Scope, period: Period, *, by_coach: bool = False) -> dict:
    """``clients.enrolled``, ``new_intakes``, ``engaged``, ``engagement_rate``."""
    sc = scope_clients(scope)
    g = _group(sc, by_coach)
    enrolled = exists().where(
        Enrollment.client_id == sc.c.id,
        Enrollment.intake_date <= period.end,
        or_(Enrollment.discharge_date.is_(None), Enrollment.discharge_date >= period.start),
    )
    engaged = exists().where(
        CoachingSession.client_id == sc.c.id,
        CoachingSession.outcome == SessionOutcome.COMPLETED,
        CoachingSession.archived_at.is_(None),
        CoachingSession.date.between(period.start, period.end),
    )
    counts = _rows(
        select(g, func.count().filter(enrolled), func.count().filter(and_(enrolled, engaged)))
        .select_from(sc)
        .group_by(g)
    )
    intakes = _rows(
        select(g, func.count(Enrollment.id))
        .select_from(sc)
        .join(Enrollment, Enrollment.client_id == sc.c.id)
        .where(Enrollment.intake_date.between(period.start, period.end))
        .group_by(g)
    )
    result = {}
    for key in set(counts) | set(intakes) | ({ALL} if not by_coach else set()):
        n_enrolled, n_engaged = counts.get(key, (0, 0))
        result[key] = {
            "enrolled": n_enrolled,
            "new_intakes": intakes.get(key, (0,))[0],
            "engaged": n_engaged,
            "engagement_rate": rate(n_engaged, n_enrolled),
        }
    return result


def session_figures(scope: Scope, period: Period, enrolled: int) -> dict:
    """``sessions.completed``, ``attempted``, ``minutes``, ``per_enrolled_client``."""
    sc = scope_clients(scope)
    completed = CoachingSession.outcome == SessionOutcome.COMPLETED
    row = db.session.execute(
        select(
            func.count().filter(completed),
            func.count().filter(CoachingSession.outcome == SessionOutcome.ATTEMPTED),
            func.coalesce(func.sum(case((completed, CoachingSession.duration_minutes))), 0),
        )
        .select_from(sc)
        .join(CoachingSession, CoachingSession.client_id == sc.c.id)
        .where(
            CoachingSession.archived_at.is_(None),
            CoachingSession.date.between(period.start, period.end),
        )
    ).one()
    return {
        "completed": row[0],
        "attempted": row[1],
        "minutes": int(row[2]),
        "per_enrolled_client": rate(row[0], enrolled),
    }


def time_to_first_contact(scope: Scope, period: Period) -> dict:
    """Median days from intake to the episode's first completed session, over episodes with
    intake in the period whose first completed session is dated ``<= end``."""
    sc = scope_clients(scope)
    first_contact = (
        select(func.min(CoachingSession.date))
        .where(
            CoachingSession.client_id == Enrollment.client_id,
            CoachingSession.outcome == SessionOutcome.COMPLETED,
            CoachingSession.archived_at.is_(None),
            CoachingSession.date >= Enrollment.intake_date,
            or_(
                Enrollment.discharge_date.is_(None),
                CoachingSession.date <= Enrollment.discharge_date,
            ),
        )
        .correlate(Enrollment)
        .scalar_subquery()
    )
    episodes = (
        select(Enrollment.intake_date.label("intake"), first_contact.label("first"))
        .join(sc, sc.c.id == Enrollment.client_id)
        .where(Enrollment.intake_date.between(period.start, period.end))
        .subquery()
    )
    values = (
        select(
            literal(ALL).label("g"), days_between(episodes.c.first, episodes.c.intake).label("x")
        )
        .where(episodes.c.first.is_not(None), episodes.c.first <= period.end)
        .subquery()
    )
    n = db.session.scalar(select(func.count()).select_from(values))
    return {"median": _median_by(values).get(ALL), "n": n}


def appointment_figures(scope: Scope, period: Period, *, by_coach: bool = False) -> dict:
    """Appointments dated in the period by outcome, no-show rates, accompanied count."""
    sc = scope_clients(scope)
    g = _group(sc, by_coach)
    low, high = _day_bounds(period)
    outcome = Appointment.outcome
    planned = Appointment.accompaniment_planned.is_(True)
    unplanned = Appointment.accompaniment_planned.is_(False)
    attended = outcome == AppointmentOutcome.ATTENDED
    no_show = outcome == AppointmentOutcome.NO_SHOW
    rows = _rows(
        select(
            g,
            func.count(),
            func.count().filter(attended),
            func.count().filter(no_show),
            func.count().filter(outcome == AppointmentOutcome.CANCELLED),
            func.count().filter(outcome == AppointmentOutcome.RESCHEDULED),
            func.count().filter(outcome == AppointmentOutcome.SCHEDULED),
            func.count().filter(and_(attended, planned)),
            func.count().filter(and_(no_show, planned)),
            func.count().filter(and_(attended, unplanned)),
            func.count().filter(and_(no_show, unplanned)),
            func.count().filter(and_(attended, Appointment.coach_accompanied.is_(True))),
        )
        .select_from(sc)
        .join(Appointment, Appointment.client_id == sc.c.id)
        .where(
            Appointment.archived_at.is_(None),
            Appointment.scheduled_at >= low,
            Appointment.scheduled_at < high,
        )
        .group_by(g)
    )
    result = {}
    for key in set(rows) | ({ALL} if not by_coach else set()):
        total, att, ns, canc, resch, pend, att_p, ns_p, att_u, ns_u, acc = rows.get(key, (0,) * 11)
        result[key] = {
            "total": total,
            "attended": att,
            "no_show": ns,
            "cancelled": canc,
            "rescheduled": resch,
            "pending": pend,
            "no_show_rate": rate(ns, att + ns),
            "no_show_rate_accompanied": rate(ns_p, att_p + ns_p),
            "no_show_rate_unaccompanied": rate(ns_u, att_u + ns_u),
            "accompanied": acc,
        }
    return result


def referral_figures(
    scope: Scope, period: Period, *, by_coach: bool = False, by_category: bool = True
) -> dict:
    """Referrals made in the period, linked (connected by ``end``), rate, median days, and
    the same per resource category."""
    sc = scope_clients(scope)
    g = _group(sc, by_coach)
    linked = and_(
        Referral.status == ReferralStatus.CONNECTED,
        Referral.connected_on.is_not(None),
        Referral.connected_on <= period.end,
    )
    made = and_(
        Referral.archived_at.is_(None),
        Referral.referred_on.between(period.start, period.end),
    )
    base = select().select_from(sc).join(Referral, Referral.client_id == sc.c.id).where(made)
    rows = _rows(base.add_columns(g, func.count(), func.count().filter(linked)).group_by(g))
    days = base.add_columns(
        g.label("g"), days_between(Referral.connected_on, Referral.referred_on).label("x")
    ).where(linked)
    medians = _median_by(days.subquery())
    result = {}
    for key in set(rows) | ({ALL} if not by_coach else set()):
        n_made, n_linked = rows.get(key, (0, 0))
        result[key] = {
            "made": n_made,
            "linked": n_linked,
            "linkage_rate": rate(n_linked, n_made),
            "median_days_to_link": medians.get(key),
        }
    if by_category and not by_coach:
        per_category = _rows(
            base.add_columns(Referral.category, func.count(), func.count().filter(linked)).group_by(
                Referral.category
            )
        )
        by_cat = {}
        for category in ResourceCategory:
            n_made, n_linked = per_category.get(category.value, (0, 0))
            by_cat[category.value] = {
                "made": n_made,
                "linked": n_linked,
                "linkage_rate": rate(n_linked, n_made),
            }
        result[ALL]["by_category"] = by_cat
    return result


def retention_figures(scope: Scope, period: Period) -> dict:
    """For N in 30/60/90: episodes with intake in the period and ``intake + N <= end``, and of
    those the ones with a completed session in ``[intake + N - 29, intake + N]``."""
    sc = scope_clients(scope)
    columns = []
    for n in RETENTION_DAYS:
        day_n = add_days(Enrollment.intake_date, n)
        eligible = day_n <= period.end
        retained = exists().where(
            CoachingSession.client_id == Enrollment.client_id,
            CoachingSession.outcome == SessionOutcome.COMPLETED,
            CoachingSession.archived_at.is_(None),
            CoachingSession.date >= add_days(Enrollment.intake_date, n - RETENTION_WINDOW),
            CoachingSession.date <= day_n,
        )
        columns += [func.count().filter(eligible), func.count().filter(and_(eligible, retained))]
    row = db.session.execute(
        select(*columns)
        .select_from(sc)
        .join(Enrollment, Enrollment.client_id == sc.c.id)
        .where(Enrollment.intake_date.between(period.start, period.end))
    ).one()
    return {
        str(n): {
            "eligible": row[2 * i],
            "retained": row[2 * i + 1],
            "rate": rate(row[2 * i + 1], row[2 * i]),
        }
        for i, n in enumerate(RETENTION_DAYS)
    }


def goal_figures(scope: Scope, period: Period) -> dict:
    sc = scope_clients(scope)
    in_period = lambda column: column.between(period.start, period.end)  # noqa: E731
    row = db.session.execute(
        select(
            func.count().filter(in_period(Goal.opened_on)),
            func.count().filter(
                and_(Goal.status == GoalStatus.ACHIEVED, in_period(Goal.closed_on))
            ),
            func.count().filter(
                and_(Goal.status == GoalStatus.DISCONTINUED, in_period(Goal.closed_on))
            ),
        )
        .select_from(sc)
        .join(Goal, Goal.client_id == sc.c.id)
        .where(Goal.archived_at.is_(None))
    ).one()
    opened, achieved, discontinued = row
    return {
        "opened": opened,
        "achieved": achieved,
        "discontinued": discontinued,
        "achievement_rate": rate(achieved, achieved + discontinued),
    }


def recovery_capital_figures(scope: Scope, period: Period) -> dict:
    """BARC-10: clients with two or more assessments by ``end``, mean change first → latest,
    how many improved, and the mean latest total."""
    sc = scope_clients(scope)
    ranked = (
        select(
            Assessment.client_id.label("client_id"),
            Assessment.total.label("total"),
            func.row_number()
            .over(
                partition_by=Assessment.client_id,
                order_by=(Assessment.administered_on, Assessment.id),
            )
            .label("first_rank"),
            func.row_number()
            .over(
                partition_by=Assessment.client_id,
                order_by=(Assessment.administered_on.desc(), Assessment.id.desc()),
            )
            .label("last_rank"),
            func.count().over(partition_by=Assessment.client_id).label("n"),
        )
        .join(sc, sc.c.id == Assessment.client_id)
        .where(Assessment.archived_at.is_(None), Assessment.administered_on <= period.end)
        .subquery()
    )
    per_client = (
        select(
            ranked.c.client_id,
            func.max(ranked.c.n).label("n"),
            func.max(case((ranked.c.first_rank == 1, ranked.c.total))).label("first"),
            func.max(case((ranked.c.last_rank == 1, ranked.c.total))).label("latest"),
        )
        .group_by(ranked.c.client_id)
        .subquery()
    )
    two_or_more = per_client.c.n >= 2
    change = per_client.c.latest - per_client.c.first
    row = db.session.execute(
        select(
            func.count().filter(two_or_more),
            func.avg(case((two_or_more, change * 1.0), else_=null())),
            func.count().filter(and_(two_or_more, change > 0)),
            func.avg(per_client.c.latest * 1.0),
        )
    ).one()
    return {
        "clients_with_two_or_more": row[0],
        "mean_change": round2(row[1]),
        "improved": row[2],
        "mean_latest": round2(row[3]),
    }


def supervision_figures(scope: Scope, period: Period) -> dict:
    coaches = coach_ids_in_scope(scope).subquery()
    notes_in_period = and_(
        SupervisionNote.archived_at.is_(None),
        SupervisionNote.date.between(period.start, period.end),
    )
    n_coaches = db.session.scalar(select(func.count()).select_from(coaches))
    supervised = db.session.scalar(
        select(func.count(func.distinct(SupervisionNoteCoach.coach_id)))
        .join(SupervisionNote, SupervisionNote.id == SupervisionNoteCoach.note_id)
        .where(notes_in_period, SupervisionNoteCoach.coach_id.in_(select(coaches.c.id)))
    )
    minutes = db.session.scalar(
        select(func.coalesce(func.sum(SupervisionNote.duration_minutes), 0)).where(
            notes_in_period,
            exists().where(
                SupervisionNoteCoach.note_id == SupervisionNote.id,
                SupervisionNoteCoach.coach_id.in_(select(coaches.c.id)),
            ),
        )
    )
    return {
        "coaches": n_coaches,
        "coaches_supervised": supervised,
        "coverage": rate(supervised, n_coaches),
        "minutes": int(minutes),
    }


# --- The report --------------------------------------------------------------------------------


def headline(scope: Scope, period: Period) -> dict:
    """Every figure of metrics.md for one scope and period, nested under its key."""
    clients = client_figures(scope, period)[ALL]
    referrals = referral_figures(scope, period)[ALL]
    return {
        "clients": clients,
        "sessions": session_figures(scope, period, clients["enrolled"]),
        "time_to_first_contact_days": time_to_first_contact(scope, period),
        "appointments": appointment_figures(scope, period)[ALL],
        "referrals": referrals,
        "retention": retention_figures(scope, period),
        "goals": goal_figures(scope, period),
        "recovery_capital": recovery_capital_figures(scope, period),
        "supervision": supervision_figures(scope, period),
    }


def by_coach(scope: Scope, period: Period) -> list[dict]:
    """One row per in-scope coach: ``clients.*``, the no-show rate with its counts and
    ``referrals.*`` (without categories), by the same definitions, grouped by coach."""
    clients = client_figures(scope, period, by_coach=True)
    appointments = appointment_figures(scope, period, by_coach=True)
    referrals = referral_figures(scope, period, by_coach=True, by_category=False)
    coach_ids = set(clients) | set(appointments) | set(referrals)
    coach_ids |= set(db.session.scalars(coach_ids_in_scope(scope)))
    coaches = dict(
        db.session.execute(select(User.id, User.name).where(User.id.in_(coach_ids))).all()
    )
    empty_clients = {"enrolled": 0, "new_intakes": 0, "engaged": 0, "engagement_rate": None}
    empty_referrals = {"made": 0, "linked": 0, "linkage_rate": None, "median_days_to_link": None}
    rows = []
    for coach_id in sorted(coach_ids, key=lambda cid: (coaches.get(cid, ""), cid)):
        appts = appointments.get(coach_id)
        rows.append(
            {
                "coach_id": coach_id,
                "coach_name": coaches.get(coach_id, ""),
                "clients": clients.get(coach_id, empty_clients),
                "appointments": {
                    "attended": appts["attended"] if appts else 0,
                    "no_show": appts["no_show"] if appts else 0,
                    "no_show_rate": appts["no_show_rate"] if appts else None,
                },
                "referrals": referrals.get(coach_id, empty_referrals),
            }
        )
    return rows


def by_month(scope: Scope, period: Period) -> list[dict]:
    """One row per calendar month overlapping the period (clipped to it), by the same
    definitions: engagement, no-show and linkage with their counts. Three queries a month."""
    rows = []
    for month in period.months():
        clients = client_figures(scope, month)[ALL]
        appointments = appointment_figures(scope, month)[ALL]
        referrals = referral_figures(scope, month, by_category=False)[ALL]
        rows.append(
            {
                "month": month.start.strftime("%Y-%m"),
                "start": month.start.isoformat(),
                "end": month.end.isoformat(),
                "enrolled": clients["enrolled"],
                "engaged": clients["engaged"],
                "engagement_rate": clients["engagement_rate"],
                "attended": appointments["attended"],
                "no_show": appointments["no_show"],
                "no_show_rate": appointments["no_show_rate"],
                "referrals_made": referrals["made"],
                "referrals_linked": referrals["linked"],
                "linkage_rate": referrals["linkage_rate"],
            }
        )
    return rows


def outcome_report(scope: Scope, period: Period) -> dict:
    """The whole report: headline figures, ``period``, ``scope``, ``by_coach``, ``by_month``."""
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "scope": scope.as_dict(),
        **headline(scope, period),
        "by_coach": by_coach(scope, period),
        "by_month": by_month(scope, period),
    }


def flatten(figures: dict, prefix: str = "") -> Iterable[tuple[str, object]]:
    """``("clients.enrolled", 4), ...``: the headline as dotted keys, for tables and exports."""
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from flatten(value, f"{name}.")
        else:
            yield name, value
