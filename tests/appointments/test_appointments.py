"""Appointments: schedule, edit with locking, archive, record the outcome in one tap, the today and
week lists (program-local days), the calendar feed (initials only), the client-page panel; the
access rule on every route."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from icalendar import Calendar
from sqlalchemy import select

from coachapp import timeutil
from coachapp.appointments.queries import client_panel
from coachapp.models import Appointment, AuditEvent
from tests import factories
from tests.helpers import QueryCounter, appointment_data, count, in_days, local_now

OUTSIDERS = ("other_coach", "other_supervisor", "program_manager", "admin")


@pytest.fixture
def client_(coach):
    return factories.client(coach, first_name="Jordan", last_name="Quintero")


@pytest.fixture
def clinic():
    return factories.resource(name="Eastside Clinic", category="healthcare")


def audit_events(db, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.entity_type == "appointment")
            .order_by(AuditEvent.id)
        )
    )


class Frozen:
    """Freeze the clock timeutil reads (``datetime.now``) at one UTC instant."""

    def __init__(self, monkeypatch, instant: datetime):
        base = datetime

        class FrozenDatetime(base):
            @classmethod
            def now(cls, tz=None):
                return instant.astimezone(tz) if tz else instant.replace(tzinfo=None)

        monkeypatch.setattr(timeutil, "datetime", FrozenDatetime)


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


# --- Edit and archive --------------------------------------------------------------------------


def test_edit_with_locking(db, login, coach, supervisor, client_, clinic):
    a = factories.appointment(client_, at=datetime(2026, 3, 3, 10, 0), location="Old place")
    browser = login(coach)
    page = browser.get(f"/appointments/{a.id}/edit").get_data(as_text=True)
    assert 'value="2026-03-03"' in page and 'value="10:00"' in page and "Old place" in page
    assert 'name="version" type="hidden" value="1"' in page

    # The supervisor saves first; the coach's edit (made on version 1) is then stale.
    response = login(supervisor).post(
        f"/appointments/{a.id}/edit",
        data=appointment_data(date="2026-03-04", time="11:00", version="1"),
    )
    assert response.status_code == 302
    stale = browser.post(
        f"/appointments/{a.id}/edit",
        data=appointment_data(location="Coach's new place", version="1"),
    )
    assert stale.status_code == 422
    text = stale.get_data(as_text=True)
    assert "Someone else changed this record" in text
    assert "Coach&#39;s new place" in text  # the user's input is kept
    db.session.refresh(a)
    assert a.location == "Dr Okafor, room 4" and a.scheduled_at == datetime(2026, 3, 4, 11, 0)
    assert a.version == 2

    response = browser.post(
        f"/appointments/{a.id}/edit",
        data=appointment_data(
            date="2026-03-04",
            time="11:00",
            kind="treatment",
            resource_id=str(clinic.id),
            version="2",
        ),
    )
    assert response.status_code == 302
    db.session.refresh(a)
    assert (a.kind, a.resource_id, a.version) == ("treatment", clinic.id, 3)
    events = audit_events(db, "update")
    assert [e.fields for e in events] == [
        "accompaniment_planned,location,notes,scheduled_at",
        "kind,resource_id",
    ]


def test_tampered_version_is_refused(db, login, coach, client_):
    a = factories.appointment(client_)
    response = login(coach).post(
        f"/appointments/{a.id}/edit", data=appointment_data(kind="housing", version="abc")
    )
    assert response.status_code == 422
    db.session.refresh(a)
    assert a.kind == "medical"


def test_edit_keeps_a_since_deactivated_resource(db, login, coach, client_, clinic):
    a = factories.appointment(client_, resource_id=clinic.id)
    clinic.active = False
    db.session.commit()
    browser = login(coach)
    assert "Eastside Clinic" in browser.get(f"/appointments/{a.id}/edit").get_data(as_text=True)
    response = browser.post(
        f"/appointments/{a.id}/edit",
        data=appointment_data(resource_id=str(clinic.id), version="1"),
    )
    assert response.status_code == 302
    # ...but a new appointment cannot pick it.
    response = browser.post(
        f"/clients/{client_.id}/appointments/new",
        data=appointment_data(resource_id=str(clinic.id)),
    )
    assert response.status_code == 422


def test_an_attended_appointment_cannot_move_to_the_future(db, login, coach, client_):
    a = factories.appointment(client_, at=in_days(client_.program, -1), outcome="attended")
    tomorrow = timeutil.local_today(client_.program) + timedelta(days=1)
    response = login(coach).post(
        f"/appointments/{a.id}/edit",
        data=appointment_data(date=tomorrow.isoformat(), version="1"),
    )
    assert response.status_code == 422
    assert "cannot be moved to the future" in response.get_data(as_text=True)
    db.session.refresh(a)
    assert a.scheduled_at == in_days(client_.program, -1) and a.version == 1


def test_archive_needs_a_reason_then_hides_the_appointment(db, login, coach, client_):
    a = factories.appointment(client_, at=in_days(client_.program, 0, time(23, 59)))
    browser = login(coach)
    response = browser.post(f"/appointments/{a.id}/archive", data={"reason": "  "})
    assert response.status_code == 422
    assert "Give a reason." in response.get_data(as_text=True)
    db.session.refresh(a)
    assert a.archived_at is None

    response = browser.post(f"/appointments/{a.id}/archive", data={"reason": "entered twice"})
    assert response.status_code == 302
    db.session.refresh(a)
    assert a.archived_at is not None and a.archived_by_id == coach.id
    assert a.archive_reason == "entered twice"
    [event] = audit_events(db, "archive")
    assert event.fields == "archive_reason,archived_at" and event.client_id == client_.id
    assert browser.get(f"/appointments/{a.id}/edit").status_code == 404
    assert browser.get(f"/appointments/{a.id}/outcome").status_code == 404
    assert "entered twice" not in browser.get(f"/clients/{client_.id}").get_data(as_text=True)
    assert f"/appointments/{a.id}/" not in browser.get("/appointments/today").get_data(as_text=True)
    assert "BEGIN:VEVENT" not in browser.get("/appointments/upcoming.ics").get_data(as_text=True)


def test_back_to_the_list_after_a_form(db, login, coach, client_):
    a = factories.appointment(client_, at=in_days(client_.program, -1))
    response = login(coach).post(
        f"/appointments/{a.id}/outcome?back=today",
        data={"outcome": "no_show", "version": "1"},
    )
    assert response.status_code == 302 and response.location.endswith("/appointments/today")
    response = login(coach).post(
        f"/appointments/{a.id}/edit?back=https://evil.example",
        data=appointment_data(version="2"),
    )
    assert response.status_code == 302 and response.location.endswith(f"/clients/{client_.id}")


# --- Outcome -----------------------------------------------------------------------------------


def test_record_attended_with_the_coach_going_along(db, login, coach, client_):
    a = factories.appointment(client_, at=in_days(client_.program, -1), accompaniment_planned=True)
    browser = login(coach)
    page = browser.get(f"/appointments/{a.id}/outcome").get_data(as_text=True)
    for text in ("Attended · I went along", "Attended · client went alone", "No-show"):
        assert text in page
    assert "btn-lg" in page and "style=" not in page and "<script>" not in page
    before = datetime.now(timezone.utc)
    response = browser.post(
        f"/appointments/{a.id}/outcome",
        data={"outcome": "attended", "coach_accompanied": "yes", "version": "1"},
    )
    assert response.status_code == 302
    db.session.refresh(a)
    assert (a.outcome, a.coach_accompanied, a.version) == ("attended", True, 2)
    recorded = a.outcome_recorded_at
    recorded = recorded if recorded.tzinfo else recorded.replace(tzinfo=timezone.utc)
    assert recorded >= before - timedelta(seconds=1)
    [event] = audit_events(db, "update")
    assert event.fields == "coach_accompanied,outcome,outcome_recorded_at"


@pytest.mark.parametrize(
    ("outcome", "went", "expected"),
    [
        ("attended", "no", False),
        ("no_show", "yes", None),  # ignored: nobody went along to what did not happen
        ("cancelled", "", None),
        ("rescheduled", "no", None),
    ],
)
def test_coach_accompanied_is_kept_only_for_attended(
    db, login, coach, client_, outcome, went, expected
):
    a = factories.appointment(client_, at=in_days(client_.program, -1))
    response = login(coach).post(
        f"/appointments/{a.id}/outcome",
        data={"outcome": outcome, "coach_accompanied": went, "version": "1"},
    )
    assert response.status_code == 302
    db.session.refresh(a)
    assert (a.outcome, a.coach_accompanied) == (outcome, expected)


def test_rescheduled_leads_to_scheduling_the_new_date(db, login, coach, client_):
    a = factories.appointment(client_, at=in_days(client_.program, 2), kind="housing")
    response = login(coach).post(
        f"/appointments/{a.id}/outcome", data={"outcome": "rescheduled", "version": "1"}
    )
    assert response.status_code == 302
    assert f"/clients/{client_.id}/appointments/new?from={a.id}" in response.location


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome": "attended"}, "Say whether you went along"),
        ({"outcome": "attended", "coach_accompanied": "maybe"}, "Say whether you went along"),
        ({"outcome": "scheduled"}, "Choose what happened."),
        ({"outcome": "bogus"}, "Choose what happened."),
        ({"outcome": "<script>alert(1)</script>"}, "Choose what happened."),
        ({}, "Choose what happened."),
    ],
)
def test_bad_outcome_is_refused(db, login, coach, client_, data, message):
    a = factories.appointment(client_, at=in_days(client_.program, -1))
    response = login(coach).post(f"/appointments/{a.id}/outcome", data={**data, "version": "1"})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(a)
    assert (a.outcome, a.outcome_recorded_at, a.version) == ("scheduled", None, 1)
    assert audit_events(db, "update") == []


def test_no_attended_or_no_show_for_a_future_appointment(db, login, coach, client_):
    a = factories.appointment(client_, at=local_now(client_.program) + timedelta(minutes=30))
    browser = login(coach)
    page = browser.get(f"/appointments/{a.id}/outcome").get_data(as_text=True)
    assert "has not happened yet" in page
    assert "Attended · I went along" not in page and "No-show" not in page
    assert "Cancelled" in page and "Rescheduled" in page
    for outcome in ("attended", "no_show"):
        response = browser.post(
            f"/appointments/{a.id}/outcome",
            data={"outcome": outcome, "coach_accompanied": "yes", "version": "1"},
        )
        assert response.status_code == 422
        assert "has not happened yet" in response.get_data(as_text=True)
        db.session.refresh(a)
        assert (a.outcome, a.version) == ("scheduled", 1)
    response = browser.post(
        f"/appointments/{a.id}/outcome", data={"outcome": "cancelled", "version": "1"}
    )
    assert response.status_code == 302
    db.session.refresh(a)
    assert a.outcome == "cancelled"


def test_future_is_judged_by_the_programs_clock(db, login, monkeypatch):
    """21:00 in Los Angeles is already tomorrow in UTC: an appointment at 22:00 local is still
    in the future there, one at 20:00 has happened."""
    la = factories.program(name="LA", timezone="America/Los_Angeles")
    coach = factories.user("coach", program=la)
    client = factories.client(coach)
    Frozen(monkeypatch, datetime(2026, 3, 5, 5, 0, tzinfo=timezone.utc))  # 03-04 21:00 local
    later = factories.appointment(client, at=datetime(2026, 3, 4, 22, 0))
    earlier = factories.appointment(client, at=datetime(2026, 3, 4, 20, 0))
    browser = login(coach)
    data = {"outcome": "attended", "coach_accompanied": "no", "version": "1"}
    assert browser.post(f"/appointments/{later.id}/outcome", data=data).status_code == 422
    assert browser.post(f"/appointments/{earlier.id}/outcome", data=data).status_code == 302


def test_stale_outcome_is_refused(db, login, coach, supervisor, client_):
    a = factories.appointment(client_, at=in_days(client_.program, -1))
    browser = login(coach)
    assert 'name="version" type="hidden" value="1"' in browser.get(
        f"/appointments/{a.id}/outcome"
    ).get_data(as_text=True)
    assert (
        login(supervisor)
        .post(f"/appointments/{a.id}/outcome", data={"outcome": "no_show", "version": "1"})
        .status_code
        == 302
    )
    response = browser.post(
        f"/appointments/{a.id}/outcome",
        data={"outcome": "attended", "coach_accompanied": "yes", "version": "1"},
    )
    assert response.status_code == 422
    assert "Someone else changed this record" in response.get_data(as_text=True)
    db.session.refresh(a)
    assert (a.outcome, a.coach_accompanied, a.version) == ("no_show", None, 2)


def test_an_outcome_can_be_corrected(db, login, coach, client_):
    a = factories.appointment(client_, at=in_days(client_.program, -1))
    browser = login(coach)
    browser.post(f"/appointments/{a.id}/outcome", data={"outcome": "no_show", "version": "1"})
    response = browser.post(
        f"/appointments/{a.id}/outcome",
        data={"outcome": "attended", "coach_accompanied": "no", "version": "2"},
    )
    assert response.status_code == 302
    db.session.refresh(a)
    assert (a.outcome, a.coach_accompanied) == ("attended", False)


# --- Lists -------------------------------------------------------------------------------------


def test_today_lists_todays_and_missing_outcomes(db, login, program, coach, client_, clinic):
    today = factories.appointment(
        client_,
        at=in_days(program, 0, time(23, 30)),
        kind="legal_court",
        location=None,
        resource_id=clinic.id,
        accompaniment_planned=True,
    )
    done = factories.appointment(
        client_, at=in_days(program, 0, time(0, 0)), outcome="attended", coach_accompanied=True
    )
    tomorrow = factories.appointment(client_, at=in_days(program, 1, time(0, 0)))
    missing = factories.appointment(client_, at=in_days(program, -3), kind="benefits")
    recorded = factories.appointment(client_, at=in_days(program, -2), outcome="no_show")
    text = login(coach).get("/appointments/today").get_data(as_text=True)
    today_part, missing_part = text.split("Earlier appointments with no outcome yet")
    assert "23:30" in today_part and "Legal court" in today_part and "Eastside Clinic" in today_part
    assert "Accompaniment planned" in today_part
    assert f"/clients/{client_.id}" in today_part and client_.display_name in today_part
    assert f"/appointments/{today.id}/outcome?back=today" in today_part
    assert "Attended" in today_part and f"/appointments/{done.id}/outcome" not in today_part
    assert f"/appointments/{tomorrow.id}/" not in text
    assert f"/appointments/{missing.id}/outcome?back=today" in missing_part
    assert "Benefits" in missing_part
    assert f"/appointments/{recorded.id}/" not in text
    assert "style=" not in text and "<script>" not in text


def test_week_is_today_and_the_next_six_days(db, login, program, coach, client_):
    first = factories.appointment(client_, at=in_days(program, 0, time(0, 0)))
    last = factories.appointment(client_, at=in_days(program, 6, time(23, 59)))
    after = factories.appointment(client_, at=in_days(program, 7, time(0, 0)))
    before = factories.appointment(client_, at=in_days(program, -1, time(23, 59)))
    text = login(coach).get("/appointments/week").get_data(as_text=True)
    assert f"/appointments/{first.id}/outcome" in text
    assert f"/appointments/{last.id}/outcome" in text
    assert f"/appointments/{after.id}/" not in text and f"/appointments/{before.id}/" not in text
    assert text.count("No appointments.") == 5
    day_six = (timeutil.local_today(program) + timedelta(days=6)).isoformat()
    assert text.index(day_six) < text.index(f"/appointments/{last.id}/outcome")


def test_today_is_the_programs_local_day(db, login, monkeypatch):
    """At 21:30 in Los Angeles (05:30 UTC the next day), an appointment at 23:30 local is
    today's; one at 00:30 local is tomorrow's, though it is the UTC date's."""
    la = factories.program(name="LA", timezone="America/Los_Angeles")
    coach = factories.user("coach", program=la)
    client = factories.client(coach)
    Frozen(monkeypatch, datetime(2026, 3, 5, 5, 30, tzinfo=timezone.utc))
    assert timeutil.local_today(la) == date(2026, 3, 4)
    late = factories.appointment(client, at=datetime(2026, 3, 4, 23, 30))
    next_day = factories.appointment(client, at=datetime(2026, 3, 5, 0, 30))
    yesterday = factories.appointment(client, at=datetime(2026, 3, 3, 23, 30))
    text = login(coach).get("/appointments/today").get_data(as_text=True)
    today_part, missing_part = text.split("Earlier appointments with no outcome yet")
    assert "2026-03-04" in today_part
    assert f"/appointments/{late.id}/outcome" in today_part and "23:30" in today_part
    assert f"/appointments/{next_day.id}/" not in text
    assert f"/appointments/{yesterday.id}/outcome" in missing_part
    week = login(coach).get("/appointments/week").get_data(as_text=True)
    assert week.index("Wednesday 2026-03-04") < week.index(f"/appointments/{late.id}/")
    assert week.index(f"/appointments/{late.id}/") < week.index("Thursday 2026-03-05")
    assert week.index("Thursday 2026-03-05") < week.index(f"/appointments/{next_day.id}/")


