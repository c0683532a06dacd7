"""CSV and XLSX exports of the report: read back, they say what outcome_report says; the
per-client table is de-identified, streamed in one query and audited."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from coachapp import spreadsheets
from coachapp.extensions import db as _db
from coachapp.models import AuditEvent, Client, Team
from coachapp.reports import exports, metrics
from coachapp.reports.metrics import Scope
from coachapp.reports.pseudonyms import pseudonym
from tests import factories
from tests.helpers import MARCH, MARCH_ARGS, QueryCounter


def get_export(browser, fmt: str, table: str, **args):
    response = browser.get(
        f"/reports/export.{fmt}", query_string={"table": table, **MARCH_ARGS, **args}
    )
    assert response.status_code == 200, response.status_code
    return response


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def read_book(response):
    return load_workbook(io.BytesIO(response.get_data()))


def read_xlsx(response) -> list[list]:
    """The table's rows (the sheet after the cover)."""
    book = read_book(response)
    return [list(row) for row in book.worksheets[1].iter_rows(values_only=True)]


def headers(columns, fmt: str) -> list[str]:
    return [c.csv_header if fmt == "csv" else c.header for c in columns]


def csv_rate(value) -> str:
    return "" if value is None else str(round(value * 100, 1))


def as_text(value) -> str:
    return "" if value is None else str(value)


def headline_of(report: dict) -> dict:
    return dict(metrics.flatten({k: report[k] for k in metrics.HEADLINE_GROUPS}))


# --- The report table --------------------------------------------------------------------------


def test_report_csv_matches_outcome_report(login, program_manager, example):
    report = metrics.outcome_report(example, MARCH)
    response = get_export(login(program_manager), "csv", "report")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["Figure", "Value (rates in %)", "Numerator", "Denominator", "Figure key"]
    table = {row[-1]: row[1:-1] for row in rows[1:]}
    names = {row[-1]: row[0] for row in rows[1:]}
    assert table["period.start"][0] == "2026-03-01" and table["period.end"][0] == "2026-03-31"
    assert names["scope.program"] == "Program" and names["scope.name"] == "Scope"
    assert table["scope.name"][0] == "Whole program"
    for key, value in headline_of(report).items():
        expected = csv_rate(value) if key in metrics.RATES else as_text(value)
        assert table[key][0] == expected, key
    assert table["clients.engagement_rate"] == ["50.0", "2", "4"]
    assert table["appointments.no_show_rate"] == ["33.3", "1", "3"]
    assert table["appointments.no_show_rate_accompanied"] == ["0.0", "0", "1"]
    assert table["retention.30.rate"] == ["", "0", "0"]
    assert table["clients.enrolled"] == ["4", "", ""]
    assert table["barc10.mean_first"][0] == "30.0"
    assert names["appointments.no_show_rate"] == "No-show rate"
    assert (
        names["referrals.by_category.housing.linkage_rate"] == "Linkage rate, by category: housing"
    )
    assert names["retention.30.rate"] == "Retention rate at 30 days"


def test_report_xlsx_matches_outcome_report(login, program_manager, example):
    report = metrics.outcome_report(example, MARCH)
    response = get_export(login(program_manager), "xlsx", "report")
    assert response.mimetype == spreadsheets.XLSX_MIME
    rows = read_xlsx(response)
    assert rows[0] == ["Figure", "Value", "Numerator", "Denominator", "Figure key"]
    table = {row[-1]: row[1:-1] for row in rows[1:]}
    for key, value in headline_of(report).items():
        assert table[key][0] == value, key
    assert table["referrals.linkage_rate"] == [0.5, 2, 4]
    assert table["supervision.coverage"] == [1.0, 1, 1]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_by_coach_and_by_month_match(login, program_manager, example, coach, fmt):
    report = metrics.outcome_report(example, MARCH)
    browser = login(program_manager)
    reader = read_csv if fmt == "csv" else read_xlsx

    def cell(value, column):
        if fmt == "xlsx":
            if column.kind == spreadsheets.DATE:
                return datetime.fromisoformat(value)  # openpyxl reads dates back as datetimes
            return value
        return csv_rate(value) if column.kind == spreadsheets.RATE else as_text(value)

    rows = reader(get_export(browser, fmt, "by_coach"))
    assert rows[0] == headers(exports.BY_COACH_COLUMNS, fmt)
    [row] = rows[1:]
    [expected] = report["by_coach"]
    flat = {"coach_id": coach.id, "coach_name": coach.name}
    flat.update(metrics.flatten({k: expected[k] for k in ("clients", "appointments", "referrals")}))
    assert row == [cell(flat[c.key], c) for c in exports.BY_COACH_COLUMNS]

    rows = reader(get_export(browser, fmt, "by_month"))
    assert rows[0] == headers(exports.BY_MONTH_COLUMNS, fmt)
    assert rows[1:] == [
        [cell(m[c.key], c) for c in exports.BY_MONTH_COLUMNS] for m in report["by_month"]
    ]


