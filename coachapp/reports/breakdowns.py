"""Funder figures (issue 19): every headline figure of the report broken down by a client's
demographics, and the housing and employment figures with them (``funder_report``).

Every client-linked row source is joined to the client's profile and grouped by the six
demographic fields and the age band at once (one query per source, whatever the number of
fields); each client has one value per field, so a field's counts are the sums over the groups
and add up to the report's figure. Medians cannot be summed and are left out; means are sums
divided by counts. Each count also carries how many distinct clients it rests on, for the
small-cell rule (``outcomes.suppress_cell``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, extract, func, literal, select

from coachapp.extensions import db
from coachapp.models import Client
from coachapp.models.profiles import DEMOGRAPHIC_FIELDS, ClientProfile
from coachapp.reports.housing import (
    HOUSING_RATES,
    add_housing,
    empty_housing,
    housing_dict,
    latest_episode,
    status_source,
)
from coachapp.reports.registry import RATES
from coachapp.reports.rows import RowSource
from coachapp.reports.sources import (
    RETENTION_DAYS,
    appointment_source,
    client_source,
    episode_source,
    goal_source,
    recovery_capital_source,
    referral_source,
    session_source,
)
from coachapp.scope import Period, Scope, rate, round2

NOT_ASKED = "not_asked"
DECLINED = "declined"
UNKNOWN = "unknown"

# (value, label, lowest age, first age above the band)
AGE_BANDS: tuple[tuple[str, str, int | None, int | None], ...] = (
    ("under_18", "Under 18", None, 18),
    ("18_24", "18–24", 18, 25),
    ("25_34", "25–34", 25, 35),
    ("35_44", "35–44", 35, 45),
    ("45_54", "45–54", 45, 55),
    ("55_64", "55–64", 55, 65),
    ("65_plus", "65 and over", 65, None),
)
AGE_BAND = "age_band"
BY_FIELDS: tuple[str, ...] = (*DEMOGRAPHIC_FIELDS, AGE_BAND)
FIELD_LABELS = {
    "gender_identity": "Gender identity",
    "race_ethnicity": "Race and ethnicity",
    "veteran_status": "Veteran status",
    "primary_substance": "Primary substance",
    "insurance": "Insurance",
    "referral_source": "Referral source",
    AGE_BAND: "Age at intake",
}


def value_order(field: str) -> list[str]:
    """Every value of ``field`` in the order tables list them, "Declined", "Not asked" last."""
    if field == AGE_BAND:
        return [band for band, *_ in AGE_BANDS] + [UNKNOWN]
    values = [v.value for v in DEMOGRAPHIC_FIELDS[field] if v.value != DECLINED]
    return [*values, DECLINED, NOT_ASKED]


def value_label(field: str, value: str) -> str:
    if value == NOT_ASKED:
        return "Not asked"
    if value == DECLINED:
        return "Declined to answer"
    if field == AGE_BAND:
        labels = {band: label for band, label, *_ in AGE_BANDS}
        return labels.get(value, "Unknown (no date of birth)")
    special = {"va_tricare": "VA / TRICARE", "non_binary": "Non-binary"}
    return special.get(value, value.replace("_", " ").capitalize())


# --- Breakdowns ---------------------------------------------------------------------------------


def age_band(dob: ColumnElement, intake: ColumnElement) -> ColumnElement:
    """The age band at ``intake`` (whole years: the birthday itself counts as the new age),
    from ``yyyymmdd`` numbers: age >= N exactly when intake - dob >= N * 10000."""

    def number(day):
        return extract("year", day) * 10000 + extract("month", day) * 100 + extract("day", day)

    difference = number(intake) - number(dob)
    whens = [(or_null(dob, intake), literal(UNKNOWN))]
    for band, _label, _low, high in AGE_BANDS:
        if high is not None:
            whens.append((difference < high * 10000, literal(band)))
    return case(*whens, else_=literal(AGE_BANDS[-1][0]))


def or_null(*columns: ColumnElement) -> ColumnElement[bool]:
    condition = columns[0].is_(None)
    for column in columns[1:]:
        condition = condition | column.is_(None)
    return condition


@dataclass(frozen=True)
class BreakdownFigure:
    """A figure of the breakdown: a count (``rowset``), a rate (``numerator``/``denominator``
    rowsets, ``per`` 1 for a share), a sum (``total`` of a source value over ``rowset``) or a
    mean (``total`` ÷ rows of ``rowset``)."""

    key: str
    kind: str  # count, rate, ratio, sum, mean
    rowset: str = ""
    numerator: str = ""
    denominator: str = ""
    total: str = ""


def _figures() -> list[BreakdownFigure]:
    f = BreakdownFigure
    rates = {**RATES, **HOUSING_RATES}

    def r(key: str, kind: str = "rate") -> BreakdownFigure:
        return f(key, kind, numerator=rates[key][0], denominator=rates[key][1])

    items = [
        f("clients.enrolled", "count", "clients.enrolled"),
        f("clients.new_intakes", "count", "clients.new_intakes"),
        f("clients.engaged", "count", "clients.engaged"),
        r("clients.engagement_rate"),
        f("sessions.completed", "count", "sessions.completed"),
        f("sessions.attempted", "count", "sessions.attempted"),
        f("sessions.minutes", "sum", "sessions.completed", total="sessions.minutes"),
        r("sessions.per_enrolled_client", "ratio"),
        f("time_to_first_contact_days.n", "count", "time_to_first_contact_days.n"),
    ]
    for key in (
        "total",
        "attended",
        "no_show",
        "cancelled",
        "rescheduled",
        "pending",
        "accompanied",
    ):
        items.append(f(f"appointments.{key}", "count", f"appointments.{key}"))
    items += [
        r("appointments.no_show_rate"),
        r("appointments.no_show_rate_accompanied"),
        r("appointments.no_show_rate_unaccompanied"),
        f("referrals.made", "count", "referrals.made"),
        f("referrals.linked", "count", "referrals.linked"),
        r("referrals.linkage_rate"),
    ]
    for n in RETENTION_DAYS:
        items += [
            f(f"retention.{n}.eligible", "count", f"retention.{n}.eligible"),
            f(f"retention.{n}.retained", "count", f"retention.{n}.retained"),
            r(f"retention.{n}.rate"),
        ]
    items += [
        f("goals.opened", "count", "goals.opened"),
        f("goals.achieved", "count", "goals.achieved"),
        f("goals.discontinued", "count", "goals.discontinued"),
        r("goals.achievement_rate"),
        f(
            "recovery_capital.clients_with_two_or_more",
            "count",
            "recovery_capital.clients_with_two_or_more",
        ),
        f("recovery_capital.improved", "count", "recovery_capital.improved"),
        f(
            "recovery_capital.mean_change",
            "mean",
            "recovery_capital.clients_with_two_or_more",
            total="recovery_capital.change",
        ),
        f(
            "recovery_capital.mean_latest",
            "mean",
            "recovery_capital.with_an_assessment",
            total="recovery_capital.latest",
        ),
        f("housing.homeless_at_intake", "count", "housing.homeless_at_intake"),
        f("housing.homeless_to_permanent", "count", "housing.homeless_to_permanent"),
        r("housing.homeless_to_permanent_rate"),
        f("housing.homeless_to_housed", "count", "housing.homeless_to_housed"),
        r("housing.homeless_to_housed_rate"),
        f("employment.not_employed_at_intake", "count", "employment.not_employed_at_intake"),
        f("employment.gained", "count", "employment.gained"),
        r("employment.gained_rate"),
    ]
    return items


BREAKDOWN_FIGURES: list[BreakdownFigure] = _figures()


def _wanted_rowsets() -> set[str]:
    wanted = set()
    for figure in BREAKDOWN_FIGURES:
        wanted |= {figure.rowset, figure.numerator, figure.denominator} - {""}
    return wanted


# The sources a breakdown reads: (builder, sums: {name: (value, rowset)}).
_SOURCES: dict[str, tuple[Any, dict[str, tuple[str, str]]]] = {
    "clients": (client_source, {}),
    "episodes": (episode_source, {}),
    "sessions": (
        session_source,
        {"sessions.minutes": ("minutes", "sessions.completed")},
    ),
    "appointments": (appointment_source, {}),
    "referrals": (referral_source, {}),
    "goals": (goal_source, {}),
    "recovery_capital": (
        recovery_capital_source,
        {
            "recovery_capital.change": ("change", "recovery_capital.clients_with_two_or_more"),
            "recovery_capital.latest": ("latest", "recovery_capital.with_an_assessment"),
        },
    ),
    "housing_employment": (status_source, {}),
}


def client_groups(period: Period):
    """Subquery: per client (``client_id``), the seven group values ``g0`` … ``g6`` (the six
    fields, "not_asked" where no answer is recorded, then the age band at the episode's
    intake). Worked out once per client, not once per counted row."""
    episode = latest_episode(period)
    columns = [
        func.coalesce(getattr(ClientProfile, name), literal(NOT_ASKED))
        for name in DEMOGRAPHIC_FIELDS
    ]
    columns.append(age_band(Client.date_of_birth, episode.c.intake_date))
    return (
        select(Client.id.label("client_id"), *(c.label(f"g{i}") for i, c in enumerate(columns)))
        .select_from(Client)
        .outerjoin(ClientProfile, ClientProfile.client_id == Client.id)
        .outerjoin(episode, episode.c.client_id == Client.id)
        .subquery("client_groups")
    )


def _per_client(source: RowSource, keys: list[str], sums: dict[str, tuple[str, str]], extra: dict):
    """Subquery: ``source`` counted per client (``cid``): ``n0`` … (rows of each key), then
    ``s0`` … (each sum), then the per-client values of ``extra`` (by name)."""
    columns = [source.client_id.label("cid")]
    columns += [source.count(key).label(f"n{i}") for i, key in enumerate(keys)]
    for j, (value, rowset) in enumerate(sums.values()):
        condition = source.conditions[rowset]
        total = func.sum(source.values[value])
        columns.append((total if condition is None else total.filter(condition)).label(f"s{j}"))
    columns += [func.max(column).label(name) for name, column in extra.items()]
    return source.base.add_columns(*columns).group_by(source.client_id).subquery("per_client")


def breakdown_counts(
    scope: Scope, period: Period
) -> tuple[dict[str, dict[str, dict[str, list]]], dict]:
    """``({field: {value: {rowset or sum: [rows, clients]}}}, housing)`` for every field at
    once; one query per source (eight), whatever the number of fields or values: the source
    counted per client, joined to the client's groups, summed per combination of the seven
    group values (each client is in one), then added up per field here. The housing source is
    also grouped by intake and latest housing group, which gives ``housing_employment`` (its
    figures and matrix) without a query of its own."""
    wanted = _wanted_rowsets()
    groups = client_groups(period)
    group_columns = [groups.c[f"g{i}"] for i in range(len(BY_FIELDS))]
    result: dict[str, dict[str, dict[str, list]]] = {field: {} for field in BY_FIELDS}
    housing_counts, matrix = empty_housing(())
    for name, (build, sums) in _SOURCES.items():
        source = build(scope, period)
        is_housing = name == "housing_employment"
        keys = [k for k in source.conditions if is_housing or k in wanted]
        extra = (
            {"ig": source.values["intake_group"], "lg": source.values["latest_group"]}
            if is_housing
            else {}
        )
        per_client = _per_client(source, keys, sums, extra)
        by = [*group_columns, *(per_client.c[n] for n in extra)]
        aggregates: list = []
        for i in range(len(keys)):
            n = per_client.c[f"n{i}"]
            aggregates += [func.sum(n), func.sum(case((n > 0, 1), else_=0))]
        aggregates += [func.sum(per_client.c[f"s{j}"]) for j in range(len(sums))]
        query = (
            select(*by, *aggregates)
            .select_from(per_client)
            .join(groups, groups.c.client_id == per_client.c.cid)
            .group_by(*by)
        )
        names = [*keys, *sums]
        if is_housing:
            housing_counts = dict.fromkeys(keys, 0)
        for row in db.session.execute(query):
            group_values, numbers = row[: len(group_columns)], row[len(by) :]
            cells: dict[str, list] = {}
            for i, key in enumerate(keys):
                cells[key] = [int(numbers[2 * i] or 0), int(numbers[2 * i + 1] or 0)]
            for j, total_name in enumerate(sums):
                total = numbers[2 * len(keys) + j]
                cells[total_name] = [float(total) if total is not None else 0.0, 0]
            if is_housing:
                ig, lg = row[len(group_columns)], row[len(group_columns) + 1]
                rows = [cells[key][0] for key in keys]
                add_housing(housing_counts, matrix, keys, ig, lg, rows)
            for field, value in zip(BY_FIELDS, group_values, strict=True):
                slot = result[field].setdefault(value, {})
                for cell_name in names:
                    held = slot.setdefault(cell_name, [0, 0])
                    held[0] += cells[cell_name][0]
                    held[1] += cells[cell_name][1]
    return result, housing_dict(housing_counts, matrix)


def _cell(figure: BreakdownFigure, c: dict[str, list]) -> dict:
    """One figure of one group: ``value``, ``numerator``, ``denominator`` and ``clients`` (the
    fewest clients any of its parts rests on, for the small-cell rule)."""

    def rows(key: str) -> int:
        return int(c.get(key, [0, 0])[0])

    def clients(key: str) -> int:
        return int(c.get(key, [0, 0])[1])

    if figure.kind == "count":
        n = rows(figure.rowset)
        return {
            "value": n,
            "numerator": None,
            "denominator": None,
            "clients": clients(figure.rowset),
        }
    if figure.kind in ("rate", "ratio"):
        numerator, denominator = rows(figure.numerator), rows(figure.denominator)
        return {
            "value": rate(numerator, denominator),
            "numerator": numerator,
            "denominator": denominator,
            "clients": min(clients(figure.numerator), clients(figure.denominator)),
        }
    total = c.get(figure.total, [0, 0])[0]
    n = rows(figure.rowset)
    value = total if figure.kind == "sum" else (total / n if n else None)
    if figure.kind == "sum":
        value = int(value)
    return {
        "value": round2(value) if figure.kind == "mean" else value,
        "numerator": None,
        "denominator": n if figure.kind == "mean" else None,
        "clients": clients(figure.rowset),
    }


def breakdowns(scope: Scope, period: Period) -> dict[str, list[dict]]:
    """``{field: [{"value", "label", "figures": {key: cell}}]}``: for each field, each value
    with any row (in ``value_order``), with every figure of ``BREAKDOWN_FIGURES``."""
    return _breakdowns(breakdown_counts(scope, period)[0])


def _breakdowns(counts: dict[str, dict[str, dict[str, list]]]) -> dict[str, list[dict]]:
    result: dict[str, list[dict]] = {}
    for field in BY_FIELDS:
        found = counts[field]
        order = [v for v in value_order(field) if v in found]
        order += sorted(v for v in found if v not in order)  # a value the enum no longer has
        result[field] = [
            {
                "value": value,
                "label": value_label(field, value),
                "figures": {f.key: _cell(f, found[value]) for f in BREAKDOWN_FIGURES},
            }
            for value in order
        ]
    return result


def funder_report(scope: Scope, period: Period) -> dict:
    """Both new sections: ``housing_employment`` and ``breakdowns``; eight queries, one per
    row source (``breakdown_counts``)."""
    counts, housing = breakdown_counts(scope, period)
    return {"housing_employment": housing, "breakdowns": _breakdowns(counts)}
