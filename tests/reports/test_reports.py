"""The report page, its definitions page, the scope rule and the drill-down lists.

The drill-down lists are checked against the worked example of metrics.md (the fixture of
tests/reports/test_metrics.py): every list has exactly as many rows as the figure it stands behind.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from coachapp import access
from coachapp.access import ScopeError, parse_scope_id, report_scope
from coachapp.extensions import db as _db
from coachapp.models import Client
from coachapp.reports import definitions, drilldown, glossary, labels, metrics
from coachapp.reports.forms import preset_period
from coachapp.reports.metrics import Period, Scope
from coachapp.reports.pseudonyms import pseudonym
from tests import factories
from tests.helpers import MARCH, MARCH_ARGS, QueryCounter

SPEC = Path(__file__).parents[3] / "shared/spec/metrics.md"
COPY = Path(__file__).parents[2] / "coachapp/reports/metrics.md"


def page_text(response) -> str:
    return response.get_data(as_text=True)


# --- The definitions -----------------------------------------------------------------------------


def test_metrics_md_is_a_byte_for_byte_copy_of_the_spec():
    """Where the spec sits beside the clone (CI, developers), the copy is identical; elsewhere
    the copy must at least still be the whole spec (every section)."""
    text = COPY.read_text(encoding="utf-8")
    for heading in ("## Scope and period", "## Figures", "## Breakdowns", "## A worked example"):
        assert heading in text
    if SPEC.exists():
        assert COPY.read_bytes() == SPEC.read_bytes()


def test_definitions_page_puts_plain_language_before_the_formula(login, program_manager):
    """Managers read what a figure means first, then how it is worked out: in the plain-
    language table at the top, and in the exact table's row the report links to."""
    html = login(program_manager).get("/reports/definitions").get_data(as_text=True)
    meaning = "Of the appointments that happened or were missed, the share the client missed."
    plain = html[html.index('id="plain-appointments.no_show_rate"') :]
    plain = plain[: plain.index("</tr>")]
    assert plain.index(meaning) < plain.index("no-shows ÷ (attended + no-shows)")
    assert "Numerator: no-shows." in plain and "1 of 3 = 33.3%" in plain
    exact = html[html.index('id="appointments.no_show_rate"') :]
    exact = exact[: exact.index("</tr>")]
    assert exact.index(meaning) < exact.index("Exact rule:")
    assert exact.index("Exact rule:") < exact.index("<code>no_show / (attended + no_show)</code>")
    assert html.index('id="plain-heading"') < html.index('id="scope-and-period"')
    assert "No-show rate (%)" in html  # how the CSV writes rates is said on the page
    for key in definitions.rendered()[1]:
        if glossary.entry_for(key) is None:
            continue
        assert f'id="plain-{glossary.stem(key)}"' in html, key


def test_every_headline_figure_has_a_plain_language_entry():
    for _, figures in labels.HEADLINE:
        for key, _label, _kind in figures:
            entry = glossary.entry_for(key)
            assert entry is not None and entry.meaning, key
    for key in metrics.RATES:
        entry = glossary.entry_for(key)
        assert entry is not None and entry.numerator and entry.denominator, key


def test_definitions_page_shows_credit_to_coaches_in_effect(login, supervisor):
    """metrics.md's "Credit to coaches" is computed: its section carries no notice, and the
    worked example's table is on the page."""
    html = login(supervisor).get("/reports/definitions").get_data(as_text=True)
    start = html.index('<h2 id="credit-to-coaches">')
    end = html.find("<h2", start + 1)
    section = html[start : end if end != -1 else len(html)]
    assert "A coach's figures must not change" in section
    assert "Not yet in effect" not in html and "not-yet-in-effect" not in html
    assert "coach A" in section and "coach B" in section


def test_definitions_notice_marks_a_section_not_yet_in_effect(monkeypatch, login, supervisor):
    """The mechanism stays for the next section a release defines before it computes it."""
    from coachapp.reports import definitions

    notice = "Not yet in effect: figures still follow each client's current coach"
    monkeypatch.setattr(definitions, "NOT_YET_IN_EFFECT", {"Credit to coaches": notice})
    definitions.rendered.cache_clear()
    try:
        html = login(supervisor).get("/reports/definitions").get_data(as_text=True)
    finally:
        definitions.rendered.cache_clear()
    start = html.index('<h2 id="credit-to-coaches">')
    section = html[start : html.find("<h2", start + 1)]
    assert notice in section
    assert section.index(notice) < section.index("A coach's figures must not change")


