"""Fixtures shared by the appointments tests."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def client_(coach):
    return factories.client(coach, first_name="Jordan", last_name="Quintero")


@pytest.fixture
def clinic():
    return factories.resource(name="Eastside Clinic", category="healthcare")
