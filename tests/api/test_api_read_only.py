"""Read-only fields (api.md, "Resources"): a field a resource shows but a body cannot set answers
422 ``"Read-only field."`` (never "Unknown field.") on every POST and PATCH; a client that sends
back what it read learns exactly what to drop; ``program_id`` on ``POST /clients`` is accepted
when it is the coach's program."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from coachapp.extensions import db as _db
from coachapp.models import Client
from tests import factories
from tests.api.helpers import ENDPOINTS, fill, row_counts

READ_ONLY = ["Read-only field."]
# A plausible value of each read-only field (what a client that read the record would send).
SAMPLE = {
    "id": 1,
    "code": "C-00001",
    "status": "active",
    "version": 1,
    "intake_date": "2026-01-05",
    "discharge_date": None,
    "discharge_reason": None,
    "coach_id": "{coach}",
    "program_id": "{program}",
    "client_id": "{client}",
    "resource_id": "{resource}",
    "category": "housing",
    "referred_on": "2026-03-02",
    "history": [{"status": "referred", "on": "2026-03-02"}],
    "total": 40,
    "supervisor_id": "{supervisor}",
    "acknowledged_at": None,
    "email": "coach@example.org",
    "in_window": True,
    "note": None,
    "age_band": "25–34",
    "housing_now": None,
    "housing_at_intake": None,
    "employment_now": {"status": "part_time", "as_of": "2026-03-02"},
    "employment_at_intake": None,
    "signed_at": None,
    "cosigned_at": None,
    "addenda": [],
    "signed_by_client_at": None,
    "signed_by_coach_at": None,
    "revoked_on": "2026-03-02",
    "statements_version": "2024-02",
}


def error_fields(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == "validation_error", body
    return body["error"]["fields"]


def test_the_table_covers_every_post_and_patch_of_the_api(app):
    writes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and {"POST", "PATCH"} & set(rule.methods or ())
    }
    assert writes == set(ENDPOINTS)


@pytest.mark.parametrize(
    ("endpoint", "field"),
    [(e, f) for e, (*_, read_only) in sorted(ENDPOINTS.items()) for f in sorted(read_only)],
)
def test_a_read_only_field_sent_answers_422_read_only_and_changes_nothing(
    app, world, endpoint, field
):
    who, method, url, body, _ = ENDPOINTS[endpoint]
    ids = world["ids"]
    before = row_counts()
    response = app.test_client().open(
        url.format(**ids),
        method=method,
        headers=world["tokens"][who],
        json=fill(body, ids) | {field: fill(SAMPLE[field], ids)},
    )
    assert response.status_code == 422, response.get_json()
    assert error_fields(response) == {field: READ_ONLY}
    _db.session.rollback()
    assert row_counts() == before


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_an_unknown_field_is_still_unknown(app, world, endpoint):
    who, method, url, body, _ = ENDPOINTS[endpoint]
    ids = world["ids"]
    response = app.test_client().open(
        url.format(**ids),
        method=method,
        headers=world["tokens"][who],
        json=fill(body, ids) | {"colour": "blue"},
    )
    assert response.status_code == 422
    assert error_fields(response) == {"colour": ["Unknown field."]}


def test_read_only_and_other_errors_are_named_together(anon, world):
    response = anon.post(
        "/api/v1/clients",
        headers=world["tokens"]["coach"],
        json={"first_name": "", "code": "C-9", "colour": "blue"},
    )
    assert response.status_code == 422
    fields = error_fields(response)
    assert fields["code"] == READ_ONLY and fields["colour"] == ["Unknown field."]
    assert "first_name" in fields and "last_name" in fields


# --- Sending back what was read ------------------------------------------------------------------

# endpoint: (GET url of the record, or of a list holding it, first item)
READ = {
    "api.patch_client": "/api/v1/clients/{client}",
    "api.patch_user": "/api/v1/users/{coach}",
    "api.patch_program": "/api/v1/programs",
    "api.patch_appointment": "/api/v1/clients/{client}/appointments",
    "api.patch_referral": "/api/v1/clients/{client}/referrals",
    "api.patch_goal": "/api/v1/clients/{client}/goals",
    "api.patch_session": "/api/v1/clients/{client}/sessions",
    "api.patch_profile": "/api/v1/clients/{client}/profile",
    "api.patch_resource": "/api/v1/resources",
    "api.patch_note": "/api/v1/supervision-notes",
    "api.create_client": "/api/v1/clients/{client}",
    "api.create_program": "/api/v1/programs",
    "api.create_appointment": "/api/v1/clients/{client}/appointments",
    "api.create_referral": "/api/v1/clients/{client}/referrals",
    "api.create_goal": "/api/v1/clients/{client}/goals",
    "api.create_consent": "/api/v1/clients/{client}/consents",
    "api.create_resource": "/api/v1/resources",
    "api.create_note": "/api/v1/supervision-notes",
    # Recorded first in the test (the world has none).
    "api.create_session": "/api/v1/clients/{client}/sessions",
    "api.create_assessment": "/api/v1/clients/{client}/assessments",
}
# POST /users: a user as read has no password, which a new account needs (a second error).


@pytest.mark.parametrize("endpoint", sorted(READ))
def test_a_record_sent_back_whole_names_exactly_the_fields_to_drop(app, world, coach, endpoint):
    who, method, url, _body, read_only = ENDPOINTS[endpoint]
    ids = world["ids"]
    browser = app.test_client()
    headers = world["tokens"][who]
    client = _db.session.get(Client, ids["client"])
    factories.session(client, note="Talked about the lease")
    factories.assessment(client)
    record = browser.get(READ[endpoint].format(**ids), headers=headers).get_json()
    record = record["items"][0] if "items" in record else record

    whole = browser.open(url.format(**ids), method=method, headers=headers, json=record)
    assert whole.status_code == 422, whole.get_json()
    assert error_fields(whole) == dict.fromkeys(read_only, READ_ONLY)

    trimmed = {key: value for key, value in record.items() if key not in read_only}
    if endpoint == "api.create_program":
        trimmed["name"] = "Another program"  # names are unique
    again = browser.open(url.format(**ids), method=method, headers=headers, json=trimmed)
    assert again.status_code == (201 if method == "POST" else 200), again.get_json()


# --- program_id on POST /clients -----------------------------------------------------------------


def test_a_coach_may_give_their_own_program(db, anon, world, coach, program):
    response = anon.post(
        "/api/v1/clients",
        headers=world["tokens"]["coach"],
        json={"first_name": "Ana", "last_name": "Lima", "program_id": program.id},
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["program_id"] == program.id


def test_a_supervisor_gives_the_program_of_the_coach_they_assign(db, anon, world, coach, program):
    response = anon.post(
        "/api/v1/clients",
        headers=world["tokens"]["supervisor"],
        json={
            "first_name": "Ana",
            "last_name": "Lima",
            "coach_id": coach.id,
            "program_id": program.id,
            "intake_date": date(2026, 2, 1).isoformat(),
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["coach_id"], body["program_id"]) == (coach.id, program.id)


@pytest.mark.parametrize("who", ["coach", "supervisor"])
def test_another_program_is_refused_naming_program_id(db, anon, world, coach, who):
    other = factories.program("Elsewhere")
    before = db.session.scalar(select(func.count(Client.id)))
    response = anon.post(
        "/api/v1/clients",
        headers=world["tokens"][who],
        json={
            "first_name": "Ana",
            "last_name": "Lima",
            "coach_id": coach.id,
            "program_id": other.id,
        },
    )
    assert response.status_code == 422
    assert error_fields(response) == {"program_id": ["Not the program of the client's coach."]}
    assert db.session.scalar(select(func.count(Client.id))) == before
