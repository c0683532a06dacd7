"""The report's drill-down lists (checked against the worked example of metrics.md: every
list has exactly as many rows as the figure it stands behind) and BARC-10 first vs latest."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from coachapp import access
from coachapp.access import report_scope
from coachapp.extensions import db as _db
from coachapp.models import Client
from coachapp.reports import drilldown, metrics
from coachapp.reports.metrics import Scope
from coachapp.reports.pseudonyms import pseudonym
from tests import factories
from tests.helpers import MARCH, MARCH_ARGS, QueryCounter
from tests.reports.helpers import page_text

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
