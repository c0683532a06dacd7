"""Appointments: schedule, edit with locking, archive, record the outcome in one tap, the today and
week lists (program-local days), the calendar feed (initials only), the client-page panel; the
access rule on every route."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from coachapp import timeutil
from coachapp.models import Appointment
from tests import factories
from tests.appointments.helpers import audit_events
from tests.helpers import appointment_data, count, in_days

OUTSIDERS = ("other_coach", "other_supervisor", "program_manager", "admin")


# --- Access ------------------------------------------------------------------------------------


def _record_urls(client, appointment) -> list[str]:
    return [
        f"/clients/{client.id}/appointments/new",
        f"/appointments/{appointment.id}/edit",
        f"/appointments/{appointment.id}/outcome",
    ]


@pytest.mark.parametrize("role", ("coach", "supervisor"))
def test_coach_and_their_supervisor_open_every_page(request, db, login, client_, role):
    appointment = factories.appointment(client_)
    browser = login(request.getfixturevalue(role))
    for url in _record_urls(client_, appointment):
        assert browser.get(url).status_code == 200, url
    for url in ("/appointments/today", "/appointments/week", "/appointments/upcoming.ics"):
        assert browser.get(url).status_code == 200, url


@pytest.mark.parametrize("role", OUTSIDERS)
def test_everyone_else_gets_404_on_client_and_record_pages(request, db, login, client_, role):
    appointment = factories.appointment(client_, at=datetime(2026, 3, 3, 10, 0))
    browser = login(request.getfixturevalue(role))
    for url in _record_urls(client_, appointment):
        assert browser.get(url).status_code == 404, url
    posts = {
        f"/clients/{client_.id}/appointments/new": appointment_data(),
        f"/appointments/{appointment.id}/edit": appointment_data(version="1"),
        f"/appointments/{appointment.id}/outcome": {
            "outcome": "attended",
            "coach_accompanied": "yes",
            "version": "1",
        },
        f"/appointments/{appointment.id}/archive": {"reason": "x"},
    }
    for url, data in posts.items():
        assert browser.post(url, data=data).status_code == 404, url
    db.session.refresh(appointment)
    assert appointment.outcome == "scheduled" and appointment.archived_at is None
    assert appointment.kind == "medical" and appointment.version == 1
    assert count(db, Appointment) == 1


@pytest.mark.parametrize("role", ("program_manager", "admin"))
def test_lists_and_feed_are_for_coaches_and_supervisors(request, db, login, role):
    browser = login(request.getfixturevalue(role))
    for url in ("/appointments/today", "/appointments/week", "/appointments/upcoming.ics"):
        assert browser.get(url).status_code == 403, url


def test_anonymous_is_sent_to_sign_in(anon, db, client_):
    appointment = factories.appointment(client_)
    urls = [
        *_record_urls(client_, appointment),
        "/appointments/today",
        "/appointments/week",
        "/appointments/upcoming.ics",
    ]
    for url in urls:
        response = anon.get(url)
        assert response.status_code == 302 and "/auth/login" in response.location, url
    assert anon.post(f"/appointments/{appointment.id}/archive", data={"reason": "x"}).status_code
    db.session.refresh(appointment)
    assert appointment.archived_at is None


def test_lists_show_only_visible_clients(
    db, login, program, coach, supervisor, other_coach, other_supervisor
):
    mine = factories.client(coach, first_name="Mina", last_name="Mine")
    theirs = factories.client(other_coach, first_name="Theo", last_name="Theirs")
    for c in (mine, theirs):
        factories.appointment(c, at=in_days(program, 0, time(23, 0)))
        factories.appointment(c, at=in_days(program, 3))
        factories.appointment(c, at=in_days(program, -2))  # outcome missing
    for user, shown, hidden in (
        (coach, mine, theirs),
        (supervisor, mine, theirs),
        (other_coach, theirs, mine),
        (other_supervisor, theirs, mine),
    ):
        browser = login(user)
        for url in ("/appointments/today", "/appointments/week"):
            text = browser.get(url).get_data(as_text=True)
            assert shown.last_name in text and hidden.last_name not in text, (user.name, url)
        feed = browser.get("/appointments/upcoming.ics").get_data(as_text=True)
        assert feed.count("BEGIN:VEVENT") == 2


def test_supervisor_sees_the_coach_of_each_row(db, login, program, coach, supervisor, client_):
    factories.appointment(client_, at=in_days(program, 0, time(23, 0)))
    assert coach.name in login(supervisor).get("/appointments/today").get_data(as_text=True)
    assert "Coach: " not in login(coach).get("/appointments/today").get_data(as_text=True)


# --- Schedule ----------------------------------------------------------------------------------


def test_schedule_an_appointment(db, login, coach, client_, clinic):
    factories.resource(name="Anchor House", category="housing")
    factories.resource(name="Closed Clinic", category="healthcare", active=False)
    elsewhere = factories.program(name="Elsewhere")
    factories.resource(name="Their Own Clinic", category="healthcare", program_id=elsewhere.id)
    browser = login(coach)
    page = browser.get(f"/clients/{client_.id}/appointments/new").get_data(as_text=True)
    assert f'value="{timeutil.local_today(client_.program).isoformat()}"' in page
    assert 'type="date"' in page and 'type="time"' in page
    assert page.index(">Anchor House · housing<") < page.index(">Eastside Clinic · healthcare<")
    assert "Closed Clinic" not in page and "Their Own Clinic" not in page
    assert "style=" not in page and "<script>" not in page

    response = browser.post(
        f"/clients/{client_.id}/appointments/new",
        data=appointment_data(resource_id=str(clinic.id)),
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/clients/{client_.id}")
    a = db.session.scalar(select(Appointment))
    assert (a.client_id, a.coach_id, a.scheduled_at) == (
        client_.id,
        coach.id,
        datetime(2026, 3, 10, 14, 30),
    )
    assert (a.kind, a.location, a.resource_id, a.accompaniment_planned) == (
        "medical",
        "Dr Okafor, room 4",
        clinic.id,
        True,
    )
    assert (a.outcome, a.coach_accompanied, a.outcome_recorded_at) == ("scheduled", None, None)
    [event] = audit_events(db, "create")
    assert (event.entity_id, event.client_id, event.user_id) == (a.id, client_.id, coach.id)
    assert event.fields == ("accompaniment_planned,kind,location,notes,resource_id,scheduled_at")
    assert "insurance" not in (event.fields or "") + (event.detail or "")


def test_supervisor_schedules_for_the_clients_coach(db, login, coach, supervisor, client_):
    response = login(supervisor).post(
        f"/clients/{client_.id}/appointments/new",
        data=appointment_data(accompaniment_planned="", location="", notes=""),
    )
    assert response.status_code == 302
    a = db.session.scalar(select(Appointment))
    assert a.coach_id == coach.id and a.accompaniment_planned is False
    assert a.location is None and a.notes is None and a.resource_id is None


def test_seconds_in_the_time_are_accepted_and_unicode_round_trips(db, login, coach, client_):
    where = "Clínica Ñúñez · 李小龙 🌻 O'Brien"
    response = login(coach).post(
        f"/clients/{client_.id}/appointments/new",
        data=appointment_data(time="09:05:00", location=where, notes="José — ok ✓"),
    )
    assert response.status_code == 302
    a = db.session.scalar(select(Appointment))
    assert a.scheduled_at == datetime(2026, 3, 10, 9, 5)
    assert (a.location, a.notes) == (where, "José — ok ✓")
    page = login(coach).get(f"/clients/{client_.id}").get_data(as_text=True)
    assert "Clínica Ñúñez · 李小龙 🌻 O&#39;Brien" in page


def _far_future() -> str:
    return (date.today() + timedelta(days=366 * 3)).isoformat()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "dentist"}, "Not a valid choice"),
        ({"kind": ""}, "Choose a kind."),
        ({"kind": "<script>alert(1)</script>"}, "Not a valid choice"),
        ({"date": "2026-02-30"}, "Not a valid date value"),
        ({"date": "0000-00-00"}, "Not a valid date value"),
        ({"date": "1899-12-31"}, "too far in the past"),
        ({"date": "9999-12-31"}, "too far in the future"),
        ({"date": _far_future()}, "too far in the future"),
        ({"date": ""}, "Give the date."),
        ({"time": "25:61"}, "Not a valid time value"),
        ({"time": ""}, "Give the time."),
        ({"resource_id": "99999"}, "Choose an active resource"),
        ({"resource_id": "' OR 1=1 --"}, "Choose an active resource"),
        ({"resource_id": "-1"}, "Choose an active resource"),
        ({"resource_id": "99999999999999999999"}, "Choose an active resource"),
        ({"location": "x" * 301}, "Field cannot be longer than 300"),
        ({"notes": "x" * 20_000}, "Field cannot be longer than 10000"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(db, login, coach, client_, overrides, message):
    response = login(coach).post(
        f"/clients/{client_.id}/appointments/new", data=appointment_data(**overrides)
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text
    assert "is-invalid" in text
    kept = "Dr Okafor, room 4" if "notes" in overrides else "Bring the insurance card."
    assert kept in text  # the rest of the input is kept
    assert count(db, Appointment) == 0
    assert audit_events(db, "create") == []


def test_inactive_or_other_programs_resources_are_refused(db, login, coach, client_):
    closed = factories.resource(name="Closed Clinic", active=False)
    elsewhere = factories.program(name="Elsewhere")
    foreign = factories.resource(name="Their Own Clinic", program_id=elsewhere.id)
    own = factories.resource(name="Our Clinic", program_id=client_.program_id)
    browser = login(coach)
    url = f"/clients/{client_.id}/appointments/new"
    for bad in (closed, foreign):
        response = browser.post(url, data=appointment_data(resource_id=str(bad.id)))
        assert response.status_code == 422
        assert "Choose an active resource" in response.get_data(as_text=True)
    assert count(db, Appointment) == 0
    assert browser.post(url, data=appointment_data(resource_id=str(own.id))).status_code == 302


def test_past_dates_are_allowed_for_back_entry(db, login, coach, client_):
    response = login(coach).post(
        f"/clients/{client_.id}/appointments/new", data=appointment_data(date="2024-11-02")
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Appointment.scheduled_at)) == datetime(2024, 11, 2, 14, 30)


def test_schedule_form_prefills_from_a_rescheduled_one(db, login, coach, client_, clinic):
    old = factories.appointment(
        client_, kind="housing", location="Room 2", resource_id=clinic.id, notes="secret"
    )
    other = factories.appointment(factories.client(coach), kind="legal_court")
    browser = login(coach)
    page = browser.get(f"/clients/{client_.id}/appointments/new?from={old.id}")
    text = page.get_data(as_text=True)
    assert '<option selected value="housing">' in text and 'value="Room 2"' in text
    assert f'<option selected value="{clinic.id}">' in text and "secret" not in text
    # Another client's appointment is never copied (nor one outside the access rule).
    text = browser.get(f"/clients/{client_.id}/appointments/new?from={other.id}").get_data(
        as_text=True
    )
    assert '<option selected value="legal_court">' not in text
    assert browser.get(f"/clients/{client_.id}/appointments/new?from=junk").status_code == 200
