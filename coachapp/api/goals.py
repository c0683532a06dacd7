"""A client's recovery goals: list, set (achieved already, if it was), edit and close (api.md)."""

from __future__ import annotations

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
    GoalCreateSchema,
    GoalPage,
    GoalPatchSchema,
    GoalSchema,
    PageArgs,
)
from coachapp.extensions import db
from coachapp.goals import services
from coachapp.models import Goal


def goal_out(goal: Goal) -> dict:
    data = {key: getattr(goal, key) for key in services.DETAIL_FIELDS}
    data.update(
        id=goal.id,
        client_id=goal.client_id,
        status=goal.status,
        closed_on=goal.closed_on,
        version=goal.version,
    )
    return data


def _close(goal: Goal, data: dict) -> None:
    """The status part of a request, through ``services.change_status`` (``closed_on``
    defaults to today there); nothing to do when it repeats what is stored."""
    status = data.get("status", goal.status)
    closed_on = data.get("closed_on")
    if status == goal.status and (closed_on is None or closed_on == goal.closed_on):
        return
    services.change_status(
        goal,
        status=status,
        closed_on=closed_on,
        version=None,  # checked once, before any change
        actor=api_user(),
    )


@blp.route("/clients/<int:client_id>/goals", methods=["GET"])
@token_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, GoalPage)
def list_goals(args, client_id: int):
    """The client's goals, newest ``opened_on`` first."""
    client = scoped_client(client_id)
    audit_read(client, "goal")
    query = (
        access.client_child_select(Goal, api_user())
        .where(Goal.client_id == client.id)
        .order_by(Goal.opened_on.desc(), Goal.id.desc())
    )
    page = paginate(query, args)
    page["items"] = [goal_out(g) for g in page["items"]]
    return page


@blp.route("/clients/<int:client_id>/goals", methods=["POST"])
@token_required()
@idempotent
@blp.arguments(GoalCreateSchema)
@blp.response(201, GoalSchema)
def create_goal(data, client_id: int):
    """Set a goal; ``opened_on`` defaults to today. Entered after the fact it may be
    ``achieved`` or ``discontinued`` already, with ``closed_on`` (default today)."""
    client = scoped_client(client_id)
    data.setdefault("opened_on", today(client.program))
    with committing():
        goal = services.create_goal(
            client, {key: data.get(key) for key in services.DETAIL_FIELDS}, actor=api_user()
        )
        _close(goal, data)
        db.session.flush()
        out = goal_out(goal)
    return out


@blp.route("/goals/<int:goal_id>", methods=["PATCH"])
@token_required()
@blp.arguments(GoalPatchSchema)
@blp.response(200, GoalSchema)
def patch_goal(data, goal_id: int):
    """Edit a goal, or change its status: ``achieved`` / ``discontinued`` take ``closed_on``
    (default today), ``active`` clears it. A stale ``version`` answers 409."""
    goal = scoped_record(Goal, goal_id)
    check_version(goal, data.pop("version", None))
    with committing():
        if any(key in data for key in services.DETAIL_FIELDS):
            details = {key: getattr(goal, key) for key in services.DETAIL_FIELDS}
            details.update({k: v for k, v in data.items() if k in services.DETAIL_FIELDS})
            services.update_goal(goal, details, version=None, actor=api_user())
        _close(goal, data)
        db.session.flush()
        out = goal_out(goal)
    return out
