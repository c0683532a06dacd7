"""A client's profile for funders: demographics (GET, PATCH with ``version``) and the dated
housing and employment history (list, record a change). Same services and access rule as the
pages; program managers never reach a client record (404)."""

from __future__ import annotations

from coachapp import access
from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.common import audit_read, committing, scoped_client, today
from coachapp.api.idempotency import idempotent
from coachapp.api.pagination import paginate
from coachapp.api.schemas import (
    NoArgs,
    ProfilePatchSchema,
    ProfileSchema,
    StatusCreateSchema,
    StatusQueryArgs,
    StatusRecordPage,
    StatusRecordSchema,
)
from coachapp.extensions import db
from coachapp.models import Client, ClientStatusRecord
from coachapp.models.profiles import DEMOGRAPHIC_FIELDS
from coachapp.profiles import services


def _at(row: ClientStatusRecord | None) -> dict | None:
    return {"status": row.status, "as_of": row.as_of} if row is not None else None


def profile_out(client: Client) -> dict:
    profile = services.get_profile(client)
    data = {
        name: getattr(profile, name) if profile is not None else None for name in DEMOGRAPHIC_FIELDS
    }
    episode = client.latest_enrollment
    data.update(
        client_id=client.id,
        age_band=services.age_band(client.date_of_birth, episode.intake_date if episode else None),
        version=services.profile_version(profile),
    )
    for kind, summary in services.summaries(client).items():
        data[f"{kind}_now"] = _at(summary.now)
        data[f"{kind}_at_intake"] = _at(summary.at_intake)
    return data


def status_out(row: ClientStatusRecord) -> dict:
    return {
        "id": row.id,
        "client_id": row.client_id,
        "kind": row.kind,
        "status": row.status,
        "as_of": row.as_of,
    }


@blp.route("/clients/<int:client_id>/profile", methods=["GET"])
@token_required()
@blp.arguments(NoArgs, location="query")
@blp.response(200, ProfileSchema)
def get_profile(args, client_id: int):
    """The client's demographics (null: not asked yet), age band, and housing and employment
    now and at intake."""
    client = scoped_client(client_id)
    audit_read(client, "client_profile")
    return profile_out(client)


@blp.route("/clients/<int:client_id>/profile", methods=["PATCH"])
@token_required()
@blp.arguments(ProfilePatchSchema)
@blp.response(200, ProfileSchema)
def patch_profile(data, client_id: int):
    """Set some of the demographics (null: not asked yet); fields left out keep theirs. With
    ``version`` (0 before the first save), a stale one answers 409."""
    client = scoped_client(client_id)
    version = data.pop("version", None)
    with committing():
        services.update_profile(client, data, actor=api_user(), expected_version=version)
        db.session.flush()
        out = profile_out(client)
    return out


@blp.route("/clients/<int:client_id>/statuses", methods=["GET"])
@token_required()
@blp.arguments(StatusQueryArgs, location="query")
@blp.response(200, StatusRecordPage)
def list_statuses(args, client_id: int):
    """The client's housing and employment statuses (``kind`` narrows to one), newest
    ``as_of`` first; statuses entered by mistake are left out."""
    client = scoped_client(client_id)
    audit_read(client, "client_status_record")
    query = (
        access.client_child_select(ClientStatusRecord, api_user())
        .where(ClientStatusRecord.client_id == client.id)
        .order_by(
            ClientStatusRecord.as_of.desc(), ClientStatusRecord.kind, ClientStatusRecord.id.desc()
        )
    )
    if args.get("kind"):
        query = query.where(ClientStatusRecord.kind == args["kind"])
    page = paginate(query, args)
    page["items"] = [status_out(row) for row in page["items"]]
    return page


@blp.route("/clients/<int:client_id>/statuses", methods=["POST"])
@token_required()
@idempotent
@blp.arguments(StatusCreateSchema)
@blp.response(201, StatusRecordSchema)
def create_status(data, client_id: int):
    """Record a change of housing or employment status as of a day (default today): not in the
    future, not before the first intake, not the status already in force then."""
    client = scoped_client(client_id)
    data.setdefault("as_of", today(client.program))
    with committing():
        row = services.record_status(
            client, data["kind"], data["status"], data["as_of"], actor=api_user()
        )
        out = status_out(row)
    return out
