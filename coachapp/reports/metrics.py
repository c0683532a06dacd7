"""Every figure of metrics.md, as SQL aggregates over a report's scope and period.

This is the single definition: the report page, the API, the exports, the drill-down lists and
the supervisor dashboard all call it. Each figure group is one or two queries (GROUP BY,
FILTER, window functions); nothing loops over clients, coaches or records in Python. With
``by_coach`` the same queries group by the coach credited with each record.

Keys and meanings follow ../shared/spec/metrics.md word for word:

- a record is *in scope* when its client's program matches and, with a coach or team filter,
  the coach who held the client on the record's date matches ("Credit to coaches");
  archived (and merged-away) records never count;
- *enrolled in the period*: an episode with ``intake_date <= end`` and
  (``discharge_date`` empty or ``>= start``);
- rates are ``round(numerator / denominator, 4)`` or ``None`` for a zero denominator; medians
  of an even count are the mean of the two middle values.

This module is the public face; the code lives in, from the bottom up:

- ``coachapp.scope``: ``Scope``, ``Period``, ``rate``, ``round2`` (a leaf: the access rule
  imports it);
- ``credit``: the clients a scope holds and the coach credited with each record;
- ``rows``: ``RowSource`` (one definition for a count and the rows behind it), counting one;
- ``sources``: the row source of each figure group;
- ``registry``: every set of rows by name, and the rows behind each rate, sum, mean, median;
- ``figures``: the figure groups and the report (``headline``, ``by_coach``, ``by_month``).

``from coachapp.reports.metrics import X`` keeps working for every name that lived here.
"""

from __future__ import annotations

from coachapp.reports import upkeep  # noqa: F401 - keeps the report rollups
from coachapp.reports.credit import (
    EARLIEST,
    LATEST,
    coach_ids_in_scope,
    coach_in_scope,
    credited_coach,
    credits,
    held_on,
    held_spans,
    program_clients,
    scope_clients,
)
from coachapp.reports.figures import (
    HEADLINE_GROUPS,
    _appointment_dict,
    _client_dict,
    _goal_dict,
    _recovery_capital_dict,
    _referral_dict,
    _retention_dict,
    _session_dict,
    _supervision_dict,
    appointment_figures,
    by_coach,
    by_month,
    client_figures,
    detailed_report,
    flatten,
    goal_figures,
    headline,
    headline_with_counts,
    outcome_report,
    rate_parts,
    recovery_capital_figures,
    referral_figures,
    retention_figures,
    session_figures,
    supervision_figures,
    time_to_first_contact,
)
from coachapp.reports.registry import RATES, SOURCES, VALUE_ROWS, rowsets, source_for
from coachapp.reports.rows import (
    ALL,
    MonthRows,
    RowSource,
    completed_session_in_period,
    count_rows,
    enrolled_in_period,
    median_of,
    month_rows,
)
from coachapp.reports.sources import (
    CATEGORIES,
    RETENTION_DAYS,
    RETENTION_WINDOW,
    appointment_source,
    barc_per_client,
    client_source,
    episode_source,
    goal_source,
    recovery_capital_source,
    referral_source,
    session_source,
    supervision_coach_source,
    supervision_note_source,
)
from coachapp.scope import Period, Scope, rate, round2

__all__ = [
    "ALL",
    "CATEGORIES",
    "EARLIEST",
    "HEADLINE_GROUPS",
    "LATEST",
    "RATES",
    "RETENTION_DAYS",
    "RETENTION_WINDOW",
    "SOURCES",
    "VALUE_ROWS",
    "MonthRows",
    "Period",
    "RowSource",
    "Scope",
    # the report page's test lays out a headline from counts alone with these
    "_appointment_dict",
    "_client_dict",
    "_goal_dict",
    "_recovery_capital_dict",
    "_referral_dict",
    "_retention_dict",
    "_session_dict",
    "_supervision_dict",
    "appointment_figures",
    "appointment_source",
    "barc_per_client",
    "by_coach",
    "by_month",
    "client_figures",
    "client_source",
    "coach_ids_in_scope",
    "coach_in_scope",
    "completed_session_in_period",
    "count_rows",
    "credited_coach",
    "credits",
    "detailed_report",
    "enrolled_in_period",
    "episode_source",
    "flatten",
    "goal_figures",
    "goal_source",
    "headline",
    "headline_with_counts",
    "held_on",
    "held_spans",
    "median_of",
    "month_rows",
    "outcome_report",
    "program_clients",
    "rate",
    "rate_parts",
    "recovery_capital_figures",
    "recovery_capital_source",
    "referral_figures",
    "referral_source",
    "retention_figures",
    "round2",
    "rowsets",
    "scope_clients",
    "session_figures",
    "session_source",
    "source_for",
    "supervision_coach_source",
    "supervision_figures",
    "supervision_note_source",
    "time_to_first_contact",
]
