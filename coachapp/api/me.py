"""``GET /me`` and programs."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import abort
from sqlalchemy import func, select

from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.pagination import paginate
from coachapp.api.schemas import MeSchema, PageArgs, ProgramPage, ProgramSchema
from coachapp.extensions import db
from coachapp.models import Program
from coachapp.models.enums import Role


@blp.route("/me", methods=["GET"])
@token_required()
@blp.response(200, MeSchema)
def me():
    """The token's user."""
    return api_user()


@blp.route("/programs", methods=["GET"])
@token_required(Role.ADMIN)
@blp.arguments(PageArgs, location="query")
@blp.response(200, ProgramPage)
def list_programs(args):
    """Every program (admin)."""
    return paginate(select(Program).order_by(Program.name), args)


@blp.route("/programs", methods=["POST"])
@token_required(Role.ADMIN)
@blp.arguments(ProgramSchema)
@blp.response(201, ProgramSchema)
def create_program(data):
    """Create a program (admin)."""
    name = data["name"].strip()
    try:
        ZoneInfo(data["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        abort(422, description={"timezone": ["Unknown time zone."]})
    if db.session.scalar(select(func.count(Program.id)).where(Program.name == name)):
        abort(422, description={"name": ["A program with this name exists."]})
    program = Program(name=name, timezone=data["timezone"])
    db.session.add(program)
    db.session.commit()
    return program
