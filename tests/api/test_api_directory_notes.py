"""JSON API v1: the resource directory and supervision notes, for each role; 403 for roles that
may never do it, 422 with ``fields`` for bad bodies, 409 for stale versions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from coachapp.models import (
    Resource,
    SupervisionNote,
)
from tests import factories
from tests.api.helpers import fields_of
from tests.helpers import count, today_of

# --- Resources ---------------------------------------------------------------------------------


def test_anyone_signed_in_reads_the_directory_of_their_program(db, call, coach, program):
    shared = factories.resource(name="Aardvark Shelter")
    own = factories.resource(name="Beacon Jobs", category="employment", program_id=program.id)
    factories.resource(name="Elsewhere", program_id=factories.program().id)
    factories.resource(name="Zed (closed)", active=False)
    body = call(coach, "get", "/resources").get_json()
    assert [r["name"] for r in body["items"]] == ["Aardvark Shelter", "Beacon Jobs", "Zed (closed)"]
    assert body["total"] == 3
    assert set(body["items"][0]) == {
        "id",
        "name",
        "category",
        "organization",
        "phone",
        "email",
        "website",
        "address",
        "description",
        "active",
    }
    active = call(coach, "get", "/resources?active=true").get_json()
    assert [r["id"] for r in active["items"]] == [shared.id, own.id]
    jobs = call(coach, "get", "/resources?category=employment&q=beac").get_json()
    assert [r["id"] for r in jobs["items"]] == [own.id] and jobs["total"] == 1
    assert call(coach, "get", "/resources?category=spa").status_code == 422


@pytest.mark.parametrize("role", ["supervisor", "program_manager", "admin"])
def test_writers_create_and_edit_resources(request, db, call, role):
    user = request.getfixturevalue(role)
    response = call(
        user,
        "post",
        "/resources",
        json={
            "name": "Harbor House",
            "category": "housing",
            "organization": "Harbor Services",
            "website": "https://harbor.example.org",
            "email": "intake@harbor.example.org",
        },
    )
    assert response.status_code == 201
    out = response.get_json()
    assert (out["organization"], out["active"]) == ("Harbor Services", True)
    stored = db.session.get(Resource, out["id"])
    assert stored.program_id == (None if role == "admin" else user.program_id)
    patched = call(
        user, "patch", f"/resources/{out['id']}", json={"active": False, "phone": "555-0100"}
    ).get_json()
    assert (patched["active"], patched["phone"], patched["organization"]) == (
        False,
        "555-0100",
        "Harbor Services",
    )
    again = call(
        user,
        "post",
        "/resources",
        json={"name": "Harbor Annex", "category": "housing", "organization": "Harbor Services"},
    )
    assert again.get_json()["organization"] == "Harbor Services"
    from coachapp.models import Organization

    assert count(db, Organization) == 1


def test_a_resource_of_another_program_is_404_to_its_writers(db, call, supervisor):
    elsewhere = factories.resource(name="Elsewhere", program_id=factories.program().id)
    response = call(supervisor, "patch", f"/resources/{elsewhere.id}", json={"active": False})
    assert response.status_code == 404
    assert call(supervisor, "patch", "/resources/999999", json={}).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "category": "housing"}, "name"),
        ({"name": "x" * 201, "category": "housing"}, "name"),
        ({"name": "A"}, "category"),
        ({"name": "A", "category": "spa"}, "category"),
        ({"name": "A", "category": "food", "website": "javascript:alert(1)"}, "website"),
        ({"name": "A", "category": "food", "website": "ftp://x.example"}, "website"),
        ({"name": "A", "category": "food", "email": "not-an-email"}, "email"),
        ({"name": "A", "category": "food", "phone": "1" * 41}, "phone"),
        ({"name": "A", "category": "food", "active": "sometimes"}, "active"),
        ({"name": "A", "category": "food", "id": 3}, "id"),
    ],
)
def test_resource_validation(db, call, supervisor, body, field):
    response = call(supervisor, "post", "/resources", json=body)
    assert field in fields_of(response)
    assert count(db, Resource) == 0


def test_a_meeting_stays_recovery_support(db, call, admin):
    meeting = factories.resource(category="recovery_support", meeting_model="aa")
    response = call(admin, "patch", f"/resources/{meeting.id}", json={"category": "housing"})
    assert "category" in fields_of(response)


# --- Supervision notes -------------------------------------------------------------------------


NOTE = {
    "date": "2026-03-04",
    "duration_minutes": 60,
    "format": "individual",
    "topics": "Boundaries",
    "note": "Talked about boundaries with José.",
    "action_items": "Read the ethics chapter",
}


def test_supervisor_writes_and_coach_reads_a_note(db, call, supervisor, coach, mine):
    response = call(
        supervisor,
        "post",
        "/supervision-notes",
        json=NOTE | {"coach_ids": [coach.id], "client_ids": [mine.id]},
    )
    assert response.status_code == 201
    out = response.get_json()
    assert set(out) == {
        "id",
        "supervisor_id",
        "coach_ids",
        "date",
        "duration_minutes",
        "format",
        "topics",
        "client_ids",
        "note",
        "action_items",
        "acknowledged_at",
    }
    assert (out["supervisor_id"], out["coach_ids"], out["client_ids"]) == (
        supervisor.id,
        [coach.id],
        [mine.id],
    )
    assert out["acknowledged_at"] is None
    seen = call(coach, "get", "/supervision-notes").get_json()
    assert seen["total"] == 1 and seen["items"][0]["note"] == NOTE["note"]
    assert seen["items"][0]["acknowledged_at"] is None
    from coachapp.supervision.services import acknowledge

    acknowledge(db.session.get(SupervisionNote, out["id"]), coach)
    db.session.commit()
    acknowledged = call(coach, "get", "/supervision-notes").get_json()["items"][0]
    moment = datetime.fromisoformat(acknowledged["acknowledged_at"])
    assert moment.tzinfo is not None
    assert abs(datetime.now(timezone.utc) - moment) < timedelta(minutes=5)
    assert (
        call(supervisor, "get", "/supervision-notes").get_json()["items"][0]["acknowledged_at"]
        is None
    )


def test_notes_are_seen_only_by_their_author_and_the_coaches_named(
    db, call, supervisor, coach, other_coach, other_supervisor
):
    note = call(
        supervisor, "post", "/supervision-notes", json=NOTE | {"coach_ids": [coach.id]}
    ).get_json()
    for user in (other_coach, other_supervisor):
        body = call(user, "get", "/supervision-notes").get_json()
        assert body["items"] == [] and body["total"] == 0
    response = call(
        other_supervisor, "patch", f"/supervision-notes/{note['id']}", json={"topics": "x"}
    )
    assert response.status_code == 404
    assert call(supervisor, "patch", "/supervision-notes/999999", json={}).status_code == 404


def test_a_group_note_shows_each_coach_only_their_clients(
    db, call, supervisor, coach, coach2, mine
):
    theirs = factories.client(coach2)
    response = call(
        supervisor,
        "post",
        "/supervision-notes",
        json=NOTE
        | {
            "format": "group",
            "coach_ids": [coach.id, coach2.id],
            "client_ids": [mine.id, theirs.id],
        },
    )
    assert response.get_json()["client_ids"] == sorted([mine.id, theirs.id])
    assert call(coach, "get", "/supervision-notes").get_json()["items"][0]["client_ids"] == [
        mine.id
    ]
    assert call(coach2, "get", "/supervision-notes").get_json()["items"][0]["client_ids"] == [
        theirs.id
    ]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"format": "group"}, "coach_ids", "A group supervision names two coaches or more."),
        ({"coach_ids": []}, "coach_ids", "An individual supervision names exactly one coach."),
        (
            {"coach_ids": ["other_coach"]},
            "coach_ids",
            "Choose among the active coaches you supervise.",
        ),
        ({"client_ids": ["theirs"]}, "client_ids", "Choose among the clients you can open."),
        ({"client_ids": [999_999]}, "client_ids", "Choose among the clients you can open."),
        ({"date": "tomorrow"}, "date", "This date is in the future."),
        ({"date": "2026-02-31"}, "date", None),
        ({"duration_minutes": 0}, "duration_minutes", None),
        ({"duration_minutes": 721}, "duration_minutes", None),
        ({"format": "pair"}, "format", None),
        ({"topics": "x" * 2001}, "topics", None),
        ({"note": "x" * 10_001}, "note", None),
        ({"supervisor_id": 1}, "supervisor_id", None),
    ],
)
def test_note_validation(request, db, call, supervisor, coach, change, field, message):
    change = dict(change)
    if change.get("coach_ids") == ["other_coach"]:
        change["coach_ids"] = [request.getfixturevalue("other_coach").id]
    if change.get("client_ids") == ["theirs"]:
        change["client_ids"] = [request.getfixturevalue("theirs").id]
    if change.get("date") == "tomorrow":
        change["date"] = (today_of(supervisor) + timedelta(days=1)).isoformat()
    response = call(
        supervisor, "post", "/supervision-notes", json=NOTE | {"coach_ids": [coach.id]} | change
    )
    errors = fields_of(response)
    assert field in errors
    if message:
        assert errors[field] == [message]
    assert count(db, SupervisionNote) == 0


def test_edit_a_note_with_its_version(db, call, supervisor, coach, coach2, mine):
    out = call(
        supervisor,
        "post",
        "/supervision-notes",
        json=NOTE | {"coach_ids": [coach.id], "client_ids": [mine.id]},
    ).get_json()
    changed = call(
        supervisor,
        "patch",
        f"/supervision-notes/{out['id']}",
        json={"format": "group", "coach_ids": [coach.id, coach2.id], "version": 1},
    )
    assert changed.status_code == 200
    body = changed.get_json()
    assert (body["format"], body["coach_ids"], body["client_ids"]) == (
        "group",
        sorted([coach.id, coach2.id]),
        [mine.id],
    )
    stale = call(
        supervisor,
        "patch",
        f"/supervision-notes/{out['id']}",
        json={"topics": "Other", "version": 1},
    )
    assert stale.status_code == 409
    db.session.expire_all()
    assert db.session.get(SupervisionNote, out["id"]).topics == NOTE["topics"]
    refused = call(
        supervisor, "patch", f"/supervision-notes/{out['id']}", json={"format": "individual"}
    )
    assert "coach_ids" in fields_of(refused)


def test_a_patch_keeps_clients_the_supervisor_can_no_longer_open(
    db, call, supervisor, coach, other_coach, mine
):
    moved = factories.client(coach)
    out = call(
        supervisor,
        "post",
        "/supervision-notes",
        json=NOTE | {"coach_ids": [coach.id], "client_ids": [mine.id, moved.id]},
    ).get_json()
    moved.coach_id = other_coach.id  # reassigned to another team since
    db.session.commit()
    url = f"/supervision-notes/{out['id']}"
    refused = call(supervisor, "patch", url, json={"client_ids": [mine.id, moved.id]})
    assert fields_of(refused) == {"client_ids": ["Choose among the clients you can open."]}
    body = call(supervisor, "patch", url, json={"topics": "Only the topic"}).get_json()
    assert body["client_ids"] == [mine.id]  # the reader's view: the moved client is hidden
    cleared = call(supervisor, "patch", url, json={"client_ids": []})
    assert cleared.status_code == 200 and cleared.get_json()["client_ids"] == []
    db.session.expire_all()
    assert [c.id for c in db.session.get(SupervisionNote, out["id"]).clients] == [moved.id]


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("future", "date", "This date is in the future."),
        ("outsider", "coach_ids", "Choose among the active coaches you supervise."),
        ("group_of_one", "coach_ids", "A group supervision names two coaches or more."),
        ("their_client", "client_ids", "Choose among the clients you can open."),
    ],
)
def test_the_page_and_the_api_refuse_a_note_the_same_way(
    db, call, login, supervisor, coach, other_coach, theirs, case, field, message
):
    """One rule (``supervision.services.check_note``) behind both: the same refusal, word for
    word, and nothing saved."""
    tomorrow = (today_of(supervisor) + timedelta(days=1)).isoformat()
    body = NOTE | {"coach_ids": [coach.id]}
    page = {
        "date": NOTE["date"],
        "duration_minutes": "60",
        "format": "individual",
        "coaches": [str(coach.id)],
        "topics": "Boundaries",
    }
    if case == "future":
        body["date"] = page["date"] = tomorrow
    elif case == "outsider":
        body |= {"format": "group", "coach_ids": [coach.id, other_coach.id]}
        page |= {"format": "group", "coaches": [str(coach.id), str(other_coach.id)]}
    elif case == "group_of_one":
        body["format"] = page["format"] = "group"
    else:
        body["client_ids"] = [theirs.id]
        page["clients"] = [str(theirs.id)]
    assert fields_of(call(supervisor, "post", "/supervision-notes", json=body)) == {
        field: [message]
    }
    response = login(supervisor).post("/supervision/notes/new", data=page)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(db, SupervisionNote) == 0
