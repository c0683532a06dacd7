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

from coachapp.auth.tokens import create_token
from coachapp.models import (
    Appointment,
    Assessment,
    AuditEvent,
    CoachingSession,
    Goal,
    Referral,
    Resource,
    SupervisionNote,
    User,
)
from tests import factories
from tests.helpers import QueryCounter, count, today_of

API = "/api/v1"


@pytest.fixture
def call(anon, bearer):
    """``call(user, method, url, json=None)`` -> the response, as ``user`` with a token."""
    headers: dict[int, dict] = {}

    def _call(user, method: str, url: str, json=None):
        if user.id not in headers:
            headers[user.id] = bearer(user)
        return getattr(anon, method)(API + url, headers=headers[user.id], json=json)

    return _call


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"])
    return body["error"]


def fields_of(response) -> dict:
    assert response.status_code == 422, (response.status_code, response.get_json())
    error = error_of(response)
    assert error["code"] == "validation_error"
    return error["fields"]


@pytest.fixture
def theirs(other_coach):
    return factories.client(other_coach)


OUTSIDERS = ["other_coach", "other_supervisor", "program_manager", "admin"]
INSIDERS = ["coach", "supervisor"]

GOOD_BODIES = {
    "sessions": {
        "date": "2026-03-01",
        "duration_minutes": 45,
        "modality": "phone",
        "kind": "coaching",
        "outcome": "completed",
    },
    "appointments": {"scheduled_at": "2026-03-03T10:00:00", "kind": "medical"},
    "goals": {"domain": "housing", "description": "A place of my own"},
    "assessments": {"administered_on": "2026-03-03", "items": [4] * 10},
}
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


# --- Sessions ----------------------------------------------------------------------------------


def test_log_a_session_after_the_fact(db, call, coach, supervisor, mine):
    goal = factories.goal(mine)
    body = {
        **GOOD_BODIES["sessions"],
        "goal_ids": [goal.id],
        "note": "Talked about the lease — “Zoë” 🙂",
        "next_steps": "Call the landlord",
    }
    response = call(coach, "post", f"/clients/{mine.id}/sessions", json=body)
    assert response.status_code == 201
    out = response.get_json()
    assert set(out) == {
        "id",
        "client_id",
        "coach_id",
        "date",
        "duration_minutes",
        "modality",
        "kind",
        "outcome",
        "goal_ids",
        "note",
        "next_steps",
    }
    assert (out["date"], out["goal_ids"], out["coach_id"]) == ("2026-03-01", [goal.id], coach.id)
    assert out["note"] == body["note"]
    by_supervisor = call(
        supervisor,
        "post",
        f"/clients/{mine.id}/sessions",
        json={**GOOD_BODIES["sessions"], "date": None} | {"outcome": "attempted"},
    )
    assert "date" in fields_of(by_supervisor)
    default_day = call(
        supervisor,
        "post",
        f"/clients/{mine.id}/sessions",
        json={k: v for k, v in GOOD_BODIES["sessions"].items() if k != "date"},
    ).get_json()
    assert default_day["date"] == today_of(coach).isoformat()
    assert default_day["coach_id"] == coach.id  # a supervisor logs for the client's coach
    event_row = db.session.scalar(
        select(AuditEvent).where(AuditEvent.entity_type == "session", AuditEvent.action == "create")
    )
    assert event_row.client_id == mine.id and "note" in event_row.fields


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 721}, "duration_minutes"),
        ({"duration_minutes": "45"}, "duration_minutes"),
        ({"duration_minutes": 4.5}, "duration_minutes"),
        ({"duration_minutes": True}, "duration_minutes"),
        ({"duration_minutes": None}, "duration_minutes"),
        ({"modality": "carrier_pigeon"}, "modality"),
        ({"kind": "COACHING"}, "kind"),
        ({"outcome": ""}, "outcome"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": "1899-12-31"}, "date"),
        ({"date": "2999-01-01"}, "date"),
        ({"date": "03/01/2026"}, "date"),
        ({"note": "x" * 10_001}, "note"),
        ({"next_steps": "x" * 2_001}, "next_steps"),
        ({"note": "nul \x00 here"}, "note"),
        ({"goal_ids": "1"}, "goal_ids"),
        ({"goal_ids": [0]}, "goal_ids"),
        ({"goal_ids": [2**31]}, "goal_ids"),
        ({"coach_id": 1}, "coach_id"),
    ],
)
def test_session_validation(db, call, coach, mine, change, field):
    response = call(
        coach, "post", f"/clients/{mine.id}/sessions", json=GOOD_BODIES["sessions"] | change
    )
    assert field in fields_of(response)
    assert count(db, CoachingSession) == 0


def test_session_rules_of_the_service(db, call, coach, mine, theirs):
    tomorrow = (today_of(coach) + timedelta(days=1)).isoformat()
    future = call(
        coach,
        "post",
        f"/clients/{mine.id}/sessions",
        json=GOOD_BODIES["sessions"] | {"date": tomorrow},
    )
    assert fields_of(future) == {"date": ["This date is in the future."]}
    other_goal = factories.goal(theirs)
    foreign = call(
        coach,
        "post",
        f"/clients/{mine.id}/sessions",
        json=GOOD_BODIES["sessions"] | {"goal_ids": [other_goal.id]},
    )
    assert "goal_ids" in fields_of(foreign)
    assert count(db, CoachingSession) == 0


