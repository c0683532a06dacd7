"""Helpers shared by the reports tests (tests/helpers.py has those of every feature)."""

from __future__ import annotations

from datetime import date, datetime

from coachapp.extensions import db as _db
from coachapp.models import ClientProfile, ClientStatusRecord
from coachapp.models.base import utcnow
from coachapp.reports import outcomes, upkeep
from tests import factories
from tests.helpers import MARCH, d

# The report rollups: derived from records in the transaction that changes them (their upkeep
# watches columns that the report store tracks, tests/reports/test_rollups.py), so reading them
# needs no tracking of its own.
ROLLUP_TABLES = frozenset(
    model.__tablename__
    for model in (
        upkeep.ReportClientMonth,
        upkeep.ReportCoachMonth,
        upkeep.ReportEpisode,
        upkeep.ReportRollupStatus,
    )
)


def status(client, kind: str, value: str, on: date, *, archived: bool = False):
    row = ClientStatusRecord(
        client_id=client.id,
        kind=kind,
        status=value,
        as_of=on,
        archived_at=utcnow() if archived else None,
    )
    _db.session.add(row)
    _db.session.commit()
    return row


def housing(client, value, on, **kw):
    return status(client, "housing", value, on, **kw)


def work(client, value, on, **kw):
    return status(client, "employment", value, on, **kw)


def profile(client, **fields):
    row = ClientProfile(client_id=client.id, **fields)
    _db.session.add(row)
    _db.session.commit()
    return row


def figures(scope, period=MARCH) -> dict:
    return outcomes.housing_employment(scope, period)


def _mixed_caseload(coach):
    """Clients with every kind of record and varied profiles (some not asked, some declined)."""
    genders = ["woman", "man", "declined", None, "non_binary"]
    clients = []
    for n in range(10):
        c = factories.client(
            coach,
            intake_date=d(2, 1) if n % 2 else d(3, 3),
            date_of_birth=date(1960 + 5 * n, 6, 1) if n != 3 else None,
        )
        if genders[n % 5] is not None or n % 3:
            profile(c, gender_identity=genders[n % 5], veteran_status="yes" if n % 4 else None)
        factories.session(c, on=d(3, 4 + n), minutes=30 + n)
        if n % 3:
            factories.session(c, on=d(3, 20), outcome="attempted")
        factories.appointment(
            c, at=datetime(2026, 3, 5 + n, 9), outcome="attended" if n % 2 else "no_show"
        )
        factories.referral(
            c,
            referred_on=d(3, 2),
            status="connected" if n % 2 else "referred",
            **({"connected_on": d(3, 12)} if n % 2 else {}),
        )
        factories.goal(
            c,
            opened_on=d(3, 1),
            status="achieved" if n % 2 else "active",
            **({"closed_on": d(3, 20)} if n % 2 else {}),
        )
        factories.assessment(c, on=d(1, 15), items=(3,) * 10)
        if n % 2:
            factories.assessment(c, on=d(3, 15), items=(4,) * 10)
        housing(c, "emergency_shelter" if n % 2 else "rental_no_subsidy", d(2, 1))
        if n % 4 == 1:
            housing(c, "rental_with_subsidy", d(3, 10))
        work(c, "unemployed_looking", d(2, 1))
        if n % 3 == 0:
            work(c, "full_time", d(3, 10))
        clients.append(c)
    return clients


def page_text(response) -> str:
    return response.get_data(as_text=True)
