"""A client's assignment history and reassignment (api.md; metrics.md, "Credit to coaches")."""

from __future__ import annotations

from flask import abort
from marshmallow import Schema, fields, validate

from coachapp import access
from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.clients import client_out
from coachapp.api.common import committing, refuse
from coachapp.api.idempotency import idempotent
from coachapp.api.schemas import ApiSchema, ClientSchema, PageArgs, PageSchema
from coachapp.extensions import db
from coachapp.models import Client, User
from coachapp.models.base import MAX_ID
from coachapp.models.enums import Role
from coachapp.team import services


class AssignmentSchema(Schema):
    coach_id = fields.Integer()
    from_ = fields.Date(data_key="from")
    to = fields.Date(allow_none=True)


class AssignmentPage(PageSchema):
    items = fields.List(fields.Nested(AssignmentSchema), required=True)


class ReassignSchema(ApiSchema):
    coach_id = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=MAX_ID)
    )
    effective_on = fields.Date(metadata={"description": "Default: today; never in the future."})
    reason = fields.String(required=True, validate=validate.Length(max=services.REASON_MAX))
    handoff_note = fields.String(
        allow_none=True,
        validate=validate.Length(max=services.HANDOFF_MAX),
        metadata={"description": "Optional note for the receiving coach (stored encrypted)."},
    )


@blp.route("/clients/<int:client_id>/assignments", methods=["GET"])
@token_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, AssignmentPage)
def list_assignments(args, client_id: int):
    """Who held the client from when to when (``to`` exclusive, null while open), newest
    first. A client never reassigned has one open row, from the first intake."""
    client = access.get_client_or_404(client_id, api_user())
    rows = services.assignment_history(client) or [services.implied_first_row(client)]
    items = [{"coach_id": r.coach_id, "from_": r.starts_on, "to": r.ends_on} for r in rows]
    items.reverse()
    page, per_page = args["page"], args["per_page"]
    return {
        "items": items[(page - 1) * per_page : page * per_page],
        "page": page,
        "per_page": per_page,
        "total": len(items),
    }


def _reassignable_client(client_id: int, user: User) -> Client:
    """A supervisor reaches the client through the access rule and must supervise its coach;
    an admin reaches any client of the database (api.md). Missing or merged: 404."""
    if user.role == Role.ADMIN:
        client = db.session.get(Client, client_id)
        if client is None or client.merged_into_id is not None or client.archived_at is not None:
            abort(404)
        return client
    client = access.get_client_or_404(client_id, user)
    if client.coach.supervisor_id != user.id:
        abort(403)
    return client


@blp.route("/clients/<int:client_id>/reassign", methods=["POST"])
@token_required(Role.SUPERVISOR, Role.ADMIN)
@idempotent
@blp.arguments(ReassignSchema)
@blp.response(200, ClientSchema)
def reassign_client(data, client_id: int):
    """Move the client to another coach from ``effective_on`` (default today) with a
    ``reason`` and an optional ``handoff_note``; the same coach answers 422. A supervisor
    moves clients between coaches they supervise; an admin between any coaches of the
    client's program."""
    user = api_user()
    client = _reassignable_client(client_id, user)
    new_coach = db.session.get(User, data["coach_id"])
    if new_coach is None or (user.role == Role.SUPERVISOR and new_coach.supervisor_id != user.id):
        refuse("coach_id", "Choose an active coach you supervise.")
    with committing():
        services.reassign(
            client,
            new_coach,
            actor=user,
            reason=data["reason"],
            handoff_note=data.get("handoff_note"),
            effective_on=data.get("effective_on"),
        )
    db.session.refresh(client)
    return client_out(client)