def test_malformed_json_is_400(anon, bearer, coach, mine):
    response = anon.post(
        f"{API}/clients/{mine.id}/sessions",
        headers=bearer(coach) | {"Content-Type": "application/json"},
        data='{"date": ',
    )
    assert response.status_code == 400 and error_of(response)["code"] == "bad_request"


# --- Appointments ------------------------------------------------------------------------------


def test_schedule_in_the_future_and_record_the_outcome_later(db, call, coach, mine):
    when = datetime.combine(today_of(coach) + timedelta(days=7), datetime.min.time()).replace(
        hour=9, minute=30
    )
    response = call(
        coach,
        "post",
        f"/clients/{mine.id}/appointments",
        json={
            "scheduled_at": when.isoformat(),
            "kind": "legal_court",
            "location": "Courthouse, room 4",
            "accompaniment_planned": True,
        },
    )
    assert response.status_code == 201
    out = response.get_json()
    assert set(out) == {
        "id",
        "client_id",
        "scheduled_at",
        "kind",
        "location",
        "resource_id",
        "accompaniment_planned",
        "outcome",
        "coach_accompanied",
        "notes",
        "version",
    }
    assert (out["scheduled_at"], out["outcome"], out["version"]) == (
        when.isoformat(),
        "scheduled",
        1,
    )
    too_soon = call(
        coach,
        "patch",
        f"/appointments/{out['id']}",
        json={"outcome": "attended", "coach_accompanied": True},
    )
    assert "outcome" in fields_of(too_soon)
    cancelled = call(
        coach, "patch", f"/appointments/{out['id']}", json={"outcome": "cancelled", "version": 1}
    )
    assert cancelled.status_code == 200
    assert (cancelled.get_json()["outcome"], cancelled.get_json()["version"]) == ("cancelled", 2)


def test_record_an_outcome_after_the_fact(db, call, coach, supervisor, mine):
    past = factories.appointment(mine, at=datetime(2026, 3, 3, 10, 0), accompaniment_planned=True)
    needs_answer = call(coach, "patch", f"/appointments/{past.id}", json={"outcome": "attended"})
    assert "coach_accompanied" in fields_of(needs_answer)
    response = call(
        coach,
        "patch",
        f"/appointments/{past.id}",
        json={"outcome": "attended", "coach_accompanied": True, "version": 1},
    )
    assert response.status_code == 200
    assert (response.get_json()["outcome"], response.get_json()["coach_accompanied"]) == (
        "attended",
        True,
    )
    stale = call(
        supervisor, "patch", f"/appointments/{past.id}", json={"outcome": "no_show", "version": 1}
    )
    assert stale.status_code == 409 and error_of(stale)["code"] == "conflict"
    db.session.expire_all()
    stored = db.session.get(Appointment, past.id)
    assert (stored.outcome, stored.coach_accompanied) == ("attended", True)
    assert stored.outcome_recorded_at is not None
    # The whole object sent back unchanged changes nothing.
    again = response.get_json()
    same = call(
        coach,
        "patch",
        f"/appointments/{past.id}",
        json={k: again[k] for k in ("outcome", "coach_accompanied", "kind", "version")},
    )
    assert same.status_code == 200 and same.get_json()["version"] == again["version"]
    # Once recorded, an outcome is corrected, never taken back to "scheduled".
    back = call(coach, "patch", f"/appointments/{past.id}", json={"outcome": "scheduled"})
    assert fields_of(back) == {"outcome": ["Choose what happened."]}


def test_create_an_appointment_that_already_happened(db, call, coach, mine):
    response = call(
        coach,
        "post",
        f"/clients/{mine.id}/appointments",
        json={
            "scheduled_at": "2026-03-17T14:00:00",
            "kind": "treatment",
            "outcome": "no_show",
        },
    )
    assert response.status_code == 201
    out = response.get_json()
    assert (out["outcome"], out["coach_accompanied"]) == ("no_show", None)
    future = (today_of(coach) + timedelta(days=3)).isoformat() + "T10:00:00"
    refused = call(
        coach,
        "post",
        f"/clients/{mine.id}/appointments",
        json={
            "scheduled_at": future,
            "kind": "treatment",
            "outcome": "attended",
            "coach_accompanied": False,
        },
    )
    assert "outcome" in fields_of(refused)
    assert count(db, Appointment) == 1


def test_an_offset_is_converted_to_the_programs_wall_clock(db, call, coach, mine):
    coach.program.timezone = "America/Chicago"
    db.session.commit()
    response = call(
        coach,
        "post",
        f"/clients/{mine.id}/appointments",
        json={"scheduled_at": "2026-03-03T15:00:00Z", "kind": "medical"},
    )
    assert response.get_json()["scheduled_at"] == "2026-03-03T09:00:00"
    naive = call(
        coach,
        "post",
        f"/clients/{mine.id}/appointments",
        json={"scheduled_at": "2026-03-03T15:00:00", "kind": "medical"},
    )
    assert naive.get_json()["scheduled_at"] == "2026-03-03T15:00:00"