def test_a_built_package_carries_the_files_read_beside_the_modules(tmp_path):
    """A non-editable install holds what setuptools builds: metrics.md (the definitions page)
    and the common-passwords list must be in it, not only in the source tree."""
    import shutil
    import subprocess  # nosec B404 - runs this interpreter on a copy of the project
    import sys

    root = Path(__file__).parents[2]
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, source / name)
    shutil.copytree(
        root / "coachapp", source / "coachapp", ignore=shutil.ignore_patterns("__pycache__")
    )
    built = tmp_path / "lib"
    subprocess.run(  # noqa: S603  # nosec B603 - fixed arguments
        [sys.executable, "-c", "from setuptools import setup; setup()", "build_py"]
        + ["--build-lib", str(built)],
        cwd=source,
        check=True,
        capture_output=True,
    )
    assert (built / "coachapp/reports/metrics.md").read_bytes() == COPY.read_bytes()
    assert (built / "coachapp/auth/common_passwords.txt").exists()


def test_definitions_page_has_an_anchor_per_figure_key(login, coach, program_manager):
    for user in (coach, program_manager):
        response = login(user).get("/reports/definitions")
        assert response.status_code == 200
    html = page_text(response)
    for key in (
        "clients.engagement_rate",
        "clients.enrolled",
        "sessions.attempted",
        "appointments.no_show",
        "appointments.no_show_rate_unaccompanied",
        "time_to_first_contact_days.n",
        "referrals.by_category",
        "retention",
        "supervision.minutes",
    ):
        assert f'id="{key}"' in html, key
    assert "A worked example" in html and "<table" in html


def test_every_figure_of_the_report_has_a_definition_anchor():
    anchors = definitions.rendered()[1]
    report_keys = [key for key, _ in metrics.flatten(_empty_headline())]
    for key in report_keys:
        assert definitions.anchor_for(key) in anchors, key


def test_figure_keys_expand_relative_and_placeholder_keys():
    assert definitions.figure_keys(["appointments.attended", ".no_show", ".pending"]) == [
        "appointments.attended",
        "appointments.no_show",
        "appointments.pending",
    ]
    assert definitions.figure_keys(["retention.&lt;N&gt;"]) == ["retention"]
    assert definitions.figure_keys(["C-1"]) == []


def _empty_headline() -> dict:
    """The headline's shape without a database: every key, values irrelevant."""
    counts = dict.fromkeys(metrics.rowsets(), 0)
    return {
        "clients": metrics._client_dict(counts),
        "sessions": metrics._session_dict(counts, 0, 0),
        "time_to_first_contact_days": {"median": None, "n": 0},
        "appointments": metrics._appointment_dict(counts),
        "referrals": metrics._referral_dict(counts, None, by_category=True),
        "retention": metrics._retention_dict(counts),
        "goals": metrics._goal_dict(counts),
        "recovery_capital": metrics._recovery_capital_dict(
            counts, {"mean_change": None, "mean_latest": None}
        ),
        "supervision": metrics._supervision_dict(counts, 0),
    }


def test_every_figure_has_rows_behind_it():
    """A count is a rowset; a rate has a numerator and a denominator rowset; a sum, mean or
    median the rowset it is taken over."""
    rowsets = metrics.rowsets()
    for key, _ in metrics.flatten(_empty_headline()):
        if key in metrics.RATES:
            numerator, denominator = metrics.RATES[key]
            assert numerator in rowsets and denominator in rowsets, key
        elif key in metrics.VALUE_ROWS:
            assert metrics.VALUE_ROWS[key] in rowsets, key
        else:
            assert key in rowsets, key


# --- Who may report on what ----------------------------------------------------------------------


