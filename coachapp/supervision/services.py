"""Supervision notes, acknowledgements and training hours.

No HTTP here: views pass values the forms checked (coaches of the supervisor's team, clients of
the supervisor's scope) and commit once after a service succeeds. Audit events carry field names
only; ``client_id`` stays empty (a note can name several clients) and ``detail`` holds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

from sqlalchemy import select

from coachapp import audit, records
from coachapp.extensions import db
from coachapp.models import (
    Client,
    SupervisionNote,
    SupervisionNoteCoach,
    TrainingRecord,
    User,
)
from coachapp.models.enums import AuditAction

NOTE_ENTITY = "supervision_note"
TRAINING_ENTITY = "training_record"
NOTE_FIELDS = ("date", "duration_minutes", "format", "topics", "note", "action_items")
# What a coach reads and acknowledges: a change here asks every coach to acknowledge again.
READ_FIELDS = frozenset({"topics", "note", "action_items"})
TRAINING_FIELDS = ("domain", "hours", "completed_on", "title", "provider")


def _clients(client_ids: Iterable[int]) -> list[Client]:
    ids = sorted(set(client_ids))
    if not ids:
        return []
    return list(db.session.scalars(select(Client).where(Client.id.in_(ids))))


def create_note(
    data: dict, *, coach_ids: Iterable[int], client_ids: Iterable[int], actor: User
) -> SupervisionNote:
    """Write a supervision note by ``actor`` naming the coaches ``coach_ids`` (the form offers
    only the supervisor's active coaches) and the clients discussed (from their scope)."""
    note = SupervisionNote(supervisor_id=actor.id, **{key: data.get(key) for key in NOTE_FIELDS})
    note.clients = _clients(client_ids)
    db.session.add(note)
    for coach_id in dict.fromkeys(coach_ids):
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
    client_ids: Iterable[int],
    version: int | None,
    actor: User,
) -> list[str]:
    """Change a note (its author only; the view checks). Refuses a stale ``version``.

    Coaches taken off the note lose their link (and acknowledgement); when what a coach reads
    changes (topics, note, action items), every coach named is asked to acknowledge again.
    """
    records.ensure_version(note, version)
    # One UPDATE of the note per edit: no flush half-way (each would bump the version).
    with db.session.no_autoflush:
        changed = records.apply_changes(note, {key: data.get(key) for key in NOTE_FIELDS})

        wanted = list(dict.fromkeys(coach_ids))
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
