"""Each business rule is written once, in its feature's services: the pages and the JSON API
refuse the same bad input with the same message, beside the same field (the page) or named in
the 422's ``fields`` (the API), and nothing is saved. Then each rule at the service level,
without HTTP.

The program keeps the time of Kiritimati (UTC+14): "the future" is the program's, on both paths.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from coachapp.clients import services as client_services
from coachapp.extensions import db as _db
from coachapp.models import (
    AuditEvent,
    Client,
    Enrollment,
    Referral,
    Resource,
)
from tests import factories
from tests.platform.one_rule.helpers import FUTURE, Case, assert_both_refuse, tomorrow

# --- The same bad input on both paths ----------------------------------------------------------


def intake(program, coach, **overrides) -> Case:
    """A new client whose one bad date is ``overrides``."""
    [(key, value)] = overrides.items()
    return Case(
        "/clients/new",
        {
            "first_name": "Ana",
            "last_name": "Okafor",
            "date_of_birth": "1990-04-02",
            "intake_date": "2026-03-05",
            "coach_id": str(coach.id),
        }
        | overrides,
        key,
        "post",
        "/clients",
        {"first_name": "Ana", "last_name": "Okafor", key: value},
        key,
        FUTURE,
        [(Client, 0), (Enrollment, 0)],
    )


def client_cases(name: str, program, coach) -> Case:
    day = tomorrow(program)
    if name.startswith("intake_"):
        return intake(program, coach, **{name.removeprefix("intake_"): day})
    person = factories.client(coach, first_name="Ana", last_name="Okafor")
    if name == "edit_date_of_birth":
        return Case(
            f"/clients/{person.id}/edit",
            {"first_name": "Ana", "last_name": "Okafor", "status": "active", "version": "1"}
            | {"date_of_birth": day},
            "date_of_birth",
            "patch",
            f"/clients/{person.id}",
            {"date_of_birth": day},
            "date_of_birth",
            FUTURE,
        )
    if name in ("discharge_future", "discharge_before_intake"):
        on = day if name == "discharge_future" else "2026-01-04"
        message = (
            FUTURE
            if name == "discharge_future"
            else "The discharge date cannot be before the intake date (2026-01-05)."
        )
        return Case(
            f"/clients/{person.id}/discharge",
            {"version": "1", "discharge_date": on, "discharge_reason": "moved"},
            "discharge_date",
            "post",
            f"/clients/{person.id}/discharge",
            {"discharge_date": on, "discharge_reason": "moved"},
            "discharge_date",
            message,
        )
    assert name == "reenroll_future"
    client_services.discharge(
        person, on=date(2026, 2, 1), reason="moved", note=None, version=None, actor=coach
    )
    _db.session.commit()
    return Case(
        f"/clients/{person.id}/reenroll",
        {"version": str(person.version), "intake_date": day},
        "intake_date",
        "post",
        f"/clients/{person.id}/reenroll",
        {"intake_date": day},
        "intake_date",
        FUTURE,
        [(Enrollment, 1)],
    )


CLIENT_CASES = [
    "intake_date_of_birth",
    "intake_consent_date",
    "intake_intake_date",
    "edit_date_of_birth",
    "discharge_future",
    "discharge_before_intake",
    "reenroll_future",
]


def client_versions(db) -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(
        select(Client.id, Client.version, Client.status, Client.date_of_birth)
    ).all()


@pytest.mark.parametrize("name", CLIENT_CASES)
def test_client_dates_are_refused_alike_by_the_page_and_the_api(
    db, login, call, program, coach, name
):
    case = client_cases(name, program, coach)
    before = client_versions(db)
    assert_both_refuse(db, login, call, coach, case)
    assert client_versions(db) == before


def test_a_signed_consent_is_on_file_through_the_page_and_the_api(db, login, call, coach):
    by_page = factories.client(coach, first_name="Ana")
    by_api = factories.client(coach, first_name="Bea")
    response = login(coach).post(
        f"/clients/{by_page.id}/edit",
        data={"first_name": "Ana", "last_name": "Okafor", "status": "active"}
        | {"consent_date": "2026-02-01", "version": "1"},
    )
    assert response.status_code == 302
    response = call(
        coach,
        "patch",
        f"/clients/{by_api.id}",
        {"consent_date": "2026-02-01", "consent_on_file": False},
    )
    assert response.status_code == 200 and response.get_json()["consent_on_file"] is True
    db.session.expire_all()
    assert db.session.get(Client, by_page.id).consent_on_file is True
    assert db.session.get(Client, by_api.id).consent_on_file is True


def test_a_mutual_aid_meeting_stays_recovery_support_on_the_page_and_the_api(
    db, login, call, admin
):
    meeting = factories.resource(
        name="Tuesday Step", category="recovery_support", meeting_model="aa"
    )
    case = Case(
        f"/resources/{meeting.id}/edit",
        {"name": "Tuesday Step", "category": "housing", "meeting_model": "aa", "active": "y"},
        "category",
        "patch",
        f"/resources/{meeting.id}",
        {"category": "housing"},
        "category",
        "A mutual-aid meeting is a recovery support resource.",
    )
    assert_both_refuse(db, login, call, admin, case)
    db.session.expire_all()
    assert db.session.get(Resource, meeting.id).category == "recovery_support"
    assert not db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "resource"))


def referral_case(name: str, program, coach) -> Case:
    person = factories.client(coach)
    housing = factories.resource(name="Harbor Housing", category="housing")
    page = {
        "resource_id": str(housing.id),
        "referred_on": "2026-03-02",
        "status": "referred",
        "connected_on": "",
        "closed_on": "",
    }
    api = {"resource_id": housing.id, "referred_on": "2026-03-02"}
    new, listed = f"/clients/{person.id}/referrals/new", f"/clients/{person.id}/referrals"
    unchanged = [(Referral, 0)]
    if name == "connected_without_its_date":
        return Case(
            new,
            page | {"status": "connected"},
            "connected_on",
            "post",
            listed,
            api | {"status": "connected"},
            "connected_on",
            "Give the date the client was connected.",
            unchanged,
        )
    if name == "connected_in_the_future":
        day = tomorrow(program)
        return Case(
            new,
            page | {"status": "connected", "connected_on": day},
            "connected_on",
            "post",
            listed,
            api | {"status": "connected", "connected_on": day},
            "connected_on",
            FUTURE,
            unchanged,
        )
    if name == "a_date_the_status_has_not":
        return Case(
            new,
            page | {"connected_on": "2026-03-04"},
            "connected_on",
            "post",
            listed,
            api | {"connected_on": "2026-03-04"},
            "connected_on",
            "Only a connected referral has this date.",
            unchanged,
        )
    if name == "an_unknown_resource":
        return Case(
            new,
            page | {"resource_id": "999999"},
            "resource_id",
            "post",
            listed,
            api | {"resource_id": 999_999},
            "resource_id",
            "Choose an active resource from the list.",
            unchanged,
        )
    assert name == "connection_of_a_referral_in_the_future"
    referral = factories.referral(person, housing)
    day = tomorrow(program)
    return Case(
        f"/referrals/{referral.id}/status",
        {"status": "connected", "changed_on": day, "version": "1"},
        "changed_on",
        "patch",
        f"/referrals/{referral.id}",
        {"status": "connected", "connected_on": day},
        "connected_on",
        FUTURE,
        [(Referral, 1)],
    )


@pytest.mark.parametrize(
    "name",
    [
        "connected_without_its_date",
        "connected_in_the_future",
        "a_date_the_status_has_not",
        "an_unknown_resource",
        "connection_of_a_referral_in_the_future",
    ],
)
def test_referral_rules_are_the_same_on_the_page_and_the_api(db, login, call, program, coach, name):
    case = referral_case(name, program, coach)
    assert_both_refuse(db, login, call, coach, case)
    db.session.expire_all()
    assert db.session.scalars(select(Referral.status)).all() in ([], ["referred"])
