"""A client's sessions (contacts): list and log, by the access rule (api.md)."""

from __future__ import annotations

from sqlalchemy.orm import selectinload

from coachapp import access
from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.common import audit_read, committing, scoped_client, today
from coachapp.api.idempotency import idempotent
from coachapp.api.pagination import paginate
from coachapp.api.schemas import PageArgs, SessionCreateSchema, SessionPage, SessionSchema
from coachapp.models import CoachingSession
from coachapp.sessions import services


def session_out(session: CoachingSession) -> dict:
    data = {key: getattr(session, key) for key in services.SCALAR_FIELDS}
    data.update(
        id=session.id,
        client_id=session.client_id,
        coach_id=session.coach_id,
        goal_ids=sorted(goal.id for goal in session.goals),
    )
    return data


@blp.route("/clients/<int:client_id>/sessions", methods=["GET"])
@token_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, SessionPage)
def list_sessions(args, client_id: int):
    """The client's sessions, newest first."""
    client = scoped_client(client_id)
    audit_read(client, "session")
    query = (
        access.client_child_select(CoachingSession, api_user())
        .where(CoachingSession.client_id == client.id)
        .order_by(CoachingSession.date.desc(), CoachingSession.id.desc())
    )
    page = paginate(query, args, options=[selectinload(CoachingSession.goals)])
    page["items"] = [session_out(s) for s in page["items"]]
    return page


@blp.route("/clients/<int:client_id>/sessions", methods=["POST"])
@token_required()
@idempotent
@blp.arguments(SessionCreateSchema)
@blp.response(201, SessionSchema)
def create_session(data, client_id: int):
    """Log a session; ``date`` defaults to the program's today and is never in the future."""
    client = scoped_client(client_id)
    data.setdefault("date", today(client.program))
    with committing():
        session = services.create_session(client, data, actor=api_user())
        out = session_out(session)
    return out
