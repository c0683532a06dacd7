"""Each business rule is written once, in its feature's services: the pages and the JSON API
refuse the same bad input with the same message, beside the same field (the page) or named in
the 422's ``fields`` (the API), and nothing is saved. Then each rule at the service level,
without HTTP.

The program keeps the time of Kiritimati (UTC+14): "the future" is the program's, on both paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from coachapp import records, timeutil
from coachapp.appointments import services as appointment_services
from coachapp.assessments import services as assessment_services
from coachapp.auth.tokens import create_token
from coachapp.clients import services as client_services
from coachapp.extensions import db as _db
from coachapp.goals import services as goal_services
from coachapp.models import (
    Appointment,
    Assessment,
    AuditEvent,
    Client,
    CoachingSession,
    Enrollment,
    Goal,
    Referral,
    Resource,
    SupervisionNote,
)
from coachapp.referrals import services as referral_services
from coachapp.resources import services as resource_services
from coachapp.sessions import services as session_services
from tests import factories
from tests.helpers import count

FUTURE = "This date is in the future."
API = "/api/v1"


@pytest.fixture
def program(db):
    return factories.program(timezone="Pacific/Kiritimati")


@pytest.fixture
def call(anon, db):
    """``call(user, method, url, json)`` -> the API's response, with a token of ``user``."""
    headers: dict[int, dict] = {}

    def _call(user, method: str, url: str, json=None):
        if user.id not in headers:
            token, _row = create_token(user, "test")
            db.session.commit()
            headers[user.id] = {"Authorization": f"Bearer {token}"}
        return getattr(anon, method)(API + url, headers=headers[user.id], json=json)

    return _call


def tomorrow(program) -> str:
    return (timeutil.local_today(program) + timedelta(days=1)).isoformat()


def beside(response, field_id: str) -> list[str]:
    """The messages a page shows beside one field (the ``render_field`` macro)."""
    found = re.search(
        rf'<div id="{re.escape(field_id)}-errors"[^>]*>\s*((?:<div>.*?</div>)*)',
        response.get_data(as_text=True),
        re.S,
    )
    return [unescape(m) for m in re.findall(r"<div>(.*?)</div>", found.group(1))] if found else []


def above(response) -> list[str]:
    """The messages of a page's alert (the outcome page has hidden fields only)."""
    found = re.search(
        r'<div class="alert alert-danger" role="alert">(.*?)</div>',
        response.get_data(as_text=True),
        re.S,
    )
    return [unescape(m) for m in re.findall(r"<p[^>]*>(.*?)</p>", found.group(1))] if found else []


def api_fields(response) -> dict:
    assert response.status_code == 422, (response.status_code, response.get_json())
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    return error["fields"]


# --- The same bad input on both paths ----------------------------------------------------------


@dataclass
class Case:
    """One rule: the page's post and the API's call with the same bad input, the field each
    names, and the message both show. ``page_field`` None: the page shows it above the form."""

    page_url: str
    page_data: dict
    page_field: str | None
    api_method: str
    api_url: str
    api_json: dict
    api_field: str
    message: str
    unchanged: list = field(default_factory=list)  # (model, how many rows) after both refusals


def intake(program, coach, **overrides) -> Case:
    """A new client whose one bad date is ``overrides``."""
    [(key, value)] = overrides.items()
    return Case(
        "/clients/new",
        {
            "first_name": "Ana",
            "last_name": "Okafor",
            "date_of_birth": "1990-04-02",
            "intake_date": "2026-03-05",
            "coach_id": str(coach.id),
        }
        | overrides,
        key,
        "post",
        "/clients",
        {"first_name": "Ana", "last_name": "Okafor", key: value},
        key,
        FUTURE,
        [(Client, 0), (Enrollment, 0)],
    )


def client_cases(name: str, program, coach) -> Case:
    day = tomorrow(program)
    if name.startswith("intake_"):
        return intake(program, coach, **{name.removeprefix("intake_"): day})
    person = factories.client(coach, first_name="Ana", last_name="Okafor")
    if name == "edit_date_of_birth":
        return Case(
            f"/clients/{person.id}/edit",
            {"first_name": "Ana", "last_name": "Okafor", "status": "active", "version": "1"}
            | {"date_of_birth": day},
            "date_of_birth",
            "patch",
            f"/clients/{person.id}",
            {"date_of_birth": day},
            "date_of_birth",
            FUTURE,
        )
    if name in ("discharge_future", "discharge_before_intake"):
        on = day if name == "discharge_future" else "2026-01-04"
        message = (
            FUTURE
            if name == "discharge_future"
            else "The discharge date cannot be before the intake date (2026-01-05)."
        )
        return Case(
            f"/clients/{person.id}/discharge",
            {"version": "1", "discharge_date": on, "discharge_reason": "moved"},
            "discharge_date",
            "post",
            f"/clients/{person.id}/discharge",
            {"discharge_date": on, "discharge_reason": "moved"},
            "discharge_date",
            message,
        )
    assert name == "reenroll_future"
    client_services.discharge(
        person, on=date(2026, 2, 1), reason="moved", note=None, version=None, actor=coach
    )
    _db.session.commit()
    return Case(
        f"/clients/{person.id}/reenroll",
        {"version": str(person.version), "intake_date": day},
        "intake_date",
        "post",
        f"/clients/{person.id}/reenroll",
        {"intake_date": day},
        "intake_date",
        FUTURE,
        [(Enrollment, 1)],
    )


