"""Row sources: one definition for each count and the rows behind it.

Each group of figures has a *row source* (``RowSource``): the in-scope clients joined to the
records the group counts, restricted to what all its figures share, plus one SQL condition per
count. A count is ``count(*) FILTER (WHERE condition)`` over the source; the rows behind it
(drill-down lists) are ``source.base.where(condition)``. Both are built by the same function
from the same expression, so a list can never disagree with its number. The sources themselves
are in ``sources``; ``registry`` names every set of rows they hold.

A source takes a ``Period``, or the months of one as rows of SQL (``month_rows``): one query
joined to the months and grouped by month then counts every month at once, by the same
expressions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Integer,
    Select,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)

from coachapp.extensions import db
from coachapp.models import CoachingSession, Enrollment
from coachapp.models.enums import SessionOutcome
from coachapp.reports import rollups
from coachapp.scope import Period, Scope

ALL = "__all__"  # the group key of whole-scope figures


# --- A period's months as rows -----------------------------------------------------------------


@dataclass(frozen=True)
class MonthRows:
    """The months of a period as rows of SQL (``month_rows``): ``n`` (0, 1, ...), ``start``
    and ``end`` (clipped to the period), ``month`` (its first day), ``whole`` (not clipped)
    and ``low``/``high``, the datetime bounds of appointments.

    The row sources take it in place of a ``Period``: their conditions then compare with the
    month's columns, so one query joined to these rows and grouped by ``n`` counts every month
    at once, by the same expressions as a report of that month alone."""

    table: Any

    @property
    def start(self) -> ColumnElement:
        return self.table.c.start

    @property
    def end(self) -> ColumnElement:
        return self.table.c.end

    @property
    def n(self) -> ColumnElement:
        return self.table.c.n

    @property
    def month(self) -> ColumnElement:
        """The first day of the row's calendar month."""
        return self.table.c.month

    @property
    def whole(self) -> ColumnElement[bool]:
        """Whether the row is a whole calendar month (the report rollups hold it)."""
        return self.table.c.whole


def month_rows(months: list[Period]) -> MonthRows:
    """``months`` as a derived table (a UNION ALL of literal rows, on SQLite and PostgreSQL)."""
    rows = [
        select(
            literal(i, Integer).label("n"),
            literal(month.start, Date).label("start"),
            literal(month.end, Date).label("end"),
            literal(month.start.replace(day=1), Date).label("month"),
            literal(rollups.whole_months(month) == month, Boolean).label("whole"),
            *(
                literal(bound, DateTime).label(name)
                for name, bound in zip(("low", "high"), day_bounds(month), strict=True)
            ),
        )
        for i, month in enumerate(months)
    ]
    table = (union_all(*rows) if len(rows) > 1 else rows[0]).subquery("months")
    return MonthRows(table)


def day_bounds(period: Period | MonthRows) -> tuple[Any, Any]:
    """Appointments are wall-clock datetimes in the program's zone: its date is the date part."""
    if isinstance(period, MonthRows):
        return period.table.c.low, period.table.c.high
    return (
        datetime.combine(period.start, time.min),
        datetime.combine(period.end + timedelta(days=1), time.min),
    )


# --- Row sources: one definition for each count and the rows behind it -------------------------


@dataclass(frozen=True)
class RowSource:
    """The rows one group of figures counts.

    ``base`` is a SELECT without columns over the in-scope clients joined to the records,
    restricted to what every figure of the group shares (not archived, dated in the period...).
    Each key of ``conditions`` is a set of rows: ``count(*) FILTER (WHERE condition)`` over
    ``base`` is its count (``None``: every row of ``base``) and ``base.where(condition)`` its
    rows. ``row_id`` identifies a listed row, ``client_id`` its client (``None`` for staff and
    supervision notes), ``group`` is the coach credited with the row (for ``by_coach``), ``values``
    the per-row numbers the group's sums, means and medians are taken over.

    For a coach or team scope, or grouped by coach, ``base`` also joins each record to the
    assignment span holding its client on the record's date (``held_spans``): ``group`` is
    that span's coach, and only spans of coaches in scope are kept ("Credit to coaches").
    ``group`` is None when the source was built without that join.
    """

    name: str
    base: Select
    row_id: ColumnElement
    client_id: ColumnElement | None
    group: ColumnElement | None
    conditions: dict[str, ColumnElement[bool] | None]
    values: dict[str, ColumnElement] = field(default_factory=dict)
    # Set when ``base`` may hold one row's identity more than once (a client held by a coach in
    # two spans of the period): counts are of distinct ``row_id``, lists are DISTINCT.
    repeats: bool = False
    # For sources summed in the report rollups: the condition "the record is dated in" a
    # period, so that the days of a period outside its whole months can be counted alone.
    dated: Callable[[Period], ColumnElement[bool]] | None = None

    def outside(self, months: Period) -> RowSource:
        """The same source without the records dated in ``months``."""
        if self.dated is None:
            raise ValueError(f"the {self.name} source has no dates to leave out")
        return replace(self, base=self.base.where(~self.dated(months)))

    def where(self, key: str) -> Select:
        """``base`` restricted to the rows of ``key`` (no columns yet: add the ones to list)."""
        condition = self.conditions[key]
        return self.base if condition is None else self.base.where(condition)

    def count(self, key: str) -> ColumnElement:
        condition = self.conditions[key]
        counted = func.count(distinct(self.row_id)) if self.repeats else func.count()
        return counted if condition is None else counted.filter(condition)


