"""Every figure of metrics.md, as SQL aggregates over a report's scope and period.

This module is the single definition: the report page, the API, the exports, the drill-down
lists and the supervisor dashboard all call it. Each figure group is one or two queries
(GROUP BY, FILTER, window functions); nothing here loops over clients, coaches or records in
Python. With ``by_coach`` the same queries group by the coach credited with each record.

Keys and meanings follow ../shared/spec/metrics.md word for word:

- a record is *in scope* when its client's program matches and, with a coach or team filter,
  the coach who held the client on the record's date matches ("Credit to coaches": the
  assignment history, ``held_spans``); archived (and merged-away) records never count;
- *enrolled in the period*: an episode with ``intake_date <= end`` and
  (``discharge_date`` empty or ``>= start``);
- rates are ``round(numerator / denominator, 4)`` or ``None`` for a zero denominator; medians
  of an even count are the mean of the two middle values.

How one definition serves both the counts and the rows behind them: each group of figures has a
*row source* (``RowSource``): the in-scope clients joined to the records the group counts,
restricted to what all its figures share, plus one SQL condition per count. A count is
``count(*) FILTER (WHERE condition)`` over the source; the rows behind it (drill-down lists) are
``source.base.where(condition)``. Both are built by the same function from the same expression,
so a list can never disagree with its number. ``ROWSET`` names every such set of rows (every
count figure of metrics.md, and the numerators and denominators of rates that are not figures
themselves); ``RATES`` and ``VALUE_ROWS`` say which rows stand behind each rate, sum, mean and
median.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    Integer,
    Select,
    and_,
    case,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)

from coachapp.extensions import db
from coachapp.models import (
    Appointment,
    Assessment,
    Client,
    ClientAssignment,
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
CATEGORIES = tuple(c.value for c in ResourceCategory)


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
class MonthRows:
    """The months of a period as rows of SQL (``month_rows``): ``n`` (0, 1, ...), ``start``
    and ``end`` (clipped to the period) and ``low``/``high``, the datetime bounds of appointments.

    The row sources take it in place of a ``Period``: their conditions then compare with the
    month's columns, so one query joined to these rows and grouped by ``n`` counts every month
    at once, by the same expressions as a report of that month alone."""

    table: Any

    @property
    def start(self) -> ColumnElement:
        return self.table.c.start

    @property
    def end(self) -> ColumnElement:
        return self.table.c.end

    @property
    def n(self) -> ColumnElement:
        return self.table.c.n


def month_rows(months: list[Period]) -> MonthRows:
    """``months`` as a derived table (a UNION ALL of literal rows, on SQLite and PostgreSQL)."""
    rows = [
        select(
            literal(i, Integer).label("n"),
            literal(month.start, Date).label("start"),
            literal(month.end, Date).label("end"),
            *(
                literal(bound, DateTime).label(name)
                for name, bound in zip(("low", "high"), _day_bounds(month), strict=True)
            ),
        )
        for i, month in enumerate(months)
    ]
    table = (union_all(*rows) if len(rows) > 1 else rows[0]).subquery("months")
    return MonthRows(table)


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


def coach_in_scope(scope: Scope) -> ColumnElement[bool]:
    """Active users with role coach in scope (metrics.md ``supervision.coaches``), on ``User``."""
    condition = and_(User.role == Role.COACH, User.active.is_(True))
    if scope.coach_id is not None:
        return and_(condition, User.id == scope.coach_id)
    if scope.supervisor_id is not None:
        return and_(condition, User.supervisor_id == scope.supervisor_id)
    return and_(condition, User.program_id == scope.program_id)


def coach_ids_in_scope(scope: Scope) -> Select:
    """``SELECT users.id`` of the coaches in scope (see ``coach_in_scope``)."""
    return select(User.id).where(coach_in_scope(scope))


def scope_clients(scope: Scope):
    """Subquery ``(id, coach_id)`` of the clients in scope *today*: the program's, narrowed to
    the current coach or team. Figures do not use it for a coach or team scope (they credit each
    record to the coach who held the client on its date: ``held_spans``); lists of today's
    caseload do."""
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


def program_clients(scope: Scope):
    """Subquery ``(id, coach_id)`` of the live clients of the scope's program whose records can
    be credited to the scope: with a coach or team filter, the ones a coach in scope ever held
    (a stored assignment row, or no history and that coach today), which spares the span join
    every other client's records; otherwise all of them."""
    query = select(Client.id.label("id"), Client.coach_id.label("coach_id")).where(
        Client.program_id == scope.program_id,
        Client.archived_at.is_(None),
        Client.merged_into_id.is_(None),
    )
    if scope.coach_id is not None or scope.supervisor_id is not None:
        ca = ClientAssignment
        query = query.where(
            or_(
                Client.id.in_(select(ca.client_id).where(credited_coach(scope, ca.coach_id))),
                and_(
                    credited_coach(scope, Client.coach_id),
                    ~exists().where(ca.client_id == Client.id),
                ),
            )
        )
    return query.subquery("program_clients")


# --- Credit to coaches (metrics.md) ------------------------------------------------------------

EARLIEST, LATEST = date(1, 1, 1), date(9999, 12, 31)


def credits(scope: Scope, credit: bool = False) -> bool:
    """Whether figures of ``scope`` are credited by the assignment history: always for a coach
    or team scope, and for ``by_coach`` (``credit``). Program-wide figures need no history."""
    return credit or scope.coach_id is not None or scope.supervisor_id is not None


