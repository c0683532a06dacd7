"""The row source of each group of figures (``rows.RowSource``): the in-scope records a group
counts and one condition per count, keyed by rowset (every count figure of metrics.md, and the
numerators and denominators of rates that are not figures themselves).

For a coach or team scope, or grouped by coach, each source joins its records to the coach who
held the client on the record's date (``credit``); each function's docstring says which date.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    or_,
    select,
)

from coachapp.models import (
    Appointment,
    Assessment,
    CoachingSession,
    Enrollment,
    Goal,
    Referral,
    ReportEpisode,
    SupervisionNote,
    SupervisionNoteCoach,
    User,
)
from coachapp.models.enums import (
    AppointmentOutcome,
    GoalStatus,
    ReferralStatus,
    ResourceCategory,
    SessionOutcome,
)
from coachapp.reports.credit import (
    coach_ids_in_scope,
    coach_in_scope,
    credited_coach,
    credited_records,
    credits,
    held_on,
    held_spans,
    program_clients,
    scope_clients,
)
from coachapp.reports.rows import (
    MonthRows,
    RowSource,
    completed_session_in_period,
    day_bounds,
    enrolled_in_period,
)
from coachapp.reports.sqlfuncs import add_days, days_between
from coachapp.scope import Period, Scope

RETENTION_DAYS = (30, 60, 90)
RETENTION_WINDOW = 29  # the window is [intake + N - 29, intake + N]
CATEGORIES = tuple(c.value for c in ResourceCategory)


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
    engaged_while_held = completed_session_in_period(held.c.client_id, period, held)
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


def episode_facts() -> dict[str, ColumnElement]:
    """What each episode (``Enrollment``) carries for the figures, whatever the period:
    ``first_contact`` (its first completed session: on or after intake, by discharge) and
    ``retained.N`` (a completed session in ``[intake + N - 29, intake + N]``). Computed per
    episode here, and kept per episode by the report rollups (``upkeep``)."""
    completed = and_(
        CoachingSession.client_id == Enrollment.client_id,
        CoachingSession.outcome == SessionOutcome.COMPLETED,
        CoachingSession.archived_at.is_(None),
    )
    first_contact = (
        select(func.min(CoachingSession.date))
        .where(
            completed,
            CoachingSession.date >= Enrollment.intake_date,
            or_(
                Enrollment.discharge_date.is_(None),
                CoachingSession.date <= Enrollment.discharge_date,
            ),
        )
        .correlate(Enrollment)
        .scalar_subquery()
    )
    facts: dict[str, ColumnElement] = {"first_contact": first_contact}
    for n in RETENTION_DAYS:
        facts[f"retained.{n}"] = exists().where(
            completed,
            CoachingSession.date >= add_days(Enrollment.intake_date, n - RETENTION_WINDOW),
            CoachingSession.date <= add_days(Enrollment.intake_date, n),
        )
    return facts


def _episode_conditions(
    period: Period, intake: ColumnElement, facts: dict[str, ColumnElement]
) -> dict[str, ColumnElement[bool] | None]:
    """The episode rowsets, from an episode's intake date and its ``episode_facts``."""
    first_contact = facts["first_contact"]
    conditions: dict[str, ColumnElement[bool] | None] = {
        "clients.new_intakes": None,
        "time_to_first_contact_days.n": and_(
            first_contact.is_not(None), first_contact <= period.end
        ),
    }
    for n in RETENTION_DAYS:
        eligible = add_days(intake, n) <= period.end
        conditions[f"retention.{n}.eligible"] = eligible
        conditions[f"retention.{n}.retained"] = and_(eligible, facts[f"retained.{n}"])
    return conditions


def _dated_records(
    scope: Scope, credit: bool, model: Any, day: ColumnElement, *where: ColumnElement[bool]
) -> tuple[Select, Any, ColumnElement | None]:
    """``(base, clients, group)`` of a source of ``model``'s records dated by ``day``: a SELECT
    without columns over the clients in scope joined to their records, restricted by ``where``;
    the clients' subquery; and the coach credited with each record. Credited (a coach or team
    scope, or ``credit``), the records are of the program's clients a coach in scope ever held,
    each joined to the span holding its client on ``day`` (``credited_records``); otherwise of
    the clients in scope today, and ``group`` is None."""
    credited = credits(scope, credit)
    clients = program_clients(scope) if credited else scope_clients(scope)
    base = select().select_from(clients).join(model, model.client_id == clients.c.id).where(*where)
    if not credited:
        return base, clients, None
    base, held = credited_records(scope, clients.c.id, day, base)
    return base, clients, held.c.coach_id


