"""SUPRT follow-up interviews: the schedule's edges (pure function), the same windows in SQL on
SQLite and PostgreSQL, the rates of metrics.md's worked example, the due-this-week lists, the
access rule on every route, the forms, the API and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coachapp.extensions import db as _db
from coachapp.followups import metrics
from coachapp.followups.schedule import (
    State,
    add_months,
    schedule,
    six_month_window,
    window_for,
)
from coachapp.models import Enrollment
from coachapp.models.enums import InterviewKind
from coachapp.reports.metrics import Period, Scope, scope_clients
from tests import factories

B, S, C = InterviewKind.BASELINE, InterviewKind.SIX_MONTH, InterviewKind.CLOSEOUT


INTAKE = date(2026, 1, 10)


def states(intake, discharge, today, done=None):
    return {i.kind: i.state for i in schedule(intake, discharge, today, done)}


# --- The schedule, a pure function -----------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [(29, State.OPEN), (30, State.OPEN), (31, State.MISSED)],
)
def test_baseline_window_day_29_30_31(day, expected):
    assert states(INTAKE, None, INTAKE + timedelta(days=day))[B] == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [(29, State.DONE), (30, State.DONE), (31, State.DONE_LATE)],
)
def test_baseline_done_on_day_29_30_31(day, expected):
    done = {B: INTAKE + timedelta(days=day)}
    assert states(INTAKE, None, date(2026, 12, 1), done)[B] == expected


def test_open_interview_has_its_days_left():
    items = schedule(INTAKE, None, INTAKE + timedelta(days=29))
    assert items[0].state == State.OPEN and items[0].days_left == 1
    assert schedule(INTAKE, None, INTAKE + timedelta(days=30))[0].days_left == 0


@pytest.mark.parametrize(
    ("day", "expected"),
    [(-1, State.UPCOMING), (0, State.OPEN), (29, State.OPEN), (30, State.OPEN), (31, State.MISSED)],
)
def test_closeout_window_after_discharge(day, expected):
    discharge = date(2026, 3, 1)
    assert states(INTAKE, discharge, discharge + timedelta(days=day))[C] == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [(29, State.DONE), (30, State.DONE), (31, State.DONE_LATE), (-1, State.NOT_DUE)],
)
def test_closeout_done_relative_to_discharge(day, expected):
    discharge = date(2026, 3, 1)
    if day < 0:  # recorded before discharge: the episode is still open, the closeout not due
        assert states(INTAKE, None, discharge, {C: discharge})[C] == State.NOT_DUE
        return
    done = {C: discharge + timedelta(days=day)}
    assert states(INTAKE, discharge, date(2026, 12, 1), done)[C] == expected


def test_six_month_window_edges():
    window = six_month_window(INTAKE)
    target = date(2026, 7, 10)
    assert window.target == target
    assert (window.opens, window.closes) == (target - timedelta(30), target + timedelta(30))
    as_of = {
        -31: State.UPCOMING,
        -30: State.OPEN,
        30: State.OPEN,
        31: State.MISSED,
    }
    for offset, expected in as_of.items():
        assert states(INTAKE, None, target + timedelta(days=offset))[S] == expected, offset
    done = {
        -31: State.DONE_EARLY,
        -30: State.DONE,
        30: State.DONE,
        31: State.DONE_LATE,
    }
    for offset, expected in done.items():
        got = states(INTAKE, None, date(2027, 1, 1), {S: target + timedelta(days=offset)})[S]
        assert got == expected, offset


@pytest.mark.parametrize(
    ("intake", "target"),
    [
        (date(2025, 8, 31), date(2026, 2, 28)),  # clipped to the month's last day
        (date(2023, 8, 31), date(2024, 2, 29)),  # leap year
        (date(2023, 8, 29), date(2024, 2, 29)),
        (date(2023, 8, 30), date(2024, 2, 29)),
        (date(2025, 12, 31), date(2026, 6, 30)),
        (date(2025, 9, 30), date(2026, 3, 30)),
        (date(2026, 7, 31), date(2027, 1, 31)),  # across the year
        (date(2024, 2, 29), date(2024, 8, 29)),  # from a leap day
    ],
)
def test_month_end_clipping(intake, target):
    assert add_months(intake, 6) == target
    assert six_month_window(intake).target == target


def test_six_month_not_due_when_discharged_before_its_window_opened():
    opens = six_month_window(INTAKE).opens
    assert window_for(S, INTAKE, opens - timedelta(days=1)) is None
    assert states(INTAKE, opens - timedelta(days=1), date(2027, 1, 1))[S] == State.NOT_DUE
    # discharged the day the window opens: still due, and so is the closeout
    assert window_for(S, INTAKE, opens) is not None
    assert states(INTAKE, opens, opens)[S] == State.OPEN
    assert states(INTAKE, opens, opens)[C] == State.OPEN


def test_closeout_not_due_while_the_episode_is_open():
    assert states(INTAKE, None, date(2027, 1, 1))[C] == State.NOT_DUE


def test_discharge_on_the_intake_day():
    got = schedule(INTAKE, INTAKE, INTAKE)
    assert [i.state for i in got] == [State.OPEN, State.NOT_DUE, State.OPEN]
    assert got[0].window == got[2].window  # both [intake, intake + 30]
    assert got[0].days_left == 30


def test_re_enrollment_each_episode_its_own_schedule():
    first = schedule(date(2025, 1, 5), date(2025, 3, 1), date(2026, 3, 1), {B: date(2025, 1, 9)})
    second = schedule(date(2026, 2, 20), None, date(2026, 3, 1))
    assert [i.state for i in first] == [State.DONE, State.NOT_DUE, State.MISSED]
    assert [i.state for i in second] == [State.OPEN, State.UPCOMING, State.NOT_DUE]
    assert second[1].window.target == date(2026, 8, 20)


def test_done_outside_the_window_does_not_count():
    items = schedule(INTAKE, None, date(2026, 12, 1), {B: INTAKE + timedelta(days=31)})
    assert items[0].state == State.DONE_LATE and not items[0].counts
    assert schedule(INTAKE, None, date(2026, 12, 1), {B: INTAKE})[0].counts


# --- The same windows in SQL -------------------------------------------------------------------


INTAKES = [
    date(2025, 8, 31),
    date(2023, 8, 31),
    date(2023, 8, 29),
    date(2024, 2, 29),
    date(2025, 12, 31),
    date(2026, 1, 31),
    date(2026, 3, 31),
    date(2026, 5, 31),
    date(2026, 7, 15),
    date(2027, 8, 30),
]


def test_sql_windows_match_the_schedule(db, coach):
    """Every episode's windows from SQL (SQLite or PostgreSQL, whichever the run uses) equal
    the pure function's: month ends, leap years, discharges before and inside the window."""
    client = factories.client(coach, intake_date=INTAKES[0])
    _db.session.execute(Enrollment.__table__.delete().where(Enrollment.client_id == client.id))
    expected = set()
    for intake in INTAKES:
        opens = six_month_window(intake).opens
        for discharge in (None, intake, opens - timedelta(days=1), opens, intake + timedelta(200)):
            episode = Enrollment(client_id=client.id, intake_date=intake, discharge_date=discharge)
            _db.session.add(episode)
            _db.session.flush()
            for kind in InterviewKind:
                window = window_for(kind, intake, discharge)
                if window is not None:
                    expected.add((episode.id, kind.value, window.opens, window.closes))
    _db.session.commit()
    windows = metrics.window_rows(scope_clients(Scope(coach.program_id)))
    got = {
        (r.enrollment_id, r.kind, r.opens, r.closes) for r in _db.session.execute(select(windows))
    }
    assert got == expected