def held_spans():
    """Subquery ``(client_id, coach_id, lo, hi)``: who held each client from ``lo``
    (inclusive) to ``hi`` (exclusive), from the assignment history (metrics.md, "Credit to
    coaches"). A client's spans partition time: the first row reaches back to any record
    dated before it, the open row forward; a client with no stored row (one never reassigned
    and opened before the history was kept) is held by their coach at every date."""
    ca = ClientAssignment
    first = func.row_number().over(partition_by=ca.client_id, order_by=(ca.starts_on, ca.id)) == 1
    stored = select(
        ca.client_id.label("client_id"),
        ca.coach_id.label("coach_id"),
        case((first, literal(EARLIEST, Date)), else_=ca.starts_on).label("lo"),
        func.coalesce(ca.ends_on, literal(LATEST, Date)).label("hi"),
    )
    unassigned = select(
        Client.id,
        Client.coach_id,
        literal(EARLIEST, Date),
        literal(LATEST, Date),
    ).where(~exists().where(ca.client_id == Client.id))
    return union_all(stored, unassigned).subquery("held")


def held_on(held, client_id: ColumnElement, day: ColumnElement) -> ColumnElement[bool]:
    """``held``'s row is the client's on ``day`` (a date, or an appointment's wall-clock
    datetime: its date decides)."""
    return and_(held.c.client_id == client_id, held.c.lo <= day, day < held.c.hi)


def credited_coach(scope: Scope, coach_id: ColumnElement) -> ColumnElement[bool]:
    """The coach credited with a record is in scope: the scope's coach, or one of the coaches
    the team's supervisor supervises now; any coach for a program scope."""
    if scope.coach_id is not None:
        return coach_id == scope.coach_id
    if scope.supervisor_id is not None:
        return coach_id.in_(select(User.id).where(User.supervisor_id == scope.supervisor_id))
    return true()


def _credited_records(
    scope: Scope, record_client: ColumnElement, day: ColumnElement, base: Select
) -> tuple[Select, Any]:
    """``base`` (records joined to the program's clients) joined to the span holding each
    record's client on ``day``, kept when its coach is in scope; and that span."""
    held = held_spans()
    joined = base.join(held, held_on(held, record_client, day)).where(
        credited_coach(scope, held.c.coach_id)
    )
    return joined, held


def _day_bounds(period: Period | MonthRows) -> tuple[Any, Any]:
    """Appointments are wall-clock datetimes in the program's zone: its date is the date part."""
    if isinstance(period, MonthRows):
        return period.table.c.low, period.table.c.high
    return (
        datetime.combine(period.start, time.min),
        datetime.combine(period.end + timedelta(days=1), time.min),
    )


# --- Row sources: one definition for each count and the rows behind it -------------------------


@dataclass(frozen=True)
class RowSource:
    """The rows one group of figures counts.

    ``base`` is a SELECT without columns over the in-scope clients joined to the records,
    restricted to what every figure of the group shares (not archived, dated in the period...).
    Each key of ``conditions`` is a set of rows: ``count(*) FILTER (WHERE condition)`` over
    ``base`` is its count (``None``: every row of ``base``) and ``base.where(condition)`` its
    rows. ``row_id`` identifies a listed row, ``client_id`` its client (``None`` for staff and
    supervision notes), ``group`` is the coach credited with the row (for ``by_coach``), ``values``
    the per-row numbers the group's sums, means and medians are taken over.

    For a coach or team scope, or grouped by coach, ``base`` also joins each record to the
    assignment span holding its client on the record's date (``held_spans``): ``group`` is
    that span's coach, and only spans of coaches in scope are kept ("Credit to coaches").
    ``group`` is None when the source was built without that join.
    """

    name: str
    base: Select
    row_id: ColumnElement
    client_id: ColumnElement | None
    group: ColumnElement | None
    conditions: dict[str, ColumnElement[bool] | None]
    values: dict[str, ColumnElement] = field(default_factory=dict)
    # Set when ``base`` may hold one row's identity more than once (a client held by a coach in
    # two spans of the period): counts are of distinct ``row_id``, lists are DISTINCT.
    repeats: bool = False

    def where(self, key: str) -> Select:
        """``base`` restricted to the rows of ``key`` (no columns yet: add the ones to list)."""
        condition = self.conditions[key]
        return self.base if condition is None else self.base.where(condition)

    def count(self, key: str) -> ColumnElement:
        condition = self.conditions[key]
        counted = func.count(distinct(self.row_id)) if self.repeats else func.count()
        return counted if condition is None else counted.filter(condition)


def enrolled_in_period(client_id: ColumnElement, period: Period | MonthRows) -> ColumnElement[bool]:
    """The client has an episode with ``intake_date <= end`` and (no discharge or
    ``discharge_date >= start``)."""
    return exists().where(
        Enrollment.client_id == client_id,
        Enrollment.intake_date <= period.end,
        or_(Enrollment.discharge_date.is_(None), Enrollment.discharge_date >= period.start),
    )


def completed_session_in_period(
    client_id: ColumnElement, period: Period | MonthRows
) -> ColumnElement[bool]:
    """The client has a completed (not archived) session dated in the period."""
    return exists().where(
        CoachingSession.client_id == client_id,
        CoachingSession.outcome == SessionOutcome.COMPLETED,
        CoachingSession.archived_at.is_(None),
        CoachingSession.date.between(period.start, period.end),
    )


