"""Billing units: minutes of service to units under a payer's rounding rule, then the daily and
monthly caps. Pure functions, no database: the worksheet feeds them rows it has loaded.

The rule (``BillingSetting``): a unit lasts ``unit_minutes``; the first unit needs
``first_unit_minutes`` of service; each further unit needs ``next_unit_minutes`` past the last
whole unit. With 15-minute units and 8/8 (the CMS "8-minute rule" shape): 0-7 minutes are no
unit, 8-22 one, 23-37 two, 38-52 three. With 60-minute units and 31/31 ("more than half"):
0-30 none, 31-90 one, 91-150 two.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Protocol


class UnitRule(Protocol):
    unit_minutes: int
    first_unit_minutes: int
    next_unit_minutes: int


@dataclass(frozen=True)
class Rule:
    """A rounding rule on its own (tests, examples); ``BillingSetting`` has the same fields."""

    unit_minutes: int = 15
    first_unit_minutes: int = 8
    next_unit_minutes: int = 8


def units_for(minutes: int | None, rule: UnitRule) -> int:
    """Units earned by ``minutes`` of service under ``rule``.

    Below ``first_unit_minutes``: none. Otherwise one, plus one for every whole unit after the
    first, plus one more when the minutes past the last whole unit reach ``next_unit_minutes``.
    """
    if minutes is None or minutes < rule.first_unit_minutes:
        return 0
    # The k-th further unit (k = 1, 2, ...) is earned at k whole units plus next_unit_minutes:
    # 15/8/8 gives 23, 38, 53; 60/31/31 gives 91, 151.
    further = max(0, (minutes - rule.next_unit_minutes) // rule.unit_minutes)
    return 1 + further


@dataclass(frozen=True)
class Service:
    """One session's claim before the caps: ``key`` identifies it, ``client``, ``day`` and
    ``month`` group it, ``order`` sorts it within a day (start time, then id)."""

    key: Hashable
    client: Hashable
    day: Hashable
    month: Hashable
    order: tuple
    units: int
    daily_cap: int | None
    monthly_cap: int | None


@dataclass(frozen=True)
class Capped:
    """What a service may bill after the caps: ``units`` (0 when nothing is left) and, when the
    caps took everything, ``reason`` ("over the daily cap" or "over the monthly cap")."""

    key: Hashable
    units: int
    reason: str | None


OVER_DAILY = "over the daily cap"
OVER_MONTHLY = "over the monthly cap"


def apply_caps(services: Iterable[Service]) -> dict[Hashable, Capped]:
    """The caps per client, in session order (day, then start time, then id): a day's sessions
    add up until the daily cap; the session that crosses it gets the units left, the later ones
    none ("over the daily cap"); then the month's billed units add up the same way under the
    monthly cap. A service with no units to start with keeps zero and no reason."""
    ordered = sorted(services, key=lambda s: (repr(s.client), s.day, s.order))
    day_used: dict[tuple, int] = {}
    month_used: dict[tuple, int] = {}
    result: dict[Hashable, Capped] = {}
    for service in ordered:
        units, reason = service.units, None
        if units > 0 and service.daily_cap is not None:
            used = day_used.get((service.client, service.day), 0)
            units = max(0, min(units, service.daily_cap - used))
            if units == 0:
                reason = OVER_DAILY
        if units > 0 and service.monthly_cap is not None:
            used = month_used.get((service.client, service.month), 0)
            units = max(0, min(units, service.monthly_cap - used))
            if units == 0:
                reason = OVER_MONTHLY
        day_key, month_key = (service.client, service.day), (service.client, service.month)
        day_used[day_key] = day_used.get(day_key, 0) + units
        month_used[month_key] = month_used.get(month_key, 0) + units
        result[service.key] = Capped(service.key, units, reason)
    return result
