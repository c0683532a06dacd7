"""Appointments: edit with locking, archive, and the outcome recorded in one tap."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from coachapp import timeutil
from tests import factories
from tests.appointments.helpers import Frozen, audit_events
from tests.helpers import appointment_data, in_days, local_now

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
