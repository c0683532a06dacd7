"""Billing pages: the billing specialist's worksheet page with its CSV and XLSX downloads, and
the admin's billing settings page of a program.

The worksheet page shows billing fields only (client name and code, member id, dates, codes,
units, places of service, the rendering coach); every view of it and every download writes an
audit event."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coachapp import access, spreadsheets, timeutil, web
from coachapp.billing import bp, queries, services
from coachapp.billing.exports import (
    LINE_COLUMNS,
    NOT_BILLABLE_COLUMNS,
    line_rows,
    not_billable_rows,
)
from coachapp.billing.forms import SettingForm
from coachapp.extensions import db
from coachapp.forms import validate_in_one_pass
from coachapp.models import Program, User
from coachapp.models.enums import Role


def _actor() -> User:
    return current_user._get_current_object()


def _program_and_month() -> tuple[Program, str]:
    """The program (a billing specialist's own; an admin's pick, ``program_id``) and the month
    (``month``, default last month); 404 for a program out of reach, 400 for a bad month."""
    try:
        program_id = access.billing_program_id(
            current_user, access.parse_scope_id(request.args.get("program_id"))
        )
    except access.ScopeError:
        abort(404)
    program = db.get_or_404(Program, program_id)
    month = request.args.get("month") or services.last_month(program)
    if services.parse_month(month) is None:
        abort(400)
    return program, month


@bp.route("/billing/")
@access.roles(Role.BILLING, Role.ADMIN, client_data=True)
def index():
    """The month's claims worksheet of the program, with its downloads."""
    program, month = _program_and_month()
    sheet = services.worksheet(current_user, program, month)
    services.record_download(sheet, actor=_actor(), fmt="page")
    db.session.commit()
    return render_template(
        "billing/index.html",
        program=program,
        month=month,
        sheet=sheet,
        programs=queries.programs() if current_user.role == Role.ADMIN else [],
        setting=queries.setting_on(
            queries.setting_versions(program.id),
            services.parse_month(month)[1],  # type: ignore[index]
        ),
    )


@bp.route("/billing/worksheet.<fmt>")
@access.roles(Role.BILLING, Role.ADMIN, client_data=True)
def download(fmt: str):
    """The worksheet as CSV (lines, then nothing else: the not-billable list is its own file,
    ``?part=not_billable``) or XLSX (a sheet of lines and one of sessions not billable)."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    program, month = _program_and_month()
    sheet = services.worksheet(current_user, program, month)
    part = request.args.get("part", "lines")
    if part not in ("lines", "not_billable"):
        abort(400)
    services.record_download(sheet, actor=_actor(), fmt=f"{fmt} {part}" if fmt == "csv" else fmt)
    db.session.commit()
    name = f"claims-worksheet-{program.id}-{month}"
    if fmt == "csv":
        if part == "not_billable":
            return spreadsheets.csv_response(
                NOT_BILLABLE_COLUMNS, not_billable_rows(sheet), f"{name}-not-billable.csv"
            )
        return spreadsheets.csv_response(LINE_COLUMNS, line_rows(sheet), f"{name}.csv")
    return spreadsheets.xlsx_response(
        LINE_COLUMNS,
        line_rows(sheet),
        f"{name}.xlsx",
        title="Claim lines",
        cover=[("Program", program.name), ("Month", month), ("Lines", len(sheet.lines))],
        more=[spreadsheets.Sheet("Not billable", NOT_BILLABLE_COLUMNS, not_billable_rows(sheet))],
    )


@bp.route("/admin/programs/<int:program_id>/billing", methods=["GET", "POST"])
@access.roles(Role.ADMIN)
def settings(program_id: int):
    """A program's billing settings: the version in force today, the history, and a form that
    adds a version from its date (a version of the same date is replaced)."""
    program = db.get_or_404(Program, program_id)
    versions = queries.setting_versions(program.id)
    from_today = queries.setting_on(versions, timeutil.local_today(program))
    form = SettingForm(obj=from_today) if request.method == "GET" and from_today else SettingForm()
    if request.method == "GET" and from_today:
        form.effective_from.data = timeutil.local_today(program)
    if validate_in_one_pass(form, form.rule_check):
        with web.saving(form) as saved:
            services.put_setting(program, form.data_for_service(), actor=_actor())
        if saved:
            flash("Billing settings saved.", "success")
            return redirect(url_for("billing.settings", program_id=program.id))
    return web.form_page(
        "billing/settings.html", form, program=program, versions=versions, current=from_today
    )