def client_source(scope: Scope, period: Period | MonthRows, *, credit: bool = False) -> RowSource:
    """In-scope clients enrolled in the period: ``clients.enrolled``, ``clients.engaged``.

    Credited: a client counts for a coach who held them on at least one day of the period on
    which they were enrolled, and is engaged for that coach with a completed session dated in
    the period on a day that coach held them. One row per held span: counted distinct."""
    if not credits(scope, credit):
        sc = scope_clients(scope)
        return RowSource(
            name="clients",
            # Both figures are about enrolled clients: as a WHERE, the database turns that
            # EXISTS into one semi-join instead of probing it per client for each figure.
            base=select().select_from(sc).where(enrolled_in_period(sc.c.id, period)),
            row_id=sc.c.id,
            client_id=sc.c.id,
            group=None,
            conditions={
                "clients.enrolled": None,
                "clients.engaged": completed_session_in_period(sc.c.id, period),
            },
        )
    pc = program_clients(scope)
    held = held_spans()
    # Three intervals meet (the period, the span, an episode) when each pair overlaps.
    enrolled_while_held = exists().where(
        Enrollment.client_id == held.c.client_id,
        Enrollment.intake_date <= period.end,
        Enrollment.intake_date < held.c.hi,
        or_(
            Enrollment.discharge_date.is_(None),
            and_(
                Enrollment.discharge_date >= period.start,
                Enrollment.discharge_date >= held.c.lo,
            ),
        ),
    )
    engaged_while_held = exists().where(
        CoachingSession.client_id == held.c.client_id,
        CoachingSession.outcome == SessionOutcome.COMPLETED,
        CoachingSession.archived_at.is_(None),
        CoachingSession.date.between(period.start, period.end),
        CoachingSession.date >= held.c.lo,
        CoachingSession.date < held.c.hi,
    )
    return RowSource(
        name="clients",
        base=select()
        .select_from(pc)
        .join(held, held.c.client_id == pc.c.id)
        .where(
            credited_coach(scope, held.c.coach_id),
            held.c.lo <= period.end,
            held.c.hi > period.start,
            enrolled_while_held,
        ),
        row_id=pc.c.id,
        client_id=pc.c.id,
        group=held.c.coach_id,
        conditions={"clients.enrolled": None, "clients.engaged": engaged_while_held},
        repeats=True,
    )


def episode_source(scope: Scope, period: Period, *, credit: bool = False) -> RowSource:
    """Episodes of in-scope clients with ``intake_date`` in the period: ``clients.new_intakes``,
    time to first contact and retention (credited by the intake date)."""
    credited = credits(scope, credit)
    sc = program_clients(scope) if credited else scope_clients(scope)
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
    conditions: dict[str, ColumnElement[bool] | None] = {
        "clients.new_intakes": None,
        "time_to_first_contact_days.n": and_(
            first_contact.is_not(None), first_contact <= period.end
        ),
    }
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
        conditions[f"retention.{n}.eligible"] = eligible
        conditions[f"retention.{n}.retained"] = and_(eligible, retained)
    base = (
        select()
        .select_from(sc)
        .join(Enrollment, Enrollment.client_id == sc.c.id)
        .where(Enrollment.intake_date.between(period.start, period.end))
    )
    group = None
    if credited:
        base, held = _credited_records(scope, sc.c.id, Enrollment.intake_date, base)
        group = held.c.coach_id
    return RowSource(
        name="episodes",
        base=base,
        row_id=Enrollment.id,
        client_id=sc.c.id,
        group=group,
        conditions=conditions,
        values={
            "first_contact": first_contact,
            "days_to_first_contact": days_between(first_contact, Enrollment.intake_date),
        },
    )


def session_source(scope: Scope, period: Period, *, credit: bool = False) -> RowSource:
    """In-scope sessions dated in the period, by outcome (credited by the session's date)."""
    credited = credits(scope, credit)
    sc = program_clients(scope) if credited else scope_clients(scope)
    base = (
        select()
        .select_from(sc)
        .join(CoachingSession, CoachingSession.client_id == sc.c.id)
        .where(
            CoachingSession.archived_at.is_(None),
            CoachingSession.date.between(period.start, period.end),
        )
    )
    group = None
    if credited:
        base, held = _credited_records(scope, sc.c.id, CoachingSession.date, base)
        group = held.c.coach_id
    return RowSource(
        name="sessions",
        base=base,
        row_id=CoachingSession.id,
        client_id=sc.c.id,
        group=group,
        conditions={
            "sessions.completed": CoachingSession.outcome == SessionOutcome.COMPLETED,
            "sessions.attempted": CoachingSession.outcome == SessionOutcome.ATTEMPTED,
        },
        values={"minutes": CoachingSession.duration_minutes},
    )


def appointment_source(
    scope: Scope, period: Period | MonthRows, *, credit: bool = False
) -> RowSource:
    """In-scope appointments dated in the period (program-local date), by outcome, and the
    numerators and denominators of the three no-show rates (credited by that date)."""
    credited = credits(scope, credit)
    sc = program_clients(scope) if credited else scope_clients(scope)
    low, high = _day_bounds(period)
    outcome = Appointment.outcome
    planned = Appointment.accompaniment_planned.is_(True)
    unplanned = Appointment.accompaniment_planned.is_(False)
    attended = outcome == AppointmentOutcome.ATTENDED
    no_show = outcome == AppointmentOutcome.NO_SHOW
    rated = outcome.in_([AppointmentOutcome.ATTENDED, AppointmentOutcome.NO_SHOW])
    base = (
        select()
        .select_from(sc)
        .join(Appointment, Appointment.client_id == sc.c.id)
        .where(
            Appointment.archived_at.is_(None),
            Appointment.scheduled_at >= low,
            Appointment.scheduled_at < high,
        )
    )
    group = None
    if credited:
        base, held = _credited_records(scope, sc.c.id, Appointment.scheduled_at, base)
        group = held.c.coach_id
    return RowSource(
        name="appointments",
        base=base,
        row_id=Appointment.id,
        client_id=sc.c.id,
        group=group,
        conditions={
            "appointments.total": None,
            "appointments.attended": attended,
            "appointments.no_show": no_show,
            "appointments.cancelled": outcome == AppointmentOutcome.CANCELLED,
            "appointments.rescheduled": outcome == AppointmentOutcome.RESCHEDULED,
            "appointments.pending": outcome == AppointmentOutcome.SCHEDULED,
            "appointments.accompanied": and_(attended, Appointment.coach_accompanied.is_(True)),
            "appointments.no_show_rate.denominator": rated,
            "appointments.no_show_rate_accompanied.numerator": and_(no_show, planned),
            "appointments.no_show_rate_accompanied.denominator": and_(rated, planned),
            "appointments.no_show_rate_unaccompanied.numerator": and_(no_show, unplanned),
            "appointments.no_show_rate_unaccompanied.denominator": and_(rated, unplanned),
        },
    )


