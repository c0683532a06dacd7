"""The rows behind each number of the report (``/reports/rows``).

A list is ``source.where(key)`` of the metrics module's row source: the very condition the
count is ``count(*) FILTER (WHERE ...)`` of, so a list has exactly as many rows as its figure.
Rates list their numerator or denominator, sums, means and medians the rows they are taken
over (``metrics.RATES``, ``metrics.VALUE_ROWS``).

Coaches and supervisors see client names (their report scope lies inside the access rule, and
the list is additionally restricted to ``access.visible_client_ids``); program managers and
admins see a pseudonym per client and no name, code, date of birth, contact detail or note.
No list shows narrative text (session notes, goal descriptions, appointment locations, topics).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import aliased

from coachapp import access
from coachapp.extensions import db
from coachapp.models import (
    Appointment,
    Client,
    CoachingSession,
    Enrollment,
    Goal,
    Referral,
    SupervisionNote,
    User,
)
from coachapp.models.enums import Role
from coachapp.reports import metrics
from coachapp.reports.pseudonyms import pseudonymizer
from coachapp.reports.rows import RowSource
from coachapp.scope import Period, Scope

PAGE_SIZE = 100
PARTS = ("numerator", "denominator")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    expr: ColumnElement
    kind: str = "text"  # text, label (an enum value), date, datetime, number, bool


@dataclass
class RowList:
    rowset: str
    source: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    named: bool
    has_client: bool


def shows_names(user: User) -> bool:
    """Coaches and supervisors see their scope's clients by name; everyone else pseudonyms."""
    return user.role in (Role.COACH, Role.SUPERVISOR)


def resolve(figure: str, part: str | None = None) -> str:
    """The rowset behind ``figure``: a count is its own rows; a rate needs ``part``
    (numerator or denominator); a sum, mean or median its rows. ``KeyError`` otherwise."""
    if figure in metrics.RATES:
        if part not in PARTS:
            raise KeyError(figure)
        return metrics.RATES[figure][PARTS.index(part)]
    if part:
        raise KeyError(figure)
    if figure in metrics.VALUE_ROWS:
        return metrics.VALUE_ROWS[figure]
    if figure in metrics.rowsets():
        return figure
    raise KeyError(figure)


def _columns(source: RowSource) -> tuple[list[Column], list]:
    """The columns listed for a source's rows, and their order."""
    v = source.values
    if source.name == "clients":
        return [Column("status", "Status", Client.status, "label")], [Client.id]
    if source.name == "episodes":
        return [
            Column("intake", "Intake", Enrollment.intake_date, "date"),
            Column("discharge", "Discharge", Enrollment.discharge_date, "date"),
            Column("first_contact", "First completed session", v["first_contact"], "date"),
            Column("days", "Days to first contact", v["days_to_first_contact"], "number"),
        ], [Enrollment.intake_date.desc(), Enrollment.id.desc()]
    if source.name == "sessions":
        return [
            Column("date", "Date", CoachingSession.date, "date"),
            Column("outcome", "Outcome", CoachingSession.outcome, "label"),
            Column("minutes", "Minutes", CoachingSession.duration_minutes, "number"),
            Column("modality", "Modality", CoachingSession.modality, "label"),
            Column("kind", "Kind", CoachingSession.kind, "label"),
        ], [CoachingSession.date.desc(), CoachingSession.id.desc()]
    if source.name == "appointments":
        return [
            Column("when", "When", Appointment.scheduled_at, "datetime"),
            Column("kind", "Kind", Appointment.kind, "label"),
            Column("outcome", "Outcome", Appointment.outcome, "label"),
            Column("planned", "Accompaniment planned", Appointment.accompaniment_planned, "bool"),
            Column("accompanied", "Coach went", Appointment.coach_accompanied, "bool"),
        ], [Appointment.scheduled_at.desc(), Appointment.id.desc()]
    if source.name == "referrals":
        return [
            Column("referred_on", "Referred", Referral.referred_on, "date"),
            Column("category", "Category", Referral.category, "label"),
            Column("status", "Status", Referral.status, "label"),
            Column("connected_on", "Connected", Referral.connected_on, "date"),
            Column("days", "Days to link", v["days_to_link"], "number"),
        ], [Referral.referred_on.desc(), Referral.id.desc()]
    if source.name == "goals":
        return [
            Column("domain", "Domain", Goal.domain, "label"),
            Column("opened_on", "Opened", Goal.opened_on, "date"),
            Column("status", "Status", Goal.status, "label"),
            Column("closed_on", "Closed", Goal.closed_on, "date"),
        ], [Goal.opened_on.desc(), Goal.id.desc()]
    if source.name == "recovery_capital":
        return [
            Column("n", "Check-ins", v["n"], "number"),
            Column("first", "First total", v["first"], "number"),
            Column("latest", "Latest total", v["latest"], "number"),
            Column("change", "Change", v["change"], "number"),
        ], [source.row_id]
    if source.name == "coaches":
        return [
            Column("coach", "Coach", User.name),
        ], [User.name, User.id]
    if source.name == "supervision_notes":
        supervisor = aliased(User, name="note_supervisor")
        supervisor_name = (
            select(supervisor.name)
            .where(supervisor.id == SupervisionNote.supervisor_id)
            .scalar_subquery()
        )
        return [
            Column("date", "Date", SupervisionNote.date, "date"),
            Column("format", "Format", SupervisionNote.format, "label"),
            Column("minutes", "Minutes", SupervisionNote.duration_minutes, "number"),
            Column("supervisor", "Supervisor", supervisor_name),
        ], [SupervisionNote.date.desc(), SupervisionNote.id.desc()]
    raise KeyError(source.name)