def test_appointment_resources(db, call, coach, mine):
    usable = factories.resource(name="Clinic")
    inactive = factories.resource(name="Closed", active=False)
    elsewhere = factories.resource(name="Elsewhere", program_id=factories.program().id)
    ok = call(
        coach,
        "post",
        f"/clients/{mine.id}/appointments",
        json={"scheduled_at": "2026-03-03T10:00:00", "kind": "medical", "resource_id": usable.id},
    )
    assert ok.status_code == 201 and ok.get_json()["resource_id"] == usable.id
    for resource in (inactive, elsewhere):
        refused = call(
            coach,
            "post",
            f"/clients/{mine.id}/appointments",
            json={
                "scheduled_at": "2026-03-03T10:00:00",
                "kind": "medical",
                "resource_id": resource.id,
            },
        )
        assert "resource_id" in fields_of(refused)
    cleared = call(
        coach, "patch", f"/appointments/{ok.get_json()['id']}", json={"resource_id": None}
    )
    assert cleared.get_json()["resource_id"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scheduled_at": "2026-13-01T10:00:00"}, "scheduled_at"),
        ({"scheduled_at": "1850-01-01T10:00:00"}, "scheduled_at"),
        ({"scheduled_at": "2100-01-01T10:00:00"}, "scheduled_at"),
        ({"scheduled_at": None}, "scheduled_at"),
        ({"kind": "dentist"}, "kind"),
        ({"outcome": "maybe"}, "outcome"),
        ({"coach_accompanied": "perhaps"}, "coach_accompanied"),
        ({"accompaniment_planned": None}, "accompaniment_planned"),
        ({"location": "x" * 301}, "location"),
        ({"notes": "x" * 10_001}, "notes"),
        ({"resource_id": -1}, "resource_id"),
        ({"version": 0}, "version"),
        ({"version": "1"}, "version"),
        ({"client_id": 5}, "client_id"),
    ],
)
def test_appointment_patch_validation(db, call, coach, mine, body, field):
    appointment = factories.appointment(mine)
    response = call(coach, "patch", f"/appointments/{appointment.id}", json=body)
    assert field in fields_of(response)
    db.session.expire_all()
    stored = db.session.get(Appointment, appointment.id)
    assert (stored.version, stored.outcome, stored.kind) == (1, "scheduled", "medical")


def test_appointment_create_needs_when_and_kind(call, coach, mine):
    assert set(fields_of(call(coach, "post", f"/clients/{mine.id}/appointments", json={}))) == {
        "scheduled_at",
        "kind",
    }


# --- Referrals ---------------------------------------------------------------------------------


@pytest.fixture
def housing():
    return factories.resource(name="Safe Harbor", category="housing")


def test_refer_and_connect_later_with_history(db, call, coach, mine, housing):
    response = call(
        coach,
        "post",
        f"/clients/{mine.id}/referrals",
        json={"resource_id": housing.id, "referred_on": "2026-03-02", "notes": "Waitlist"},
    )
    assert response.status_code == 201
    out = response.get_json()
    assert set(out) == {
        "id",
        "client_id",
        "resource_id",
        "category",
        "referred_on",
        "status",
        "connected_on",
        "closed_on",
        "notes",
        "history",
        "version",
    }
    assert (out["category"], out["status"], out["history"]) == (
        "housing",
        "referred",
        [{"status": "referred", "on": "2026-03-02"}],
    )
    needs_date = call(coach, "patch", f"/referrals/{out['id']}", json={"status": "connected"})
    assert fields_of(needs_date) == {"connected_on": ["Give the date the client was connected."]}
    connected = call(
        coach,
        "patch",
        f"/referrals/{out['id']}",
        json={"status": "connected", "connected_on": "2026-03-12", "version": out["version"]},
    ).get_json()
    assert (connected["status"], connected["connected_on"], connected["closed_on"]) == (
        "connected",
        "2026-03-12",
        None,
    )
    assert connected["history"] == [
        {"status": "referred", "on": "2026-03-02"},
        {"status": "connected", "on": "2026-03-12"},
    ]
    assert connected["version"] > out["version"]
    stale = call(
        coach, "patch", f"/referrals/{out['id']}", json={"notes": "x", "version": out["version"]}
    )
    assert stale.status_code == 409
    listed = call(coach, "get", f"/clients/{mine.id}/referrals").get_json()["items"][0]
    assert listed == connected


def test_create_a_referral_connected_already(db, call, coach, mine, housing):
    response = call(
        coach,
        "post",
        f"/clients/{mine.id}/referrals",
        json={
            "resource_id": housing.id,
            "referred_on": "2026-03-21",
            "status": "connected",
            "connected_on": "2026-03-21",
        },
    )
    assert response.status_code == 201
    assert response.get_json()["history"] == [
        {"status": "referred", "on": "2026-03-21"},
        {"status": "connected", "on": "2026-03-21"},
    ]
    missing = call(
        coach,
        "post",
        f"/clients/{mine.id}/referrals",
        json={"resource_id": housing.id, "status": "connected"},
    )
    assert "connected_on" in fields_of(missing)
    before = call(
        coach,
        "post",
        f"/clients/{mine.id}/referrals",
        json={
            "resource_id": housing.id,
            "referred_on": "2026-03-21",
            "status": "connected",
            "connected_on": "2026-03-20",
        },
    )
    assert "connected_on" in fields_of(before)
    assert count(db, Referral) == 1


