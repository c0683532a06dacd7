"""Disclosure fixtures: the billing specialist, settings and a billable client of
tests/billing (an identified export needs a worksheet with a line), and a client record."""

from __future__ import annotations

import pytest

from tests import factories
from tests.billing.conftest import (  # noqa: F401 - fixtures
    billable_client,
    billing_user,
    make_session,
    setting,
)


@pytest.fixture
def client_record(coach):
    return factories.client(coach, first_name="Marisol", last_name="Quintero-Vale")
