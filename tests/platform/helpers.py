"""Helpers shared by the platform tests (tests/helpers.py has those of every feature)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from coachapp.extensions import db as _db

TODAY = date(2026, 3, 31)


SEED = 7


def scalar(sql: str, **params) -> object:
    return _db.session.execute(text(sql), params).scalar()