# --- The rates: metrics.md's worked example --------------------------------------------------


MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def test_worked_example_rates(example, coach):
    got = metrics.figures(Scope(coach.program_id), MARCH, today=date(2026, 4, 15))
    assert got["six_month"] == {
        "due": 5,
        "done": 3,
        "outside_window": 1,
        "not_done": 1,
        "rate": 0.6,
    }
    assert got["baseline"] == {
        "due": 3,
        "done": 1,
        "outside_window": 1,
        "not_done": 1,
        "rate": 0.3333,
    }
    assert got["closeout"] == {"due": 1, "done": 1, "outside_window": 0, "not_done": 0, "rate": 1.0}
    assert got["target"] == 0.8


def test_a_coach_scope_narrows_the_rates(example, coach):
    got = metrics.figures(
        Scope(coach.program_id, coach_id=coach.id), MARCH, today=date(2026, 4, 15)
    )
    assert (got["six_month"]["due"], got["six_month"]["done"], got["six_month"]["rate"]) == (
        4,
        2,
        0.5,
    )


def test_windows_still_open_are_not_counted_yet(example, coach):
    """Asked on 2026-03-25, F-1 (closes 03-30) and F-8 (closes 03-31) are still open."""
    got = metrics.figures(
        Scope(coach.program_id, coach_id=coach.id), MARCH, today=date(2026, 3, 25)
    )
    assert (got["six_month"]["due"], got["six_month"]["done"]) == (2, 0)
    assert got["closeout"]["due"] == 1  # F-5's closes 03-22


def test_no_due_interview_is_a_null_rate(db, coach):
    got = metrics.figures(Scope(coach.program_id), MARCH, today=date(2026, 4, 15))
    assert got["six_month"] == {
        "due": 0,
        "done": 0,
        "outside_window": 0,
        "not_done": 0,
        "rate": None,
    }
