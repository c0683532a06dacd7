"""The audit trail is tamper-evident: the database refuses to change or remove an event, every
event is chained to the one before it, and ``flask audit verify`` names the first event changed
or missing - on SQLite and PostgreSQL, with several writers at once."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, event, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from coachapp import audit
from coachapp.extensions import db as _db
from coachapp.models import AuditEvent
from coachapp.models.audit import GENESIS_HASH, chain_hash
from tests.helpers import QueryCounter, audit_guard_lifted, on_postgres

BEFORE = "d6f1a8c2e4b7"  # the revision before the chain


def write_events(n: int, *, actor=None, per_flush: int = 1) -> list[int]:
    ids = []
    for start in range(0, n, per_flush):
        rows = [
            audit.record("view", actor=actor, entity_type="client", entity_id=i, client_id=i)
            for i in range(start, min(n, start + per_flush))
        ]
        _db.session.flush()
        ids.extend(row.id for row in rows)
    _db.session.commit()
    return ids


def verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def chain() -> list[AuditEvent]:
    return list(_db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def tamper(statement) -> None:
    """Change the trail with the database's guard taken off (what a superuser can do)."""
    _db.session.commit()
    with _db.engine.begin() as conn, audit_guard_lifted(conn):
        conn.execute(statement)
    _db.session.expire_all()


# --- The chain ------------------------------------------------------------------------------


def test_events_are_chained_in_the_order_written(app, db, coach):
    write_events(3, actor=coach, per_flush=3)
    write_events(2, actor=coach)
    events = chain()
    assert len(events) == 5
    assert events[0].prev_hash == GENESIS_HASH
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    for row in events:
        content = {c: getattr(row, c) for c in ("occurred_at", "user_id", "action", "entity_type")}
        content.update(entity_id=row.entity_id, client_id=row.client_id)
        content.update(program_id=row.program_id, ip_address=None, fields=None, detail=None)
        assert row.hash == chain_hash(row.prev_hash, content) and len(row.hash) == 64
    assert events[0].user_id == coach.id and events[0].program_id == coach.program_id

    result = verify(app)
    assert result.exit_code == 0, result.output
    assert f"audit trail intact: 5 events, last hash {events[-1].hash}" in result.output


def test_an_empty_trail_verifies(app, db):
    result = verify(app)
    assert result.exit_code == 0
    assert f"audit trail intact: 0 events, last hash {GENESIS_HASH}" in result.output


def test_one_statement_reads_the_head_per_flush_not_per_event(app, db, coach):
    write_events(1)
    statements: list[str] = []

    def keep(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        for i in range(4):
            audit.record("view", actor=coach, client_id=i)
        db.session.flush()
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    db.session.commit()
    reads = [s for s in statements if "audit_events" in s and s.lstrip().startswith("SELECT")]
    lock = [s for s in statements if "pg_advisory_xact_lock" in s]
    assert len(reads) == 1 and "audit_events.hash" in reads[0]
    assert len(lock) == (1 if on_postgres() else 0)
    with QueryCounter(db.engine) as counter:
        db.session.flush()  # nothing new: nothing read
    assert counter.n == 0
    assert verify(app).exit_code == 0


def test_an_event_time_is_kept_in_utc_and_chained_as_stored(app, db):
    db.session.add(AuditEvent(action="update", occurred_at=datetime(2026, 3, 1, 10)))
    db.session.add(
        AuditEvent(
            action="update", occurred_at=datetime(2026, 3, 1, 10, 0, 0, 123456, timezone.utc)
        )
    )
    db.session.commit()
    db.session.expire_all()
    assert verify(app).exit_code == 0


def test_an_insert_around_the_chain_fails_loudly(app, db):
    with pytest.raises(IntegrityError):
        db.session.execute(
            insert(AuditEvent).values(action="view", occurred_at=datetime.now(timezone.utc))
        )
    db.session.rollback()
    assert chain() == []


# --- The database refuses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET detail = 'nothing happened'",
        "UPDATE audit_events SET user_id = NULL",
        "DELETE FROM audit_events",
        "DELETE FROM audit_events WHERE id = 2",
    ],
)
def test_sql_typed_into_the_database_is_refused(app, db, coach, statement):
    write_events(3, actor=coach)
    before = [(e.id, e.user_id, e.detail, e.hash) for e in chain()]
    with db.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text(statement))
    db.session.expire_all()
    assert [(e.id, e.user_id, e.detail, e.hash) for e in chain()] == before
    assert verify(app).exit_code == 0


