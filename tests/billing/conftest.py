"""Billing fixtures: a billing specialist, a program's settings and a client ready to bill."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from coachapp.extensions import db as _db
from coachapp.models import BillingSetting, RecoveryPlan
from tests import factories

MONTH = "2026-05"


@pytest.fixture
def billing_user(program):
    return factories.user("billing", program=program, name="Bea Billing")


@pytest.fixture
def setting(program):
    row = BillingSetting(
        program_id=program.id,
        effective_from=date(2026, 1, 1),
        payer="State Medicaid",
        code="H0038",
        group_modifier="HQ",
        telehealth_modifier="95",
        unit_minutes=15,
        first_unit_minutes=8,
        next_unit_minutes=8,
        daily_cap_units=4,
    )
    _db.session.add(row)
    _db.session.commit()
    return row


@pytest.fixture
def billable_client(coach):
    """A client with a member id, a TPO consent signed at intake (2026-04-01, in force), a goal
    and a plan signed by both on 2026-04-20."""
    client = factories.client(
        coach, intake_date=date(2026, 4, 1), payer="State Medicaid", member_id="MCD123456"
    )
    client.test_consent = factories.consent(client, signed_on=date(2026, 4, 1))  # type: ignore[attr-defined]
    goal = factories.goal(client, opened_on=date(2026, 4, 2))
    plan = RecoveryPlan(
        client_id=client.id,
        enrollment_id=client.latest_enrollment.id,
        number=1,
        status="signed",
        strengths="PLAN STRENGTHS TEXT",
        signed_by_client_at=datetime(2026, 4, 20, 15, tzinfo=timezone.utc),
        signed_by_coach_at=datetime(2026, 4, 20, 16, tzinfo=timezone.utc),
        coach_signer_id=coach.id,
    )
    plan.goals.append(goal)
    _db.session.add(plan)
    _db.session.commit()
    client.test_goal = goal  # type: ignore[attr-defined]
    return client


@pytest.fixture
def make_session(db):
    """``make_session(client, ...)``: a signed billable session of 30 minutes on 2026-05-04
    addressing the client's plan goal (any field may be overridden)."""
    return billable_session


def billable_session(client, *, on=date(2026, 5, 4), start=time(9), end=time(9, 30), **fields):
    values = {
        "billable": True,
        "start_time": start,
        "end_time": end,
        "place_of_service": "11",
        "signed_at": datetime(2026, 5, 4, 18, tzinfo=timezone.utc),
        "signed_by_id": client.coach_id,
        "note": "SESSION NOTE TEXT",
    }
    values.update(fields)
    goals = values.pop("goals") if "goals" in values else [client.test_goal]
    row = factories.session(client, on=on, **values)
    row.goals.extend(goals)
    _db.session.commit()
    return row
