"""Funder figures (issue 19) where they are read: the page and exports, the API, and stored
beside the report."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from coachapp.extensions import db as _db
from coachapp.models.base import utcnow
from coachapp.reports import outcomes, store
from coachapp.reports.metrics import Scope
from tests import factories
from tests.helpers import MARCH, d
from tests.reports.helpers import ROLLUP_TABLES, _mixed_caseload, housing, profile, work

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
            if table in tables - ROLLUP_TABLES and column in db.metadata.tables[table].c:
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