def test_declined_takes_closed_on_defaulting_to_today(db, call, coach, mine, housing):
    referral = factories.referral(mine, housing)
    response = call(coach, "patch", f"/referrals/{referral.id}", json={"status": "declined"})
    out = response.get_json()
    assert (out["status"], out["closed_on"]) == ("declined", today_of(coach).isoformat())
    created = call(
        coach,
        "post",
        f"/clients/{mine.id}/referrals",
        json={
            "resource_id": housing.id,
            "referred_on": "2026-03-10",
            "status": "not_connected",
            "closed_on": "2026-03-11",
        },
    ).get_json()
    assert (created["status"], created["closed_on"]) == ("not_connected", "2026-03-11")
    back = call(coach, "patch", f"/referrals/{referral.id}", json={"status": "referred"}).get_json()
    assert (back["status"], back["closed_on"], back["connected_on"]) == ("referred", None, None)
    assert [h["status"] for h in back["history"]] == ["referred", "declined", "referred"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"status": "connected", "connected_on": "2999-01-01"}, "connected_on"),
        ({"status": "declined", "closed_on": "2026-02-30"}, "closed_on"),
        ({"connected_on": "2026-03-05"}, "connected_on"),
        ({"status": "declined", "connected_on": "2026-03-05"}, "connected_on"),
        ({"status": "connected", "closed_on": "2026-03-05"}, "closed_on"),
        ({"status": "connected", "connected_on": "2026-03-01"}, "connected_on"),  # before referred
        ({"category": "food"}, "category"),
        ({"notes": "x" * 10_001}, "notes"),
        ({"notes": 12}, "notes"),
        ({"version": -3}, "version"),
    ],
)
def test_referral_patch_validation(db, call, coach, mine, housing, body, field):
    referral = factories.referral(mine, housing, referred_on=date(2026, 3, 2))
    response = call(coach, "patch", f"/referrals/{referral.id}", json=body)
    assert field in fields_of(response)
    db.session.expire_all()
    stored = db.session.get(Referral, referral.id)
    assert (stored.status, stored.version, len(stored.history)) == ("referred", 1, 1)


def test_a_future_connection_is_refused(db, call, coach, mine, housing):
    referral = factories.referral(mine, housing)
    tomorrow = (today_of(coach) + timedelta(days=1)).isoformat()
    response = call(
        coach,
        "patch",
        f"/referrals/{referral.id}",
        json={"status": "connected", "connected_on": tomorrow},
    )
    assert fields_of(response) == {"connected_on": ["This date is in the future."]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "resource_id"),
        ({"resource_id": "1"}, "resource_id"),
        ({"resource_id": 999_999}, "resource_id"),
        ({"resource_id": 1, "category": "housing"}, "category"),
        ({"resource_id": 1, "referred_on": "2999-12-31"}, "referred_on"),
        ({"resource_id": 1, "history": []}, "history"),
    ],
)
def test_referral_create_validation(db, call, coach, mine, body, field):
    factories.resource()
    response = call(coach, "post", f"/clients/{mine.id}/referrals", json=body)
    assert field in fields_of(response)
    assert count(db, Referral) == 0


def test_only_active_resources_of_the_program_are_referable(db, call, coach, mine):
    inactive = factories.resource(active=False)
    elsewhere = factories.resource(program_id=factories.program().id)
    own = factories.resource(program_id=coach.program_id, category="food")
    for resource in (inactive, elsewhere):
        response = call(
            coach, "post", f"/clients/{mine.id}/referrals", json={"resource_id": resource.id}
        )
        assert "resource_id" in fields_of(response)
    ok = call(coach, "post", f"/clients/{mine.id}/referrals", json={"resource_id": own.id})
    assert ok.get_json()["category"] == "food"
    assert ok.get_json()["referred_on"] == today_of(coach).isoformat()


# --- Goals -------------------------------------------------------------------------------------


def test_set_a_goal_and_close_it(db, call, coach, supervisor, mine):
    response = call(
        coach,
        "post",
        f"/clients/{mine.id}/goals",
        json={
            "domain": "employment",
            "description": "  A job with day shifts  ",
            "target_date": "2030-06-30",
        },
    )
    assert response.status_code == 201
    goal = response.get_json()
    assert set(goal) == {
        "id",
        "client_id",
        "domain",
        "description",
        "target_date",
        "status",
        "opened_on",
        "closed_on",
        "version",
    }
    assert (goal["status"], goal["opened_on"], goal["description"]) == (
        "active",
        today_of(coach).isoformat(),
        "A job with day shifts",
    )
    closed = call(coach, "patch", f"/goals/{goal['id']}", json={"status": "achieved", "version": 1})
    assert (closed.get_json()["status"], closed.get_json()["closed_on"]) == (
        "achieved",
        today_of(coach).isoformat(),
    )
    stale = call(
        supervisor, "patch", f"/goals/{goal['id']}", json={"description": "Other", "version": 1}
    )
    assert stale.status_code == 409
    db.session.expire_all()
    assert db.session.get(Goal, goal["id"]).description == "A job with day shifts"
    reopened = call(
        supervisor, "patch", f"/goals/{goal['id']}", json={"status": "active"}
    ).get_json()
    assert (reopened["status"], reopened["closed_on"]) == ("active", None)


