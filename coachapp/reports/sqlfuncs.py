"""Date arithmetic, written once for SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Date, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction


class days_between(GenericFunction):  # noqa: N801 - SQL function name
    """``days_between(later, earlier)``: whole days from ``earlier`` to ``later``."""

    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )


class add_days(GenericFunction):  # noqa: N801 - SQL function name
    """``add_days(date, n)``: the date ``n`` days later (n may be negative)."""

    type = Date()
    inherit_cache = True


@compiles(add_days)
def _add_days_default(element, compiler, **kw):
    day, n = list(element.clauses)
    return f"({compiler.process(day, **kw)} + CAST({compiler.process(n, **kw)} AS INTEGER))"


@compiles(add_days, "sqlite")
def _add_days_sqlite(element, compiler, **kw):
    day, n = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, printf('%+d days', {compiler.process(n, **kw)}))"


class month_start(GenericFunction):  # noqa: N801 - SQL function name
    """``month_start(day)``: the first day of the month of a date or datetime, as a date."""

    type = Date()
    inherit_cache = True


@compiles(month_start)
def _month_start_default(element, compiler, **kw):
    (day,) = list(element.clauses)
    return f"CAST(date_trunc('month', {compiler.process(day, **kw)}) AS DATE)"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    (day,) = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, 'start of month')"


__all__ = ["add_days", "days_between", "month_start"]
