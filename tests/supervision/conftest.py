"""Fixtures shared by the supervision tests."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def coach2(program, supervisor):
    return factories.user("coach", program=program, supervisor=supervisor, name="Dana Coach")
