"""Read queries of referrals, built on the access rule."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Select, bindparam
from sqlalchemy.orm import joinedload, selectinload

from coachapp import access, timeutil
from coachapp.extensions import db
from coachapp.models import Client, Referral, Resource, User
from coachapp.models.enums import ReferralStatus
from coachapp.resources import queries as directory

FOLLOW_UP_DAYS = 14


def follow_up_cutoff(today: date) -> date:
    """A referral made before this day has waited more than 14 days."""
    return today - timedelta(days=FOLLOW_UP_DAYS)


def follow_ups(user: User, today: date) -> Select:
    """Referrals of the user's visible clients still ``referred`` more than 14 days after they
    were made, oldest first."""
    return (
        access.client_child_select(Referral, user)
        .where(
            Referral.status == ReferralStatus.REFERRED,
            Referral.referred_on < follow_up_cutoff(today),
        )
        .options(selectinload(Referral.client), selectinload(Referral.resource))
        .order_by(Referral.referred_on, Referral.id)
    )


def client_panel(client: Client, user: User) -> dict:
    """Context of templates/referrals/_client_panel.html (see coachapp.clients.panels): the
    client's referrals, newest first, with resource and dated history. Two queries, whatever
    the number of referrals (referrals with their resources joined, their histories): the
    resources are joined, not loaded by a second query that the ORM skips when another panel
    has loaded them already (the page's query count would then depend on the data)."""
    query = access.built_once(
        user,
        "referrals.client_panel",
        build=lambda: (
            access.client_child_select(Referral, user)
            .where(Referral.client_id == bindparam("panel_client_id"))
            .options(joinedload(Referral.resource, innerjoin=True), selectinload(Referral.history))
            .order_by(Referral.referred_on.desc(), Referral.id.desc())
        ),
    )
    referrals = db.session.scalars(query, {"panel_client_id": client.id}).all()
    today = timeutil.local_today(client.program)
    return {
        "referrals": referrals,
        "waiting_before": follow_up_cutoff(today),
        "follow_up_days": FOLLOW_UP_DAYS,
    }


def resource_options(
    program_id: int | None, *, category: str, q: str, limit: int
) -> list[Resource]:
    """The directory entries a client of ``program_id`` can be referred to, narrowed by
    ``category`` and ``q``, at most ``limit`` of them, with their organizations."""
    return list(
        db.session.scalars(
            directory.referable_resources(program_id, category=category, q=q)
            .options(selectinload(Resource.organization))
            .limit(limit)
        )
    )