CLIENT_CASES = [
    "intake_date_of_birth",
    "intake_consent_date",
    "intake_intake_date",
    "edit_date_of_birth",
    "discharge_future",
    "discharge_before_intake",
    "reenroll_future",
]


def client_versions(db) -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(
        select(Client.id, Client.version, Client.status, Client.date_of_birth)
    ).all()


def assert_both_refuse(db, login, call, user, case: Case) -> None:
    page = login(user).post(case.page_url, data=case.page_data)
    assert page.status_code == 422
    shown = beside(page, case.page_field) if case.page_field else above(page)
    assert shown == [case.message], page.get_data(as_text=True)[:3000]
    api = call(user, case.api_method, case.api_url, case.api_json)
    assert api_fields(api) == {case.api_field: [case.message]}
    for model, rows in case.unchanged:
        assert count(db, model) == rows, model


@pytest.mark.parametrize("name", CLIENT_CASES)
def test_client_dates_are_refused_alike_by_the_page_and_the_api(
    db, login, call, program, coach, name
):
    case = client_cases(name, program, coach)
    before = client_versions(db)
    assert_both_refuse(db, login, call, coach, case)
    assert client_versions(db) == before


def test_a_signed_consent_is_on_file_through_the_page_and_the_api(db, login, call, coach):
    by_page = factories.client(coach, first_name="Ana")
    by_api = factories.client(coach, first_name="Bea")
    response = login(coach).post(
        f"/clients/{by_page.id}/edit",
        data={"first_name": "Ana", "last_name": "Okafor", "status": "active"}
        | {"consent_date": "2026-02-01", "version": "1"},
    )
    assert response.status_code == 302
    response = call(
        coach,
        "patch",
        f"/clients/{by_api.id}",
        {"consent_date": "2026-02-01", "consent_on_file": False},
    )
    assert response.status_code == 200 and response.get_json()["consent_on_file"] is True
    db.session.expire_all()
    assert db.session.get(Client, by_page.id).consent_on_file is True
    assert db.session.get(Client, by_api.id).consent_on_file is True


def test_a_mutual_aid_meeting_stays_recovery_support_on_the_page_and_the_api(
    db, login, call, admin
):
    meeting = factories.resource(
        name="Tuesday Step", category="recovery_support", meeting_model="aa"
    )
    case = Case(
        f"/resources/{meeting.id}/edit",
        {"name": "Tuesday Step", "category": "housing", "meeting_model": "aa", "active": "y"},
        "category",
        "patch",
        f"/resources/{meeting.id}",
        {"category": "housing"},
        "category",
        "A mutual-aid meeting is a recovery support resource.",
    )
    assert_both_refuse(db, login, call, admin, case)
    db.session.expire_all()
    assert db.session.get(Resource, meeting.id).category == "recovery_support"
    assert not db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "resource"))


def referral_case(name: str, program, coach) -> Case:
    person = factories.client(coach)
    housing = factories.resource(name="Harbor Housing", category="housing")
    page = {
        "resource_id": str(housing.id),
        "referred_on": "2026-03-02",
        "status": "referred",
        "connected_on": "",
        "closed_on": "",
    }
    api = {"resource_id": housing.id, "referred_on": "2026-03-02"}
    new, listed = f"/clients/{person.id}/referrals/new", f"/clients/{person.id}/referrals"
    unchanged = [(Referral, 0)]
    if name == "connected_without_its_date":
        return Case(
            new,
            page | {"status": "connected"},
            "connected_on",
            "post",
            listed,
            api | {"status": "connected"},
            "connected_on",
            "Give the date the client was connected.",
            unchanged,
        )
    if name == "connected_in_the_future":
        day = tomorrow(program)
        return Case(
            new,
            page | {"status": "connected", "connected_on": day},
            "connected_on",
            "post",
            listed,
            api | {"status": "connected", "connected_on": day},
            "connected_on",
            FUTURE,
            unchanged,
        )
    if name == "a_date_the_status_has_not":
        return Case(
            new,
            page | {"connected_on": "2026-03-04"},
            "connected_on",
            "post",
            listed,
            api | {"connected_on": "2026-03-04"},
            "connected_on",
            "Only a connected referral has this date.",
            unchanged,
        )
    if name == "an_unknown_resource":
        return Case(
            new,
            page | {"resource_id": "999999"},
            "resource_id",
            "post",
            listed,
            api | {"resource_id": 999_999},
            "resource_id",
            "Choose an active resource from the list.",
            unchanged,
        )
    assert name == "connection_of_a_referral_in_the_future"
    referral = factories.referral(person, housing)
    day = tomorrow(program)
    return Case(
        f"/referrals/{referral.id}/status",
        {"status": "connected", "changed_on": day, "version": "1"},
        "changed_on",
        "patch",
        f"/referrals/{referral.id}",
        {"status": "connected", "connected_on": day},
        "connected_on",
        FUTURE,
        [(Referral, 1)],
    )


@pytest.mark.parametrize(
    "name",
    [
        "connected_without_its_date",
        "connected_in_the_future",
        "a_date_the_status_has_not",
        "an_unknown_resource",
        "connection_of_a_referral_in_the_future",
    ],
)
def test_referral_rules_are_the_same_on_the_page_and_the_api(db, login, call, program, coach, name):
    case = referral_case(name, program, coach)
    assert_both_refuse(db, login, call, coach, case)
    db.session.expire_all()
    assert db.session.scalars(select(Referral.status)).all() in ([], ["referred"])


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