def referral_source(scope: Scope, period: Period | MonthRows, *, credit: bool = False) -> RowSource:
    """In-scope referrals made in the period: linked (connected by ``end``), per category;
    credited by ``referred_on`` (the linkage goes with it)."""
    credited = credits(scope, credit)
    sc = program_clients(scope) if credited else scope_clients(scope)
    linked = and_(
        Referral.status == ReferralStatus.CONNECTED,
        Referral.connected_on.is_not(None),
        Referral.connected_on <= period.end,
    )
    conditions: dict[str, ColumnElement[bool] | None] = {
        "referrals.made": None,
        "referrals.linked": linked,
    }
    for category in CATEGORIES:
        conditions[f"referrals.by_category.{category}.made"] = Referral.category == category
        conditions[f"referrals.by_category.{category}.linked"] = and_(
            Referral.category == category, linked
        )
    base = (
        select()
        .select_from(sc)
        .join(Referral, Referral.client_id == sc.c.id)
        .where(
            Referral.archived_at.is_(None),
            Referral.referred_on.between(period.start, period.end),
        )
    )
    group = None
    if credited:
        base, held = _credited_records(scope, sc.c.id, Referral.referred_on, base)
        group = held.c.coach_id
    return RowSource(
        name="referrals",
        base=base,
        row_id=Referral.id,
        client_id=sc.c.id,
        group=group,
        conditions=conditions,
        values={"days_to_link": days_between(Referral.connected_on, Referral.referred_on)},
    )


def goal_source(scope: Scope, period: Period, *, credit: bool = False) -> RowSource:
    """In-scope goals: opened in the period, achieved or discontinued (closed) in it.

    Credited: ``goals.opened`` by ``opened_on``, the closed ones by ``closed_on``. A goal
    opened under one coach and closed under another is joined to both spans; each condition
    keeps only the span holding the client on its own date, so no goal counts twice."""
    credited = credits(scope, credit)
    sc = program_clients(scope) if credited else scope_clients(scope)
    opened_in_period = Goal.opened_on.between(period.start, period.end)
    closed_in_period = Goal.closed_on.between(period.start, period.end)
    base = (
        select()
        .select_from(sc)
        .join(Goal, Goal.client_id == sc.c.id)
        .where(Goal.archived_at.is_(None))
    )
    group = None
    if credited:
        held = held_spans()
        base = base.join(
            held,
            or_(
                held_on(held, sc.c.id, Goal.opened_on),
                held_on(held, sc.c.id, Goal.closed_on),
            ),
        ).where(credited_coach(scope, held.c.coach_id))
        opened_in_period = and_(opened_in_period, held_on(held, sc.c.id, Goal.opened_on))
        closed_in_period = and_(closed_in_period, held_on(held, sc.c.id, Goal.closed_on))
        group = held.c.coach_id
    return RowSource(
        name="goals",
        base=base,
        row_id=Goal.id,
        client_id=sc.c.id,
        group=group,
        conditions={
            "goals.opened": opened_in_period,
            "goals.achieved": and_(Goal.status == GoalStatus.ACHIEVED, closed_in_period),
            "goals.discontinued": and_(Goal.status == GoalStatus.DISCONTINUED, closed_in_period),
            "goals.achievement_rate.denominator": and_(
                Goal.status.in_([GoalStatus.ACHIEVED, GoalStatus.DISCONTINUED]), closed_in_period
            ),
        },
    )


def barc_per_client(scope: Scope, period: Period, *, credit: bool = False):
    """Subquery ``(client_id, coach_id, n, first, latest)``: per in-scope client with a BARC-10
    dated ``<= end``, how many, the first total and the latest total (ties: the later id).

    Credited: the client counts for the coach who held them on their latest assessment's date
    (``coach_id``), whoever holds them today; otherwise ``coach_id`` is their coach today."""
    credited = credits(scope, credit)
    sc = program_clients(scope) if credited else scope_clients(scope)
    ranked = (
        select(
            Assessment.client_id.label("client_id"),
            sc.c.coach_id.label("coach_id"),
            Assessment.total.label("total"),
            Assessment.administered_on.label("administered_on"),
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
            func.max(ranked.c.coach_id).label("coach_id"),
            func.max(ranked.c.n).label("n"),
            func.max(case((ranked.c.first_rank == 1, ranked.c.total))).label("first"),
            func.max(case((ranked.c.last_rank == 1, ranked.c.total))).label("latest"),
            func.max(case((ranked.c.last_rank == 1, ranked.c.administered_on))).label("latest_on"),
        )
        .group_by(ranked.c.client_id)
        .subquery("barc_latest" if credited else "barc_per_client")
    )
    if not credited:
        return per_client
    held = held_spans()
    return (
        select(
            per_client.c.client_id,
            held.c.coach_id.label("coach_id"),
            per_client.c.n,
            per_client.c.first,
            per_client.c.latest,
        )
        .join(held, held_on(held, per_client.c.client_id, per_client.c.latest_on))
        .where(credited_coach(scope, held.c.coach_id))
        .subquery("barc_per_client")
    )


