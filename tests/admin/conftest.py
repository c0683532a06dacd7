"""Fixtures shared by the admin tests."""

from __future__ import annotations

import pytest

from coachapp.extensions import db as _db
from coachapp.models import Team
from tests import factories


@pytest.fixture
def team(program):
    row = Team(program_id=program.id, name="North")
    _db.session.add(row)
    _db.session.commit()
    return row


@pytest.fixture
def program_b():
    return factories.program(name="Program B", timezone="America/Chicago")


@pytest.fixture
def supervisor_b(program_b):
    return factories.user("supervisor", program=program_b, name="Bea Bsupervisor")
