"""Fixtures shared by the profiles tests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests import factories


@pytest.fixture
def client_(coach):
    """A client whose first intake was 90 days ago."""
    return factories.client(coach, intake_date=date.today() - timedelta(days=90))
