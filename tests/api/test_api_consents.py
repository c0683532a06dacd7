"""The consents API: list and record by the access rule, categories checked against the enum,
TPO consents with their statements, revoke, and the summary carrying only what the consent
names (a disclosure recorded; refused and audited when the consent is not in force)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from coachapp import access
from coachapp.models import AuditEvent, ConsentRecord, Disclosure
from tests import factories
from tests.api.helpers import fields_of

GOOD = {
    "recipient": "Synthetic Housing Office",
    "purpose": "Housing application",
    "categories": ["enrollment", "attendance"],
}


@pytest.fixture
def person(db, coach):
    person = factories.client(coach, intake_date=date(2025, 11, 3))
    factories.session(person, on=date(2026, 2, 11))
    factories.session(person, on=date(2026, 2, 17), outcome="attempted", note="Plum-note text")
    factories.goal(person, description="Kestrel-goal rent a flat")
    factories.appointment(person, at=datetime(2026, 1, 22, 10, 0))
    factories.referral(person, referred_on=date(2026, 1, 27))
    factories.assessment(person, on=date(2026, 1, 29), items=(3,) * 10)
    return person


def test_record_list_and_read_a_consent(db, call, coach, person):
    created = call(coach, "post", f"/clients/{person.id}/consents", GOOD)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["categories"] == ["attendance", "enrollment"]
    assert (body["consent_type"], body["other"], body["statements_version"]) == (
        "specific",
        "",
        None,
    )
    assert body["signed_on"] == access.today().isoformat() and body["revoked_on"] is None
    assert created.headers["Cache-Control"] == "no-store"
    assert db.session.get(ConsentRecord, body["id"]).categories == "attendance,enrollment"
    listed = call(coach, "get", f"/clients/{person.id}/consents").get_json()
    assert listed["total"] == 1 and listed["items"][0] == body
    assert set(body) == {
        "id",
        "client_id",
        "consent_type",
        "recipient",
        "purpose",
        "categories",
        "other",
        "signed_on",
        "expires_on",
        "revoked_on",
        "statements_version",
    }


def test_outside_the_rule_is_404(db, call, coach, other_coach, person):
    consent = call(coach, "post", f"/clients/{person.id}/consents", GOOD).get_json()
    assert call(other_coach, "get", f"/clients/{person.id}/consents").status_code == 404
    assert call(other_coach, "post", f"/clients/{person.id}/consents", GOOD).status_code == 404
    assert call(other_coach, "get", f"/consents/{consent['id']}/summary").status_code == 404
    assert (
        call(
            other_coach,
            "post",
            f"/consents/{consent['id']}/revoke",
            {"revoked_on": access.today().isoformat()},
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"categories": ["attendance", "hiv_status"]}, "categories"),
        ({"categories": "attendance"}, "categories"),
        ({"categories": [], "other": ""}, "categories"),
        ({"consent_type": "general"}, "consent_type"),
        ({"consent_type": "tpo"}, "statements_given"),
        ({"recipient": "  "}, "recipient"),
        ({"signed_on": "2099-01-01"}, "signed_on"),
        ({"signed_on": "2026-03-01", "expires_on": "2026-02-01"}, "expires_on"),
        ({"id": 5}, "id"),
        ({"statements_version": "2024-02"}, "statements_version"),
        ({"revoked_on": "2026-03-01"}, "revoked_on"),
    ],
)
def test_validation_names_the_field(db, call, coach, person, change, field):
    response = call(coach, "post", f"/clients/{person.id}/consents", GOOD | change)
    assert field in fields_of(response)
    assert db.session.scalar(select(ConsentRecord)) is None


def test_read_only_fields_answer_read_only(db, call, coach, person):
    response = call(coach, "post", f"/clients/{person.id}/consents", GOOD | {"client_id": 1})
    assert fields_of(response) == {"client_id": ["Read-only field."]}


def test_free_text_alone_is_enough_and_carries_no_data(db, call, coach, person):
    body = GOOD | {"categories": [], "other": "Goals and notes, in general"}
    consent = call(coach, "post", f"/clients/{person.id}/consents", body).get_json()
    summary = call(coach, "get", f"/consents/{consent['id']}/summary").get_json()
    assert summary["consent"]["other"] == "Goals and notes, in general"
    for name in ("attendance", "enrollment", "goals", "appointments", "referrals", "notes"):
        assert name not in summary


def test_a_tpo_consent_keeps_the_statements_version(db, call, coach, person):
    body = GOOD | {
        "consent_type": "tpo",
        "recipient": "my treating providers, health plans, and the program's operations staff",
        "statements_given": True,
    }
    created = call(coach, "post", f"/clients/{person.id}/consents", body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["statements_version"] == "2024-02"
    summary = call(coach, "get", f"/consents/{created.get_json()['id']}/summary").get_json()
    assert summary["consent"]["statements_version"] == "2024-02"
    assert (
        "revoke this consent at any time, in writing"
        in summary["statements"]["Your right to revoke"]
    )


def test_the_summary_carries_only_the_named_categories_and_is_a_disclosure(db, call, coach, person):
    consent = call(coach, "post", f"/clients/{person.id}/consents", GOOD).get_json()
    response = call(coach, "get", f"/consents/{consent['id']}/summary")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    summary = response.get_json()
    assert summary["attendance"] == {
        "count": 1,
        "first": "2026-02-11",
        "last": "2026-02-11",
        "dates": ["2026-02-11"],
    }
    assert summary["enrollment"] == [
        {"intake_date": "2025-11-03", "discharge_date": None, "discharge_reason": None}
    ]
    for name in ("goals", "appointments", "referrals", "assessments", "notes"):
        assert name not in summary
    text = response.get_data(as_text=True)
    for mark in ("Kestrel-goal", "Plum-note", "2026-01-22", "2026-01-27", "2026-01-29"):
        assert mark not in text
    assert "42 CFR part 2" in summary["notice"]
    disclosure = db.session.scalar(select(Disclosure))
    assert (disclosure.kind, disclosure.consent_id, disclosure.user_id) == (
        "consent_summary",
        consent["id"],
        coach.id,
    )
    assert disclosure.what == "Attendance, Enrollment"


def test_notes_and_assessments_under_a_consent_that_names_them(db, call, coach, person):
    body = GOOD | {"categories": ["notes", "assessments"]}
    consent = call(coach, "post", f"/clients/{person.id}/consents", body).get_json()
    summary = call(coach, "get", f"/consents/{consent['id']}/summary").get_json()
    assert summary["notes"] == [{"date": "2026-02-17", "note": "Plum-note text"}]
    assert summary["assessments"] == [{"administered_on": "2026-01-29", "total": 30}]
    assert "attendance" not in summary and "enrollment" not in summary


def test_revoke_then_the_summary_is_refused_and_audited(db, call, coach, person):
    consent = call(coach, "post", f"/clients/{person.id}/consents", GOOD).get_json()
    assert call(coach, "get", f"/consents/{consent['id']}/summary").status_code == 200
    today = access.today().isoformat()
    revoked = call(coach, "post", f"/consents/{consent['id']}/revoke", {"revoked_on": today})
    assert revoked.status_code == 200 and revoked.get_json()["revoked_on"] == today
    again = call(coach, "post", f"/consents/{consent['id']}/revoke", {"revoked_on": today})
    assert "revoked_on" in fields_of(again)
    refused = call(coach, "get", f"/consents/{consent['id']}/summary")
    assert refused.status_code == 403
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access_denied"))
    assert (event.entity_type, event.entity_id, event.client_id) == (
        "consent_record",
        consent["id"],
        person.id,
    )
    assert "revoked" in event.detail
    # The disclosure made before the revocation stays.
    assert db.session.scalar(select(Disclosure.consent_id)) == consent["id"]
    assert len(db.session.scalars(select(Disclosure)).all()) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "revoked_on"), ({"revoked_on": "2099-01-01"}, "revoked_on"), ({"x": 1}, "x")],
)
def test_revoke_validation(db, call, coach, person, body, field):
    consent = call(coach, "post", f"/clients/{person.id}/consents", GOOD).get_json()
    assert field in fields_of(call(coach, "post", f"/consents/{consent['id']}/revoke", body))


def test_an_expired_consent_gives_no_summary(db, call, coach, person):
    consent = ConsentRecord(
        client_id=person.id,
        recipient="Old Recipient",
        purpose="Old purpose",
        information_disclosed="",
        categories="attendance",
        signed_on=access.today() - timedelta(days=400),
        expires_on=access.today() - timedelta(days=1),
    )
    db.session.add(consent)
    db.session.commit()
    assert call(coach, "get", f"/consents/{consent.id}/summary").status_code == 403
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access_denied"))
    assert "expired" in event.detail
    assert db.session.scalar(select(Disclosure)) is None
