"""Funder figures: housing and employment at intake and at the end of the period, and every
headline figure of the report broken down by a client's demographics (issue 19).

Built on metrics.py's row sources and scope, never changing them: the same clients and records
count here as on the report, so a breakdown's values add up to the report's own figure.

Definitions (the glossary says them in words):

- the *episode* of a client is their latest episode with ``intake_date <= end``;
- a client's *status on a day* (housing or employment) is their latest live (not archived)
  status row of that kind dated on or before that day (same day: the later row);
- *at intake*: the status on the episode's intake date; without one, the earliest live row
  dated within ``INTAKE_WINDOW_DAYS`` days after it (day 30 counts, day 31 does not);
- *latest*: the status on the period's end. Rows dated after the end never count, so a figure
  for a past period does not move when later changes are recorded (an intake value from the
  window after intake counts only when it is dated by the end, too);
- housing figures count clients enrolled in the period with a housing status at intake (they
  then have a latest one as well); ``LIVING_SITUATION_GROUP`` groups the statuses ("declined"
  falls under "other");
- *moved from homelessness to housing*: homeless at intake and in permanent housing at the
  latest, over the clients homeless at intake; *to any housing* also counts temporary housing;
- *employment gained*: employed (full or part time) at the latest, over the clients whose
  status at intake is known, not declined and not employed.

Breakdowns: every client-linked row source is joined to the client's profile and grouped by
the six demographic fields and the age band at once (one query per source, whatever the
number of fields); each client has one value per field, so a field's counts are the sums over
the groups and add up to the report's figure. Medians cannot be summed and are left out; means
are sums divided by counts. Each count also carries how many distinct clients it rests on, for
the small-cell rule (``suppress``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    extract,
    func,
    literal,
    select,
)

from coachapp.extensions import db
from coachapp.models import Client, Enrollment
from coachapp.models.enums import (
    EMPLOYED,
    LIVING_SITUATION_GROUP,
    EmploymentStatus,
    LivingSituationGroup,
    StatusKind,
)
from coachapp.models.profiles import DEMOGRAPHIC_FIELDS, ClientProfile, ClientStatusRecord
from coachapp.reports import metrics
from coachapp.reports.metrics import Period, RowSource, Scope, rate, round2
from coachapp.reports.sqlfuncs import add_days

INTAKE_WINDOW_DAYS = 30
SMALL_CELL = 11  # a breakdown cell resting on fewer clients than this is suppressed
SUPPRESSED = "<11"
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
HOUSING_GROUPS: tuple[str, ...] = tuple(g.value for g in LivingSituationGroup)
HOUSING_GROUP_LABELS = {
    "homeless": "Homeless",
    "institutional": "Institutional",
    "temporary": "Temporary housing",
    "permanent": "Permanent housing",
    "other": "Other or declined",
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


# --- Status at intake and at the end ----------------------------------------------------------


def latest_episode(period: Period):
    """Subquery ``(client_id, intake_date)``: each client's latest intake dated ``<= end``."""
    return (
        select(
            Enrollment.client_id.label("client_id"),
            func.max(Enrollment.intake_date).label("intake_date"),
        )
        .where(Enrollment.intake_date <= period.end)
        .group_by(Enrollment.client_id)
        .subquery("latest_episode")
    )


def _status_rows(kind: str, client_id: ColumnElement, end) -> Any:
    return select(ClientStatusRecord.status).where(
        ClientStatusRecord.client_id == client_id,
        ClientStatusRecord.kind == kind,
        ClientStatusRecord.archived_at.is_(None),
        ClientStatusRecord.as_of <= end,
    )


