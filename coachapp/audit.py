"""Writing the audit trail, chaining it, verifying it and keeping it through a restore.

``record`` is called from services (and the sign-in flow), never from templates.

Rows are append-only: the ORM refuses to update or delete them (``_refuse_change``) and so does
the database (the triggers of ``coachapp.models.audit``). Each event is chained to the one before
it at flush (``_chain_new_events``): its ``hash`` covers its content and the previous hash, so
``verify_trail`` finds an event changed or removed since it was written.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from flask import has_request_context, request
from sqlalchemy import event, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from coachapp.backup import private_file
from coachapp.extensions import db
from coachapp.models import AuditArchive, AuditEvent, User
from coachapp.models.audit import CHAINED_FIELDS, GENESIS_HASH, chain_hash, utc_text
from coachapp.models.base import utcnow
from coachapp.models.enums import AuditAction

log = logging.getLogger("coachapp.audit")


def record(
    action: AuditAction | str,
    *,
    actor: User | None,
    entity_type: str | None = None,
    entity_id: int | None = None,
    client_id: int | None = None,
    fields: Iterable[str] | None = None,
    detail: str | None = None,
) -> AuditEvent:
    """Add one audit event to the current transaction (it commits with the change it records)."""
    ip = request.remote_addr if has_request_context() else None
    user_id = actor.id if actor is not None and getattr(actor, "is_authenticated", True) else None
    program_id = actor.program_id if user_id is not None else None
    event_row = AuditEvent(
        action=str(action),
        user_id=user_id,
        entity_type=entity_type,
        entity_id=entity_id,
        client_id=client_id,
        program_id=program_id,
        ip_address=ip,
        fields=",".join(sorted(fields)) if fields else None,
        detail=detail[:500] if detail else None,
    )
    db.session.add(event_row)
    log.info(
        "audit action=%s user=%s entity=%s:%s client=%s",
        action,
        user_id,
        entity_type,
        entity_id,
        client_id,
    )
    return event_row


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
@event.listens_for(AuditArchive, "before_update")
@event.listens_for(AuditArchive, "before_delete")
def _refuse_change(mapper, connection, target) -> None:  # noqa: ARG001
    raise RuntimeError("audit events are append-only")


# --- The chain --------------------------------------------------------------------------------

# pg_advisory_xact_lock's key for "the head of the audit trail" (the bytes of "audit").
CHAIN_LOCK_KEY = 0x6175646974


@event.listens_for(Session, "before_flush")
def _chain_new_events(session: Session, _flush_context, _instances) -> None:
    """Chain the events this flush inserts, in the order they were added, onto the trail's
    head: one statement reads the head (after the lock that keeps it the head until commit, so
    no other transaction chains onto the same event and ids follow the chain)."""
    new = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not new:
        return
    new.sort(key=lambda obj: sa_inspect(obj).insert_order)
    head = _lock_head(session)
    for event_row in new:
        # Naive times are UTC; an aware one is stored as the same instant in UTC.
        when = event_row.occurred_at or utcnow()
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        event_row.occurred_at = when.astimezone(timezone.utc)
        event_row.prev_hash = head
        event_row.hash = head = chain_hash(head, _content(event_row))


def _content(event_row: AuditEvent) -> dict:
    return {name: getattr(event_row, name) for name in CHAINED_FIELDS}


def _lock_head(session: Session) -> str:
    """Take the trail's write lock for the rest of the transaction and return the last event's
    hash (the genesis value for an empty trail).

    PostgreSQL: a transaction-scoped advisory lock, released at commit or rollback. SQLite: the
    database's write lock - pysqlite begins its transaction only before the first INSERT, so
    without ``BEGIN IMMEDIATE`` two workers could both read the same head (under WAL, a reader's
    snapshot would even outlive another's commit). A transaction that has written already holds
    the lock. An in-memory database has one connection and no other writer."""
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    elif dialect == "sqlite" and connection.engine.url.database not in (None, "", ":memory:"):
        raw = connection.connection.dbapi_connection
        if raw.isolation_level is not None and not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")
    head = connection.execute(
        select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar()
    return head or GENESIS_HASH


# --- Verifying --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """What walking one chain found: the events that verified before the first break (all of
    them when ``broken_at`` is None) and the last verified hash."""

    count: int
    head: str
    broken_at: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def check_chain(events: Iterable[Mapping]) -> ChainReport:
    """Walk ``events`` (mappings with ``id``, the chained fields, ``prev_hash`` and ``hash``, in
    id order) from the genesis value; stop at the first event whose content no longer matches
    its hash, or whose link does not match the hash of the event before it."""
    head, previous_id, count = GENESIS_HASH, None, 0
    for row in events:
        event_id = row["id"]
        if chain_hash(row["prev_hash"], row) != row["hash"]:
            return ChainReport(
                count,
                head,
                event_id,
                f"event {event_id} was changed after it was written "
                "(its content no longer matches its hash)",
            )
        if row["prev_hash"] != head:
            before = (
                f"event {previous_id}, the one before it"
                if previous_id is not None
                else "the start of the trail"
            )
            return ChainReport(
                count,
                head,
                event_id,
                f"event {event_id}'s link is broken: its prev_hash does not match {before} - "
                "an event between them is missing (deleted), or the chain was rewritten",
            )
        head, previous_id, count = row["hash"], event_id, count + 1
    return ChainReport(count, head)


def live_events(*, batch: int = 1000) -> Iterator[Mapping]:
    """Every event of the trail in id order, ``batch`` rows per query."""
    table = AuditEvent.__table__
    last_id = None
    while True:
        query = select(table).order_by(table.c.id).limit(batch)
        if last_id is not None:
            query = query.where(table.c.id > last_id)
        rows = db.session.execute(query).mappings().all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1]["id"]


def verify_trail(*, batch: int = 1000) -> ChainReport:
    """Recompute the live trail's chain."""
    return check_chain(live_events(batch=batch))


def verify_archive(archive: AuditArchive) -> ChainReport:
    """Recompute an archived trail's chain, and check that the archive's row tells the truth
    about it (count, first and last ids, head hash)."""
    events = json.loads(archive.events)
    report = check_chain(events)
    if not report.intact:
        return report
    facts = (
        len(events),
        events[0]["id"] if events else None,
        events[-1]["id"] if events else None,
        report.head,
    )
    stated = (archive.event_count, archive.first_event_id, archive.last_event_id, archive.head_hash)
    if facts != stated:
        return ChainReport(
            report.count,
            report.head,
            archive.last_event_id or 0,
            "the archive's count, first/last ids or head hash do not match its events",
        )
    return report


def archive_ids() -> list[int]:
    return list(db.session.scalars(select(AuditArchive.id).order_by(AuditArchive.id)))


# --- Keeping a trail through a restore --------------------------------------------------------


@dataclass
class ArchivedTrail:
    """The live trail as written to an archive file, and the archives the database held."""

    path: Path
    event_count: int
    first_event_id: int | None
    last_event_id: int | None
    head_hash: str
    earlier_archives: list[dict]


def archive_event(row: Mapping) -> dict:
    """One event as an archive keeps it: id, chained content (time as the chain writes it),
    prev_hash and hash."""
    document = {"id": row["id"], **{name: row[name] for name in CHAINED_FIELDS}}
    document["occurred_at"] = utc_text(row["occurred_at"])
    document["prev_hash"], document["hash"] = row["prev_hash"], row["hash"]
    return document


def archive_current_trail(directory: Path, *, batch: int = 1000) -> ArchivedTrail:
    """Write every event of the live trail, in id order with its hashes, to a new archive file
    in ``directory`` (JSON lines, readable by its owner only), and read the archives the
    database holds, so that both can be put back after a restore replaced them."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    path = Path(directory) / f"audit-trail-{stamp}.jsonl"
    private_file(path)
    count, first_id, last_id, head = 0, None, None, GENESIS_HASH
    with path.open("w", encoding="utf-8") as out:
        for row in live_events(batch=batch):
            document = archive_event(row)
            out.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n")
            count, last_id, head = count + 1, row["id"], row["hash"]
            first_id = row["id"] if first_id is None else first_id
    table = AuditArchive.__table__
    earlier = [
        dict(row) for row in db.session.execute(select(table).order_by(table.c.id)).mappings().all()
    ]
    db.session.rollback()  # nothing of this session may hold the database during the restore
    return ArchivedTrail(path, count, first_id, last_id, head, earlier)


def keep_archived_trail(archived: ArchivedTrail, *, reason: str) -> AuditArchive:
    """After a restore: put the archives the replaced database held back (those the restored one
    lacks), store the replaced trail as an archive, and record the restore on the restored trail
    - one transaction. Returns the new archive."""
    table = AuditArchive.__table__
    present = {
        (source, head)
        for source, head in db.session.execute(select(table.c.source, table.c.head_hash))
    }
    for row in archived.earlier_archives:
        if (row["source"], row["head_hash"]) not in present:
            values = {key: value for key, value in row.items() if key != "id"}
            db.session.add(AuditArchive(**values))
    lines = archived.path.read_text(encoding="utf-8").splitlines()
    archive = AuditArchive(
        reason=reason[:200],
        source=archived.path.name,
        event_count=archived.event_count,
        first_event_id=archived.first_event_id,
        last_event_id=archived.last_event_id,
        head_hash=archived.head_hash,
        events="[" + ",".join(lines) + "]",
    )
    db.session.add(archive)
    db.session.flush()
    record(
        AuditAction.RESTORE,
        actor=None,
        entity_type="audit_archive",
        entity_id=archive.id,
        detail=(
            f"{reason}; previous trail of {archived.event_count} events archived "
            f"(archive {archive.id})"
        ),
    )
    db.session.commit()
    return archive
