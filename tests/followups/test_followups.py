"""SUPRT follow-up interviews: the schedule's edges (pure function), the same windows in SQL on
SQLite and PostgreSQL, the rates of metrics.md's worked example, the due-this-week lists, the
access rule on every route, the forms, the API and the audit trail."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from coachapp.extensions import db as _db
from coachapp.followups import metrics
from coachapp.followups.schedule import (
    State,
    add_months,
    schedule,
    six_month_window,
    window_for,
)
from coachapp.models import AuditEvent, Enrollment, FollowUpInterview
from coachapp.models.base import utcnow
from coachapp.models.enums import InterviewKind
from coachapp.reports.metrics import Period, Scope, scope_clients
from tests import factories

B, S, C = InterviewKind.BASELINE, InterviewKind.SIX_MONTH, InterviewKind.CLOSEOUT
INTAKE = date(2026, 1, 10)


def states(intake, discharge, today, done=None):
    return {i.kind: i.state for i in schedule(intake, discharge, today, done)}


# --- The schedule, a pure function -----------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [(29, State.OPEN), (30, State.OPEN), (31, State.MISSED)],
)
def test_baseline_window_day_29_30_31(day, expected):
    assert states(INTAKE, None, INTAKE + timedelta(days=day))[B] == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [(29, State.DONE), (30, State.DONE), (31, State.DONE_LATE)],
)
def test_baseline_done_on_day_29_30_31(day, expected):
    done = {B: INTAKE + timedelta(days=day)}
    assert states(INTAKE, None, date(2026, 12, 1), done)[B] == expected


def test_open_interview_has_its_days_left():
    items = schedule(INTAKE, None, INTAKE + timedelta(days=29))
    assert items[0].state == State.OPEN and items[0].days_left == 1
    assert schedule(INTAKE, None, INTAKE + timedelta(days=30))[0].days_left == 0


@pytest.mark.parametrize(
    ("day", "expected"),
    [(-1, State.UPCOMING), (0, State.OPEN), (29, State.OPEN), (30, State.OPEN), (31, State.MISSED)],
)
def test_closeout_window_after_discharge(day, expected):
    discharge = date(2026, 3, 1)
    assert states(INTAKE, discharge, discharge + timedelta(days=day))[C] == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [(29, State.DONE), (30, State.DONE), (31, State.DONE_LATE), (-1, State.NOT_DUE)],
)
def test_closeout_done_relative_to_discharge(day, expected):
    discharge = date(2026, 3, 1)
    if day < 0:  # recorded before discharge: the episode is still open, the closeout not due
        assert states(INTAKE, None, discharge, {C: discharge})[C] == State.NOT_DUE
        return
    done = {C: discharge + timedelta(days=day)}
    assert states(INTAKE, discharge, date(2026, 12, 1), done)[C] == expected


def test_six_month_window_edges():
    window = six_month_window(INTAKE)
    target = date(2026, 7, 10)
    assert window.target == target
    assert (window.opens, window.closes) == (target - timedelta(30), target + timedelta(30))
    as_of = {
        -31: State.UPCOMING,
        -30: State.OPEN,
        30: State.OPEN,
        31: State.MISSED,
    }
    for offset, expected in as_of.items():
        assert states(INTAKE, None, target + timedelta(days=offset))[S] == expected, offset
    done = {
        -31: State.DONE_EARLY,
        -30: State.DONE,
        30: State.DONE,
        31: State.DONE_LATE,
    }
    for offset, expected in done.items():
        got = states(INTAKE, None, date(2027, 1, 1), {S: target + timedelta(days=offset)})[S]
        assert got == expected, offset


@pytest.mark.parametrize(
    ("intake", "target"),
    [
        (date(2025, 8, 31), date(2026, 2, 28)),  # clipped to the month's last day
        (date(2023, 8, 31), date(2024, 2, 29)),  # leap year
        (date(2023, 8, 29), date(2024, 2, 29)),
        (date(2023, 8, 30), date(2024, 2, 29)),
        (date(2025, 12, 31), date(2026, 6, 30)),
        (date(2025, 9, 30), date(2026, 3, 30)),
        (date(2026, 7, 31), date(2027, 1, 31)),  # across the year
        (date(2024, 2, 29), date(2024, 8, 29)),  # from a leap day
    ],
)
def test_month_end_clipping(intake, target):
    assert add_months(intake, 6) == target
    assert six_month_window(intake).target == target


def test_six_month_not_due_when_discharged_before_its_window_opened():
    opens = six_month_window(INTAKE).opens
    assert window_for(S, INTAKE, opens - timedelta(days=1)) is None
    assert states(INTAKE, opens - timedelta(days=1), date(2027, 1, 1))[S] == State.NOT_DUE
    # discharged the day the window opens: still due, and so is the closeout
    assert window_for(S, INTAKE, opens) is not None
    assert states(INTAKE, opens, opens)[S] == State.OPEN
    assert states(INTAKE, opens, opens)[C] == State.OPEN


def test_closeout_not_due_while_the_episode_is_open():
    assert states(INTAKE, None, date(2027, 1, 1))[C] == State.NOT_DUE


def test_discharge_on_the_intake_day():
    got = schedule(INTAKE, INTAKE, INTAKE)
    assert [i.state for i in got] == [State.OPEN, State.NOT_DUE, State.OPEN]
    assert got[0].window == got[2].window  # both [intake, intake + 30]
    assert got[0].days_left == 30


def test_re_enrollment_each_episode_its_own_schedule():
    first = schedule(date(2025, 1, 5), date(2025, 3, 1), date(2026, 3, 1), {B: date(2025, 1, 9)})
    second = schedule(date(2026, 2, 20), None, date(2026, 3, 1))
    assert [i.state for i in first] == [State.DONE, State.NOT_DUE, State.MISSED]
    assert [i.state for i in second] == [State.OPEN, State.UPCOMING, State.NOT_DUE]
    assert second[1].window.target == date(2026, 8, 20)


def test_done_outside_the_window_does_not_count():
    items = schedule(INTAKE, None, date(2026, 12, 1), {B: INTAKE + timedelta(days=31)})
    assert items[0].state == State.DONE_LATE and not items[0].counts
    assert schedule(INTAKE, None, date(2026, 12, 1), {B: INTAKE})[0].counts


# --- The same windows in SQL -------------------------------------------------------------------


INTAKES = [
    date(2025, 8, 31),
    date(2023, 8, 31),
    date(2023, 8, 29),
    date(2024, 2, 29),
    date(2025, 12, 31),
    date(2026, 1, 31),
    date(2026, 3, 31),
    date(2026, 5, 31),
    date(2026, 7, 15),
    date(2027, 8, 30),
]


def test_sql_windows_match_the_schedule(db, coach):
    """Every episode's windows from SQL (SQLite or PostgreSQL, whichever the run uses) equal
    the pure function's: month ends, leap years, discharges before and inside the window."""
    client = factories.client(coach, intake_date=INTAKES[0])
    _db.session.execute(Enrollment.__table__.delete().where(Enrollment.client_id == client.id))
    expected = set()
    for intake in INTAKES:
        opens = six_month_window(intake).opens
        for discharge in (None, intake, opens - timedelta(days=1), opens, intake + timedelta(200)):
            episode = Enrollment(client_id=client.id, intake_date=intake, discharge_date=discharge)
            _db.session.add(episode)
            _db.session.flush()
            for kind in InterviewKind:
                window = window_for(kind, intake, discharge)
                if window is not None:
                    expected.add((episode.id, kind.value, window.opens, window.closes))
    _db.session.commit()
    windows = metrics.window_rows(scope_clients(Scope(coach.program_id)))
    got = {
        (r.enrollment_id, r.kind, r.opens, r.closes) for r in _db.session.execute(select(windows))
    }
    assert got == expected