def recovery_capital_source(scope: Scope, period: Period, *, credit: bool = False) -> RowSource:
    """In-scope clients with a BARC-10 by ``end``, with their first and latest totals."""
    credited = credits(scope, credit)
    per_client = barc_per_client(scope, period, credit=credit)
    two_or_more = per_client.c.n >= 2
    change = per_client.c.latest - per_client.c.first
    return RowSource(
        name="recovery_capital",
        base=select().select_from(per_client),
        row_id=per_client.c.client_id,
        client_id=per_client.c.client_id,
        group=per_client.c.coach_id if credited else None,
        conditions={
            "recovery_capital.clients_with_two_or_more": two_or_more,
            "recovery_capital.improved": and_(two_or_more, change > 0),
            "recovery_capital.with_an_assessment": None,
        },
        values={
            "n": per_client.c.n,
            "first": per_client.c.first,
            "latest": per_client.c.latest,
            "change": change,
        },
    )


def _notes_in_period(period: Period) -> ColumnElement[bool]:
    return and_(
        SupervisionNote.archived_at.is_(None),
        SupervisionNote.date.between(period.start, period.end),
    )


def supervision_coach_source(scope: Scope, period: Period) -> RowSource:
    """Active coaches in scope; those named on a supervision note dated in the period."""
    supervised = exists().where(
        SupervisionNoteCoach.coach_id == User.id,
        SupervisionNote.id == SupervisionNoteCoach.note_id,
        _notes_in_period(period),
    )
    return RowSource(
        name="coaches",
        base=select().select_from(User).where(coach_in_scope(scope)),
        row_id=User.id,
        client_id=None,
        group=None,
        conditions={"supervision.coaches": None, "supervision.coaches_supervised": supervised},
    )


def supervision_note_source(scope: Scope, period: Period) -> RowSource:
    """Supervision notes dated in the period naming at least one coach in scope (each once)."""
    names_a_coach = exists().where(
        SupervisionNoteCoach.note_id == SupervisionNote.id,
        SupervisionNoteCoach.coach_id.in_(coach_ids_in_scope(scope)),
    )
    return RowSource(
        name="supervision_notes",
        base=select().select_from(SupervisionNote).where(_notes_in_period(period), names_a_coach),
        row_id=SupervisionNote.id,
        client_id=None,
        group=None,
        conditions={"supervision.notes": None},
        values={"minutes": SupervisionNote.duration_minutes},
    )


SOURCES: dict[str, Callable[[Scope, Period], RowSource]] = {
    "clients": client_source,
    "episodes": episode_source,
    "sessions": session_source,
    "appointments": appointment_source,
    "referrals": referral_source,
    "goals": goal_source,
    "recovery_capital": recovery_capital_source,
    "coaches": supervision_coach_source,
    "supervision_notes": supervision_note_source,
}


@functools.cache
def rowsets() -> dict[str, str]:
    """``{rowset key: source name}`` for every set of rows a figure counts or stands on.

    Read off the sources themselves (building SQL expressions touches no database), so the
    list of drill-down keys cannot drift from the conditions.
    """
    probe_scope, probe_period = Scope(0), Period(date(2000, 1, 1), date(2000, 1, 1))
    return {
        key: name
        for name, build in SOURCES.items()
        for key in build(probe_scope, probe_period).conditions
    }


def source_for(key: str, scope: Scope, period: Period) -> RowSource:
    """The row source holding rowset ``key`` (``KeyError`` for an unknown key)."""
    return SOURCES[rowsets()[key]](scope, period)


def _rates() -> dict[str, tuple[str, str]]:
    rates = {
        "clients.engagement_rate": ("clients.engaged", "clients.enrolled"),
        "sessions.per_enrolled_client": ("sessions.completed", "clients.enrolled"),
        "appointments.no_show_rate": (
            "appointments.no_show",
            "appointments.no_show_rate.denominator",
        ),
        "referrals.linkage_rate": ("referrals.linked", "referrals.made"),
        "goals.achievement_rate": ("goals.achieved", "goals.achievement_rate.denominator"),
        "supervision.coverage": ("supervision.coaches_supervised", "supervision.coaches"),
    }
    for which in ("accompanied", "unaccompanied"):
        key = f"appointments.no_show_rate_{which}"
        rates[key] = (f"{key}.numerator", f"{key}.denominator")
    for category in CATEGORIES:
        prefix = f"referrals.by_category.{category}"
        rates[f"{prefix}.linkage_rate"] = (f"{prefix}.linked", f"{prefix}.made")
    for n in RETENTION_DAYS:
        rates[f"retention.{n}.rate"] = (f"retention.{n}.retained", f"retention.{n}.eligible")
    return rates


# Every rate: (numerator rowset, denominator rowset).
RATES: dict[str, tuple[str, str]] = _rates()

# Sums, means and medians: the rows they are taken over.
VALUE_ROWS: dict[str, str] = {
    "sessions.minutes": "sessions.completed",
    "time_to_first_contact_days.median": "time_to_first_contact_days.n",
    "referrals.median_days_to_link": "referrals.linked",
    "recovery_capital.mean_change": "recovery_capital.clients_with_two_or_more",
    "recovery_capital.mean_latest": "recovery_capital.with_an_assessment",
    "supervision.minutes": "supervision.notes",
}


# --- Aggregating a source ----------------------------------------------------------------------


def _grouping(source: RowSource, by_coach: bool) -> ColumnElement:
    if not by_coach:
        return literal(ALL)
    if source.group is None:
        raise ValueError(f"the {source.name} source was built without crediting coaches")
    return source.group


