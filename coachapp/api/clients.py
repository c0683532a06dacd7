"""Clients and their enrollment episodes, by the access rule (api.md)."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coachapp import access, audit, timeutil
from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.common import committing
from coachapp.api.idempotency import idempotent
from coachapp.api.pagination import paginate
from coachapp.api.schemas import (
    ClientPage,
    ClientPatchSchema,
    ClientQueryArgs,
    ClientSchema,
    DischargeSchema,
    EnrollmentPage,
    NoArgs,
    PageArgs,
    ReenrollSchema,
)
from coachapp.clients import queries as client_queries
from coachapp.clients import services
from coachapp.disclosures import services as disclosure_services
from coachapp.extensions import db
from coachapp.models import Client, Enrollment, User
from coachapp.models.enums import AuditAction, Role

CLIENT_ROLES = (Role.COACH, Role.SUPERVISOR, Role.ADMIN, Role.PROGRAM_MANAGER)


def client_out(client: Client) -> dict:
    """The client object of api.md; intake/status/discharge are the latest episode's."""
    episode = client.latest_enrollment
    data = {column: getattr(client, column) for column in services.DETAIL_FIELDS}
    data.update(
        id=client.id,
        code=client.code,
        status=client.status,
        coach_id=client.coach_id,
        program_id=client.program_id,
        version=client.version,
        intake_date=episode.intake_date if episode else None,
        discharge_date=episode.discharge_date if episode else None,
        discharge_reason=episode.discharge_reason if episode else None,
    )
    return data


def _client(client_id: int) -> Client:
    return access.get_client_or_404(client_id, api_user())


@blp.route("/clients", methods=["GET"])
@token_required()
@blp.arguments(ClientQueryArgs, location="query")
@blp.response(200, ClientPage)
def list_clients(args):
    """Clients the token's user may see, by code; ``q`` searches names and codes."""
    query = client_queries.caseload(api_user(), q=args.get("q"), status=args.get("status"))
    if args.get("coach_id"):
        query = query.where(Client.coach_id == args["coach_id"])
    page = paginate(
        query.order_by(Client.code, Client.id), args, options=[selectinload(Client.enrollments)]
    )
    page["items"] = [client_out(c) for c in page["items"]]
    return page


@blp.route("/clients", methods=["POST"])
@token_required()
@idempotent
@blp.arguments(ClientSchema)
@blp.response(201, ClientSchema)
def create_client(data):
    """Open a client: a coach on their own caseload, a supervisor on one of their coaches'.
    ``program_id`` may be left out; given, it must be that coach's program."""
    user = api_user()
    if not access.can_open_clients(user):
        abort(403)
    coach_id = data.get("coach_id", user.id if user.role == Role.COACH else None)
    if coach_id is None:
        abort(422, description={"coach_id": ["Missing data for required field."]})
    coach = db.session.scalar(access.assignable_coaches(user).where(User.id == coach_id))
    if coach is None:
        abort(422, description={"coach_id": ["Not a coach you may assign."]})
    # A client belongs to their coach's program (api.md): given, it must say so.
    if "program_id" in data and data["program_id"] != coach.program_id:
        abort(422, description={"program_id": ["Not the program of the client's coach."]})
    data.setdefault("intake_date", timeutil.local_today(coach.program))
    details = {key: data.get(key) for key in services.DETAIL_FIELDS}
    for flag in ("okay_to_call", "okay_to_text", "consent_on_file"):
        details[flag] = bool(details[flag])
    with committing():
        client = services.create_client(
            details, coach=coach, intake_date=data["intake_date"], actor=user
        )
    return client_out(client)


@blp.route("/clients/<int:client_id>", methods=["GET"])
@token_required()
@blp.arguments(NoArgs, location="query")
@blp.response(200, ClientSchema)
def get_client(args, client_id: int):
    """One client (404 outside the access rule, exactly like a missing one). Audited."""
    client = _client(client_id)
    user = api_user()
    audit.record(
        AuditAction.VIEW,
        actor=user,
        entity_type="client",
        entity_id=client.id,
        client_id=client.id,
    )
    grant = access.break_glass_grant(user, client.id)
    if grant is not None:
        disclosure_services.record_break_glass_view(grant, actor=user)
    db.session.commit()
    return client_out(client)


@blp.route("/clients/<int:client_id>", methods=["PATCH"])
@token_required()
@blp.arguments(ClientPatchSchema)
@blp.response(200, ClientSchema)
def patch_client(data, client_id: int):
    """Change a client's details; with ``version``, a stale one answers 409."""
    client = _client(client_id)
    version = data.pop("version", None)
    details = {key: getattr(client, key) for key in services.DETAIL_FIELDS}
    details.update({k: v for k, v in data.items() if k in services.DETAIL_FIELDS})
    if "status" in data:
        details["status"] = data["status"]
    with committing():
        services.update_client(client, details, version=version, actor=api_user())
    return client_out(client)


@blp.route("/clients/<int:client_id>/enrollments", methods=["GET"])
@token_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, EnrollmentPage)
def list_enrollments(args, client_id: int):
    """The client's episodes, newest first (a list like every other: paginated)."""
    client = _client(client_id)
    query = (
        select(Enrollment)
        .where(Enrollment.client_id == client.id)
        .order_by(Enrollment.intake_date.desc(), Enrollment.id.desc())
    )
    return paginate(query, args)


@blp.route("/clients/<int:client_id>/discharge", methods=["POST"])
@token_required()
@idempotent
@blp.arguments(DischargeSchema)
@blp.response(200, ClientSchema)
def discharge_client(data, client_id: int):
    """Close the open episode with a date and a reason."""
    client = _client(client_id)
    with committing():
        services.discharge(
            client,
            on=data["discharge_date"],
            reason=data["discharge_reason"],
            note=None,
            version=data.get("version"),
            actor=api_user(),
        )
    db.session.refresh(client)
    return client_out(client)


@blp.route("/clients/<int:client_id>/reenroll", methods=["POST"])
@token_required()
@idempotent
@blp.arguments(ReenrollSchema)
@blp.response(200, ClientSchema)
def reenroll_client(data, client_id: int):
    """A discharged client comes back: a new episode."""
    client = _client(client_id)
    with committing():
        services.reenroll(
            client, on=data["intake_date"], version=data.get("version"), actor=api_user()
        )
    db.session.refresh(client)
    return client_out(client)
