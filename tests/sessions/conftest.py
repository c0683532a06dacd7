"""Fixtures shared by the sessions tests."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories


@pytest.fixture
def client_(coach):
    return factories.client(coach, intake_date=date(2025, 1, 6))


@pytest.fixture
def goal(client_):
    return factories.goal(client_, description="Find stable housing")