# --- The per-client table -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_client_table_is_de_identified(login, program_manager, example, fmt):
    clients = _db.session.scalars(select(Client)).all()
    for client in clients:
        client.phone, client.email = "555-0199", "private.person@example.org"
        client.address, client.notes = "12 Hidden Lane", "Narrative about relapse"
    _db.session.commit()
    response = get_export(login(program_manager), fmt, "clients")
    body = response.get_data()
    text = body.decode("utf-8", "replace") if fmt == "csv" else repr(read_xlsx(response))
    for client in clients:
        for secret in (
            client.first_name,
            client.last_name,
            client.code,
            client.date_of_birth.isoformat(),
        ):
            assert secret not in text, secret
    for secret in ("555-0199", "private.person", "Hidden Lane", "relapse"):
        assert secret not in text
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    assert rows[0] == headers(exports.CLIENT_COLUMNS, fmt)
    assert sorted(row[0] for row in rows[1:]) == sorted(pseudonym(c.id) for c in clients)


def test_client_table_adds_up_to_the_report(login, program_manager, program, example):
    report = metrics.outcome_report(example, MARCH)
    rows = read_xlsx(get_export(login(program_manager), "xlsx", "clients"))
    header, body = rows[0], rows[1:]
    keys = [c.key for c in exports.CLIENT_COLUMNS]
    assert header == [c.header for c in exports.CLIENT_COLUMNS]
    column = {name: [row[keys.index(name)] for row in body] for name in keys}
    assert sum(column["sessions_completed"]) == report["sessions"]["completed"]
    assert sum(column["sessions_attempted"]) == report["sessions"]["attempted"]
    assert sum(column["session_minutes"]) == report["sessions"]["minutes"]
    appointments = report["appointments"]
    for name in ("total", "attended", "no_show", "cancelled", "rescheduled", "pending"):
        assert sum(column[f"appointments_{name}"]) == appointments[name], name
    assert sum(column["referrals_made"]) == report["referrals"]["made"]
    assert sum(column["referrals_linked"]) == report["referrals"]["linked"]
    assert sum(column["referrals_connected"]) == 3  # the employment one connected after the end
    assert sum(column["enrolled_in_period"]) == report["clients"]["enrolled"]
    firsts = sorted(v for v in column["barc10_first"] if v is not None)
    assert firsts == [30, 50]
    assert sorted(column["intake_month"]) == ["2025-12", "2026-01", "2026-03", "2026-03"]
    assert sorted(v for v in column["barc10_latest"] if v is not None) == [40, 50]
    assert set(column["program"]) == {program.name}
    assert set(column["coach"]) == {report["by_coach"][0]["coach_name"]}


def test_client_table_leaves_out_clients_with_nothing_in_the_period(login, program_manager, coach):
    idle = factories.client(coach, intake_date=date(2025, 1, 1))
    idle.enrollments[0].discharge_date = date(2025, 6, 1)
    _db.session.commit()
    active = factories.client(coach, intake_date=date(2026, 3, 10))
    rows = read_csv(get_export(login(program_manager), "csv", "clients"))
    assert [row[0] for row in rows[1:]] == [pseudonym(active.id)]


def test_client_export_query_count_does_not_grow(login, program_manager, coach):
    browser = login(program_manager)

    def add_clients(n: int) -> None:
        for _ in range(n):
            client = factories.client(coach, intake_date=date(2026, 3, 2))
            factories.session(client, on=date(2026, 3, 3))
            factories.appointment(client, at=datetime(2026, 3, 4, 9), outcome="attended")
            factories.referral(client, referred_on=date(2026, 3, 5))
            factories.assessment(client, on=date(2026, 3, 6))

    def queries(fmt: str) -> tuple[int, int]:
        with QueryCounter(_db.engine) as counter:
            response = get_export(browser, fmt, "clients")
            rows = len(response.get_data().splitlines()) if fmt == "csv" else 0
        return counter.n, rows

    add_clients(5)
    csv_five, rows = queries("csv")
    assert rows == 6
    xlsx_five, _ = queries("xlsx")
    add_clients(45)
    csv_fifty, rows = queries("csv")
    assert rows == 51
    assert csv_fifty == csv_five
    assert queries("xlsx")[0] == xlsx_five


