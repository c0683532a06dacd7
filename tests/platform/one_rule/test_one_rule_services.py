"""Each business rule is written once, in its feature's services: the rules at the service level."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from coachapp import records, timeutil
from coachapp.appointments import services as appointment_services
from coachapp.assessments import services as assessment_services
from coachapp.clients import services as client_services
from coachapp.goals import services as goal_services
from coachapp.models import (
    Appointment,
    Assessment,
    Client,
    CoachingSession,
    Referral,
    Resource,
)
from coachapp.referrals import services as referral_services
from coachapp.resources import services as resource_services
from coachapp.sessions import services as session_services
from tests import factories
from tests.helpers import count
from tests.platform.one_rule.helpers import FUTURE

# --- The rules at the service level ------------------------------------------------------------


def test_a_rule_error_names_one_field_or_several():
    one = records.RuleError("date", FUTURE)
    assert (one.field, one.message, one.errors, str(one)) == (
        "date",
        FUTURE,
        {"date": FUTURE},
        FUTURE,
    )
    several = records.RuleError({"date": FUTURE, "duration_minutes": "Too long."})
    assert (several.field, several.message) == ("date", FUTURE)
    assert several.errors == {"date": FUTURE, "duration_minutes": "Too long."}
    with pytest.raises(ValueError):
        records.RuleError({})


def test_client_dates_at_the_service_level(db, program, coach):
    today = timeutil.local_today(program)
    later = today + timedelta(days=1)
    with pytest.raises(client_services.ClientRuleError) as refused:
        client_services.check_dates(
            {"date_of_birth": later, "consent_date": later, "intake_date": today},
            program=program,
        )
    assert refused.value.errors == {"date_of_birth": FUTURE, "consent_date": FUTURE}
    client_services.check_dates({"date_of_birth": today, "discharge_date": None}, program=program)

    details = dict.fromkeys(client_services.DETAIL_FIELDS) | {"first_name": "A", "last_name": "B"}
    with pytest.raises(client_services.ClientRuleError) as refused:
        client_services.create_client(details, coach=coach, intake_date=later, actor=coach)
    assert refused.value.errors == {"intake_date": FUTURE}
    db.session.rollback()
    assert count(db, Client) == 0

    person = factories.client(coach, intake_date=date(2026, 1, 5))
    with pytest.raises(client_services.ClientRuleError) as refused:
        client_services.discharge(
            person, on=later, reason="moved", note=None, version=None, actor=coach
        )
    assert refused.value.errors == {"discharge_date": FUTURE}
    with pytest.raises(client_services.ClientRuleError) as refused:
        client_services.update_client(person, {"date_of_birth": later}, version=None, actor=coach)
    assert refused.value.errors == {"date_of_birth": FUTURE}
    db.session.rollback()
    client_services.discharge(
        person, on=today, reason="moved", note=None, version=None, actor=coach
    )
    with pytest.raises(client_services.ClientRuleError) as refused:
        client_services.reenroll(person, on=later, version=None, actor=coach)
    assert refused.value.errors == {"intake_date": FUTURE}


def test_an_edit_is_refused_for_the_dates_it_changes_only(db, program, coach):
    later = timeutil.local_today(program) + timedelta(days=3)
    person = factories.client(coach, date_of_birth=later)  # stored before the rule held
    details = {key: getattr(person, key) for key in client_services.DETAIL_FIELDS}
    changed = client_services.update_client(
        person, details | {"phone": "555-0199"}, version=None, actor=coach
    )
    assert changed == ["phone"]
    with pytest.raises(client_services.ClientRuleError) as refused:
        client_services.update_client(
            person,
            details | {"date_of_birth": later + timedelta(days=1)},
            version=None,
            actor=coach,
        )
    assert refused.value.errors == {"date_of_birth": FUTURE}


def test_a_consent_date_puts_the_consent_on_file(db, coach):
    person = factories.client(coach)
    details = {key: getattr(person, key) for key in client_services.DETAIL_FIELDS}
    changed = client_services.update_client(
        person,
        details | {"consent_date": date(2026, 2, 1), "consent_on_file": False},
        version=None,
        actor=coach,
    )
    assert {"consent_date", "consent_on_file"} <= set(changed)
    assert person.consent_on_file is True


def test_the_meeting_rule_at_the_service_level(db, admin):
    resource_services.check_resource({"category": "housing", "meeting_model": None})
    resource_services.check_resource({"category": "recovery_support", "meeting_model": "aa"})
    with pytest.raises(resource_services.ResourceRuleError) as refused:
        resource_services.create_resource(
            {"name": "Step", "category": "food", "meeting_model": "na"}, actor=admin
        )
    assert refused.value.errors == {"category": resource_services.MEETING_CATEGORY_MESSAGE}
    meeting = factories.resource(category="recovery_support", meeting_model="aa")
    with pytest.raises(resource_services.ResourceRuleError):
        resource_services.update_resource(meeting, {"category": "housing"}, actor=admin)
    with pytest.raises(resource_services.ResourceRuleError):  # a new organization waits too
        resource_services.update_resource(
            meeting, {"category": "housing"}, new_organization="Never made", actor=admin
        )
    db.session.rollback()
    assert db.session.get(Resource, meeting.id).category == "recovery_support"
    plain = factories.resource(category="housing")
    with pytest.raises(resource_services.ResourceRuleError):
        resource_services.update_resource(plain, {"meeting_model": "aa"}, actor=admin)


def test_referral_rules_at_the_service_level(db, program, coach):
    person = factories.client(coach)
    housing = factories.resource(category="housing")
    base = {"resource_id": housing.id, "referred_on": date(2026, 3, 2)}
    for data, field_name, message in [
        ({"resource_id": None}, "resource_id", referral_services.RESOURCE_MESSAGE),
        ({"resource_id": 999_999}, "resource_id", referral_services.RESOURCE_MESSAGE),
        ({"status": "connected"}, "connected_on", "Give the date the client was connected."),
        (
            {"closed_on": date(2026, 3, 3)},
            "closed_on",
            "Only a declined or not-connected referral has this date.",
        ),
    ]:
        with pytest.raises(referral_services.ReferralRuleError) as refused:
            referral_services.create_referral(person, base | data, actor=coach)
        assert refused.value.errors == {field_name: message}, data
    assert count(db, Referral) == 0

    referral = factories.referral(person, housing)
    with pytest.raises(referral_services.ReferralRuleError) as refused:
        referral_services.change_status(
            referral, status="connected", on=None, version=None, actor=coach
        )
    assert refused.value.errors == {"changed_on": "Give the date the client was connected."}
    referral_services.change_status(referral, status="declined", on=None, version=None, actor=coach)
    assert referral.closed_on == timeutil.local_today(program)  # the program's today

    referral_services.check_dates_fit_status("connected", {"connected_on": date(2026, 3, 4)})
    with pytest.raises(referral_services.ReferralRuleError) as refused:
        referral_services.check_dates_fit_status("declined", {"connected_on": date(2026, 3, 4)})
    assert refused.value.field == "connected_on"


def test_session_rules_at_the_service_level(db, program, coach):
    person = factories.client(coach)
    later = timeutil.local_today(program) + timedelta(days=1)
    data = {
        "date": later,
        "duration_minutes": 721,
        "modality": "phone",
        "kind": "coaching",
        "outcome": "completed",
    }
    with pytest.raises(session_services.SessionRuleError) as refused:
        session_services.create_session(person, data, actor=coach)
    assert refused.value.errors == {
        "date": FUTURE,
        "duration_minutes": session_services.MINUTES_MESSAGE,
    }
    for minutes in (True, 0, "45", 45.0):
        with pytest.raises(session_services.SessionRuleError):
            session_services.check_session(
                person, data | {"date": date(2026, 3, 2)} | {"duration_minutes": minutes}
            )
    session_services.check_session(person, data | {"date": date(2026, 3, 2), "duration_minutes": 1})
    assert count(db, CoachingSession) == 0


def test_goal_rules_at_the_service_level(db, program, coach):
    person = factories.client(coach)
    later = timeutil.local_today(program) + timedelta(days=1)
    with pytest.raises(goal_services.GoalRuleError) as refused:
        goal_services.check_goal(
            person,
            {"domain": "astrology", "description": " ", "opened_on": later, "target_date": None},
        )
    assert refused.value.errors == {
        "domain": "Choose a domain.",
        "description": "Describe the goal.",
        "opened_on": FUTURE,
    }
    goal = factories.goal(person)
    with pytest.raises(goal_services.GoalRuleError) as refused:
        goal_services.change_status(
            goal, status="active", closed_on=date(2026, 2, 1), version=None, actor=coach
        )
    assert refused.value.errors == {"closed_on": goal_services.CLOSED_ON_ONLY_WHEN_CLOSED}
    goal_services.change_status(goal, status="achieved", closed_on=None, version=None, actor=coach)
    assert goal.closed_on == timeutil.local_today(program)


def test_barc10_rules_at_the_service_level(db, program, coach):
    person = factories.client(coach)
    answers = [4] * 10
    answers[0], answers[9] = 7, True
    with pytest.raises(assessment_services.AssessmentRuleError) as refused:
        assessment_services.create_assessment(
            person, {"administered_on": date(2026, 3, 2), "items": answers}, actor=coach
        )
    message = assessment_services.ITEM_MESSAGE
    assert refused.value.errors == {"item1": message, "item10": message}
    with pytest.raises(assessment_services.AssessmentRuleError) as refused:
        assessment_services.check_assessment(
            person,
            {
                "administered_on": timeutil.local_today(program) + timedelta(days=1),
                "items": [4] * 9,
            },
        )
    assert refused.value.errors == {
        "administered_on": FUTURE,
        "items": "Answer all ten statements.",
    }
    assert count(db, Assessment) == 0


def test_appointment_rules_at_the_service_level(db, program, coach):
    person = factories.client(coach)
    closed = factories.resource(active=False)
    with pytest.raises(appointment_services.AppointmentRuleError) as refused:
        appointment_services.create_appointment(
            person,
            {"scheduled_at": datetime(2026, 3, 10, 14, 30), "kind": "medical"}
            | {"resource_id": closed.id},
            actor=coach,
        )
    assert refused.value.errors == {"resource_id": appointment_services.RESOURCE_MESSAGE}
    past = factories.appointment(person, at=datetime(2026, 3, 3, 10, 0))
    for outcome, accompanied, field_name in [
        ("attended", None, "coach_accompanied"),
        ("scheduled", None, "outcome"),
        ("lost", None, "outcome"),
    ]:
        with pytest.raises(appointment_services.AppointmentRuleError) as refused:
            appointment_services.record_outcome(
                past, outcome=outcome, coach_accompanied=accompanied, version=None, actor=coach
            )
        assert refused.value.field == field_name
    db.session.rollback()
    assert db.session.get(Appointment, past.id).outcome == "scheduled"
