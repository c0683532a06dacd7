"""The de-identified per-client table of metrics.md: its columns, what each means, and its one
query (aggregate subqueries of the report's row sources grouped by client, so each column adds
up to its figure). ``exports.client_table`` reads it in batches.

The table carries no name, code, date of birth, contact detail or narrative text: a pseudonym
(``pseudonyms.pseudonym``, given by the reader), program, coach, intake month, status, counts
and BARC-10 totals.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import aliased

from coachapp import spreadsheets as S
from coachapp.models import Client, Enrollment, Program, Referral, User
from coachapp.models.enums import ReferralStatus
from coachapp.reports import metrics
from coachapp.scope import Period, Scope

CLIENT_COLUMNS = [
    S.Column("pseudonym", "Pseudonym", S.TEXT, width=16),
    S.Column("program", "Program", S.TEXT, width=24),
    S.Column("coach", "Coach", S.TEXT, width=24),
    S.Column("intake_month", "Intake month", S.TEXT),
    S.Column("status", "Status", S.TEXT),
    S.Column("enrolled_in_period", "Enrolled in the period (1 = yes)", S.COUNT),
    S.Column("sessions_completed", "Completed sessions", S.COUNT),
    S.Column("sessions_attempted", "Attempted sessions", S.COUNT),
    S.Column("session_minutes", "Session minutes", S.COUNT),
    S.Column("appointments_total", "Appointments", S.COUNT),
    S.Column("appointments_attended", "Attended appointments", S.COUNT),
    S.Column("appointments_no_show", "No-shows", S.COUNT),
    S.Column("appointments_cancelled", "Cancelled appointments", S.COUNT),
    S.Column("appointments_rescheduled", "Rescheduled appointments", S.COUNT),
    S.Column("appointments_pending", "Pending appointments", S.COUNT),
    S.Column("referrals_made", "Referrals made", S.COUNT),
    S.Column("referrals_linked", "Referrals linked", S.COUNT),
    S.Column("referrals_referred", "Referrals still open", S.COUNT),
    S.Column("referrals_connected", "Referrals connected (any date)", S.COUNT),
    S.Column("referrals_declined", "Referrals declined", S.COUNT),
    S.Column("referrals_not_connected", "Referrals not connected", S.COUNT),
    S.Column("barc10_count", "BARC-10 check-ins", S.COUNT),
    S.Column("barc10_first", "First BARC-10 total", S.COUNT),
    S.Column("barc10_latest", "Latest BARC-10 total", S.COUNT),
]
# What each per-client column means: a glossary entry, or words of its own.
CLIENT_FIGURES: dict[str, str | S.Definition] = {
    "pseudonym": S.Definition(
        "Pseudonym", "A stable code for the client; no name, date of birth or contact detail."
    ),
    "program": S.Definition("Program", "The client's program."),
    "coach": S.Definition("Coach", "The client's coach."),
    "intake_month": S.Definition(
        "Intake month", "Month of the client's latest intake on or before the period's end."
    ),
    "status": S.Definition("Status", "The client's status today."),
    "enrolled_in_period": S.Definition(
        "Enrolled in the period (1 = yes)",
        "1 if the client was enrolled at any time during the period, else 0; the column adds "
        "up to Clients enrolled.",
    ),
    "sessions_completed": "sessions.completed",
    "sessions_attempted": "sessions.attempted",
    "session_minutes": "sessions.minutes",
    "appointments_total": "appointments.total",
    "appointments_attended": "appointments.attended",
    "appointments_no_show": "appointments.no_show",
    "appointments_cancelled": "appointments.cancelled",
    "appointments_rescheduled": "appointments.rescheduled",
    "appointments_pending": "appointments.pending",
    "referrals_made": "referrals.made",
    "referrals_linked": "referrals.linked",
    "referrals_referred": S.Definition(
        "Referrals still open", "Referrals made in the period not yet connected or declined."
    ),
    "referrals_connected": S.Definition(
        "Referrals connected (any date)",
        "Referrals made in the period that are connected today, including after the period's "
        "end (Referrals linked counts only those connected by the end).",
    ),
    "referrals_declined": S.Definition(
        "Referrals declined", "Referrals made in the period the client or service declined."
    ),
    "referrals_not_connected": S.Definition(
        "Referrals not connected", "Referrals made in the period that did not lead to contact."
    ),
    "barc10_count": S.Definition(
        "BARC-10 check-ins", "How many BARC-10 check-ins the client had by the period's end."
    ),
    "barc10_first": S.Definition(
        "First BARC-10 total", "The client's first BARC-10 total (10 to 60); blank if none."
    ),
    "barc10_latest": S.Definition(
        "Latest BARC-10 total",
        "The client's latest BARC-10 total by the period's end (10 to 60); blank if none.",
    ),
}


def _per_client(source: metrics.RowSource, columns: dict[str, Any], name: str):
    """Aggregates of a row source grouped by client: the report's own conditions."""
    return (
        source.base.add_columns(
            source.client_id.label("client_id"),
            *(expr.label(label) for label, expr in columns.items()),
        )
        .group_by(source.client_id)
        .subquery(name)
    )