def status_on(kind: str, client_id: ColumnElement, day, end) -> ColumnElement:
    """The client's ``kind`` status on ``day`` (rows dated ``<= end`` only)."""
    return (
        _status_rows(kind, client_id, end)
        .where(ClientStatusRecord.as_of <= day)
        .order_by(ClientStatusRecord.as_of.desc(), ClientStatusRecord.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def status_at_intake(kind: str, client_id: ColumnElement, intake, end) -> ColumnElement:
    """The status on the intake date, else the first one dated within the window after it."""
    after = (
        _status_rows(kind, client_id, end)
        .where(
            ClientStatusRecord.as_of > intake,
            ClientStatusRecord.as_of <= add_days(intake, INTAKE_WINDOW_DAYS),
        )
        .order_by(ClientStatusRecord.as_of, ClientStatusRecord.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(status_on(kind, client_id, intake, end), after)


def housing_group(status: ColumnElement) -> ColumnElement:
    """``LIVING_SITUATION_GROUP`` of a housing status, in SQL (NULL stays NULL)."""
    whens = {}
    for situation, group in LIVING_SITUATION_GROUP.items():
        whens.setdefault(group.value, []).append(situation.value)
    return case(*((status.in_(values), group) for group, values in whens.items()), else_=None)


def status_per_client(scope: Scope, period: Period):
    """Subquery: per in-scope client enrolled in the period, ``client_id``, ``coach_id``,
    the episode's ``intake_date`` and the housing and employment status at intake and latest."""
    sc = metrics.scope_clients(scope)
    episode = latest_episode(period)
    columns = [sc.c.id.label("client_id"), sc.c.coach_id.label("coach_id"), episode.c.intake_date]
    for kind in (StatusKind.HOUSING, StatusKind.EMPLOYMENT):
        name = kind.value
        at_intake = status_at_intake(kind, sc.c.id, episode.c.intake_date, period.end)
        columns.append(at_intake.label(f"{name}_intake"))
        columns.append(status_on(kind, sc.c.id, period.end, period.end).label(f"{name}_latest"))
    return (
        select(*columns)
        .select_from(sc)
        .join(episode, episode.c.client_id == sc.c.id)
        .where(metrics.enrolled_in_period(sc.c.id, period))
        .subquery("status_per_client")
    )


def status_source(scope: Scope, period: Period) -> RowSource:
    """The clients behind the housing and employment figures, as a metrics ``RowSource``."""
    per_client = status_per_client(scope, period)
    c = per_client.c
    intake_group, latest_group = housing_group(c.housing_intake), housing_group(c.housing_latest)
    homeless = and_(c.housing_latest.is_not(None), intake_group == "homeless")
    employed = [s.value for s in EMPLOYED]
    not_employed = and_(
        c.employment_latest.is_not(None),
        c.employment_intake.is_not(None),
        c.employment_intake != EmploymentStatus.DECLINED.value,
        c.employment_intake.not_in(employed),
    )
    return RowSource(
        name="housing_employment",
        base=select().select_from(per_client),
        row_id=c.client_id,
        client_id=c.client_id,
        group=c.coach_id,
        conditions={
            "housing.with_status": and_(
                c.housing_intake.is_not(None), c.housing_latest.is_not(None)
            ),
            "housing.homeless_at_intake": homeless,
            "housing.homeless_to_permanent": and_(homeless, latest_group == "permanent"),
            "housing.homeless_to_housed": and_(
                homeless, latest_group.in_(["temporary", "permanent"])
            ),
            "employment.not_employed_at_intake": not_employed,
            "employment.gained": and_(not_employed, c.employment_latest.in_(employed)),
        },
        values={"intake_group": intake_group, "latest_group": latest_group},
    )


HOUSING_RATES = {
    "housing.homeless_to_permanent_rate": (
        "housing.homeless_to_permanent",
        "housing.homeless_at_intake",
    ),
    "housing.homeless_to_housed_rate": ("housing.homeless_to_housed", "housing.homeless_at_intake"),
    "employment.gained_rate": ("employment.gained", "employment.not_employed_at_intake"),
}


def _housing_dict(counts: dict[str, int], matrix: dict[str, dict[str, int]]) -> dict:
    figures = dict(counts)
    for key, (numerator, denominator) in HOUSING_RATES.items():
        figures[key] = rate(counts[numerator], counts[denominator])
    return {"figures": figures, "matrix": matrix}


def _empty_housing(keys: Iterable[str]) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    return dict.fromkeys(keys, 0), {g: dict.fromkeys(HOUSING_GROUPS, 0) for g in HOUSING_GROUPS}


def housing_employment(scope: Scope, period: Period) -> dict:
    """The matrix (intake group × latest group, clients) and the headline counts and rates;
    one query (grouped by both groups, the counts summed over the groups)."""
    source = status_source(scope, period)
    keys = list(source.conditions)
    ig, lg = source.values["intake_group"], source.values["latest_group"]
    query = source.base.add_columns(ig, lg, *(source.count(k) for k in keys)).group_by(ig, lg)
    counts, matrix = _empty_housing(keys)
    for row in db.session.execute(query):
        _add_housing(counts, matrix, keys, row[0], row[1], row[2:])
    return _housing_dict(counts, matrix)


def _add_housing(counts, matrix, keys, intake_group, latest_group, numbers) -> None:
    for key, n in zip(keys, numbers, strict=True):
        counts[key] += int(n or 0)
    if intake_group is not None and latest_group is not None:
        matrix[intake_group][latest_group] += int(numbers[keys.index("housing.with_status")] or 0)


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
    rates = {**metrics.RATES, **HOUSING_RATES}

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
    for n in metrics.RETENTION_DAYS:
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
    "clients": (metrics.client_source, {}),
    "episodes": (metrics.episode_source, {}),
    "sessions": (
        metrics.session_source,
        {"sessions.minutes": ("minutes", "sessions.completed")},
    ),
    "appointments": (metrics.appointment_source, {}),
    "referrals": (metrics.referral_source, {}),
    "goals": (metrics.goal_source, {}),
    "recovery_capital": (
        metrics.recovery_capital_source,
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
    housing_counts, matrix = _empty_housing(())
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
                _add_housing(housing_counts, matrix, keys, ig, lg, rows)
            for field, value in zip(BY_FIELDS, group_values, strict=True):
                slot = result[field].setdefault(value, {})
                for cell_name in names:
                    held = slot.setdefault(cell_name, [0, 0])
                    held[0] += cells[cell_name][0]
                    held[1] += cells[cell_name][1]
    return result, _housing_dict(housing_counts, matrix)


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

HOUSING_LABELS = {
    "housing.with_status": "Clients with a housing status at intake",
    "housing.homeless_at_intake": "Homeless at intake",
    "housing.homeless_to_permanent": "Moved from homelessness to permanent housing",
    "housing.homeless_to_permanent_rate": "Homelessness to permanent housing rate",
    "housing.homeless_to_housed": "Moved from homelessness to any housing",
    "housing.homeless_to_housed_rate": "Homelessness to any housing rate",
    "employment.not_employed_at_intake": "Not employed at intake",
    "employment.gained": "Employment gained",
    "employment.gained_rate": "Employment gained rate",
}
_KINDS = {"count": "count", "rate": "rate", "ratio": "ratio", "sum": "value", "mean": "value"}


def figure_label(key: str) -> str:
    from coachapp.reports import labels

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
    from coachapp.reports import glossary

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
