"""CSV and XLSX exports of a report: the headline, ``by_coach``, ``by_month`` and the
de-identified per-client table of metrics.md.

Every table comes from the metrics module (the per-client table from its row sources, so its
columns add up to the report's figures) and is written by ``coachapp.spreadsheets`` (streamed,
formulas neutralised). The per-client table is one query (aggregate subqueries grouped by
client) read in server-side batches, so a program of 20,000 clients never sits in memory and
the query count does not grow with the caseload.

The per-client table carries no name, code, date of birth, contact detail or narrative text:
a pseudonym (``pseudonyms.pseudonym``), program, coach, intake month, status, counts and
BARC-10 totals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import aliased

from coachapp import audit
from coachapp.extensions import db
from coachapp.models import Client, Enrollment, Program, Referral, User
from coachapp.models.enums import AuditAction, ReferralStatus
from coachapp.reports import metrics
from coachapp.reports.metrics import Period, Scope
from coachapp.reports.pseudonyms import pseudonymizer

TABLES = ("report", "by_coach", "by_month", "clients")
FORMATS = ("csv", "xlsx")
BATCH = 1000

Rows = tuple[list[str], Iterable[list[Any]]]


# --- The tables --------------------------------------------------------------------------------


def report_table(scope: Scope, period: Period) -> Rows:
    """The headline as ``figure, value, numerator, denominator`` rows (period and scope first,
    then every figure of metrics.md by its dotted key, then the BARC-10 first/latest means)."""
    figures, counts, barc10 = metrics.headline_with_counts(scope, period)
    rows: list[list[Any]] = [
        ["period.start", period.start.isoformat(), None, None],
        ["period.end", period.end.isoformat(), None, None],
    ]
    rows += [[f"scope.{key}", value, None, None] for key, value in scope.as_dict().items()]
    for key, value in metrics.flatten(figures):
        parts = metrics.rate_parts(counts, key)
        rows.append([key, value, *(parts or (None, None))])
    rows += [[f"barc10.{key}", value, None, None] for key, value in barc10.items()]
    return ["figure", "value", "numerator", "denominator"], rows


BY_COACH_COLUMNS = [
    "coach_id",
    "coach_name",
    "clients.enrolled",
    "clients.new_intakes",
    "clients.engaged",
    "clients.engagement_rate",
    "appointments.attended",
    "appointments.no_show",
    "appointments.no_show_rate",
    "referrals.made",
    "referrals.linked",
    "referrals.linkage_rate",
    "referrals.median_days_to_link",
]


def by_coach_table(scope: Scope, period: Period) -> Rows:
    rows = []
    for row in metrics.by_coach(scope, period):
        flat = {"coach_id": row["coach_id"], "coach_name": row["coach_name"]}
        flat.update(metrics.flatten({k: row[k] for k in ("clients", "appointments", "referrals")}))
        rows.append([flat[column] for column in BY_COACH_COLUMNS])
    return BY_COACH_COLUMNS, rows


BY_MONTH_COLUMNS = [
    "month",
    "start",
    "end",
    "enrolled",
    "engaged",
    "engagement_rate",
    "attended",
    "no_show",
    "no_show_rate",
    "referrals_made",
    "referrals_linked",
    "linkage_rate",
]


def by_month_table(scope: Scope, period: Period) -> Rows:
    rows = [[row[c] for c in BY_MONTH_COLUMNS] for row in metrics.by_month(scope, period)]
    return BY_MONTH_COLUMNS, rows


CLIENT_COLUMNS = [
    "pseudonym",
    "program",
    "coach",
    "intake_month",
    "status",
    "enrolled_in_period",
    "sessions_completed",
    "sessions_attempted",
    "session_minutes",
    "appointments_total",
    "appointments_attended",
    "appointments_no_show",
    "appointments_cancelled",
    "appointments_rescheduled",
    "appointments_pending",
    "referrals_made",
    "referrals_linked",
    "referrals_referred",
    "referrals_connected",
    "referrals_declined",
    "referrals_not_connected",
    "barc10_count",
    "barc10_first",
    "barc10_latest",
]


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


def client_table(scope: Scope, period: Period) -> Rows:
    """The de-identified per-client table, read in batches of ``BATCH`` rows."""
    query = client_table_query(scope, period).execution_options(yield_per=BATCH)
    to_pseudonym = pseudonymizer()

    def rows() -> Iterator[list[Any]]:
        for row in db.session.execute(query).mappings():
            values = dict(row)
            values["pseudonym"] = to_pseudonym(values.pop("client_id"))
            intake = values.pop("intake")
            values["intake_month"] = intake.strftime("%Y-%m") if intake else None
            yield [values[column] for column in CLIENT_COLUMNS]

    return CLIENT_COLUMNS, rows()


BUILDERS: dict[str, Callable[[Scope, Period], Rows]] = {
    "report": report_table,
    "by_coach": by_coach_table,
    "by_month": by_month_table,
    "clients": client_table,
}


def filename(table: str, scope: Scope, period: Period, fmt: str) -> str:
    parts = [f"coachapp-{table}", f"program{scope.program_id}"]
    if scope.supervisor_id:
        parts.append(f"team{scope.supervisor_id}")
    if scope.coach_id:
        parts.append(f"coach{scope.coach_id}")
    parts.append(f"{period.start.isoformat()}_{period.end.isoformat()}")
    return "-".join(parts) + f".{fmt}"


def record_export(table: str, fmt: str, scope: Scope, *, actor: User) -> None:
    """Add the export's audit event (the caller commits): the program, the table and the
    format; never a client id."""
    audit.record(
        AuditAction.EXPORT,
        actor=actor,
        entity_type="program",
        entity_id=scope.program_id,
        detail=f"{table} {fmt}",
    )
