"""Each business rule is written once: sessions, goals, BARC-10, appointments and supervision
notes refuse the same bad input with the same message on the page and through the JSON API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coachapp import timeutil
from coachapp.models import (
    Appointment,
    Assessment,
    CoachingSession,
    Goal,
    SupervisionNote,
)
from tests import factories
from tests.platform.one_rule.helpers import FUTURE, Case, assert_both_refuse, tomorrow


def session_case(name: str, program, coach) -> Case:
    person = factories.client(coach)
    good_page = {
        "date": "2026-03-02",
        "duration_minutes": "45",
        "modality": "phone",
        "kind": "coaching",
        "outcome": "completed",
    }
    good_api = good_page | {"duration_minutes": 45}
    if name == "in_the_future":
        bad, api_bad, field_name, message = (
            {"date": tomorrow(program)},
            {"date": tomorrow(program)},
            "date",
            FUTURE,
        )
    else:
        minutes = {"no_minutes": 0, "too_many_minutes": 721, "minutes_past_any_column": 10**12}
        bad = {"duration_minutes": str(minutes[name])}
        api_bad = {"duration_minutes": minutes[name]}
        field_name, message = "duration_minutes", "Give the minutes, from 1 to 720."
    return Case(
        f"/clients/{person.id}/sessions/new",
        good_page | bad,
        field_name,
        "post",
        f"/clients/{person.id}/sessions",
        good_api | api_bad,
        field_name,
        message,
        [(CoachingSession, 0)],
    )


@pytest.mark.parametrize(
    "name", ["in_the_future", "no_minutes", "too_many_minutes", "minutes_past_any_column"]
)
def test_session_rules_are_the_same_on_the_page_and_the_api(db, login, call, program, coach, name):
    assert_both_refuse(db, login, call, coach, session_case(name, program, coach))


def goal_case(name: str, program, coach) -> Case:
    person = factories.client(coach)
    if name == "opened_in_the_future":
        day = tomorrow(program)
        return Case(
            f"/clients/{person.id}/goals/new",
            {"domain": "housing", "description": "A place of my own", "opened_on": day},
            "opened_on",
            "post",
            f"/clients/{person.id}/goals",
            {"domain": "housing", "description": "A place of my own", "opened_on": day},
            "opened_on",
            FUTURE,
            [(Goal, 0)],
        )
    goal = factories.goal(person, opened_on=date(2026, 1, 15))
    day, message = (
        (tomorrow(program), FUTURE)
        if name == "closed_in_the_future"
        else ("2026-01-14", "This date cannot be before the goal opened (2026-01-15).")
    )
    return Case(
        f"/goals/{goal.id}/status",
        {"status": "achieved", "closed_on": day, "version": "1"},
        "closed_on",
        "patch",
        f"/goals/{goal.id}",
        {"status": "achieved", "closed_on": day},
        "closed_on",
        message,
        [(Goal, 1)],
    )


@pytest.mark.parametrize(
    "name", ["opened_in_the_future", "closed_in_the_future", "closed_before_it_opened"]
)
def test_goal_rules_are_the_same_on_the_page_and_the_api(db, login, call, program, coach, name):
    assert_both_refuse(db, login, call, coach, goal_case(name, program, coach))
    db.session.expire_all()
    assert db.session.scalars(select(Goal.status)).all() in ([], ["active"])


@pytest.mark.parametrize("name", ["in_the_future", "an_answer_of_7", "an_answer_of_0"])
def test_barc10_rules_are_the_same_on_the_page_and_the_api(db, login, call, program, coach, name):
    person = factories.client(coach)
    answers = [4] * 10
    page = {"administered_on": "2026-03-02"}
    api = {"administered_on": "2026-03-02"}
    if name == "in_the_future":
        page["administered_on"] = api["administered_on"] = tomorrow(program)
        page_field, api_field, message = "administered_on", "administered_on", FUTURE
    else:
        answers[6] = 7 if name == "an_answer_of_7" else 0
        page_field, api_field = "item7", "items"
        message = "Choose an answer from 1 (strongly disagree) to 6 (strongly agree)."
    page |= {f"item{n}": str(v) for n, v in enumerate(answers, start=1)}
    case = Case(
        f"/clients/{person.id}/assessments/new",
        page,
        page_field,
        "post",
        f"/clients/{person.id}/assessments",
        api | {"items": answers},
        api_field,
        message,
        [(Assessment, 0)],
    )
    assert_both_refuse(db, login, call, coach, case)


def appointment_case(name: str, program, coach) -> Case:
    person = factories.client(coach)
    if name == "a_resource_out_of_use":
        closed = factories.resource(name="Closed Clinic", active=False)
        return Case(
            f"/clients/{person.id}/appointments/new",
            {
                "date": "2026-03-10",
                "time": "14:30",
                "kind": "medical",
                "resource_id": str(closed.id),
            },
            "resource_id",
            "post",
            f"/clients/{person.id}/appointments",
            {"scheduled_at": "2026-03-10T14:30:00", "kind": "medical", "resource_id": closed.id},
            "resource_id",
            "Choose an active resource from the list, or none.",
            [(Appointment, 0)],
        )
    now = timeutil.local_now(program)
    at = now + timedelta(hours=2) if name == "attended_before_its_time" else now - timedelta(1)
    # Back to "scheduled" from a recorded outcome (sending "scheduled" for a scheduled one is
    # the API's no-op: a client sending back the object it read).
    outcome = "cancelled" if name == "scheduled_again" else "scheduled"
    appointment = factories.appointment(person, at=at.replace(microsecond=0), outcome=outcome)
    page, api = {"version": "1"}, {}
    if name == "attended_without_saying_who_went":
        page |= {"outcome": "attended", "coach_accompanied": ""}
        api |= {"outcome": "attended"}
        api_field, message = "coach_accompanied", "Say whether you went along to this appointment."
    elif name == "attended_before_its_time":
        page |= {"outcome": "attended", "coach_accompanied": "yes"}
        api |= {"outcome": "attended", "coach_accompanied": True}
        api_field = "outcome"
        message = (
            "This appointment has not happened yet: it can be marked cancelled or rescheduled "
            "now, attended or no-show once its time has come."
        )
    else:
        assert name == "scheduled_again"
        page |= {"outcome": "scheduled"}
        api |= {"outcome": "scheduled"}
        api_field, message = "outcome", "Choose what happened."
    return Case(
        f"/appointments/{appointment.id}/outcome",
        page,
        None,
        "patch",
        f"/appointments/{appointment.id}",
        api,
        api_field,
        message,
        [(Appointment, 1)],
    )


@pytest.mark.parametrize(
    "name",
    [
        "a_resource_out_of_use",
        "attended_without_saying_who_went",
        "attended_before_its_time",
        "scheduled_again",
    ],
)
def test_appointment_rules_are_the_same_on_the_page_and_the_api(
    db, login, call, program, coach, name
):
    assert_both_refuse(db, login, call, coach, appointment_case(name, program, coach))
    db.session.expire_all()
    assert db.session.scalars(select(Appointment.outcome)).all() in (
        [],
        ["scheduled"],
        ["cancelled"],
    )


def supervision_case(name: str, program, supervisor, coach) -> Case:
    minutes = {"no_minutes": 0, "too_many_minutes": 721, "minutes_past_any_column": 10**12}
    if name == "in_the_future":
        day = tomorrow(program)
        page_bad, api_bad, field_name, message = {"date": day}, {"date": day}, "date", FUTURE
    else:
        page_bad = {"duration_minutes": str(minutes[name])}
        api_bad = {"duration_minutes": minutes[name]}
        field_name, message = "duration_minutes", "Minutes must be between 1 and 720."
    return Case(
        "/supervision/notes/new",
        {
            "date": "2026-03-02",
            "duration_minutes": "60",
            "format": "individual",
            "coaches": [str(coach.id)],
            "topics": "Boundaries",
        }
        | page_bad,
        field_name,
        "post",
        "/supervision-notes",
        {"date": "2026-03-02", "duration_minutes": 60, "format": "individual"}
        | {"coach_ids": [coach.id], "topics": "Boundaries"}
        | api_bad,
        field_name,
        message,
        [(SupervisionNote, 0)],
    )


@pytest.mark.parametrize(
    "name", ["in_the_future", "no_minutes", "too_many_minutes", "minutes_past_any_column"]
)
def test_supervision_note_rules_are_the_same_on_the_page_and_the_api(
    db, login, call, program, supervisor, coach, name
):
    case = supervision_case(name, program, supervisor, coach)
    assert_both_refuse(db, login, call, supervisor, case)
