"""Helpers shared by the profiles tests (tests/helpers.py has those of every feature)."""

from __future__ import annotations

from datetime import date

from coachapp import timeutil
from coachapp.extensions import db as _db
from coachapp.models import ClientStatusRecord
from coachapp.profiles import services


def today(client) -> date:
    return timeutil.local_today(client.program)


def add(client, kind, status, as_of, *, actor) -> ClientStatusRecord:
    row = services.record_status(client, kind, status, as_of, actor=actor)
    _db.session.commit()
    return row
