"""Supervision notes: writing a note, and the rules of a note (one function for the pages
and the API)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from coachapp.models import (
    SupervisionNote,
)
from tests import factories
from tests.helpers import make_note, note_form, today_of
from tests.supervision.helpers import audit_rows, count

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
