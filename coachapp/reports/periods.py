"""Named report periods of a funder's calendar: fiscal years, fiscal quarters, calendar quarters.

- ``FY2026`` is the fiscal year that *ends* in 2026 (the US federal convention): with a fiscal
  year starting in October it runs 2025-10-01 … 2026-09-30; starting in January it is the
  calendar year 2026.
- ``FY2026Q1`` … ``FY2026Q4`` are its quarters (with October: Q1 = October … December 2025).
- ``2026Q1`` … ``2026Q4`` are calendar quarters.

Names are read whatever the case, with or without a space or hyphen before the quarter
(``fy2026 q1``, ``FY2026-Q1``); ``canonical`` gives the one spelling links carry. A name
resolves to plain dates (``Period``) before anything is computed or stored, so a named period
and the same dates typed by hand share one stored report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from coachapp.scope import Period

MIN_YEAR = 2000
MAX_YEAR = 2100
MONTH_ABBR = (
    "",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)

_NAME = re.compile(r"^(?P<fy>FY)?(?P<year>\d{4})(?:[\s-]*Q(?P<quarter>\d))?$")


class PeriodNameError(ValueError):
    """A period name that names no period; the message says why, for the user."""


@dataclass(frozen=True)
class NamedPeriod:
    """A period of the funder's calendar: its canonical name, a label with its months, dates."""

    name: str
    label: str
    period: Period


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _span(year: int, month: int, months: int) -> Period:
    """``months`` whole months from the first of (``year``, ``month``)."""
    end_year, end_month = _add_months(year, month, months)
    return Period(date(year, month, 1), date(end_year, end_month, 1) - timedelta(days=1))


def fiscal_year(year: int, start_month: int) -> Period:
    """The dates of FY``year`` for a fiscal year starting in ``start_month`` (1-12)."""
    first_year = year if start_month == 1 else year - 1
    return _span(first_year, start_month, 12)


def fiscal_quarter(year: int, quarter: int, start_month: int) -> Period:
    """The dates of FY``year`` Q``quarter`` (1-4)."""
    first = fiscal_year(year, start_month).start
    q_year, q_month = _add_months(first.year, first.month, 3 * (quarter - 1))
    return _span(q_year, q_month, 3)


def calendar_quarter(year: int, quarter: int) -> Period:
    return _span(year, 3 * (quarter - 1) + 1, 3)


def fiscal_year_of(day: date, start_month: int) -> int:
    """The FY number ``day`` falls in (the calendar year the fiscal year ends in)."""
    if start_month == 1 or day.month < start_month:
        return day.year
    return day.year + 1


def months_label(period: Period) -> str:
    """``Oct 2025 – Sep 2026``, or ``Oct – Dec 2025`` within one year."""
    start, end = period.start, period.end
    if start.year == end.year:
        return f"{MONTH_ABBR[start.month]} – {MONTH_ABBR[end.month]} {end.year}"
    return f"{MONTH_ABBR[start.month]} {start.year} – {MONTH_ABBR[end.month]} {end.year}"


def _named(name: str, display: str, period: Period) -> NamedPeriod:
    return NamedPeriod(name, f"{display} ({months_label(period)})", period)


def is_period_name(value: str) -> bool:
    """Whether ``value`` is spelled like a period name (it may still name no period)."""
    return bool(_NAME.match((value or "").strip().upper()))


def parse(value: str, start_month: int) -> NamedPeriod:
    """The named period ``value`` names for a program whose fiscal year starts in
    ``start_month``; ``PeriodNameError`` with a message for the user otherwise."""
    text = (value or "").strip().upper()
    match = _NAME.match(text[:40])
    if not match:
        raise PeriodNameError(
            "Give a period as FY2026 (a fiscal year), FY2026Q1 (a fiscal quarter) "
            "or 2026Q1 (a calendar quarter)."
        )
    year = int(match["year"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodNameError(f"The year must be between {MIN_YEAR} and {MAX_YEAR}.")
    quarter = int(match["quarter"]) if match["quarter"] else None
    if quarter is not None and not 1 <= quarter <= 4:
        raise PeriodNameError("A year has quarters Q1 to Q4.")
    if match["fy"]:
        if quarter is None:
            return _named(f"FY{year}", f"FY{year}", fiscal_year(year, start_month))
        return _named(
            f"FY{year}Q{quarter}",
            f"FY{year} Q{quarter}",
            fiscal_quarter(year, quarter, start_month),
        )
    if quarter is None:
        raise PeriodNameError(
            f"Say which quarter of {year} (e.g. {year}Q1), or FY{year} for the fiscal year."
        )
    return _named(f"{year}Q{quarter}", f"{year} Q{quarter}", calendar_quarter(year, quarter))


def recent(today: date, start_month: int) -> list[NamedPeriod]:
    """What the report page offers: the current and previous fiscal years with their quarters,
    then the calendar quarters of this year and last, newest first; only periods that have
    begun by ``today``."""
    offered: list[NamedPeriod] = []
    current_fy = fiscal_year_of(today, start_month)
    for year in (current_fy, current_fy - 1):
        offered.append(parse(f"FY{year}", start_month))
        offered += [parse(f"FY{year}Q{q}", start_month) for q in (4, 3, 2, 1)]
    if start_month != 1:  # with January, calendar quarters are the fiscal ones
        for year in (today.year, today.year - 1):
            offered += [parse(f"{year}Q{q}", start_month) for q in (4, 3, 2, 1)]
    return [named for named in offered if named.period.start <= today]
