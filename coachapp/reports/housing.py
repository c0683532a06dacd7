"""Funder figures (issue 19): housing and employment at intake and at the end of the period.

Built on the report's row sources and scope, never changing them: the same clients count here
as on the report. Definitions (the glossary says them in words):

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
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select

from coachapp.extensions import db
from coachapp.models import Enrollment
from coachapp.models.enums import (
    EMPLOYED,
    LIVING_SITUATION_GROUP,
    EmploymentStatus,
    LivingSituationGroup,
    StatusKind,
)
from coachapp.models.profiles import ClientStatusRecord
from coachapp.reports.credit import scope_clients
from coachapp.reports.rows import RowSource, enrolled_in_period
from coachapp.reports.sqlfuncs import add_days
from coachapp.scope import Period, Scope, rate

INTAKE_WINDOW_DAYS = 30
HOUSING_GROUPS: tuple[str, ...] = tuple(g.value for g in LivingSituationGroup)
HOUSING_GROUP_LABELS = {
    "homeless": "Homeless",
    "institutional": "Institutional",
    "temporary": "Temporary housing",
    "permanent": "Permanent housing",
    "other": "Other or declined",
}


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
    sc = scope_clients(scope)
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
        .where(enrolled_in_period(sc.c.id, period))
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


def housing_dict(counts: dict[str, int], matrix: dict[str, dict[str, int]]) -> dict:
    figures = dict(counts)
    for key, (numerator, denominator) in HOUSING_RATES.items():
        figures[key] = rate(counts[numerator], counts[denominator])
    return {"figures": figures, "matrix": matrix}


def empty_housing(keys: Iterable[str]) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    return dict.fromkeys(keys, 0), {g: dict.fromkeys(HOUSING_GROUPS, 0) for g in HOUSING_GROUPS}


def housing_employment(scope: Scope, period: Period) -> dict:
    """The matrix (intake group × latest group, clients) and the headline counts and rates;
    one query (grouped by both groups, the counts summed over the groups)."""
    source = status_source(scope, period)
    keys = list(source.conditions)
    ig, lg = source.values["intake_group"], source.values["latest_group"]
    query = source.base.add_columns(ig, lg, *(source.count(k) for k in keys)).group_by(ig, lg)
    counts, matrix = empty_housing(keys)
    for row in db.session.execute(query):
        add_housing(counts, matrix, keys, row[0], row[1], row[2:])
    return housing_dict(counts, matrix)


def add_housing(counts, matrix, keys, intake_group, latest_group, numbers) -> None:
    """Add one group's ``numbers`` (in the order of ``keys``) to ``counts``, and its clients with
    a status at intake to the matrix cell of its intake and latest housing groups."""
    for key, n in zip(keys, numbers, strict=True):
        counts[key] += int(n or 0)
    if intake_group is not None and latest_group is not None:
        matrix[intake_group][latest_group] += int(numbers[keys.index("housing.with_status")] or 0)


# How the page and the exports name the figures.
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
