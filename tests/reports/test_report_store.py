"""Stored reports (coachapp/reports/store.py): served again only while nothing they count has
changed, so a stored report always equals the report computed now.

Every test compares the stored report with ``metrics.detailed_report`` computed afresh, and
counts how often the store computes. The worked example of metrics.md (March 2026) is the data.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session as OrmSession

from coachapp.extensions import db as _db
from coachapp.models import (
    Appointment,
    CoachingSession,
    Enrollment,
    Goal,
    Referral,
    ReportChange,
    StoredReport,
)
from coachapp.reports import metrics, store
from coachapp.reports.metrics import Period, Scope
from tests import factories
from tests.helpers import MARCH, d, supervision_note
from tests.reports.helpers import ROLLUP_TABLES

LATER = Period(date(2026, 10, 1), date(2026, 10, 31))
compute = metrics.detailed_report  # the real one, whatever a test patches


@pytest.fixture
def computed(monkeypatch):
    """How many times the store computed a report (``computed[0]``)."""
    calls = [0]

    def counting(scope, period):
        calls[0] += 1
        return compute(scope, period)

    monkeypatch.setattr(metrics, "detailed_report", counting)
    return calls


def fresh(scope: Scope, period: Period) -> dict:
    """The report computed now, through JSON as the store keeps it."""
    return json.loads(json.dumps(compute(scope, period)))


def stored(scope: Scope, period: Period) -> dict:
    report = store.detailed_report(scope, period)
    _db.session.commit()
    return report


def test_a_stored_report_equals_the_computed_one_and_is_read_back(example, computed):
    first = stored(example, MARCH)
    assert computed[0] == 1
    assert first == fresh(example, MARCH)
    assert first["clients"]["enrolled"] == 4  # the worked example
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(_db.engine, "before_cursor_execute", listener)
    try:
        again = stored(example, MARCH)
    finally:
        event.remove(_db.engine, "before_cursor_execute", listener)
    assert computed[0] == 1
    assert again == first
    assert len(statements) == 2  # the change counts, the stored row


def test_each_scope_and_period_is_stored_apart(example, coach, computed):
    team = Scope(example.program_id, supervisor_id=coach.supervisor_id)
    one_coach = Scope(example.program_id, coach_id=coach.id)
    for scope in (example, team, one_coach):
        for period in (MARCH, Period(d(3, 1), d(3, 15))):
            assert stored(scope, period) == fresh(scope, period)
    assert computed[0] == 6
    assert _db.session.scalar(select(StoredReport.id).limit(1)) is not None
    stored(one_coach, MARCH)
    assert computed[0] == 6


# --- Changes inside the period: the stored report is computed again ----------------------------


def _first(model, **where):
    return _db.session.scalars(select(model).filter_by(**where).order_by(model.id)).first()


def log_a_march_session(coach):
    client = _first(Enrollment, intake_date=d(3, 5)).client
    factories.session(client, on=d(3, 20), minutes=50)


def turn_a_completed_session_into_an_attempt(coach):
    row = _first(CoachingSession, date=d(3, 9))
    row.outcome = "attempted"
    _db.session.commit()


def move_a_session_out_of_the_period(coach):
    row = _first(CoachingSession, date=d(3, 1))
    row.date = d(5, 1)
    _db.session.commit()


def archive_a_session(coach):
    from coachapp.sessions.services import archive_session

    archive_session(_first(CoachingSession, date=d(3, 16)), reason="logged twice", actor=coach)
    _db.session.commit()


def record_a_no_show(coach):
    row = _db.session.scalars(select(Appointment).where(Appointment.outcome == "scheduled")).first()
    row.outcome = "no_show"
    _db.session.commit()


def connect_a_declined_referral(coach):
    from coachapp.referrals.services import change_status

    row = _first(Referral, status="declined")
    change_status(row, status="connected", on=d(3, 15), version=row.version, actor=coach)
    _db.session.commit()


def close_a_goal(coach):
    row = _first(Goal, status="active")
    row.status, row.closed_on = "discontinued", d(3, 30)
    _db.session.commit()


def add_a_check_in(coach):
    factories.assessment(_first(Enrollment, intake_date=d(12, 1, 2025)).client, on=d(3, 2))


def discharge_a_client(coach):
    from coachapp.clients.services import discharge

    client = _first(Enrollment, intake_date=d(1, 10)).client
    discharge(client, on=d(2, 20), reason="completed", note=None, version=None, actor=coach)
    _db.session.commit()


def add_a_supervision_note(coach):
    supervision_note(coach.supervisor, [coach], d(3, 20), 45)


def move_a_client_to_another_coach(coach):
    from coachapp.team.services import reassign

    other = factories.user("coach", program=coach.program, supervisor=coach.supervisor)
    client = _first(Enrollment, intake_date=d(3, 5)).client
    # Effective inside the period: credit from that day moves (a reassignment effective today
    # leaves March as it was: tests/reports/test_credit_to_coaches.py).
    reassign(
        client, other, actor=coach.supervisor, reason="Caseload balance", effective_on=d(3, 20)
    )
    _db.session.commit()


def deactivate_the_coach(coach):
    from coachapp.admin.services import deactivate_user

    admin = factories.user("admin")
    deactivate_user(coach, actor=admin)
    _db.session.commit()


CHANGES = [
    log_a_march_session,
    turn_a_completed_session_into_an_attempt,
    move_a_session_out_of_the_period,
    archive_a_session,
    record_a_no_show,
    connect_a_declined_referral,
    close_a_goal,
    add_a_check_in,
    discharge_a_client,
    add_a_supervision_note,
    move_a_client_to_another_coach,
    deactivate_the_coach,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__)
def test_a_change_inside_the_period_is_in_the_next_report(example, coach, computed, change):
    scope = Scope(example.program_id, coach_id=coach.id)
    before = stored(scope, MARCH)
    change(coach)
    after = stored(scope, MARCH)
    assert computed[0] == 2
    assert after == fresh(scope, MARCH)
    assert after != before  # each change moves a figure: the test could fail


# --- Changes after the period: the stored report is read back ----------------------------------


def test_todays_work_leaves_an_earlier_report_stored(example, coach, computed):
    before = stored(example, MARCH)
    client = _first(Enrollment, intake_date=d(3, 5)).client
    factories.session(client, on=d(11, 20), minutes=30)  # after March
    factories.client(coach, intake_date=d(11, 21))  # a new client, intake after March
    row = _first(CoachingSession, date=d(3, 9))
    row.note = "Talked about the housing waitlist."  # not a figure
    _db.session.commit()
    assert stored(example, MARCH) == before
    assert computed[0] == 1
    assert stored(example, LATER) == fresh(example, LATER)  # a later period sees the session
    assert computed[0] == 2


def _changes(month: date) -> int:
    return _db.session.scalar(select(ReportChange.changes).where(ReportChange.month == month))


def test_a_change_rolled_back_counts_for_nothing(example, computed):
    stored(example, MARCH)
    march = _changes(d(3, 1))
    row = _first(CoachingSession, date=d(3, 9))
    row.outcome = "attempted"
    _db.session.flush()
    _db.session.rollback()
    assert _changes(d(3, 1)) == march
    stored(example, MARCH)
    assert computed[0] == 1


def test_a_bulk_update_counts_for_every_period_unless_reports_do_not_read_it(example, computed):
    before = stored(example, MARCH)
    every_period = _changes(store.EVERY_PERIOD)
    _db.session.execute(update(CoachingSession).values(next_steps=None))
    _db.session.commit()
    assert stored(example, MARCH) == before
    assert computed[0] == 1
    _db.session.execute(
        update(CoachingSession).where(CoachingSession.date == d(3, 9)).values(duration_minutes=90)
    )
    _db.session.commit()
    after = stored(example, MARCH)
    assert computed[0] == 2
    assert after["sessions"]["minutes"] == before["sessions"]["minutes"] + 30
    assert _changes(store.EVERY_PERIOD) == every_period + 1


def test_an_update_by_primary_key_with_rows_as_parameters_counts_for_every_period(
    example, computed
):
    """``session.execute(update(Model), [rows])`` names its columns only in the rows: it
    counts, whatever they are."""
    before = stored(example, MARCH)
    row = _first(CoachingSession, date=d(3, 9))
    _db.session.execute(
        update(CoachingSession), [{"id": row.id, "version": row.version, "duration_minutes": 90}]
    )
    _db.session.commit()
    after = stored(example, MARCH)
    assert computed[0] == 2
    assert after["sessions"]["minutes"] == before["sessions"]["minutes"] + 30


def test_stored_reports_are_dropped_a_month_after_they_were_computed(example, computed):
    stored(example, MARCH)
    _db.session.execute(
        update(StoredReport).values(computed_at=datetime.now() - timedelta(days=31))
    )
    _db.session.commit()
    stored(example, Period(d(3, 1), d(3, 2)))  # storing one drops the old
    assert _db.session.scalars(select(StoredReport.end)).all() == [d(3, 2)]
    assert store.forget() == 1


# --- What is tracked covers what the report reads ----------------------------------------------

QUALIFIED = re.compile(r'"?\b([a-z_]+?)(?:_\d+)?"?\."?([a-z_0-9]+)"?')


def test_every_column_the_report_reads_is_tracked(example, coach):
    """Each ``table.column`` in the SQL of a report (every scope kind) is in ``TRACKED``, for
    every table of the schema: a new figure reading a new column fails here until the column
    is tracked (or reports would serve figures that ignore its changes)."""
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(_db.engine, "before_cursor_execute", listener)
    try:
        for scope in (
            example,
            Scope(example.program_id, supervisor_id=coach.supervisor_id),
            Scope(example.program_id, coach_id=coach.id),
        ):
            compute(scope, MARCH)  # whole months: sessions and appointments from the rollups
            compute(scope, Period(d(3, 2), d(3, 30)))  # other days: from the records
    finally:
        event.remove(_db.engine, "before_cursor_execute", listener)
    tables = set(_db.metadata.tables)
    read: dict[str, set[str]] = {}
    for sql in statements:
        for table, column in QUALIFIED.findall(sql):
            if table in tables - ROLLUP_TABLES and column in _db.metadata.tables[table].c:
                read.setdefault(table, set()).add(column)
    assert {"sessions", "appointments", "referrals", "enrollments", "clients"} <= set(read)
    untracked = {
        f"{table}.{column}"
        for table, columns in read.items()
        for column in columns
        if column not in store.TRACKED_TABLES.get(table, store.Tracked(frozenset())).columns
    }
    assert untracked == set()


# --- Two writers at once -----------------------------------------------------------------------


def test_a_change_committed_while_a_report_is_computed_is_in_the_next_one(
    scratch_app,  # noqa: F811 - fixture
    monkeypatch,
):
    """The counts are read before the figures: a change committed by another connection
    during the computation is either in the stored figures or makes the next view compute
    again, never lost (on PostgreSQL each statement sees the newest commits)."""
    from flask_migrate import upgrade

    upgrade()
    coach = factories.user("coach", program=factories.program())
    client = factories.client(coach, intake_date=d(3, 5))
    factories.session(client, on=d(3, 9))
    scope = Scope(coach.program_id)

    def computed_then_another_writer_commits(scope, period):
        report = compute(scope, period)
        with OrmSession(_db.engine) as other:
            other.add(
                CoachingSession(
                    client_id=client.id,
                    coach_id=coach.id,
                    date=d(3, 10),
                    duration_minutes=20,
                    outcome="completed",
                    modality="phone",
                    kind="coaching",
                )
            )
            other.commit()
        return report

    monkeypatch.setattr(metrics, "detailed_report", computed_then_another_writer_commits)
    first = stored(scope, MARCH)
    monkeypatch.setattr(metrics, "detailed_report", compute)
    assert first["sessions"]["completed"] == 1
    assert stored(scope, MARCH)["sessions"]["completed"] == 2
    assert stored(scope, MARCH) == fresh(scope, MARCH)
