"""Fixtures shared by the mutual_aid tests."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def client_(coach):
    return factories.client(coach)


@pytest.fixture
def meeting():
    return factories.resource(
        name="Tuesday Serenity",
        category="recovery_support",
        meeting_model="na",
        meeting_format="in_person",
        meeting_schedule="Tuesdays 19:00",
    )
