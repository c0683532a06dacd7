"""JSON API v1: referrals, goals and BARC-10 assessments, for each role inside and outside the
access rule; 422 with ``fields`` for bad bodies, 409 for stale versions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from coachapp.models import (
    Assessment,
    Goal,
    Referral,
)
from tests import factories
from tests.api.helpers import fields_of
from tests.helpers import count, today_of

# --- Referrals ---------------------------------------------------------------------------------


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
