"""Merging a duplicate client record into the one kept, and undoing it (api.md)."""

from __future__ import annotations

from flask import abort
from marshmallow import Schema, fields, validate

from coachapp import access
from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.common import committing, refuse, utc
from coachapp.api.idempotency import idempotent
from coachapp.api.schemas import ApiSchema, PageArgs, PageSchema
from coachapp.extensions import db
from coachapp.merges import queries, services
from coachapp.models import Client, ClientMerge, User
from coachapp.models.base import MAX_ID
from coachapp.models.enums import Role


class MergeSchema(Schema):
    id = fields.Integer()
    survivor_id = fields.Integer()
    duplicate_id = fields.Integer()
    merged_at = fields.DateTime()
    undone_at = fields.DateTime(allow_none=True)


class MergeRequestSchema(ApiSchema):
    duplicate_id = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=MAX_ID)
    )
    keep = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        load_default=dict,
        metadata={
            "description": 'Which record\'s value each field takes: "survivor" (the default) '
            'or "duplicate". Fields: ' + ", ".join(services.KEEP_FIELDS) + "."
        },
    )

    episodes = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        load_default=dict,
        metadata={
            "description": "How each pair of overlapping enrollment episodes is resolved, by "
            "the duplicate's episode id: \"combine\" (the survivor's episode of the pair "
            "spans both: the earlier intake, the later discharge or open if either is open, "
            "the discharge reason of the one ending last; what hangs on the duplicate's "
            'episode, plans and follow-up interviews, moves to it) or "end_earlier" (the '
            "episode with the earlier intake is discharged the day before the other's intake, "
            'with its own discharge reason, else "other"; not offered when both start on the '
            "same day). Required for every overlapping pair: without it the merge answers 422 "
            "on `episodes`, naming each pair (episode ids and dates)."
        },
    )


class UndoRequestSchema(ApiSchema):
    """No fields: an undo names its merge in the URL."""


def merge_out(row: ClientMerge) -> dict:
    return {
        "id": row.id,
        "survivor_id": row.survivor_id,
        "duplicate_id": row.merged_id,
        "merged_at": utc(row.merged_at),
        "undone_at": utc(row.undone_at),
    }


def _mergeable(client: Client | None, user: User) -> Client:
    """Inside the access rule (404 otherwise) and in the user's reach to merge (403)."""
    if client is None:
        abort(404)
    access.mark_client_data()
    if not access.can_merge_client(user, client):
        abort(403)
    return client


@blp.route("/clients/<int:client_id>/merge", methods=["POST"])
@token_required(Role.SUPERVISOR, Role.ADMIN)
@idempotent
@blp.arguments(MergeRequestSchema)
@blp.response(201, MergeSchema)
def merge_client(data, client_id: int):
    """Merge a duplicate record into this client.

    Merge ``duplicate_id`` into this client: every record of the duplicate moves here, the
    duplicate is marked merged (never deleted) and answers 404 from then on. ``keep`` chooses
    field by field whose value stays; ``episodes`` resolves each pair of overlapping enrollment
    episodes ("combine" or "end_earlier"), recorded in the audit trail by episode id and put
    back by an undo. Refused (422): the same client, another program, a record merged
    already, an unknown field or value in ``keep``, and on ``episodes`` an overlapping pair
    left unresolved or given a resolution not offered for it (each pair named with its episode
    ids and dates). A supervisor merges clients of their team; an admin clients they reach."""
    user = api_user()
    survivor = _mergeable(access.find_client(client_id, user), user)
    duplicate = access.reachable_client(data["duplicate_id"], user)
    if duplicate is None or not access.can_merge_client(user, duplicate):
        refuse("duplicate_id", "No client of yours has this id.")
    with committing():
        row = services.merge(
            survivor, duplicate, data["keep"], episodes=data["episodes"], actor=user
        )
    return merge_out(row)


@blp.route("/merges/<int:merge_id>/undo", methods=["POST"])
@token_required(Role.SUPERVISOR, Role.ADMIN)
@idempotent
@blp.arguments(UndoRequestSchema)
@blp.response(200, MergeSchema)
def undo_merge(_data, merge_id: int):
    """Undo a merge: the duplicate's records go back to it and every value changed by the merge
    is restored; records added to the survivor since stay with it. Refused (422, ``merge``):
    undone already, the survivor merged since into another record, a merged value or an
    episode the merge combined or ended changed since, a record added since that depends on
    one going back. Episodes the merge combined or ended are put back as they were."""
    user = api_user()
    row = db.session.get(ClientMerge, merge_id)
    if row is None:
        abort(404)
    _mergeable(access.reachable_client(row.survivor_id, user), user)
    _mergeable(access.reachable_client(row.merged_id, user), user)
    with committing():
        services.undo(row, actor=user)
    return merge_out(row)


class PairSchema(Schema):
    client_ids = fields.List(fields.Integer())
    reason = fields.String()


class PairPage(PageSchema):
    items = fields.List(fields.Nested(PairSchema), required=True)


@blp.route("/duplicates", methods=["GET"])
@token_required(Role.SUPERVISOR, Role.ADMIN)
@blp.arguments(PageArgs, location="query")
@blp.response(200, PairPage)
def list_duplicates(args):
    """Likely duplicate records: pairs of live clients of the caller's team (an admin: of the
    clients they reach) with the same date of birth and names alike (accents and case
    ignored, first and last swapped, a nickname, or similar spelling), each with its reason."""
    access.mark_client_data()
    pairs = queries.likely_pairs(api_user())
    page, per_page = args["page"], args["per_page"]
    return {
        "items": [
            {"client_ids": [p.first.id, p.second.id], "reason": p.reason}
            for p in pairs[(page - 1) * per_page : page * per_page]
        ],
        "page": page,
        "per_page": per_page,
        "total": len(pairs),
    }
