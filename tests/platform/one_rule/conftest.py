"""Fixtures shared by the one_rule tests."""

from __future__ import annotations

import pytest

from coachapp.auth.tokens import create_token
from tests import factories
from tests.platform.one_rule.helpers import API


@pytest.fixture
def program(db):
    return factories.program(timezone="Pacific/Kiritimati")


@pytest.fixture
def call(anon, db):
    """``call(user, method, url, json)`` -> the API's response, with a token of ``user``."""
    headers: dict[int, dict] = {}

    def _call(user, method: str, url: str, json=None):
        if user.id not in headers:
            token, _row = create_token(user, "test")
            db.session.commit()
            headers[user.id] = {"Authorization": f"Bearer {token}"}
        return getattr(anon, method)(API + url, headers=headers[user.id], json=json)

    return _call
