"""Funder figures (issue 19): housing and employment at intake and at the end of the period,
and every headline figure of the report broken down by a client's demographics; the small-cell
rule they are shown under, and how the page and the exports name them.

Built on metrics' row sources and scope, never changing them: the same clients and records
count here as on the report, so a breakdown's values add up to the report's own figure. The
figures are in ``housing`` (its definitions) and ``breakdowns`` (how groups are made and
counted); this module is their public face, and ``outcomes.X`` keeps working for every name
that lived here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from coachapp.reports import glossary, labels
from coachapp.reports.breakdowns import (
    AGE_BAND,
    AGE_BANDS,
    BREAKDOWN_FIGURES,
    BY_FIELDS,
    DECLINED,
    FIELD_LABELS,
    NOT_ASKED,
    UNKNOWN,
    BreakdownFigure,
    age_band,
    breakdown_counts,
    breakdowns,
    client_groups,
    funder_report,
    or_null,
    value_label,
    value_order,
)
from coachapp.reports.housing import (
    HOUSING_GROUP_LABELS,
    HOUSING_GROUPS,
    HOUSING_LABELS,
    HOUSING_RATES,
    INTAKE_WINDOW_DAYS,
    housing_employment,
    housing_group,
    latest_episode,
    status_at_intake,
    status_on,
    status_per_client,
    status_source,
)

__all__ = [
    "AGE_BAND",
    "AGE_BANDS",
    "BREAKDOWN_FIGURES",
    "BY_FIELDS",
    "DECLINED",
    "FIELD_LABELS",
    "HOUSING_GROUPS",
    "HOUSING_GROUP_LABELS",
    "HOUSING_LABELS",
    "HOUSING_RATES",
    "INTAKE_WINDOW_DAYS",
    "NOT_ASKED",
    "SMALL_CELL",
    "SUPPRESSED",
    "UNKNOWN",
    "BreakdownFigure",
    "age_band",
    "breakdown_counts",
    "breakdowns",
    "client_groups",
    "figure_kind",
    "figure_label",
    "funder_report",
    "housing_employment",
    "housing_group",
    "is_small",
    "latest_episode",
    "or_null",
    "plain_breakdowns",
    "rows_of",
    "shown",
    "status_at_intake",
    "status_on",
    "status_per_client",
    "status_source",
    "suppress_cell",
    "suppressed_breakdowns",
    "suppressed_matrix",
    "value_label",
    "value_order",
]

SMALL_CELL = 11  # a breakdown cell resting on fewer clients than this is suppressed
SUPPRESSED = "<11"


# --- The small-cell rule ------------------------------------------------------------------------


def is_small(cell_clients: int | None) -> bool:
    return cell_clients is not None and cell_clients < SMALL_CELL


def suppress_cell(cell: dict) -> dict:
    """A breakdown cell as shown under the small-cell rule: fewer than ``SMALL_CELL`` clients
    behind it (0 included) shows ``"<11"`` for a count and nothing for a rate or mean."""
    if not is_small(cell["clients"]):
        return {**cell, "suppressed": False}
    shown = SUPPRESSED if cell["numerator"] is None and cell["denominator"] is None else None
    return {
        "value": shown,
        "numerator": None,
        "denominator": None,
        "clients": None,
        "suppressed": True,
    }


def suppressed_breakdowns(by_field: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {
        field: [
            {**group, "figures": {k: suppress_cell(c) for k, c in group["figures"].items()}}
            for group in groups
        ]
        for field, groups in by_field.items()
    }


def suppressed_matrix(matrix: dict[str, dict[str, int]]) -> dict[str, dict[str, Any]]:
    """The housing matrix under the small-cell rule: each cell counts clients."""
    return {
        row: {col: (SUPPRESSED if n < SMALL_CELL else n) for col, n in cols.items()}
        for row, cols in matrix.items()
    }


def plain_breakdowns(by_field: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Unsuppressed cells without the ``clients`` count (what named viewers see)."""
    return {
        field: [
            {
                **group,
                "figures": {
                    k: {**{n: v for n, v in c.items() if n != "clients"}, "suppressed": False}
                    for k, c in group["figures"].items()
                },
            }
            for group in groups
        ]
        for field, groups in by_field.items()
    }


def rows_of(by_field: dict[str, list[dict]], fields: Iterable[str]) -> list[dict]:
    return [group for field in fields for group in by_field.get(field, [])]


# --- How the page and the exports name things ---------------------------------------------------

_KINDS = {"count": "count", "rate": "rate", "ratio": "ratio", "sum": "value", "mean": "value"}


def figure_label(key: str) -> str:
    if key in HOUSING_LABELS:
        return HOUSING_LABELS[key]
    for _, rows in labels.HEADLINE:
        for figure, label, _kind in rows:
            if figure == key:
                return label
    if key.startswith("retention."):
        _, n, part = key.split(".")
        return {
            "eligible": f"Intakes eligible for {n}-day retention",
            "retained": f"Retained at {n} days",
            "rate": f"{n}-day retention rate",
        }[part]
    return glossary.name_for(key)


def figure_kind(figure: BreakdownFigure) -> str:
    """The report page's kind of a breakdown figure (count, rate, ratio, value)."""
    return _KINDS[figure.kind]


def shown(funder: dict, *, suppress: bool) -> dict:
    """The stored funder figures as a viewer sees them: under the small-cell rule when
    ``suppress`` (exports, program managers, admins), whole otherwise (the figures rest on the
    viewer's own clients, whom they see by name anyway)."""
    he = funder["housing_employment"]
    if suppress:
        return {
            "housing_employment": {**he, "matrix": suppressed_matrix(he["matrix"])},
            "breakdowns": suppressed_breakdowns(funder["breakdowns"]),
            "suppressed": True,
        }
    return {
        "housing_employment": he,
        "breakdowns": plain_breakdowns(funder["breakdowns"]),
        "suppressed": False,
    }