def count_rows(
    source: RowSource,
    keys: Iterable[str] | None = None,
    *,
    by_coach: bool = False,
    extra: Iterable[ColumnElement] = (),
) -> dict[Any, list]:
    """``{group: [count of each key..., each extra aggregate...]}`` in one query; whole-scope
    figures come under ``ALL`` (always present, zeros when no row matched)."""
    keys = list(source.conditions if keys is None else keys)
    extra = list(extra)
    g = _grouping(source, by_coach)
    query = source.base.add_columns(g, *(source.count(key) for key in keys), *extra).group_by(g)
    result = {row[0]: list(row[1:]) for row in db.session.execute(query)}
    if not by_coach and ALL not in result:
        result[ALL] = [0] * len(keys) + [None] * len(extra)
    return result


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


def median_of(source: RowSource, key: str, value: str, *, by_coach: bool = False) -> dict:
    """``{group: median of values[value]}`` over the rows of ``key``."""
    g = _grouping(source, by_coach)
    values = source.where(key).add_columns(g.label("g"), source.values[value].label("x"))
    return _median_by(values.subquery())


def _keyed(keys: list[str], row: list) -> dict[str, int]:
    return dict(zip(keys, row[: len(keys)], strict=False))


# --- Figure groups -----------------------------------------------------------------------------


def _client_counts(scope: Scope, period: Period, *, by_coach: bool = False) -> dict:
    """``{group: {rowset: n}}`` for clients and new intakes, two queries."""
    clients = client_source(scope, period, credit=by_coach)
    episodes = episode_source(scope, period, credit=by_coach)
    keys = ["clients.enrolled", "clients.engaged"]
    counts = {
        g: _keyed(keys, row) for g, row in count_rows(clients, keys, by_coach=by_coach).items()
    }
    intakes = count_rows(episodes, ["clients.new_intakes"], by_coach=by_coach)
    for g, row in intakes.items():
        counts.setdefault(g, {"clients.enrolled": 0, "clients.engaged": 0})
        counts[g]["clients.new_intakes"] = row[0]
    for g in counts:
        counts[g].setdefault("clients.new_intakes", 0)
    return counts


def _client_dict(counts: dict) -> dict:
    return {
        "enrolled": counts["clients.enrolled"],
        "new_intakes": counts["clients.new_intakes"],
        "engaged": counts["clients.engaged"],
        "engagement_rate": rate(counts["clients.engaged"], counts["clients.enrolled"]),
    }


def client_figures(scope: Scope, period: Period, *, by_coach: bool = False) -> dict:
    """``clients.enrolled``, ``new_intakes``, ``engaged``, ``engagement_rate``."""
    return {g: _client_dict(c) for g, c in _client_counts(scope, period, by_coach=by_coach).items()}


def _session_counts(scope: Scope, period: Period) -> tuple[dict, int]:
    source = session_source(scope, period)
    keys = list(source.conditions)
    minutes = func.coalesce(
        func.sum(source.values["minutes"]).filter(source.conditions["sessions.completed"]), 0
    )
    row = count_rows(source, keys, extra=[minutes])[ALL]
    return _keyed(keys, row), int(row[-1] or 0)


def session_figures(scope: Scope, period: Period, enrolled: int) -> dict:
    """``sessions.completed``, ``attempted``, ``minutes``, ``per_enrolled_client``."""
    counts, minutes = _session_counts(scope, period)
    return _session_dict(counts, minutes, enrolled)


def _session_dict(counts: dict, minutes: int, enrolled: int) -> dict:
    return {
        "completed": counts["sessions.completed"],
        "attempted": counts["sessions.attempted"],
        "minutes": minutes,
        "per_enrolled_client": rate(counts["sessions.completed"], enrolled),
    }


def _episode_counts(scope: Scope, period: Period) -> tuple[dict, float | None]:
    """Time to first contact and retention: one count query and one median query."""
    source = episode_source(scope, period)
    keys = list(source.conditions)
    counts = _keyed(keys, count_rows(source, keys)[ALL])
    median = median_of(source, "time_to_first_contact_days.n", "days_to_first_contact").get(ALL)
    return counts, median


def time_to_first_contact(scope: Scope, period: Period) -> dict:
    """Median days from intake to the episode's first completed session, over episodes with
    intake in the period whose first completed session is dated ``<= end``."""
    counts, median = _episode_counts(scope, period)
    return {"median": median, "n": counts["time_to_first_contact_days.n"]}


def _retention_dict(counts: dict) -> dict:
    return {
        str(n): {
            "eligible": counts[f"retention.{n}.eligible"],
            "retained": counts[f"retention.{n}.retained"],
            "rate": rate(counts[f"retention.{n}.retained"], counts[f"retention.{n}.eligible"]),
        }
        for n in RETENTION_DAYS
    }


def retention_figures(scope: Scope, period: Period) -> dict:
    """For N in 30/60/90: episodes with intake in the period and ``intake + N <= end``, and of
    those the ones with a completed session in ``[intake + N - 29, intake + N]``."""
    return _retention_dict(_episode_counts(scope, period)[0])


def _appointment_dict(c: dict) -> dict:
    def appt_rate(numerator: str, denominator: str) -> float | None:
        return rate(c[numerator], c[denominator])

    return {
        "total": c["appointments.total"],
        "attended": c["appointments.attended"],
        "no_show": c["appointments.no_show"],
        "cancelled": c["appointments.cancelled"],
        "rescheduled": c["appointments.rescheduled"],
        "pending": c["appointments.pending"],
        "no_show_rate": appt_rate(*RATES["appointments.no_show_rate"]),
        "no_show_rate_accompanied": appt_rate(*RATES["appointments.no_show_rate_accompanied"]),
        "no_show_rate_unaccompanied": appt_rate(*RATES["appointments.no_show_rate_unaccompanied"]),
        "accompanied": c["appointments.accompanied"],
    }


