"""The review loop at volume: the queue newest first (or oldest), by coach, counted and paged;
sign-off that keeps the supervisor's place; several at once; return for revision with a
comment, the coach's revision putting the note back in the queue; the review thread on the
session, read by the coach, seen only by those who may see the client."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from coachapp.models import AuditEvent, CoachingSession, ReviewComment
from coachapp.team import queries, services
from tests import factories
from tests.helpers import QueryCounter

START = date(2026, 1, 1)


@pytest.fixture
def backlog(db, supervisor, coach, program):
    """60 waiting notes of coach (one a day from START) and 5 of a second coach of the team."""
    second = factories.user("coach", program=program, supervisor=supervisor, name="Bea Second")
    mine = factories.client(coach, last_name="Alpha")
    theirs = factories.client(second, last_name="Bravo")
    notes = [
        factories.session(mine, on=START + timedelta(days=n), note=f"Note number {n}.")
        for n in range(60)
    ]
    for n in range(5):
        factories.session(theirs, on=START + timedelta(days=n), note=f"Second's note {n}.")
    return {"notes": notes, "second": second, "mine": mine, "theirs": theirs}


def ids_on(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article class="card mb-3" id="note-(\d+)"', page)]


def test_queue_is_newest_first_counted_and_paged(login, supervisor, coach, backlog):
    browser = login(supervisor)
    notes = backlog["notes"]
    first = browser.get(f"/team/reviews?coach_id={coach.id}").get_data(as_text=True)
    assert "60 notes waiting · 1–25 on page 1 of 3" in first
    assert ids_on(first) == [n.id for n in reversed(notes)][:25]
    assert f'href="/team/reviews?coach_id={coach.id}&amp;page=3"' in first
    third = browser.get(f"/team/reviews?coach_id={coach.id}&page=3").get_data(as_text=True)
    assert ids_on(third) == [n.id for n in reversed(notes)][50:]
    oldest = browser.get(f"/team/reviews?coach_id={coach.id}&order=oldest").get_data(as_text=True)
    assert ids_on(oldest) == [n.id for n in notes][:25]
    team = browser.get("/team/reviews").get_data(as_text=True)
    assert "65 notes waiting" in team
    # A page past the end shows the last one; nonsense is ignored, never a 500.
    past = browser.get(f"/team/reviews?coach_id={coach.id}&page=99").get_data(as_text=True)
    assert "page 3 of 3" in past
    assert browser.get("/team/reviews?page=x&order=sideways").status_code == 200


def test_queue_filter_refuses_a_coach_of_another_team(login, supervisor, other_coach, backlog):
    assert login(supervisor).get(f"/team/reviews?coach_id={other_coach.id}").status_code == 404


def test_the_queue_page_asks_a_fixed_number_of_queries(db, login, supervisor, coach, backlog):
    browser = login(supervisor)
    url = f"/team/reviews?coach_id={coach.id}"
    browser.get(url)  # warm up
    with QueryCounter(db.engine) as before:
        browser.get(url)
    for n in range(40):
        factories.session(backlog["mine"], on=START - timedelta(days=n + 1), note="More")
    with QueryCounter(db.engine) as after:
        assert "100 notes waiting" in browser.get(url).get_data(as_text=True)
    assert after.n == before.n <= 10


def test_sign_off_returns_to_the_same_place_at_the_next_note(db, login, supervisor, coach, backlog):
    notes = backlog["notes"]
    browser = login(supervisor)
    target = notes[40]  # on page 1 newest first: position 20
    response = browser.post(
        f"/team/reviews/{target.id}?coach_id={coach.id}&page=1",
        data={"comment": "Good follow-up."},
    )
    assert response.status_code == 302
    assert response.location == f"/team/reviews?coach_id={coach.id}#note-{notes[39].id}"
    db.session.expire_all()
    signed = db.session.get(CoachingSession, target.id)
    assert signed.reviewed_by_id == supervisor.id and signed.review_comment == "Good follow-up."
    entry = db.session.scalar(select(ReviewComment).where(ReviewComment.session_id == target.id))
    assert (entry.kind, entry.body, entry.author_id, entry.read_at) == (
        "sign_off",
        "Good follow-up.",
        supervisor.id,
        None,
    )
    # Oldest first, page 2: back to page 2 in that order, at the following (later) note.
    response = browser.post(
        f"/team/reviews/{notes[30].id}?coach_id={coach.id}&order=oldest&page=2", data={}
    )
    assert response.location == (
        f"/team/reviews?coach_id={coach.id}&order=oldest&page=2#note-{notes[31].id}"
    )
    # Signing off twice (a second tab) says so instead of failing.
    again = browser.post(f"/team/reviews/{notes[30].id}", data={}, follow_redirects=True)
    assert "already signed off or returned" in again.get_data(as_text=True)
    # No comment, no thread entry.
    assert db.session.scalar(select(func.count(ReviewComment.id))) == 1


def test_sign_off_several_at_once_in_one_transaction(db, login, supervisor, coach, backlog):
    notes = backlog["notes"]
    outside = factories.session(
        factories.client(factories.user("coach", program=coach.program)), note="Not yours"
    )
    browser = login(supervisor)
    chosen = [n.id for n in notes[:3]]
    response = browser.post(
        f"/team/reviews/sign-off?coach_id={coach.id}&page=2",
        data={"session_ids": [*map(str, chosen), str(outside.id), "junk"]},
    )
    assert response.status_code == 302
    assert response.location == f"/team/reviews?coach_id={coach.id}&page=2"
    db.session.expire_all()
    reviewed = db.session.scalars(
        select(CoachingSession.id).where(CoachingSession.reviewed_at.is_not(None))
    ).all()
    assert sorted(reviewed) == sorted(chosen)
    assert queries.review_count(supervisor, coach.id) == 57
    events = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.entity_id.in_(chosen))
    )
    assert events == 3
    nothing = browser.post("/team/reviews/sign-off", data={}, follow_redirects=True)
    assert "Tick the notes to sign off first." in nothing.get_data(as_text=True)


def test_return_for_revision_needs_a_comment(db, login, supervisor, coach, backlog):
    note = backlog["notes"][-1]
    browser = login(supervisor)
    page = browser.post(
        f"/team/reviews/{note.id}/return", data={"comment": "  "}, follow_redirects=True
    ).get_data(as_text=True)
    assert "a comment is required" in page
    db.session.expire_all()
    assert db.session.get(CoachingSession, note.id).returned_at is None
    assert db.session.scalar(select(func.count(ReviewComment.id))) == 0
    too_long = browser.post(f"/team/reviews/{note.id}/return", data={"comment": "x" * 2001})
    assert too_long.status_code == 302


def test_returned_note_leaves_the_queue_until_the_coach_revises_it(
    db, login, supervisor, coach, backlog
):
    note = backlog["notes"][-1]
    boss = login(supervisor)
    response = boss.post(
        f"/team/reviews/{note.id}/return?coach_id={coach.id}",
        data={"comment": "Say what the client agreed to."},
    )
    assert response.location == (
        f"/team/reviews?coach_id={coach.id}#note-{backlog['notes'][-2].id}"
    )
    assert queries.review_count(supervisor, coach.id) == 59
    queue = boss.get(f"/team/reviews?coach_id={coach.id}").get_data(as_text=True)
    assert note.id not in ids_on(queue) and "1 returned for revision" in queue

    # The coach sees it as a task, opens the session, sees the comment and revises the note.
    me = login(coach)
    home = me.get("/clients/").get_data(as_text=True)
    assert "Notes returned for revision" in home
    assert f'href="/sessions/{note.id}/edit#review"' in home
    edit = me.get(f"/sessions/{note.id}/edit").get_data(as_text=True)
    assert "Returned for revision" in edit and "Say what the client agreed to." in edit
    db.session.expire_all()
    session = db.session.get(CoachingSession, note.id)
    form = {
        "date": session.date.isoformat(),
        "duration_minutes": "45",
        "modality": "in_person",
        "kind": "coaching",
        "outcome": "completed",
        "note": "Note number 59. The client agreed to call the landlord.",
        "version": str(session.version),
    }
    assert me.post(f"/sessions/{note.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    session = db.session.get(CoachingSession, note.id)
    assert session.returned_at is None and session.reviewed_at is None
    entry = db.session.scalar(select(ReviewComment))
    assert entry.read_at is not None  # revising answers the comment
    assert queries.review_count(supervisor, coach.id) == 60
    queue = boss.get(f"/team/reviews?coach_id={coach.id}").get_data(as_text=True)
    assert ids_on(queue)[0] == note.id
    # The supervisor sees what they asked for beside the revised note.
    assert "Earlier review" in queue and "Say what the client agreed to." in queue
    assert "Notes returned for revision" not in me.get("/clients/").get_data(as_text=True)


def test_a_signed_off_note_cannot_be_returned(db, login, supervisor, coach, backlog):
    note = backlog["notes"][0]
    services.sign_off(note, comment=None, actor=supervisor)
    db.session.commit()
    page = login(supervisor).post(
        f"/team/reviews/{note.id}/return", data={"comment": "Late"}, follow_redirects=True
    )
    assert "already signed off or returned" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ReviewComment.id))) == 0


def test_another_team_cannot_sign_off_or_return(db, login, other_supervisor, backlog):
    note = backlog["notes"][0]
    browser = login(other_supervisor)
    assert browser.post(f"/team/reviews/{note.id}", data={}).status_code == 404
    assert browser.post(f"/team/reviews/{note.id}/return", data={"comment": "x"}).status_code == 404
    browser.post("/team/reviews/sign-off", data={"session_ids": [str(note.id)]})
    db.session.expire_all()
    assert db.session.get(CoachingSession, note.id).reviewed_at is None


# --- The thread on the session ---------------------------------------------------------------


def returned(db, supervisor, note, text="Add the next steps.") -> None:
    services.return_for_revision(note, comment=text, actor=supervisor)
    db.session.commit()


def test_thread_shows_on_the_client_page_and_the_coach_marks_it_read(
    db, login, supervisor, coach, backlog
):
    note = backlog["notes"][-1]
    returned(db, supervisor, note)
    me = login(coach)
    page = me.get(f"/clients/{backlog['mine'].id}").get_data(as_text=True)
    item = page[page.index(f'id="session-{note.id}"') :]
    item = item[: item.index("</li>\n  \n  <li")] if "</li>\n  \n  <li" in item else item
    assert "Returned for revision" in item and "Add the next steps." in item
    assert "Sam Supervisor" in item and "1 new" in item and "Mark read" in item
    # The supervisor sees the thread too, without the coach's "Mark read".
    theirs = login(supervisor).get(f"/clients/{backlog['mine'].id}").get_data(as_text=True)
    assert "Add the next steps." in theirs
    assert f"/sessions/{note.id}/read" not in theirs
    # Only the coach's reading counts.
    assert login(supervisor).post(f"/sessions/{note.id}/read").status_code == 302
    assert db.session.scalar(select(ReviewComment.read_at)) is None
    response = me.post(f"/sessions/{note.id}/read?next=/clients/{backlog['mine'].id}")
    assert response.location == f"/clients/{backlog['mine'].id}#session-{note.id}"
    assert db.session.scalar(select(ReviewComment.read_at)) is not None
    evil = me.post(f"/sessions/{note.id}/read?next=https://evil.example/")
    assert evil.location.startswith(f"/clients/{backlog['mine'].id}")


def test_thread_is_hidden_from_those_who_may_not_see_the_client(
    db, login, supervisor, coach, other_coach, backlog
):
    note = backlog["notes"][-1]
    returned(db, supervisor, note, "Private remark")
    outsider = login(other_coach)
    assert outsider.get(f"/clients/{backlog['mine'].id}").status_code == 404
    assert outsider.get(f"/sessions/{note.id}/edit").status_code == 404
    assert outsider.post(f"/sessions/{note.id}/read").status_code == 404
    assert outsider.post(f"/sessions/{note.id}/reply", data={"body": "hi"}).status_code == 404
    assert outsider.get(f"/clients/{backlog['mine'].id}/sessions").status_code == 404
    assert "Private remark" not in outsider.get("/clients/").get_data(as_text=True)


def test_coach_replies_in_the_thread(db, login, supervisor, coach, backlog):
    note = backlog["notes"][-1]
    returned(db, supervisor, note)
    me = login(coach)
    empty = me.post(f"/sessions/{note.id}/reply", data={"body": "   "})
    assert empty.status_code == 422 and "Write the reply first." in empty.get_data(as_text=True)
    kept = me.post(f"/sessions/{note.id}/reply", data={"body": "y" * 2001})
    assert kept.status_code == 422 and "y" * 2001 in kept.get_data(as_text=True)
    response = me.post(f"/sessions/{note.id}/reply", data={"body": "Done, see the note."})
    assert response.status_code == 302
    kinds = db.session.execute(
        select(ReviewComment.kind, ReviewComment.read_at.is_not(None)).order_by(ReviewComment.id)
    ).all()
    # The coach has read the return; the reply waits for the supervisor.
    assert kinds == [("returned", True), ("reply", False)]
    # The supervisor cannot answer as the coach.
    assert (
        login(supervisor).post(f"/sessions/{note.id}/reply", data={"body": "x"}).status_code == 422
    )


def test_the_supervisor_reads_a_coach_reply_on_the_dashboard(
    db, login, supervisor, other_supervisor, coach, backlog
):
    note = backlog["notes"][-1]
    returned(db, supervisor, note)
    me = login(coach)
    assert (
        me.post(f"/sessions/{note.id}/reply", data={"body": "Added the date."}).status_code == 302
    )
    assert "Added the date." not in me.get("/clients/").get_data(as_text=True)  # not a task

    boss = login(supervisor)
    page = boss.get("/team/").get_data(as_text=True)
    assert "Replies from your coaches" in page and "Added the date." in page
    assert f"/sessions/{note.id}/edit#review" in page
    thread = boss.get(f"/sessions/{note.id}/edit").get_data(as_text=True)
    assert "1 new" in thread and "Mark read" in thread

    # Another team's supervisor neither sees it nor can mark it read.
    login(other_supervisor).post(f"/sessions/{note.id}/read")
    assert (
        db.session.scalar(
            select(func.count(ReviewComment.id)).where(ReviewComment.read_at.is_(None))
        )
        == 1
    )

    assert boss.post(f"/sessions/{note.id}/read").status_code == 302
    assert "Replies from your coaches" not in boss.get("/team/").get_data(as_text=True)
    assert (
        db.session.scalar(
            select(func.count(ReviewComment.id)).where(ReviewComment.read_at.is_(None))
        )
        == 0
    )


def test_older_sign_off_comments_still_reach_the_api(db, supervisor, coach, backlog):
    """``sessions.review_comment`` stays the sign-off comment (the thread's sign_off entry)."""
    note = backlog["notes"][0]
    services.sign_off(note, comment="Clear.", actor=supervisor)
    db.session.commit()
    assert db.session.get(CoachingSession, note.id).review_comment == "Clear."


# --- The migration keeps the sign-off comments made before threads existed -------------------


@pytest.mark.usefixtures("scratch_app")
def test_migration_turns_sign_off_comments_into_threads():
    from flask_migrate import downgrade, upgrade

    from coachapp.extensions import db as scratch_db

    upgrade()
    program = factories.program()
    boss = factories.user("supervisor", program=program, name="Sam Supervisor")
    coach = factories.user("coach", program=program, supervisor=boss)
    client = factories.client(coach)
    now = datetime.now(timezone.utc)
    for days, text in ((2, "Recent remark"), (60, "Old remark")):
        factories.session(
            client,
            note="A note",
            reviewed_by_id=boss.id,
            reviewed_at=now - timedelta(days=days),
            review_comment=text,
        )
    factories.session(client, note="Waiting")
    boss_id = boss.id
    scratch_db.session.remove()
    downgrade(revision="b8d2f6a3c0e4")
    upgrade()
    rows = scratch_db.session.execute(
        select(
            ReviewComment.body, ReviewComment.kind, ReviewComment.author_id, ReviewComment.read_at
        ).order_by(ReviewComment.id)
    ).all()
    assert [(r.body, r.kind, r.author_id) for r in rows] == [
        ("Old remark", "sign_off", boss_id),
        ("Recent remark", "sign_off", boss_id),
    ]
    assert rows[0].read_at is not None and rows[1].read_at is None