def test_report_scope_of_a_coach_is_their_own_caseload(coach, other_coach, supervisor):
    assert report_scope(coach) == Scope(coach.program_id, coach_id=coach.id)
    assert report_scope(coach, coach_id=coach.id) == Scope(coach.program_id, coach_id=coach.id)
    for kwargs in (
        {"coach_id": other_coach.id},
        {"supervisor_id": supervisor.id},
        {"program_id": coach.program_id + 1},
    ):
        with pytest.raises(ScopeError):
            report_scope(coach, **kwargs)


def test_report_scope_of_a_supervisor_is_their_team_or_one_coach(
    supervisor, coach, other_coach, other_supervisor
):
    program_id = supervisor.program_id
    assert report_scope(supervisor) == Scope(program_id, supervisor_id=supervisor.id)
    assert report_scope(supervisor, coach_id=coach.id) == Scope(program_id, coach_id=coach.id)
    for kwargs in (
        {"coach_id": other_coach.id},
        {"supervisor_id": other_supervisor.id},
        {"coach_id": supervisor.id},  # not a coach
        {"program_id": program_id + 1},
    ):
        with pytest.raises(ScopeError):
            report_scope(supervisor, **kwargs)


def test_report_scope_of_a_program_manager_is_their_program(
    program_manager, supervisor, coach, other_coach, other_supervisor
):
    program_id = program_manager.program_id
    assert report_scope(program_manager) == Scope(program_id)
    assert report_scope(program_manager, supervisor_id=other_supervisor.id) == Scope(
        program_id, supervisor_id=other_supervisor.id
    )
    assert report_scope(program_manager, coach_id=coach.id) == Scope(program_id, coach_id=coach.id)
    # A coach of another team than the chosen one: the narrower choice wins, both are in reach.
    assert report_scope(
        program_manager, supervisor_id=supervisor.id, coach_id=other_coach.id
    ) == Scope(program_id, coach_id=other_coach.id)
    elsewhere = factories.program()
    far_supervisor = factories.user("supervisor", program=elsewhere)
    far_coach = factories.user("coach", program=elsewhere, supervisor=far_supervisor)
    for kwargs in (
        {"program_id": elsewhere.id},
        {"supervisor_id": far_supervisor.id},
        {"coach_id": far_coach.id},
        {"coach_id": program_manager.id},
        {"supervisor_id": coach.id},
        {"coach_id": 999_999},
    ):
        with pytest.raises(ScopeError):
            report_scope(program_manager, **kwargs)


def test_report_scope_of_an_admin_is_any_program(admin, coach, supervisor):
    elsewhere = factories.program()
    far_supervisor = factories.user("supervisor", program=elsewhere)
    far_coach = factories.user("coach", program=elsewhere, supervisor=far_supervisor)
    assert report_scope(admin) == Scope(admin.program_id)
    assert report_scope(admin, program_id=elsewhere.id) == Scope(elsewhere.id)
    assert report_scope(admin, program_id=elsewhere.id, coach_id=far_coach.id) == Scope(
        elsewhere.id, coach_id=far_coach.id
    )
    for kwargs in (
        {"program_id": 999_999},
        {"program_id": elsewhere.id, "coach_id": coach.id},
        {"program_id": elsewhere.id, "supervisor_id": supervisor.id},
    ):
        with pytest.raises(ScopeError):
            report_scope(admin, **kwargs)


def test_inactive_users_have_no_report(coach):
    coach.active = False
    _db.session.commit()
    with pytest.raises(ScopeError):
        report_scope(coach)


@pytest.mark.parametrize(
    "value", ["abc", "-1", "0", "1.5", "2147483648", "99999999999999999999", "١٢", " 1 2"]
)
def test_parse_scope_id_refuses_what_is_not_an_id(value):
    with pytest.raises(ScopeError):
        parse_scope_id(value)


def test_parse_scope_id_reads_ids():
    assert (
        parse_scope_id("") is None and parse_scope_id(None) is None and parse_scope_id("42") == 42
    )


REPORT_URLS = ["/reports/", "/reports/rows?figure=clients.enrolled", "/reports/export.csv"]


@pytest.mark.parametrize("url", REPORT_URLS)
def test_coach_cannot_pass_another_coachs_id(login, coach, other_coach, url):
    browser = login(coach)
    sep = "&" if "?" in url else "?"
    assert browser.get(f"{url}{sep}coach_id={other_coach.id}").status_code == 404
    assert browser.get(f"{url}{sep}coach_id={coach.id}").status_code == 200