def rows_select(
    rowset: str, scope: Scope, period: Period, *, user: User
) -> tuple[Select, RowSource, list[Column], list]:
    """``SELECT`` the rows of ``rowset`` with their listed columns (no order, no paging)."""
    source = metrics.source_for(rowset, scope, period)
    columns, order = _columns(source)
    query = source.where(rowset).add_columns(source.row_id.label("row_id"))
    query = query.add_columns(*(c.expr.label(c.key) for c in columns))
    if source.client_id is not None:
        coach = aliased(User, name="client_coach")
        query = (
            query.join(Client, Client.id == source.client_id)
            .outerjoin(coach, coach.id == Client.coach_id)
            .add_columns(Client.id.label("client_id"), coach.name.label("coach_name"))
        )
        if shows_names(user):
            query = query.add_columns(
                Client.code.label("client_code"),
                Client.first_name.label("first_name"),
                Client.preferred_name.label("preferred_name"),
                Client.last_name.label("last_name"),
            ).where(Client.id.in_(access.visible_client_ids(user)))
            if source.name in ("clients", "recovery_capital"):  # lists of people: by name
                order = [Client.last_name, Client.first_name, *order]
    if source.repeats:  # a client held by the scope's coaches in two spans: listed once
        query = query.distinct()
    return query, source, columns, order


def row_list(rowset: str, scope: Scope, period: Period, *, user: User, page: int = 1) -> RowList:
    """One page of the rows of ``rowset``: two queries (the count and the page)."""
    query, source, columns, order = rows_select(rowset, scope, period, user=user)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    result = db.session.execute(
        query.order_by(*order).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).mappings()
    named = shows_names(user)
    to_pseudonym = pseudonymizer()
    rows = []
    for row in result:
        item = {c.key: row[c.key] for c in columns}
        if source.client_id is not None:
            item["coach_name"] = row["coach_name"]
            if named:
                first = row["preferred_name"] or row["first_name"]
                item["client"] = {
                    "id": row["client_id"],
                    "code": row["client_code"],
                    "name": f"{first} {row['last_name']}",
                }
            else:
                item["client"] = {"pseudonym": to_pseudonym(row["client_id"])}
        rows.append(item)
    return RowList(
        rowset=rowset,
        source=source.name,
        columns=columns,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        named=named,
        has_client=source.client_id is not None,
    )


def count_rows_of(rowset: str, scope: Scope, period: Period, *, user: User) -> int:
    """How many rows the list of ``rowset`` has (for tests and checks)."""
    query = rows_select(rowset, scope, period, user=user)[0]
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def client_ids_of(rowset: str, scope: Scope, period: Period, *, user: User) -> set[int]:
    """The clients the list of ``rowset`` names (for tests of the access rule)."""
    query = rows_select(rowset, scope, period, user=user)[0].subquery()
    if "client_id" not in query.c:
        return set()
    return set(db.session.scalars(select(query.c.client_id)))
