"""Appointments tied to sessions: "attended, I went along" offers an accompaniment session
prefilled from the appointment, saved only after the coach reviews it; a warning (never a
refusal) when an appointment is within an hour of another of the same coach where going along
is planned."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from coachapp import timeutil
from coachapp.models import Appointment, CoachingSession
from tests import factories
from tests.helpers import in_days


@pytest.fixture
def client_(coach):
    return factories.client(coach, first_name="Jordan", last_name="Quintero")


@pytest.fixture
def past(client_):
    return factories.appointment(
        client_,
        at=in_days(client_.program, -1, time(9, 30)),
        kind="mental_health",
        location="Harbor Center",
        accompaniment_planned=True,
    )


def sessions(db) -> int:
    return db.session.scalar(select(func.count(CoachingSession.id)))


def test_went_along_offers_a_prefilled_session_saved_after_review(db, login, coach, client_, past):
    browser = login(coach)
    response = browser.post(
        f"/appointments/{past.id}/outcome",
        data={"outcome": "attended", "coach_accompanied": "yes", "version": past.version},
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/appointments/{past.id}/accompaniment")
    assert sessions(db) == 0  # offered, not saved
    page = unescape(browser.get(response.location).get_data(as_text=True))
    day = past.scheduled_at.date().isoformat()
    assert f'value="{day}"' in page
    assert '<option selected value="accompaniment">' in page
    assert '<option selected value="in_person">' in page
    assert 'value="60"' in page
    assert "Went along to the mental health appointment (Harbor Center)." in page
    saved = browser.post(
        f"/appointments/{past.id}/accompaniment",
        data={
            "date": day,
            "duration_minutes": "75",
            "modality": "in_person",
            "kind": "accompaniment",
            "outcome": "completed",
            "note": "Went along to the appointment; waited with J. and talked after.",
        },
    )
    assert saved.status_code == 302
    (session,) = db.session.scalars(select(CoachingSession)).all()
    assert (session.kind, session.date, session.duration_minutes, session.coach_id) == (
        "accompaniment",
        past.scheduled_at.date(),
        75,
        coach.id,
    )
    assert session.note.startswith("Went along")
    again = browser.get(f"/appointments/{past.id}/accompaniment").get_data(as_text=True)
    assert "is logged already" in again


def test_went_alone_or_no_show_offers_nothing(db, login, coach, client_, past):
    browser = login(coach)
    response = browser.post(
        f"/appointments/{past.id}/outcome",
        data={"outcome": "attended", "coach_accompanied": "no", "version": past.version},
    )
    assert response.status_code == 302 and "accompaniment" not in response.location
    offered = browser.get(f"/appointments/{past.id}/accompaniment")
    assert offered.status_code == 302 and offered.location.endswith(
        f"/appointments/{past.id}/outcome"
    )
    assert sessions(db) == 0


def test_invalid_session_keeps_what_was_typed_and_saves_nothing(db, login, coach, past):
    past.outcome, past.coach_accompanied = "attended", True
    db.session.commit()
    response = login(coach).post(
        f"/appointments/{past.id}/accompaniment",
        data={
            "date": past.scheduled_at.date().isoformat(),
            "duration_minutes": "9000",
            "modality": "in_person",
            "kind": "accompaniment",
            "outcome": "completed",
            "note": "Typed with care",
        },
    )
    assert response.status_code == 422
    assert "Typed with care" in response.get_data(as_text=True)
    assert sessions(db) == 0


def test_accompaniment_page_is_404_outside_the_rule(db, login, other_coach, past):
    assert login(other_coach).get(f"/appointments/{past.id}/accompaniment").status_code == 404


def form(day, at: str, **extra) -> dict:
    return {
        "date": day.isoformat(),
        "time": at,
        "kind": "medical",
        "location": "",
        "resource_id": "",
        "notes": "",
    } | extra


def test_overlap_with_a_planned_accompaniment_warns_but_saves(db, login, coach, client_):
    other = factories.client(coach, first_name="Ana", last_name="Bell")
    day = timeutil.local_today(client_.program) + timedelta(days=3)
    factories.appointment(
        other, at=datetime.combine(day, time(10, 0)), accompaniment_planned=True, kind="housing"
    )
    browser = login(coach)
    response = browser.post(
        f"/clients/{client_.id}/appointments/new",
        data=form(day, "10:30"),
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = unescape(response.get_data(as_text=True))
    assert "Appointment scheduled." in page
    assert "within an hour of another one of yours" in page and "10:00 (housing" in page
    assert "Ana" not in page.split("within an hour")[1].split("</div>")[0]
    assert db.session.scalar(select(func.count(Appointment.id))) == 2


def test_no_warning_an_hour_apart_or_without_going_along(db, login, coach, client_):
    other = factories.client(coach, first_name="Ana", last_name="Bell")
    day = timeutil.local_today(client_.program) + timedelta(days=3)
    factories.appointment(other, at=datetime.combine(day, time(10, 0)), accompaniment_planned=True)
    factories.appointment(other, at=datetime.combine(day, time(14, 0)))  # not going along
    factories.appointment(
        other,
        at=datetime.combine(day, time(16, 0)),
        accompaniment_planned=True,
        outcome="cancelled",
    )
    browser = login(coach)
    for at in ("11:00", "14:15", "16:00"):
        page = browser.post(
            f"/clients/{client_.id}/appointments/new", data=form(day, at), follow_redirects=True
        ).get_data(as_text=True)
        assert "within an hour" not in page, at


def test_editing_into_an_overlap_warns_and_planning_to_go_along_counts_too(
    db, login, coach, client_
):
    other = factories.client(coach, first_name="Ana", last_name="Bell")
    day = timeutil.local_today(client_.program) + timedelta(days=3)
    factories.appointment(other, at=datetime.combine(day, time(10, 0)))  # not going along
    mine = factories.appointment(client_, at=datetime.combine(day, time(15, 0)))
    response = login(coach).post(
        f"/appointments/{mine.id}/edit",
        data=form(day, "10:45", accompaniment_planned="y", version=mine.version),
        follow_redirects=True,
    )
    page = unescape(response.get_data(as_text=True))
    assert "Appointment saved." in page and "within an hour" in page
    db.session.expire_all()
    assert db.session.get(Appointment, mine.id).scheduled_at.time() == time(10, 45)