@pytest.mark.parametrize("url", REPORT_URLS)
def test_supervisor_cannot_pass_another_team(
    login, supervisor, other_supervisor, other_coach, coach, url
):
    browser = login(supervisor)
    sep = "&" if "?" in url else "?"
    assert browser.get(f"{url}{sep}supervisor_id={other_supervisor.id}").status_code == 404
    assert browser.get(f"{url}{sep}coach_id={other_coach.id}").status_code == 404
    assert browser.get(f"{url}{sep}coach_id={coach.id}").status_code == 200


@pytest.mark.parametrize("url", REPORT_URLS)
def test_program_manager_cannot_pass_another_program(login, program_manager, url):
    elsewhere = factories.program()
    browser = login(program_manager)
    sep = "&" if "?" in url else "?"
    assert browser.get(f"{url}{sep}program_id={elsewhere.id}").status_code == 404
    assert browser.get(f"{url}{sep}program_id={program_manager.program_id}").status_code == 200


@pytest.mark.parametrize("url", REPORT_URLS)
def test_admin_can_choose_any_program(login, admin, url):
    elsewhere = factories.program(name="Harbor Program")
    browser = login(admin)
    sep = "&" if "?" in url else "?"
    assert browser.get(f"{url}{sep}program_id={elsewhere.id}").status_code == 200
    assert browser.get(f"{url}{sep}program_id=999999").status_code == 404


@pytest.mark.parametrize("value", ["abc", "-3", "99999999999", "1e3"])
def test_hostile_scope_ids_are_404_not_500(login, program_manager, value):
    browser = login(program_manager)
    for name in ("program_id", "supervisor_id", "coach_id"):
        assert browser.get(f"/reports/?{name}={value}").status_code == 404


def test_anonymous_users_are_sent_to_sign_in(anon):
    for url in ["/reports/", "/reports/definitions", *REPORT_URLS[1:]]:
        assert anon.get(url).status_code == 302


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
    # (housing and employment, the breakdowns: eight queries) and storing them
    assert at_five < 50


# --- Drill-down ---------------------------------------------------------------------------------


def test_every_list_has_as_many_rows_as_its_figure(example, program_manager):
    """The worked example: each rowset's list length equals its count in the report, and each
    count figure of metrics.md equals the length of its list."""
    report = metrics.detailed_report(example, MARCH)
    counts = report["counts"]
    for key in metrics.rowsets():
        listed = drilldown.count_rows_of(key, example, MARCH, user=program_manager)
        assert listed == counts[key], key
    headline = {k: report[k] for k in metrics.HEADLINE_GROUPS}
    for key, value in metrics.flatten(headline):
        if key in metrics.rowsets():
            assert drilldown.count_rows_of(key, example, MARCH, user=program_manager) == value
        elif key in metrics.RATES:
            numerator, denominator = (
                drilldown.count_rows_of(k, example, MARCH, user=program_manager)
                for k in metrics.RATES[key]
            )
            assert metrics.rate(numerator, denominator) == value, key


def test_worked_example_lists(example, program_manager):
    def n(key):
        return drilldown.count_rows_of(key, example, MARCH, user=program_manager)

    assert (n("clients.enrolled"), n("clients.engaged"), n("clients.new_intakes")) == (4, 2, 2)
    assert (n("appointments.no_show"), n("appointments.no_show_rate.denominator")) == (1, 3)
    assert n("appointments.no_show_rate_accompanied.denominator") == 1
    assert (n("referrals.made"), n("referrals.linked")) == (4, 2)
    assert n("referrals.by_category.housing.made") == 2
    assert n("retention.30.eligible") == 0
    assert n("supervision.notes") == 1 and n("supervision.coaches_supervised") == 1
    assert n("recovery_capital.with_an_assessment") == 2


