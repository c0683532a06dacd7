"""Appointments: the today and week lists (program-local days), the calendar feed and the
client-page panel."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from icalendar import Calendar
from sqlalchemy import select

from coachapp import timeutil
from coachapp.appointments.queries import client_panel
from coachapp.models import AuditEvent
from tests import factories
from tests.appointments.helpers import Frozen
from tests.helpers import QueryCounter, in_days

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
