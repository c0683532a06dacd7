"""A client's referrals: list, refer (connected already, if it was), move through statuses with
a dated history (api.md)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import selectinload

from coachapp import access
from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.common import (
    audit_read,
    check_version,
    committing,
    scoped_client,
    scoped_record,
    today,
)
from coachapp.api.idempotency import idempotent
from coachapp.api.pagination import paginate
from coachapp.api.schemas import (
    PageArgs,
    ReferralCreateSchema,
    ReferralPage,
    ReferralPatchSchema,
    ReferralSchema,
)
from coachapp.extensions import db
from coachapp.models import Referral
from coachapp.models.enums import ReferralStatus
from coachapp.referrals import services

FIELDS = ("resource_id", "category", "referred_on", "status", "connected_on", "closed_on", "notes")


def referral_out(referral: Referral) -> dict:
    data = {key: getattr(referral, key) for key in FIELDS}
    data.update(
        id=referral.id,
        client_id=referral.client_id,
        version=referral.version,
        history=[{"status": h.status, "on": h.changed_on} for h in referral.history],
    )
    return data


def _answer(referral: Referral) -> dict:
    db.session.flush()
    db.session.expire(referral, ["history"])  # the rows the services added
    return referral_out(referral)


@blp.route("/clients/<int:client_id>/referrals", methods=["GET"])
@token_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, ReferralPage)
def list_referrals(args, client_id: int):
    """The client's referrals, newest ``referred_on`` first, each with its dated history."""
    client = scoped_client(client_id)
    audit_read(client, "referral")
    query = (
        access.client_child_select(Referral, api_user())
        .where(Referral.client_id == client.id)
        .order_by(Referral.referred_on.desc(), Referral.id.desc())
    )
    page = paginate(query, args, options=[selectinload(Referral.history)])
    page["items"] = [referral_out(r) for r in page["items"]]
    return page


@blp.route("/clients/<int:client_id>/referrals", methods=["POST"])
@token_required()
@idempotent
@blp.arguments(ReferralCreateSchema)
@blp.response(201, ReferralSchema)
def create_referral(data, client_id: int):
    """Refer the client to an active directory resource (``category`` is the resource's).
    ``referred_on`` defaults to today; created ``connected`` it needs ``connected_on``;
    ``declined`` / ``not_connected`` take ``closed_on`` (default today)."""
    client = scoped_client(client_id)
    data.setdefault("referred_on", today(client.program))
    status = data.get("status") or ReferralStatus.REFERRED
    if status in services.CLOSED and data.get("closed_on") is None:
        data["closed_on"] = today(client.program)
    with committing():
        referral = services.create_referral(client, data, actor=api_user())
        out = _answer(referral)
    return out


@blp.route("/referrals/<int:referral_id>", methods=["PATCH"])
@token_required()
@blp.arguments(ReferralPatchSchema)
@blp.response(200, ReferralSchema)
def patch_referral(data, referral_id: int):
    """Move the referral to a new ``status`` (the change joins its history) and/or edit its
    ``notes``. ``connected`` needs ``connected_on``; ``declined`` and ``not_connected`` take
    ``closed_on`` (default today); back to ``referred`` clears both. Stale ``version``: 409."""
    referral = scoped_record(Referral, referral_id)
    check_version(referral, data.pop("version", None))
    status = data.get("status", referral.status)
    date_field = services.date_field(status)
    given: date | None = data.get(date_field) if date_field else None
    changes_status = status != referral.status or (
        given is not None and given != getattr(referral, date_field)
    )
    # The services name the status form's one date ``changed_on``; the object has two.
    with committing({"changed_on": date_field or "status"}):
        services.check_dates_fit_status(status, data)
        if changes_status:
            services.change_status(
                referral,
                status=status,
                on=given,  # None: today, or refused for connected
                version=None,  # checked once, before any change
                actor=api_user(),
            )
        if "notes" in data:
            services.update_notes(referral, data["notes"], version=None, actor=api_user())
        out = _answer(referral)
    return out
