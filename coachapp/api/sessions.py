"""A client's sessions (contacts): list, log and edit, by the access rule; the coach signs a
note, the coach's supervisor co-signs it, and a signed note takes dated addenda (api.md)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import abort
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
    utc,
)
from coachapp.api.idempotency import idempotent
from coachapp.api.pagination import paginate
from coachapp.api.schemas import PageArgs, SessionCreateSchema, SessionPage, SessionSchema
from coachapp.api.schemas.records import AddendumCreateSchema, SessionPatchSchema, SignSchema
from coachapp.extensions import db
from coachapp.models import CoachingSession
from coachapp.sessions import queries, services


def session_out(session: CoachingSession, addenda=None) -> dict:
    """The session as api.md shows it; ``addenda`` (``queries.addenda``) when already read."""
    if addenda is None:
        addenda = queries.addenda([session])
    data = {key: getattr(session, key) for key in services.SCALAR_FIELDS}
    data.update(
        id=session.id,
        client_id=session.client_id,
        coach_id=session.coach_id,
        goal_ids=sorted(goal.id for goal in session.goals),
        signed_at=utc(session.signed_at),
        cosigned_at=utc(session.cosigned_at),
        addenda=[
            {"text": a.text, "reason": a.reason, "at": utc(a.created_at), "by": a.author_id}
            for a in addenda.get(session.id, [])
        ],
        version=session.version,
    )
    return data


@contextmanager
def signing() -> Iterator[None]:
    """``committing()``, and a signed note's refusal as 409 with its message; an action the
    caller's role may never do on this session as 403 (they reach it: no secret kept)."""
    try:
        with committing():
            yield
    except services.SignedSessionError as exc:
        db.session.rollback()
        abort(409, description=exc.message)
    except PermissionError:
        db.session.rollback()
        abort(403)


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
    addenda = queries.addenda(page["items"])
    page["items"] = [session_out(s, addenda) for s in page["items"]]
    return page


@blp.route("/clients/<int:client_id>/sessions", methods=["POST"])
@token_required()
@idempotent
@blp.arguments(SessionCreateSchema)
@blp.response(201, SessionSchema)
def create_session(data, client_id: int):
    """Log a session; ``date`` defaults to the program's today and is never in the future.
    With ``start_time`` and ``end_time`` the minutes are computed from them."""
    client = scoped_client(client_id)
    data.setdefault("date", today(client.program))
    with committing():
        session = services.create_session(client, data, actor=api_user())
        out = session_out(session, {})
    return out


@blp.route("/sessions/<int:session_id>", methods=["PATCH"])
@token_required()
@blp.arguments(SessionPatchSchema)
@blp.response(200, SessionSchema)
@blp.alt_response(409, description="signed (read-only: add an addendum), or a stale version")
def patch_session(data, session_id: int):
    """Edit a session.

    The fields given change; the others stay. With both times the minutes are computed. A
    signed session answers 409: it is read-only, corrected by addenda. A stale ``version``
    answers 409 too."""
    session = scoped_record(CoachingSession, session_id)
    if session.is_signed:
        abort(409, description=services.SIGNED_MESSAGE)
    check_version(session, data.pop("version", None))
    values = {key: getattr(session, key) for key in services.SCALAR_FIELDS}
    values["goal_ids"] = [goal.id for goal in session.goals]
    values.update(data)  # with both times (sent or stored) the service computes the minutes
    with signing():
        services.update_session(session, values, version=None, actor=api_user())
        db.session.flush()
        out = session_out(session)
    return out


@blp.route("/sessions/<int:session_id>/sign", methods=["POST"])
@token_required()
@idempotent
@blp.arguments(SignSchema)
@blp.response(200, SessionSchema)
@blp.alt_response(409, description="signed already")
def sign_session(_body, session_id: int):
    """Sign the session's note (its coach).

    The coach's credential of today is copied onto the signature; the session is read-only
    from then on (409 to PATCH; corrections are addenda). Anyone else who reaches the session:
    403. Signed already: 409. A note without text, or one returned for revision and not yet
    revised: 422."""
    session = scoped_record(CoachingSession, session_id)
    with signing():
        services.sign_session(session, actor=api_user())
        db.session.flush()
        out = session_out(session)
    return out


@blp.route("/sessions/<int:session_id>/cosign", methods=["POST"])
@token_required()
@idempotent
@blp.arguments(SignSchema)
@blp.response(200, SessionSchema)
@blp.alt_response(409, description="not signed yet")
def cosign_session(_body, session_id: int):
    """Co-sign a signed note (a supervisor of the session's coach).

    409 while the note is unsigned, 422 when co-signed already; anyone else who reaches the
    session: 403."""
    session = scoped_record(CoachingSession, session_id)
    if not services.can_cosign(session, api_user()):
        abort(403)
    if not session.is_signed:
        abort(409, description="The coach signs the note first; then co-sign it.")
    with signing():
        services.cosign_session(session, actor=api_user())
        db.session.flush()
        out = session_out(session)
    return out


@blp.route("/sessions/<int:session_id>/addenda", methods=["POST"])
@token_required()
@idempotent
@blp.arguments(AddendumCreateSchema)
@blp.response(201, SessionSchema)
@blp.alt_response(409, description="the session is not signed: edit it instead")
def add_addendum(data, session_id: int):
    """Add a dated addendum to a signed note.

    ``{text, reason}``, both required; by the session's coach or their supervisor (403 for
    anyone else who reaches it). 409 while the note is unsigned (edit it instead). Answers the
    session, its addenda oldest first."""
    session = scoped_record(CoachingSession, session_id)
    if not services.can_add_addendum(session, api_user()):
        abort(403)
    if not session.is_signed:
        abort(409, description="This session is not signed: edit it instead of adding an addendum.")
    with signing():
        services.add_addendum(session, data["text"], data["reason"], actor=api_user())
        db.session.flush()
        out = session_out(session)
    return out