def enrolled_in_period(client_id: ColumnElement, period: Period | MonthRows) -> ColumnElement[bool]:
    """The client has an episode with ``intake_date <= end`` and (no discharge or
    ``discharge_date >= start``)."""
    return exists().where(
        Enrollment.client_id == client_id,
        Enrollment.intake_date <= period.end,
        or_(Enrollment.discharge_date.is_(None), Enrollment.discharge_date >= period.start),
    )


def completed_session_in_period(
    client_id: ColumnElement, period: Period | MonthRows, held: Any = None
) -> ColumnElement[bool]:
    """The client has a completed (not archived) session dated in the period; with ``held``
    (a row of ``credit.held_spans``), on a day of that span.

    Whole months are read from the report rollups when they may be (``rollups``): a
    client-month row of the span with a completed session, or one of the days around them."""
    day = CoachingSession.date

    def records(outside: Period | None = None) -> ColumnElement[bool]:
        conditions = [
            CoachingSession.client_id == client_id,
            CoachingSession.outcome == SessionOutcome.COMPLETED,
            CoachingSession.archived_at.is_(None),
            day.between(period.start, period.end),
        ]
        if held is not None:
            conditions += [day >= held.c.lo, day < held.c.hi]
        if outside is not None:
            conditions.append(~day.between(outside.start, outside.end))
        return exists().where(*conditions)

    span = {} if held is None else {"span_lo": held.c.lo, "coach_id": held.c.coach_id}
    if isinstance(period, MonthRows):
        if not rollups.enabled():
            return records()
        in_month = rollups.completed_in_months(client_id, period.month, period.month, **span)
        return rollups.either(in_month, records(), period.whole)
    whole = rollups.split(period)
    if whole is None:
        return records()
    in_months = rollups.completed_in_months(client_id, whole.start, whole.end, **span)
    return in_months if whole == period else or_(in_months, records(outside=whole))


# --- Aggregating a source ----------------------------------------------------------------------


def _grouping(source: RowSource, by_coach: bool) -> ColumnElement:
    if not by_coach:
        return literal(ALL)
    if source.group is None:
        raise ValueError(f"the {source.name} source was built without crediting coaches")
    return source.group


def count_rows(
    source: RowSource,
    keys: Iterable[str] | None = None,
    *,
    by_coach: bool = False,
    extra: Iterable[ColumnElement] = (),
) -> dict[Any, list]:
    """``{group: [count of each key..., each extra aggregate...]}`` in one query; whole-scope
    figures come under ``ALL`` (always present, zeros when no row matched)."""
    keys = list(source.conditions if keys is None else keys)
    extra = list(extra)
    g = _grouping(source, by_coach)
    query = source.base.add_columns(g, *(source.count(key) for key in keys), *extra).group_by(g)
    result = {row[0]: list(row[1:]) for row in db.session.execute(query)}
    if not by_coach and ALL not in result:
        result[ALL] = [0] * len(keys) + [None] * len(extra)
    return result


def _median_by(values) -> dict:
    """``{group: median}`` over a subquery with columns ``g`` and ``x``, in one query."""
    ranked = select(
        values.c.g.label("g"),
        values.c.x.label("x"),
        func.row_number().over(partition_by=values.c.g, order_by=values.c.x).label("rn"),
        func.count().over(partition_by=values.c.g).label("n"),
    ).subquery()
    query = (
        select(ranked.c.g, func.avg(ranked.c.x * 1.0))
        .where(ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2]))
        .group_by(ranked.c.g)
    )
    return {g: float(m) for g, m in db.session.execute(query)}


def median_of(source: RowSource, key: str, value: str, *, by_coach: bool = False) -> dict:
    """``{group: median of values[value]}`` over the rows of ``key``."""
    g = _grouping(source, by_coach)
    values = source.where(key).add_columns(g.label("g"), source.values[value].label("x"))
    return _median_by(values.subquery())


def summed_counts(
    source: RowSource,
    scope: Scope,
    period: Period,
    keys: list[str],
    *,
    by_coach: bool = False,
    values: Iterable[tuple[str, str]] = (),
) -> dict[Any, list]:
    """``count_rows`` of a source summed in the report rollups: ``{group: [count of each key...,
    sum of each (value, rowset)...]}``, the whole months of ``period`` from the coach-month
    sums and its other days from the records (all from the records when the rollups may not be
    read)."""
    values = list(values)
    extra = [
        func.coalesce(func.sum(source.values[value]).filter(source.conditions[key]), 0)
        for value, key in values
    ]
    months = rollups.split(period)
    if months is None:
        return count_rows(source, keys, by_coach=by_coach, extra=extra)
    columns = [rollups.SUMMED[source.name][key] for key in keys] + [
        rollups.SUMMED_VALUES[(source.name, value, key)] for value, key in values
    ]
    by = "coach" if by_coach else ""
    result = rollups.coach_month_sums(scope, months, columns, by=by, all_key=ALL)
    if months != period:
        around = count_rows(source.outside(months), keys, by_coach=by_coach, extra=extra)
        for group, row in around.items():
            sums = result.get(group, [0] * len(columns))
            result[group] = [a + int(b or 0) for a, b in zip(sums, row, strict=True)]
        if by_coach:
            result = {g: sums for g, sums in result.items() if any(sums)}
    return result