def _appointment_counts(scope: Scope, period: Period, *, by_coach: bool = False) -> dict:
    source = appointment_source(scope, period, credit=by_coach)
    keys = list(source.conditions)
    return {g: _keyed(keys, row) for g, row in count_rows(source, keys, by_coach=by_coach).items()}


def appointment_figures(scope: Scope, period: Period, *, by_coach: bool = False) -> dict:
    """Appointments dated in the period by outcome, no-show rates, accompanied count."""
    counts = _appointment_counts(scope, period, by_coach=by_coach)
    return {g: _appointment_dict(c) for g, c in counts.items()}


def _referral_counts(
    scope: Scope, period: Period, *, by_coach: bool = False, by_category: bool = True
) -> tuple[dict, dict]:
    """``({group: {rowset: n}}, {group: median days to link})``: two queries."""
    source = referral_source(scope, period, credit=by_coach)
    keys = list(source.conditions) if by_category else ["referrals.made", "referrals.linked"]
    counts = {
        g: _keyed(keys, row) for g, row in count_rows(source, keys, by_coach=by_coach).items()
    }
    medians = median_of(source, "referrals.linked", "days_to_link", by_coach=by_coach)
    return counts, medians


def _referral_dict(c: dict, median: float | None, *, by_category: bool) -> dict:
    result = {
        "made": c["referrals.made"],
        "linked": c["referrals.linked"],
        "linkage_rate": rate(c["referrals.linked"], c["referrals.made"]),
        "median_days_to_link": median,
    }
    if by_category:
        result["by_category"] = {}
        for category in CATEGORIES:
            prefix = f"referrals.by_category.{category}"
            made, linked = c[f"{prefix}.made"], c[f"{prefix}.linked"]
            result["by_category"][category] = {
                "made": made,
                "linked": linked,
                "linkage_rate": rate(linked, made),
            }
    return result


def referral_figures(
    scope: Scope, period: Period, *, by_coach: bool = False, by_category: bool = True
) -> dict:
    """Referrals made in the period, linked (connected by ``end``), rate, median days, and
    the same per resource category."""
    by_category = by_category and not by_coach
    counts, medians = _referral_counts(scope, period, by_coach=by_coach, by_category=by_category)
    return {
        g: _referral_dict(c, medians.get(g), by_category=by_category) for g, c in counts.items()
    }


def _goal_counts(scope: Scope, period: Period) -> dict:
    source = goal_source(scope, period)
    keys = list(source.conditions)
    return _keyed(keys, count_rows(source, keys)[ALL])


def _goal_dict(c: dict) -> dict:
    return {
        "opened": c["goals.opened"],
        "achieved": c["goals.achieved"],
        "discontinued": c["goals.discontinued"],
        "achievement_rate": rate(*(c[k] for k in RATES["goals.achievement_rate"])),
    }


def goal_figures(scope: Scope, period: Period) -> dict:
    return _goal_dict(_goal_counts(scope, period))


def _recovery_capital(scope: Scope, period: Period) -> tuple[dict, dict]:
    """``(counts, means)`` in one query: means of the change, the latest total, and the first
    and latest totals of the clients with two or more."""
    source = recovery_capital_source(scope, period)
    keys = list(source.conditions)
    two = source.conditions["recovery_capital.clients_with_two_or_more"]
    v = source.values
    extra = [
        func.avg(v["change"] * 1.0).filter(two),
        func.avg(v["latest"] * 1.0),
        func.avg(v["first"] * 1.0).filter(two),
        func.avg(v["latest"] * 1.0).filter(two),
    ]
    row = count_rows(source, keys, extra=extra)[ALL]
    mean_change, mean_latest, first_of_two, latest_of_two = row[len(keys) :]
    means = {
        "mean_change": round2(mean_change),
        "mean_latest": round2(mean_latest),
        "mean_first_of_two_or_more": round2(first_of_two),
        "mean_latest_of_two_or_more": round2(latest_of_two),
    }
    return _keyed(keys, row), means


def _recovery_capital_dict(c: dict, means: dict) -> dict:
    return {
        "clients_with_two_or_more": c["recovery_capital.clients_with_two_or_more"],
        "mean_change": means["mean_change"],
        "improved": c["recovery_capital.improved"],
        "mean_latest": means["mean_latest"],
    }


def recovery_capital_figures(scope: Scope, period: Period) -> dict:
    """BARC-10: clients with two or more assessments by ``end``, mean change first → latest,
    how many improved, and the mean latest total."""
    return _recovery_capital_dict(*_recovery_capital(scope, period))


def _supervision_counts(scope: Scope, period: Period) -> tuple[dict, int]:
    coaches = supervision_coach_source(scope, period)
    keys = list(coaches.conditions)
    counts = _keyed(keys, count_rows(coaches, keys)[ALL])
    notes = supervision_note_source(scope, period)
    row = count_rows(
        notes,
        ["supervision.notes"],
        extra=[func.coalesce(func.sum(notes.values["minutes"]), 0)],
    )[ALL]
    counts["supervision.notes"] = row[0]
    return counts, int(row[1] or 0)


def _supervision_dict(c: dict, minutes: int) -> dict:
    return {
        "coaches": c["supervision.coaches"],
        "coaches_supervised": c["supervision.coaches_supervised"],
        "coverage": rate(c["supervision.coaches_supervised"], c["supervision.coaches"]),
        "minutes": minutes,
    }


def supervision_figures(scope: Scope, period: Period) -> dict:
    return _supervision_dict(*_supervision_counts(scope, period))


