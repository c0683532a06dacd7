"""Fixtures shared by the followups tests."""

from __future__ import annotations

from datetime import date

import pytest

from tests.followups.helpers import _episode


@pytest.fixture
def example(db, coach, other_coach):
    """The worked example of coachapp/reports/metrics.md, "Follow-up interviews (SUPRT)"."""
    _episode(coach, date(2025, 8, 31), six_month=date(2026, 3, 30))  # F-1: last day, done
    _episode(coach, date(2025, 8, 15), six_month=date(2026, 3, 20))  # F-2: late
    _episode(coach, date(2025, 8, 20))  # F-3: missed
    _episode(coach, date(2025, 8, 25), date(2025, 12, 1))  # F-4: six-month not due
    _episode(coach, date(2025, 9, 1), six_month=date(2026, 3, 2))  # F-8: done
    _episode(  # F-5: baseline done; closeout done on day 30
        coach,
        date(2026, 2, 10),
        date(2026, 2, 20),
        baseline=date(2026, 2, 12),
        closeout=date(2026, 3, 22),
    )
    _episode(coach, date(2026, 2, 1), baseline=date(2026, 3, 4))  # F-6: day 31, late
    _episode(coach, date(2026, 2, 15), baseline=(date(2026, 2, 20),))  # F-7: archived
    _episode(other_coach, date(2025, 8, 31), six_month=date(2026, 3, 1))  # F-9: other coach