def test_client_export_streams_in_batches(app, coach, monkeypatch):
    """The per-client query is read with yield_per (server-side batches on PostgreSQL)."""
    for _ in range(5):
        factories.client(coach, intake_date=date(2026, 3, 2))
    monkeypatch.setattr(exports, "BATCH", 2)
    header, rows = exports.client_table(Scope(coach.program_id), MARCH)
    assert len(list(rows)) == 5


# --- Audit, access, input -----------------------------------------------------------------------


@pytest.mark.parametrize("table", exports.TABLES)
@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_an_export_is_an_audit_event(login, program_manager, coach, table, fmt):
    client = factories.client(coach, intake_date=date(2026, 3, 2))
    get_export(login(program_manager), fmt, table).get_data()
    event_row = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert event_row.user_id == program_manager.id
    assert event_row.detail == f"{table} {fmt}"
    assert event_row.entity_type == "program" and event_row.entity_id == coach.program_id
    assert event_row.client_id is None and str(client.id) not in (event_row.detail or "")


@pytest.mark.parametrize("role", ["coach", "supervisor", "admin"])
def test_every_role_may_export_their_scope(request, login, role, coach):
    factories.client(coach, intake_date=date(2026, 3, 2))
    rows = read_csv(get_export(login(request.getfixturevalue(role)), "csv", "clients"))
    assert len(rows) == 2


def test_coach_export_is_their_caseload_only(login, coach, other_coach):
    mine = factories.client(coach, intake_date=date(2026, 3, 2))
    factories.client(other_coach, intake_date=date(2026, 3, 2))
    rows = read_csv(get_export(login(coach), "csv", "clients"))
    assert [row[0] for row in rows[1:]] == [pseudonym(mine.id)]
    browser = login(coach)
    response = browser.get(
        "/reports/export.csv",
        query_string={"table": "clients", "coach_id": other_coach.id, **MARCH_ARGS},
    )
    assert response.status_code == 404
    exported = _db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert len(exported) == 1  # the first export only


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/reports/export.pdf?table=report", 404),
        ("/reports/export.csv?table=everything", 404),
        ("/reports/export.xlsx?table=clients&start=2026-03-05&end=2026-03-01", 422),
        ("/reports/export.csv?table=clients&start=2026-13-01&end=2026-03-01", 422),
        ("/reports/export.csv?table=clients&program_id=abc", 404),
    ],
)
def test_bad_export_requests_write_nothing(login, program_manager, url, status):
    response = login(program_manager).get(url)
    assert response.status_code == status
    assert _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export")) is None


def test_formula_like_names_are_neutralised(login, program_manager, program, supervisor):
    sneaky = factories.user("coach", program=program, supervisor=supervisor, name="=HYPERLINK(1)")
    factories.client(sneaky, intake_date=date(2026, 3, 2))
    rows = read_csv(get_export(login(program_manager), "csv", "clients"))
    assert rows[1][2] == "'=HYPERLINK(1)"


# --- Hand-over: cover, formats, Definitions sheet, CSV for Excel --------------------------------


def test_xlsx_opens_with_a_cover_sheet(login, program_manager, program, coach, example):
    book = read_book(get_export(login(program_manager), "xlsx", "by_coach", coach_id=coach.id))
    assert book.sheetnames == ["Cover", "by_coach", "Definitions"]
    cover = {row[0]: row[1] for row in book["Cover"].iter_rows(values_only=True)}
    assert cover["Table"] == "By coach"
    assert cover["Program"] == program.name
    assert cover["Scope"] == "Casey Coach"
    assert cover["Period start"] == datetime(2026, 3, 1)
    assert cover["Period end"] == datetime(2026, 3, 31)
    assert cover["Generated by"] == "Pat Manager"
    generated, zone = cover["Generated at"].split(" (")
    assert datetime.strptime(generated, "%Y-%m-%d %H:%M")
    assert zone.rstrip(")") == (program.timezone or "UTC")


