"""The report page's rendered body, kept with the stored report: served as stored, rendered
again exactly when the figures are, never shown to a role that sees something else, and never
served after the templates change."""

from __future__ import annotations

import re
from datetime import date

import pytest
from jinja2 import meta
from markupsafe import Markup
from sqlalchemy import func, select, update
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField
from wtforms.fields.choices import SelectChoice

from coachapp.extensions import db as _db
from coachapp.models import StoredReportPage
from coachapp.reports import store, views
from coachapp.reports.forms import PlainSelect
from tests import factories
from tests.helpers import MARCH_ARGS, QueryCounter
from tests.reports.helpers import page_text

MARKER = "<p>stored body marker</p>"


def _mark_stored_bodies() -> None:
    """Every stored body replaced by a marker: a view that shows it served the stored one."""
    _db.session.execute(update(StoredReportPage).values(body=MARKER.encode()))
    _db.session.commit()


def _without_tokens(html: str) -> str:
    """The page without its CSRF tokens (a new one each view, in the sign-out form)."""
    return re.sub(r'name="csrf_token"[^>]*>', "", html)


def _pages() -> int:
    return _db.session.scalar(select(func.count()).select_from(StoredReportPage))


@pytest.fixture
def march(coach):
    client = factories.client(coach, intake_date=date(2026, 3, 2))
    factories.session(client, on=date(2026, 3, 3))
    return client


def test_the_stored_body_is_served_without_computing_or_rendering(
    login, program_manager, march, monkeypatch
):
    browser = login(program_manager)
    first = browser.get("/reports/", query_string=MARCH_ARGS)
    assert first.status_code == 200 and _pages() == 1
    _mark_stored_bodies()

    def refuse(*_args, **_kwargs):
        raise AssertionError("the stored body should be served")

    monkeypatch.setattr(views, "_render_body", refuse)
    monkeypatch.setattr(store, "detailed_report", refuse)
    with QueryCounter(_db.engine) as counter:
        second = browser.get("/reports/", query_string=MARCH_ARGS)
    assert second.status_code == 200
    html = second.get_data(as_text=True)
    assert MARKER in html
    # the page around it is rendered for this view: the form and the period's line
    assert 'id="report-form"' in html and "2026-03-01 to 2026-03-31" in html
    # the user, the program, the picker's two lists, the token and the body: nothing written
    assert counter.n <= 6


def test_the_body_is_rendered_again_when_the_figures_are(login, program_manager, march):
    browser = login(program_manager)
    browser.get("/reports/", query_string=MARCH_ARGS)
    _mark_stored_bodies()
    assert MARKER in page_text(browser.get("/reports/", query_string=MARCH_ARGS))

    factories.session(march, on=date(2026, 12, 1))  # dated after March: March stays stored
    assert MARKER in page_text(browser.get("/reports/", query_string=MARCH_ARGS))

    factories.session(march, on=date(2026, 3, 20))  # dated in March: figures computed again
    html = page_text(browser.get("/reports/", query_string=MARCH_ARGS))
    assert MARKER not in html and "Headline figures" in html
    assert _pages() == 1  # the row was replaced, not added


def test_a_forgotten_report_forgets_its_body(login, program_manager, march):
    browser = login(program_manager)
    browser.get("/reports/", query_string=MARCH_ARGS)
    _mark_stored_bodies()
    store.forget()
    _db.session.commit()
    assert _pages() == 0
    assert MARKER not in page_text(browser.get("/reports/", query_string=MARCH_ARGS))


def test_a_new_day_renders_an_open_period_again(login, program_manager, march, monkeypatch):
    """The follow-up rates count windows closed before today: their day is in the token."""
    from coachapp import timeutil

    browser = login(program_manager)
    monkeypatch.setattr(timeutil, "local_today", lambda _program: date(2026, 3, 25))
    browser.get("/reports/?start=2026-03-01&end=2026-03-31")
    _mark_stored_bodies()
    assert MARKER in page_text(browser.get("/reports/?start=2026-03-01&end=2026-03-31"))
    monkeypatch.setattr(timeutil, "local_today", lambda _program: date(2026, 3, 26))
    assert MARKER not in page_text(browser.get("/reports/?start=2026-03-01&end=2026-03-31"))


def test_a_body_is_never_shown_to_a_role_that_sees_another(
    login, program_manager, supervisor, admin, coach, march
):
    """The same scope and period seen by a program manager (small-cell rule), the team's
    supervisor (no rule) and an admin (no link to the interviews due): one body each."""
    team = {**MARCH_ARGS, "supervisor_id": supervisor.id}
    manager_html = page_text(login(program_manager).get("/reports/", query_string=team))
    supervisor_html = page_text(login(supervisor).get("/reports/", query_string=team))
    admin_html = page_text(login(admin).get("/reports/", query_string=team))
    assert _pages() == 3
    assert "Small-cell rule:" in manager_html and "Small-cell rule:" not in supervisor_html
    assert "Interviews due this week" in manager_html
    assert "Interviews due this week" not in admin_html

    # served again, each role gets its own body back, not the one stored last
    again = login(program_manager).get("/reports/", query_string=team)
    assert _without_tokens(page_text(again)) == _without_tokens(manager_html)
    again = login(supervisor).get("/reports/", query_string=team)
    assert _without_tokens(page_text(again)) == _without_tokens(supervisor_html)
    assert _pages() == 3


