"""Supervision notes: reading, acknowledging, editing and archiving."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from coachapp.models import (
    SupervisionNote,
    SupervisionNoteCoach,
    supervision_note_clients,
)
from coachapp.supervision import queries
from tests import factories
from tests.helpers import QueryCounter, make_note, note_form
from tests.supervision.helpers import audit_rows, count

# --- Reading -----------------------------------------------------------------------------------


def test_lists_show_only_ones_own_notes(
    db, login, supervisor, coach, coach2, other_supervisor, other_coach
):
    mine = make_note(db, supervisor, [coach], topics="Topic-for-casey")
    team = make_note(db, supervisor, [coach2], topics="Topic-for-dana")
    theirs = make_note(db, other_supervisor, [other_coach], topics="Topic-other-team")
    make_note(db, supervisor, [coach], topics="Topic-archived", archived=True)

    page = login(supervisor).get("/supervision/notes").get_data(as_text=True)
    assert "Topic-for-casey" in page and "Topic-for-dana" in page
    assert "Topic-other-team" not in page and "Topic-archived" not in page

    page = login(coach).get("/supervision/notes").get_data(as_text=True)
    assert "Topic-for-casey" in page
    assert "Topic-for-dana" not in page and "Topic-other-team" not in page

    page = login(other_supervisor).get("/supervision/notes").get_data(as_text=True)
    assert "Topic-other-team" in page and "Topic-for-casey" not in page

    assert {n.id for n in db.session.scalars(queries.visible_notes(coach))} == {mine.id}
    assert {n.id for n in db.session.scalars(queries.visible_notes(supervisor))} == {
        mine.id,
        team.id,
    }
    assert {n.id for n in db.session.scalars(queries.visible_notes(other_coach))} == {theirs.id}


def test_a_coach_sees_only_their_own_clients_on_a_group_note(db, login, supervisor, coach, coach2):
    casey_client = factories.client(coach, first_name="Rowan", last_name="Mine")
    dana_client = factories.client(coach2, first_name="Quinn", last_name="Theirs")
    note = make_note(db, supervisor, [coach, coach2], clients=[casey_client, dana_client])

    page = login(coach).get(f"/supervision/notes/{note.id}").get_data(as_text=True)
    assert casey_client.code in page and "Rowan" in page
    assert dana_client.code not in page and "Quinn" not in page
    assert "1 other client discussed is not on your caseload" in page

    page = login(supervisor).get(f"/supervision/notes/{note.id}").get_data(as_text=True)
    assert casey_client.code in page and dana_client.code in page


def test_notes_list_query_count_does_not_grow(db, login, supervisor, coach, coach2):
    def queries_for(user):
        with QueryCounter(db.engine) as counter:
            assert login(user).get("/supervision/notes").status_code == 200
        return counter.n

    make_note(db, supervisor, [coach, coach2])
    one = {user.id: queries_for(user) for user in (supervisor, coach)}
    for n in range(15):
        make_note(db, supervisor, [coach, coach2], on=date(2025, 1, 1) + timedelta(days=n))
    assert {user.id: queries_for(user) for user in (supervisor, coach)} == one


# --- Acknowledging -----------------------------------------------------------------------------


def test_a_named_coach_acknowledges_once(db, login, supervisor, coach, coach2):
    note = make_note(db, supervisor, [coach, coach2])
    other = make_note(db, supervisor, [coach])
    assert queries.unacknowledged_count(coach) == 2
    browser = login(coach)
    assert "I have read this note" in browser.get(f"/supervision/notes/{note.id}").get_data(
        as_text=True
    )
    response = browser.post(f"/supervision/notes/{note.id}/acknowledge")
    assert response.status_code == 302
    db.session.expire_all()
    links = {
        link.coach_id: link.acknowledged_at
        for link in db.session.scalars(
            select(SupervisionNoteCoach).where(SupervisionNoteCoach.note_id == note.id)
        )
    }
    assert links[coach.id] is not None and links[coach2.id] is None
    first = links[coach.id]

    assert browser.post(f"/supervision/notes/{note.id}/acknowledge").status_code == 302
    db.session.expire_all()
    again = db.session.scalar(
        select(SupervisionNoteCoach.acknowledged_at).where(
            SupervisionNoteCoach.note_id == note.id, SupervisionNoteCoach.coach_id == coach.id
        )
    )
    assert again == first  # idempotent
    [row] = audit_rows(db, "update")
    assert (row.entity_id, row.user_id, row.fields, row.client_id) == (
        note.id,
        coach.id,
        "acknowledged_at",
        None,
    )
    assert queries.unacknowledged_count(coach) == 1
    assert queries.unacknowledged_count(coach2) == 1
    page = browser.get("/supervision/notes?pending=1").get_data(as_text=True)
    assert f"/supervision/notes/{other.id}" in page and f'/supervision/notes/{note.id}"' not in page


def test_unacknowledged_count_ignores_archived_notes_and_other_roles(db, supervisor, coach):
    make_note(db, supervisor, [coach], archived=True)
    make_note(db, supervisor, [coach], acknowledged=True)
    assert queries.unacknowledged_count(coach) == 0
    make_note(db, supervisor, [coach])
    assert queries.unacknowledged_count(coach) == 1
    assert queries.unacknowledged_count(supervisor) == 0


# --- Editing and archiving -----------------------------------------------------------------------


def test_author_edits_a_note(db, login, supervisor, coach, coach2):
    note = make_note(db, supervisor, [coach], acknowledged=True, topics="Old topic")
    browser = login(supervisor)
    page = browser.get(f"/supervision/notes/{note.id}/edit").get_data(as_text=True)
    assert "Old topic" in page and 'name="version" type="hidden" value="1"' in page
    response = browser.post(
        f"/supervision/notes/{note.id}/edit",
        data=note_form([coach, coach2], topics="New topic", version="1"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    note = db.session.get(SupervisionNote, note.id)
    assert note.topics == "New topic" and note.format == "group" and note.version == 2
    assert {link.coach_id: link.acknowledged_at for link in note.coach_links} == {
        coach.id: None,  # what they read changed: asked to acknowledge again
        coach2.id: None,
    }
    [row] = audit_rows(db, "update")
    assert set(row.fields.split(",")) >= {"topics", "format", "coaches", "acknowledged_at"}
    assert "New topic" not in row.fields and row.client_id is None


def test_edit_dropping_a_coach_and_changing_only_links_moves_the_version(
    db, login, supervisor, coach, coach2
):
    note = make_note(db, supervisor, [coach, coach2])
    data = note_form(
        [coach],
        date=note.date.isoformat(),
        topics=note.topics,
        note=note.note,
        action_items="",
        version="1",
    )
    assert (
        login(supervisor).post(f"/supervision/notes/{note.id}/edit", data=data).status_code == 302
    )
    db.session.expire_all()
    note = db.session.get(SupervisionNote, note.id)
    assert [link.coach_id for link in note.coach_links] == [coach.id]
    assert note.version == 2
    assert count(db, SupervisionNoteCoach) == 1


def test_stale_edit_is_refused(db, login, supervisor, coach):
    note = make_note(db, supervisor, [coach], topics="First")
    browser = login(supervisor)
    # Someone saved version 1 -> 2 meanwhile.
    assert (
        browser.post(
            f"/supervision/notes/{note.id}/edit",
            data=note_form([coach], topics="Second", version="1"),
        ).status_code
        == 302
    )
    response = browser.post(
        f"/supervision/notes/{note.id}/edit",
        data=note_form([coach], topics="Stale change", version="1"),
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Someone else changed this record" in text and "Stale change" in text
    db.session.expire_all()
    assert db.session.get(SupervisionNote, note.id).topics == "Second"
    for tampered in ("abc", "-5", "99999999999999999999"):
        response = browser.post(
            f"/supervision/notes/{note.id}/edit",
            data=note_form([coach], topics="Tampered", version=tampered),
        )
        assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(SupervisionNote, note.id).topics == "Second"


def test_edit_keeps_clients_the_supervisor_can_no_longer_open(
    db, login, supervisor, coach, other_coach
):
    stays = factories.client(coach)
    moved = factories.client(coach)
    note = make_note(db, supervisor, [coach], clients=[stays, moved])
    moved.coach_id = other_coach.id  # reassigned to another team since
    db.session.commit()
    browser = login(supervisor)
    page = browser.get(f"/supervision/notes/{note.id}/edit").get_data(as_text=True)
    assert moved.code not in page
    response = browser.post(
        f"/supervision/notes/{note.id}/edit",
        data=note_form([coach], clients=[], topics="Changed", version="1"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert set(
        db.session.scalars(
            select(supervision_note_clients.c.client_id).where(
                supervision_note_clients.c.note_id == note.id
            )
        )
    ) == {moved.id}


def test_author_archives_with_a_reason(db, login, supervisor, coach):
    note = make_note(db, supervisor, [coach])
    browser = login(supervisor)
    response = browser.post(f"/supervision/notes/{note.id}/archive", data={"reason": "  "})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SupervisionNote, note.id).archived_at is None
    response = browser.post(f"/supervision/notes/{note.id}/archive", data={"reason": "Wrong coach"})
    assert response.status_code == 302
    db.session.expire_all()
    archived = db.session.get(SupervisionNote, note.id)
    assert archived.archived_by_id == supervisor.id and archived.archive_reason == "Wrong coach"
    assert browser.get(f"/supervision/notes/{note.id}").status_code == 404
    assert login(coach).get(f"/supervision/notes/{note.id}").status_code == 404
    [row] = audit_rows(db, "archive")
    assert (row.entity_type, row.entity_id, row.client_id) == ("supervision_note", note.id, None)