# --- The rates: metrics.md's worked example --------------------------------------------------


def _episode(coach, intake, discharge=None, **done):
    client = factories.client(coach, intake_date=intake)
    episode = _db.session.scalar(select(Enrollment).where(Enrollment.client_id == client.id))
    episode.discharge_date = discharge
    for kind, on in done.items():
        archived = isinstance(on, tuple)
        day = on[0] if archived else on
        _db.session.add(
            FollowUpInterview(
                client_id=client.id,
                enrollment_id=episode.id,
                kind=kind,
                done_on=day,
                archived_at=utcnow() if archived else None,
                archive_reason="Wrong client" if archived else None,
            )
        )
    _db.session.commit()
    return client


@pytest.fixture
def example(db, coach, other_coach):
    """The worked example of coachapp/reports/metrics.md, "Follow-up interviews (SUPRT)"."""
    _episode(coach, date(2025, 8, 31), six_month=date(2026, 3, 30))  # F-1: last day, done
    _episode(coach, date(2025, 8, 15), six_month=date(2026, 3, 20))  # F-2: late
    _episode(coach, date(2025, 8, 20))  # F-3: missed
    _episode(coach, date(2025, 8, 25), date(2025, 12, 1))  # F-4: six-month not due
    _episode(coach, date(2025, 9, 1), six_month=date(2026, 3, 2))  # F-8: done
    _episode(  # F-5: baseline done; closeout done on day 30
        coach,
        date(2026, 2, 10),
        date(2026, 2, 20),
        baseline=date(2026, 2, 12),
        closeout=date(2026, 3, 22),
    )
    _episode(coach, date(2026, 2, 1), baseline=date(2026, 3, 4))  # F-6: day 31, late
    _episode(coach, date(2026, 2, 15), baseline=(date(2026, 2, 20),))  # F-7: archived
    _episode(other_coach, date(2025, 8, 31), six_month=date(2026, 3, 1))  # F-9: other coach


MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def test_worked_example_rates(example, coach):
    got = metrics.figures(Scope(coach.program_id), MARCH, today=date(2026, 4, 15))
    assert got["six_month"] == {
        "due": 5,
        "done": 3,
        "outside_window": 1,
        "not_done": 1,
        "rate": 0.6,
    }
    assert got["baseline"] == {
        "due": 3,
        "done": 1,
        "outside_window": 1,
        "not_done": 1,
        "rate": 0.3333,
    }
    assert got["closeout"] == {"due": 1, "done": 1, "outside_window": 0, "not_done": 0, "rate": 1.0}
    assert got["target"] == 0.8


def test_a_coach_scope_narrows_the_rates(example, coach):
    got = metrics.figures(
        Scope(coach.program_id, coach_id=coach.id), MARCH, today=date(2026, 4, 15)
    )
    assert (got["six_month"]["due"], got["six_month"]["done"], got["six_month"]["rate"]) == (
        4,
        2,
        0.5,
    )


def test_windows_still_open_are_not_counted_yet(example, coach):
    """Asked on 2026-03-25, F-1 (closes 03-30) and F-8 (closes 03-31) are still open."""
    got = metrics.figures(
        Scope(coach.program_id, coach_id=coach.id), MARCH, today=date(2026, 3, 25)
    )
    assert (got["six_month"]["due"], got["six_month"]["done"]) == (2, 0)
    assert got["closeout"]["due"] == 1  # F-5's closes 03-22


def test_no_due_interview_is_a_null_rate(db, coach):
    got = metrics.figures(Scope(coach.program_id), MARCH, today=date(2026, 4, 15))
    assert got["six_month"] == {
        "due": 0,
        "done": 0,
        "outside_window": 0,
        "not_done": 0,
        "rate": None,
    }


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