@pytest.mark.parametrize("url", ["/appointments/today", "/appointments/week"])
def test_list_query_count_does_not_grow(db, login, program, coach, supervisor, url):
    def queries(user) -> int:
        browser = login(user)
        with QueryCounter(db.engine) as counter:
            assert browser.get(url).status_code == 200
        return counter.n

    def add(n: int) -> None:
        c = factories.client(coach)
        res = factories.resource()
        factories.appointment(c, at=in_days(program, n % 7, time(23, 0)), resource_id=res.id)
        factories.appointment(c, at=in_days(program, -1 - n))

    add(0)
    one = {user.id: queries(user) for user in (coach, supervisor)}
    for n in range(1, 15):
        add(n)
    assert {user.id: queries(user) for user in (coach, supervisor)} == one


# --- Calendar feed -----------------------------------------------------------------------------


def test_feed_has_initials_kind_zone_and_no_names(db, login, coach, clinic):
    la = factories.program(name="LA", timezone="America/Los_Angeles")
    la_coach = factories.user("coach", program=la)
    client = factories.client(
        la_coach, first_name="Jordan", last_name="Rivera", preferred_name="Jo"
    )
    a = factories.appointment(
        client,
        at=in_days(la, 2, time(9, 15)),
        kind="mental_health",
        location="Harbor Center, suite 2",
        notes="Talk about the relapse last month",
    )
    b = factories.appointment(client, at=in_days(la, 89, time(8, 0)), resource_id=clinic.id)
    factories.appointment(client, at=in_days(la, 91))  # beyond 90 days
    factories.appointment(client, at=in_days(la, -1))  # past
    factories.appointment(client, at=in_days(la, 3), outcome="cancelled")
    factories.appointment(client, at=in_days(la, 4), archived_at=datetime.now(timezone.utc))
    response = login(la_coach).get("/appointments/upcoming.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    for secret in ("Jordan", "Rivera", "Jo ", "relapse", client.code):
        assert secret not in text, secret
    calendar = Calendar.from_ical(response.data)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"appointment-{a.id}@coachapp", f"appointment-{b.id}@coachapp"}
    first = events[f"appointment-{a.id}@coachapp"]
    assert str(first["SUMMARY"]) == "JR · mental health"
    assert str(first["LOCATION"]) == "Harbor Center, suite 2"
    start = first.decoded("DTSTART")
    assert start.replace(tzinfo=None) == in_days(la, 2, time(9, 15))
    assert str(start.tzinfo) == "America/Los_Angeles"
    assert "DTSTART;TZID=America/Los_Angeles:" in text
    assert calendar.walk("VTIMEZONE")
    assert str(events[f"appointment-{b.id}@coachapp"]["LOCATION"]) == "Eastside Clinic"
    [event] = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")))
    assert event.user_id == la_coach.id and event.entity_type == "appointment"
    assert "Jordan" not in (event.detail or "")


