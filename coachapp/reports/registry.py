"""Every set of rows by name: the drill-down keys (``rowsets``, read off the sources), the row
source holding each (``source_for``), and which rows stand behind each rate (``RATES``) and
each sum, mean and median (``VALUE_ROWS``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date

from coachapp.reports.rows import RowSource
from coachapp.reports.sources import (
    CATEGORIES,
    RETENTION_DAYS,
    appointment_source,
    client_source,
    episode_source,
    goal_source,
    recovery_capital_source,
    referral_source,
    session_source,
    supervision_coach_source,
    supervision_note_source,
)
from coachapp.scope import Period, Scope

SOURCES: dict[str, Callable[[Scope, Period], RowSource]] = {
    "clients": client_source,
    "episodes": episode_source,
    "sessions": session_source,
    "appointments": appointment_source,
    "referrals": referral_source,
    "goals": goal_source,
    "recovery_capital": recovery_capital_source,
    "coaches": supervision_coach_source,
    "supervision_notes": supervision_note_source,
}


@functools.cache
def rowsets() -> dict[str, str]:
    """``{rowset key: source name}`` for every set of rows a figure counts or stands on.

    Read off the sources themselves (building SQL expressions touches no database), so the
    list of drill-down keys cannot drift from the conditions.
    """
    probe_scope, probe_period = Scope(0), Period(date(2000, 1, 1), date(2000, 1, 1))
    return {
        key: name
        for name, build in SOURCES.items()
        for key in build(probe_scope, probe_period).conditions
    }


def source_for(key: str, scope: Scope, period: Period) -> RowSource:
    """The row source holding rowset ``key`` (``KeyError`` for an unknown key)."""
    return SOURCES[rowsets()[key]](scope, period)


def _rates() -> dict[str, tuple[str, str]]:
    rates = {
        "clients.engagement_rate": ("clients.engaged", "clients.enrolled"),
        "sessions.per_enrolled_client": ("sessions.completed", "clients.enrolled"),
        "appointments.no_show_rate": (
            "appointments.no_show",
            "appointments.no_show_rate.denominator",
        ),
        "referrals.linkage_rate": ("referrals.linked", "referrals.made"),
        "goals.achievement_rate": ("goals.achieved", "goals.achievement_rate.denominator"),
        "supervision.coverage": ("supervision.coaches_supervised", "supervision.coaches"),
    }
    for which in ("accompanied", "unaccompanied"):
        key = f"appointments.no_show_rate_{which}"
        rates[key] = (f"{key}.numerator", f"{key}.denominator")
    for category in CATEGORIES:
        prefix = f"referrals.by_category.{category}"
        rates[f"{prefix}.linkage_rate"] = (f"{prefix}.linked", f"{prefix}.made")
    for n in RETENTION_DAYS:
        rates[f"retention.{n}.rate"] = (f"retention.{n}.retained", f"retention.{n}.eligible")
    return rates


# Every rate: (numerator rowset, denominator rowset).
RATES: dict[str, tuple[str, str]] = _rates()

# Sums, means and medians: the rows they are taken over.
VALUE_ROWS: dict[str, str] = {
    "sessions.minutes": "sessions.completed",
    "time_to_first_contact_days.median": "time_to_first_contact_days.n",
    "referrals.median_days_to_link": "referrals.linked",
    "recovery_capital.mean_change": "recovery_capital.clients_with_two_or_more",
    "recovery_capital.mean_latest": "recovery_capital.with_an_assessment",
    "supervision.minutes": "supervision.notes",
}
