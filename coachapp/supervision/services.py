"""Supervision notes, acknowledgements and training hours.

No HTTP here: views and the API pass plain values and commit once after a service succeeds.
The rules of a note (``check_note``: a date that has come, coaches the supervisor supervises, one
coach for an individual supervision and two or more for a group, clients discussed within the
supervisor's access rule) are written here only; a refusal raises ``NoteRuleError`` before
anything changes. Audit events carry field names only; ``client_id`` stays empty (a note can
name several clients) and ``detail`` holds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timezone

from sqlalchemy import select

from coachapp import access, audit, records, timeutil
from coachapp.extensions import db
from coachapp.limits import MAX_MINUTES, MIN_MINUTES
from coachapp.models import (
    Client,
    SupervisionNote,
    SupervisionNoteCoach,
    TrainingRecord,
    User,
    supervision_note_clients,
)
from coachapp.models.base import MAX_ID
from coachapp.models.enums import AuditAction, SupervisionFormat
from coachapp.supervision.queries import team_coaches

NOTE_ENTITY = "supervision_note"
TRAINING_ENTITY = "training_record"
NOTE_FIELDS = ("date", "duration_minutes", "format", "topics", "note", "action_items")
# What a coach reads and acknowledges: a change here asks every coach to acknowledge again.
READ_FIELDS = frozenset({"topics", "note", "action_items"})
TRAINING_FIELDS = ("domain", "hours", "completed_on", "title", "provider")


COACHES_MESSAGE = "Choose among the active coaches you supervise."
CLIENTS_MESSAGE = "Choose among the clients you can open."


class NoteRuleError(records.RuleError):
    """The rules refuse a note; ``errors`` maps a field (``date``, ``duration_minutes``,
    ``format``, ``coach_ids``, ``client_ids``) to its message."""


def note_coach_ids_allowed(supervisor: User, note: SupervisionNote | None = None) -> set[int]:
    """Coaches a note by ``supervisor`` may name: their active coaches and, on an edit, the
    coaches the note already names (one may have left the team since)."""
    allowed = set(db.session.scalars(team_coaches(supervisor).with_only_columns(User.id)))
    if note is not None:
        allowed |= {link.coach_id for link in note.coach_links}
    return allowed


def _ids(values: Iterable) -> list[int] | None:
    """The ids in order, once each; None when one is not an id at all (or out of the range
    of ids, which the database could not even compare)."""
    ids: list[int] = []
    for value in values or ():
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
            return None
        ids.append(value)
    return list(dict.fromkeys(ids))


def check_note(
    data: dict,
    *,
    coach_ids: Iterable[int],
    client_ids: Iterable[int],
    supervisor: User,
    note: SupervisionNote | None = None,
) -> tuple[list[int], list[int]]:
    """The rules of a supervision note by ``supervisor`` (a new one, or an edit of ``note``),
    for the pages and the API alike. Returns the coach ids and client ids once each, in order;
    raises ``NoteRuleError`` naming every field the rules refuse:

    - ``date`` a date that has come (the program's today at the latest);
    - ``duration_minutes`` from 1 to 720; ``format`` individual or group;
    - ``coach_ids``: active coaches the supervisor supervises (on an edit, also the ones the
      note already names); exactly one for an individual supervision, two or more for a group;
    - ``client_ids``: clients discussed, each one the supervisor may open (access rule).
    """
    problems: dict[str, str] = {}
    on = data.get("date")
    if not isinstance(on, date):
        problems["date"] = "Give the date."
    elif on > timeutil.local_today(supervisor.program):
        problems["date"] = "This date is in the future."
    minutes = data.get("duration_minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        problems["duration_minutes"] = "Give the length in minutes."
    elif not MIN_MINUTES <= minutes <= MAX_MINUTES:
        problems["duration_minutes"] = "Minutes must be between 1 and 720."
    fmt = data.get("format")
    if fmt not in set(SupervisionFormat):
        problems["format"] = "Choose individual or group."

    coaches = _ids(coach_ids)
    if coaches is None or set(coaches) - note_coach_ids_allowed(supervisor, note):
        problems["coach_ids"] = COACHES_MESSAGE
    elif fmt == SupervisionFormat.INDIVIDUAL and len(coaches) != 1:
        problems["coach_ids"] = "An individual supervision names exactly one coach."
    elif fmt == SupervisionFormat.GROUP and len(coaches) < 2:
        problems["coach_ids"] = "A group supervision names two coaches or more."

    clients = _ids(client_ids)
    if clients is None:
        problems["client_ids"] = CLIENTS_MESSAGE
    elif clients:
        reachable = access.visible_client_ids(supervisor).where(Client.id.in_(clients))
        if set(db.session.scalars(reachable)) != set(clients):
            problems["client_ids"] = CLIENTS_MESSAGE
    if problems:
        raise NoteRuleError(problems)
    return coaches or [], clients or []


def _clients_out_of_reach(note: SupervisionNote, supervisor: User) -> list[int]:
    """Clients on ``note`` the supervisor can no longer open (reassigned to another team
    since): an edit keeps them, untouched, whatever the supervisor picks."""
    links = supervision_note_clients.c
    return list(
        db.session.scalars(
            select(links.client_id)
            .where(
                links.note_id == note.id,
                links.client_id.not_in(access.visible_client_ids(supervisor)),
            )
            .order_by(links.client_id)
        )
    )


def _clients(client_ids: Iterable[int]) -> list[Client]:
    ids = sorted(set(client_ids))
    if not ids:
        return []
    return list(db.session.scalars(select(Client).where(Client.id.in_(ids))))


def create_note(
    data: dict, *, coach_ids: Iterable[int], client_ids: Iterable[int], actor: User
) -> SupervisionNote:
    """Write a supervision note by ``actor`` naming the coaches ``coach_ids`` and the clients
    discussed ``client_ids``; ``NoteRuleError`` (nothing written) when ``check_note`` refuses."""
    coach_ids, client_ids = check_note(
        data, coach_ids=coach_ids, client_ids=client_ids, supervisor=actor
    )
    note = SupervisionNote(supervisor_id=actor.id, **{key: data.get(key) for key in NOTE_FIELDS})
    note.clients = _clients(client_ids)
    db.session.add(note)
    for coach_id in coach_ids:
        note.coach_links.append(SupervisionNoteCoach(coach_id=coach_id))
    db.session.flush()
    filled = [key for key in NOTE_FIELDS if data.get(key) not in (None, "")]
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type=NOTE_ENTITY,
        entity_id=note.id,
        fields=[*filled, "coaches", *(["clients"] if note.clients else [])],
    )
    return note


def update_note(
    note: SupervisionNote,
    data: dict,
    *,
    coach_ids: Iterable[int],
    client_ids: Iterable[int] | None,
    version: int | None,
    actor: User,
) -> list[str]:
    """Change a note (its author only; the view checks). Refuses a stale ``version``, and
    whatever ``check_note`` refuses (``NoteRuleError``), before anything changes.

    ``client_ids`` are the clients discussed among the ones ``actor`` may open (``None``: keep
    the clients as they are); clients on the note the author can no longer open stay on it.
    Coaches taken off the note lose their link (and acknowledgement); when what a coach reads
    changes (topics, note, action items), every coach named is asked to acknowledge again.
    """
    records.ensure_version(note, version)
    kept = _clients_out_of_reach(note, actor)
    if client_ids is None:
        kept_set = set(kept)
        client_ids = [c.id for c in note.clients if c.id not in kept_set]
    wanted, client_ids = check_note(
        data, coach_ids=coach_ids, client_ids=client_ids, supervisor=actor, note=note
    )
    client_ids = [*client_ids, *kept]
    # One UPDATE of the note per edit: no flush half-way (each would bump the version).
    with db.session.no_autoflush:
        changed = records.apply_changes(note, {key: data.get(key) for key in NOTE_FIELDS})

        current = {link.coach_id: link for link in note.coach_links}
        if set(wanted) != set(current):
            changed.append("coaches")
            for coach_id, link in current.items():
                if coach_id not in wanted:
                    note.coach_links.remove(link)
                    db.session.delete(link)
            for coach_id in wanted:
                if coach_id not in current:
                    note.coach_links.append(SupervisionNoteCoach(coach_id=coach_id))

        new_clients = _clients(client_ids)
        if {c.id for c in new_clients} != {c.id for c in note.clients}:
            note.clients = new_clients
            changed.append("clients")

        if READ_FIELDS & set(changed):
            for link in note.coach_links:
                if link.acknowledged_at is not None:
                    link.acknowledged_at = None
                    if "acknowledged_at" not in changed:
                        changed.append("acknowledged_at")
    if changed:
        # Links live in other tables: touch the note so its version moves with every edit.
        note.updated_at = datetime.now(timezone.utc)
        db.session.flush()
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            entity_type=NOTE_ENTITY,
            entity_id=note.id,
            fields=changed,
        )
    return sorted(changed)


def archive_note(note: SupervisionNote, *, reason: str, actor: User) -> None:
    """Archive a note (never delete): it leaves every list and every hour count."""
    records.archive(note, actor=actor, reason=reason)


def acknowledge(note: SupervisionNote, coach: User) -> bool:
    """The named ``coach`` acknowledges having read ``note``. Idempotent: the first time is
    kept and audited; later calls change nothing and return False. A coach the note does not
    name raises LookupError (the view answers 404 before that can happen)."""
    link = next((x for x in note.coach_links if x.coach_id == coach.id), None)
    if link is None:
        raise LookupError("this note does not name the coach")
    if link.acknowledged_at is not None:
        return False
    link.acknowledged_at = datetime.now(timezone.utc)
    db.session.flush()
    audit.record(
        AuditAction.UPDATE,
        actor=coach,
        entity_type=NOTE_ENTITY,
        entity_id=note.id,
        fields=["acknowledged_at"],
    )
    return True


def create_training(coach: User, data: dict, *, actor: User) -> TrainingRecord:
    """Record training hours ``coach`` completed (entered by the coach or their supervisor)."""
    record = TrainingRecord(
        coach_id=coach.id,
        created_by_id=actor.id,
        **{key: data.get(key) for key in TRAINING_FIELDS},
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type=TRAINING_ENTITY,
        entity_id=record.id,
        fields=[key for key in TRAINING_FIELDS if data.get(key) not in (None, "")],
    )
    return record


def archive_training(record: TrainingRecord, *, reason: str, actor: User) -> None:
    """Archive a training record entered by mistake: its hours stop counting."""
    records.archive(record, actor=actor, reason=reason)