def test_feed_uids_are_stable(db, login, coach, client_):
    a = factories.appointment(client_, at=in_days(client_.program, 1))
    browser = login(coach)
    first = browser.get("/appointments/upcoming.ics").get_data(as_text=True)
    second = browser.get("/appointments/upcoming.ics").get_data(as_text=True)
    uid = f"UID:appointment-{a.id}@coachapp"
    assert uid in first and uid in second


def test_feed_query_count_does_not_grow(db, login, coach):
    browser = login(coach)

    def queries() -> int:
        with QueryCounter(db.engine) as counter:
            assert browser.get("/appointments/upcoming.ics").status_code == 200
        return counter.n

    c = factories.client(coach)
    factories.appointment(c, at=in_days(c.program, 1), resource_id=factories.resource().id)
    one = queries()
    for n in range(15):
        c = factories.client(coach)
        factories.appointment(c, at=in_days(c.program, n + 1), resource_id=factories.resource().id)
    assert queries() == one


# --- Client page panel -------------------------------------------------------------------------


def test_client_page_panel(db, login, coach, client_, clinic):
    program = client_.program
    soon = factories.appointment(client_, at=in_days(program, 1), accompaniment_planned=True)
    later = factories.appointment(client_, at=in_days(program, 5), resource_id=clinic.id)
    went = factories.appointment(
        client_, at=in_days(program, -1), outcome="attended", coach_accompanied=True
    )
    missing = factories.appointment(client_, at=in_days(program, -2))
    for n in range(12):
        factories.appointment(client_, at=in_days(program, -10 - n), outcome="no_show")
    text = login(coach).get(f"/clients/{client_.id}").get_data(as_text=True)
    upcoming, past = text.split("Past <small")
    assert upcoming.index(f"/appointments/{soon.id}/") < upcoming.index(
        f"/appointments/{later.id}/"
    )
    assert "Accompaniment planned" in upcoming and "Eastside Clinic" in upcoming
    assert past.index(f"/appointments/{went.id}/") < past.index(f"/appointments/{missing.id}/")
    assert "Coach went along" in past and "Outcome missing" in past and "No show" in past
    assert past.count("/edit#archive") == 10  # the last 10 only
    assert f"/appointments/{missing.id}/outcome" in past
    assert f"/clients/{client_.id}/appointments/new" in text
    assert "style=" not in text and "<script>" not in text


