"""The client profile for funders (issue 19): demographics and the dated housing and employment
history. The services' rules, the status at intake, the pages (forms keep what was typed, 422s,
a stale version), the access rule, the API, and an audit trail of field names only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coachapp import records
from coachapp.extensions import db as _db
from coachapp.models import AuditEvent, Enrollment
from coachapp.profiles import services
from coachapp.profiles.services import ProfileRuleError
from tests.profiles.helpers import add, today

# --- Services: the rules of a status change ------------------------------------------------------


def test_a_future_date_is_refused(db, coach, client_):
    with pytest.raises(ProfileRuleError) as caught:
        services.record_status(
            client_, "housing", "emergency_shelter", today(client_) + timedelta(days=1), actor=coach
        )
    assert caught.value.errors == {"as_of": "This date is in the future."}


def test_a_date_before_the_first_intake_is_refused(db, coach, client_):
    first = client_.enrollments[0].intake_date
    with pytest.raises(ProfileRuleError) as caught:
        services.record_status(
            client_, "employment", "part_time", first - timedelta(days=1), actor=coach
        )
    assert caught.value.errors == {
        "as_of": f"This date is before the client's first intake ({first.isoformat()})."
    }
    # The first intake day itself is fine.
    assert services.record_status(client_, "employment", "part_time", first, actor=coach).id


def test_the_status_already_in_force_on_that_date_is_refused(db, coach, client_):
    start = client_.enrollments[0].intake_date
    add(client_, "housing", "emergency_shelter", start, actor=coach)
    with pytest.raises(ProfileRuleError) as caught:
        services.check_status(client_, "housing", "emergency_shelter", start + timedelta(days=10))
    assert caught.value.errors == {
        "status": f"This is already their housing status on that date (since {start.isoformat()})."
    }
    # Another status then is a change; the same one again after it is a change back.
    add(client_, "housing", "rental_no_subsidy", start + timedelta(days=10), actor=coach)
    add(client_, "housing", "emergency_shelter", start + timedelta(days=20), actor=coach)
    assert [r.status for r in services.history(client_, "housing")] == [
        "emergency_shelter",
        "rental_no_subsidy",
        "emergency_shelter",
    ]


def test_a_second_status_on_the_same_day_is_refused(db, coach, client_):
    start = client_.enrollments[0].intake_date
    add(client_, "employment", "unemployed_looking", start, actor=coach)
    with pytest.raises(ProfileRuleError) as caught:
        services.check_status(client_, "employment", "full_time", start)
    assert set(caught.value.errors) == {"as_of"}


def test_every_problem_is_named_at_once_and_a_wrong_value_too(db, client_):
    with pytest.raises(ProfileRuleError) as caught:
        services.check_status(client_, "housing", "full_time", None)
    assert set(caught.value.errors) == {"status", "as_of"}
    with pytest.raises(ProfileRuleError) as caught:
        services.check_status(client_, "pets", "cat", today(client_))
    assert set(caught.value.errors) == {"kind"}


def test_archive_needs_a_reason_and_the_row_leaves_the_history(db, coach, client_):
    start = client_.enrollments[0].intake_date
    row = add(client_, "housing", "jail_prison", start, actor=coach)
    with pytest.raises(ProfileRuleError) as caught:
        services.archive_status(row, "  ", actor=coach)
    assert caught.value.errors == {"reason": "Give a reason."}
    services.archive_status(row, "Wrong client", actor=coach)
    _db.session.commit()
    assert row.archived_at is not None and row.archive_reason == "Wrong client"
    assert services.history(client_, "housing") == []
    assert services.current_status(client_, "housing") is None
    # Archived, the day is free again (the mistake no longer counts).
    assert add(client_, "housing", "emergency_shelter", start, actor=coach).id


# --- The status at intake ------------------------------------------------------------------------


def test_status_at_intake_is_the_latest_on_or_before_the_intake(db, coach, client_):
    intake = client_.enrollments[0].intake_date
    add(client_, "housing", "emergency_shelter", intake, actor=coach)
    add(client_, "housing", "rental_with_subsidy", intake + timedelta(days=5), actor=coach)
    assert services.status_at_intake(client_, "housing").status == "emergency_shelter"
    assert services.current_status(client_, "housing").status == "rental_with_subsidy"


def test_status_at_intake_falls_back_to_the_first_within_30_days_after(db, coach, client_):
    intake = client_.enrollments[0].intake_date
    add(client_, "employment", "unemployed_looking", intake + timedelta(days=12), actor=coach)
    add(client_, "employment", "part_time", intake + timedelta(days=25), actor=coach)
    assert services.status_at_intake(client_, "employment").status == "unemployed_looking"


def test_status_at_intake_edges_of_the_window(db, coach, client_):
    intake = client_.enrollments[0].intake_date
    row = add(client_, "employment", "full_time", intake + timedelta(days=30), actor=coach)
    assert services.status_at_intake(client_, "employment").id == row.id  # day 30: inside
    services.archive_status(row, "Mistake", actor=coach)
    add(client_, "employment", "full_time", intake + timedelta(days=31), actor=coach)
    assert services.status_at_intake(client_, "employment") is None  # day 31: outside
    assert services.status_at_intake(client_, "housing") is None  # nothing recorded


def test_status_at_intake_is_of_the_latest_episode(db, coach, client_):
    first = client_.enrollments[0].intake_date
    add(client_, "housing", "place_not_meant_for_habitation", first, actor=coach)
    add(client_, "housing", "rental_no_subsidy", first + timedelta(days=20), actor=coach)
    second = first + timedelta(days=60)
    _db.session.add(Enrollment(client_id=client_.id, intake_date=second))
    _db.session.commit()
    _db.session.refresh(client_)
    # On or before the second intake: the rental (dated before it) is what they came back with.
    assert services.status_at_intake(client_, "housing").status == "rental_no_subsidy"
    summary = services.summaries(client_)["housing"]
    assert summary.at_intake.status == "rental_no_subsidy"


# --- Demographics --------------------------------------------------------------------------------


def test_update_profile_checks_the_version_and_audits_field_names_only(db, coach, client_):
    assert services.get_profile(client_) is None
    changed = services.update_profile(
        client_,
        {"gender_identity": "woman", "veteran_status": "declined", "insurance": None},
        actor=coach,
        expected_version=0,
    )
    _db.session.commit()
    assert changed == ["gender_identity", "veteran_status"]
    profile = services.get_profile(client_)
    assert (profile.version, profile.gender_identity, profile.insurance) == (1, "woman", None)
    with pytest.raises(records.StaleRecordError):
        services.update_profile(client_, {"insurance": "medicaid"}, actor=coach, expected_version=0)
    _db.session.rollback()
    services.update_profile(client_, {"insurance": "medicaid"}, actor=coach, expected_version=1)
    _db.session.commit()
    events = _db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "client_profile").order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.fields) for e in events] == [
        ("create", "gender_identity,veteran_status"),
        ("update", "insurance"),
    ]
    for event in events:
        assert "woman" not in (event.detail or "") and "medicaid" not in (event.detail or "")


def test_a_value_outside_the_list_is_refused(db, coach, client_):
    with pytest.raises(ProfileRuleError) as caught:
        services.update_profile(
            client_, {"gender_identity": "robot"}, actor=coach, expected_version=None
        )
    assert set(caught.value.errors) == {"gender_identity"}


def test_age_band():
    assert services.age_band(date(2000, 6, 2), date(2024, 6, 1)) == "18–24"
    assert services.age_band(date(2000, 6, 2), date(2025, 6, 2)) == "25–34"
    assert services.age_band(date(2010, 1, 1), date(2025, 1, 1)) == "Under 18"
    assert services.age_band(date(1950, 1, 1), date(2025, 1, 1)) == "65 and over"
    assert services.age_band(None, date(2025, 1, 1)) is None


def test_status_audit_events_carry_field_names_only(db, coach, client_):
    row = add(client_, "housing", "safe_haven", client_.enrollments[0].intake_date, actor=coach)
    services.archive_status(row, "Entered for the wrong client", actor=coach)
    _db.session.commit()
    events = _db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "client_status_record")
    ).all()
    assert sorted((e.action, e.fields) for e in events) == [
        ("archive", "archive_reason,archived_at"),
        ("create", "as_of,kind,status"),
    ]
    for event in events:
        assert "safe_haven" not in f"{event.fields} {event.detail}"
        assert "wrong client" not in f"{event.fields} {event.detail}"
