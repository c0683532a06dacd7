"""Read queries for client pages, all built on the access rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import defer, joinedload

from coachapp import access
from coachapp.clients.alerts import AlertContext, alert_columns, last_completed_contact
from coachapp.clients.services import fold
from coachapp.extensions import db
from coachapp.models import Appointment, Client, Referral, User
from coachapp.models.enums import AppointmentOutcome, ReferralStatus

SORTS = {
    "name": "Name",
    "quiet": "Longest without contact",
    "code": "Code",
}


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(query: Select, q: str | None) -> Select:
    """Narrow a Select of clients by name (accents and case ignored), preferred name or code."""
    if not q or not q.strip():
        return query
    term = _like_escape(q.strip())
    folded = _like_escape(fold(q))
    return query.where(
        or_(
            Client.code.ilike(f"%{term}%", escape="\\"),
            Client.name_key.like(f"%{folded}%", escape="\\"),
            Client.preferred_name.ilike(f"%{term}%", escape="\\"),
        )
    )


def caseload(user: User, *, q: str | None = None, status: str | None = None) -> Select:
    """The clients a user may see, optionally searched and filtered by status."""
    query = access.visible_clients(user)
    if status:
        query = query.where(Client.status == status)
    return search(query, q)


@dataclass
class CaseloadRow:
    client: Client
    last_contact: date | None
    next_appointment: datetime | None
    open_referrals: int
    alerts: list[str]


def caseload_page(
    user: User,
    ctx: AlertContext,
    *,
    q: str | None,
    status: str | None,
    sort: str,
    page: int,
    per_page: int = 50,
):
    """One page of the caseload with, per client, the last completed contact, the next
    appointment, open referrals and alerts: two queries (count + page) whatever its size."""
    last_contact = last_completed_contact().label("last_contact")
    next_appointment = (
        select(func.min(Appointment.scheduled_at))
        .where(
            Appointment.client_id == Client.id,
            Appointment.outcome == AppointmentOutcome.SCHEDULED,
            Appointment.archived_at.is_(None),
            Appointment.scheduled_at >= ctx.now,
        )
        .correlate(Client)
        .scalar_subquery()
        .label("next_appointment")
    )
    open_referrals = (
        select(func.count(Referral.id))
        .where(
            Referral.client_id == Client.id,
            Referral.status == ReferralStatus.REFERRED,
            Referral.archived_at.is_(None),
        )
        .correlate(Client)
        .scalar_subquery()
        .label("open_referrals")
    )
    alerts = {name: expr.label(f"alert_{name}") for name, expr in alert_columns(ctx).items()}

    base = caseload(user, q=q, status=status)
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    if sort == "quiet":
        # Never contacted first, then the longest ago.
        order = (last_contact.is_(None).desc(), last_contact.asc(), Client.last_name, Client.id)
    elif sort == "code":
        order = (Client.code, Client.id)
    else:
        order = (Client.last_name, Client.first_name, Client.id)
    # The page's clients first, then the figures and alerts of those clients only: each
    # correlated subquery runs once per listed client (an index probe), not for every client
    # the user may see, and the planner knows it (so PostgreSQL does not hash whole tables).
    on_page = (
        base.with_only_columns(Client.id)
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .subquery("on_page")
    )
    query = (
        select(Client, last_contact, next_appointment, open_referrals, *alerts.values())
        .join(on_page, on_page.c.id == Client.id)
        # The list never shows the client's notes: not read, so not decrypted.
        .options(joinedload(Client.coach), defer(Client.notes))
        .order_by(*order)
    )
    rows = [
        CaseloadRow(
            client=row[0],
            last_contact=row.last_contact,
            next_appointment=row.next_appointment,
            open_referrals=row.open_referrals or 0,
            alerts=[name for name in alerts if getattr(row, f"alert_{name}")],
        )
        for row in db.session.execute(query)
    ]
    return rows, total