# --- The report --------------------------------------------------------------------------------


def headline_with_counts(scope: Scope, period: Period) -> tuple[dict, dict, dict]:
    """``(headline, counts, barc10)``: every figure, the count of every rowset behind them
    (numerators and denominators included) and the BARC-10 first/latest means; 12 queries."""
    counts: dict[str, int] = {}
    client_rows = client_source(scope, period)
    counts.update(_keyed(list(client_rows.conditions), count_rows(client_rows)[ALL]))
    episode_counts, ttfc_median = _episode_counts(scope, period)
    counts.update(episode_counts)
    clients = {k: counts[k] for k in ("clients.enrolled", "clients.engaged", "clients.new_intakes")}
    session_counts, minutes = _session_counts(scope, period)
    counts.update(session_counts)
    appointments = _appointment_counts(scope, period)[ALL]
    counts.update(appointments)
    referral_counts, medians = _referral_counts(scope, period)
    counts.update(referral_counts[ALL])
    goals = _goal_counts(scope, period)
    counts.update(goals)
    capital, means = _recovery_capital(scope, period)
    counts.update(capital)
    supervision, supervision_minutes = _supervision_counts(scope, period)
    counts.update(supervision)
    headline = {
        "clients": _client_dict(clients),
        "sessions": _session_dict(session_counts, minutes, clients["clients.enrolled"]),
        "time_to_first_contact_days": {
            "median": ttfc_median,
            "n": episode_counts["time_to_first_contact_days.n"],
        },
        "appointments": _appointment_dict(appointments),
        "referrals": _referral_dict(referral_counts[ALL], medians.get(ALL), by_category=True),
        "retention": _retention_dict(episode_counts),
        "goals": _goal_dict(goals),
        "recovery_capital": _recovery_capital_dict(capital, means),
        "supervision": _supervision_dict(supervision, supervision_minutes),
    }
    barc10 = {
        "clients": capital["recovery_capital.clients_with_two_or_more"],
        "mean_first": means["mean_first_of_two_or_more"],
        "mean_latest": means["mean_latest_of_two_or_more"],
    }
    return headline, counts, barc10


def headline(scope: Scope, period: Period) -> dict:
    """Every figure of metrics.md for one scope and period, nested under its key."""
    return headline_with_counts(scope, period)[0]


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
    definitions: engagement, no-show and linkage with their counts. Three queries whatever the
    number of months: each row source joined to the months (``month_rows``), grouped by month."""
    wanted = {
        client_source: ["clients.enrolled", "clients.engaged"],
        appointment_source: ["appointments.attended", "appointments.no_show"],
        referral_source: ["referrals.made", "referrals.linked"],
    }
    months = period.months()
    series = month_rows(months)
    counts: list[dict[str, int]] = [{} for _ in months]
    for build, keys in wanted.items():
        source = build(scope, series)
        query = (
            source.base.join(series.table, true())
            .add_columns(series.n, *(source.count(key) for key in keys))
            .group_by(series.n)
        )
        found = {row[0]: list(row[1:]) for row in db.session.execute(query)}
        for n, c in enumerate(counts):
            c.update(_keyed(keys, found.get(n, [0] * len(keys))))
    rows = []
    for month, c in zip(months, counts, strict=True):
        attended, no_show = c["appointments.attended"], c["appointments.no_show"]
        rows.append(
            {
                "month": month.start.strftime("%Y-%m"),
                "start": month.start.isoformat(),
                "end": month.end.isoformat(),
                "enrolled": c["clients.enrolled"],
                "engaged": c["clients.engaged"],
                "engagement_rate": rate(c["clients.engaged"], c["clients.enrolled"]),
                "attended": attended,
                "no_show": no_show,
                "no_show_rate": rate(no_show, attended + no_show),
                "referrals_made": c["referrals.made"],
                "referrals_linked": c["referrals.linked"],
                "linkage_rate": rate(c["referrals.linked"], c["referrals.made"]),
            }
        )
    return rows


def outcome_report(scope: Scope, period: Period) -> dict:
    """The whole report: headline figures, ``period``, ``scope``, ``by_coach``, ``by_month``
    (exactly the keys of metrics.md; the API returns it as is)."""
    return _report(scope, period, headline_with_counts(scope, period)[0])


def _report(scope: Scope, period: Period, figures: dict) -> dict:
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "scope": scope.as_dict(),
        **figures,
        "by_coach": by_coach(scope, period),
        "by_month": by_month(scope, period),
    }


def detailed_report(scope: Scope, period: Period) -> dict:
    """``outcome_report`` plus what the page and exports show beside it: ``counts`` (the
    number of rows of every rowset, so each rate has its numerator and denominator) and
    ``barc10`` (mean first and mean latest total of the clients with two or more)."""
    figures, counts, barc10 = headline_with_counts(scope, period)
    return {**_report(scope, period, figures), "counts": counts, "barc10": barc10}


def rate_parts(counts: dict[str, int], key: str) -> tuple[int, int] | None:
    """``(numerator, denominator)`` of rate ``key`` from a report's ``counts``; None if no rate."""
    if key not in RATES:
        return None
    numerator, denominator = RATES[key]
    return counts[numerator], counts[denominator]


def flatten(figures: dict, prefix: str = "") -> Iterable[tuple[str, object]]:
    """``("clients.enrolled", 4), ...``: the headline as dotted keys, for tables and exports."""
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from flatten(value, f"{name}.")
        else:
            yield name, value


HEADLINE_GROUPS = (
    "clients",
    "sessions",
    "time_to_first_contact_days",
    "appointments",
    "referrals",
    "retention",
    "goals",
    "recovery_capital",
    "supervision",
)
