"""Every field checked in one pass: a form refused both by its own checks and by the
services' rules shows every message in the same response (422), and saves nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coachapp import timeutil
from coachapp.models import (
    Appointment,
    Assessment,
    ClientAssignment,
    ConsentRecord,
    CoveringAssignment,
    Enrollment,
    MutualAidAttendance,
    Program,
    ReferralStatusChange,
    Resource,
    SupervisionNote,
    TaxonomyMapping,
    User,
)
from tests import factories
from tests.helpers import (
    ITEM_MESSAGE,
    appointment_data,
    attendance,
    barc_data,
    consent_data,
    count,
    in_days,
    make_note,
    note_form,
    resource_data,
    user_data,
)
from tests.helpers import user_edit_data as edit_data

TOO_LONG = "x" * 10_001
LENGTH_MESSAGE = "Field cannot be longer than"


def refused(response, *messages: str) -> str:
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for message in messages:
        assert message in page, message
    return page


@pytest.fixture
def client_(coach):
    return factories.client(coach, first_name="Jordan", last_name="Quintero")


# --- Appointments --------------------------------------------------------------------------


def test_new_appointment_shows_form_and_rule_errors_at_once(db, login, coach, client_):
    closed = factories.resource(name="Closed Clinic", active=False)
    response = login(coach).post(
        f"/clients/{client_.id}/appointments/new",
        data=appointment_data(resource_id=str(closed.id), notes=TOO_LONG, time=""),
    )
    refused(response, "Choose an active resource", LENGTH_MESSAGE, "Give the time.")
    assert count(db, Appointment) == 0


def test_appointment_edit_shows_form_and_rule_errors_at_once(db, login, coach, client_):
    a = factories.appointment(client_, at=in_days(client_.program, -1), outcome="attended")
    tomorrow = timeutil.local_today(client_.program) + timedelta(days=1)
    response = login(coach).post(
        f"/appointments/{a.id}/edit",
        data=appointment_data(date=tomorrow.isoformat(), version="1", notes=TOO_LONG),
    )
    refused(response, "cannot be moved to the future", LENGTH_MESSAGE)
    db.session.refresh(a)
    assert a.scheduled_at == in_days(client_.program, -1) and a.version == 1
    assert a.notes != TOO_LONG


def test_appointment_outcome_shows_every_rule_at_once(db, login, coach, client_):
    # The outcome form has no checks of its own beyond the version: both rules show together.
    a = factories.appointment(client_, at=in_days(client_.program, 2))
    response = login(coach).post(
        f"/appointments/{a.id}/outcome", data={"outcome": "attended", "version": "1"}
    )
    refused(response, "has not happened yet", "Say whether you went along")
    db.session.refresh(a)
    assert a.outcome == "scheduled" and a.version == 1


# --- Assessments ---------------------------------------------------------------------------


def test_barc10_shows_form_and_rule_errors_at_once(db, login, coach, client_):
    data = barc_data(administered_on="")
    del data["item3"]
    response = login(coach).post(f"/clients/{client_.id}/assessments/new", data=data)
    refused(response, "Give the date.", ITEM_MESSAGE)
    assert count(db, Assessment) == 0


# --- Resources -----------------------------------------------------------------------------


def test_new_resource_shows_form_and_rule_errors_at_once(db, login, supervisor):
    data = resource_data(name="", category="housing", meeting_model="aa")
    response = login(supervisor).post("/resources/new", data=data)
    refused(response, "A mutual-aid meeting is a recovery", "This field is required")
    assert count(db, Resource) == 0


def test_resource_edit_shows_form_and_rule_errors_at_once(db, login, supervisor):
    res = factories.resource(name="Harbor", category="housing", program_id=supervisor.program_id)
    data = resource_data(name="Harbor", category="housing", meeting_model="aa")
    data["description"] = TOO_LONG
    response = login(supervisor).post(f"/resources/{res.id}/edit", data=data)
    refused(response, "A mutual-aid meeting is a recovery", LENGTH_MESSAGE)
    db.session.refresh(res)
    assert res.meeting_model is None and res.description != TOO_LONG


def test_taxonomy_line_shows_form_and_rule_errors_at_once(db, login, supervisor):
    data = {"match": "code", "term": "not a code!", "category": ""}
    response = login(supervisor).post("/resources/taxonomy/new", data=data)
    refused(response, "A code is letters, digits", "Choose a category of the directory.")
    assert count(db, TaxonomyMapping) == 0


# --- Goal and referral status ----------------------------------------------------------------


def tomorrow(client) -> str:
    return (timeutil.local_today(client.program) + timedelta(days=1)).isoformat()


def test_goal_status_shows_form_and_rule_errors_at_once(db, login, coach, client_):
    goal = factories.goal(client_)
    response = login(coach).post(
        f"/goals/{goal.id}/status",
        data={"status": "", "closed_on": tomorrow(client_), "version": "1"},
    )
    refused(response, "Choose a status.", "This date is in the future.")
    db.session.refresh(goal)
    assert goal.status == "active" and goal.closed_on is None and goal.version == 1


def test_referral_status_shows_form_and_rule_errors_at_once(db, login, coach, client_):
    referral = factories.referral(client_)
    response = login(coach).post(
        f"/referrals/{referral.id}/status",
        data={"status": "", "changed_on": tomorrow(client_), "version": "1"},
    )
    refused(response, "Choose a status.", "This date is in the future.")
    db.session.refresh(referral)
    assert referral.status == "referred" and referral.version == 1
    assert count(db, ReferralStatusChange) == 1  # the one the factory wrote


# --- Discharge and re-enrollment -------------------------------------------------------------


def test_discharge_shows_form_and_rule_errors_at_once(db, login, coach, client_):
    response = login(coach).post(
        f"/clients/{client_.id}/discharge",
        data={"version": "1", "discharge_date": "2025-01-01", "discharge_reason": ""},
    )
    refused(response, "cannot be before the intake date", "This field is required.")
    db.session.refresh(client_)
    assert client_.status == "active"
    assert db.session.scalar(select(Enrollment.discharge_date)) is None


def test_reenroll_rule_is_asked_with_the_form(db, login, coach, client_):
    # One field only: its own check and the rule's cannot both refuse it; the rule's shows.
    episode = db.session.scalar(select(Enrollment))
    episode.discharge_date = timeutil.local_today(client_.program)
    episode.discharge_reason = "disengaged"
    client_.status = "discharged"
    db.session.commit()
    response = login(coach).post(
        f"/clients/{client_.id}/reenroll",
        data={"version": str(client_.version), "intake_date": "2026-01-01"},
    )
    refused(response, "before the last discharge")
    assert count(db, Enrollment) == 1


# --- Supervision notes -----------------------------------------------------------------------


def test_supervision_note_shows_form_and_rule_errors_at_once(db, login, supervisor, coach):
    data = note_form([coach], fmt="group", topics="x" * 2001)
    response = login(supervisor).post("/supervision/notes/new", data=data)
    refused(response, "A group supervision names two coaches or more.", LENGTH_MESSAGE)
    assert count(db, SupervisionNote) == 0


def test_supervision_note_edit_shows_form_and_rule_errors_at_once(db, login, supervisor, coach):
    note = make_note(db, supervisor, [coach], topics="Old topic")
    data = note_form([coach], fmt="group", duration_minutes="", version="1")
    response = login(supervisor).post(f"/supervision/notes/{note.id}/edit", data=data)
    refused(response, "A group supervision names two coaches or more.", "Give the length in")
    db.session.refresh(note)
    assert note.format == "individual" and note.version == 1


# --- Mutual aid ------------------------------------------------------------------------------


def test_ending_a_group_shows_form_and_rule_errors_at_once(db, login, coach, client_):
    row = attendance(client_, since=date(2026, 1, 1), ended_on=date(2026, 2, 1))
    response = login(coach).post(f"/mutual-aid/{row.id}/end", data={"ended_on": ""})
    refused(response, "This group has ended already.", "This field is required.")
    db.session.refresh(row)
    assert row.ended_on == date(2026, 2, 1)


def test_new_group_shows_every_problem_at_once(db, login, coach, client_):
    # The form mirrors the rule of a model; its message shows once, beside the length's.
    data = {"resource_id": "", "model": "", "frequency": "x" * 101, "since": ""}
    response = login(coach).post(f"/clients/{client_.id}/mutual-aid/new", data=data)
    page = refused(response, "Choose the model, or a meeting", LENGTH_MESSAGE)
    assert page.count("Choose the model, or a meeting from the directory.") >= 1
    assert count(db, MutualAidAttendance) == 0


# --- Consents --------------------------------------------------------------------------------


def test_new_consent_shows_form_and_rule_errors_at_once(db, login, coach, client_, monkeypatch):
    # The program's today is a day behind the server's (its time zone): the form takes the
    # server's today, the rule refuses it as the program's tomorrow.
    server_today = date.today()
    monkeypatch.setattr(timeutil, "local_today", lambda program=None: server_today - timedelta(1))
    data = consent_data(purpose="", signed_on=server_today.isoformat(), expires_on="")
    response = login(coach).post(f"/clients/{client_.id}/consents/new", data=data)
    refused(response, "This date is in the future.", "This field is required.")
    assert count(db, ConsentRecord) == 0


# --- Team: reassign and cover ----------------------------------------------------------------


@pytest.fixture
def second_coach(program, supervisor):
    return factories.user("coach", program=program, supervisor=supervisor, name="Bea Second")


def test_reassign_shows_form_and_rule_errors_at_once(db, login, supervisor, coach, client_):
    data = {
        "coach_id": coach.id,  # holds the client already: the rules refuse it
        "effective_on": timeutil.local_today(client_.program).isoformat(),
        "reason": "Caseload balance",
        "handoff_note": "x" * 4001,
    }
    response = login(supervisor).post(f"/clients/{client_.id}/reassign", data=data)
    refused(response, "is already on", LENGTH_MESSAGE)
    assert count(db, ClientAssignment) == 1  # the row intake opened, still open
    db.session.refresh(client_)
    assert client_.coach_id == coach.id


def test_cover_shows_form_and_rule_errors_at_once(db, login, supervisor, coach, second_coach):
    data = {
        "coach_id": coach.id,
        "covering_user_id": coach.id,  # the rules refuse a coach covering for themself
        "client_id": 0,
        "starts_on": "2026-03-01",
        "ends_on": "2026-03-10",
        "reason": "x" * 501,
    }
    response = login(supervisor).post("/team/cover", data=data)
    refused(response, "cannot cover for themself", LENGTH_MESSAGE)
    assert count(db, CoveringAssignment) == 0


# --- Admin -----------------------------------------------------------------------------------


def test_new_account_shows_form_and_rule_errors_at_once(db, login, admin):
    data = user_data(name="", password="short")
    response = login(admin).post("/admin/users/new", data=data)
    refused(response, "Give the person", "Use at least")
    assert db.session.scalar(select(User).where(User.email == "nia.newcoach@example.org")) is None


def test_account_edit_shows_form_and_rule_errors_at_once(db, login, admin):
    browser = login(admin)
    data = edit_data(browser, admin, name="", role="coach")
    response = browser.post(f"/admin/users/{admin.id}/edit", data=data)
    refused(response, "Give the person", "You cannot change your own role")
    db.session.refresh(admin)
    assert admin.role == "admin" and admin.name


def test_program_shows_form_and_rule_errors_at_once(db, login, admin):
    factories.program(name="Riverside")
    before = count(db, Program)
    response = login(admin).post("/admin/programs/new", data={"name": "RIVERSIDE", "timezone": ""})
    refused(response, "Another program has this name.", "Give the time zone.")
    assert count(db, Program) == before


# --- My password -----------------------------------------------------------------------------


def test_password_change_shows_form_and_rule_errors_at_once(db, login, coach):
    before = coach.password_hash
    response = login(coach).post(
        "/auth/profile",
        data={
            "pw-current_password": "not my password",
            "pw-new_password": "a long enough new passphrase",
            "pw-confirm": "something else",
            "pw-submit": "Change password",
        },
    )
    refused(response, "This is not your current password.", "The two do not match.")
    db.session.refresh(coach)
    assert coach.password_hash == before


def test_an_out_of_range_id_is_a_message_beside_the_others(db, login, supervisor, coach):
    # The rules now run beside a refused form: an id no database could hold is still a message.
    data = note_form([coach], clients=["99999999999999999999"], topics="x" * 2001)
    response = login(supervisor).post("/supervision/notes/new", data=data)
    refused(response, "Choose among the clients you can open.", LENGTH_MESSAGE)
    assert count(db, SupervisionNote) == 0