def test_back_enter_an_achieved_goal(db, call, coach, mine):
    response = call(
        coach,
        "post",
        f"/clients/{mine.id}/goals",
        json={
            "domain": "housing",
            "description": "Keys",
            "opened_on": "2026-01-15",
            "status": "achieved",
            "closed_on": "2026-03-12",
        },
    )
    assert response.status_code == 201
    out = response.get_json()
    assert (out["opened_on"], out["status"], out["closed_on"]) == (
        "2026-01-15",
        "achieved",
        "2026-03-12",
    )
    moved = call(coach, "patch", f"/goals/{out['id']}", json={"closed_on": "2026-03-13"}).get_json()
    assert moved["closed_on"] == "2026-03-13"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"domain": "happiness"}, "domain"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"opened_on": "2999-01-01"}, "opened_on"),
        ({"target_date": "2010-01-01"}, "target_date"),  # before it opened
        ({"target_date": "2099-01-01"}, "target_date"),
        ({"status": "achieved", "closed_on": "2025-12-31"}, "closed_on"),  # before it opened
        ({"status": "discontinued", "closed_on": "2999-01-01"}, "closed_on"),
        ({"closed_on": "2026-03-01"}, "closed_on"),  # an active goal has none
        ({"status": "done"}, "status"),
        ({"version": 2**31}, "version"),
    ],
)
def test_goal_patch_validation(db, call, coach, mine, body, field):
    goal = factories.goal(mine, opened_on=date(2026, 1, 15))
    response = call(coach, "patch", f"/goals/{goal.id}", json=body)
    assert field in fields_of(response)
    db.session.expire_all()
    stored = db.session.get(Goal, goal.id)
    assert (stored.status, stored.version, stored.closed_on) == ("active", 1, None)


def test_a_future_closing_is_refused_by_the_service(db, call, coach, mine):
    goal = factories.goal(mine)
    tomorrow = (today_of(coach) + timedelta(days=1)).isoformat()
    response = call(
        coach, "patch", f"/goals/{goal.id}", json={"status": "achieved", "closed_on": tomorrow}
    )
    assert fields_of(response) == {"closed_on": ["This date is in the future."]}


# --- Assessments -------------------------------------------------------------------------------


def test_record_a_barc10_the_total_is_computed(db, call, coach, mine):
    items = [1, 2, 3, 4, 5, 6, 6, 5, 4, 3]
    response = call(
        coach,
        "post",
        f"/clients/{mine.id}/assessments",
        json={"administered_on": "2026-01-15", "items": items},
    )
    assert response.status_code == 201
    assert response.get_json() == {
        "id": response.get_json()["id"],
        "client_id": mine.id,
        "administered_on": "2026-01-15",
        "items": items,
        "total": 39,
    }
    default_day = call(coach, "post", f"/clients/{mine.id}/assessments", json={"items": [6] * 10})
    assert default_day.get_json()["administered_on"] == today_of(coach).isoformat()
    assert default_day.get_json()["total"] == 60


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"items": [4] * 9}, "items"),
        ({"items": [4] * 11}, "items"),
        ({"items": [4] * 9 + [7]}, "items"),
        ({"items": [0] + [4] * 9}, "items"),
        ({"items": ["4"] * 10}, "items"),
        ({"items": [4.5] + [4] * 9}, "items"),
        ({"items": None}, "items"),
        ({}, "items"),
        ({"items": [4] * 10, "total": 40}, "total"),
        ({"items": [4] * 10, "administered_on": "2999-01-01"}, "administered_on"),
        ({"items": [4] * 10, "administered_on": "2026-02-29"}, "administered_on"),
    ],
)
def test_assessment_validation(db, call, coach, mine, body, field):
    response = call(coach, "post", f"/clients/{mine.id}/assessments", json=body)
    assert field in fields_of(response)
    assert count(db, Assessment) == 0


def test_a_future_assessment_is_refused(db, call, coach, mine):
    tomorrow = (today_of(coach) + timedelta(days=1)).isoformat()
    response = call(
        coach,
        "post",
        f"/clients/{mine.id}/assessments",
        json={"items": [4] * 10, "administered_on": tomorrow},
    )
    assert fields_of(response) == {"administered_on": ["This date is in the future."]}


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


# --- Users -------------------------------------------------------------------------------------


