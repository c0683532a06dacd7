"""Schema rules that later work relies on."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from coachapp.models import AuditArchive, AuditEvent, Base, Client
from coachapp.models.base import parse_id
from tests import factories


def test_every_foreign_key_is_indexed():
    """A foreign key is indexed on its own or as the leading column of an index or key."""
    missing = []
    for table in Base.metadata.sorted_tables:
        leading = {tuple(ix.columns)[0].name for ix in table.indexes}
        leading |= {tuple(table.primary_key.columns)[0].name}
        for uq in table.constraints:
            cols = getattr(uq, "columns", None)
            if cols is not None and len(cols) and uq.__class__.__name__ == "UniqueConstraint":
                leading.add(tuple(cols)[0].name)
        for fk in table.foreign_keys:
            if fk.parent.name not in leading:
                missing.append(f"{table.name}.{fk.parent.name}")
    assert missing == []


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("sessions", ("client_id", "date")),
        ("sessions", ("coach_id", "date")),
        ("appointments", ("client_id", "scheduled_at")),
        ("appointments", ("coach_id", "scheduled_at")),
        ("referrals", ("client_id", "referred_on")),
        ("referrals", ("coach_id", "referred_on")),
        ("goals", ("client_id", "opened_on")),
        ("assessments", ("client_id", "administered_on")),
        ("supervision_notes", ("supervisor_id", "date")),
        ("enrollments", ("client_id", "intake_date")),
    ],
)
def test_report_filter_pairs_are_indexed(table, columns):
    indexes = {tuple(c.name for c in ix.columns) for ix in Base.metadata.tables[table].indexes}
    assert columns in indexes


def test_clinical_tables_have_archive_columns():
    for name in (
        "clients",
        "goals",
        "sessions",
        "appointments",
        "referrals",
        "assessments",
        "supervision_notes",
        "consent_records",
    ):
        cols = Base.metadata.tables[name].columns
        assert {"archived_at", "archived_by_id", "archive_reason"} <= set(cols.keys()), name


def test_version_counters_where_security_md_asks():
    for name in ("clients", "goals", "appointments", "referrals"):
        assert "version" in Base.metadata.tables[name].columns, name


def test_stale_write_is_refused(db, coach):
    client = factories.client(coach)
    assert client.version == 1
    # Another request changes the record behind this session's back.
    db.session.execute(
        Client.__table__.update().where(Client.id == client.id).values(version=2, notes="x")
    )
    client.phone = "555-0100"
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()


def test_enum_values_are_checked_by_the_database(db, coach):
    client = factories.client(coach)
    client.status = "lost"
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_session_minutes_range_is_checked(db, coach):
    from coachapp.models import CoachingSession

    client = factories.client(coach)
    db.session.add(
        CoachingSession(
            client_id=client.id,
            coach_id=coach.id,
            date=date(2026, 3, 1),
            duration_minutes=721,
            modality="phone",
            kind="coaching",
            outcome="completed",
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_audit_events_are_append_only(db, coach):
    event = AuditEvent(action="view", user_id=coach.id)
    db.session.add(event)
    db.session.commit()
    event.action = "update"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_audit_archives_are_append_only(db):
    archive = AuditArchive(
        reason="test", source="t.jsonl", event_count=0, head_hash="0" * 64, events="[]"
    )
    db.session.add(archive)
    db.session.commit()
    archive.reason = "changed"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(archive)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_client_codes_count_up_per_program(db, coach, other_coach):
    first = factories.client(coach)
    second = factories.client(other_coach)
    other_program = factories.program()
    outsider = factories.user("coach", program=other_program)
    third = factories.client(outsider)
    assert (first.code, second.code, third.code) == ("C-00001", "C-00002", "C-00001")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7),
        (" 42 ", 42),
        (7, 7),
        (str(2**31 - 1), 2**31 - 1),
        (str(2**31), None),  # past the INTEGER column
        ("99999999999", None),
        ("0", None),
        ("-3", None),
        ("+3", None),
        ("²", None),  # a digit to str.isdigit, not to int()
        ("٣", None),  # an Arabic-Indic three: ids are ASCII digits
        ("", None),
        (None, None),
        ("1e3", None),
    ],
)
def test_parse_id_reads_an_id_or_nothing_and_never_raises(value, expected):
    assert parse_id(value) == expected
