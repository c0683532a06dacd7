"""The append-only audit trail (security.md, "Audit"), and what keeps it tamper-evident.

Three things guard the trail, each defined here once:

- The database refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE) of ``audit_events`` and
  ``audit_archives``: ``GUARD_DDL`` creates the triggers, attached to the tables for
  ``create_all`` and run by the migration that introduced them.
- Each event carries ``hash``: SHA-256 of its content and the previous event's hash
  (``chain_hash``), so a changed, removed or inserted event breaks the chain that
  ``flask audit verify`` walks. ``coachapp.audit`` chains new events at flush.
- ``AuditArchive`` keeps a trail that ``flask restore`` replaced, with its hashes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timezone

from sqlalchemy import DDL, DateTime, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from coachapp.models.base import Base, enum_check, utcnow
from coachapp.models.enums import AuditAction

# The hash an event before the first one would have: the first event's prev_hash.
GENESIS_HASH = "0" * 64

# The fields an event's hash covers, in the order they are serialised. ``id`` is not among
# them: the chain, not the numbering, says what came before what.
CHAINED_FIELDS = (
    "occurred_at",
    "user_id",
    "action",
    "entity_type",
    "entity_id",
    "client_id",
    "program_id",
    "ip_address",
    "fields",
    "detail",
)
_INTEGER_FIELDS = frozenset({"user_id", "entity_id", "client_id", "program_id"})


def utc_text(value: datetime | str) -> str:
    """An instant as the chain writes it: UTC, microseconds, ``Z``. A naive datetime is UTC (as
    SQLite hands back what was stored in UTC); a string is taken as already written so."""
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_content(values: Mapping) -> dict:
    """The chained fields of one event, normalised so that what is written and what is read back
    (on SQLite or PostgreSQL) serialise the same."""
    content: dict = {}
    for name in CHAINED_FIELDS:
        value = values.get(name)
        if value is None:
            content[name] = None
        elif name == "occurred_at":
            content[name] = utc_text(value)
        elif name in _INTEGER_FIELDS:
            content[name] = int(value)
        else:
            content[name] = str(value)
    return content


def chain_hash(prev_hash: str, values: Mapping) -> str:
    """SHA-256 (hex) of the previous event's hash and this event's canonical content."""
    document = {"prev_hash": prev_hash, **canonical_content(values)}
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        enum_check("action", AuditAction),
        Index("ix_audit_events_client_occurred", "client_id", "occurred_at"),
        Index("ix_audit_events_user_occurred", "user_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))
    entity_type: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    # No foreign key: the trail must outlive anything it mentions, merges included.
    client_id: Mapped[int | None] = mapped_column(Integer)
    program_id: Mapped[int | None] = mapped_column(Integer, index=True)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    # Comma-separated names of the changed fields; never their values, never note text.
    fields: Mapped[str | None] = mapped_column(String(1000))
    # A short, non-clinical detail: a break-the-glass reason, an export's kind, a login email's
    # absence. Never narrative text.
    detail: Mapped[str | None] = mapped_column(String(500))
    # The chain (hex SHA-256). No default: an insert that goes around the ORM's chaining
    # (a Core insert) fails on NOT NULL instead of writing an unchained row.
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditArchive(Base):
    """A whole trail kept when ``flask restore`` replaced the database that held it: the events
    (JSON, each with its hashes, in id order) verify on their own with ``flask audit verify``."""

    __tablename__ = "audit_archives"

    id: Mapped[int] = mapped_column(primary_key=True)
    archived_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str] = mapped_column(String(200))
    # The archive file's name (in the instance's audit-archives directory).
    source: Mapped[str] = mapped_column(String(255))
    event_count: Mapped[int] = mapped_column(Integer)
    first_event_id: Mapped[int | None] = mapped_column(Integer)
    last_event_id: Mapped[int | None] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    events: Mapped[str] = mapped_column(Text)


# --- The database's refusal -------------------------------------------------------------------

GUARDED_TABLES = ("audit_events", "audit_archives")

_SQLITE_MESSAGES = {
    "audit_events": "audit events are append-only",
    "audit_archives": "audit archives are append-only",
}

PG_GUARD_FUNCTION = "audit_append_only"


def guard_ddl(dialect: str, table: str) -> list[str]:
    """The statements that make the database refuse changes to ``table`` (one of
    ``GUARDED_TABLES``) on ``dialect``; ``[]`` for other databases."""
    if dialect == "sqlite":
        message = _SQLITE_MESSAGES[table]
        return [
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            for verb in ("UPDATE", "DELETE")
        ]
    if dialect == "postgresql":
        return [
            # "audit_events" -> "audit events are append-only"
            f"CREATE OR REPLACE FUNCTION {PG_GUARD_FUNCTION}() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', "
            "MESSAGE = replace(TG_TABLE_NAME, '_', ' ') || ' are append-only'; "
            "END $$",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {PG_GUARD_FUNCTION}()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_GUARD_FUNCTION}()",
        ]
    return []


def drop_guard_ddl(dialect: str, table: str) -> list[str]:
    """The statements that remove ``guard_ddl(dialect, table)``'s triggers (not the shared
    PostgreSQL function: ``DROP_PG_GUARD_FUNCTION``)."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_{verb}" for verb in ("update", "delete")]
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        ]
    return []


DROP_PG_GUARD_FUNCTION = f"DROP FUNCTION IF EXISTS {PG_GUARD_FUNCTION}()"


def _attach_guard(table) -> None:
    for dialect in ("sqlite", "postgresql"):
        for statement in guard_ddl(dialect, table.name):
            event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))


_attach_guard(AuditEvent.__table__)
_attach_guard(AuditArchive.__table__)