def test_admin_opens_changes_and_deactivates_accounts(db, anon, call, admin, program, supervisor):
    response = call(
        admin,
        "post",
        "/users",
        json={
            "email": "New.Coach@Example.org",
            "name": "Nia Newcoach",
            "role": "coach",
            "program_id": program.id,
            "supervisor_id": supervisor.id,
            "password": "a long and unusual passphrase",
        },
    )
    assert response.status_code == 201
    out = response.get_json()
    assert set(out) == {"id", "email", "name", "role", "program_id", "supervisor_id", "active"}
    assert (out["email"], out["active"]) == ("new.coach@example.org", True)
    assert call(admin, "get", f"/users/{out['id']}").get_json() == out
    listing = call(admin, "get", "/users?per_page=200").get_json()
    assert out["id"] in [u["id"] for u in listing["items"]]
    assert listing["total"] == count(db, User)
    new_user = db.session.get(User, out["id"])
    token, _ = create_token(new_user, "t")
    db.session.commit()
    own = {"Authorization": f"Bearer {token}"}
    assert anon.get(f"{API}/me", headers=own).status_code == 200
    renamed = call(admin, "patch", f"/users/{out['id']}", json={"name": "Nia N."}).get_json()
    assert renamed["name"] == "Nia N."
    off = call(admin, "patch", f"/users/{out['id']}", json={"active": False}).get_json()
    assert off["active"] is False
    assert anon.get(f"{API}/me", headers=own).status_code == 401
    on = call(admin, "patch", f"/users/{out['id']}", json={"active": True}).get_json()
    assert on["active"] is True
    assert anon.get(f"{API}/me", headers=own).status_code == 401  # old tokens stay revoked


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"password": "short"}, "password"),
        ({"password": "password1234"}, "password"),
        ({"email": "casey@"}, "email"),
        ({"email": "TAKEN"}, "email"),
        ({"role": "superuser"}, "role"),
        ({"program_id": None}, "program_id"),
        ({"program_id": 999_999}, "program_id"),
        ({"supervisor_id": "COACH"}, "supervisor_id"),
        ({"name": " "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"team_id": 1}, "team_id"),
    ],
)
def test_user_create_validation(db, call, admin, program, coach, change, field):
    if change.get("email") == "TAKEN":
        change = {"email": coach.email.upper()}
    if change.get("supervisor_id") == "COACH":
        change = {"supervisor_id": coach.id}
    body = {
        "email": "someone@example.org",
        "name": "Some One",
        "role": "coach",
        "program_id": program.id,
        "password": "a long and unusual passphrase",
    } | change
    before = count(db, User)
    assert field in fields_of(call(admin, "post", "/users", json=body))
    assert count(db, User) == before


def test_user_patch_rules(db, call, admin, coach, supervisor, mine):
    assert "active" in fields_of(call(admin, "patch", f"/users/{admin.id}", json={"active": False}))
    assert "role" in fields_of(call(admin, "patch", f"/users/{admin.id}", json={"role": "coach"}))
    # A coach with active clients is not moved before the caseload is reassigned.
    assert "role" in fields_of(
        call(
            admin, "patch", f"/users/{coach.id}", json={"role": "supervisor", "supervisor_id": None}
        )
    )
    assert "supervisor_id" in fields_of(
        call(admin, "patch", f"/users/{supervisor.id}", json={"supervisor_id": supervisor.id})
    )
    assert "email" in fields_of(
        call(admin, "patch", f"/users/{coach.id}", json={"email": "x@y.org"})
    )
    assert call(admin, "get", "/users/999999").status_code == 404
    assert call(admin, "patch", "/users/999999", json={}).status_code == 404
    db.session.expire_all()
    assert db.session.get(User, coach.id).role == "coach"


# --- Reports -----------------------------------------------------------------------------------

HEADLINE = {
    "clients",
    "sessions",
    "time_to_first_contact_days",
    "appointments",
    "referrals",
    "retention",
    "goals",
    "recovery_capital",
    "supervision",
}
MARCH = "start=2026-03-01&end=2026-03-31"


def test_each_role_reports_on_its_own_scope(
    db, call, program, coach, supervisor, program_manager, admin, other_coach, mine, theirs
):
    factories.session(mine, on=date(2026, 3, 2))
    factories.session(theirs, on=date(2026, 3, 2))
    expected = {
        coach: ({"program_id": program.id, "coach_id": coach.id, "supervisor_id": None}, 1),
        supervisor: (
            {"program_id": program.id, "coach_id": None, "supervisor_id": supervisor.id},
            1,
        ),
        program_manager: ({"program_id": program.id, "coach_id": None, "supervisor_id": None}, 2),
    }
    for user, (scope, completed) in expected.items():
        response = call(user, "get", f"/reports/outcomes?{MARCH}")
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert set(body) == HEADLINE | {"period", "scope", "by_coach", "by_month"}
        assert body["scope"] == scope
        assert body["period"] == {"start": "2026-03-01", "end": "2026-03-31"}
        assert body["sessions"]["completed"] == completed
    admin_view = call(admin, "get", f"/reports/outcomes?{MARCH}&program_id={program.id}").get_json()
    assert admin_view["sessions"]["completed"] == 2
    narrowed = call(program_manager, "get", f"/reports/outcomes?{MARCH}&coach_id={other_coach.id}")
    assert narrowed.get_json()["scope"]["coach_id"] == other_coach.id


def test_scopes_outside_reach_are_404(
    db, call, program, coach, supervisor, program_manager, admin, other_coach, other_supervisor
):
    elsewhere = factories.program()
    outside = [
        (coach, f"&coach_id={other_coach.id}"),
        (coach, f"&supervisor_id={supervisor.id}"),
        (coach, f"&program_id={elsewhere.id}"),
        (supervisor, f"&coach_id={other_coach.id}"),
        (supervisor, f"&supervisor_id={other_supervisor.id}"),
        (program_manager, f"&program_id={elsewhere.id}"),
        (program_manager, "&coach_id=999999"),
        (admin, "&program_id=999999"),
    ]
    for user, extra in outside:
        response = call(user, "get", f"/reports/outcomes?{MARCH}{extra}")
        assert response.status_code == 404, (user.role, extra)
        assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2026-03-01", "end"),
        ("end=2026-03-31", "start"),
        ("start=2026-03-31&end=2026-03-01", "end"),
        ("start=2020-01-01&end=2025-12-31", "end"),
        ("start=1800-01-01&end=1800-12-31", "start"),
        (f"{MARCH}&coach_id=0", "coach_id"),
        (f"{MARCH}&program_id=99999999999", "program_id"),
        (f"{MARCH}&format=csv", "format"),
    ],
)
def test_report_arguments_validation(call, program_manager, query, field):
    assert field in fields_of(call(program_manager, "get", f"/reports/outcomes?{query}"))


