"""Helpers shared by the followups tests (tests/helpers.py has those of every feature)."""

from __future__ import annotations

from sqlalchemy import select

from coachapp.extensions import db as _db
from coachapp.models import Enrollment, FollowUpInterview
from coachapp.models.base import utcnow
from tests import factories


def _episode(coach, intake, discharge=None, **done):
    client = factories.client(coach, intake_date=intake)
    episode = _db.session.scalar(select(Enrollment).where(Enrollment.client_id == client.id))
    episode.discharge_date = discharge
    for kind, on in done.items():
        archived = isinstance(on, tuple)
        day = on[0] if archived else on
        _db.session.add(
            FollowUpInterview(
                client_id=client.id,
                enrollment_id=episode.id,
                kind=kind,
                done_on=day,
                archived_at=utcnow() if archived else None,
                archive_reason="Wrong client" if archived else None,
            )
        )
    _db.session.commit()
    return client
