"""The report rollups (reports/rollups.py, reports/upkeep.py) against the records they sum.

The records stay the definition: every report is computed twice, from the rollups and with
``REPORT_ROLLUPS`` off, over random histories (reassignments in the middle of a month,
backdated and moved records, archived records and clients, appointments at midnight on a
month's edge) and random periods (whole months, parts of months, one day), for the program,
each coach and each team. The rows kept change by change equal a rebuild from scratch. Runs on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import random
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import event, func, select, update

from coachapp.extensions import db as _db
from coachapp.models import (
    Appointment,
    Client,
    CoachingSession,
    Enrollment,
    ReportClientMonth,
    ReportCoachMonth,
    ReportEpisode,
    ReportRollupStatus,
)
from coachapp.models.base import utcnow
from coachapp.records import RuleError
from coachapp.reports import metrics, rollups, store, upkeep
from coachapp.scope import Period, Scope
from coachapp.team.services import reassign
from tests import factories

FIRST, LAST = date(2025, 6, 1), date(2026, 11, 30)
SESSION_OUTCOMES = ("completed", "completed", "attempted")
APPOINTMENT_OUTCOMES = ("attended", "no_show", "cancelled", "rescheduled", "scheduled")


def _day(rnd: random.Random, first: date = FIRST, last: date = LAST) -> date:
    return first + timedelta(days=rnd.randrange((last - first).days + 1))


def _moment(rnd: random.Random, first: date = FIRST) -> datetime:
    """Often on a month's last evening or first midnight: the edges of a month's rows."""
    day = _day(rnd, first)
    edge = rnd.random()
    if edge < 0.15:
        day = day.replace(day=1)
        return datetime.combine(day, time(0, 0))
    if edge < 0.3:
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return datetime.combine(min(day, LAST), time(23, 30))
    return datetime.combine(day, time(rnd.randrange(8, 18), 0))


def _history(rnd: random.Random, program, supervisor, other_supervisor, admin) -> list:
    """Random clients, records and reassignments, committed one change at a time."""
    coaches = [
        factories.user("coach", program=program, supervisor=supervisor),
        factories.user("coach", program=program, supervisor=supervisor),
        factories.user("coach", program=program, supervisor=other_supervisor),
    ]
    clients = []
    for _ in range(rnd.randrange(4, 8)):
        intake = _day(rnd, FIRST, date(2026, 8, 1))
        client = factories.client(rnd.choice(coaches), intake_date=intake)
        clients.append(client)
        for _ in range(rnd.randrange(0, 9)):
            factories.session(
                client,
                on=_day(rnd, intake - timedelta(days=20)),
                outcome=rnd.choice(SESSION_OUTCOMES),
                minutes=rnd.randrange(10, 90),
                archived_at=utcnow() if rnd.random() < 0.1 else None,
            )
        for _ in range(rnd.randrange(0, 6)):
            outcome = rnd.choice(APPOINTMENT_OUTCOMES)
            factories.appointment(
                client,
                at=_moment(rnd, intake - timedelta(days=20)),
                outcome=outcome,
                accompaniment_planned=rnd.random() < 0.5,
                coach_accompanied=(rnd.random() < 0.5) if outcome == "attended" else None,
                archived_at=utcnow() if rnd.random() < 0.1 else None,
            )
        for _ in range(rnd.randrange(0, 3)):
            others = [c for c in coaches if c.id != client.coach_id]
            with contextlib.suppress(RuleError):
                reassign(
                    client,
                    rnd.choice(others),
                    actor=admin,
                    reason="Caseload balance",
                    effective_on=_day(rnd, intake, date(2026, 11, 20)),
                    today=date(2026, 12, 1),
                )
            _db.session.commit()
    return coaches + clients


def _edit(rnd: random.Random, clients: list[Client]) -> None:
    """Later changes, each in its own transaction: a session moved to another month, an
    appointment's outcome changed or archived, a record moved to another client, a client
    archived, an episode discharged, a session deleted."""
    db = factories.db
    sessions = db.session.scalars(select(CoachingSession)).all()
    appointments = db.session.scalars(select(Appointment)).all()
    for _ in range(8):
        choice = rnd.random()
        if choice < 0.25 and sessions:
            rnd.choice(sessions).date = _day(rnd)
        elif choice < 0.45 and appointments:
            row = rnd.choice(appointments)
            row.outcome = rnd.choice(APPOINTMENT_OUTCOMES)
            row.scheduled_at = _moment(rnd)
        elif choice < 0.55 and appointments:
            rnd.choice(appointments).archived_at = utcnow()
        elif choice < 0.7 and sessions:
            rnd.choice(sessions).client_id = rnd.choice(clients).id
        elif choice < 0.75:
            rnd.choice(clients).archived_at = utcnow()
        elif choice < 0.85:
            episode = _db.session.scalars(
                select(Enrollment).where(Enrollment.client_id == rnd.choice(clients).id)
            ).first()
            if episode is not None:
                episode.discharge_date = _day(rnd, episode.intake_date)
        elif sessions:
            row = rnd.choice(sessions)
            sessions.remove(row)
            db.session.delete(row)
        db.session.commit()


def _periods(rnd: random.Random) -> list[Period]:
    periods = [
        Period(date(2025, 12, 1), date(2026, 11, 30)),  # the report's default: 12 whole months
        Period(date(2026, 3, 1), date(2026, 3, 31)),
        Period(date(2026, 2, 14), date(2026, 2, 14)),
    ]
    for _ in range(5):
        start = _day(rnd)
        periods.append(Period(start, _day(rnd, start, LAST)))
    return periods


def _report(app, scope: Scope, period: Period, *, from_rollups: bool) -> dict:
    app.config["REPORT_ROLLUPS"] = from_rollups
    _db.session.rollback()  # a new transaction asks again whether they may be read
    try:
        return metrics.detailed_report(scope, period)
    finally:
        app.config["REPORT_ROLLUPS"] = True


def _rows(model) -> list[tuple]:
    table = model.__table__
    query = select(table).order_by(*table.primary_key.columns)
    return [tuple(row) for row in _db.session.execute(query)]


@pytest.mark.parametrize("seed", range(8))
def test_figures_from_rollups_equal_figures_from_records(
    app, seed, program, supervisor, other_supervisor, admin
):
    rnd = random.Random(seed)
    people = _history(rnd, program, supervisor, other_supervisor, admin)
    coaches, clients = people[:3], people[3:]
    _edit(rnd, clients)
    scopes = [
        Scope(program.id),
        *(Scope(program.id, coach_id=c.id) for c in coaches),
        Scope(program.id, supervisor_id=supervisor.id),
        Scope(program.id, supervisor_id=other_supervisor.id),
    ]
    assert _rows(ReportCoachMonth), "the history put nothing in the rollups"
    for period in _periods(rnd):
        for scope in scopes:
            direct = _report(app, scope, period, from_rollups=False)
            summed = _report(app, scope, period, from_rollups=True)
            assert summed == direct, (scope, period)


@pytest.mark.parametrize("seed", range(3))
def test_rows_kept_change_by_change_equal_a_rebuild(
    db, seed, program, supervisor, other_supervisor, admin
):
    rnd = random.Random(100 + seed)
    people = _history(rnd, program, supervisor, other_supervisor, admin)
    _edit(rnd, people[3:])
    kept = _rows(ReportClientMonth), _rows(ReportCoachMonth), _rows(ReportEpisode)
    assert kept[0] and kept[2]
    upkeep.rebuild(db.session.connection())
    db.session.commit()
    assert (_rows(ReportClientMonth), _rows(ReportCoachMonth), _rows(ReportEpisode)) == kept


def test_rows_written_in_bulk_rebuild_everything_at_commit(
    db, program, supervisor, other_supervisor, admin
):
    rnd = random.Random(7)
    _history(rnd, program, supervisor, other_supervisor, admin)
    db.session.execute(update(CoachingSession).values(outcome="completed"))
    db.session.commit()
    kept = _rows(ReportClientMonth), _rows(ReportCoachMonth), _rows(ReportEpisode)
    completed = sum(row.sessions_completed for row in db.session.scalars(select(ReportCoachMonth)))
    assert completed == db.session.scalar(
        select(func.count()).where(CoachingSession.archived_at.is_(None))
    )
    upkeep.rebuild(db.session.connection())
    db.session.commit()
    assert (_rows(ReportClientMonth), _rows(ReportCoachMonth), _rows(ReportEpisode)) == kept


def test_a_report_of_whole_months_reads_the_rollups_not_the_sessions(db, coach):
    client = factories.client(coach, intake_date=date(2026, 1, 5))
    factories.session(client, on=date(2026, 3, 10))
    factories.appointment(client, at=datetime(2026, 3, 12, 9), outcome="attended")
    statements: list[str] = []

    def listener(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        report = metrics.detailed_report(
            Scope(coach.program_id), Period(date(2026, 3, 1), date(2026, 3, 31))
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert report["sessions"]["completed"] == 1
    assert report["appointments"]["attended"] == 1
    sums = [s for s in statements if "report_coach_months" in s]
    # the headline's sessions and appointments, appointments by coach and by month
    assert len(sums) == 4
    # the sessions' own count (with their minutes) is not run over the records
    assert not any("sessions.duration_minutes" in s for s in statements)


def test_an_upgraded_database_reads_records_until_rebuilt(db, coach, app):
    client = factories.client(coach, intake_date=date(2026, 1, 5))
    factories.session(client, on=date(2026, 3, 10))
    march = Period(date(2026, 3, 1), date(2026, 3, 31))
    scope = Scope(coach.program_id)
    # As the migration leaves a database that had records: rollups empty, a rebuild due.
    db.session.execute(ReportClientMonth.__table__.delete())
    db.session.execute(ReportCoachMonth.__table__.delete())
    db.session.add(ReportRollupStatus(id=1, needs_rebuild=True))
    db.session.commit()
    assert not rollups.enabled()
    assert metrics.headline(scope, march)["sessions"]["completed"] == 1
    factories.session(client, on=date(2026, 3, 11))  # nothing kept until the rebuild
    assert _rows(ReportCoachMonth) == []
    result = app.test_cli_runner().invoke(args=["reports", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "report rollups rebuilt: 1 client-month rows" in result.output
    db.session.rollback()
    assert rollups.enabled()
    assert metrics.headline(scope, march)["sessions"]["completed"] == 2
    assert sum(r.sessions_completed for r in db.session.scalars(select(ReportCoachMonth))) == 2


def test_every_change_the_rollups_follow_is_one_the_report_store_tracks():
    """A change that alters the rollups alters stored reports too (store.TRACKED), so a stored
    report and the rollups never disagree about what changed."""
    for model, columns in upkeep.WATCHED.items():
        tracked = store.TRACKED[model].columns
        assert (columns or frozenset()) <= tracked, model
