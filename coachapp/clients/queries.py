"""Read queries for client pages, all built on the access rule."""

from __future__ import annotations

from sqlalchemy import Select, or_

from coachapp import access
from coachapp.clients.services import fold
from coachapp.models import Client, User


def caseload(user: User, *, q: str | None = None, status: str | None = None) -> Select:
    """The clients a user may see, optionally searched by name or code and filtered by status."""
    query = access.visible_clients(user)
    if status:
        query = query.where(Client.status == status)
    if q and q.strip():
        term = q.strip()
        folded = fold(term)
        query = query.where(
            or_(
                Client.code.ilike(f"%{term}%"),
                Client.name_key.like(f"%{folded}%"),
                Client.preferred_name.ilike(f"%{term}%"),
            )
        )
    return query.order_by(Client.last_name, Client.first_name, Client.id)
