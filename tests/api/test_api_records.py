"""JSON API v1, the records of api.md beyond clients: sessions, appointments, referrals, goals,
assessments, the resource directory, supervision notes, users and the outcome report.

Each endpoint for each role inside and outside the access rule (404, never a leak in lists or
totals), 403 for roles that may never do it, 422 with ``fields`` for bad bodies, 409 for stale
versions, back-entry, pagination limits; and one end-to-end run written from api.md's text
alone: metrics.md's worked example entered through the API and read back as a report.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from coachapp.models import (
    Appointment,
    Assessment,
    AuditEvent,
    CoachingSession,
    Goal,
    Referral,
    SupervisionNote,
)
from tests import factories
from tests.api.helpers import API, GOOD_BODIES, error_of
from tests.helpers import QueryCounter, count

OUTSIDERS = ["other_coach", "other_supervisor", "program_manager", "admin"]


INSIDERS = ["coach", "supervisor"]


MODELS = {
    "sessions": CoachingSession,
    "appointments": Appointment,
    "referrals": Referral,
    "goals": Goal,
    "assessments": Assessment,
}


def records_of(client):
    """One record of each kind for ``client``."""
    return {
        "session": factories.session(client),
        "appointment": factories.appointment(client),
        "referral": factories.referral(client),
        "goal": factories.goal(client),
        "assessment": factories.assessment(client),
    }


# --- Authentication and roles ------------------------------------------------------------------


NEW_URLS = [
    ("get", "/clients/1/sessions"),
    ("post", "/clients/1/sessions"),
    ("get", "/clients/1/appointments"),
    ("post", "/clients/1/appointments"),
    ("patch", "/appointments/1"),
    ("get", "/clients/1/referrals"),
    ("post", "/clients/1/referrals"),
    ("patch", "/referrals/1"),
    ("get", "/clients/1/goals"),
    ("post", "/clients/1/goals"),
    ("patch", "/goals/1"),
    ("get", "/clients/1/assessments"),
    ("post", "/clients/1/assessments"),
    ("get", "/resources"),
    ("post", "/resources"),
    ("patch", "/resources/1"),
    ("get", "/supervision-notes"),
    ("post", "/supervision-notes"),
    ("patch", "/supervision-notes/1"),
    ("get", "/users"),
    ("post", "/users"),
    ("get", "/users/1"),
    ("patch", "/users/1"),
    ("get", "/reports/outcomes?start=2026-03-01&end=2026-03-31"),
]


@pytest.mark.parametrize(("method", "url"), NEW_URLS)
def test_every_new_endpoint_needs_a_token(anon, mine, method, url):
    for headers in ({}, {"Authorization": "Bearer nope"}):
        response = getattr(anon, method)(API + url, headers=headers, json={})
        assert response.status_code == 401, url
        assert error_of(response)["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("role", "method", "url"),
    [
        *[
            (role, m, u)
            for role in ("coach", "supervisor", "program_manager")
            for m, u in [
                ("get", "/users"),
                ("post", "/users"),
                ("get", "/users/1"),
                ("patch", "/users/1"),
            ]
        ],
        ("coach", "post", "/resources"),
        ("coach", "patch", "/resources/1"),
        ("coach", "post", "/supervision-notes"),
        ("coach", "patch", "/supervision-notes/1"),
        ("program_manager", "get", "/supervision-notes"),
        ("program_manager", "post", "/supervision-notes"),
        ("program_manager", "patch", "/supervision-notes/1"),
        ("admin", "get", "/supervision-notes"),
        ("admin", "post", "/supervision-notes"),
        ("admin", "patch", "/supervision-notes/1"),
    ],
)
def test_roles_that_may_never_do_it_get_403(request, call, role, method, url):
    response = call(request.getfixturevalue(role), method, url, json={})
    assert response.status_code == 403, response.get_json()
    assert error_of(response)["code"] == "forbidden"


# --- The access rule on every client-scoped endpoint -------------------------------------------


@pytest.mark.parametrize("role", OUTSIDERS)
def test_client_records_outside_the_rule_are_404_and_nothing_is_saved(
    request, db, call, mine, role
):
    records = records_of(mine)
    resource = factories.resource()
    user = request.getfixturevalue(role)
    bodies = GOOD_BODIES | {"referrals": {"resource_id": resource.id}}
    before = {name: count(db, model) for name, model in MODELS.items()}
    for kind, body in bodies.items():
        listing = call(user, "get", f"/clients/{mine.id}/{kind}")
        assert listing.status_code == 404, (role, kind)
        assert error_of(listing)["code"] == "not_found"
        created = call(user, "post", f"/clients/{mine.id}/{kind}", json=body)
        assert created.status_code == 404, (role, kind)
    for kind, body in [
        ("appointments", {"outcome": "attended", "coach_accompanied": True}),
        ("referrals", {"status": "declined"}),
        ("goals", {"status": "achieved"}),
    ]:
        record = records[kind.removesuffix("s")]
        response = call(user, "patch", f"/{kind}/{record.id}", json=body)
        assert response.status_code == 404, (role, kind)
    db.session.expire_all()
    assert {name: count(db, model) for name, model in MODELS.items()} == before
    assert db.session.get(Appointment, records["appointment"].id).outcome == "scheduled"


@pytest.mark.parametrize("role", INSIDERS)
def test_coach_and_supervisor_read_every_list_with_honest_totals(request, call, mine, theirs, role):
    records_of(mine)
    records_of(theirs)
    factories.session(mine, on=date(2026, 3, 5))
    user = request.getfixturevalue(role)
    for kind, expected in [
        ("sessions", 2),
        ("appointments", 1),
        ("referrals", 1),
        ("goals", 1),
        ("assessments", 1),
    ]:
        body = call(user, "get", f"/clients/{mine.id}/{kind}").get_json()
        assert body["total"] == expected == len(body["items"]), kind
        assert {item["client_id"] for item in body["items"]} == {mine.id}
        assert (body["page"], body["per_page"]) == (1, 50)
        assert call(user, "get", f"/clients/{theirs.id}/{kind}").status_code == 404


def test_archived_records_leave_lists_totals_and_edits(db, call, coach, mine):
    records = records_of(mine)
    kept = factories.goal(mine, description="Kept")
    for record in records.values():
        record.archived_at = datetime.now(timezone.utc)
    db.session.commit()
    for kind in MODELS:
        body = call(coach, "get", f"/clients/{mine.id}/{kind}").get_json()
        expected = [kept.id] if kind == "goals" else []
        assert [i["id"] for i in body["items"]] == expected and body["total"] == len(expected)
    for kind in ("appointments", "referrals", "goals"):
        record = records[kind.removesuffix("s")]
        assert call(coach, "patch", f"/{kind}/{record.id}", json={}).status_code == 404


def test_a_covering_coach_reaches_the_client_while_the_cover_lasts(db, call, mine, other_coach):
    from coachapp.models import CoveringAssignment

    assert call(other_coach, "get", f"/clients/{mine.id}/sessions").status_code == 404
    db.session.add(
        CoveringAssignment(
            covering_user_id=other_coach.id,
            coach_id=mine.coach_id,
            client_id=mine.id,
            starts_on=date.today() - timedelta(days=1),
            ends_on=date.today() + timedelta(days=1),
        )
    )
    db.session.commit()
    assert call(other_coach, "get", f"/clients/{mine.id}/sessions").status_code == 200
    response = call(
        other_coach, "post", f"/clients/{mine.id}/sessions", json=GOOD_BODIES["sessions"]
    )
    assert response.status_code == 201
    assert response.get_json()["coach_id"] == other_coach.id  # the hours are the coach's own


def test_reading_a_clients_records_is_audited(db, call, coach, mine):
    call(coach, "get", f"/clients/{mine.id}/sessions")
    call(coach, "get", f"/clients/{mine.id}/referrals")
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.client_id == mine.id)
    ).all()
    assert sorted(e.entity_type for e in events) == ["referral", "session"]
    assert all(e.user_id == coach.id for e in events)


@pytest.mark.parametrize("kind", list(MODELS))
def test_lists_are_newest_first_and_paginated(db, call, coach, mine, kind):
    days = [date(2026, 3, d) for d in (3, 9, 1, 20, 14)]
    for day in days:
        if kind == "sessions":
            factories.session(mine, on=day)
        elif kind == "appointments":
            factories.appointment(mine, at=datetime.combine(day, datetime.min.time()))
        elif kind == "referrals":
            factories.referral(mine, referred_on=day)
        elif kind == "goals":
            factories.goal(mine, opened_on=day)
        else:
            factories.assessment(mine, on=day)
    key = {
        "sessions": "date",
        "appointments": "scheduled_at",
        "referrals": "referred_on",
        "goals": "opened_on",
        "assessments": "administered_on",
    }[kind]
    first = call(coach, "get", f"/clients/{mine.id}/{kind}?per_page=2").get_json()
    assert [i[key][:10] for i in first["items"]] == ["2026-03-20", "2026-03-14"]
    last = call(coach, "get", f"/clients/{mine.id}/{kind}?per_page=2&page=3").get_json()
    assert [i[key][:10] for i in last["items"]] == ["2026-03-01"]
    assert (last["total"], last["page"], last["per_page"]) == (5, 3, 2)
    beyond = call(coach, "get", f"/clients/{mine.id}/{kind}?per_page=2&page=9").get_json()
    assert beyond["items"] == [] and beyond["total"] == 5
    for query in ("per_page=201", "per_page=0", "page=0", "page=x", "sort=date"):
        response = call(coach, "get", f"/clients/{mine.id}/{kind}?{query}")
        assert response.status_code in (400, 422), query
        error_of(response)
    assert call(coach, "get", f"/clients/{mine.id}/{kind}?per_page=200").status_code == 200


def test_list_queries_do_not_grow_with_the_records(db, call, coach, supervisor, mine):
    def queries_for(url, user=coach) -> int:
        assert user.id  # the test's own objects are loaded outside the count
        with QueryCounter(db.engine) as counter:
            assert call(user, "get", url).status_code == 200
        return counter.n

    def add_some():
        goal = factories.goal(mine)
        session = factories.session(mine)
        session.goals = [goal]
        factories.referral(mine)
        note = SupervisionNote(
            supervisor_id=supervisor.id,
            date=date(2026, 3, 4),
            duration_minutes=30,
            format="individual",
        )
        from coachapp.models import SupervisionNoteCoach

        note.coach_links.append(SupervisionNoteCoach(coach_id=coach.id))
        note.clients = [mine]
        db.session.add(note)
        db.session.commit()

    add_some()
    call(coach, "get", "/me")  # the token's first use
    call(supervisor, "get", "/me")
    urls = [f"/clients/{mine.id}/sessions", f"/clients/{mine.id}/referrals"]
    before = [queries_for(url) for url in urls] + [queries_for("/supervision-notes", supervisor)]
    for _ in range(4):
        add_some()
    after = [queries_for(url) for url in urls] + [queries_for("/supervision-notes", supervisor)]
    assert before == after
