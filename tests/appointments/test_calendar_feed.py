"""The calendar subscription address: a per-user secret (only its hash stored), revocable and
replaceable; the feed is the download's iCalendar (initials and kind only), public but keyed by
the token, no-store, rate-limited, audited, and 404 for a revoked or unknown token."""

from __future__ import annotations

import hashlib
import re

import pytest
from icalendar import Calendar
from sqlalchemy import select

from coachapp.extensions import limiter
from coachapp.models import AuditEvent, CalendarFeedToken
from tests import factories
from tests.helpers import in_days


def subscribe(browser) -> str:
    """Create a subscription from the appointments page; the token from the address shown."""
    page = browser.post("/appointments/subscription/new").get_data(as_text=True)
    match = re.search(r'value="https?://[^"]*/calendar/([A-Za-z0-9_-]+)\.ics"', page)
    assert match, page
    return match.group(1)


@pytest.fixture
def booked(db, coach):
    client = factories.client(coach, first_name="Jordan", last_name="Quintero")
    appointment = factories.appointment(
        client,
        at=in_days(client.program, 2),
        kind="mental_health",
        notes="Talk about the relapse",
    )
    return client, appointment


def test_subscribe_shows_the_address_once_and_stores_only_a_hash(db, login, coach, booked):
    browser = login(coach)
    assert "Create my subscription address" in browser.get("/appointments/subscription").get_data(
        as_text=True
    )
    token = subscribe(browser)
    (row,) = db.session.scalars(select(CalendarFeedToken)).all()
    assert row.user_id == coach.id
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash
    again = browser.get("/appointments/subscription").get_data(as_text=True)
    assert token not in again and "in force since" in again


def test_feed_by_token_has_initials_only_and_no_store(db, anon, login, coach, booked):
    client, appointment = booked
    token = subscribe(login(coach))
    response = anon.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    for secret in ("Jordan", "Quintero", "relapse", client.code):
        assert secret not in text, secret
    (event,) = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "JQ · mental health"
    assert str(event["UID"]) == f"appointment-{appointment.id}@coachapp"
    exports = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert [(e.user_id, e.detail) for e in exports] == [
        (coach.id, "calendar subscription, 1 appointments")
    ]
    assert db.session.scalar(select(CalendarFeedToken.last_used_at)) is not None


def test_revoked_replaced_and_unknown_tokens_are_404(db, anon, login, coach, booked):
    browser = login(coach)
    first = subscribe(browser)
    second = subscribe(browser)  # a new address: the first one stops
    assert anon.get(f"/calendar/{first}.ics").status_code == 404
    assert anon.get(f"/calendar/{second}.ics").status_code == 200
    assert browser.post("/appointments/subscription/revoke").status_code == 302
    assert anon.get(f"/calendar/{second}.ics").status_code == 404
    assert anon.get("/calendar/nonsense.ics").status_code == 404
    assert anon.get(f"/calendar/{'x' * 500}.ics").status_code == 404
    assert all(r.revoked_at for r in db.session.scalars(select(CalendarFeedToken)))
    assert "Create my subscription address" in browser.get("/appointments/subscription").get_data(
        as_text=True
    )


def test_deactivation_stops_the_subscription(db, anon, login, admin, coach, booked):
    token = subscribe(login(coach))
    login(admin).post(f"/admin/users/{coach.id}/deactivate", data={"confirm": "yes"})
    assert anon.get(f"/calendar/{token}.ics").status_code == 404


def test_feed_sees_only_the_token_users_clients(db, anon, login, coach, other_coach, booked):
    other_client = factories.client(other_coach, first_name="Zed", last_name="Young")
    factories.appointment(other_client, at=in_days(other_client.program, 1))
    token = subscribe(login(coach))
    text = anon.get(f"/calendar/{token}.ics").get_data(as_text=True)
    assert text.count("BEGIN:VEVENT") == 1 and "ZY" not in text


def test_feed_is_rate_limited(app, db, anon, login, coach, booked):
    token = subscribe(login(coach))
    app.config["CALENDAR_FEED_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    try:
        codes = [anon.get(f"/calendar/{token}.ics").status_code for _ in range(4)]
    finally:
        app.config.pop("CALENDAR_FEED_RATE_LIMIT")
        limiter.reset()
    assert codes == [200, 200, 200, 429]


def test_subscription_pages_are_for_coaches_and_supervisors(login, program_manager):
    browser = login(program_manager)
    assert browser.get("/appointments/subscription").status_code == 403
    assert browser.post("/appointments/subscription/new").status_code == 403


def test_appointments_page_links_the_subscription(login, coach):
    page = login(coach).get("/appointments/today").get_data(as_text=True)
    assert 'href="/appointments/subscription"' in page and "/appointments/upcoming.ics" in page


def test_profile_links_the_subscription(login, coach, program_manager):
    assert 'href="/appointments/subscription"' in login(coach).get("/auth/profile").get_data(
        as_text=True
    )
    assert "/appointments/subscription" not in login(program_manager).get("/auth/profile").get_data(
        as_text=True
    )
