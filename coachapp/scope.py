"""What every report is about: a ``Scope`` (a program, optionally one coach or one team) and a
``Period`` (a run of days), and the rounding every figure shares (``rate``, ``round2``).

A leaf: it imports nothing from coachapp, so the access rule (``access.report_scope`` builds a
``Scope``), the reports and the follow-up figures can all import it without a circle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    """A run of days, both ends included (``start`` <= ``end``)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("the period ends before it starts")

    def months(self) -> list[Period]:
        """Each calendar month overlapping the period, clipped to it."""
        months = []
        cursor = self.start.replace(day=1)
        while cursor <= self.end:
            following = (cursor + timedelta(days=32)).replace(day=1)
            months.append(
                Period(max(cursor, self.start), min(following - timedelta(days=1), self.end))
            )
            cursor = following
        return months


@dataclass(frozen=True)
class Scope:
    """A program, optionally narrowed to one coach or one supervisor's team."""

    program_id: int
    coach_id: int | None = None
    supervisor_id: int | None = None

    def as_dict(self) -> dict:
        return {
            "program_id": self.program_id,
            "coach_id": self.coach_id,
            "supervisor_id": self.supervisor_id,
        }


def rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def round2(value) -> float | None:
    return round(float(value), 2) if value is not None else None