def test_xlsx_team_scope_is_named_on_the_cover(db, login, program_manager, supervisor, example):
    def scope_on_cover() -> str:
        book = read_book(
            get_export(login(program_manager), "xlsx", "report", supervisor_id=supervisor.id)
        )
        return {row[0]: row[1] for row in book["Cover"].iter_rows(values_only=True)}["Scope"]

    assert scope_on_cover() == "Sam Supervisor's coaches (no team set)"
    team = Team(program_id=supervisor.program_id, name="North")
    db.session.add(team)
    db.session.flush()
    supervisor.team_id = team.id
    db.session.commit()
    assert scope_on_cover() == "North (Sam Supervisor)"


def test_xlsx_cover_names_a_funder_calendar_period(login, program_manager, example):
    book = read_book(get_export(login(program_manager), "xlsx", "report", period="2026Q1"))
    cover = {row[0]: row[1] for row in book["Cover"].iter_rows(values_only=True)}
    assert cover["Period"].startswith("2026 Q1")
    assert cover["Period start"] == datetime(2026, 1, 1)
    assert cover["Period end"] == datetime(2026, 3, 31)


def test_xlsx_rates_are_formatted_fractions_and_dates_are_dates(login, program_manager, example):
    browser = login(program_manager)
    sheet = read_book(get_export(browser, "xlsx", "by_month"))["by_month"]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Month", "From", "To"] and "No-show rate" in header
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= 8
    row = sheet[2]
    rate = row[header.index("No-show rate")]
    assert rate.value == pytest.approx(0.3333) and rate.number_format == "0.0%"
    start = row[header.index("From")]
    assert isinstance(start.value, datetime) and start.value.date() == date(2026, 3, 1)
    assert start.is_date and start.number_format == "yyyy-mm-dd"
    enrolled = row[header.index("Clients enrolled")]
    assert enrolled.value == 4 and isinstance(enrolled.value, int)

    sheet = read_book(get_export(browser, "xlsx", "report"))["report"]
    by_key = {row[-1].value: row for row in sheet.iter_rows(min_row=2)}
    assert by_key["appointments.no_show_rate"][1].number_format == "0.0%"
    assert by_key["appointments.no_show_rate"][1].value == pytest.approx(0.3333)
    assert by_key["clients.enrolled"][1].number_format == "General"
    assert by_key["period.start"][1].is_date


@pytest.mark.parametrize("table", exports.TABLES)
def test_the_definitions_sheet_lists_every_figure_of_the_export(
    login, program_manager, example, table
):
    book = read_book(get_export(login(program_manager), "xlsx", table))
    rows = list(book["Definitions"].iter_rows(values_only=True))
    assert rows[0] == ("Figure", "What it means", "Formula", "Numerator", "Denominator")
    defined = {row[0]: row for row in rows[1:]}
    assert all(row[1] for row in rows[1:]), "every figure has a plain-language meaning"
    data = list(book[table].iter_rows(values_only=True))
    if table == "report":
        figures = [row[0] for row in data[1:] if not row[-1].startswith(("period.", "scope."))]
    else:
        skip = {"Coach id", "Coach", "Month", "From", "To"}
        figures = [h for h in data[0] if h not in skip]
    missing = [name for name in figures if name not in defined]
    assert not missing
    if table == "report":
        no_show = defined["No-show rate"]
        assert no_show[1].startswith("Of the appointments that happened or were missed")
        assert no_show[2] == "no-shows ÷ (attended + no-shows)"
        assert no_show[3] == "no-shows" and "attended or missed" in no_show[4]


def test_csv_for_excel_starts_with_a_byte_order_mark(login, program_manager, program, supervisor):
    coach = factories.user("coach", program=program, supervisor=supervisor, name="José Ñúñez")
    factories.client(coach, intake_date=date(2026, 3, 2))
    browser = login(program_manager)
    body = get_export(browser, "csv", "clients", bom="1").get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Pseudonym", "Program", "Coach"]
    assert rows[1][2] == "José Ñúñez"
    plain = get_export(browser, "csv", "clients").get_data()
    assert plain.startswith(b"Pseudonym,")  # without bom=1: no mark, for other programs
    assert body == "\ufeff".encode() + plain


def test_csv_rates_are_percentages_under_a_header_that_says_so(login, program_manager, example):
    rows = read_csv(get_export(login(program_manager), "csv", "by_coach"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["No-show rate (%)"] == "33.3"
    assert row["Engagement rate (%)"] == "50.0"
    assert row["Clients enrolled"] == "4"
