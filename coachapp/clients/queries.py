"""Read queries for client pages, all built on the access rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Integer, Select, bindparam, func, or_, select

from coachapp import access
from coachapp.alerts import (
    AlertContext,
    alert_columns,
    alert_counts_query,
    last_completed_contact,
    now_param,
    run_alert_counts,
)
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


def _search_condition(term, folded):
    """Code or preferred name containing ``term`` (case ignored), or the folded name
    containing ``folded`` (accents too): each a LIKE pattern, escaped."""
    return or_(
        Client.code.ilike(term, escape="\\"),
        Client.name_key.like(folded, escape="\\"),
        Client.preferred_name.ilike(term, escape="\\"),
    )


def _search_patterns(q: str) -> dict[str, str]:
    return {
        "search_term": f"%{_like_escape(q.strip())}%",
        "search_folded": f"%{_like_escape(fold(q))}%",
    }


def search(query: Select, q: str | None) -> Select:
    """Narrow a Select of clients by name (accents and case ignored), preferred name or code."""
    if not q or not q.strip():
        return query
    patterns = _search_patterns(q)
    return query.where(_search_condition(patterns["search_term"], patterns["search_folded"]))


def caseload(
    user: User,
    *,
    q: str | None = None,
    status: str | None = None,
    scope: Select | None = None,
) -> Select:
    """The clients a user may see, optionally searched and filtered by status. ``scope``:
    ``access.visible_clients(user)`` when the caller has it already."""
    query = access.visible_clients(user) if scope is None else scope
    if status:
        query = query.where(Client.status == status)
    return search(query, q)


@dataclass(frozen=True)
class CaseloadClient:
    """What a caseload row shows of its client, read as plain columns (no ORM object)."""

    id: int
    code: str
    first_name: str
    last_name: str
    preferred_name: str | None
    status: str
    coach_name: str

    display_name = Client.display_name  # the model's own rule, on these columns


@dataclass
class CaseloadRow:
    client: CaseloadClient
    last_contact: date | None
    next_appointment: datetime | None
    open_referrals: int
    alerts: list[str]


# Only the columns the list shows, as plain values (never the notes: not decrypted).
_SHOWN = (
    Client.id,
    Client.code,
    Client.first_name,
    Client.last_name,
    Client.preferred_name,
    Client.status,
    User.name,
)


def _caseload_statements(
    user: User, ctx: AlertContext, *, searched: bool, status: str | None, sort: str
) -> tuple[Select, Select, list[str]]:
    """The page's statement, the count past the last page, and the alert names; the search
    patterns, the page's offset and size and the clock are bind parameters."""
    last_contact = last_completed_contact().label("last_contact")
    next_appointment = (
        select(func.min(Appointment.scheduled_at))
        .where(
            Appointment.client_id == Client.id,
            Appointment.outcome == AppointmentOutcome.SCHEDULED,
            Appointment.archived_at.is_(None),
            Appointment.scheduled_at >= now_param(ctx),
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

    base = caseload(user, status=status)
    if searched:
        base = base.where(_search_condition(bindparam("search_term"), bindparam("search_folded")))
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
        # The total of the whole list, counted before the page is cut out of it.
        base.with_only_columns(Client.id, func.count().over().label("total"))
        .order_by(*order)
        .limit(bindparam("per_page", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .subquery("on_page")
    )
    query = (
        select(
            *_SHOWN,
            on_page.c.total,
            last_contact,
            next_appointment,
            open_referrals,
            *alerts.values(),
        )
        .join(on_page, on_page.c.id == Client.id)
        .join(User, User.id == Client.coach_id)
        .order_by(*order)
    )
    count = select(func.count()).select_from(base.subquery())
    return query, count, list(alerts)


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
    appointment, open referrals and alerts: one query whatever its size (the total comes with
    the page; a second query counts only for a page past the end). The statements are built
    once per user and day (``access.built_once``)."""
    searched = bool(q and q.strip())
    query, count, names = access.built_once(
        user,
        "clients.caseload_page",
        ctx.today,
        searched,
        status,
        sort,
        build=lambda: _caseload_statements(user, ctx, searched=searched, status=status, sort=sort),
    )
    params = {**ctx.params(), "per_page": per_page, "offset": (page - 1) * per_page}
    if searched:
        params |= _search_patterns(q)
    width = len(_SHOWN)
    result = db.session.execute(query, params).all()
    rows = [
        CaseloadRow(
            client=CaseloadClient(*row[:width]),
            last_contact=row[width + 1],
            next_appointment=row[width + 2],
            open_referrals=row[width + 3] or 0,
            alerts=[name for name, flag in zip(names, row[width + 4 :], strict=True) if flag],
        )
        for row in result
    ]
    if result:
        total = result[0][width]
    elif page == 1:
        total = 0
    else:  # past the last page: how many there are, for the page count
        total = db.session.scalar(count, params) or 0
    return rows, total


def caseload_alert_counts(user: User, ctx: AlertContext) -> dict[str, int]:
    """How many of the clients ``user`` may see carry each alert: one query."""
    query = access.built_once(
        user,
        "clients.caseload_alert_counts",
        ctx.today,
        build=lambda: alert_counts_query(access.visible_clients(user), ctx),
    )
    return run_alert_counts(query, ctx)


def coach_choices(user: User) -> list[tuple[int, str]]:
    """(id, name) of the coaches ``user`` may open a client for."""
    return [(u.id, u.name) for u in db.session.scalars(access.assignable_coaches(user))]


def visible_among(user: User, ids: list[int]) -> list[Client]:
    """Those of the clients ``ids`` the user may open (the others stay unnamed)."""
    return list(db.session.scalars(access.visible_clients(user).where(Client.id.in_(ids))))


def alerts_of(client: Client, user: User, ctx: AlertContext) -> list[str]:
    """The names of the alerts that are on for ``client`` (one query)."""
    query = access.built_once(
        user,
        "clients.alerts_of",
        ctx.today,
        build=lambda: alert_counts_query(
            access.visible_clients(user).where(Client.id == bindparam("alert_client_id")), ctx
        ),
    )
    counts = run_alert_counts(query, ctx, {"alert_client_id": client.id})
    return [name for name, n in counts.items() if n]
