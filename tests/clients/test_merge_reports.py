"""Reports equal the reports of the merged person: a program with a planted duplicate, once
merged, reports exactly what the same program built with one record holding everything does;
after undo, what it reported before. Program, each coach and the team, over several periods, from
the rollups and from the records."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from coachapp.merges import services
from coachapp.models import (
    ClientAssignment,
    Enrollment,
    ReportClientMonth,
    ReportCoachMonth,
    ReportEpisode,
)
from coachapp.reports import figures, store, upkeep
from coachapp.scope import Period, Scope
from tests import factories
from tests.helpers import discharge

PERIODS = [
    Period(date(2025, 9, 1), date(2026, 3, 31)),
    Period(date(2025, 9, 1), date(2025, 9, 30)),
    Period(date(2025, 12, 1), date(2026, 1, 31)),
    Period(date(2026, 1, 1), date(2026, 3, 31)),
    Period(date(2025, 10, 3), date(2026, 2, 11)),
]


def first_episode(client):
    factories.session(client, on=date(2025, 9, 10))
    factories.session(client, on=date(2025, 10, 1), outcome="attempted", minutes=5)
    factories.appointment(client, at=datetime(2025, 10, 5, 9), outcome="no_show")
    factories.referral(
        client, referred_on=date(2025, 9, 20), status="connected", connected_on=date(2025, 10, 1)
    )
    factories.goal(
        client, opened_on=date(2025, 9, 15), status="achieved", closed_on=date(2025, 11, 1)
    )
    factories.assessment(client, on=date(2025, 9, 5), items=(3,) * 10)


def second_episode(client):
    factories.session(client, on=date(2026, 1, 10), minutes=60)
    factories.session(client, on=date(2026, 2, 10))
    factories.appointment(client, at=datetime(2026, 1, 20, 14), outcome="attended")
    factories.referral(client, referred_on=date(2026, 2, 1))
    factories.goal(client, opened_on=date(2026, 1, 15))
    factories.assessment(client, on=date(2026, 2, 5), items=(5,) * 10)


def build(db, *, duplicate: bool, overlap: bool = False) -> dict:
    """One program; its person held by coach B in 2025 (discharged 2025-12-15) and by coach A
    from 2026-01-05: one record, or two (``duplicate``).

    ``overlap``: one episode from 2025-09-01, still open. Entered twice, the first record's
    episode runs to 2026-01-20 over the second's (from 2026-01-05, open): combined, they are
    that one episode."""
    program = factories.program()
    supervisor = factories.user("supervisor", program=program, name="Sue Pervisor")
    coach_a = factories.user("coach", program=program, supervisor=supervisor, name="Al A")
    coach_b = factories.user("coach", program=program, supervisor=supervisor, name="Bea B")
    other = factories.client(coach_a, intake_date=date(2026, 1, 2))
    factories.session(other, on=date(2026, 1, 3))
    early = factories.client(
        coach_b, first_name="Jose", last_name="Nunez", intake_date=date(2025, 9, 1)
    )
    first_episode(early)
    if not overlap:
        discharge(early, date(2025, 12, 15))
    elif duplicate:
        discharge(early, date(2026, 1, 20))
    if duplicate:
        late = factories.client(
            coach_a, first_name="José", last_name="Núñez", intake_date=date(2026, 1, 5)
        )
    else:
        late = early
        late.coach_id, late.status = coach_a.id, "active"
        if not overlap:
            db.session.add(Enrollment(client_id=late.id, intake_date=date(2026, 1, 5)))
        row = db.session.scalar(
            select(ClientAssignment).where(ClientAssignment.client_id == late.id)
        )
        row.ends_on = date(2026, 1, 5)
        db.session.add(
            ClientAssignment(client_id=late.id, coach_id=coach_a.id, starts_on=date(2026, 1, 5))
        )
        db.session.commit()
    second_episode(late)
    labels = {
        "program_id": {program.id: "program"},
        "staff": {supervisor.id: "supervisor", coach_a.id: "coach_a", coach_b.id: "coach_b"},
    }
    scopes = [
        Scope(program.id),
        Scope(program.id, coach_id=coach_a.id),
        Scope(program.id, coach_id=coach_b.id),
        Scope(program.id, supervisor_id=supervisor.id),
    ]
    return {
        "survivor": late,
        "duplicate": early,
        "supervisor": supervisor,
        "labels": labels,
        "scopes": scopes,
    }


def named(value, labels):
    """A report with the ids of its program and staff replaced by their role in the world."""
    if isinstance(value, dict):
        return {
            k: (
                labels.get(k, labels["staff"]).get(v, v)
                if k.endswith("_id") and isinstance(v, int)
                else named(v, labels)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [named(v, labels) for v in value]
    return value


def reports(app, db, world, *, rollups: bool = True) -> list:
    app.config["REPORT_ROLLUPS"] = rollups
    db.session.rollback()
    try:
        return [
            named(figures.detailed_report(scope, period), world["labels"])
            for scope in world["scopes"]
            for period in PERIODS
        ]
    finally:
        app.config["REPORT_ROLLUPS"] = True


@pytest.mark.parametrize("rollups", [True, False])
def test_a_merged_duplicate_reports_as_one_record_and_undo_as_before(app, db, rollups):
    single = build(db, duplicate=False)
    twice = build(db, duplicate=True)
    one_record = reports(app, db, single, rollups=rollups)
    before = reports(app, db, twice, rollups=rollups)
    assert before != one_record  # the duplicate counts the person twice somewhere

    merge_row = services.merge(twice["survivor"], twice["duplicate"], {}, actor=twice["supervisor"])
    db.session.commit()
    assert reports(app, db, twice, rollups=rollups) == one_record

    services.undo(merge_row, actor=twice["supervisor"])
    db.session.commit()
    assert reports(app, db, twice, rollups=rollups) == before


@pytest.mark.parametrize("rollups", [True, False])
def test_a_duplicate_whose_episode_overlaps_reports_as_one_record_once_combined(app, db, rollups):
    single = build(db, duplicate=False, overlap=True)
    twice = build(db, duplicate=True, overlap=True)
    one_record = reports(app, db, single, rollups=rollups)
    before = reports(app, db, twice, rollups=rollups)
    assert before != one_record

    survivor, duplicate = twice["survivor"], twice["duplicate"]
    [pair] = services.overlaps(survivor, duplicate)
    merge_row = services.merge(
        survivor,
        duplicate,
        {},
        episodes={str(pair.theirs.id): "combine"},
        actor=twice["supervisor"],
    )
    db.session.commit()
    episodes = db.session.scalars(select(Enrollment).where(Enrollment.client_id == survivor.id))
    assert [(e.intake_date, e.discharge_date) for e in episodes] == [(date(2025, 9, 1), None)]
    assert reports(app, db, twice, rollups=rollups) == one_record

    services.undo(merge_row, actor=twice["supervisor"])
    db.session.commit()
    assert reports(app, db, twice, rollups=rollups) == before


def test_rollups_kept_through_a_combining_merge_and_undo_equal_a_rebuild(app, db):
    twice = build(db, duplicate=True, overlap=True)
    [pair] = services.overlaps(twice["survivor"], twice["duplicate"])
    merge_row = services.merge(
        twice["survivor"],
        twice["duplicate"],
        {},
        episodes={str(pair.theirs.id): "combine"},
        actor=twice["supervisor"],
    )
    db.session.commit()
    kept = _rows()
    upkeep.rebuild(db.session.connection())
    db.session.commit()
    assert _rows() == kept
    services.undo(merge_row, actor=twice["supervisor"])
    db.session.commit()
    kept = _rows()
    upkeep.rebuild(db.session.connection())
    db.session.commit()
    assert _rows() == kept


def _rows() -> tuple:
    from coachapp.extensions import db

    found = []
    for model in (ReportClientMonth, ReportCoachMonth, ReportEpisode):
        table = model.__table__
        query = select(table).order_by(*table.primary_key.columns)
        found.append([tuple(row) for row in db.session.execute(query)])
    return tuple(found)


def test_rollups_kept_through_merge_and_undo_equal_a_rebuild(app, db):
    twice = build(db, duplicate=True)
    merge_row = services.merge(twice["survivor"], twice["duplicate"], {}, actor=twice["supervisor"])
    db.session.commit()
    kept = _rows()
    upkeep.rebuild(db.session.connection())
    db.session.commit()
    assert _rows() == kept
    services.undo(merge_row, actor=twice["supervisor"])
    db.session.commit()
    kept = _rows()
    upkeep.rebuild(db.session.connection())
    db.session.commit()
    assert _rows() == kept


def test_stored_reports_are_computed_again_after_a_merge_and_its_undo(app, db):
    """The report store counts the merge's changes (rows re-pointed one by one): a report stored
    before is not served after, neither after the undo."""
    twice = build(db, duplicate=True)
    scope, period = twice["scopes"][1], PERIODS[0]  # coach A, whose credit the merge changes

    def stored():
        db.session.rollback()
        found = store.detailed_report(scope, period)
        db.session.commit()
        return found

    before = stored()
    assert stored() == before  # served as stored
    merge_row = services.merge(twice["survivor"], twice["duplicate"], {}, actor=twice["supervisor"])
    db.session.commit()
    after = stored()
    assert after == figures.detailed_report(scope, period) != before
    services.undo(merge_row, actor=twice["supervisor"])
    db.session.commit()
    assert stored() == before
