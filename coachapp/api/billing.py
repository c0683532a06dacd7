"""A program's billing settings (admin; read: its billing specialist too) and the monthly claims
worksheet (billing specialist, admin), api.md. The rules are ``billing.services``'."""

from __future__ import annotations

from dataclasses import asdict

from flask import abort

from coachapp import access, timeutil
from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.common import committing
from coachapp.api.schemas import NoArgs
from coachapp.api.schemas.billing import (
    BillingSettingSchema,
    BillingSettingsSchema,
    WorksheetArgs,
    WorksheetSchema,
)
from coachapp.billing import queries, services
from coachapp.extensions import db
from coachapp.models import Program
from coachapp.models.enums import Role


def _program(program_id: int) -> Program:
    try:
        access.billing_program_id(api_user(), program_id)
    except access.ScopeError:
        abort(404)
    return db.get_or_404(Program, program_id)


def _settings_out(program: Program) -> dict:
    versions = queries.setting_versions(program.id)
    return {
        "program_id": program.id,
        "current": queries.setting_on(versions, timeutil.local_today(program)),
        "history": versions,
    }


@blp.route("/programs/<int:program_id>/billing", methods=["GET"])
@token_required(Role.ADMIN, Role.BILLING)
@blp.arguments(NoArgs, location="query")
@blp.response(200, BillingSettingsSchema)
def get_billing(args, program_id: int):
    """The program's billing settings: the version in force today and the history."""
    return _settings_out(_program(program_id))


@blp.route("/programs/<int:program_id>/billing", methods=["PUT"])
@token_required(Role.ADMIN)
@blp.arguments(BillingSettingSchema)
@blp.response(200, BillingSettingsSchema)
def put_billing(data, program_id: int):
    """Add a version in force from ``effective_from``; a version of the same date is replaced."""
    program = _program(program_id)
    with committing():
        services.put_setting(program, data, actor=api_user())
    return _settings_out(program)


@blp.route("/billing/worksheet", methods=["GET"])
@token_required(Role.BILLING, Role.ADMIN)
@blp.arguments(WorksheetArgs, location="query")
@blp.response(200, WorksheetSchema)
def worksheet(args):
    """The month's claims worksheet of the program (a billing specialist's own; an admin's
    ``program_id``): one line per billable signed session, and the billable sessions that
    cannot be billed with their reason. Audited."""
    user = api_user()
    try:
        program_id = access.billing_program_id(user, args.get("program_id"))
    except access.ScopeError:
        abort(404)
    program = db.get_or_404(Program, program_id)
    access.mark_client_data()
    sheet = services.worksheet(user, program, args.get("month") or services.last_month(program))
    with committing():
        services.record_download(sheet, actor=user, fmt="api")
    return {
        "program_id": sheet.program_id,
        "month": sheet.month,
        "lines": [asdict(line) for line in sheet.lines],
        "not_billable": [asdict(item) for item in sheet.not_billable],
    }
