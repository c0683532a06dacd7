"""JSON API v1: sessions and appointments, for each role inside and outside the access rule;
422 with ``fields`` for bad bodies, 409 for stale versions, back-entry."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from coachapp.models import (
    Appointment,
    AuditEvent,
    CoachingSession,
)
from tests import factories
from tests.api.helpers import API, GOOD_BODIES, error_of, fields_of
from tests.helpers import count, today_of

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
        "start_time",
        "end_time",
        "place_of_service",
        "billable",
        "group_size",
        "signed_at",
        "cosigned_at",
        "addenda",
        "version",
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
    event_row = db.session.scalar(  # the first session's event: the one logged with a note
        select(AuditEvent)
        .where(AuditEvent.entity_type == "session", AuditEvent.action == "create")
        .order_by(AuditEvent.id)
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
