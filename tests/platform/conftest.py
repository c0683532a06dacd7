"""Fixtures shared by the platform tests."""

from __future__ import annotations

import pytest

from coachapp.demo import (
    DemoSummary,
    build_demo,
)
from tests.platform.helpers import SEED, TODAY


@pytest.fixture
def small(db) -> DemoSummary:
    return build_demo("small", SEED, today=TODAY)
