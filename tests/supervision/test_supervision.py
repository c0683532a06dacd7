"""Supervision notes (write, read, acknowledge, edit, archive) and coaches' credential progress."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from coachapp.models import (
    AuditEvent,
    SupervisionNote,
    SupervisionNoteCoach,
    TrainingRecord,
    supervision_note_clients,
)
from coachapp.supervision import queries
from tests import factories
from tests.helpers import QueryCounter, make_note, note_form, today_of

# --- Helpers -------------------------------------------------------------------------------------


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def audit_rows(db, action=None):
    db.session.expire_all()
    query = select(AuditEvent).where(
        AuditEvent.entity_type.in_(["supervision_note", "training_record"])
    )
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


@pytest.fixture
def coach2(program, supervisor):
    return factories.user("coach", program=program, supervisor=supervisor, name="Dana Coach")


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


# --- Writing a note -----------------------------------------------------------------------------


def test_supervisor_writes_an_individual_note(db, login, supervisor, coach):
    client = factories.client(coach)
    browser = login(supervisor)
    form = browser.get("/supervision/notes/new").get_data(as_text=True)
    assert f'value="{today_of(supervisor).isoformat()}"' in form  # defaults to today
    assert coach.name in form and client.code in form
    # The checkboxes form a group named by the text above it; no <label> points at a <div>.
    assert 'role="group" aria-labelledby="coaches-label"' in form
    assert '<div id="coaches-label" class="form-label">Coaches</div>' in form
    assert 'for="coaches"' not in form
    response = browser.post(
        "/supervision/notes/new", data=note_form([coach], clients=[str(client.id)])
    )
    assert response.status_code == 302
    note = db.session.scalar(select(SupervisionNote))
    assert (note.supervisor_id, note.format, note.duration_minutes) == (
        supervisor.id,
        "individual",
        60,
    )
    assert [link.coach_id for link in note.coach_links] == [coach.id]
    assert [c.id for c in note.clients] == [client.id]
    assert response.location.endswith(f"/supervision/notes/{note.id}")
    [row] = audit_rows(db, "create")
    assert (row.entity_id, row.user_id, row.client_id, row.detail) == (
        note.id,
        supervisor.id,
        None,
        None,
    )
    assert row.fields.split(",") == sorted(
        [
            "action_items",
            "clients",
            "coaches",
            "date",
            "duration_minutes",
            "format",
            "note",
            "topics",
        ]
    )
    assert "difficult week" not in (row.fields + (row.detail or ""))


def test_group_note_names_several_coaches(db, login, supervisor, coach, coach2):
    response = login(supervisor).post("/supervision/notes/new", data=note_form([coach, coach2]))
    assert response.status_code == 302
    note = db.session.scalar(select(SupervisionNote))
    assert note.format == "group"
    assert sorted(link.coach_id for link in note.coach_links) == sorted([coach.id, coach2.id])


@pytest.mark.parametrize(
    ("fmt", "who", "message"),
    [
        ("individual", ["coach", "coach2"], "An individual supervision names exactly one coach."),
        ("individual", [], "An individual supervision names exactly one coach."),
        ("group", ["coach"], "A group supervision names two coaches or more."),
        ("group", [], "A group supervision names two coaches or more."),
        ("group", ["coach", "coach"], "A group supervision names two coaches or more."),
    ],
)
def test_format_and_number_of_coaches(request, db, login, supervisor, fmt, who, message):
    coaches = [request.getfixturevalue(name) for name in who]
    response = login(supervisor).post(
        "/supervision/notes/new", data=note_form(coaches, fmt=fmt, topics="Kept topic")
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text
    assert "Kept topic" in text  # the user's input is kept
    assert count(db, SupervisionNote) == 0


@pytest.mark.parametrize("outsider", ["other_coach", "inactive", "program_manager", "supervisor"])
def test_coaches_outside_the_team_are_refused(
    request, db, login, program, supervisor, coach, outsider
):
    if outsider == "inactive":
        person = factories.user("coach", program=program, supervisor=supervisor, active=False)
    else:
        person = request.getfixturevalue(outsider)
    response = login(supervisor).post(
        "/supervision/notes/new", data=note_form([coach, person], fmt="group")
    )
    assert response.status_code == 422
    assert "Choose among the active coaches you supervise." in response.get_data(as_text=True)
    assert count(db, SupervisionNote) == 0


def test_clients_outside_the_scope_are_refused(db, login, supervisor, coach, other_coach):
    mine = factories.client(coach)
    theirs = factories.client(other_coach)
    browser = login(supervisor)
    page = browser.get("/supervision/notes/new").get_data(as_text=True)
    assert theirs.code not in page
    response = browser.post(
        "/supervision/notes/new",
        data=note_form([coach], clients=[str(mine.id), str(theirs.id)]),
    )
    assert response.status_code == 422
    assert "Choose among the clients you can open." in response.get_data(as_text=True)
    assert count(db, SupervisionNote) == 0
    response = browser.post("/supervision/notes/new", data=note_form([coach], clients=["abc"]))
    assert response.status_code == 422
    assert count(db, SupervisionNote) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("duration_minutes", "0", "Minutes must be between 1 and 720."),
        ("duration_minutes", "721", "Minutes must be between 1 and 720."),
        ("duration_minutes", "abc", "Not a valid integer value."),
        ("duration_minutes", "", "Give the length in minutes."),
        ("date", "", "Give the date."),
        ("date", "2026-02-30", "Not a valid date value."),
        ("date", "1899-12-31", "This date is too far in the past."),
        ("format", "triad", "Not a valid choice."),
        ("topics", "x" * 2001, "Field cannot be longer than 2000 characters."),
    ],
)
def test_bad_note_input(db, login, supervisor, coach, field, value, message):
    response = login(supervisor).post(
        "/supervision/notes/new", data=note_form([coach], **{field: value})
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(db, SupervisionNote) == 0


def test_a_future_date_is_refused(db, login, supervisor, coach):
    tomorrow = today_of(supervisor) + timedelta(days=1)
    response = login(supervisor).post(
        "/supervision/notes/new", data=note_form([coach], date=tomorrow.isoformat())
    )
    assert response.status_code == 422
    assert "This date is in the future." in response.get_data(as_text=True)
    assert count(db, SupervisionNote) == 0


# --- The rules of a note, one function for the pages and the API -------------------------------


def note_data(supervisor, **overrides) -> dict:
    data = {
        "date": today_of(supervisor),
        "duration_minutes": 60,
        "format": "individual",
        "topics": "Self-care",
        "note": None,
        "action_items": None,
    }
    data.update(overrides)
    return data


def test_the_service_refuses_what_the_rules_refuse_and_writes_nothing(
    db, supervisor, coach, other_coach
):
    from coachapp.supervision import services

    theirs = factories.client(other_coach)
    with pytest.raises(services.NoteRuleError) as refused:
        services.create_note(
            note_data(supervisor, date=today_of(supervisor) + timedelta(days=1), format="group"),
            coach_ids=[coach.id, other_coach.id],
            client_ids=[theirs.id],
            actor=supervisor,
        )
    assert refused.value.errors == {
        "date": "This date is in the future.",
        "coach_ids": "Choose among the active coaches you supervise.",
        "client_ids": "Choose among the clients you can open.",
    }
    db.session.rollback()
    assert count(db, SupervisionNote) == 0
    assert audit_rows(db) == []


@pytest.mark.parametrize(
    ("overrides", "coaches", "field", "message"),
    [
        (
            {"format": "group"},
            ["coach"],
            "coach_ids",
            "A group supervision names two coaches or more.",
        ),
        (
            {},
            ["coach", "coach2"],
            "coach_ids",
            "An individual supervision names exactly one coach.",
        ),
        ({}, [], "coach_ids", "An individual supervision names exactly one coach."),
        ({"format": "pair"}, ["coach"], "format", "Choose individual or group."),
        (
            {"duration_minutes": 0},
            ["coach"],
            "duration_minutes",
            "Minutes must be between 1 and 720.",
        ),
        ({"duration_minutes": True}, ["coach"], "duration_minutes", "Give the length in minutes."),
        ({"date": None}, ["coach"], "date", "Give the date."),
    ],
)
def test_check_note_rules(request, db, supervisor, overrides, coaches, field, message):
    from coachapp.supervision import services

    ids = [request.getfixturevalue(name).id for name in coaches]
    with pytest.raises(services.NoteRuleError) as refused:
        services.check_note(
            note_data(supervisor, **overrides), coach_ids=ids, client_ids=[], supervisor=supervisor
        )
    assert refused.value.errors == {field: message}


def test_check_note_reads_ids_once_each_and_refuses_what_is_not_an_id(db, supervisor, coach):
    from coachapp.supervision import services

    mine = factories.client(coach)
    assert services.check_note(
        note_data(supervisor),
        coach_ids=[coach.id, coach.id],
        client_ids=[mine.id, mine.id],
        supervisor=supervisor,
    ) == ([coach.id], [mine.id])
    with pytest.raises(services.NoteRuleError) as refused:
        services.check_note(
            note_data(supervisor), coach_ids=["x"], client_ids=[None], supervisor=supervisor
        )
    assert set(refused.value.errors) == {"coach_ids", "client_ids"}


def test_an_edit_is_checked_too_and_changes_nothing(db, supervisor, coach, coach2, other_coach):
    from coachapp.supervision import services

    note = make_note(db, supervisor, [coach], topics="Kept")
    with pytest.raises(services.NoteRuleError) as refused:
        services.update_note(
            note,
            note_data(supervisor, topics="Changed"),
            coach_ids=[other_coach.id],
            client_ids=None,
            version=1,
            actor=supervisor,
        )
    assert refused.value.errors == {"coach_ids": "Choose among the active coaches you supervise."}
    db.session.rollback()
    db.session.expire_all()
    stored = db.session.get(SupervisionNote, note.id)
    assert (stored.topics, stored.version) == ("Kept", 1)
    assert [link.coach_id for link in stored.coach_links] == [coach.id]


def test_an_edit_may_keep_a_coach_who_left_the_team(db, login, program, supervisor, coach):
    """A coach named on a note stays allowed on it after moving to another supervisor; a new
    note can no longer name them."""
    note = make_note(db, supervisor, [coach], topics="Before the move")
    coach.supervisor_id = factories.user("supervisor", program=program).id
    db.session.commit()
    browser = login(supervisor)
    response = browser.post(
        f"/supervision/notes/{note.id}/edit",
        data=note_form([coach], topics="After the move", version="1"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SupervisionNote, note.id).topics == "After the move"
    response = browser.post("/supervision/notes/new", data=note_form([coach]))
    assert response.status_code == 422
    assert "Choose among the active coaches you supervise." in response.get_data(as_text=True)


def test_the_page_shows_every_refusal_at_once_and_keeps_the_input(
    db, login, supervisor, coach, other_coach
):
    theirs = factories.client(other_coach)
    tomorrow = today_of(supervisor) + timedelta(days=1)
    response = login(supervisor).post(
        "/supervision/notes/new",
        data=note_form(
            [coach, other_coach],
            fmt="group",
            date=tomorrow.isoformat(),
            clients=[str(theirs.id)],
            topics="Typed topic",
        ),
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    for message in (
        "This date is in the future.",
        "Choose among the active coaches you supervise.",
        "Choose among the clients you can open.",
    ):
        assert message in text
    assert "Typed topic" in text
    assert count(db, SupervisionNote) == 0


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


# --- Credential progress -----------------------------------------------------------------------


@pytest.fixture
def dataset(db, supervisor, coach, coach2, other_supervisor, other_coach):
    """A small history whose figures are worked out by hand in the tests below."""
    today = today_of(coach)
    client = factories.client(coach)
    # Supervision naming Casey (coach): 60 + 90 (group, also Dana) + 45 (14 months ago) = 195.
    make_note(db, supervisor, [coach], on=today - timedelta(days=30), minutes=60)
    make_note(db, supervisor, [coach, coach2], on=today - timedelta(days=60), minutes=90)
    make_note(db, supervisor, [coach], on=today - timedelta(days=425), minutes=45)
    make_note(db, supervisor, [coach], on=today - timedelta(days=10), minutes=120, archived=True)
    make_note(db, other_supervisor, [other_coach], on=today - timedelta(days=5), minutes=300)
    # Sessions: 45 + 50 completed count; attempted, archived and someone else's do not.
    factories.session(client, on=today - timedelta(days=3), minutes=45)
    factories.session(client, on=today - timedelta(days=400), minutes=50)
    factories.session(client, on=today - timedelta(days=2), minutes=30, outcome="attempted")
    factories.session(
        client, on=today - timedelta(days=1), minutes=20, archived_at=datetime.now(timezone.utc)
    )
    factories.session(factories.client(other_coach), minutes=200)
    # Training: ethics 6.5 + 2, advocacy 3.25; an archived record does not count.
    for domain, hours_, archived in (
        ("ethics", "6.5", False),
        ("ethics", "2", False),
        ("advocacy", "3.25", False),
        ("ethics", "10", True),
    ):
        db.session.add(
            TrainingRecord(
                coach_id=coach.id,
                domain=domain,
                hours=Decimal(hours_),
                completed_on=today - timedelta(days=20),
                title=f"Course {domain}",
                archived_at=datetime.now(timezone.utc) if archived else None,
            )
        )
    db.session.add(
        TrainingRecord(
            coach_id=coach2.id,
            domain="ethics",
            hours=Decimal("16"),
            completed_on=today,
            title="Other coach's course",
        )
    )
    db.session.commit()


def test_progress_figures_by_hand(db, dataset, coach, coach2):
    figures = queries.progress(coach)
    assert figures.supervision.done == Decimal("3.3")  # 195 min = 3.25 h, one decimal half up
    assert figures.supervision_last_12_months == Decimal("2.5")  # 60 + 90 = 150 min
    assert figures.experience.done == Decimal("1.6")  # 95 min = 1.583 h
    assert figures.training.done == Decimal("11.8")  # 6.5 + 2 + 3.25 = 11.75
    assert figures.ethics.done == Decimal("8.5")
    assert figures.training_by_domain == {
        "advocacy": Decimal("3.3"),
        "mentoring_education": Decimal("0.0"),
        "recovery_wellness": Decimal("0.0"),
        "ethics": Decimal("8.5"),
    }
    assert (figures.supervision.required, figures.experience.required) == (25, 500)
    assert (figures.training.required, figures.ethics.required) == (46, 16)

    dana = queries.progress(coach2)  # the group note counts in full for each coach named
    assert dana.supervision.done == Decimal("1.5")
    assert dana.supervision_last_12_months == Decimal("1.5")
    assert dana.experience.done == Decimal("0.0")
    assert dana.ethics.done == Decimal("16.0") and dana.ethics.met


def test_progress_page_shows_the_figures(db, dataset, login, coach, supervisor):
    for user in (coach, supervisor):
        response = login(user).get(f"/supervision/coaches/{coach.id}/progress")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert '<span class="stat">3.3</span> of 25 hours' in page
        assert "<strong>2.5</strong> hours" in page
        assert '<span class="stat">1.6</span> of 500 hours' in page
        assert '<span class="stat">11.8</span> of 46 hours' in page
        assert '<span class="stat">8.5</span> of 16 hours' in page
        assert '<progress class="w-100" max="25" value="3.3"' in page
        assert 'aria-valuetext="3.3 of 25 hours (13%)"' in page
        assert "Course ethics" in page
        assert "style=" not in page and "<script>" not in page


def test_progress_page_query_count_does_not_grow(db, login, supervisor, coach):
    client = factories.client(coach)
    browser = login(supervisor)

    def page_queries():
        with QueryCounter(db.engine) as counter:
            assert browser.get(f"/supervision/coaches/{coach.id}/progress").status_code == 200
        return counter.n

    make_note(db, supervisor, [coach])
    factories.session(client)
    db.session.add(
        TrainingRecord(
            coach_id=coach.id, domain="ethics", hours=1, completed_on=date(2026, 1, 1), title="T"
        )
    )
    db.session.commit()
    one = page_queries()
    for n in range(15):
        make_note(db, supervisor, [coach], on=date(2025, 1, 1) + timedelta(days=n))
        factories.session(client, on=date(2025, 1, 1) + timedelta(days=n))
        db.session.add(
            TrainingRecord(
                coach_id=coach.id,
                domain="advocacy",
                hours=2,
                completed_on=date(2025, 1, 1),
                title=f"T{n}",
            )
        )
    db.session.commit()
    assert page_queries() == one
    assert one <= 8


def test_one_year_before_handles_leap_days():
    assert queries.one_year_before(date(2024, 2, 29)) == date(2023, 2, 28)
    assert queries.one_year_before(date(2026, 3, 10)) == date(2025, 3, 10)


# --- Training hours ----------------------------------------------------------------------------


def training_form(**overrides) -> dict:
    data = {
        "domain": "ethics",
        "hours": "1.5",
        "completed_on": "2026-01-20",
        "title": "Ethics in peer work",
        "provider": "State board",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["coach", "supervisor"])
def test_coach_or_supervisor_adds_training(request, db, login, coach, who):
    actor = request.getfixturevalue(who)
    response = login(actor).post(
        f"/supervision/coaches/{coach.id}/training/new", data=training_form()
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/supervision/coaches/{coach.id}/progress")
    record = db.session.scalar(select(TrainingRecord))
    assert (record.coach_id, record.created_by_id, record.hours) == (
        coach.id,
        actor.id,
        Decimal("1.50"),
    )
    [row] = audit_rows(db, "create")
    assert (row.entity_type, row.entity_id, row.user_id, row.client_id) == (
        "training_record",
        record.id,
        actor.id,
        None,
    )
    assert row.fields == "completed_on,domain,hours,provider,title"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours", "0", "Hours must be between 0.25 and 200."),
        ("hours", "201", "Hours must be between 0.25 and 200."),
        ("hours", "0.2", "Hours must be between 0.25 and 200."),
        ("hours", "abc", "Enter a number of hours, such as 1.5."),
        ("hours", "NaN", "Enter a number of hours, such as 1.5."),
        ("hours", "sNaN", "Enter a number of hours, such as 1.5."),
        ("hours", "Infinity", "Enter a number of hours, such as 1.5."),
        ("hours", "1e309", "Hours must be between 0.25 and 200."),
        ("hours", "1.255", "Give the hours with at most two decimals."),
        ("hours", "", "Give the hours."),
        ("domain", "cooking", "Not a valid choice."),
        ("domain", "", "Choose a domain."),
        ("completed_on", "2026-02-30", "Not a valid date value."),
        ("completed_on", "9999-12-31", "This date is too far in the future."),
        ("title", "   ", "Give the training&#39;s title."),
        ("title", "x" * 201, "Field cannot be longer than 200 characters."),
    ],
)
def test_bad_training_input(db, login, coach, field, value, message):
    response = login(coach).post(
        f"/supervision/coaches/{coach.id}/training/new",
        data=training_form(**{field: value}, provider="Kept provider"),
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text
    assert "Kept provider" in text
    assert count(db, TrainingRecord) == 0


def test_training_in_the_future_is_refused(db, login, coach):
    tomorrow = today_of(coach) + timedelta(days=1)
    response = login(coach).post(
        f"/supervision/coaches/{coach.id}/training/new",
        data=training_form(completed_on=tomorrow.isoformat()),
    )
    assert response.status_code == 422
    assert "This date is in the future." in response.get_data(as_text=True)
    assert count(db, TrainingRecord) == 0


def test_training_records_are_archived_with_a_reason(db, login, supervisor, coach, coach2):
    record = TrainingRecord(
        coach_id=coach.id, domain="ethics", hours=4, completed_on=date(2026, 1, 5), title="Ethics"
    )
    teammates = TrainingRecord(
        coach_id=coach2.id, domain="ethics", hours=4, completed_on=date(2026, 1, 5), title="Dana's"
    )
    db.session.add_all([record, teammates])
    db.session.commit()
    url = f"/supervision/coaches/{coach.id}/training/archive"
    browser = login(coach)

    response = browser.post(url, data={"training_id": str(record.id), "reason": " "})
    assert response.status_code == 422 and "Give a reason." in response.get_data(as_text=True)
    response = browser.post(url, data={"training_id": str(teammates.id), "reason": "mine now"})
    assert response.status_code == 422
    assert "Choose one of the records listed." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(TrainingRecord, teammates.id).archived_at is None
    # The teammate's own page is not the coach's to act on.
    response = browser.post(
        f"/supervision/coaches/{coach2.id}/training/archive",
        data={"training_id": str(teammates.id), "reason": "x"},
    )
    assert response.status_code == 404

    assert queries.progress(coach).ethics.done == Decimal("4.0")
    response = login(supervisor).post(
        url, data={"training_id": str(record.id), "reason": "Entered twice"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    archived = db.session.get(TrainingRecord, record.id)
    assert archived.archived_by_id == supervisor.id and archived.archive_reason == "Entered twice"
    assert queries.progress(coach).ethics.done == Decimal("0.0")
    [row] = audit_rows(db, "archive")
    assert (row.entity_type, row.entity_id, row.client_id) == ("training_record", record.id, None)


def test_pages_carry_no_inline_script_or_style(db, login, supervisor, coach):
    note = make_note(db, supervisor, [coach])
    for user, urls in (
        (
            supervisor,
            [
                "/supervision/notes",
                "/supervision/notes/new",
                f"/supervision/notes/{note.id}",
                f"/supervision/notes/{note.id}/edit",
                "/supervision/progress",
                f"/supervision/coaches/{coach.id}/progress",
            ],
        ),
        (coach, [f"/supervision/notes/{note.id}", f"/supervision/coaches/{coach.id}/training/new"]),
    ):
        browser = login(user)
        for url in urls:
            response = browser.get(url)
            assert response.status_code == 200, url
            html = response.get_data(as_text=True)
            assert "<script>" not in html and "style=" not in html, url
            assert 'name="csrf_token"' in html or "<form" not in html, url


@pytest.mark.parametrize(
    "junk",
    ["", " ", "abc", "-1", "0", "99999999999999999999", "1e309", "²", "José", "' OR 1=1 --"],
)
def test_hostile_training_archive_posts(db, login, coach, junk):
    record = TrainingRecord(
        coach_id=coach.id, domain="ethics", hours=4, completed_on=date(2026, 1, 5), title="Ethics"
    )
    db.session.add(record)
    db.session.commit()
    response = login(coach).post(
        f"/supervision/coaches/{coach.id}/training/archive",
        data={"training_id": junk, "reason": "a reason"},
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(TrainingRecord, record.id).archived_at is None
