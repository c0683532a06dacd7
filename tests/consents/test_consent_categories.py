"""Consents that say exactly what they allow: the summary carries the categories a consent
names and nothing else, records the disclosure, and a refused summary is audited."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from coachapp import access
from coachapp.consents import queries
from coachapp.models import AuditEvent, ConsentRecord, Disclosure
from coachapp.models.enums import ConsentCategory
from tests import factories
from tests.helpers import consent_data

# One distinctive synthetic mark per kind of record: each appears in the summary only when its
# category is named.
MARKS = {
    "attendance": "2026-02-11",  # the date of a completed contact
    "enrollment": "2025-11-03",  # the intake date
    "goals": "Kestrel-goal rent a flat",
    "appointments": "2026-01-22",
    "referrals": "2026-01-27",
    "assessments": "2026-01-29",
    "notes": "Plum-note talked about the new job",
}


@pytest.fixture
def full_client(db, coach):
    """A client with a record of every kind, each carrying its mark."""
    person = factories.client(coach, intake_date=date(2025, 11, 3))
    factories.session(person, on=date(2026, 2, 11))
    factories.session(person, on=date(2026, 2, 17), outcome="attempted", note=MARKS["notes"])
    factories.goal(person, description=MARKS["goals"], opened_on=date(2025, 11, 20))
    factories.appointment(person, at=datetime(2026, 1, 22, 10, 0))
    factories.referral(person, referred_on=date(2026, 1, 27))
    factories.assessment(person, on=date(2026, 1, 29), items=(3,) * 10)
    return person


def _consent(db, person, categories: str, **fields) -> ConsentRecord:
    values = {
        "recipient": "Synthetic Recipient Org",
        "purpose": "Synthetic purpose",
        "information_disclosed": "",
        "signed_on": access.today() - timedelta(days=3),
        "expires_on": access.today() + timedelta(days=90),
        "categories": categories,
    }
    values.update(fields)
    consent = ConsentRecord(client_id=person.id, **values)
    db.session.add(consent)
    db.session.commit()
    return consent


@pytest.mark.parametrize("category", [c.value for c in ConsentCategory])
def test_the_summary_carries_the_named_category_only(db, login, coach, full_client, category):
    consent = _consent(db, full_client, category)
    response = login(coach).get(f"/consents/{consent.id}/summary")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert MARKS[category] in page
    for other, mark in MARKS.items():
        if other != category:
            assert mark not in page, f"{other} shown under a {category}-only consent"


def test_done_when_attendance_only_carries_attendance_and_nothing_else(
    db, login, coach, full_client
):
    consent = _consent(db, full_client, "attendance", information_disclosed="goals and notes")
    page = login(coach).get(f"/consents/{consent.id}/summary").get_data(as_text=True)
    assert "1 completed coaching contact, from 2026-02-11 to 2026-02-11" in page
    assert "Dates: 2026-02-11" in page
    for other in ("enrollment", "goals", "appointments", "referrals", "assessments", "notes"):
        assert MARKS[other] not in page
        assert f'id="h-{other}"' not in page
    # The free text is printed as the client's words, and brings no records with it.
    assert "goals and notes" in page


def test_the_summary_queries_only_the_named_categories(db, coach, full_client, monkeypatch):
    consent = _consent(db, full_client, "attendance,goals")
    called = []
    for category, loader in list(queries._LOADERS.items()):
        monkeypatch.setitem(
            queries._LOADERS,
            category,
            lambda c, u, _cat=category, _f=loader: called.append(_cat.value) or _f(c, u),
        )
    sections = queries.disclosure_summary(full_client, consent, coach)
    assert sorted(called) == ["attendance", "goals"] == sorted(sections)


def test_a_summary_records_its_disclosure_with_its_audit_event(db, login, coach, full_client):
    consent = _consent(db, full_client, "attendance,enrollment")
    assert login(coach).get(f"/consents/{consent.id}/summary").status_code == 200
    row = db.session.scalar(select(Disclosure))
    assert (row.kind, row.consent_id, row.client_id, row.user_id) == (
        "consent_summary",
        consent.id,
        full_client.id,
        coach.id,
    )
    assert (row.recipient, row.purpose) == ("Synthetic Recipient Org", "Synthetic purpose")
    assert row.what == "Attendance, Enrollment"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert (event.entity_type, event.entity_id) == ("consent_record", consent.id)


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"revoked_on": "past"}, "revoked"),
        ({"signed_on": date(2025, 1, 1), "expires_on": date(2025, 6, 30)}, "expired"),
        ({"signed_on": "future"}, "not yet in force"),
    ],
)
def test_a_refused_summary_is_audited(db, login, coach, full_client, fields, detail):
    today = access.today()
    values = dict(fields)
    if values.get("revoked_on") == "past":
        values["revoked_on"] = today - timedelta(days=1)
    if values.get("signed_on") == "future":
        values["signed_on"] = today + timedelta(days=5)
    consent = _consent(db, full_client, "attendance", **values)
    response = login(coach).get(f"/consents/{consent.id}/summary")
    assert response.status_code == 403
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access_denied"))
    assert event is not None, "the refusal was not committed"
    assert (event.entity_type, event.entity_id, event.client_id, event.user_id) == (
        "consent_record",
        consent.id,
        full_client.id,
        coach.id,
    )
    assert detail in event.detail
    assert db.session.scalar(select(Disclosure)) is None


def test_revocation_stops_later_summaries_but_keeps_earlier_disclosures(
    db, login, coach, full_client
):
    browser = login(coach)
    consent = _consent(db, full_client, "attendance")
    assert browser.get(f"/consents/{consent.id}/summary").status_code == 200
    today = access.today().isoformat()
    assert (
        browser.post(f"/consents/{consent.id}/revoke", data={"revoked_on": today}).status_code
        == 302
    )
    assert browser.get(f"/consents/{consent.id}/summary").status_code == 403
    assert [d.consent_id for d in db.session.scalars(select(Disclosure))] == [consent.id]


def test_the_form_stores_categories_sorted_and_free_text_optional(db, login, coach, full_client):
    data = consent_data(categories=["goals", "attendance"], information_disclosed="")
    response = login(coach).post(f"/clients/{full_client.id}/consents/new", data=data)
    assert response.status_code == 302
    consent = db.session.scalar(select(ConsentRecord))
    assert (consent.categories, consent.information_disclosed) == ("attendance,goals", "")
    assert (consent.consent_type, consent.statements_version) == ("specific", None)
    page = login(coach).get(f"/clients/{full_client.id}").get_data(as_text=True)
    assert "May disclose: Attendance, Recovery goals" in page


def test_neither_category_nor_free_text_is_refused_beside_the_field(db, login, coach, full_client):
    data = consent_data(information_disclosed="", recipient="Kept Recipient Name")
    response = login(coach).post(f"/clients/{full_client.id}/consents/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="categories-errors"' in page and "Tick what may be disclosed" in page
    assert "Kept Recipient Name" in page
    assert db.session.scalar(select(ConsentRecord)) is None


def test_an_unknown_category_is_refused(db, login, coach, full_client):
    data = consent_data(categories=["attendance", "hiv_status"])
    response = login(coach).post(f"/clients/{full_client.id}/consents/new", data=data)
    assert response.status_code == 422
    assert db.session.scalar(select(ConsentRecord)) is None


def test_a_tpo_consent_needs_the_statements_and_keeps_their_version(db, login, coach, full_client):
    browser = login(coach)
    form = browser.get(f"/clients/{full_client.id}/consents/new").get_data(as_text=True)
    assert "revoke this consent at any time, in writing" in form
    assert "redisclosed by a HIPAA covered entity or business associate" in form
    assert "my treating providers, health plans, and the program&#39;s operations staff" in form
    data = consent_data(
        consent_type="tpo",
        recipient="my treating providers, health plans, and the program's operations staff",
        categories=["attendance", "enrollment"],
    )
    refused = browser.post(f"/clients/{full_client.id}/consents/new", data=data)
    assert refused.status_code == 422
    assert "statements_given-errors" in refused.get_data(as_text=True)
    assert db.session.scalar(select(ConsentRecord)) is None
    data["statements_given"] = "y"
    assert browser.post(f"/clients/{full_client.id}/consents/new", data=data).status_code == 302
    consent = db.session.scalar(select(ConsentRecord))
    assert (consent.consent_type, consent.statements_version) == ("tpo", "2024-02")
    page = browser.get(f"/consents/{consent.id}/summary").get_data(as_text=True)
    assert "required statements, version 2024-02" in page and "TPO consent" in page
