"""Dates and times in a program's time zone (metrics.md: calendar dates, program-local)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from coachapp.models import Program


def zone(program: Program | None) -> ZoneInfo:
    try:
        return ZoneInfo(program.timezone if program else "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_now(program: Program | None) -> datetime:
    """Now as a naive wall-clock time in the program's zone (how appointments are stored)."""
    return datetime.now(timezone.utc).astimezone(zone(program)).replace(tzinfo=None)


def local_today(program: Program | None) -> date:
    """Today's date where the program is: the default for every "when did it happen" field."""
    return local_now(program).date()
