"""Sessions: log a session from the client's page, edit it with locking, archive it, the
client-page timeline; the access rule on every route; hostile input."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from coachapp import timeutil
from coachapp.models import AuditEvent, CoachingSession, session_goals
from coachapp.sessions import services
from tests import factories
from tests.helpers import count, session_data
from tests.helpers import session_edit_data as edit_data

OUTSIDERS = ("other_coach", "other_supervisor", "program_manager", "admin")


UNICODE = "José Ñúñez, 李小龙, O'Brien 🌻"


def today(program) -> date:
    return timeutil.local_today(program)


# --- Access ------------------------------------------------------------------------------------


def _pages(client, session) -> list[str]:
    return [f"/clients/{client.id}/sessions/new", f"/sessions/{session.id}/edit"]


@pytest.mark.parametrize("role", ("coach", "supervisor"))
def test_coach_and_their_supervisor_open_every_page(request, db, login, client_, role):
    session = factories.session(client_)
    browser = login(request.getfixturevalue(role))
    for url in _pages(client_, session):
        assert browser.get(url).status_code == 200, url
    # The archive route is reached too (a missing reason is refused, nothing archived).
    assert browser.post(f"/sessions/{session.id}/archive", data={"reason": ""}).status_code == 422


@pytest.mark.parametrize("role", OUTSIDERS)
def test_everyone_else_gets_404(request, db, login, client_, role):
    session = factories.session(client_, note="original")
    browser = login(request.getfixturevalue(role))
    for url in _pages(client_, session):
        assert browser.get(url).status_code == 404, url
    posts = {
        f"/clients/{client_.id}/sessions/new": session_data(),
        f"/sessions/{session.id}/edit": edit_data(session, note="changed"),
        f"/sessions/{session.id}/archive": {"reason": "mistake"},
    }
    for url, data in posts.items():
        assert browser.post(url, data=data).status_code == 404, url
    db.session.refresh(session)
    assert session.note == "original" and session.archived_at is None
    assert count(db, CoachingSession) == 1


def test_anonymous_is_sent_to_sign_in(anon, db, client_):
    session = factories.session(client_)
    for url in _pages(client_, session):
        response = anon.get(url)
        assert response.status_code == 302 and "/auth/login" in response.location
    response = anon.post(f"/sessions/{session.id}/archive", data={"reason": "x"})
    assert response.status_code == 302 and "/auth/login" in response.location


def test_a_covering_coach_logs_the_session_as_theirs(db, login, other_coach, client_):
    from coachapp.models import CoveringAssignment

    db.session.add(
        CoveringAssignment(
            covering_user_id=other_coach.id,
            coach_id=client_.coach_id,
            client_id=client_.id,
            starts_on=date(2020, 1, 1),
            ends_on=date(2100, 1, 1),
        )
    )
    db.session.commit()
    response = login(other_coach).post(f"/clients/{client_.id}/sessions/new", data=session_data())
    assert response.status_code == 302
    assert db.session.scalar(select(CoachingSession.coach_id)) == other_coach.id


# --- Log a session -----------------------------------------------------------------------------


def test_the_form_defaults_to_today_completed_and_offers_active_goals(
    db, login, coach, client_, goal
):
    factories.goal(client_, description="Old achieved goal", status="achieved")
    archived = factories.goal(client_, description="Archived goal")
    archived.archived_at = datetime.now(timezone.utc)
    other = factories.client(coach)
    factories.goal(other, description="Someone else's goal")
    db.session.commit()
    page = login(coach).get(f"/clients/{client_.id}/sessions/new").get_data(as_text=True)
    assert f'value="{today(client_.program).isoformat()}"' in page
    assert 'checked class="form-check-input" id="outcome-0" name="outcome"' in page
    assert "Find stable housing" in page
    for absent in ("Old achieved goal", "Archived goal", "Someone else&#39;s goal"):
        assert absent not in page
    assert '<legend class="form-label fs-6">Goals addressed</legend>' in page


def test_coach_logs_a_session(db, login, coach, client_, goal):
    browser = login(coach)
    response = browser.post(
        f"/clients/{client_.id}/sessions/new", data=session_data(goal_ids=[str(goal.id)])
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/clients/{client_.id}")
    session = db.session.scalar(select(CoachingSession))
    assert (session.client_id, session.coach_id, session.date) == (
        client_.id,
        coach.id,
        date(2026, 3, 2),
    )
    assert (session.duration_minutes, session.modality, session.kind, session.outcome) == (
        45,
        "phone",
        "coaching",
        "completed",
    )
    assert [g.id for g in session.goals] == [goal.id]
    assert session.next_steps == "Call the landlord on Tuesday."
    page = browser.get(response.location).get_data(as_text=True)
    assert "Session logged." in page and "Talked about the lease." in page


def test_a_supervisor_logs_it_for_the_clients_coach(db, login, coach, supervisor, client_):
    assert (
        login(supervisor)
        .post(f"/clients/{client_.id}/sessions/new", data=session_data(outcome="attempted"))
        .status_code
        == 302
    )
    session = db.session.scalar(select(CoachingSession))
    assert session.coach_id == coach.id and session.outcome == "attempted"


def test_creating_writes_an_audit_event_with_field_names_only(db, login, coach, client_, goal):
    login(coach).post(
        f"/clients/{client_.id}/sessions/new", data=session_data(goal_ids=[str(goal.id)])
    )
    session = db.session.scalar(select(CoachingSession))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "session"))
    assert (event.action, event.entity_id, event.client_id, event.user_id) == (
        "create",
        session.id,
        client_.id,
        coach.id,
    )
    assert set(event.fields.split(",")) == {
        "date",
        "duration_minutes",
        "modality",
        "kind",
        "outcome",
        "note",
        "next_steps",
        "goal_ids",
    }
    assert "lease" not in (event.fields + (event.detail or ""))
    assert "landlord" not in (event.fields + (event.detail or ""))


def test_unicode_round_trips(db, login, coach, client_):
    browser = login(coach)
    response = browser.post(
        f"/clients/{client_.id}/sessions/new",
        data=session_data(note=UNICODE, next_steps=UNICODE),
    )
    assert response.status_code == 302
    session = db.session.scalar(select(CoachingSession))
    assert session.note == UNICODE and session.next_steps == UNICODE
    page = browser.get(f"/clients/{client_.id}").get_data(as_text=True)
    assert "José Ñúñez, 李小龙, O&#39;Brien 🌻" in page
    edit_page = browser.get(f"/sessions/{session.id}/edit").get_data(as_text=True)
    assert "李小龙" in edit_page


def _tomorrow(program) -> str:
    return (today(program) + timedelta(days=1)).isoformat()


BAD = [
    ({"duration_minutes": "0"}, "duration_minutes", "Give the minutes, from 1 to 720."),
    ({"duration_minutes": "721"}, "duration_minutes", "Give the minutes, from 1 to 720."),
    ({"duration_minutes": "abc"}, "duration_minutes", "Give the minutes, from 1 to 720."),
    ({"duration_minutes": "-5"}, "duration_minutes", "Give the minutes, from 1 to 720."),
    ({"duration_minutes": "99999999999999999999"}, "duration_minutes", "from 1 to 720"),
    ({"duration_minutes": ""}, "duration_minutes", "Give the minutes, from 1 to 720."),
    ({"date": "TOMORROW"}, "date", "This date is in the future."),
    ({"date": "1899-12-31"}, "date", "This date is too far in the past."),
    ({"date": "2026-02-30"}, "date", "Not a valid date value."),
    ({"date": ""}, "date", "Give the date."),
    ({"modality": "telepathy"}, "modality", "Not a valid choice."),
    ({"kind": "lunch"}, "kind", "Not a valid choice."),
    ({"outcome": "maybe"}, "outcome", "Choose completed or attempted."),
    ({"outcome": ""}, "outcome", "Choose completed or attempted."),
    ({"goal_ids": "abc"}, "goal_ids", "Choose only this client&#39;s goals from the list."),
    ({"goal_ids": "999999"}, "goal_ids", "Choose only this client&#39;s goals from the list."),
    ({"note": "x" * 10_001}, "note", "Field cannot be longer than 10000 characters."),
    ({"next_steps": "x" * 2_001}, "next_steps", "Field cannot be longer than 2000 characters."),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    db, login, coach, client_, overrides, field, message
):
    overrides = {
        k: (_tomorrow(client_.program) if v == "TOMORROW" else v) for k, v in overrides.items()
    }
    response = login(coach).post(
        f"/clients/{client_.id}/sessions/new",
        data={**session_data(note="Kept note ✓"), **overrides},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert f'id="{field}-errors"' in page  # beside the field
    if field != "note":
        assert "Kept note ✓" in page  # the rest of the input is kept
    assert count(db, CoachingSession) == 0
    assert not db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "session"))


def test_a_goal_of_another_client_is_refused(db, login, coach, client_, goal):
    other = factories.client(coach)
    foreign = factories.goal(other, description="Foreign goal")
    response = login(coach).post(
        f"/clients/{client_.id}/sessions/new",
        data=session_data(goal_ids=[str(goal.id), str(foreign.id)]),
    )
    assert response.status_code == 422
    assert "Choose only this client&#39;s goals from the list." in response.get_data(as_text=True)
    assert count(db, CoachingSession) == 0
    assert db.session.scalar(select(func.count()).select_from(session_goals)) == 0


def test_the_service_refuses_what_the_form_would(db, coach, client_, goal):
    other = factories.client(coach)
    foreign = factories.goal(other)
    good = {
        "date": date(2026, 3, 2),
        "duration_minutes": 30,
        "modality": "phone",
        "kind": "coaching",
        "outcome": "completed",
    }
    cases = [
        ({"goal_ids": [foreign.id]}, "goal_ids"),
        ({"goal_ids": ["x"]}, "goal_ids"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": True}, "duration_minutes"),
        ({"date": today(client_.program) + timedelta(days=1)}, "date"),
        ({"date": date(1899, 12, 31)}, "date"),
        ({"date": None}, "date"),
        ({"outcome": "maybe"}, "outcome"),
    ]
    for overrides, field in cases:
        with pytest.raises(services.SessionRuleError) as info:
            services.create_session(client_, good | overrides, actor=coach)
        assert info.value.field == field
    db.session.rollback()
    assert count(db, CoachingSession) == 0