@pytest.mark.parametrize(
    ("query", "field"),
    [("start=2026-02-30&end=2026-03-31", "start"), (f"{MARCH}&coach_id=abc", "coach_id")],
)
def test_report_arguments_of_the_wrong_type_are_400(call, program_manager, query, field):
    """Not a date, not a number: api.md's 400, with the parameter named."""
    response = call(program_manager, "get", f"/reports/outcomes?{query}")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "bad_request" and field in error["fields"]


def test_an_admin_names_the_program(call, admin):
    assert "program_id" in fields_of(call(admin, "get", f"/reports/outcomes?{MARCH}"))


# --- End to end, from api.md alone: metrics.md's worked example through the API ----------------


def test_a_client_of_the_api_loads_a_caseload_and_reads_the_report(app, anon, admin):
    """Written from api.md's text only: set up a program and its staff, load the worked
    example of metrics.md as a coach and a supervisor would, read the report as the program
    manager and check every figure of the example's table by hand."""

    def token_for(email: str) -> dict:
        result = app.test_cli_runner().invoke(args=["tokens", "create", email])
        assert result.exit_code == 0, result.output
        return {"Authorization": f"Bearer {result.output.strip()}"}

    def api(headers: dict, method: str, path: str, body=None, status=200) -> dict:
        response = getattr(anon, method)(API + path, headers=headers, json=body)
        assert response.status_code == status, (path, response.get_json())
        return response.get_json()

    as_admin = token_for(admin.email)
    program = api(as_admin, "post", "/programs", {"name": "Worked example", "timezone": "UTC"}, 201)
    password = "worked example passphrase"

    def staff(email, role, **extra):
        body = {
            "email": email,
            "name": email.split("@")[0].title(),
            "role": role,
            "program_id": program["id"],
            "password": password,
        } | extra
        return api(as_admin, "post", "/users", body, 201)

    sup = staff("sam@example.org", "supervisor")
    coach = staff("casey@example.org", "coach", supervisor_id=sup["id"])
    staff("pat@example.org", "program_manager")
    as_coach, as_sup, as_pm = (
        token_for(e) for e in ("casey@example.org", "sam@example.org", "pat@example.org")
    )
    housing = api(as_admin, "post", "/resources", {"name": "Harbor", "category": "housing"}, 201)
    jobs = api(as_admin, "post", "/resources", {"name": "Jobs", "category": "employment"}, 201)
    meeting = api(
        as_admin,
        "post",
        "/resources",
        {"name": "Tuesday group", "category": "recovery_support"},
        201,
    )

    def client(name: str, intake: str) -> int:
        body = {"first_name": name, "last_name": "Example", "intake_date": intake}
        return api(as_coach, "post", "/clients", body, 201)["id"]

    def session(cid, day, outcome, minutes):
        api(
            as_coach,
            "post",
            f"/clients/{cid}/sessions",
            {
                "date": day,
                "duration_minutes": minutes,
                "modality": "in_person",
                "kind": "coaching",
                "outcome": outcome,
            },
            201,
        )

    def appointment(cid, day, planned, **outcome):
        body = {
            "scheduled_at": f"{day}T10:00:00",
            "kind": "medical",
            "accompaniment_planned": planned,
        } | outcome
        return api(as_coach, "post", f"/clients/{cid}/appointments", body, 201)

    def referral(cid, resource, day, **extra):
        body = {"resource_id": resource["id"], "referred_on": day} | extra
        return api(as_coach, "post", f"/clients/{cid}/referrals", body, 201)

    def barc(cid, day, answer):
        body = {"administered_on": day, "items": [answer] * 10}
        assert (
            api(as_coach, "post", f"/clients/{cid}/assessments", body, 201)["total"] == 10 * answer
        )

    # C-1
    c1 = client("One", "2026-01-10")
    session(c1, "2026-03-01", "completed", 45)
    session(c1, "2026-03-31", "attempted", 5)
    appointment(c1, "2026-03-03", True, outcome="attended", coach_accompanied=True)
    later = appointment(c1, "2026-03-17", False)  # its outcome recorded afterwards
    api(
        as_coach,
        "patch",
        f"/appointments/{later['id']}",
        {"outcome": "no_show", "version": later["version"]},
    )
    c1_housing = referral(c1, housing, "2026-03-02")
    connected = api(
        as_coach,
        "patch",
        f"/referrals/{c1_housing['id']}",
        {"status": "connected", "connected_on": "2026-03-12", "version": c1_housing["version"]},
    )
    assert [h["status"] for h in connected["history"]] == ["referred", "connected"]
    goal = api(
        as_coach,
        "post",
        f"/clients/{c1}/goals",
        {"domain": "housing", "description": "Own place", "opened_on": "2026-01-15"},
        201,
    )
    api(
        as_coach,
        "patch",
        f"/goals/{goal['id']}",
        {"status": "achieved", "closed_on": "2026-03-12", "version": goal["version"]},
    )
    barc(c1, "2026-01-15", 3)
    barc(c1, "2026-03-03", 4)
    # C-2
    c2 = client("Two", "2026-03-05")
    session(c2, "2026-03-09", "completed", 60)
    session(c2, "2026-03-16", "completed", 30)
    appointment(c2, "2026-03-12", False, outcome="attended", coach_accompanied=False)
    appointment(c2, "2026-03-26", True)
    c2_jobs = referral(c2, jobs, "2026-03-10")
    api(
        as_coach,
        "patch",
        f"/referrals/{c2_jobs['id']}",
        {"status": "connected", "connected_on": "2026-04-02"},
    )
    c2_housing = referral(c2, housing, "2026-03-10")
    api(
        as_coach,
        "patch",
        f"/referrals/{c2_housing['id']}",
        {"status": "declined", "closed_on": "2026-03-11"},
    )
    api(
        as_coach,
        "post",
        f"/clients/{c2}/goals",
        {"domain": "employment", "description": "Work", "opened_on": "2026-03-09"},
        201,
    )
    barc(c2, "2026-03-09", 5)
    # C-3
    c3 = client("Three", "2025-12-01")
    session(c3, "2026-02-20", "completed", 30)
    api(
        as_coach,
        "post",
        f"/clients/{c3}/discharge",
        {"discharge_date": "2026-03-01", "discharge_reason": "completed"},
    )
    # C-4: two episodes
    c4 = client("Four", "2026-01-02")
    api(
        as_coach,
        "post",
        f"/clients/{c4}/discharge",
        {"discharge_date": "2026-02-15", "discharge_reason": "disengaged"},
    )
    api(as_coach, "post", f"/clients/{c4}/reenroll", {"intake_date": "2026-03-20"})
    session(c4, "2026-03-25", "attempted", 10)
    appointment(c4, "2026-03-27", False, outcome="cancelled")
    referral(c4, meeting, "2026-03-21", status="connected", connected_on="2026-03-21")
    # Supervision
    api(
        as_sup,
        "post",
        "/supervision-notes",
        {
            "date": "2026-03-04",
            "duration_minutes": 60,
            "format": "individual",
            "coach_ids": [coach["id"]],
        },
        201,
    )

    report = api(as_pm, "get", "/reports/outcomes?start=2026-03-01&end=2026-03-31")

    assert report["period"] == {"start": "2026-03-01", "end": "2026-03-31"}
    assert report["scope"]["program_id"] == program["id"]
    assert report["clients"] == {
        "enrolled": 4,
        "new_intakes": 2,
        "engaged": 2,
        "engagement_rate": 0.5,
    }
    assert report["sessions"] == {
        "completed": 3,
        "attempted": 2,
        "minutes": 135,
        "per_enrolled_client": 0.75,
    }
    assert report["time_to_first_contact_days"] == {"median": 4, "n": 1}
    assert report["appointments"] == {
        "total": 5,
        "attended": 2,
        "no_show": 1,
        "cancelled": 1,
        "rescheduled": 0,
        "pending": 1,
        "no_show_rate": 0.3333,
        "no_show_rate_accompanied": 0.0,
        "no_show_rate_unaccompanied": 0.5,
        "accompanied": 1,
    }
    referrals = report["referrals"]
    assert {k: referrals[k] for k in ("made", "linked", "linkage_rate", "median_days_to_link")} == {
        "made": 4,
        "linked": 2,
        "linkage_rate": 0.5,
        "median_days_to_link": 5.0,
    }
    by_category = referrals["by_category"]
    assert by_category["housing"] == {"made": 2, "linked": 1, "linkage_rate": 0.5}
    assert by_category["employment"] == {"made": 1, "linked": 0, "linkage_rate": 0.0}
    assert by_category["recovery_support"] == {"made": 1, "linked": 1, "linkage_rate": 1.0}
    others = set(by_category) - {"housing", "employment", "recovery_support"}
    assert len(others) == 9
    assert all(by_category[c] == {"made": 0, "linked": 0, "linkage_rate": None} for c in others)
    assert report["retention"] == {
        n: {"eligible": 0, "retained": 0, "rate": None} for n in ("30", "60", "90")
    }
    assert report["goals"] == {
        "opened": 1,
        "achieved": 1,
        "discontinued": 0,
        "achievement_rate": 1.0,
    }
    assert report["recovery_capital"] == {
        "clients_with_two_or_more": 1,
        "mean_change": 10,
        "improved": 1,
        "mean_latest": 45,
    }
    assert report["supervision"] == {
        "coaches": 1,
        "coaches_supervised": 1,
        "coverage": 1.0,
        "minutes": 60,
    }
    assert [row["coach_id"] for row in report["by_coach"]] == [coach["id"]]
    assert report["by_coach"][0]["clients"]["enrolled"] == 4
    assert len(report["by_month"]) == 1
    march = report["by_month"][0]
    assert (march["engaged"], march["enrolled"], march["no_show"], march["referrals_linked"]) == (
        2,
        4,
        1,
        2,
    )
    # The coach reads back the caseload's history, newest first.
    sessions = api(as_coach, "get", f"/clients/{c1}/sessions")
    assert [s["date"] for s in sessions["items"]] == ["2026-03-31", "2026-03-01"]
    # The program manager reads aggregates, never a client record.
    assert anon.get(f"{API}/clients/{c1}/sessions", headers=as_pm).status_code == 404
