"""Funder figures (issue 19): housing and employment at intake and latest, the breakdowns by
demographics and age band, the small-cell rule, the page, exports and API. Worked examples run
through the SQL on whichever database the suite runs on (SQLite, or PostgreSQL with
TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from coachapp.models import Enrollment
from coachapp.reports import metrics, outcomes, store
from coachapp.reports.metrics import Period, Scope
from tests import factories
from tests.helpers import MARCH, QueryCounter, d
from tests.reports.helpers import _mixed_caseload, figures, housing, profile, work

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


# --- Breakdowns ------------------------------------------------------------------------------


def test_breakdown_sums_equal_the_headline(db, coach):
    _mixed_caseload(coach)
    scope = Scope(coach.program_id)
    headline, counts, _ = metrics.headline_with_counts(scope, MARCH)
    flat = dict(metrics.flatten(headline))
    alone = outcomes.housing_employment(scope, MARCH)
    housing_figures = alone["figures"]
    by_field = outcomes.breakdowns(scope, MARCH)
    # the stored funder figures take housing from the breakdown's own query: the same numbers
    together = outcomes.funder_report(scope, MARCH)
    assert together["housing_employment"] == alone and together["breakdowns"] == by_field
    assert sum(map(sum, (r.values() for r in alone["matrix"].values()))) == 10
    assert set(by_field) == set(outcomes.BY_FIELDS)
    for field, groups in by_field.items():
        for figure in outcomes.BREAKDOWN_FIGURES:
            cells = [g["figures"][figure.key] for g in groups]
            if figure.kind == "count":
                expected = counts.get(figure.rowset, housing_figures.get(figure.rowset))
                assert sum(c["value"] for c in cells) == expected, (field, figure.key)
            elif figure.kind in ("rate", "ratio"):
                numerator = sum(c["numerator"] for c in cells)
                denominator = sum(c["denominator"] for c in cells)
                expected = flat.get(figure.key, housing_figures.get(figure.key))
                assert metrics.rate(numerator, denominator) == expected, (field, figure.key)
            elif figure.kind == "sum":
                assert sum(c["value"] for c in cells) == flat[figure.key]
    # the worked numbers: 10 enrolled; gender: woman 2, man 2, declined 2, non-binary 2, and
    # clients 3 and 8 never asked (no profile row)
    gender = {
        g["value"]: g["figures"]["clients.enrolled"]["value"] for g in by_field["gender_identity"]
    }
    assert gender == {"woman": 2, "man": 2, "declined": 2, "non_binary": 2, "not_asked": 2}
    labels = [g["label"] for g in by_field["gender_identity"]][-2:]
    assert labels == ["Declined to answer", "Not asked"]
    ages = {g["value"] for g in by_field["age_band"]}
    assert "unknown" in ages


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2008, 3, 10), "18_24"),  # 18th birthday on the intake day
        (date(2008, 3, 11), "under_18"),  # the day after: still 17
        (date(2001, 3, 10), "25_34"),  # 25 on the day
        (date(2001, 3, 11), "18_24"),
        (date(1961, 3, 10), "65_plus"),
        (date(1961, 3, 11), "55_64"),
        (date(1971, 3, 11), "45_54"),
        (date(1981, 3, 10), "45_54"),
        (date(1991, 3, 10), "35_44"),
        (None, "unknown"),
    ],
)
def test_age_band_at_intake(db, coach, born, band):
    factories.client(coach, intake_date=d(3, 10), date_of_birth=born)
    by_field = outcomes.breakdowns(Scope(coach.program_id), MARCH)
    assert [g["value"] for g in by_field["age_band"]] == [band]


def test_small_cell_rule_at_10_and_11(db, coach):
    for n in range(21):
        c = factories.client(coach, intake_date=d(3, 2))
        profile(c, veteran_status="yes" if n < 10 else "no")
        factories.session(c, on=d(3, 5))
    by_field = outcomes.breakdowns(Scope(coach.program_id), MARCH)
    shown = outcomes.suppressed_breakdowns(by_field)
    veteran = {g["value"]: g["figures"] for g in shown["veteran_status"]}
    assert veteran["yes"]["clients.enrolled"] == {
        "value": "<11",
        "numerator": None,
        "denominator": None,
        "clients": None,
        "suppressed": True,
    }
    assert veteran["yes"]["clients.engagement_rate"]["value"] is None
    assert veteran["yes"]["clients.engagement_rate"]["suppressed"] is True
    assert veteran["no"]["clients.enrolled"]["value"] == 11
    assert veteran["no"]["clients.enrolled"]["suppressed"] is False
    assert veteran["no"]["clients.engagement_rate"]["value"] == 1.0
    # 11 sessions of 11 clients: shown; zero goals rests on no client: suppressed
    assert veteran["no"]["sessions.completed"]["value"] == 11
    assert veteran["no"]["goals.opened"]["value"] == "<11"
    matrix = outcomes.suppressed_matrix({"homeless": {"permanent": 10, "temporary": 11}})
    assert matrix == {"homeless": {"permanent": "<11", "temporary": 11}}


def test_a_count_of_many_rows_of_few_clients_is_suppressed(db, coach):
    """Suppression counts clients, not rows: 12 sessions of one client are "<11"."""
    c = factories.client(coach, intake_date=d(3, 2))
    for day in range(1, 13):
        factories.session(c, on=d(3, day))
    by_field = outcomes.suppressed_breakdowns(outcomes.breakdowns(Scope(coach.program_id), MARCH))
    cell = by_field["gender_identity"][0]["figures"]["sessions.completed"]
    assert cell["value"] == "<11"


def _grow(coach, n):
    for i in range(n):
        c = factories.client(
            coach, intake_date=d(2, 1 + i % 20), date_of_birth=date(1950 + i, 1, 1)
        )
        profile(c, gender_identity=["woman", "man", "declined"][i % 3], insurance="medicaid")
        factories.session(c, on=d(3, 1 + i % 25))
        factories.appointment(c, at=datetime(2026, 3, 1 + i % 25, 10), outcome="attended")
        factories.referral(c, referred_on=d(3, 3))
        factories.goal(c, opened_on=d(3, 2))
        factories.assessment(c, on=d(3, 4))
        housing(c, "emergency_shelter", d(2, 1))
        work(c, "unemployed_looking", d(2, 1))


def _statements(db, browser, url) -> int:
    db.session.execute(store.StoredReport.__table__.delete())
    db.session.commit()
    with QueryCounter(db.engine) as counter:
        assert browser.get(url).status_code == 200
    return counter.n


def test_statement_count_does_not_grow_with_the_data(db, login, program_manager, coach):
    browser = login(program_manager)
    url = "/reports/?start=2026-03-01&end=2026-03-31&by=gender_identity"
    _grow(coach, 3)
    small = _statements(db, browser, url)
    _grow(coach, 40)
    large = _statements(db, browser, url)
    assert small == large
    scope = Scope(coach.program_id)
    with QueryCounter(db.engine) as direct:
        outcomes.funder_report(scope, MARCH)
    # one query per row source, and whether the report rollups may be read
    assert direct.n == 9