def test_rows_page_for_every_figure_link(login, program_manager, example):
    browser = login(program_manager)
    report = metrics.detailed_report(example, MARCH)
    for key in metrics.rowsets():
        response = browser.get("/reports/rows", query_string={"figure": key, **MARCH_ARGS})
        assert response.status_code == 200, key
        total = report["counts"][key]
        assert f"<strong>{total}</strong> row" in page_text(response), key
    for key in metrics.RATES:
        for part in ("numerator", "denominator"):
            response = browser.get(
                "/reports/rows", query_string={"figure": key, "part": part, **MARCH_ARGS}
            )
            assert response.status_code == 200, (key, part)
    for key in metrics.VALUE_ROWS:
        response = browser.get("/reports/rows", query_string={"figure": key, **MARCH_ARGS})
        assert response.status_code == 200, key


@pytest.mark.parametrize(
    "query",
    [
        {"figure": "nope"},
        {"figure": ""},
        {"figure": "clients.engagement_rate"},  # a rate needs a part
        {"figure": "clients.engagement_rate", "part": "both"},
        {"figure": "clients.enrolled", "part": "numerator"},
        {"figure": "x" * 5000},
    ],
)
def test_unknown_figures_are_404(login, program_manager, query):
    assert login(program_manager).get("/reports/rows", query_string=query).status_code == 404


def test_program_manager_sees_pseudonyms_only(login, program_manager, example, app):
    clients = _db.session.scalars(select(Client)).all()
    for client in clients:
        client.phone, client.email = "555-0142", "someone@example.org"
        client.notes = "Private narrative"
    _db.session.commit()
    browser = login(program_manager)
    for key in ("clients.enrolled", "sessions.completed", "referrals.made", "goals.opened"):
        html = page_text(browser.get("/reports/rows", query_string={"figure": key, **MARCH_ARGS}))
        for client in clients:
            for secret in (client.last_name, client.code, client.date_of_birth.isoformat()):
                assert secret not in html, (key, secret)
        assert "555-0142" not in html and "someone@example.org" not in html
        assert "Private narrative" not in html and "/clients/" not in html
    html = page_text(
        browser.get("/reports/rows", query_string={"figure": "clients.enrolled", **MARCH_ARGS})
    )
    assert sorted(re.findall(r"P-[0-9a-f]{10}", html)) == sorted(pseudonym(c.id) for c in clients)
    assert pseudonym(clients[0].id) == pseudonym(clients[0].id)  # stable
    assert pseudonym(clients[0].id) != pseudonym(clients[1].id)


def test_admin_sees_pseudonyms_only(login, admin, example):
    clients = _db.session.scalars(select(Client)).all()
    html = page_text(
        login(admin).get("/reports/rows", query_string={"figure": "clients.enrolled", **MARCH_ARGS})
    )
    assert all(c.last_name not in html for c in clients)
    assert len(set(re.findall(r"P-[0-9a-f]{10}", html))) == 4


@pytest.mark.parametrize("role", ["coach", "supervisor"])
def test_coaches_and_supervisors_see_names_within_the_access_rule(
    request,
    login,
    role,
    example,
    other_coach,
):
    user = request.getfixturevalue(role)
    outsider = factories.client(other_coach, intake_date=date(2026, 3, 1), last_name="Outsider")
    factories.session(outsider, on=date(2026, 3, 2))
    visible = set(_db.session.scalars(access.visible_client_ids(user)))
    scope = report_scope(user)
    for key in metrics.rowsets():
        listed = drilldown.client_ids_of(key, scope, MARCH, user=user)
        assert listed <= visible, key
        assert outsider.id not in listed
    html = page_text(
        login(user).get("/reports/rows", query_string={"figure": "clients.enrolled", **MARCH_ARGS})
    )
    names = [c.last_name for c in _db.session.scalars(select(Client).where(Client.id.in_(visible)))]
    assert names and all(name in html for name in names)
    assert "Outsider" not in html


def test_rows_of_one_coach_from_the_by_coach_table(login, program_manager, example, coach):
    html = page_text(login(program_manager).get("/reports/", query_string=MARCH_ARGS))
    assert f"coach_id={coach.id}" in html
    response = login(program_manager).get(
        "/reports/rows",
        query_string={"figure": "clients.enrolled", "coach_id": coach.id, **MARCH_ARGS},
    )
    assert "<strong>4</strong> rows" in page_text(response)


