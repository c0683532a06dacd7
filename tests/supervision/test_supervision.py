"""Supervision notes (write, read, acknowledge, edit, archive) and coaches' credential progress."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coachapp.models import (
    SupervisionNote,
    SupervisionNoteCoach,
)
from tests import factories
from tests.helpers import make_note
from tests.supervision.helpers import audit_rows

# --- Access, per route and role -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("supervisor", 200),
        ("coach", 200),
        ("other_supervisor", 200),
        ("other_coach", 200),
        ("program_manager", 403),
        ("admin", 403),
    ],
)
def test_notes_list_per_role(request, login, role, status):
    assert login(request.getfixturevalue(role)).get("/supervision/notes").status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("supervisor", 200),
        ("other_supervisor", 200),
        ("coach", 403),
        ("program_manager", 403),
        ("admin", 403),
    ],
)
def test_new_note_page_per_role(request, login, role, status):
    browser = login(request.getfixturevalue(role))
    assert browser.get("/supervision/notes/new").status_code == status


def test_pages_ask_to_sign_in(db, anon, supervisor, coach):
    note = make_note(db, supervisor, [coach])
    for url in (
        "/supervision/notes",
        "/supervision/notes/new",
        f"/supervision/notes/{note.id}",
        f"/supervision/coaches/{coach.id}/progress",
        "/supervision/progress",
    ):
        response = anon.get(url)
        assert response.status_code == 302 and "/auth/login" in response.location, url


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("supervisor", 200),  # the author
        ("coach", 200),  # named on it
        ("coach2", 404),  # same team, not named
        ("other_coach", 404),
        ("other_supervisor", 404),
        ("program_manager", 403),
        ("admin", 403),
    ],
)
def test_note_detail_per_role(request, db, login, supervisor, coach, role, status):
    note = make_note(db, supervisor, [coach])
    browser = login(request.getfixturevalue(role))
    assert browser.get(f"/supervision/notes/{note.id}").status_code == status
    # A missing note answers exactly like someone else's.
    assert browser.get(f"/supervision/notes/{note.id + 999}").status_code in (403, 404)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("supervisor", 200),
        ("other_supervisor", 404),
        ("coach", 403),  # named, but only the author edits
        ("other_coach", 403),
        ("program_manager", 403),
        ("admin", 403),
    ],
)
def test_edit_page_per_role(request, db, login, supervisor, coach, role, status):
    note = make_note(db, supervisor, [coach])
    browser = login(request.getfixturevalue(role))
    assert browser.get(f"/supervision/notes/{note.id}/edit").status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("other_supervisor", 404), ("coach", 403), ("program_manager", 403), ("admin", 403)],
)
def test_only_the_author_archives(request, db, login, supervisor, coach, role, status):
    note = make_note(db, supervisor, [coach])
    browser = login(request.getfixturevalue(role))
    response = browser.post(f"/supervision/notes/{note.id}/archive", data={"reason": "x"})
    assert response.status_code == status
    db.session.expire_all()
    assert db.session.get(SupervisionNote, note.id).archived_at is None


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coach2", 404),
        ("other_coach", 404),
        ("supervisor", 403),
        ("other_supervisor", 403),
        ("program_manager", 403),
        ("admin", 403),
    ],
)
def test_only_a_named_coach_acknowledges(request, db, login, supervisor, coach, role, status):
    note = make_note(db, supervisor, [coach])
    browser = login(request.getfixturevalue(role))
    assert browser.post(f"/supervision/notes/{note.id}/acknowledge").status_code == status
    db.session.expire_all()
    assert db.session.scalar(select(SupervisionNoteCoach.acknowledged_at)) is None
    assert audit_rows(db) == []


PROGRESS_URLS = ("/supervision/coaches/{id}/progress", "/supervision/coaches/{id}/training/new")


@pytest.mark.parametrize("url", PROGRESS_URLS)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coach", 200),  # themself
        ("supervisor", 200),  # their supervisor
        ("coach2", 404),  # a teammate
        ("other_coach", 404),
        ("other_supervisor", 404),
        ("program_manager", 404),
        ("admin", 404),
    ],
)
def test_progress_pages_per_role(request, login, coach, url, role, status):
    browser = login(request.getfixturevalue(role))
    assert browser.get(url.format(id=coach.id)).status_code == status


def test_progress_is_for_coaches_only(login, supervisor, program_manager):
    # A supervisor's own id, or a manager's, is not a coach profile.
    browser = login(supervisor)
    assert browser.get(f"/supervision/coaches/{supervisor.id}/progress").status_code == 404
    assert browser.get(f"/supervision/coaches/{program_manager.id}/progress").status_code == 404
    assert browser.get("/supervision/coaches/999999/progress").status_code == 404


def test_a_supervisor_keeps_seeing_an_inactive_coach(db, login, program, supervisor):
    gone = factories.user("coach", program=program, supervisor=supervisor, active=False)
    assert login(supervisor).get(f"/supervision/coaches/{gone.id}/progress").status_code == 200


def test_progress_shortcut(login, coach, coach2, supervisor, program_manager):
    response = login(coach).get("/supervision/progress")
    assert response.status_code == 302
    assert response.location.endswith(f"/supervision/coaches/{coach.id}/progress")
    page = login(supervisor).get("/supervision/progress")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"/supervision/coaches/{coach.id}/progress" in text
    assert f"/supervision/coaches/{coach2.id}/progress" in text
    assert login(program_manager).get("/supervision/progress").status_code == 403
