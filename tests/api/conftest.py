"""Fixtures of the API tests: a client with a record of each kind, and tokens."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from coachapp.auth.tokens import create_token
from coachapp.merges import services as merges
from coachapp.models import ConsentRecord, RecoveryPlan
from tests import factories
from tests.api.helpers import API


@pytest.fixture
def world(db, program, coach, supervisor, admin):
    client = factories.client(coach)
    resource = factories.resource()
    tokens = {}
    for name, user in (("coach", coach), ("supervisor", supervisor), ("admin", admin)):
        tokens[name] = {"Authorization": f"Bearer {create_token(user, 'test')[0]}"}
    db.session.commit()
    ids = {
        "program": program.id,
        "coach": coach.id,
        "supervisor": supervisor.id,
        "client": client.id,
        "resource": resource.id,
        "goal": factories.goal(client).id,
        "appointment": factories.appointment(client).id,
        "referral": factories.referral(client, resource).id,
        "session": factories.session(client, note="Talked about the lease").id,
        "signed_session": factories.session(
            client,
            note="Signed note",
            signed_at=datetime.now(timezone.utc),
            signed_by_id=coach.id,
        ).id,
        # A second coach of the team: the one a reassignment moves the client to.
        "second_coach": factories.user("coach", program=program, supervisor=supervisor).id,
    }
    # A draft recovery plan, of another client (so that starting one for ``client`` succeeds).
    planned = factories.client(coach)
    plan = RecoveryPlan(
        client_id=planned.id,
        enrollment_id=planned.latest_enrollment.id,
        number=1,
        status="draft",
    )
    db.session.add(plan)
    db.session.commit()
    ids["plan"] = plan.id
    consent = ConsentRecord(
        client_id=client.id,
        recipient="Harbor Clinic",
        purpose="Care coordination",
        information_disclosed="",
        categories="attendance,goals",
        signed_on=datetime.now(timezone.utc).date() - timedelta(days=30),
    )
    db.session.add(consent)
    db.session.commit()
    ids["consent"] = consent.id
    note = factories_note(tokens["supervisor"], coach.id)
    ids["note"] = note["id"]
    # A record of the same person from an earlier, closed episode (what a merge takes), and a
    # merge of another pair (what an undo takes).
    ids["duplicate"] = closed_client(coach).id
    ids["merge"] = merges.merge(
        factories.client(coach), closed_client(coach), {}, actor=supervisor
    ).id
    db.session.commit()
    return {"ids": ids, "tokens": tokens}


def closed_client(coach):
    from datetime import date

    from tests.helpers import discharge

    client = factories.client(coach, intake_date=date(2025, 3, 1))
    discharge(client, date(2025, 6, 1))
    return client


def factories_note(headers: dict, coach_id: int) -> dict:
    from flask import current_app

    response = current_app.test_client().post(
        "/api/v1/supervision-notes",
        headers=headers,
        json={"duration_minutes": 45, "format": "individual", "coach_ids": [coach_id]},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def mine(coach):
    """A client of ``coach`` (supervised by ``supervisor``)."""
    return factories.client(coach, first_name="José")


@pytest.fixture
def coach2(program, supervisor):
    return factories.user("coach", program=program, supervisor=supervisor, name="Cory Coach")


@pytest.fixture
def call(anon, bearer):
    """``call(user, method, url, json=None)`` -> the response, as ``user`` with a token."""
    headers: dict[int, dict] = {}

    def _call(user, method: str, url: str, json=None):
        if user.id not in headers:
            headers[user.id] = bearer(user)
        return getattr(anon, method)(API + url, headers=headers[user.id], json=json)

    return _call


@pytest.fixture
def theirs(other_coach):
    return factories.client(other_coach)


@pytest.fixture
def housing():
    return factories.resource(name="Safe Harbor", category="housing")
