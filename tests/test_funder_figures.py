"""Funder figures (issue 19): housing and employment at intake and latest, the breakdowns by
demographics and age band, the small-cell rule, the page, exports and API. Worked examples run
through the SQL on whichever database the suite runs on (SQLite, or PostgreSQL with
TEST_DATABASE_URL)."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from coachapp.auth.tokens import create_token
from coachapp.extensions import db as _db
from coachapp.models import ClientProfile, ClientStatusRecord, Enrollment
from coachapp.models.base import utcnow
from coachapp.reports import metrics, outcomes, store
from coachapp.reports.metrics import Period, Scope
from tests import factories
from tests.test_clients import QueryCounter

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


def status(client, kind: str, value: str, on: date, *, archived: bool = False):
    row = ClientStatusRecord(
        client_id=client.id,
        kind=kind,
        status=value,
        as_of=on,
        archived_at=utcnow() if archived else None,
    )
    _db.session.add(row)
    _db.session.commit()
    return row


def housing(client, value, on, **kw):
    return status(client, "housing", value, on, **kw)


def work(client, value, on, **kw):
    return status(client, "employment", value, on, **kw)


def profile(client, **fields):
    row = ClientProfile(client_id=client.id, **fields)
    _db.session.add(row)
    _db.session.commit()
    return row


def figures(scope, period=MARCH) -> dict:
    return outcomes.housing_employment(scope, period)


@pytest.fixture
def bearer(db):
    def _bearer(user):
        token, _row = create_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return _bearer


# --- Housing at intake and latest ---------------------------------------------------------------


def test_housing_matrix_and_headline_worked_example(db, coach):
    """A: shelter at intake → rental (permanent). B: street → transitional (temporary).
    C: street at intake, moves after the end: still homeless. D: rental at intake, its shelter
    row archived (a mistake). E: no housing status at all: not counted."""
    scope = Scope(coach.program_id)
    a = factories.client(coach, intake_date=d(2, 1))
    housing(a, "emergency_shelter", d(1, 20))
    housing(a, "rental_no_subsidy", d(3, 10))
    b = factories.client(coach, intake_date=d(3, 5))
    housing(b, "place_not_meant_for_habitation", d(3, 5))
    housing(b, "transitional_housing", d(3, 20))
    c = factories.client(coach, intake_date=d(3, 1))
    housing(c, "place_not_meant_for_habitation", d(3, 1))
    housing(c, "rental_with_subsidy", d(4, 1))  # after the end: ignored
    dd = factories.client(coach, intake_date=d(1, 10))
    housing(dd, "emergency_shelter", d(1, 10), archived=True)
    housing(dd, "rental_no_subsidy", d(1, 10))
    factories.client(coach, intake_date=d(3, 2))

    result = figures(scope)
    f = result["figures"]
    assert f["housing.with_status"] == 4
    assert f["housing.homeless_at_intake"] == 3
    assert f["housing.homeless_to_permanent"] == 1
    assert f["housing.homeless_to_permanent_rate"] == round(1 / 3, 4)
    assert f["housing.homeless_to_housed"] == 2
    assert f["housing.homeless_to_housed_rate"] == round(2 / 3, 4)
    matrix = result["matrix"]
    assert matrix["homeless"]["permanent"] == 1
    assert matrix["homeless"]["temporary"] == 1
    assert matrix["homeless"]["homeless"] == 1
    assert matrix["permanent"]["permanent"] == 1
    assert sum(sum(row.values()) for row in matrix.values()) == 4

    # The same period a month later sees C's move.
    april = figures(scope, Period(d(3, 1), d(4, 30)))["figures"]
    assert april["housing.homeless_to_permanent"] == 2


def test_intake_window_day_30_counts_day_31_does_not(db, coach):
    scope = Scope(coach.program_id)
    day30 = factories.client(coach, intake_date=d(2, 1))
    housing(day30, "emergency_shelter", d(3, 3))  # 2026-02-01 + 30 days
    day31 = factories.client(coach, intake_date=d(2, 1))
    housing(day31, "emergency_shelter", d(3, 4))  # + 31 days: not "at intake"
    before = factories.client(coach, intake_date=d(2, 1))
    housing(before, "safe_haven", d(1, 1))  # long before intake: the status on intake day
    housing(before, "rental_no_subsidy", d(2, 10))  # within the window, but intake has one
    f = figures(scope)["figures"]
    assert f["housing.homeless_at_intake"] == 2
    assert f["housing.with_status"] == 2


def test_window_row_after_the_end_is_not_intake(db, coach):
    """A status dated within 30 days of intake but after the period's end is not read."""
    scope = Scope(coach.program_id)
    c = factories.client(coach, intake_date=d(3, 25))
    housing(c, "emergency_shelter", d(4, 5))
    assert figures(scope)["figures"]["housing.with_status"] == 0
    later = figures(scope, Period(d(3, 1), d(4, 30)))["figures"]
    assert later["housing.homeless_at_intake"] == 1


def test_episode_is_the_latest_intake_by_the_end(db, coach):
    """Re-enrolled in March: intake is the March episode's, not January's."""
    scope = Scope(coach.program_id)
    c = factories.client(coach, intake_date=d(1, 5))
    db.session.get(Enrollment, c.enrollments[0].id).discharge_date = d(1, 31)
    db.session.add(Enrollment(client_id=c.id, intake_date=d(3, 2)))
    db.session.commit()
    housing(c, "rental_no_subsidy", d(1, 5))
    housing(c, "emergency_shelter", d(3, 2))
    housing(c, "rental_no_subsidy", d(3, 28))
    f = figures(scope)["figures"]
    assert f["housing.homeless_at_intake"] == 1 and f["housing.homeless_to_permanent"] == 1


def test_employment_gained_declined_excluded(db, coach):
    scope = Scope(coach.program_id)
    gained = factories.client(coach, intake_date=d(2, 1))
    work(gained, "unemployed_looking", d(2, 1))
    work(gained, "part_time", d(3, 15))
    not_yet = factories.client(coach, intake_date=d(2, 1))
    work(not_yet, "not_in_labor_force", d(2, 1))
    declined = factories.client(coach, intake_date=d(2, 1))
    work(declined, "declined", d(2, 1))
    work(declined, "full_time", d(3, 1))
    already = factories.client(coach, intake_date=d(2, 1))
    work(already, "full_time", d(2, 1))
    f = figures(scope)["figures"]
    assert f["employment.not_employed_at_intake"] == 2
    assert f["employment.gained"] == 1
    assert f["employment.gained_rate"] == 0.5


def test_only_clients_enrolled_in_the_period_and_in_scope(db, coach, other_coach):
    scope = Scope(coach.program_id, coach_id=coach.id)
    mine = factories.client(coach, intake_date=d(2, 1))
    housing(mine, "emergency_shelter", d(2, 1))
    theirs = factories.client(other_coach, intake_date=d(2, 1))
    housing(theirs, "emergency_shelter", d(2, 1))
    future = factories.client(coach, intake_date=d(4, 2))
    housing(future, "emergency_shelter", d(3, 1))
    assert figures(scope)["figures"]["housing.homeless_at_intake"] == 1
    whole = figures(Scope(coach.program_id))["figures"]
    assert whole["housing.homeless_at_intake"] == 2