def client_table_query(scope: Scope, period: Period) -> Select:
    """One row per in-scope client enrolled in the period or with a session, appointment or
    referral dated in it: counts of those records by outcome (dated in the period, by the
    report's definitions, so each column sums to its figure), the intake month of the latest
    episode begun by the end, and the first and latest BARC-10 totals dated by the end.

    One SELECT of aggregate subqueries (GROUP BY client), never a query per client."""
    if metrics.credits(scope):
        # Credit to coaches: the program's clients with a record credited to the scope's coaches.
        sc = metrics.program_clients(scope)
        credited = metrics.client_source(scope, period)
        enrolled = sc.c.id.in_(credited.base.add_columns(credited.row_id))
    else:
        sc = metrics.scope_clients(scope)
        enrolled = metrics.enrolled_in_period(sc.c.id, period)

    sessions = metrics.session_source(scope, period)
    sc_sessions = _per_client(
        sessions,
        {
            "completed": sessions.count("sessions.completed"),
            "attempted": sessions.count("sessions.attempted"),
            "minutes": func.sum(sessions.values["minutes"]).filter(
                sessions.conditions["sessions.completed"]
            ),
        },
        "client_sessions",
    )
    appointments = metrics.appointment_source(scope, period)
    ap = _per_client(
        appointments,
        {
            "total": appointments.count("appointments.total"),
            "attended": appointments.count("appointments.attended"),
            "no_show": appointments.count("appointments.no_show"),
            "cancelled": appointments.count("appointments.cancelled"),
            "rescheduled": appointments.count("appointments.rescheduled"),
            "pending": appointments.count("appointments.pending"),
        },
        "client_appointments",
    )
    referrals = metrics.referral_source(scope, period)
    rf = _per_client(
        referrals,
        {
            "made": referrals.count("referrals.made"),
            "linked": referrals.count("referrals.linked"),
            **{
                status.value: func.count().filter(Referral.status == status)
                for status in ReferralStatus
            },
        },
        "client_referrals",
    )
    episodes = (
        select(Enrollment.client_id.label("client_id"), func.max(Enrollment.intake_date).label("i"))
        .where(Enrollment.client_id.in_(select(sc.c.id)), Enrollment.intake_date <= period.end)
        .group_by(Enrollment.client_id)
        .subquery("client_intake")
    )
    barc = metrics.barc_per_client(scope, period)
    coach = aliased(User, name="export_coach")

    def n(column):
        return func.coalesce(column, 0)

    query = (
        select(
            sc.c.id.label("client_id"),
            Program.name.label("program"),
            coach.name.label("coach"),
            episodes.c.i.label("intake"),
            Client.status.label("status"),
            case((enrolled, 1), else_=0).label("enrolled_in_period"),
            n(sc_sessions.c.completed).label("sessions_completed"),
            n(sc_sessions.c.attempted).label("sessions_attempted"),
            n(sc_sessions.c.minutes).label("session_minutes"),
            n(ap.c.total).label("appointments_total"),
            n(ap.c.attended).label("appointments_attended"),
            n(ap.c.no_show).label("appointments_no_show"),
            n(ap.c.cancelled).label("appointments_cancelled"),
            n(ap.c.rescheduled).label("appointments_rescheduled"),
            n(ap.c.pending).label("appointments_pending"),
            n(rf.c.made).label("referrals_made"),
            n(rf.c.linked).label("referrals_linked"),
            *(n(rf.c[s.value]).label(f"referrals_{s.value}") for s in ReferralStatus),
            n(barc.c.n).label("barc10_count"),
            barc.c.first.label("barc10_first"),
            barc.c.latest.label("barc10_latest"),
        )
        .select_from(sc)
        .join(Client, Client.id == sc.c.id)
        .join(Program, Program.id == Client.program_id)
        .outerjoin(coach, coach.id == Client.coach_id)
        .outerjoin(episodes, episodes.c.client_id == sc.c.id)
        .outerjoin(sc_sessions, sc_sessions.c.client_id == sc.c.id)
        .outerjoin(ap, ap.c.client_id == sc.c.id)
        .outerjoin(rf, rf.c.client_id == sc.c.id)
        .outerjoin(barc, barc.c.client_id == sc.c.id)
        .where(
            or_(
                enrolled,
                n(sc_sessions.c.completed) + n(sc_sessions.c.attempted) > 0,
                n(ap.c.total) > 0,
                n(rf.c.made) > 0,
            )
        )
        .order_by(sc.c.id)
    )
    return query
