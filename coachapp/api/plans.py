"""A client's recovery plans: list, start a version, read, edit a draft, sign (api.md).

``version`` in a plan is its number. A draft's optimistic lock is the ``ETag`` of each answer;
a PATCH or a signature with ``If-Match`` that is stale answers 409, and so does any change to a
signed (frozen) version or a second draft."""

from __future__ import annotations

from flask import abort, jsonify, make_response, request
from sqlalchemy.orm import selectinload

from coachapp import access
from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.common import audit_read, committing, scoped_client, scoped_record, utc
from coachapp.api.idempotency import idempotent
from coachapp.api.pagination import paginate
from coachapp.api.schemas.common import NoArgs, PageArgs
from coachapp.api.schemas.plans import (
    PlanFields,
    PlanPage,
    PlanSchema,
    PlanSignSchema,
)
from coachapp.extensions import db
from coachapp.models import RecoveryPlan
from coachapp.plans import queries, services


def plan_out(plan: RecoveryPlan) -> dict:
    return {
        "id": plan.id,
        "client_id": plan.client_id,
        "version": plan.number,
        **{key: getattr(plan, key) for key in services.DETAIL_FIELDS},
        "goal_ids": sorted(g.id for g in plan.goals),
        "steps": [{"action": s.action, "who": s.who, "due_on": s.due_on} for s in plan.steps],
        "signed_by_client_at": utc(plan.signed_by_client_at),
        "signed_by_coach_at": utc(plan.signed_by_coach_at),
        "status": plan.status,
    }


def _readers_only() -> None:
    """Plan text only for the roles that work with clients (404 to anyone else)."""
    if not queries.may_read(api_user()):
        abort(404)


def _etag(plan: RecoveryPlan) -> str:
    return f'"{plan.id}-{plan.version}"'


def _with_etag(body, status: int, plan: RecoveryPlan):
    return body, status, {"ETag": _etag(plan)}


def _conflict(message: str):
    """A 409 in api.md's error shape that says why (frozen, a draft already open)."""
    body = {"error": {"code": "conflict", "message": message}}
    return make_response(jsonify(body), 409)


def _if_match(plan: RecoveryPlan):
    """The lock a client read (``If-Match``): None when not sent; any other ETag is stale."""
    sent = request.headers.get("If-Match")
    if not sent or sent.strip() == "*":
        return None
    return plan.version if sent.strip().removeprefix("W/") == _etag(plan) else -1


@blp.route("/clients/<int:client_id>/plans", methods=["GET"])
@token_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, PlanPage)
def list_plans(args, client_id: int):
    """Every version of the client's plans, newest first."""
    client = scoped_client(client_id)
    _readers_only()
    audit_read(client, "recovery_plan")
    query = (
        access.client_child_select(RecoveryPlan, api_user())
        .where(RecoveryPlan.client_id == client.id)
        .order_by(RecoveryPlan.enrollment_id.desc(), RecoveryPlan.number.desc())
    )
    page = paginate(
        query, args, options=[selectinload(RecoveryPlan.goals), selectinload(RecoveryPlan.steps)]
    )
    page["items"] = [plan_out(p) for p in page["items"]]
    return page


@blp.route("/clients/<int:client_id>/plans", methods=["POST"])
@token_required()
@idempotent
@blp.arguments(PlanFields)
@blp.response(201, PlanSchema)
def create_plan(data, client_id: int):
    """Start a version for the client's current episode: 1, or N+1 as a copy of N once N is
    signed; the body's content is set on it. A draft already open answers 409."""
    client = scoped_client(client_id)
    _readers_only()
    try:
        with committing():
            plan = services.start_plan(client, data, actor=api_user())
            out = plan_out(plan)
    except services.PlanConflict as exc:
        return _conflict(exc.message)
    return _with_etag(out, 201, plan)


@blp.route("/plans/<int:plan_id>", methods=["GET"])
@token_required()
@blp.arguments(NoArgs, location="query")
@blp.response(200, PlanSchema)
def get_plan(_args, plan_id: int):
    """One version (any status: a signed or superseded one stays readable)."""
    plan = scoped_record(RecoveryPlan, plan_id)
    _readers_only()
    audit_read(plan.client, "recovery_plan")
    return _with_etag(plan_out(plan), 200, plan)


@blp.route("/plans/<int:plan_id>", methods=["PATCH"])
@token_required()
@blp.arguments(PlanFields)
@blp.response(200, PlanSchema)
def patch_plan(data, plan_id: int):
    """Edit a draft (keys left out keep their value; ``steps`` replaces the list). A change
    after one signature clears it. A signed version, or a stale ``If-Match``, answers 409."""
    plan = scoped_record(RecoveryPlan, plan_id)
    _readers_only()
    try:
        with committing():
            services.update_plan(plan, data, version=_if_match(plan), actor=api_user())
            db.session.flush()
            out = plan_out(plan)
    except services.PlanConflict as exc:
        return _conflict(exc.message)
    return _with_etag(out, 200, plan)


@blp.route("/plans/<int:plan_id>/sign", methods=["POST"])
@token_required()
@idempotent
@blp.arguments(PlanSignSchema)
@blp.response(200, PlanSchema)
def sign_plan(data, plan_id: int):
    """Sign a draft as the client or the coach (the token's user, with their credential):
    ``image`` a PNG data URL of a drawn signature, or ``typed_name`` with ``attested: true``.
    Signed by both, the version is ``signed``, read-only and current."""
    plan = scoped_record(RecoveryPlan, plan_id)
    _readers_only()
    try:
        with committing():
            services.sign_plan(
                plan,
                signer=data.get("signer"),
                typed_name=data.get("typed_name"),
                image=data.get("image"),
                attested=data.get("attested", False),
                version=_if_match(plan),
                actor=api_user(),
            )
            out = plan_out(plan)
    except services.PlanConflict as exc:
        return _conflict(exc.message)
    return _with_etag(out, 200, plan)