def test_bulk_orm_statements_are_refused_too(app, db, coach):
    write_events(2, actor=coach)
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(update(AuditEvent).values(detail="edited"))
    db.session.rollback()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(delete(AuditEvent).where(AuditEvent.id == 1))
    db.session.rollback()
    assert len(chain()) == 2


def test_truncate_is_refused(app, db, coach):
    write_events(2, actor=coach)
    if on_postgres():
        with db.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("TRUNCATE audit_events"))
    else:  # SQLite has no TRUNCATE; DELETE without WHERE is refused above
        with db.engine.connect() as conn, pytest.raises(DBAPIError, match="syntax error"):
            conn.execute(text("TRUNCATE audit_events"))
    assert len(chain()) == 2


# --- Verification names the event -------------------------------------------------------------


@pytest.mark.parametrize(
    "change", [{"detail": "nothing to see"}, {"user_id": None}, {"action": "update"}]
)
def test_a_changed_event_is_named(app, db, coach, change):
    ids = write_events(5, actor=coach)
    tamper(update(AuditEvent).where(AuditEvent.id == ids[2]).values(**change))
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at event {ids[2]}:" in result.output
    assert "changed after it was written" in result.output
    assert "2 events verified before it" in result.output


def test_a_deleted_event_is_named_by_the_broken_link_after_it(app, db, coach):
    ids = write_events(5, actor=coach)
    tamper(delete(AuditEvent).where(AuditEvent.id == ids[2]))
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at event {ids[3]}:" in result.output
    assert f"does not match event {ids[1]}, the one before it" in result.output
    assert "missing (deleted)" in result.output


def test_a_deleted_first_event_breaks_the_link_to_the_start(app, db, coach):
    ids = write_events(3, actor=coach)
    tamper(delete(AuditEvent).where(AuditEvent.id == ids[0]))
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at event {ids[1]}:" in result.output and "start of the trail" in result.output


def test_verification_reads_in_batches(app, db, coach):
    ids = write_events(7, actor=coach, per_flush=7)
    assert audit.verify_trail(batch=2).count == 7
    tamper(update(AuditEvent).where(AuditEvent.id == ids[6]).values(detail="x"))
    report = audit.verify_trail(batch=2)
    assert (report.count, report.broken_at) == (6, ids[6])


# --- Several writers at once ------------------------------------------------------------------


def test_concurrent_writers_leave_one_chain(scratch_app):
    """Two threads, each with its own session and connection (a file on SQLite, in WAL mode;
    a database of its own on PostgreSQL), write events as fast as they can."""
    _db.create_all()
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def writer(label: str) -> None:
        try:
            with scratch_app.app_context():
                start.wait()
                for n in range(40):
                    for i in range(3):
                        audit.record("view", actor=None, detail=f"{label} {n}.{i}")
                    _db.session.commit()
                _db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(label,)) for label in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = audit.verify_trail()
    assert report.intact, report.problem
    assert report.count == 240
    # Both writers' events are interleaved in the one chain.
    details = [e.detail[0] for e in _db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert set(details) == {"a", "b"}
    with _db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


# --- The migration ----------------------------------------------------------------------------


def test_the_migration_chains_existing_events_then_guards_them(scratch_app):
    upgrade(revision=BEFORE)
    with _db.engine.begin() as conn:
        for n in range(5):
            conn.execute(
                text(
                    "INSERT INTO audit_events (occurred_at, action, detail) "
                    "VALUES (:at, 'view', :detail)"
                ),
                {
                    "at": datetime(2026, 3, 1, 10, n, 0, 1234 * n, timezone.utc),
                    "detail": f"old {n}",
                },
            )
    upgrade()
    report = audit.verify_trail()
    assert report.intact and report.count == 5
    write_events(2)
    assert audit.verify_trail().count == 7
    with _db.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("UPDATE audit_events SET detail = 'x'"))
    with _db.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("DELETE FROM audit_events WHERE id = 3"))
    assert audit.verify_trail().count == 7
