"""JSON API v1: billable sessions, signing, co-signature and addenda (api.md): computed minutes,
422 with field messages for bad times and billing input (never a 500), 409 for any change of
a signed session and for addenda to an unsigned one, who may sign and co-sign."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coachapp.models import CoachingSession, SessionAddendum
from tests import factories
from tests.api.helpers import GOOD_BODIES, error_of, fields_of

BILLABLE = {"start_time": "10:05", "end_time": "10:50", "place_of_service": "10", "billable": True}


@pytest.fixture
def plan_goal(mine):
    """A goal of ``mine``'s recovery plan, signed by both on 2026-01-20."""
    goal = factories.goal(mine)
    factories.signed_plan(mine, [goal])
    return goal


def test_times_compute_the_minutes(db, call, coach, mine, plan_goal):
    response = call(
        coach,
        "post",
        f"/clients/{mine.id}/sessions",
        json=GOOD_BODIES["sessions"]
        | BILLABLE
        | {"duration_minutes": 5, "goal_ids": [plan_goal.id]},
    )
    assert response.status_code == 201, response.get_json()
    out = response.get_json()
    assert (out["start_time"], out["end_time"], out["duration_minutes"]) == ("10:05", "10:50", 45)
    assert (out["place_of_service"], out["billable"], out["signed_at"]) == ("10", True, None)
    assert out["addenda"] == []
    without_minutes = {k: v for k, v in GOOD_BODIES["sessions"].items() if k != "duration_minutes"}
    made = call(
        coach,
        "post",
        f"/clients/{mine.id}/sessions",
        json=without_minutes | {"start_time": "09:00", "end_time": "09:20"},
    )
    assert made.status_code == 201 and made.get_json()["duration_minutes"] == 20


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start_time": "25:99", "end_time": "26:00"}, "start_time"),
        ({"start_time": "", "end_time": "10:00"}, "start_time"),
        ({"start_time": 12, "end_time": "10:00"}, "start_time"),
        ({"start_time": "9:00", "end_time": "10:00"}, "start_time"),
        ({"start_time": None}, "start_time"),
        ({"start_time": "11:00", "end_time": "10:00"}, "end_time"),
        ({"end_time": "10:00:00"}, "end_time"),
        ({"place_of_service": "77"}, "place_of_service"),
        ({"place_of_service": None}, "place_of_service"),
        ({"place_of_service": 12}, "place_of_service"),
        ({"billable": None}, "billable"),
        ({"billable": "yes please"}, "billable"),
        ({"outcome": "attempted"}, "billable"),
        ({"kind": "group"}, "group_size"),
        ({"kind": "group", "group_size": 1}, "group_size"),
        ({"kind": "group", "group_size": "4"}, "group_size"),
        ({"group_size": 4}, "group_size"),
        ({"signed_at": "2026-03-01T10:00:00"}, "signed_at"),
        ({"addenda": []}, "addenda"),
    ],
)
def test_bad_billing_input_is_422_naming_the_field(db, call, coach, mine, change, field):
    body = GOOD_BODIES["sessions"] | BILLABLE | change
    response = call(coach, "post", f"/clients/{mine.id}/sessions", json=body)
    assert response.status_code == 422, response.get_json()
    assert field in fields_of(response)
    assert db.session.scalar(select(CoachingSession)) is None


def test_patch_then_sign_then_409(db, call, coach, mine, plan_goal):
    coach.credential = "CRPS"
    session = factories.session(mine, note="Talked about the lease.")
    body = BILLABLE | {"version": 1, "goal_ids": [plan_goal.id]}
    patched = call(coach, "patch", f"/sessions/{session.id}", json=body)
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["duration_minutes"] == 45
    stale = call(coach, "patch", f"/sessions/{session.id}", json={"note": "x", "version": 1})
    assert stale.status_code == 409
    bad = call(coach, "patch", f"/sessions/{session.id}", json={"end_time": "09:00"})
    assert "end_time" in fields_of(bad)

    signed = call(coach, "post", f"/sessions/{session.id}/sign", json={})
    assert signed.status_code == 200, signed.get_json()
    assert signed.get_json()["signed_at"] is not None
    db.session.refresh(session)
    assert (session.signed_by_id, session.signed_credential) == (coach.id, "CRPS")

    refused = call(coach, "patch", f"/sessions/{session.id}", json={"note": "rewritten"})
    assert refused.status_code == 409
    assert "signed and read-only" in error_of(refused)["message"]
    assert call(coach, "post", f"/sessions/{session.id}/sign", json={}).status_code == 409
    db.session.expire_all()
    assert db.session.get(CoachingSession, session.id).note == "Talked about the lease."


