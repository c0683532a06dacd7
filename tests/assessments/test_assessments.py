"""BARC-10 assessments: the ten statements word for word, the total computed, the trend on the
client page with the 47 line, archive; the access rule on every route; hostile input."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from coachapp import timeutil
from coachapp.assessments import services
from coachapp.assessments.queries import client_panel
from coachapp.models import Assessment, AuditEvent
from coachapp.models.assessments import BARC10_STATEMENTS
from tests import factories
from tests.helpers import ITEM_MESSAGE, QueryCounter, barc_data, count

OUTSIDERS = ("other_coach", "other_supervisor", "program_manager", "admin")

# product.md, "BARC-10 assessments", word for word.
PRODUCT_STATEMENTS = (
    "There are more important things to me in life than using substances.",
    "In general I am happy with my life.",
    "I have enough energy to complete the tasks I set myself.",
    "I am proud of the community I live in and feel part of it.",
    "I get lots of support from friends.",
    "I regard my life as challenging and fulfilling without the need for using drugs or alcohol.",
    "My living space has helped to drive my recovery journey.",
    "I take full responsibility for my actions.",
    "I am happy dealing with a range of professional people.",
    "I am making good progress on my recovery journey.",
)


def today(program) -> date:
    return timeutil.local_today(program)


@pytest.fixture
def client_(coach):
    return factories.client(coach, intake_date=date(2025, 1, 6))


# --- Access ------------------------------------------------------------------------------------


def _pages(client, assessment) -> list[str]:
    return [f"/clients/{client.id}/assessments/new", f"/assessments/{assessment.id}"]


@pytest.mark.parametrize("role", ("coach", "supervisor"))
def test_coach_and_their_supervisor_open_every_page(request, db, login, client_, role):
    assessment = factories.assessment(client_)
    browser = login(request.getfixturevalue(role))
    for url in _pages(client_, assessment):
        assert browser.get(url).status_code == 200, url
    # The archive route is reached too (a missing reason is refused, nothing archived).
    assert (
        browser.post(f"/assessments/{assessment.id}/archive", data={"reason": ""}).status_code
        == 422
    )


@pytest.mark.parametrize("role", OUTSIDERS)
def test_everyone_else_gets_404(request, db, login, client_, role):
    assessment = factories.assessment(client_)
    browser = login(request.getfixturevalue(role))
    for url in _pages(client_, assessment):
        assert browser.get(url).status_code == 404, url
    assert (
        browser.post(f"/clients/{client_.id}/assessments/new", data=barc_data()).status_code == 404
    )
    response = browser.post(f"/assessments/{assessment.id}/archive", data={"reason": "x"})
    assert response.status_code == 404
    db.session.refresh(assessment)
    assert assessment.archived_at is None and count(db, Assessment) == 1


def test_anonymous_is_sent_to_sign_in(anon, db, client_):
    assessment = factories.assessment(client_)
    for url in _pages(client_, assessment):
        response = anon.get(url)
        assert response.status_code == 302 and "/auth/login" in response.location


# --- The form ----------------------------------------------------------------------------------


def test_the_statements_are_those_of_product_md():
    assert BARC10_STATEMENTS == PRODUCT_STATEMENTS


def test_the_form_shows_the_ten_statements_as_radio_groups(db, login, coach, client_):
    page = login(coach).get(f"/clients/{client_.id}/assessments/new").get_data(as_text=True)
    assert f'value="{today(client_.program).isoformat()}"' in page  # administered today
    for n, statement in enumerate(PRODUCT_STATEMENTS, start=1):
        escaped = statement.replace("'", "&#39;")
        assert f"{n}. {escaped}</legend>" in page
        assert f'<fieldset class="mb-0" id="item{n}">' in page
        for value in range(1, 7):
            assert f'name="item{n}" type="radio" value="{value}"' in page
    assert page.count("<fieldset") == 10 and page.count("<legend") == 10
    assert "1 Strongly disagree" in page and "6 Strongly agree" in page


def test_coach_records_a_barc10_and_the_total_is_computed(db, login, coach, client_):
    browser = login(coach)
    response = browser.post(
        f"/clients/{client_.id}/assessments/new", data=barc_data(total="60")
    )  # a posted total is ignored
    assert response.status_code == 302
    assert response.location.endswith(f"/clients/{client_.id}")
    a = db.session.scalar(select(Assessment))
    assert a.items == [5, 4, 6, 3, 5, 6, 4, 6, 5, 4]
    assert (a.total, a.administered_on, a.client_id, a.coach_id) == (
        48,
        date(2026, 3, 2),
        client_.id,
        coach.id,
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "assessment"))
    assert (event.action, event.entity_id, event.client_id) == ("create", a.id, client_.id)
    assert set(event.fields.split(",")) == {
        "administered_on",
        "total",
        *(f"item{n}" for n in range(1, 11)),
    }
    page = browser.get(response.location).get_data(as_text=True)
    assert "BARC-10 recorded: total 48 of 60." in page


def test_a_supervisor_records_it_for_the_clients_coach(db, login, coach, supervisor, client_):
    assert (
        login(supervisor)
        .post(f"/clients/{client_.id}/assessments/new", data=barc_data(items=(1,) * 10))
        .status_code
        == 302
    )
    a = db.session.scalar(select(Assessment))
    assert (a.coach_id, a.total) == (coach.id, 10)


def _tomorrow(program) -> str:
    return (today(program) + timedelta(days=1)).isoformat()


BAD = [
    ({"item7": "7"}, "item7", ITEM_MESSAGE),
    ({"item7": "0"}, "item7", ITEM_MESSAGE),
    ({"item7": "abc"}, "item7", ITEM_MESSAGE),
    ({"item7": ""}, "item7", ITEM_MESSAGE),
    ({"item7": None}, "item7", ITEM_MESSAGE),  # missing
    ({"item1": "-1"}, "item1", ITEM_MESSAGE),
    ({"item10": "99999999999999999999"}, "item10", ITEM_MESSAGE),
    ({"administered_on": "TOMORROW"}, "administered_on", "This date is in the future."),
    ({"administered_on": "1899-12-31"}, "administered_on", "This date is too far in the past."),
    ({"administered_on": "2026-02-30"}, "administered_on", "Not a valid date value."),
    ({"administered_on": ""}, "administered_on", "Give the date."),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    db, login, coach, client_, overrides, field, message
):
    data = barc_data()
    for key, value in overrides.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = _tomorrow(client_.program) if value == "TOMORROW" else value
    response = login(coach).post(f"/clients/{client_.id}/assessments/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert f'id="{field}-errors"' in page  # beside the statement
    # The other answers are kept (item 3 was answered 6).
    assert '<input checked class="form-check-input" id="item3-5" name="item3"' in page
    assert count(db, Assessment) == 0
    assert not db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "assessment"))


def test_the_service_checks_the_items(db, coach, client_):
    on = date(2026, 3, 2)
    for items, field in [
        ([4] * 9, "items"),
        ([4] * 11, "items"),
        ([4] * 6 + [7] + [4] * 3, "item7"),
        ([4] * 6 + [True] + [4] * 3, "item7"),
        ([4] * 6 + ["4"] + [4] * 3, "item7"),
    ]:
        with pytest.raises(services.AssessmentRuleError) as info:
            services.create_assessment(
                client_, {"administered_on": on, "items": items}, actor=coach
            )
        assert info.value.field == field
    with pytest.raises(services.AssessmentRuleError) as info:
        services.create_assessment(
            client_,
            {"administered_on": today(client_.program) + timedelta(days=1), "items": [4] * 10},
            actor=coach,
        )
    assert info.value.field == "administered_on"
    db.session.rollback()
    assert count(db, Assessment) == 0
    assert services.barc10_total([6] * 10) == 60


# --- Detail and archive ------------------------------------------------------------------------


def test_the_answers_of_one_assessment(db, login, coach, client_):
    a = factories.assessment(client_, items=(6, 5, 6, 5, 6, 5, 6, 5, 6, 1))
    page = login(coach).get(f"/assessments/{a.id}").get_data(as_text=True)
    assert "Total <strong>51</strong> of 60" in page and "≥ 47" in page
    assert "10. I am making good progress on my recovery journey.</td>" in page
    assert "1 · Strongly disagree" in page


def test_archive_needs_a_reason(db, login, coach, client_):
    a = factories.assessment(client_)
    response = login(coach).post(f"/assessments/{a.id}/archive", data={"reason": " "})
    assert response.status_code == 422
    assert "Give a reason." in response.get_data(as_text=True)
    db.session.refresh(a)
    assert a.archived_at is None


def test_archive_an_assessment(db, login, coach, client_):
    keep = factories.assessment(client_, on=date(2026, 1, 5))
    wrong = factories.assessment(client_, on=date(2026, 2, 27), items=(6,) * 10)
    browser = login(coach)
    response = browser.post(f"/assessments/{wrong.id}/archive", data={"reason": "wrong client"})
    assert response.status_code == 302
    db.session.refresh(wrong)
    assert wrong.archived_at is not None and wrong.archived_by_id == coach.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "archive"))
    assert (event.entity_type, event.entity_id, event.client_id) == (
        "assessment",
        wrong.id,
        client_.id,
    )
    assert browser.get(f"/assessments/{wrong.id}").status_code == 404
    page = browser.get(f"/clients/{client_.id}").get_data(as_text=True)
    assert "2026-02-27" not in page and keep.administered_on.isoformat() in page
    assert count(db, Assessment) == 2


# --- Client page -------------------------------------------------------------------------------


def _section(page: str) -> str:
    start = page.index('id="h-assessments"')
    return page[start : page.index("</section>", start)]


def test_the_trend_on_the_client_page(db, login, coach, client_):
    factories.assessment(client_, on=date(2025, 9, 1), items=(3,) * 10)  # 30
    factories.assessment(client_, on=date(2026, 1, 5), items=(4,) * 10)  # 40
    factories.assessment(client_, on=date(2026, 3, 1), items=(5,) * 10)  # 50
    gone = factories.assessment(client_, on=date(2026, 3, 2), items=(6,) * 10)
    gone.archived_at = datetime.now(timezone.utc)
    db.session.commit()
    page = login(coach).get(f"/clients/{client_.id}").get_data(as_text=True)
    section = _section(page)
    assert "Latest total <strong>50</strong> of 60 on 2026-03-01" in section
    assert "change since the first (2025-09-01):" in section and "<strong>+20</strong>" in section
    # The table: newest first, the 47 marker only where the total reaches it.
    table = section[section.index("<tbody>") :]
    assert table.index("2026-03-01") < table.index("2026-01-05") < table.index("2025-09-01")
    assert table.count("≥ 47</span>") == 1 and "2026-03-02" not in section
    # The chart's data, as JSON the script reads; the scripts are loaded after the panel.
    data = re.search(
        r'<script type="application/json" id="barc-data">(.*?)</script>', section
    ).group(1)
    assert json.loads(data) == {
        "labels": ["2025-09-01", "2026-01-05", "2026-03-01"],
        "totals": [30, 40, 50],
        "line": 47,
    }
    assert '<canvas id="barc-chart" role="img"' in section
    # The chart's scripts come after <main>, deferred: nothing blocks the page's first paint.
    after_main = page[page.index("</main>") :]
    assert '<script defer src="/static/vendor/chartjs/chart.umd.min.js"></script>' in after_main
    assert '<script defer src="/static/js/assessments.js"></script>' in after_main
    assert after_main.index("chart.umd.min.js") < after_main.index("js/assessments.js")
    assert "<script src=" not in page
    assert "<script>" not in page and "style=" not in page
    assert "<caption" in section  # the table is the text alternative


def test_a_drop_is_shown_with_its_sign(db, login, coach, client_):
    factories.assessment(client_, on=date(2026, 1, 5), items=(5,) * 10)
    factories.assessment(client_, on=date(2026, 3, 1), items=(4,) * 10)
    section = _section(login(coach).get(f"/clients/{client_.id}").get_data(as_text=True))
    assert "<strong>-10</strong>" in section


def test_no_assessment_no_chart(db, login, coach, client_):
    section = _section(login(coach).get(f"/clients/{client_.id}").get_data(as_text=True))
    assert "No BARC-10 yet." in section and "chart.umd" not in section
    assert f"/clients/{client_.id}/assessments/new" in section


def test_chart_js_only_with_a_trend_to_draw(db, login, coach, client_):
    """Chart.js (206 KiB) is loaded on the client page only when the panel draws a trend: two
    check-ins or more; one check-in shows its total and no chart."""
    browser = login(coach)
    factories.assessment(client_, on=date(2026, 1, 5), items=(4,) * 10)
    page = browser.get(f"/clients/{client_.id}").get_data(as_text=True)
    assert "Latest total <strong>40</strong>" in _section(page)
    assert "chart.umd" not in page and "js/assessments.js" not in page
    assert "barc-chart" not in page and "barc-data" not in page
    factories.assessment(client_, on=date(2026, 3, 1), items=(5,) * 10)
    page = browser.get(f"/clients/{client_.id}").get_data(as_text=True)
    assert page.count("chart.umd.min.js") == 1 and 'id="barc-chart"' in page
    assert '<script defer src="/static/vendor/chartjs/chart.umd.min.js">' in page


def test_the_chart_script_is_served_and_draws_the_47_line(anon):
    response = anon.get("/static/js/assessments.js")
    assert response.status_code == 200
    script = response.get_data(as_text=True)
    assert 'getElementById("barc-data")' in script and "data.line" in script
    response.close()


def test_panel_is_one_query(db, coach, client_):
    def panel_queries() -> int:
        db.session.expire_all()
        db.session.refresh(client_)
        db.session.refresh(coach)
        with QueryCounter(db.engine) as counter:
            client_panel(client_, coach)
        return counter.n

    factories.assessment(client_)
    one = panel_queries()
    for n in range(30):
        factories.assessment(client_, on=date(2025, 1, 1) + timedelta(days=n))
    assert panel_queries() == one == 1
