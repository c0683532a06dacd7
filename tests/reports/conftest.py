"""Fixtures of the report tests: the worked example of metrics.md."""

from __future__ import annotations

import pytest

from coachapp.extensions import db as _db
from coachapp.models import Enrollment
from coachapp.reports.metrics import Scope
from tests import factories
from tests.helpers import at, d, discharge, supervision_note


@pytest.fixture
def example(db, coach, supervisor):
    """The worked example of metrics.md, record by record."""
    housing = factories.resource(category="housing")
    employment = factories.resource(category="employment")
    meeting = factories.resource(category="recovery_support", meeting_model="aa")

    c1 = factories.client(coach, intake_date=d(1, 10))
    factories.session(c1, on=d(3, 1), minutes=45)
    factories.session(c1, on=d(3, 31), minutes=5, outcome="attempted")
    factories.appointment(
        c1, at=at(3, 3), outcome="attended", accompaniment_planned=True, coach_accompanied=True
    )
    factories.appointment(c1, at=at(3, 17), outcome="no_show")
    factories.referral(c1, housing, referred_on=d(3, 2), status="connected", connected_on=d(3, 12))
    factories.goal(c1, opened_on=d(1, 15), status="achieved", closed_on=d(3, 12))
    factories.assessment(c1, on=d(1, 15), items=(3,) * 10)  # 30
    factories.assessment(c1, on=d(3, 3), items=(4,) * 10)  # 40

    c2 = factories.client(coach, intake_date=d(3, 5))
    factories.session(c2, on=d(3, 9), minutes=60)
    factories.session(c2, on=d(3, 16), minutes=30)
    factories.appointment(c2, at=at(3, 12), outcome="attended")
    factories.appointment(c2, at=at(3, 26), accompaniment_planned=True)  # still scheduled
    factories.referral(
        c2, employment, referred_on=d(3, 10), status="connected", connected_on=d(4, 2)
    )
    factories.referral(c2, housing, referred_on=d(3, 10), status="declined", closed_on=d(3, 11))
    factories.goal(c2, opened_on=d(3, 9))
    factories.assessment(c2, on=d(3, 9), items=(5,) * 10)  # 50

    c3 = factories.client(coach, intake_date=d(12, 1, 2025))
    discharge(c3, d(3, 1))
    factories.session(c3, on=d(2, 20), minutes=30)

    c4 = factories.client(coach, intake_date=d(1, 2))
    discharge(c4, d(2, 15), "disengaged")
    _db.session.add(Enrollment(client_id=c4.id, intake_date=d(3, 20)))
    c4.status = "active"
    _db.session.commit()
    factories.session(c4, on=d(3, 25), minutes=10, outcome="attempted")
    factories.appointment(c4, at=at(3, 27), outcome="cancelled")
    factories.referral(c4, meeting, referred_on=d(3, 21), status="connected", connected_on=d(3, 21))

    supervision_note(supervisor, [coach], d(3, 4), 60)
    return Scope(program_id=coach.program_id)