def test_two_users_of_one_role_share_a_body_but_not_the_page_around_it(
    login, program_manager, program, march
):
    other = factories.user("program_manager", program=program, name="Petra Otherpm")
    first = login(program_manager).get("/reports/", query_string=MARCH_ARGS)
    _mark_stored_bodies()
    second = page_text(login(other).get("/reports/", query_string=MARCH_ARGS))
    assert MARKER in second and _pages() == 1
    assert other.name in second and program_manager.name not in second
    assert program_manager.name in page_text(first)


def test_the_group_shown_and_the_period_name_are_bodies_of_their_own(login, program_manager, march):
    browser = login(program_manager)
    browser.get("/reports/", query_string=MARCH_ARGS)
    _mark_stored_bodies()
    by_group = page_text(
        browser.get("/reports/", query_string={**MARCH_ARGS, "by": "race_ethnicity"})
    )
    assert MARKER not in by_group
    named = page_text(browser.get("/reports/?period=2026Q1"))
    assert MARKER not in named and "period=2026Q1" in named  # the exports carry the name


def test_a_template_change_renders_the_body_again(app, login, program_manager, march, monkeypatch):
    browser = login(program_manager)
    browser.get("/reports/", query_string=MARCH_ARGS)
    _mark_stored_bodies()
    assert MARKER in page_text(browser.get("/reports/", query_string=MARCH_ARGS))

    loader = app.jinja_env.loader
    get_source = loader.get_source

    def changed(environment, name):
        source, filename, _uptodate = get_source(environment, name)
        if name == "reports/_body.html":
            return source + "<!-- a new release -->", filename, lambda: False
        return source, filename, _uptodate

    monkeypatch.setattr(loader, "get_source", changed)
    app.jinja_env.cache.clear()  # as a new release's processes start: templates read anew
    try:
        html = page_text(browser.get("/reports/", query_string=MARCH_ARGS))
    finally:
        app.jinja_env.cache.clear()  # the next test reads the real template again
    assert MARKER not in html and "<!-- a new release -->" in html


def test_every_template_the_body_uses_is_in_its_version(app):
    """A template the body includes or imports, changed, renders the body again too: each is
    one of the templates the page's version is read from."""
    env = app.jinja_env
    seen, waiting = set(), ["reports/_body.html"]
    while waiting:
        name = waiting.pop()
        seen.add(name)
        source = env.loader.get_source(env, name)[0]
        for used in meta.find_referenced_templates(env.parse(source)):
            assert used is not None, f"{name} names a template only known when it renders"
            if used not in seen:
                waiting.append(used)
    assert seen == set(views._BODY_TEMPLATES)


# --- The picker's select renders what WTForms' Select does --------------------------------------


class _Form(Form):
    plain = SelectField(widget=PlainSelect())
    wtforms = SelectField()


@pytest.mark.parametrize("selected", ["", "5", "O'Brien", "none of them"])
def test_plain_select_writes_what_wtforms_writes(selected):
    choices = [
        ("", "All coaches"),
        ("5", 'Ann <Smith> & "Co"', {"data-supervisor": "3"}),
        ("O'Brien", "", {"data-supervisor": "", "title": "after selected"}),
        (7, "Seven"),
    ]
    grouped = [
        SelectChoice("last_month", "Last month"),
        SelectChoice("FY2026", "FY2026", optgroup="Fiscal <years>"),
        SelectChoice("5", "Five", optgroup="Fiscal <years>"),
        SelectChoice("2026Q1", "2026 Q1", optgroup="Calendar quarters"),
        SelectChoice("custom", "Custom dates"),
    ]
    for options in (choices, grouped):
        form = _Form(MultiDict({"plain": selected, "wtforms": selected}))
        form.plain.choices = options
        form.wtforms.choices = [
            c
            if isinstance(c, SelectChoice)
            else SelectChoice(*c[:2], render_kw=c[2] or None)
            if len(c) == 3
            else SelectChoice(str(c[0]), c[1])
            for c in options
        ]
        plain = form.plain(class_="form-select", aria_describedby="x-help")
        assert isinstance(plain, Markup)
        expected = form.wtforms(class_="form-select", aria_describedby="x-help")
        assert str(plain) == str(expected).replace("wtforms", "plain")
