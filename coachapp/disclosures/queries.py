"""The accounting of disclosures of one client (42 CFR 2.24, 2.25): every disclosure of the
last three years, newest first, read through the access rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from sqlalchemy import Select
from sqlalchemy.orm import joinedload

from coachapp import access, timeutil
from coachapp.extensions import db
from coachapp.models import Client, Disclosure, User

ACCOUNTING_YEARS = 3


@dataclass(frozen=True)
class Period:
    """The days an accounting covers, both included, in the program's calendar."""

    first: date
    last: date

    def since(self, client: Client) -> datetime:
        """The first moment of ``first`` where the program is, in UTC."""
        zone = timeutil.zone(client.program)
        return datetime.combine(self.first, time.min, tzinfo=zone).astimezone(timezone.utc)


def years_before(day: date, years: int) -> date:
    """The same day ``years`` years earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def accounting_period(client: Client, today: date | None = None) -> Period:
    """The three years before today (the program's today), today included."""
    today = today or timeutil.local_today(client.program)
    return Period(first=years_before(today, ACCOUNTING_YEARS), last=today)


def accounting_query(user: User, client: Client, period: Period) -> Select:
    """``SELECT Disclosure`` of ``client`` in ``period``, newest first; built on the access
    rule (``client_child_select``), so nothing outside it is read."""
    return (
        access.client_child_select(Disclosure, user)
        .where(Disclosure.client_id == client.id, Disclosure.disclosed_at >= period.since(client))
        .order_by(Disclosure.disclosed_at.desc(), Disclosure.id.desc())
    )


def accounting(user: User, client: Client, period: Period) -> list[tuple[Disclosure, str | None]]:
    """The rows of the accounting: each disclosure with the name of who made it, and its
    consent loaded (one query)."""
    query = (
        accounting_query(user, client, period)
        .add_columns(User.name)
        .outerjoin(User, User.id == Disclosure.user_id)
        .options(joinedload(Disclosure.consent))
    )
    return [(row, name) for row, name in db.session.execute(query)]
