"""SUPRT follow-up interviews on the pages: the client's block, recording, archiving; due this
week; the report page, exports and definitions; the API; the model's one live row per
interview and the demo."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from coachapp.extensions import db as _db
from coachapp.followups import metrics
from coachapp.followups.schedule import (
    add_months,
)
from coachapp.models import AuditEvent, Enrollment, FollowUpInterview
from coachapp.models.base import utcnow
from coachapp.reports.metrics import Period, Scope
from tests import factories

# --- Pages: the client's block, recording, archiving -----------------------------------------


def _today():
    return datetime.now(timezone.utc).date()  # factories' programs are in UTC


def _client_with_episode(coach, days_ago: int, discharged_days_ago: int | None = None):
    client = factories.client(coach, intake_date=_today() - timedelta(days=days_ago))
    episode = _db.session.scalar(select(Enrollment).where(Enrollment.client_id == client.id))
    if discharged_days_ago is not None:
        episode.discharge_date = _today() - timedelta(days=discharged_days_ago)
        _db.session.commit()
    return client, episode


def _record_url(client, episode, kind="baseline"):
    return f"/clients/{client.id}/followups/{episode.id}/{kind}"


def _post_record(browser, client, episode, day, kind="baseline"):
    field = f"{kind}-{episode.id}-done_on"
    value = day.isoformat() if isinstance(day, date) else day
    return browser.post(_record_url(client, episode, kind), data={field: value})


def test_client_page_shows_each_episodes_interviews(db, login, coach):
    client, episode = _client_with_episode(coach, 10)
    html = login(coach).get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Follow-up interviews" in html and 'id="h-followups"' in html
    opens = episode.intake_date.isoformat()
    closes = (episode.intake_date + timedelta(days=30)).isoformat()
    assert f"{opens} to {closes}" in html
    assert "20 days left" in html
    assert f'name="baseline-{episode.id}-done_on"' in html
    assert "Record as done" in html


def test_record_in_the_window_with_its_audit_event(db, login, coach):
    client, episode = _client_with_episode(coach, 10)
    browser = login(coach)
    response = _post_record(browser, client, episode, _today() - timedelta(days=2))
    assert response.status_code == 302
    row = db.session.scalar(select(FollowUpInterview))
    assert (row.kind, row.done_on, row.recorded_by_id) == (
        "baseline",
        _today() - timedelta(days=2),
        coach.id,
    )
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.entity_type == "follow_up_interview")
    )
    assert event.action == "create" and event.client_id == client.id
    assert "done_on" in event.fields and str(row.done_on) not in (event.fields or "")
    html = browser.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "recorded as done" in html and ">Done<" in html


def test_a_date_outside_the_window_is_accepted_with_a_note(db, login, coach):
    client, episode = _client_with_episode(coach, 60)  # baseline window closed 30 days ago
    browser = login(coach)
    response = _post_record(browser, client, episode, _today() - timedelta(days=1))
    assert response.status_code == 302
    html = browser.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "will not count as done" in html
    assert "Done late (does not count)" in html


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Give the date."),
        ("not a date", "Not a valid date value."),
        ("future", "This date is in the future."),
        ("before", "before the episode&#39;s intake"),
    ],
)
def test_bad_dates_are_refused_and_kept(db, login, coach, value, message):
    client, episode = _client_with_episode(coach, 10)
    if value == "future":
        value = (_today() + timedelta(days=1)).isoformat()
    elif value == "before":
        value = (episode.intake_date - timedelta(days=1)).isoformat()
    response = _post_record(login(coach), client, episode, value)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert f'value="{value}"' in html or value == ""
    assert db.session.scalar(select(FollowUpInterview)) is None


def test_an_interview_not_due_or_recorded_already_is_refused(db, login, coach):
    client, episode = _client_with_episode(coach, 10)
    browser = login(coach)
    response = _post_record(browser, client, episode, _today(), kind="closeout")
    assert response.status_code == 422
    assert "closeout interview is not due" in response.get_data(as_text=True)
    assert _post_record(browser, client, episode, _today()).status_code == 302
    again = _post_record(browser, client, episode, _today())
    assert again.status_code == 422 and "Recorded already" in again.get_data(as_text=True)


def test_archive_a_mistake_then_record_again(db, login, coach):
    client, episode = _client_with_episode(coach, 10)
    browser = login(coach)
    _post_record(browser, client, episode, _today())
    row = db.session.scalar(select(FollowUpInterview))
    assert browser.get(f"/followups/{row.id}/archive").status_code == 200
    empty = browser.post(f"/followups/{row.id}/archive", data={"reason": ""})
    assert empty.status_code == 422 and "Give a reason." in empty.get_data(as_text=True)
    done = browser.post(f"/followups/{row.id}/archive", data={"reason": "Wrong client"})
    assert done.status_code == 302
    db.session.refresh(row)
    assert row.archived_by_id == coach.id and row.archive_reason == "Wrong client"
    assert browser.get(f"/followups/{row.id}/archive").status_code == 404
    assert db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "follow_up_interview", AuditEvent.action == "archive"
        )
    )
    assert _post_record(browser, client, episode, _today()).status_code == 302


@pytest.mark.parametrize("outsider", ["other_coach", "other_supervisor", "program_manager"])
def test_outside_the_rule_everything_is_404(request, db, login, coach, outsider):
    client, episode = _client_with_episode(coach, 10)
    row = FollowUpInterview(
        client_id=client.id, enrollment_id=episode.id, kind="baseline", done_on=_today()
    )
    db.session.add(row)
    db.session.commit()
    browser = login(request.getfixturevalue(outsider))
    assert browser.get(_record_url(client, episode)).status_code == 404
    assert _post_record(browser, client, episode, _today()).status_code == 404
    assert browser.get(f"/followups/{row.id}/archive").status_code == 404
    assert browser.post(f"/followups/{row.id}/archive", data={"reason": "x"}).status_code == 404
    db.session.refresh(row)
    assert row.archived_at is None


def test_an_episode_of_another_client_is_404(db, login, coach):
    client, _episode = _client_with_episode(coach, 10)
    _other, other_episode = _client_with_episode(coach, 10)
    assert login(coach).get(_record_url(client, other_episode)).status_code == 404
    assert login(coach).get(f"/clients/{client.id}/followups/{_episode.id}/nope").status_code == 404


# --- Due this week: the list, the task, the manager's counts ----------------------------------


@pytest.fixture
def caseloads(db, coach, other_coach):
    """Due this week for the coach (baseline closes in 4 days), open but later (intake 5 days
    ago), opening soon (six-month window opens in 3 days), done already; one of another coach."""
    due, _ = _client_with_episode(coach, 26)
    due.last_name = "Duesoon"
    later, _ = _client_with_episode(coach, 5)
    later.last_name = "Openlater"
    target = _today() + timedelta(days=33)
    opening = factories.client(coach, last_name="Openingsoon", intake_date=add_months(target, -6))
    done, episode = _client_with_episode(coach, 27)
    db.session.add(
        FollowUpInterview(
            client_id=done.id, enrollment_id=episode.id, kind="baseline", done_on=_today()
        )
    )
    theirs, _ = _client_with_episode(other_coach, 27)
    theirs.last_name = "Elsewhere"
    db.session.commit()
    return {"due": due, "later": later, "opening": opening, "done": done}


def test_coach_list_of_interviews_due(db, login, coach, caseloads):
    html = login(coach).get("/followups/due").get_data(as_text=True)
    assert "Due this week: <strong>1</strong>" in html
    assert "Duesoon" in html and "Openlater" in html and "Openingsoon" in html
    assert "Elsewhere" not in html
    assert html.index("Duesoon") < html.index("Openlater") < html.index("Openingsoon")
    assert "4 days left" in html


def test_coach_task_list_counts_the_interviews_due(db, login, coach, caseloads):
    from coachapp.clients import tasks
    from coachapp.clients.alerts import AlertContext

    ctx = AlertContext(today=_today(), now=datetime.now())
    found = tasks.counts(coach, ctx)
    assert found["interviews"] == 1
    items = tasks.items(coach, ctx, found)["interviews"]
    assert [(t.client_name.split()[-1], t.endpoint) for t in items] == [
        ("Duesoon", "clients.detail")
    ]


def test_supervisor_sees_the_team_with_a_coach_filter(
    db, login, supervisor, coach, other_coach, caseloads
):
    browser = login(supervisor)
    html = browser.get("/followups/due").get_data(as_text=True)
    assert "Duesoon" in html and "Casey Coach" in html and "Elsewhere" not in html
    assert "Duesoon" in browser.get(f"/followups/due?coach_id={coach.id}").get_data(as_text=True)
    assert browser.get(f"/followups/due?coach_id={other_coach.id}").status_code == 404
    assert browser.get("/followups/due?coach_id=abc").status_code == 404


def test_program_manager_sees_counts_without_names(db, login, program_manager, caseloads):
    response = login(program_manager).get("/followups/due")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Casey Coach" in html and "Oscar Othercoach" in html
    for name in ("Duesoon", "Openlater", "Openingsoon", "Elsewhere", "Jordan"):
        assert name not in html
    row = metrics.counts_by_coach(Scope(program_manager.program_id), _today())
    mine = next(r for r in row if r["coach_name"] == "Casey Coach")
    assert (mine["due"], mine["open"], mine["opening"]) == (1, 1, 1)


# --- Report page, exports, definitions --------------------------------------------------------


def test_report_page_and_export_show_the_rates(db, login, coach, example):
    args = "start=2026-03-01&end=2026-03-31"
    html = login(coach).get(f"/reports/?{args}").get_data(as_text=True)
    assert "Follow-up interviews (SUPRT)" in html and "80%" in html
    assert "below the 80% target" in html  # the coach's six-month rate: 2 of 4
    csv = login(coach).get(f"/reports/export.csv?table=report&{args}").get_data(as_text=True)
    assert "followups.six_month.rate" in csv and "Follow-up rate (six-month)" in csv
    line = next(row for row in csv.splitlines() if row.endswith("followups.six_month.rate"))
    assert ",2,4," in line


def test_definitions_page_explains_the_rates(db, login, program_manager):
    html = login(program_manager).get("/reports/definitions").get_data(as_text=True)
    assert "Follow-up rate (six-month)" in html
    assert "done inside the window ÷ due" in html
    assert "Aug 31 → Feb 28" in html  # the exact definition, month-end clipping


# --- API --------------------------------------------------------------------------------------


def _token(user) -> dict:
    from coachapp.auth.tokens import create_token

    secret, _row = create_token(user, "test")
    _db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_api_round_trip(db, app, coach, other_coach):
    client, episode = _client_with_episode(coach, 10)
    api = app.test_client()
    headers = _token(coach)
    url = f"/api/v1/clients/{client.id}/followups"
    listed = api.get(url, headers=headers)
    assert listed.status_code == 200
    (item,) = listed.json["items"]
    assert item["enrollment_id"] == episode.id
    assert [i["state"] for i in item["interviews"]] == ["open", "upcoming", "not_due"]
    assert item["interviews"][0]["days_left"] == 20
    created = api.post(url, headers=headers, json={"kind": "baseline"})
    assert created.status_code == 201
    assert created.json["in_window"] is True and created.json["done_on"] == _today().isoformat()
    again = api.post(url, headers=headers, json={"kind": "baseline", "enrollment_id": episode.id})
    assert again.status_code == 422 and "kind" in again.json["error"]["fields"]
    future = (_today() + timedelta(days=1)).isoformat()
    late = api.post(url, headers=headers, json={"kind": "closeout", "done_on": future})
    assert late.status_code == 422
    assert set(late.json["error"]["fields"]) == {"kind", "done_on"}
    after = api.get(url, headers=headers).json["items"][0]["interviews"][0]
    assert after["state"] == "done" and after["record_id"] == created.json["id"]
    outsider = _token(other_coach)
    assert api.get(url, headers=outsider).status_code == 404
    assert api.post(url, headers=outsider, json={"kind": "six_month"}).status_code == 404
    other_client, other_episode = _client_with_episode(coach, 10)
    wrong = api.post(
        url, headers=headers, json={"kind": "six_month", "enrollment_id": other_episode.id}
    )
    assert wrong.status_code == 422 and "enrollment_id" in wrong.json["error"]["fields"]


def test_api_outside_the_window_says_it_will_not_count(db, app, coach):
    client, _episode = _client_with_episode(coach, 60)
    response = app.test_client().post(
        f"/api/v1/clients/{client.id}/followups", headers=_token(coach), json={"kind": "baseline"}
    )
    assert response.status_code == 201
    assert response.json["in_window"] is False and "will not count" in response.json["note"]


def test_api_report_of_the_rates(db, app, example, coach, other_coach, program_manager):
    api = app.test_client()
    query = {"start": "2026-03-01", "end": "2026-03-31"}
    mine = api.get("/api/v1/reports/followups", headers=_token(coach), query_string=query)
    assert mine.status_code == 200
    assert mine.json["scope"]["coach_id"] == coach.id
    assert mine.json["six_month"]["due"] == 4 and mine.json["six_month"]["done"] == 2
    assert mine.json["target"] == 0.8
    program = api.get(
        "/api/v1/reports/followups", headers=_token(program_manager), query_string=query
    )
    assert program.json["six_month"] == {
        "due": 5,
        "done": 3,
        "outside_window": 1,
        "not_done": 1,
        "rate": 0.6,
    }
    assert "clients" not in program.json  # not the outcomes report
    refused = api.get(
        "/api/v1/reports/followups",
        headers=_token(coach),
        query_string={**query, "coach_id": other_coach.id},
    )
    assert refused.status_code == 404
    spec = api.get("/api/v1/openapi.json").json
    assert (
        "/api/v1/reports/followups" in spec["paths"]
        and "/api/v1/clients/{client_id}/followups" in spec["paths"]
    )


# --- The model's one live row per interview, and the demo -------------------------------------


def test_one_live_record_per_episode_and_kind(db, coach):
    from sqlalchemy.exc import IntegrityError

    client, episode = _client_with_episode(coach, 10)

    def add(archived: bool = False):
        row = FollowUpInterview(
            client_id=client.id,
            enrollment_id=episode.id,
            kind="baseline",
            done_on=_today(),
            archived_at=utcnow() if archived else None,
        )
        db.session.add(row)
        db.session.commit()

    add(archived=True)
    add(archived=True)  # archived mistakes may repeat
    add()
    with pytest.raises(IntegrityError):
        add()
    db.session.rollback()


def test_demo_has_realistic_rates_and_a_due_interview_for_the_demo_coach(db):
    from coachapp import access
    from coachapp.clients import tasks
    from coachapp.clients.alerts import AlertContext
    from coachapp.demo import build_demo
    from coachapp.models import Program, User

    today = date(2026, 6, 15)
    build_demo("small", seed=1, today=today)
    program = db.session.scalar(select(Program))
    got = metrics.figures(
        Scope(program.id), Period(today - timedelta(days=365), today), today=today
    )
    for kind in ("baseline", "six_month", "closeout"):
        assert got[kind]["due"] > 0
        assert 0.6 <= got[kind]["rate"] <= 0.97, (kind, got[kind])
    assert got["six_month"]["outside_window"] + got["six_month"]["not_done"] > 0
    coach = db.session.scalar(select(User).where(User.email == "coach@demo.coachapp.example"))
    rows, counts = metrics.due_list(access.visible_client_ids(coach), today)
    assert counts["due"] >= 1
    found = tasks.counts(coach, AlertContext(today=today, now=datetime(2026, 6, 15, 12)))
    assert found["interviews"] == counts["due"]


@pytest.mark.parametrize("role", ["coach", "supervisor", "program_manager"])
def test_the_due_page_asks_the_same_number_of_queries_whatever_the_caseload(
    request, db, login, coach, role
):
    from tests.helpers import QueryCounter

    browser = login(request.getfixturevalue(role))

    def queries() -> int:
        with QueryCounter(db.engine) as counter:
            assert browser.get("/followups/due").status_code == 200
        return counter.n

    _client_with_episode(coach, 26)
    few = queries()
    for days in (3, 20, 25, 170, 185, 200):
        _client_with_episode(coach, days)
    assert queries() == few
