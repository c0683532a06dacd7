"""Reading the report rollups (``models.rollups``): whole months from the sums kept per coach
and month, the days of a period around them from the records.

A period splits into its whole calendar months (``whole_months``: one run, possibly none) and
the days before and after them. Counts of sessions and appointments are the coach-month sums
over the run plus the records dated outside it (``outside``); "a completed session in the
period" (engagement) is a client-month row with one in the run, or a record outside it. The
records themselves remain the definition: with ``REPORT_ROLLUPS`` off, or before
``flask reports rebuild`` on an upgraded database, every figure is computed from them
(``enabled``), and ``tests/reports/test_rollups.py`` compares the two on random histories.

Kept up to date by ``reports.upkeep``, in the transaction of each change.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from coachapp.extensions import db
from coachapp.models import ReportClientMonth, ReportCoachMonth, ReportRollupStatus
from coachapp.reports.credit import credited_coach
from coachapp.scope import Period, Scope

_READY = "reports.rollups.ready"  # Session.info key: the answer of ``enabled`` this transaction

# The rowsets of each source that are sums of the rollups: rowset -> rollup column. Their
# conditions (``sources``) are what ``upkeep`` counts into each column.
SUMMED: dict[str, dict[str, str]] = {
    "sessions": {
        "sessions.completed": "sessions_completed",
        "sessions.attempted": "sessions_attempted",
    },
    "appointments": {
        "appointments.total": "appointments_total",
        "appointments.attended": "appointments_attended",
        "appointments.no_show": "appointments_no_show",
        "appointments.cancelled": "appointments_cancelled",
        "appointments.rescheduled": "appointments_rescheduled",
        "appointments.pending": "appointments_pending",
        "appointments.accompanied": "appointments_accompanied",
        "appointments.no_show_rate.denominator": "appointments_rated",
        "appointments.no_show_rate_accompanied.numerator": "appointments_no_show_planned",
        "appointments.no_show_rate_accompanied.denominator": "appointments_rated_planned",
        "appointments.no_show_rate_unaccompanied.numerator": "appointments_no_show_unplanned",
        "appointments.no_show_rate_unaccompanied.denominator": "appointments_rated_unplanned",
    },
}
# Sums of a value over a rowset: (source, value, rowset) -> rollup column.
SUMMED_VALUES: dict[tuple[str, str, str], str] = {
    ("sessions", "minutes", "sessions.completed"): "minutes_completed",
}


def enabled() -> bool:
    """Whether figures may read the rollups: the setting is on and they are built (answered
    once per transaction)."""
    if not current_app.config.get("REPORT_ROLLUPS", True):
        return False
    info = db.session.info
    if _READY not in info:
        stale = db.session.scalar(
            select(ReportRollupStatus.needs_rebuild).where(ReportRollupStatus.id == 1)
        )
        info[_READY] = not stale
    return bool(info[_READY])


def forget_readiness_of(session: Session) -> None:
    """After a commit or a rollback: ``enabled`` asks again."""
    session.info.pop(_READY, None)


def whole_months(period: Period) -> Period | None:
    """The run of whole calendar months inside ``period`` (None if it holds none)."""
    whole = [m for m in period.months() if m.start.day == 1 and (m.end + timedelta(1)).day == 1]
    return Period(whole[0].start, whole[-1].end) if whole else None


def split(period: Period) -> Period | None:
    """The whole months of ``period`` to read from the rollups, if they may be read."""
    return whole_months(period) if enabled() else None


def coach_month_sums(
    scope: Scope, months: Period, columns: list[str], *, by: str = "", all_key: Any = None
) -> dict[Any, list[int]]:
    """Sums of ``columns`` over the coach-month rows of ``months`` in scope: ``{all_key:
    [...]}`` (always present), or by ``"coach"`` or by ``"month"`` (its first day; groups whose
    sums are all zero left out, as a count of no rows leaves a group out)."""
    cm = ReportCoachMonth
    group = {"coach": cm.coach_id, "month": cm.month}.get(by, literal(all_key))
    query = (
        select(group, *(func.coalesce(func.sum(getattr(cm, c)), 0) for c in columns))
        .where(
            cm.program_id == scope.program_id,
            cm.month.between(months.start, months.end),
            credited_coach(scope, cm.coach_id),
        )
        .group_by(group)
    )
    found = {row[0]: [int(v) for v in row[1:]] for row in db.session.execute(query)}
    if not by:
        found.setdefault(all_key, [0] * len(columns))
    else:
        found = {g: sums for g, sums in found.items() if any(sums)}
    return found


def completed_in_months(
    client_id: ColumnElement,
    first: Any,
    last: Any,
    *,
    span_lo: ColumnElement | None = None,
    coach_id: ColumnElement | None = None,
) -> ColumnElement[bool]:
    """The client has a client-month row with a completed session from month ``first`` to
    month ``last`` (first days), in the span starting ``span_lo`` of ``coach_id`` if given."""
    rcm = ReportClientMonth
    conditions = [
        rcm.client_id == client_id,
        rcm.month >= first,
        rcm.month <= last,
        rcm.sessions_completed > 0,
    ]
    if span_lo is not None:
        conditions += [rcm.span_lo == span_lo, rcm.coach_id == coach_id]
    return exists().where(*conditions)


def either(
    rollup: ColumnElement[bool], records: ColumnElement[bool], whole: ColumnElement[bool]
) -> ColumnElement[bool]:
    """``rollup`` where ``whole`` holds, ``records`` elsewhere."""
    return or_(and_(whole, rollup), and_(~whole, records))
