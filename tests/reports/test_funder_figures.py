"""Funder figures (issue 19): housing and employment at intake and latest, the breakdowns by
demographics and age band, the small-cell rule, the page, exports and API. Worked examples run
through the SQL on whichever database the suite runs on (SQLite, or PostgreSQL with
TEST_DATABASE_URL)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from coachapp.extensions import db as _db
from coachapp.models import ClientProfile, ClientStatusRecord, Enrollment
from coachapp.models.base import utcnow
from coachapp.reports import metrics, outcomes, store
from coachapp.reports.metrics import Period, Scope
from tests import factories
from tests.helpers import QueryCounter, d

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


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


def _mixed_caseload(coach):
    """Clients with every kind of record and varied profiles (some not asked, some declined)."""
    genders = ["woman", "man", "declined", None, "non_binary"]
    clients = []
    for n in range(10):
        c = factories.client(
            coach,
            intake_date=d(2, 1) if n % 2 else d(3, 3),
            date_of_birth=date(1960 + 5 * n, 6, 1) if n != 3 else None,
        )
        if genders[n % 5] is not None or n % 3:
            profile(c, gender_identity=genders[n % 5], veteran_status="yes" if n % 4 else None)
        factories.session(c, on=d(3, 4 + n), minutes=30 + n)
        if n % 3:
            factories.session(c, on=d(3, 20), outcome="attempted")
        factories.appointment(
            c, at=datetime(2026, 3, 5 + n, 9), outcome="attended" if n % 2 else "no_show"
        )
        factories.referral(
            c,
            referred_on=d(3, 2),
            status="connected" if n % 2 else "referred",
            **({"connected_on": d(3, 12)} if n % 2 else {}),
        )
        factories.goal(
            c,
            opened_on=d(3, 1),
            status="achieved" if n % 2 else "active",
            **({"closed_on": d(3, 20)} if n % 2 else {}),
        )
        factories.assessment(c, on=d(1, 15), items=(3,) * 10)
        if n % 2:
            factories.assessment(c, on=d(3, 15), items=(4,) * 10)
        housing(c, "emergency_shelter" if n % 2 else "rental_no_subsidy", d(2, 1))
        if n % 4 == 1:
            housing(c, "rental_with_subsidy", d(3, 10))
        work(c, "unemployed_looking", d(2, 1))
        if n % 3 == 0:
            work(c, "full_time", d(3, 10))
        clients.append(c)
    return clients


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
    assert direct.n == 8  # one query per row source


# --- Page and exports ------------------------------------------------------------------------

MARCH_ARGS = {"start": "2026-03-01", "end": "2026-03-31"}


def _eleven_homeless_one_housed(coach):
    for n in range(11):
        c = factories.client(coach, intake_date=d(2, 1))
        profile(c, gender_identity="woman" if n < 10 else "man")
        housing(c, "emergency_shelter", d(2, 1))
        work(c, "unemployed_looking", d(2, 1))
        if n == 0:
            housing(c, "rental_no_subsidy", d(3, 2))
            work(c, "full_time", d(3, 2))


def test_page_shows_housing_and_by_group_sections(db, login, coach, program_manager):
    _eleven_homeless_one_housed(coach)
    html = login(coach).get("/reports/", query_string={**MARCH_ARGS, "by": "gender_identity"})
    assert html.status_code == 200
    text = html.get_data(as_text=True)
    assert 'id="h-housing-employment"' in text and 'id="h-by-group"' in text
    assert "Moved from homelessness to permanent housing" in text
    assert "9.1%" in text and "1 / 11" in text  # 1 of 11 homeless at intake
    # a coach sees their own caseload's groups whole: 10 women
    group = text[text.index('id="h-by-group"') :]
    assert ">10<" in group.replace(" ", "")
    # a program manager sees the small-cell rule: the 10 women and the 1 man are "<11"
    managed = login(program_manager).get(
        "/reports/", query_string={**MARCH_ARGS, "by": "gender_identity"}
    )
    group = managed.get_data(as_text=True)
    group = group[group.index('id="h-by-group"') :]
    assert "Small-cell rule" in group and "&lt;11" in group
    assert ">10<" not in group.replace(" ", "")
    # an unknown field falls back to the first one, never an error
    assert login(program_manager).get("/reports/?by=nonsense").status_code == 200


def test_xlsx_has_the_funder_sheets_with_percentages(db, login, program_manager, coach):
    _eleven_homeless_one_housed(coach)
    response = login(program_manager).get(
        "/reports/export.xlsx", query_string={"table": "report", **MARCH_ARGS}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == [
        "Cover",
        "report",
        "Housing and employment",
        "By group",
        "Definitions",
    ]
    sheet = book["Housing and employment"]
    rows = {row[-1].value: row for row in sheet.iter_rows(min_row=2)}
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == [
        "Figure",
        "Value",
        "Numerator",
        "Denominator",
        "Figure key",
    ]
    cell = rows["housing.homeless_to_permanent_rate"][1]
    assert cell.number_format == "0.0%" and cell.value == pytest.approx(0.0909)
    assert rows["housing.homeless_to_permanent_rate"][2].value == 1
    assert rows["housing.homeless_to_permanent_rate"][3].value == 11
    assert rows["housing.matrix.homeless.homeless"][1].value == "<11"  # 10 clients
    assert rows["housing.matrix.homeless.permanent"][1].value == "<11"
    by_group = book["By group"]
    header = [c.value for c in next(by_group.iter_rows(max_row=1))]
    assert header == ["Field", "Group", "Figure", "Value", "Numerator", "Denominator", "Figure key"]
    cells = {
        (row[0].value, row[1].value, row[6].value): row for row in by_group.iter_rows(min_row=2)
    }
    assert cells[("Gender identity", "Woman", "clients.enrolled")][3].value == "<11"
    assert cells[("Gender identity", "Woman", "clients.engagement_rate")][3].value is None
    assert cells[("Veteran status", "Not asked", "clients.enrolled")][3].value == 11
    rate_cell = cells[("Veteran status", "Not asked", "housing.homeless_to_housed_rate")]
    assert rate_cell[4].value is None  # 1 client moved: under 11, so the rate is blank
    enrolled_rate = cells[("Insurance", "Not asked", "employment.not_employed_at_intake")][3]
    assert enrolled_rate.value == 11
    definitions = [row[0] for row in book["Definitions"].iter_rows(values_only=True)]
    assert (
        "Small-cell rule" in definitions and "Homelessness to permanent housing rate" in definitions
    )


def test_xlsx_rate_over_eleven_is_a_formatted_percentage(db, login, program_manager, coach):
    for n in range(22):
        c = factories.client(coach, intake_date=d(2, 1))
        if n < 11:
            factories.session(c, on=d(3, 3))
    book = load_workbook(
        io.BytesIO(
            login(program_manager)
            .get("/reports/export.xlsx", query_string={"table": "by_group", **MARCH_ARGS})
            .get_data()
        )
    )
    assert book.sheetnames == ["Cover", "By group", "Definitions"]
    cells = {
        (row[0].value, row[1].value, row[6].value): row
        for row in book["By group"].iter_rows(min_row=2)
    }
    rate_cell = cells[("Gender identity", "Not asked", "clients.engagement_rate")][3]
    assert rate_cell.number_format == "0.0%" and rate_cell.value == 0.5


def test_csv_variants(db, login, program_manager, coach):
    _eleven_homeless_one_housed(coach)
    browser = login(program_manager)
    for table, first in (("housing_employment", "Figure"), ("by_group", "Field")):
        response = browser.get("/reports/export.csv", query_string={"table": table, **MARCH_ARGS})
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        assert rows[0][0] == first
    text = browser.get(
        "/reports/export.csv", query_string={"table": "housing_employment", **MARCH_ARGS}
    ).get_data(as_text=True)
    assert "Homelessness to permanent housing rate,9.1,1,11" in text


# --- API -----------------------------------------------------------------------------------------


def test_api_housing_employment_and_breakdowns(db, anon, bearer, coach, program_manager):
    _eleven_homeless_one_housed(coach)
    url = "/api/v1/reports/outcomes/housing-employment"
    body = anon.get(url, query_string=MARCH_ARGS, headers=bearer(coach)).get_json()
    assert body["figures"]["housing.homeless_at_intake"] == 11
    assert body["figures"]["housing.homeless_to_permanent_rate"] == round(1 / 11, 4)
    assert body["figures"]["employment.gained"] == 1
    assert body["matrix"]["homeless"]["homeless"] == 10 and body["suppressed"] is False
    managed = anon.get(url, query_string=MARCH_ARGS, headers=bearer(program_manager)).get_json()
    assert managed["suppressed"] is True
    assert managed["matrix"]["homeless"]["homeless"] is None  # 10 clients: under the rule
    assert managed["figures"]["housing.homeless_at_intake"] == 11

    url = "/api/v1/reports/outcomes/breakdowns"
    args = {**MARCH_ARGS, "by": "gender_identity"}
    body = anon.get(url, query_string=args, headers=bearer(coach)).get_json()
    groups = {g["value"]: g for g in body["groups"]}
    assert groups["woman"]["figures"]["clients.enrolled"]["value"] == 10
    assert groups["man"]["label"] == "Man"
    managed = anon.get(url, query_string=args, headers=bearer(program_manager)).get_json()
    woman = {g["value"]: g for g in managed["groups"]}["woman"]["figures"]["clients.enrolled"]
    assert woman == {"value": None, "numerator": None, "denominator": None, "suppressed": True}
    text = str(managed)
    assert coach.name not in text and "Jordan" not in text and "Rivera" not in text
    by_age = anon.get(url, query_string={**MARCH_ARGS, "by": "age_band"}, headers=bearer(coach))
    assert [g["value"] for g in by_age.get_json()["groups"]] == ["35_44"]
    bad = anon.get(url, query_string={**MARCH_ARGS, "by": "shoe_size"}, headers=bearer(coach))
    assert bad.status_code == 422


def test_api_coach_sees_only_their_caseload(db, anon, bearer, coach, other_coach):
    _eleven_homeless_one_housed(coach)
    url = "/api/v1/reports/outcomes/housing-employment"
    theirs = anon.get(url, query_string=MARCH_ARGS, headers=bearer(other_coach)).get_json()
    assert theirs["figures"]["housing.homeless_at_intake"] == 0
    assert theirs["scope"]["coach_id"] == other_coach.id
    refused = anon.get(
        url, query_string={**MARCH_ARGS, "coach_id": coach.id}, headers=bearer(other_coach)
    )
    assert refused.status_code == 404


def test_api_named_period(db, anon, bearer, coach, program):
    program.fiscal_year_start_month = 10
    db.session.commit()
    c = factories.client(coach, intake_date=d(11, 3, 2025))
    housing(c, "emergency_shelter", d(11, 3, 2025))
    headers = bearer(coach)
    report = anon.get("/api/v1/reports/outcomes?period=FY2026Q1", headers=headers)
    assert report.status_code == 200
    body = report.get_json()
    assert body["period"] == {"start": "2025-10-01", "end": "2025-12-31"}
    assert body["clients"]["enrolled"] == 1
    same = anon.get(
        "/api/v1/reports/outcomes?start=2025-10-01&end=2025-12-31", headers=headers
    ).get_json()
    assert same == body
    lower = anon.get("/api/v1/reports/outcomes?period=fy2026-q1", headers=headers).get_json()
    assert lower["period"] == body["period"]
    housing_body = anon.get(
        "/api/v1/reports/outcomes/housing-employment?period=FY2026Q1", headers=headers
    ).get_json()
    assert housing_body["figures"]["housing.homeless_at_intake"] == 1
    calendar = anon.get("/api/v1/reports/outcomes?period=2026Q1", headers=headers).get_json()
    assert calendar["period"] == {"start": "2026-01-01", "end": "2026-03-31"}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("period=FY2026Q5", "period", "A year has quarters Q1 to Q4."),
        ("period=2026", "period", "Say which quarter of 2026"),
        ("period=last+spring", "period", "Give a period as FY2026"),
        ("period=FY1900", "period", "The year must be between"),
        ("period=FY2026&start=2026-01-01", "period", "not both"),
        ("", "start", "Give start and end, or a named period"),
        ("start=2026-01-01", "end", "Give start and end"),
    ],
)
def test_api_bad_period_is_422_with_the_reason(db, anon, bearer, coach, query, field, message):
    for path in ("outcomes", "outcomes/housing-employment", "outcomes/breakdowns"):
        extra = "&by=insurance" if path.endswith("breakdowns") else ""
        response = anon.get(f"/api/v1/reports/{path}?{query}{extra}", headers=bearer(coach))
        assert response.status_code == 422, (path, query)
        error = response.get_json()["error"]
        assert error["code"] == "validation_error"
        assert message in " ".join(error["fields"][field]), error


def test_api_outcomes_keys_unchanged(db, anon, bearer, coach):
    body = anon.get(
        "/api/v1/reports/outcomes", query_string=MARCH_ARGS, headers=bearer(coach)
    ).get_json()
    assert set(body) == {
        "period",
        "scope",
        "clients",
        "sessions",
        "time_to_first_contact_days",
        "appointments",
        "referrals",
        "retention",
        "goals",
        "recovery_capital",
        "supervision",
        "by_coach",
        "by_month",
    }


def test_openapi_describes_the_new_endpoints(anon):
    doc = anon.get("/api/v1/openapi.json").get_json()
    paths = doc["paths"]
    for path in (
        "/api/v1/reports/outcomes/housing-employment",
        "/api/v1/reports/outcomes/breakdowns",
    ):
        assert "get" in paths[path]
    names = {p["name"] for p in paths["/api/v1/reports/outcomes"]["get"]["parameters"]}
    assert {"start", "end", "period", "program_id", "coach_id", "supervisor_id"} <= names
    by = [
        p
        for p in paths["/api/v1/reports/outcomes/breakdowns"]["get"]["parameters"]
        if p["name"] == "by"
    ][0]
    assert "age_band" in by["schema"]["enum"] and by["required"] is True


# --- Stored beside the report ------------------------------------------------------------------

QUALIFIED = re.compile(r'"?\b([a-z_]+?)(?:_\d+)?"?\."?([a-z_0-9]+)"?')


def test_every_column_the_funder_figures_read_is_tracked(db, coach, supervisor):
    _mixed_caseload(coach)
    scopes = (
        Scope(coach.program_id),
        Scope(coach.program_id, supervisor_id=supervisor.id),
        Scope(coach.program_id, coach_id=coach.id),
    )
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        for scope in scopes:
            outcomes.funder_report(scope, MARCH)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    tables = set(db.metadata.tables)
    read: dict[str, set[str]] = {}
    for sql in statements:
        for table, column in QUALIFIED.findall(sql):
            if table in tables and column in db.metadata.tables[table].c:
                read.setdefault(table, set()).add(column)
    assert {"client_profiles", "client_status_records", "clients", "enrollments"} <= set(read)
    untracked = {
        f"{table}.{column}"
        for table, columns in read.items()
        for column in columns
        if column not in store.TRACKED_TABLES.get(table, store.Tracked(frozenset())).columns
    }
    assert untracked == set()


def _stored_funder(scope):
    result = store.funder_report(scope, MARCH)
    _db.session.commit()
    return result


def test_stored_funder_figures_follow_changes(db, coach, monkeypatch):
    scope = Scope(coach.program_id)
    c = factories.client(coach, intake_date=d(2, 1))
    housing(c, "emergency_shelter", d(2, 1))
    calls = [0]
    real = outcomes.funder_report

    def counting(scope, period):
        calls[0] += 1
        return real(scope, period)

    monkeypatch.setattr(outcomes, "funder_report", counting)
    first = _stored_funder(scope)
    assert calls[0] == 1
    assert first["housing_employment"]["figures"]["housing.homeless_at_intake"] == 1
    assert _stored_funder(scope) == first and calls[0] == 1  # read back
    # the report of the same period is stored apart and keeps its keys
    assert "breakdowns" not in store.detailed_report(scope, MARCH)
    db.session.commit()
    # a status dated after the period's end cannot change it: still stored
    housing(c, "rental_no_subsidy", d(4, 10))
    assert _stored_funder(scope) == first and calls[0] == 1
    # one dated in the period can: computed again
    row = housing(c, "rental_no_subsidy", d(3, 10))
    again = _stored_funder(scope)
    assert calls[0] == 2
    assert again["housing_employment"]["figures"]["housing.homeless_to_permanent"] == 1
    # archiving it (a mistake) counts as a change too
    row.archived_at = utcnow()
    db.session.commit()
    assert (
        _stored_funder(scope)["housing_employment"]["figures"]["housing.homeless_to_permanent"] == 0
    )
    # a demographic answer, undated, counts for every period
    profile(c, gender_identity="woman")
    by_gender = _stored_funder(scope)["breakdowns"]["gender_identity"]
    assert [g["value"] for g in by_gender] == ["woman"]
    # so does a corrected date of birth (the age band)
    c.date_of_birth = date(2010, 1, 1)
    db.session.commit()
    by_age = _stored_funder(scope)["breakdowns"]["age_band"]
    assert [g["value"] for g in by_age] == ["under_18"]
    assert calls[0] == 5


def test_definitions_page_explains_the_funder_figures(db, login, program_manager):
    html = login(program_manager).get("/reports/definitions").get_data(as_text=True)
    row = html[html.index('id="plain-housing.homeless_to_permanent_rate"') :]
    row = row[: row.index("</tr>")]
    assert row.index("Of the clients homeless at intake") < row.index("Numerator:")
    assert "1 of 3 = 33.3%" in row
    row = html[html.index('id="plain-employment.gained_rate"') :]
    assert "status known, not declined" in row[: row.index("</tr>")]
    rule = html[html.index('id="plain-breakdowns.small_cell_rule"') :]
    rule = rule[: rule.index("</tr>")]
    assert "fewer than 11" in rule and "Complementary suppression is not done" in rule


def test_page_takes_a_named_period(db, login, coach, program):
    program.fiscal_year_start_month = 10
    db.session.commit()
    c = factories.client(coach, intake_date=d(11, 3, 2025))
    housing(c, "emergency_shelter", d(11, 3, 2025))
    response = login(coach).get("/reports/?period=FY2026Q1&by=age_band")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "2025-10-01 to 2025-12-31" in text
    section = text[text.index('id="h-housing-employment"') : text.index('id="h-by-group"')]
    assert 'Homeless at intake</th><td class="text-end fw-semibold">1<' in section
    picker = text[text.index('id="h-by-group"') :]
    assert 'name="period" value="FY2026Q1"' in picker
    assert '<option value="age_band" selected>' in picker
    assert login(coach).get("/reports/?period=FY2026Q9").status_code == 422
