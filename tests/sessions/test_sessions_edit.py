"""Sessions: edit with locking, archive, the client-page timeline."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from coachapp.models import AuditEvent, CoachingSession
from tests import factories
from tests.helpers import QueryCounter, count
from tests.helpers import session_edit_data as edit_data

# --- Edit --------------------------------------------------------------------------------------


def test_edit_a_session(db, login, coach, client_, goal):
    second = factories.goal(client_, domain="employment", description="Get a job")
    session = factories.session(client_, note="before")
    session.goals.append(goal)
    db.session.commit()
    browser = login(coach)
    page = browser.get(f"/sessions/{session.id}/edit").get_data(as_text=True)
    assert (
        f'checked class="form-check-input" id="goal_ids-0" name="goal_ids" type="checkbox" '
        f'value="{goal.id}"'
    ) in page
    response = browser.post(
        f"/sessions/{session.id}/edit",
        data=edit_data(session, note="after", duration_minutes="60", goal_ids=[str(second.id)]),
    )
    assert response.status_code == 302
    db.session.refresh(session)
    assert (session.note, session.duration_minutes, session.version) == ("after", 60, 2)
    assert [g.id for g in session.goals] == [second.id]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update"))
    assert set(event.fields.split(",")) == {
        "date",
        "duration_minutes",
        "modality",
        "goal_ids",
        "note",
        "next_steps",
    }
    assert "after" not in event.fields


def test_changing_only_the_goals_bumps_the_version(db, login, coach, client_, goal):
    session = factories.session(client_)
    data = edit_data(
        session,
        date=session.date.isoformat(),
        duration_minutes=str(session.duration_minutes),
        modality=session.modality,
        note="",
        next_steps="",
        goal_ids=[str(goal.id)],
    )
    assert login(coach).post(f"/sessions/{session.id}/edit", data=data).status_code == 302
    db.session.refresh(session)
    assert session.version == 2 and [g.id for g in session.goals] == [goal.id]


def test_a_stale_edit_is_refused_and_nothing_overwritten(db, login, coach, supervisor, client_):
    session = factories.session(client_, note="original")
    seen = edit_data(session)  # both load version 1
    first = login(supervisor).post(
        f"/sessions/{session.id}/edit", data={**seen, "note": "supervisor's change"}
    )
    assert first.status_code == 302
    response = login(coach).post(
        f"/sessions/{session.id}/edit", data={**seen, "note": "coach's late change"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Someone else changed this record" in page
    assert "coach&#39;s late change" in page  # the user's input is kept
    db.session.refresh(session)
    assert session.note == "supervisor's change" and session.version == 2


def test_a_tampered_version_is_stale(db, login, coach, client_):
    session = factories.session(client_, note="original")
    response = login(coach).post(
        f"/sessions/{session.id}/edit", data=edit_data(session, version="abc", note="x")
    )
    assert response.status_code == 422
    db.session.refresh(session)
    assert session.note == "original"


def test_edit_keeps_a_goal_that_was_since_achieved(db, login, coach, client_):
    done = factories.goal(client_, description="Done goal", status="achieved")
    session = factories.session(client_)
    session.goals.append(done)
    db.session.commit()
    page = login(coach).get(f"/sessions/{session.id}/edit").get_data(as_text=True)
    assert "Done goal" in page
    response = login(coach).post(
        f"/sessions/{session.id}/edit", data=edit_data(session, goal_ids=[str(done.id)])
    )
    assert response.status_code == 302
    db.session.refresh(session)
    assert [g.id for g in session.goals] == [done.id]


def test_editing_a_signed_off_note_sends_it_back_for_review(db, login, coach, supervisor, client_):
    session = factories.session(
        client_,
        note="read by the supervisor",
        reviewed_by_id=supervisor.id,
        reviewed_at=datetime.now(timezone.utc),
    )
    response = login(coach).post(
        f"/sessions/{session.id}/edit", data=edit_data(session, note="rewritten")
    )
    assert response.status_code == 302
    db.session.refresh(session)
    assert session.reviewed_at is None and session.reviewed_by_id is None


def test_edit_refuses_bad_input(db, login, coach, client_):
    session = factories.session(client_, minutes=45)
    response = login(coach).post(
        f"/sessions/{session.id}/edit", data=edit_data(session, duration_minutes="721")
    )
    assert response.status_code == 422
    assert "Give the minutes, from 1 to 720." in response.get_data(as_text=True)
    db.session.refresh(session)
    assert session.duration_minutes == 45 and session.version == 1


# --- Archive -----------------------------------------------------------------------------------


def test_archive_needs_a_reason(db, login, coach, client_):
    session = factories.session(client_)
    response = login(coach).post(f"/sessions/{session.id}/archive", data={"reason": "   "})
    assert response.status_code == 422
    assert "Give a reason." in response.get_data(as_text=True)
    db.session.refresh(session)
    assert session.archived_at is None


def test_archive_a_session(db, login, coach, client_):
    session = factories.session(client_, note="entered on the wrong client")
    browser = login(coach)
    response = browser.post(f"/sessions/{session.id}/archive", data={"reason": "wrong client"})
    assert response.status_code == 302
    db.session.refresh(session)
    assert session.archived_at is not None and session.archived_by_id == coach.id
    assert session.archive_reason == "wrong client"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "archive"))
    assert (event.entity_type, event.entity_id, event.client_id) == (
        "session",
        session.id,
        client_.id,
    )
    assert "wrong" not in event.fields
    assert browser.get(f"/sessions/{session.id}/edit").status_code == 404
    page = browser.get(f"/clients/{client_.id}").get_data(as_text=True)
    assert "entered on the wrong client" not in page
    assert count(db, CoachingSession) == 1  # archived, never deleted


# --- Client page -------------------------------------------------------------------------------


def test_the_timeline_on_the_client_page(db, login, coach, client_, goal):
    long_note = "word " * 100
    s1 = factories.session(client_, on=date(2026, 2, 1), minutes=30, note=long_note)
    s1.goals.append(goal)
    factories.session(
        client_, on=date(2026, 2, 10), minutes=20, outcome="attempted", modality="phone"
    )
    factories.session(client_, on=date(2026, 2, 20), minutes=50, next_steps="Bring the ID")
    gone = factories.session(client_, on=date(2026, 2, 25), minutes=700)
    gone.archived_at = datetime.now(timezone.utc)
    db.session.commit()
    page = login(coach).get(f"/clients/{client_.id}").get_data(as_text=True)
    section = page[page.index('id="h-sessions"') : page.index('id="h-goals"')]
    assert "Log a session" in section
    assert "3 sessions in all · 80 minutes completed" in section
    assert section.index("2026-02-20") < section.index("2026-02-10") < section.index("2026-02-01")
    assert "2026-02-25" not in section
    assert "Attempted" in section and "Completed" in section and "Phone" in section
    assert "Housing: Find stable housing" in section
    assert "Next steps:</span> Bring the ID" in section
    # A long note shows its start, and the rest behind "Read more" (no script needed).
    preview, more = section.split("<summary>Read more", 1)
    assert long_note.strip() not in preview and "..." in preview
    assert long_note.strip() in more[: more.index("</details>")]
    assert f"/sessions/{s1.id}/edit" in section
    assert f"/sessions/{s1.id}/edit?archive=1#archive" in section


def test_the_timeline_shows_the_latest_ten_and_pages_the_older(db, login, coach, client_):
    for n in range(40):
        factories.session(client_, on=date(2026, 1, 1) + timedelta(days=n), minutes=10)
    browser = login(coach)
    page = browser.get(f"/clients/{client_.id}").get_data(as_text=True)
    section = page[page.index('id="h-sessions"') : page.index('id="h-goals"')]
    assert "40 sessions in all · 400 minutes completed · the latest 10 below" in section
    assert "2026-02-09" in section and "2026-01-31" in section
    assert "2026-01-30" not in section
    assert f'href="/clients/{client_.id}/sessions">Older sessions (30)' in section
    first = browser.get(f"/clients/{client_.id}/sessions").get_data(as_text=True)
    assert "2026-01-30" in first and "2026-01-06" in first and "2026-01-05" not in first
    assert "Page 1 of 2" in first and "2026-01-31" not in first
    second = browser.get(f"/clients/{client_.id}/sessions?page=2").get_data(as_text=True)
    assert "2026-01-05" in second and "2026-01-01" in second and "2026-01-06" not in second
    assert browser.get(f"/clients/{client_.id}/sessions?page=x").status_code == 200


def _page_queries(db, browser, client) -> int:
    with QueryCounter(db.engine) as counter:
        assert browser.get(f"/clients/{client.id}").status_code == 200
    return counter.n


def test_client_page_query_count_is_the_same_with_1_and_30_sessions(db, login, coach, client_):
    goals = [factories.goal(client_, description=f"Goal {n}") for n in range(3)]
    first = factories.session(client_, on=date(2026, 1, 1))
    first.goals.extend(goals)
    db.session.commit()
    browser = login(coach)
    one = _page_queries(db, browser, client_)
    for n in range(1, 30):
        s = factories.session(client_, on=date(2026, 1, 1) + timedelta(days=n))
        s.goals.extend(goals)
    db.session.commit()
    assert _page_queries(db, browser, client_) == one


def test_panel_queries(db, coach, client_, goal):
    from coachapp.sessions.queries import client_panel

    def panel_queries() -> int:
        db.session.expire_all()
        db.session.refresh(client_)
        db.session.refresh(coach)
        with QueryCounter(db.engine) as counter:
            panel = client_panel(client_, coach)
            for s in panel["sessions"]:
                [g.description for g in s.goals]
        return counter.n

    s = factories.session(client_)
    s.goals.append(goal)
    db.session.commit()
    one = panel_queries()
    for n in range(30):
        s = factories.session(client_, on=date(2026, 1, 1) + timedelta(days=n))
        s.goals.append(goal)
    db.session.commit()
    assert panel_queries() == one == 4  # sessions, their goals, the totals, review threads
