"""42 CFR Part 2 consents: recorded, revoked, shown on the client page; a printable summary
only while one is in force, with the redisclosure notice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coachapp import access
from coachapp.models import AuditEvent, Client, ConsentRecord
from tests import factories
from tests.helpers import consent_data


@pytest.fixture
def client_record(coach):
    return factories.client(coach)


def test_record_a_consent_and_print_the_summary(db, login, coach, client_record):
    browser = login(coach)
    response = browser.post(f"/clients/{client_record.id}/consents/new", data=consent_data())
    assert response.status_code == 302
    consent = db.session.scalar(select(ConsentRecord))
    db.session.expire_all()
    assert db.session.get(Client, client_record.id).consent_on_file is True
    page = browser.get(f"/clients/{client_record.id}").get_data(as_text=True)
    assert "Riverside County Housing Authority" in page and "In force" in page
    summary = browser.get(f"/consents/{consent.id}/summary")
    assert summary.status_code == 200
    text = summary.get_data(as_text=True)
    assert "42 CFR part 2" in text and "prohibit you from making any further disclosure" in text
    assert client_record.last_name in text
    assert (
        db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "export"))
        == "disclosure summary"
    )


def test_no_summary_without_a_consent_in_force(db, login, coach, client_record):
    browser = login(coach)
    browser.post(
        f"/clients/{client_record.id}/consents/new",
        data=consent_data(signed_on="2025-01-01", expires_on="2025-06-30"),
    )
    expired = db.session.scalar(select(ConsentRecord))
    assert browser.get(f"/consents/{expired.id}/summary").status_code == 403


def test_revoked_consent_stops_the_summary(db, login, coach, client_record):
    browser = login(coach)
    browser.post(f"/clients/{client_record.id}/consents/new", data=consent_data())
    consent = db.session.scalar(select(ConsentRecord))
    today = access.today().isoformat()
    assert (
        browser.post(f"/consents/{consent.id}/revoke", data={"revoked_on": today}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(ConsentRecord, consent.id).revoked_on == date.fromisoformat(today)
    assert browser.get(f"/consents/{consent.id}/summary").status_code == 403
    page = browser.get(f"/clients/{client_record.id}").get_data(as_text=True)
    assert f"Revoked {today}" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"recipient": "  "}, "This field is required."),
        ({"signed_on": "2026-02-30"}, "Not a valid date value."),
        ({"expires_on": "2020-01-01"}, "cannot expire before it is signed"),
        ({"signed_on": (date.today() + timedelta(days=5)).isoformat()}, "in the future"),
        ({"purpose": "x" * 2001}, "Field cannot be longer than 2000 characters."),
    ],
)
def test_bad_consent_input(db, login, coach, client_record, overrides, message):
    response = login(coach).post(
        f"/clients/{client_record.id}/consents/new", data=consent_data(**overrides)
    )
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(ConsentRecord)) is None


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("coach", 200),
        ("supervisor", 200),
        ("other_coach", 404),
        ("other_supervisor", 404),
        ("program_manager", 404),
        ("admin", 404),
    ],
)
def test_consent_routes_follow_the_access_rule(request, db, login, client_record, role, expected):
    consent = ConsentRecord(
        client_id=client_record.id,
        recipient="Clinic",
        purpose="Care",
        information_disclosed="All",
        signed_on=date(2026, 1, 1),
    )
    db.session.add(consent)
    db.session.commit()
    browser = login(request.getfixturevalue(role))
    assert browser.get(f"/clients/{client_record.id}/consents/new").status_code == expected
    assert browser.get(f"/consents/{consent.id}/summary").status_code == expected
    if expected == 404:
        assert (
            browser.post(
                f"/consents/{consent.id}/revoke", data={"revoked_on": "2026-02-01"}
            ).status_code
            == 404
        )
