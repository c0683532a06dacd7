"""What every clinical record shares: optimistic locking, archive and restore, changed fields.

Services call these; they write the audit trail and never touch HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone

from sqlalchemy import inspect

from coachapp import audit
from coachapp.models import User
from coachapp.models.enums import AuditAction


class StaleRecordError(Exception):
    """Someone else changed the record since the user loaded it; nothing was written."""

    message = (
        "Someone else changed this record while you were editing it. Nothing was saved: "
        "reload the page to see their changes, then make yours again."
    )


class RuleError(ValueError):
    """A feature's rules refuse a request before anything is written. Each feature's services
    raise their own subclass; the pages show the messages beside their fields and the API
    answers them as a 422.

    ``RuleError("date", "This date is in the future.")`` blames one field;
    ``RuleError({"date": ..., "duration_minutes": ...})`` several at once. ``errors`` maps each
    field (as the services name it) to its message; ``field`` and ``message`` are the first.
    """

    def __init__(self, field: str | Mapping[str, str], message: str | None = None):
        errors = dict(field) if isinstance(field, Mapping) else {field: message or ""}
        if not errors:
            raise ValueError("a RuleError names at least one field")
        self.errors: dict[str, str] = errors
        self.field, self.message = next(iter(errors.items()))
        super().__init__(self.message if len(errors) == 1 else " ".join(errors.values()))


def ensure_version(record, submitted_version: int | None) -> None:
    """Refuse a write based on an older version of ``record`` (``version`` from the form/API)."""
    if submitted_version is not None and int(submitted_version) != record.version:
        raise StaleRecordError(StaleRecordError.message)


def changed_fields(record, ignore: Iterable[str] = ("updated_at", "version")) -> list[str]:
    """Names of the attributes changed on ``record`` in this session (for the audit trail)."""
    state = inspect(record)
    skip = set(ignore)
    return sorted(
        attr.key for attr in state.attrs if attr.key not in skip and attr.history.has_changes()
    )


def apply_changes(record, data: dict) -> list[str]:
    """Set ``data`` on ``record`` and return the names of the fields whose value changed."""
    changed = []
    for key, value in data.items():
        if getattr(record, key) != value:
            setattr(record, key, value)
            changed.append(key)
    return sorted(changed)


def entity_name(record) -> str:
    return record.__tablename__.removesuffix("s")


def archive(record, *, actor: User, reason: str, client_id: int | None = None) -> None:
    """Archive (never delete) a clinical record: who, when and why, audited."""
    record.archived_at = datetime.now(timezone.utc)
    record.archived_by_id = actor.id
    record.archive_reason = reason.strip()[:2000]
    audit.record(
        AuditAction.ARCHIVE,
        actor=actor,
        entity_type=entity_name(record),
        entity_id=record.id,
        client_id=client_id if client_id is not None else getattr(record, "client_id", None),
        fields=["archived_at", "archive_reason"],
    )


def restore(record, *, actor: User, client_id: int | None = None) -> None:
    """Bring an archived record back (admins), audited."""
    record.archived_at = None
    record.archived_by_id = None
    record.archive_reason = None
    audit.record(
        AuditAction.RESTORE,
        actor=actor,
        entity_type=entity_name(record),
        entity_id=record.id,
        client_id=client_id if client_id is not None else getattr(record, "client_id", None),
    )
