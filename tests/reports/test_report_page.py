"""The report page: its period and what it shows."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest

from coachapp.extensions import db as _db
from coachapp.reports import definitions, labels, metrics
from coachapp.reports.forms import preset_period
from coachapp.reports.metrics import Period
from tests import factories
from tests.helpers import MARCH_ARGS, QueryCounter
from tests.reports.helpers import page_text

# --- Period -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "today", "start", "end"),
    [
        ("last_month", date(2026, 3, 15), date(2026, 2, 1), date(2026, 2, 28)),
        ("last_month", date(2026, 1, 1), date(2025, 12, 1), date(2025, 12, 31)),
        ("last_quarter", date(2026, 5, 20), date(2026, 1, 1), date(2026, 3, 31)),
        ("last_quarter", date(2026, 2, 1), date(2025, 10, 1), date(2025, 12, 31)),
        ("year_to_date", date(2026, 3, 15), date(2026, 1, 1), date(2026, 3, 15)),
        ("last_12_months", date(2026, 4, 10), date(2025, 4, 1), date(2026, 3, 31)),
        ("last_12_months", date(2026, 1, 31), date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_presets(preset, today, start, end):
    assert preset_period(preset, today) == Period(start, end)


def test_presets_use_the_programs_local_today(login, program_manager, monkeypatch):
    from coachapp import timeutil

    seen = []

    def fake_today(program):
        seen.append(program.id if program else None)
        return date(2026, 4, 10)

    monkeypatch.setattr(timeutil, "local_today", fake_today)
    html = page_text(login(program_manager).get("/reports/?preset=last_month"))
    assert "2026-03-01 to 2026-03-31" in html
    assert seen and seen[0] == program_manager.program_id


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"start": "2026-03-31", "end": "2026-03-01"}, "must end on or after its first day"),
        ({"start": "2026-02-30", "end": "2026-03-01"}, "Not a valid date value"),
        ({"start": "2018-01-01", "end": "2026-03-01"}, "5 years at most"),
        ({"start": "2021-03-01", "end": "2026-03-01"}, "5 years at most"),
        ({"start": "2026-03-01"}, "Give the last day"),
        ({"end": "2026-03-01"}, "Give the first day"),
        ({"preset": "custom"}, "Give the last day"),
        ({"start": "1850-01-01", "end": "1851-01-01"}, "too far in the past"),
        ({"start": "2026-01-01", "end": "9999-12-31"}, "too far in the future"),
        ({"start": "99999-01-01", "end": "2026-03-01"}, "Not a valid date value"),
        ({"start": "<script>", "end": "2026-03-01"}, "Not a valid date value"),
        ({"preset": "last_decade"}, "Choose a period from the list"),
    ],
)
def test_bad_dates_are_422_with_messages(login, program_manager, args, message):
    browser = login(program_manager)
    for url in ("/reports/", "/reports/rows?figure=clients.enrolled", "/reports/export.csv"):
        sep = "&" if "?" in url else "?"
        query = "&".join(f"{k}={v}" for k, v in args.items())
        response = browser.get(f"{url}{sep}{query}")
        assert response.status_code == 422, url
        assert message in page_text(response), url
        assert "<script>" not in page_text(response)  # what was typed comes back escaped


def test_a_period_of_exactly_five_years_is_allowed(login, program_manager):
    response = login(program_manager).get("/reports/?start=2021-03-01&end=2026-02-28")
    assert response.status_code == 200


def test_bad_dates_keep_the_input_beside_the_field(login, program_manager):
    html = page_text(
        login(program_manager).get("/reports/?preset=custom&start=2026-03-31&end=2026-03-01")
    )
    assert 'value="2026-03-31"' in html and 'value="2026-03-01"' in html
    assert "is-invalid" in html


# --- The page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coach", "supervisor", "program_manager", "admin"])
def test_every_role_gets_the_report(request, login, role, example):
    response = login(request.getfixturevalue(role)).get("/reports/", query_string=MARCH_ARGS)
    assert response.status_code == 200
    html = page_text(response)
    assert "Outcome report" in html and "By coach" in html and "By month" in html


def test_page_shows_each_rate_with_numerator_denominator_and_definition(
    login,
    program_manager,
    example,
):
    html = page_text(login(program_manager).get("/reports/", query_string=MARCH_ARGS))
    assert "50.0%" in html  # engagement rate 2 / 4
    assert re.search(
        r'figure=clients.engagement_rate&amp;part=numerator[^"]*">2</a> / '
        r'<a href="[^"]*figure=clients.engagement_rate&amp;part=denominator[^"]*">4</a>',
        html,
    )
    assert 'href="/reports/definitions#clients.engagement_rate"' in html
    assert 'href="/reports/definitions#appointments.no_show_rate_accompanied"' in html
    assert "33.3%" in html  # no-show rate 1 / 3
    # Every count links to its rows, every rate to its numerator and denominator, every sum,
    # mean and median to the rows it is taken over; every figure to its definition.
    for _, rows in labels.HEADLINE:
        for key, _, kind in rows:
            if kind == labels.KIND_COUNT or key in metrics.VALUE_ROWS:
                assert f"figure={key}&amp;start=" in html, key
            else:
                assert f"figure={key}&amp;part=numerator&amp;" in html, key
                assert f"figure={key}&amp;part=denominator&amp;" in html, key
            assert f'href="/reports/definitions#{definitions.anchor_for(key)}"' in html, key
    for category in metrics.CATEGORIES:
        for part in ("made", "linked"):
            assert f"figure=referrals.by_category.{category}.{part}&amp;" in html
    for n in metrics.RETENTION_DAYS:
        assert f"figure=retention.{n}.eligible&amp;" in html
        assert f"figure=retention.{n}.retained&amp;" in html


def test_page_has_no_inline_script_or_style_and_carries_chart_data(
    login,
    program_manager,
    example,
):
    html = page_text(login(program_manager).get("/reports/", query_string=MARCH_ARGS))
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "style=" not in html
    data = json.loads(re.search(r'id="report-data">(.*?)</script>', html, re.S).group(1))
    assert data["monthly"]["labels"] == ["2026-03"]
    assert data["accompaniment"]["rates"] == [0.0, 0.5]
    assert data["barc10"] == {
        "labels": ["First check-in", "Latest check-in"],
        "means": [30.0, 40.0],
        "clients": 1,
    }
    assert len(data["categories"]["labels"]) == 12
    assert "js/reports.js" in html and "chart.umd.min.js" in html
    assert '<script defer src="/static/vendor/chartjs/chart.umd.min.js">' in html
    for canvas in ("chart-monthly", "chart-categories", "chart-accompaniment", "chart-barc"):
        assert f'id="{canvas}" role="img" aria-label=' in html


def test_scope_picker_lists_only_what_the_user_may_see(
    login, supervisor, coach, other_coach, program_manager, other_supervisor
):
    html = page_text(login(supervisor).get("/reports/"))
    assert coach.name in html and other_coach.name not in html
    assert other_supervisor.name not in html
    html = page_text(login(program_manager).get("/reports/"))
    assert coach.name in html and other_coach.name in html and other_supervisor.name in html
    elsewhere = factories.program(name="Faraway Program")
    far = factories.user("coach", program=elsewhere, name="Fiona Farcoach")
    html = page_text(login(program_manager).get("/reports/"))
    assert far.name not in html and "Faraway Program" not in html
    html = page_text(login(coach).get("/reports/"))
    assert "your own caseload" in html and other_coach.name not in html


def test_admin_picker_lists_every_program(login, admin, program):
    factories.program(name="Second Program")
    html = page_text(login(admin).get("/reports/"))
    assert "Second Program" in html and program.name in html


def test_report_page_query_count_does_not_grow_with_the_caseload(login, program_manager, coach):
    browser = login(program_manager)

    def queries() -> int:
        with QueryCounter(_db.engine) as counter:
            assert browser.get("/reports/", query_string=MARCH_ARGS).status_code == 200
        return counter.n

    def add_clients(n: int) -> None:
        for _ in range(n):
            client = factories.client(coach, intake_date=date(2026, 3, 2))
            factories.session(client, on=date(2026, 3, 3))
            factories.appointment(client, at=datetime(2026, 3, 4, 9), outcome="no_show")
            factories.referral(client, referred_on=date(2026, 3, 5))
            factories.assessment(client, on=date(2026, 3, 6))

    add_clients(5)
    at_five = queries()
    add_clients(45)
    assert queries() == at_five
    # one month: headline, by coach, by month, scope and picker; then the funder sections
    # (housing and employment, the breakdowns: eight queries) and storing them; whether the
    # report rollups may be read, and their sums
    assert at_five < 55


def _date_boxes(html: str) -> list[str]:
    return re.findall(r"<div [^>]*data-custom-dates>", html)


@pytest.mark.parametrize(
    ("args", "hidden"),
    [
        ({}, True),  # the default preset
        ({"preset": "last_quarter"}, True),
        ({"preset": "FY2026Q1"}, True),
        ({"preset": "custom", **MARCH_ARGS}, False),
        (MARCH_ARGS, False),  # drill-down links: dates only
    ],
)
def test_custom_dates_are_served_hidden_unless_custom(login, program_manager, args, hidden):
    """No layout shift (issue 21, CLS 0.148): the dates are hidden in the served page when the
    period is not "Custom dates", so the script only reveals them; without JavaScript a
    stylesheet in <noscript> keeps them shown."""
    html = page_text(login(program_manager).get("/reports/", query_string=args))
    boxes = _date_boxes(html)
    assert len(boxes) == 2
    assert all(("d-none" in box) is hidden for box in boxes), boxes
    head = html[: html.index("</head>")]
    assert re.search(r'<noscript><link rel="stylesheet" href="/static/css/noscript.css">', head)


def test_the_no_script_stylesheet_shows_the_dates(anon):
    response = anon.get("/static/css/noscript.css")
    assert response.status_code == 200
    assert "[data-custom-dates].d-none { display: block !important; }" in response.get_data(
        as_text=True
    )
    response.close()
