"""Programs by what an operator types: the lookup the ``flask`` commands share."""

from __future__ import annotations

from sqlalchemy import select

from coachapp.extensions import db
from coachapp.models import Program


def find_program(value: str) -> Program | None:
    """The program whose id (all digits) or name is ``value``, or None."""
    if value.isdigit():
        program = db.session.get(Program, int(value))
        if program is not None:
            return program
    return db.session.scalar(select(Program).where(Program.name == value))