def episode_source(scope: Scope, period: Period, *, credit: bool = False) -> RowSource:
    """Episodes of in-scope clients with ``intake_date`` in the period: ``clients.new_intakes``,
    time to first contact and retention (credited by the intake date)."""
    facts = episode_facts()
    base, sc, group = _dated_records(
        scope,
        credit,
        Enrollment,
        Enrollment.intake_date,
        Enrollment.intake_date.between(period.start, period.end),
    )
    return RowSource(
        name="episodes",
        base=base,
        row_id=Enrollment.id,
        client_id=sc.c.id,
        group=group,
        conditions=_episode_conditions(period, Enrollment.intake_date, facts),
        values={
            "first_contact": facts["first_contact"],
            "days_to_first_contact": days_between(facts["first_contact"], Enrollment.intake_date),
        },
    )


def episode_rollup_source(scope: Scope, period: Period, *, credit: bool = False) -> RowSource:
    """``episode_source`` read from the report rollups' episode rows (``ReportEpisode``): the
    same rowsets and values, for figures (drill-down lists read ``episode_source``)."""
    ep = ReportEpisode
    credited = credits(scope, credit)
    base = (
        select()
        .select_from(ep)
        .where(
            ep.program_id == scope.program_id,
            ep.counted.is_(True),
            ep.intake_date.between(period.start, period.end),
        )
    )
    if credited:
        base = base.where(credited_coach(scope, ep.coach_id))
    facts = {"first_contact": ep.first_contact}
    facts.update({f"retained.{n}": getattr(ep, f"retained_{n}").is_(True) for n in RETENTION_DAYS})
    return RowSource(
        name="episodes",
        base=base,
        row_id=ep.enrollment_id,
        client_id=ep.client_id,
        group=ep.coach_id if credited else None,
        conditions=_episode_conditions(period, ep.intake_date, facts),
        values={
            "first_contact": ep.first_contact,
            "days_to_first_contact": days_between(ep.first_contact, ep.intake_date),
        },
    )


def session_source(scope: Scope, period: Period, *, credit: bool = False) -> RowSource:
    """In-scope sessions dated in the period, by outcome (credited by the session's date)."""
    base, sc, group = _dated_records(
        scope,
        credit,
        CoachingSession,
        CoachingSession.date,
        CoachingSession.archived_at.is_(None),
        CoachingSession.date.between(period.start, period.end),
    )
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
        dated=lambda p: CoachingSession.date.between(p.start, p.end),
    )


def appointment_source(
    scope: Scope, period: Period | MonthRows, *, credit: bool = False
) -> RowSource:
    """In-scope appointments dated in the period (program-local date), by outcome, and the
    numerators and denominators of the three no-show rates (credited by that date)."""
    low, high = day_bounds(period)
    outcome = Appointment.outcome
    planned = Appointment.accompaniment_planned.is_(True)
    unplanned = Appointment.accompaniment_planned.is_(False)
    attended = outcome == AppointmentOutcome.ATTENDED
    no_show = outcome == AppointmentOutcome.NO_SHOW
    rated = outcome.in_([AppointmentOutcome.ATTENDED, AppointmentOutcome.NO_SHOW])
    base, sc, group = _dated_records(
        scope,
        credit,
        Appointment,
        Appointment.scheduled_at,
        Appointment.archived_at.is_(None),
        Appointment.scheduled_at >= low,
        Appointment.scheduled_at < high,
    )
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
        dated=appointment_dated,
    )


def appointment_dated(period: Period) -> ColumnElement[bool]:
    """An appointment's date is the date part of its wall-clock time (``day_bounds``)."""
    low, high = day_bounds(period)
    return and_(Appointment.scheduled_at >= low, Appointment.scheduled_at < high)


def referral_source(scope: Scope, period: Period | MonthRows, *, credit: bool = False) -> RowSource:
    """In-scope referrals made in the period: linked (connected by ``end``), per category;
    credited by ``referred_on`` (the linkage goes with it)."""
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
    base, sc, group = _dated_records(
        scope,
        credit,
        Referral,
        Referral.referred_on,
        Referral.archived_at.is_(None),
        Referral.referred_on.between(period.start, period.end),
    )
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
