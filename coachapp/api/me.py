"""``GET /me`` and programs."""

from __future__ import annotations

from sqlalchemy import select

from coachapp.admin import services
from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.common import committing
from coachapp.api.idempotency import idempotent
from coachapp.api.pagination import paginate
from coachapp.api.schemas import MeSchema, NoArgs, PageArgs, ProgramPage, ProgramSchema
from coachapp.api.schemas.admin import ProgramPatchSchema
from coachapp.extensions import db
from coachapp.models import Program
from coachapp.models.enums import Role


@blp.route("/me", methods=["GET"])
@token_required()
@blp.arguments(NoArgs, location="query")
@blp.response(200, MeSchema)
def me(args):
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
@idempotent
@blp.arguments(ProgramSchema)
@blp.response(201, ProgramSchema)
def create_program(data):
    """Create a program (admin): a name no other program has (whatever the case) and an IANA
    time zone. The admin pages' rules and audit trail (``admin.services.create_program``)."""
    with committing():
        program = services.create_program(
            data["name"].strip(),
            data["timezone"].strip(),
            actor=api_user(),
            break_glass_minutes=data["break_glass_minutes"],
        )
    return program


@blp.route("/programs/<int:program_id>", methods=["PATCH"])
@token_required(Role.ADMIN)
@blp.arguments(ProgramPatchSchema)
@blp.response(200, ProgramSchema)
def patch_program(data, program_id: int):
    """Rename a program, change its time zone or how long a break-the-glass access lasts
    (admin): the admin pages' rules and audit trail (``admin.services.update_program``)."""
    program = db.get_or_404(Program, program_id)
    with committing():
        services.update_program(
            program,
            data.get("name", program.name).strip(),
            data.get("timezone", program.timezone).strip(),
            actor=api_user(),
            break_glass_minutes=data.get("break_glass_minutes"),
        )
    return program
