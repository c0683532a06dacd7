"""The funder calendar of the report page: named fiscal years and quarters (the fiscal year's
first month per program), calendar quarters, the team filter named by team, and the program
setting on the admin pages."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from coachapp.extensions import db as _db
from coachapp.models import Program, StoredReport, Team
from coachapp.reports import periods
from coachapp.reports.metrics import Period


@pytest.mark.parametrize(
    ("name", "start_month", "start", "end", "label"),
    [
        ("FY2026", 10, date(2025, 10, 1), date(2026, 9, 30), "FY2026 (Oct 2025 – Sep 2026)"),
        ("FY2026Q1", 10, date(2025, 10, 1), date(2025, 12, 31), "FY2026 Q1 (Oct – Dec 2025)"),
        ("FY2026Q2", 10, date(2026, 1, 1), date(2026, 3, 31), "FY2026 Q2 (Jan – Mar 2026)"),
        ("FY2026Q4", 10, date(2026, 7, 1), date(2026, 9, 30), "FY2026 Q4 (Jul – Sep 2026)"),
        ("FY2026", 1, date(2026, 1, 1), date(2026, 12, 31), "FY2026 (Jan – Dec 2026)"),
        ("FY2026Q4", 1, date(2026, 10, 1), date(2026, 12, 31), "FY2026 Q4 (Oct – Dec 2026)"),
        ("FY2026", 7, date(2025, 7, 1), date(2026, 6, 30), "FY2026 (Jul 2025 – Jun 2026)"),
        ("FY2026", 12, date(2025, 12, 1), date(2026, 11, 30), "FY2026 (Dec 2025 – Nov 2026)"),
        ("FY2026Q1", 12, date(2025, 12, 1), date(2026, 2, 28), "FY2026 Q1 (Dec 2025 – Feb 2026)"),
        # leap years: February ends on the 29th
        ("FY2024Q1", 12, date(2023, 12, 1), date(2024, 2, 29), "FY2024 Q1 (Dec 2023 – Feb 2024)"),
        ("FY2024", 3, date(2023, 3, 1), date(2024, 2, 29), "FY2024 (Mar 2023 – Feb 2024)"),
        ("2024Q1", 10, date(2024, 1, 1), date(2024, 3, 31), "2024 Q1 (Jan – Mar 2024)"),
        ("2026Q3", 1, date(2026, 7, 1), date(2026, 9, 30), "2026 Q3 (Jul – Sep 2026)"),
        # spellings people type
        ("fy2026 q1", 10, date(2025, 10, 1), date(2025, 12, 31), "FY2026 Q1 (Oct – Dec 2025)"),
        (" FY2026-Q1 ", 10, date(2025, 10, 1), date(2025, 12, 31), "FY2026 Q1 (Oct – Dec 2025)"),
        ("2026 q4", 10, date(2026, 10, 1), date(2026, 12, 31), "2026 Q4 (Oct – Dec 2026)"),
    ],
)
def test_period_names(name, start_month, start, end, label):
    named = periods.parse(name, start_month)
    assert named.period == Period(start, end)
    assert named.label == label
    assert periods.parse(named.name, start_month) == named  # the canonical name reads back


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give a period as FY2026"),
        ("FY26", "Give a period as FY2026"),
        ("FY2026Q5", "quarters Q1 to Q4"),
        ("2026Q0", "quarters Q1 to Q4"),
        ("FY1899", "between 2000 and 2100"),
        ("FY9999Q1", "between 2000 and 2100"),
        ("2026", "Say which quarter of 2026"),
        ("FY2026Q1; DROP TABLE", "Give a period as FY2026"),
        ("Q1 2026", "Give a period as FY2026"),
        ("FY" + "9" * 500, "Give a period as FY2026"),
    ],
)
def test_invalid_period_names(name, message):
    with pytest.raises(periods.PeriodNameError, match=message):
        periods.parse(name, 10)


def test_every_quarter_of_a_fiscal_year_tiles_it():
    for start_month in range(1, 13):
        year = periods.fiscal_year(2028, start_month)
        quarters = [periods.fiscal_quarter(2028, q, start_month) for q in (1, 2, 3, 4)]
        assert quarters[0].start == year.start and quarters[-1].end == year.end
        for before, after in zip(quarters, quarters[1:], strict=False):
            assert (after.start - before.end).days == 1
        leap = year.start <= date(2028, 2, 29) <= year.end
        assert (year.end - year.start).days + 1 == (366 if leap else 365)


@pytest.mark.parametrize(
    ("today", "start_month", "fy"),
    [
        (date(2025, 9, 30), 10, 2025),
        (date(2025, 10, 1), 10, 2026),
        (date(2026, 12, 31), 1, 2026),
        (date(2026, 1, 1), 1, 2026),
    ],
)
def test_fiscal_year_of_a_day(today, start_month, fy):
    assert periods.fiscal_year_of(today, start_month) == fy


def test_recent_periods_have_begun_by_today():
    names = [n.name for n in periods.recent(date(2025, 11, 15), 10)]
    assert names[:2] == ["FY2026", "FY2026Q1"]  # Q2..Q4 have not begun
    assert "FY2025" in names and "FY2025Q4" in names and "FY2025Q1" in names
    assert "2025Q4" in names and "2024Q1" in names and "2026Q1" not in names
    january = [n.name for n in periods.recent(date(2026, 5, 2), 1)]
    assert january == ["FY2026", "FY2026Q2", "FY2026Q1"] + [
        "FY2025",
        "FY2025Q4",
        "FY2025Q3",
        "FY2025Q2",
        "FY2025Q1",
    ]


# --- The program setting ------------------------------------------------------------------


def test_fiscal_year_start_defaults_to_january_and_is_checked_by_the_database(program):
    assert program.fiscal_year_start_month == 1
    for month in (0, 13):
        with pytest.raises(IntegrityError):
            _db.session.execute(
                Program.__table__.update()
                .where(Program.id == program.id)
                .values(fiscal_year_start_month=month)
            )
        _db.session.rollback()


def test_admin_sets_the_fiscal_year_start_on_the_program_form(login, admin, program):
    browser = login(admin)
    page = browser.get(f"/admin/programs/{program.id}/edit").get_data(as_text=True)
    assert "Fiscal year starts in" in page and '<option selected value="1">January' in page
    response = browser.post(
        f"/admin/programs/{program.id}/edit",
        data={"name": program.name, "timezone": "UTC", "fiscal_year_start_month": "10"},
    )
    assert response.status_code == 302
    _db.session.refresh(program)
    assert program.fiscal_year_start_month == 10
    assert "October" in browser.get("/admin/programs").get_data(as_text=True)


@pytest.mark.parametrize("value", ["0", "13", "-1", "oct", "1e3", "999999999999999999999"])
def test_a_bad_fiscal_month_is_a_message_not_a_500(login, admin, program, value):
    response = login(admin).post(
        f"/admin/programs/{program.id}/edit",
        data={"name": program.name, "timezone": "UTC", "fiscal_year_start_month": value},
    )
    assert response.status_code == 422
    assert "Choose a month from January to December." in response.get_data(as_text=True)
    _db.session.refresh(program)
    assert program.fiscal_year_start_month == 1


def test_a_new_program_can_start_its_fiscal_year_in_october(login, admin):
    response = login(admin).post(
        "/admin/programs/new",
        data={"name": "Harbour", "timezone": "UTC", "fiscal_year_start_month": "10"},
    )
    assert response.status_code == 302
    made = _db.session.scalar(select(Program).where(Program.name == "Harbour"))
    assert made.fiscal_year_start_month == 10


# --- The report page ----------------------------------------------------------------------


@pytest.fixture
def october(program, monkeypatch):
    from coachapp import timeutil

    program.fiscal_year_start_month = 10
    _db.session.commit()
    monkeypatch.setattr(timeutil, "local_today", lambda _program: date(2026, 2, 10))
    return program


def _selected(html: str) -> str:
    select = re.search(r'<select[^>]*name="preset".*?</select>', html, re.S).group(0)
    return re.search(r'<option selected value="([^"]*)"', select).group(1)


def test_the_period_select_lists_named_periods(login, program_manager, october):
    html = login(program_manager).get("/reports/").get_data(as_text=True)
    assert '<optgroup label="Fiscal years and quarters">' in html
    assert '<option value="FY2026">FY2026 (Oct 2025 – Sep 2026)</option>' in html
    assert '<option value="FY2026Q2">FY2026 Q2 (Jan – Mar 2026)</option>' in html
    assert '<option value="FY2025Q1">FY2025 Q1 (Oct – Dec 2024)</option>' in html
    assert 'value="FY2026Q3"' not in html  # not begun yet
    assert '<option value="2026Q1">2026 Q1 (Jan – Mar 2026)</option>' in html
    assert "fiscal year starts in October" in html
    assert _selected(html) == "last_12_months"


@pytest.mark.parametrize("arg", ["preset", "period"])
def test_a_named_period_is_kept_and_shown_by_name(login, program_manager, october, arg):
    response = login(program_manager).get(f"/reports/?{arg}=fy2026q1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _selected(html) == "FY2026Q1"
    assert "FY2026 Q1 (Oct – Dec 2025): 2025-10-01 to 2025-12-31" in html
    # exports and drill-downs carry the dates the name stands for
    assert "start=2025-10-01&amp;end=2025-12-31" in html


def test_an_export_of_a_named_period_is_named_by_it(login, program_manager, october):
    browser = login(program_manager)
    html = browser.get("/reports/?period=FY2026Q1").get_data(as_text=True)
    link = re.search(r'href="(/reports/export\.csv\?[^"]*table=report[^"]*)"', html).group(1)
    assert "period=FY2026Q1" in link
    response = browser.get(link.replace("&amp;", "&"))
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert "FY2026Q1_2025-10-01_2025-12-31.csv" in disposition


def test_an_older_named_period_is_added_to_the_list(login, program_manager, october):
    html = login(program_manager).get("/reports/?period=FY2021").get_data(as_text=True)
    assert _selected(html) == "FY2021"
    assert "FY2021 (Oct 2020 – Sep 2021): 2020-10-01 to 2021-09-30" in html


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("FY2026Q7", "A year has quarters Q1 to Q4."),
        ("FY1990", "The year must be between 2000 and 2100."),
        ("2026", "Say which quarter of 2026"),
        ("FY26Q1", "Choose a period from the list."),
        ("<script>", "Choose a period from the list."),
    ],
)
def test_invalid_period_names_are_422_with_a_message(
    login, program_manager, october, value, message
):
    for path in ("/reports/", "/reports/export.csv", "/reports/rows?figure=clients.enrolled"):
        sep = "&" if "?" in path else "?"
        response = login(program_manager).get(f"{path}{sep}period={value}")
        assert response.status_code == 422, path
        assert message in response.get_data(as_text=True), path


def test_a_named_period_shares_the_stored_report_of_its_dates(login, program_manager, october):
    browser = login(program_manager)
    assert browser.get("/reports/?period=FY2026Q1").status_code == 200
    stored = _db.session.scalar(select(func.count()).select_from(StoredReport))
    assert stored >= 1
    assert browser.get("/reports/?start=2025-10-01&end=2025-12-31").status_code == 200
    assert _db.session.scalar(select(func.count()).select_from(StoredReport)) == stored


def test_january_programs_name_calendar_years(login, program_manager, program, monkeypatch):
    from coachapp import timeutil

    monkeypatch.setattr(timeutil, "local_today", lambda _program: date(2026, 2, 10))
    html = login(program_manager).get("/reports/?period=FY2026").get_data(as_text=True)
    assert "FY2026 (Jan – Dec 2026): 2026-01-01 to 2026-12-31" in html
    assert '<optgroup label="Calendar quarters">' not in html  # they are the fiscal ones


# --- The team filter ----------------------------------------------------------------------


def test_the_team_filter_names_teams(login, program_manager, program, supervisor, other_supervisor):
    north = Team(program_id=program.id, name="North Team")
    _db.session.add(north)
    _db.session.flush()
    supervisor.team_id = north.id
    _db.session.commit()
    browser = login(program_manager)
    html = browser.get("/reports/").get_data(as_text=True)
    team_select = re.search(r'<select[^>]*name="supervisor_id".*?</select>', html, re.S).group(0)
    assert f'<option value="{supervisor.id}">North Team</option>' in team_select
    assert "Sam Supervisor" not in team_select
    # a supervisor without a team is still offered, said so
    assert "Olive Othersup&#39;s coaches (no team set)" in team_select
    # the parameter is the supervisor's id, as before
    html = browser.get(f"/reports/?supervisor_id={supervisor.id}").get_data(as_text=True)
    assert "· team North Team" in html


def test_two_supervisors_of_one_team_are_told_apart(
    login, program_manager, program, supervisor, other_supervisor
):
    north = Team(program_id=program.id, name="North Team")
    _db.session.add(north)
    _db.session.flush()
    supervisor.team_id = other_supervisor.team_id = north.id
    _db.session.commit()
    html = login(program_manager).get("/reports/").get_data(as_text=True)
    assert "North Team (Sam Supervisor)" in html and "North Team (Olive Othersup)" in html
