"""Supervision notes (api.md): a supervisor lists, writes and edits their own; the coaches a
note names read it. Notes are reached only through ``supervision.queries.visible_notes``; the
clients a note discussed are shown through the reader's own access rule. The rules of a note
are ``supervision.services.check_note``'s, the same as the pages'."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coachapp import access
from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.common import check_version, committing, today, utc
from coachapp.api.idempotency import idempotent
from coachapp.api.pagination import paginate
from coachapp.api.schemas import (
    PageArgs,
    SupervisionNoteCreateSchema,
    SupervisionNotePage,
    SupervisionNotePatchSchema,
    SupervisionNoteSchema,
)
from coachapp.extensions import db
from coachapp.models import SupervisionNote, User, supervision_note_clients
from coachapp.models.enums import Role
from coachapp.supervision import queries, services

LINKS = supervision_note_clients.c


def _visible_client_ids(note_ids: list[int], user: User) -> dict[int, list[int]]:
    """``{note id: [client ids]}`` of the clients each note discussed that ``user`` may open;
    one query for a whole page."""
    if not note_ids:
        return {}
    rows = db.session.execute(
        select(LINKS.note_id, LINKS.client_id)
        .where(LINKS.note_id.in_(note_ids), LINKS.client_id.in_(access.visible_client_ids(user)))
        .order_by(LINKS.note_id, LINKS.client_id)
    )
    found: dict[int, list[int]] = defaultdict(list)
    for note_id, client_id in rows:
        found[note_id].append(client_id)
    return found


def note_out(note: SupervisionNote, user: User, client_ids: list[int]) -> dict:
    data = {key: getattr(note, key) for key in services.NOTE_FIELDS}
    mine = next((link for link in note.coach_links if link.coach_id == user.id), None)
    data.update(
        id=note.id,
        supervisor_id=note.supervisor_id,
        coach_ids=sorted(link.coach_id for link in note.coach_links),
        client_ids=client_ids,
        acknowledged_at=utc(mine.acknowledged_at) if mine is not None else None,
    )
    return data


def _one_out(note: SupervisionNote) -> dict:
    db.session.flush()
    db.session.expire(note, ["coach_links"])
    user = api_user()
    return note_out(note, user, _visible_client_ids([note.id], user).get(note.id, []))


@blp.route("/supervision-notes", methods=["GET"])
@token_required(Role.SUPERVISOR, Role.COACH)
@blp.arguments(PageArgs, location="query")
@blp.response(200, SupervisionNotePage)
def list_notes(args):
    """A supervisor's own notes; a coach's, the notes naming them (with their
    ``acknowledged_at``). Newest first."""
    user = api_user()
    query = queries.visible_notes(user).order_by(
        SupervisionNote.date.desc(), SupervisionNote.id.desc()
    )
    page = paginate(query, args, options=[selectinload(SupervisionNote.coach_links)])
    clients = _visible_client_ids([n.id for n in page["items"]], user)
    page["items"] = [note_out(n, user, clients.get(n.id, [])) for n in page["items"]]
    return page


@blp.route("/supervision-notes", methods=["POST"])
@token_required(Role.SUPERVISOR)
@idempotent
@blp.arguments(SupervisionNoteCreateSchema)
@blp.response(201, SupervisionNoteSchema)
def create_note(data):
    """Write a supervision note naming coaches you supervise (one for ``individual``, two or
    more for ``group``) and, optionally, clients discussed; ``date`` defaults to today."""
    user = api_user()
    data.setdefault("date", today(user.program))
    client_ids = data.pop("client_ids", [])
    coach_ids = data.pop("coach_ids")
    with committing():
        note = services.create_note(data, coach_ids=coach_ids, client_ids=client_ids, actor=user)
        out = _one_out(note)
    return out


@blp.route("/supervision-notes/<int:note_id>", methods=["PATCH"])
@token_required(Role.SUPERVISOR)
@blp.arguments(SupervisionNotePatchSchema)
@blp.response(200, SupervisionNoteSchema)
def patch_note(data, note_id: int):
    """Change one of your notes. Clients on it you can no longer open stay on it; a change
    of what coaches read asks them to acknowledge again. A stale ``version`` answers 409."""
    user = api_user()
    note = queries.get_authored_note_or_404(note_id, user)
    check_version(note, data.pop("version", None))
    merged = {key: getattr(note, key) for key in services.NOTE_FIELDS}
    merged.update({k: v for k, v in data.items() if k in services.NOTE_FIELDS})
    with committing():
        services.update_note(
            note,
            merged,
            coach_ids=data.get("coach_ids", [link.coach_id for link in note.coach_links]),
            client_ids=data.get("client_ids"),  # absent: the clients stay as they are
            version=None,  # checked once, before any change
            actor=user,
        )
        out = _one_out(note)
    return out
