"""Reassignment: a reason (required), a hand-off note (optional, encrypted) shown to the
receiving coach, the coach who already has the client refused, the assignment history and the
audit trail; the same rules through the API; the dashboard's counts with a cover in place."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from coachapp import access
from coachapp.auth.tokens import create_token
from coachapp.models import AuditEvent, Client, ClientAssignment, CoveringAssignment
from tests import factories

API = "/api/v1"


@pytest.fixture
def team(db, supervisor, coach, program):
    second = factories.user("coach", program=program, supervisor=supervisor, name="Bea Second")
    a = factories.client(coach, last_name="Alpha", intake_date=date(2025, 1, 1))
    b = factories.client(coach, last_name="Bravo", intake_date=date(2025, 1, 1))
    db.session.commit()
    return {"second": second, "a": a, "b": b}


def form(coach_id, **extra):
    return {
        "coach_id": coach_id,
        "effective_on": access.today().isoformat(),
        "reason": "Caseload balance",
    } | extra


def test_reassign_form_asks_for_reason_and_handoff(login, supervisor, team):
    page = login(supervisor).get(f"/clients/{team['a'].id}/reassign").get_data(as_text=True)
    assert 'name="reason"' in page and 'name="handoff_note"' in page
    assert 'name="effective_on"' in page


def test_reassign_to_the_same_coach_is_refused_beside_the_field(db, login, supervisor, coach, team):
    response = login(supervisor).post(f"/clients/{team['a'].id}/reassign", data=form(coach.id))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "is already on" in page and "coach_id-errors" in page
    assert "Caseload balance" in page  # the typed reason is kept
    # Only the row intake opened: nothing closed, nothing opened.
    rows = db.session.scalars(select(ClientAssignment)).all()
    assert [(r.coach_id, r.ends_on) for r in rows] == [(coach.id, None)] * len(rows)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.detail == "reassigned")) is None


def test_reassign_without_a_reason_is_refused_and_keeps_the_note(db, login, supervisor, team):
    response = login(supervisor).post(
        f"/clients/{team['a'].id}/reassign",
        data=form(team["second"].id, reason="  ", handoff_note="Call her after 5 pm."),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "reason-errors" in page and "Call her after 5 pm." in page
    db.session.expire_all()
    assert db.session.get(Client, team["a"].id).coach_id != team["second"].id


def test_reassign_in_the_future_or_before_intake_is_refused(db, login, supervisor, team):
    browser = login(supervisor)
    tomorrow = (access.today() + timedelta(days=1)).isoformat()
    for day in (tomorrow, "2024-12-31"):
        response = browser.post(
            f"/clients/{team['a'].id}/reassign", data=form(team["second"].id, effective_on=day)
        )
        assert response.status_code == 422, day
        assert "effective_on-errors" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Client, team["a"].id).coach_id != team["second"].id


def test_reassign_records_history_audit_and_the_handoff_reaches_the_new_coach(
    db, login, supervisor, coach, team
):
    second, a = team["second"], team["a"]
    response = login(supervisor).post(
        f"/clients/{a.id}/reassign",
        data=form(second.id, handoff_note="Prefers texts. Court date on Friday."),
    )
    assert response.status_code == 302
    db.session.expire_all()
    rows = db.session.scalars(
        select(ClientAssignment)
        .where(ClientAssignment.client_id == a.id)
        .order_by(ClientAssignment.id)
    ).all()
    assert [(r.coach_id, r.starts_on, r.ends_on) for r in rows] == [
        (coach.id, date(2025, 1, 1), access.today()),
        (second.id, access.today(), None),
    ]
    assert rows[1].reason == "Caseload balance"
    assert rows[1].handoff_note == "Prefers texts. Court date on Friday."
    assert rows[1].created_by_id == supervisor.id
    # Stored encrypted: the note is not in the column as typed.
    raw = db.session.execute(
        text("SELECT handoff_note FROM client_assignments WHERE id = :id"), {"id": rows[1].id}
    ).scalar()
    assert "Court date" not in raw
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.client_id == a.id)).all()
    created = [e for e in events if e.entity_type == "client_assignment"]
    assert len(created) == 1 and created[0].entity_id == rows[1].id
    assert created[0].fields == "coach_id,handoff_note,reason,starts_on"
    assert all("Court" not in (e.detail or "") for e in events)
    # The partial the client page includes shows it to the receiving coach only.
    from flask import render_template_string

    partial = '{% include "team/_handoff.html" %}'
    with login(second).application.test_request_context():
        from flask_login import login_user

        login_user(second)
        shown = render_template_string(partial, client=db.session.get(Client, a.id))
        assert "Court date on Friday." in shown and "Hand-off note" in shown
        login_user(supervisor)
        assert "Court date" not in render_template_string(
            partial, client=db.session.get(Client, a.id)
        )


def test_caseload_reassignment_needs_a_reason_and_passes_the_handoff(
    db, login, supervisor, coach, team
):
    browser = login(supervisor)
    url = f"/team/coaches/{coach.id}/reassign"
    refused = browser.post(url, data={"all": team["second"].id, "handoff_note": "Keep me"})
    assert refused.status_code == 422
    assert "reason-errors" in refused.get_data(as_text=True)
    assert "Keep me" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Client, team["a"].id).coach_id == coach.id
    done = browser.post(
        url, data={"all": team["second"].id, "reason": "Coach leaving", "handoff_note": "Hi"}
    )
    assert done.status_code == 302
    rows = db.session.scalars(
        select(ClientAssignment).where(ClientAssignment.ends_on.is_(None))
    ).all()
    assert {r.client_id for r in rows} == {team["a"].id, team["b"].id}
    assert {(r.coach_id, r.reason, r.handoff_note) for r in rows} == {
        (team["second"].id, "Coach leaving", "Hi")
    }


def test_dashboard_count_equals_the_caseload_with_a_cover(db, login, supervisor, coach, team):
    """The covering coach's caseload shows their own client and the covered one; the
    dashboard counts both and says one is covered."""
    second = team["second"]
    factories.client(second, last_name="Charlie", intake_date=date(2025, 1, 1))
    today = access.today()
    db.session.add(
        CoveringAssignment(
            covering_user_id=second.id,
            coach_id=coach.id,
            client_id=team["a"].id,
            starts_on=today,
            ends_on=today + timedelta(days=3),
            created_by_id=supervisor.id,
        )
    )
    db.session.commit()
    caseload = login(second).get("/clients/").get_data(as_text=True)
    assert "Alpha" in caseload and "Charlie" in caseload
    page = login(supervisor).get("/team/").get_data(as_text=True)
    assert "(1 covered)" in page
    from coachapp.clients.alerts import AlertContext
    from coachapp.team import queries
    from coachapp.timeutil import local_now

    rows, _, _ = queries.dashboard(supervisor, AlertContext(today=today, now=local_now(None)))
    by_coach = {r.coach.id: r for r in rows}
    assert (by_coach[second.id].active, by_coach[second.id].covered) == (2, 1)
    assert (by_coach[coach.id].active, by_coach[coach.id].covered) == (2, 0)
    drill = login(supervisor).get(f"/team/coaches/{second.id}/active").get_data(as_text=True)
    assert "Alpha" in drill and "Charlie" in drill and "covered" in drill


def test_dashboard_and_menu_reach_credential_progress(login, supervisor, coach, team):
    page = login(supervisor).get("/team/").get_data(as_text=True)
    assert f'href="/supervision/coaches/{coach.id}/progress"' in page
    assert 'href="/supervision/progress"' in page  # the menu


# --- API -------------------------------------------------------------------------------------


@pytest.fixture
def call(db, anon):
    headers: dict[int, dict] = {}

    def _call(user, method: str, url: str, json=None):
        if user.id not in headers:
            token, _row = create_token(user, "test")
            db.session.commit()
            headers[user.id] = {"Authorization": f"Bearer {token}"}
        return getattr(anon, method)(API + url, headers=headers[user.id], json=json)

    return _call


def test_api_reassign_requires_reason_refuses_same_coach(db, call, supervisor, coach, team):
    url = f"/clients/{team['a'].id}/reassign"
    missing = call(supervisor, "post", url, json={"coach_id": team["second"].id})
    assert missing.status_code == 422
    assert "reason" in missing.get_json()["error"]["fields"]
    same = call(supervisor, "post", url, json={"coach_id": coach.id, "reason": "x"})
    assert same.status_code == 422
    assert "coach_id" in same.get_json()["error"]["fields"]
    blank = call(supervisor, "post", url, json={"coach_id": team["second"].id, "reason": " "})
    assert blank.status_code == 422
    db.session.expire_all()
    assert db.session.get(Client, team["a"].id).coach_id == coach.id


def test_api_reassign_and_history(db, call, supervisor, coach, other_coach, admin, team):
    url = f"/clients/{team['a'].id}"
    before = call(coach, "get", url + "/assignments").get_json()
    assert before["items"] == [{"coach_id": coach.id, "from": "2025-01-01", "to": None}]
    outsider = call(
        supervisor, "post", url + "/reassign", json={"coach_id": other_coach.id, "reason": "r"}
    )
    assert outsider.status_code == 422
    assert (
        call(
            coach, "post", url + "/reassign", json={"coach_id": team["second"].id, "reason": "r"}
        ).status_code
        == 403
    )
    moved = call(
        supervisor,
        "post",
        url + "/reassign",
        json={"coach_id": team["second"].id, "reason": "Leave", "handoff_note": "Texts only"},
    )
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["coach_id"] == team["second"].id
    assert moved.headers["Cache-Control"] == "no-store"
    today = access.today().isoformat()
    history = call(team["second"], "get", url + "/assignments").get_json()
    assert history["items"] == [
        {"coach_id": team["second"].id, "from": today, "to": None},
        {"coach_id": coach.id, "from": "2025-01-01", "to": today},
    ]
    assert history["total"] == 2
    assert call(coach, "get", url + "/assignments").status_code == 404
    # An admin may reassign (api.md) within the client's program.
    back = call(admin, "post", url + "/reassign", json={"coach_id": coach.id, "reason": "Back"})
    assert back.status_code == 200


def test_the_handoff_note_is_a_task_until_the_new_coach_marks_it_read(
    db, login, supervisor, coach, team
):
    second, a = team["second"], team["a"]
    login(supervisor).post(
        f"/clients/{a.id}/reassign", data=form(second.id, handoff_note="Court date on Friday.")
    )
    new_coach = login(second)
    home = new_coach.get("/clients/").get_data(as_text=True)
    assert "Hand-off notes of clients new to you" in home and "Read the hand-off note" in home
    page = new_coach.get(f"/clients/{a.id}").get_data(as_text=True)
    assert "Court date on Friday." in page and "Mark read" in page

    # Nobody else's reading counts: the former coach is refused (no longer theirs), the
    # supervisor's post changes nothing.
    assert login(coach).post(f"/clients/{a.id}/handoff/read").status_code == 404
    assert login(supervisor).post(f"/clients/{a.id}/handoff/read").status_code == 302
    assert (
        db.session.scalar(
            select(ClientAssignment.handoff_read_at).where(ClientAssignment.coach_id == second.id)
        )
        is None
    )

    assert new_coach.post(f"/clients/{a.id}/handoff/read").status_code == 302
    home = new_coach.get("/clients/").get_data(as_text=True)
    assert "Hand-off notes of clients new to you" not in home
    page = new_coach.get(f"/clients/{a.id}").get_data(as_text=True)
    assert "Court date on Friday." in page and "the hand-off note</span>" not in page
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "client_assignment", AuditEvent.action == "update"
        )
    ).all()
    assert [e.fields for e in events] == ["handoff_read_at"]