def test_rows_page_query_count_does_not_grow(login, supervisor, coach):
    browser = login(supervisor)

    def queries() -> int:
        with QueryCounter(_db.engine) as counter:
            response = browser.get(
                "/reports/rows", query_string={"figure": "sessions.completed", **MARCH_ARGS}
            )
            assert response.status_code == 200
        return counter.n

    for _ in range(3):
        factories.session(factories.client(coach), on=date(2026, 3, 3))
    few = queries()
    for _ in range(30):
        factories.session(factories.client(coach), on=date(2026, 3, 3))
    assert queries() == few


def test_rows_are_paged(login, program_manager, coach):
    client = factories.client(coach)
    for day in range(1, 29):
        for _ in range(4):
            factories.session(client, on=date(2026, 3, day))
    browser = login(program_manager)
    query = {"figure": "sessions.completed", **MARCH_ARGS}
    first = page_text(browser.get("/reports/rows", query_string=query))
    assert "<strong>112</strong> rows" in first and "Page 1 of 2" in first
    second = page_text(browser.get("/reports/rows", query_string={**query, "page": 2}))
    assert "Page 2 of 2" in second and second.count("<tr>") == 12 + 1
    assert browser.get("/reports/rows", query_string={**query, "page": "x"}).status_code == 200


# --- BARC-10 first vs latest ---------------------------------------------------------------------


def test_barc10_first_and_latest_means_over_clients_with_two_or_more(db, coach):
    a = factories.client(coach)
    factories.assessment(a, on=date(2026, 1, 1), items=(2,) * 10)  # 20
    factories.assessment(a, on=date(2026, 2, 1), items=(3,) * 10)
    factories.assessment(a, on=date(2026, 3, 1), items=(5,) * 10)  # latest 50
    b = factories.client(coach)
    factories.assessment(b, on=date(2026, 1, 5), items=(4,) * 10)  # 40
    factories.assessment(b, on=date(2026, 3, 5), items=(3,) * 10)  # 30
    factories.assessment(b, on=date(2026, 4, 5), items=(6,) * 10)  # after the end
    c = factories.client(coach)
    factories.assessment(c, on=date(2026, 3, 1), items=(1,) * 10)  # only one: not counted
    report = metrics.detailed_report(Scope(coach.program_id), MARCH)
    # First: (20 + 40) / 2 = 30; latest: (50 + 30) / 2 = 40.
    assert report["barc10"] == {"clients": 2, "mean_first": 30.0, "mean_latest": 40.0}
    assert report["recovery_capital"]["mean_change"] == 10.0


def test_detailed_report_is_outcome_report_plus_counts(example):
    detailed = metrics.detailed_report(example, MARCH)
    plain = metrics.outcome_report(example, MARCH)
    assert {k: v for k, v in detailed.items() if k not in ("counts", "barc10")} == plain
    assert metrics.rate_parts(detailed["counts"], "appointments.no_show_rate") == (1, 3)
    assert metrics.rate_parts(detailed["counts"], "goals.achievement_rate") == (1, 1)
    assert metrics.rate_parts(detailed["counts"], "clients.enrolled") is None


def test_every_rows_link_of_the_page_is_what_url_for_builds(login, program_manager, coach, example):
    """The page builds its many drill-down links from parts encoded once; each must be the URL
    ``url_for`` gives for the same arguments (whole program, a team, a coach's row)."""
    from html import unescape
    from urllib.parse import parse_qsl, urlsplit

    from flask import current_app, url_for

    browser = login(program_manager)
    for extra in ({}, {"supervisor_id": coach.supervisor_id}):
        html = page_text(browser.get("/reports/", query_string={**MARCH_ARGS, **extra}))
        links = {unescape(h) for h in re.findall(r'href="(/reports/rows\?[^"]+)"', html)}
        assert len(links) > 20
        for link in links:
            parts = urlsplit(link)
            args = dict(parse_qsl(parts.query))
            assert len(args) == len(parse_qsl(parts.query))  # no argument twice
            with current_app.test_request_context():
                assert link == url_for("reports.rows", **args), link
        coach_links = [link for link in links if f"coach_id={coach.id}" in link]
        assert coach_links and all("supervisor_id" not in link for link in coach_links)