def _panel_queries(db, client, user) -> tuple[int, dict]:
    db.session.expire_all()
    with QueryCounter(db.engine) as counter:
        panel = client_panel(client, user)
        for a in [*panel["upcoming"], *panel["past"]]:
            _ = a.resource.name if a.resource else None
    return counter.n, panel


def test_panel_query_count_is_constant(db, coach, client_):
    program = client_.program
    factories.appointment(client_, at=in_days(program, 1), resource_id=factories.resource().id)
    factories.appointment(client_, at=in_days(program, -1), resource_id=factories.resource().id)
    one, panel = _panel_queries(db, client_, coach)
    assert (len(panel["upcoming"]), len(panel["past"])) == (1, 1)
    for n in range(15):
        res = factories.resource().id
        factories.appointment(client_, at=in_days(program, 2 + n), resource_id=res)
        factories.appointment(client_, at=in_days(program, -2 - n), resource_id=res)
    many, panel = _panel_queries(db, client_, coach)
    assert (len(panel["upcoming"]), len(panel["past"])) == (16, 10)
    assert many == one


@pytest.mark.parametrize("junk", ["²", "99999999999", "x"])
def test_a_junk_appointment_to_reschedule_from_prefills_nothing(db, login, coach, client_, junk):
    response = login(coach).get(f"/clients/{client_.id}/appointments/new?from={junk}")
    assert response.status_code == 200