def test_only_the_coach_signs(db, call, coach, supervisor, other_coach, mine):
    session = factories.session(mine, note="Phone check-in.")
    assert call(supervisor, "post", f"/sessions/{session.id}/sign", json={}).status_code == 403
    assert call(other_coach, "post", f"/sessions/{session.id}/sign", json={}).status_code == 404
    unknown = call(coach, "post", f"/sessions/{session.id}/sign", json={"when": "now"})
    assert "when" in fields_of(unknown)
    empty = factories.session(mine)
    assert "note" in fields_of(call(coach, "post", f"/sessions/{empty.id}/sign", json={}))


def test_addenda(db, call, coach, supervisor, mine):
    session = factories.session(mine, note="Phone check-in.")
    url = f"/sessions/{session.id}/addenda"
    body = {"text": "Also called the landlord.", "reason": "Left out"}
    assert call(coach, "post", url, json=body).status_code == 409  # not signed: edit it
    call(coach, "post", f"/sessions/{session.id}/sign", json={})
    assert set(fields_of(call(coach, "post", url, json={}))) == {"text", "reason"}
    assert "reason" in fields_of(call(coach, "post", url, json={"text": "x", "reason": "  "}))
    assert "text" in fields_of(call(coach, "post", url, json={"text": None, "reason": "y"}))
    added = call(coach, "post", url, json=body)
    assert added.status_code == 201, added.get_json()
    (entry,) = added.get_json()["addenda"]
    assert (entry["text"], entry["reason"], entry["by"]) == (body["text"], "Left out", coach.id)
    assert entry["at"]
    by_supervisor = call(supervisor, "post", url, json={"text": "Seen.", "reason": "Review"})
    assert by_supervisor.status_code == 201
    listed = call(coach, "get", f"/clients/{mine.id}/sessions").get_json()["items"][0]
    assert [a["by"] for a in listed["addenda"]] == [coach.id, supervisor.id]
    assert listed["note"] == "Phone check-in."
    assert len(db.session.scalars(select(SessionAddendum)).all()) == 2


def test_cosign(db, call, coach, supervisor, other_supervisor, mine):
    session = factories.session(mine, note="Phone check-in.")
    url = f"/sessions/{session.id}/cosign"
    assert call(supervisor, "post", url, json={}).status_code == 409  # not signed yet
    call(coach, "post", f"/sessions/{session.id}/sign", json={})
    assert call(coach, "post", url, json={}).status_code == 403
    assert call(other_supervisor, "post", url, json={}).status_code == 404
    done = call(supervisor, "post", url, json={})
    assert done.status_code == 200 and done.get_json()["cosigned_at"] is not None
    assert "session" in fields_of(call(supervisor, "post", url, json={}))  # once only


def test_a_patched_time_recomputes_the_minutes_with_the_stored_one(db, call, coach, mine):
    session = factories.session(mine, note="Walk and talk.")
    first = call(coach, "patch", f"/sessions/{session.id}", json={"start_time": "14:00"})
    assert first.status_code == 200 and first.get_json()["duration_minutes"] == 45  # as stored
    second = call(coach, "patch", f"/sessions/{session.id}", json={"end_time": "14:20"})
    assert second.status_code == 200 and second.get_json()["duration_minutes"] == 20
    # A non-billable contact with both times cleared takes its minutes by hand again.
    cleared = call(
        coach,
        "patch",
        f"/sessions/{session.id}",
        json={"start_time": None, "end_time": None, "duration_minutes": 30},
    )
    assert cleared.status_code == 200 and cleared.get_json()["duration_minutes"] == 30
