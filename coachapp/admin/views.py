"""Admin pages: users, programs, teams; and the staff list of a program (program managers too).

Every page here is about staff: clients appear only as counts, never by name, and nothing here
opens a client record (admins reach one only through break-the-glass).
"""

from __future__ import annotations

import calendar

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coachapp import access, web
from coachapp.admin import bp, queries, services
from coachapp.admin.forms import (
    ActionForm,
    EditUserForm,
    NewTeamForm,
    NewUserForm,
    PasswordResetForm,
    ProgramForm,
    TeamNameForm,
    program_choices,
    timezone_names,
)
from coachapp.extensions import db
from coachapp.forms import validate_in_one_pass
from coachapp.models import Program, Team, User
from coachapp.models.base import parse_id
from coachapp.models.enums import Role

ROLE_CHOICES = [r.value for r in Role]
ACTIVE_CHOICES = {"active": "Active", "inactive": "Deactivated"}
TAKEN_EMAIL = "Another account already uses this email."
REASSIGN_HINT = (
    "Their supervisor reassigns the caseload from the team dashboard (Reassign caseload)."
)


def _id_arg(name: str) -> int | None:
    """An id from the query string; junk or out of range reads as "none"."""
    return parse_id(request.args.get(name))


def _page_number() -> int:
    return max(1, min(request.args.get("page", 1, type=int) or 1, 100_000))


def _actor() -> User:
    return current_user._get_current_object()


# --- Users -----------------------------------------------------------------------------------


@bp.route("/admin/users")
@access.roles(Role.ADMIN)
def users():
    """Every account, filtered by role, program and active flag, searched by name or email."""
    role = request.args.get("role", "", type=str)
    active = request.args.get("active", "", type=str)
    filters = queries.UserFilters(
        q=request.args.get("q", "", type=str).strip()[:100],
        role=role if role in ROLE_CHOICES else "",
        program_id=_id_arg("program_id"),
        active=active if active in ACTIVE_CHOICES else "",
    )
    page = _page_number()
    rows, total = queries.users_page(filters, page)
    return render_template(
        "admin/users.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // queries.PER_PAGE)),
        filters=filters,
        roles=ROLE_CHOICES,
        active_choices=ACTIVE_CHOICES,
        programs=queries.all_programs(),
    )


def _user_form_choices(form, user: User | None = None) -> None:
    form.set_choices(*queries.user_form_choices(user.supervisor_id if user else None))


@bp.route("/admin/users/new", methods=["GET", "POST"])
@access.roles(Role.ADMIN)
def new_user():
    form = NewUserForm()
    _user_form_choices(form)

    def rules() -> None:
        services.check_new_user(
            form.checked_details(),
            email=None if form.email.errors else form.email.data,
            password=form.password.data,
            actor=_actor(),
        )

    if validate_in_one_pass(form, rules):
        with web.saving(
            form, duplicate=("email", "Another account already uses this email.")
        ) as saved:
            user = services.create_user(
                form.details(),
                email=form.email.data,
                password=form.password.data,
                actor=_actor(),
            )
        if saved:
            flash(f"Account for {user.name} created.", "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return web.form_page("admin/user_new.html", form)


def _edit_page(user: User, form: EditUserForm, password_form: PasswordResetForm, status: int):
    return render_template(
        "admin/user_edit.html",
        user=user,
        form=form,
        password_form=password_form,
        action_form=ActionForm(),
        active_clients=queries.active_client_count(user) if user.role == Role.COACH else None,
        reporting_coaches=(
            queries.reporting_coach_count(user) if user.role == Role.SUPERVISOR else None
        ),
        is_self=user.id == current_user.id,
    ), status


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@access.roles(Role.ADMIN)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = EditUserForm(obj=user)
    _user_form_choices(form, user)
    if request.method == "GET":
        form.stamp.data = services.user_stamp(user)
    if validate_in_one_pass(
        form, lambda: services.check_user(user, form.checked_details(), actor=_actor())
    ):
        with web.saving(form) as saved:
            changed = services.update_user(
                user, form.details(), stamp=form.stamp.data or "", actor=_actor()
            )
        if saved:
            flash("Saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    # After a rollback the row is reloaded: the page shows what is stored, the form what was typed.
    return _edit_page(user, form, PasswordResetForm(formdata=None), web.form_status())


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@access.roles(Role.ADMIN)
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    password_form = PasswordResetForm()

    def rules() -> None:
        services.check_password_reset(user, password_form.new_password.data, actor=_actor())

    if validate_in_one_pass(password_form, rules):
        with web.saving(password_form) as saved:
            services.reset_password(user, password_form.new_password.data, actor=_actor())
        if saved:
            flash(
                f"New password set for {user.name}. Every session of theirs has ended.", "success"
            )
            return redirect(url_for("admin.edit_user", user_id=user.id))
    form = EditUserForm(formdata=None, obj=user)
    _user_form_choices(form, user)
    form.stamp.data = services.user_stamp(user)
    return _edit_page(user, form, password_form, 422)


@bp.route("/admin/users/<int:user_id>/deactivate", methods=["POST"])
@access.roles(Role.ADMIN)
def deactivate_user(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    clients = queries.active_client_count(user) if user.role == Role.COACH and user.active else 0
    if clients and request.form.get("confirm") != "yes":
        # Never one click for a coach with clients: a confirm page first, nothing changes yet.
        return render_template("admin/deactivate_confirm.html", user=user, active_clients=clients)
    try:
        services.deactivate_user(user, actor=_actor())
        db.session.commit()
    except services.AdminRuleError as exc:
        db.session.rollback()
        for message in exc.errors.values():
            flash(message, "error")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    flash(
        f"{user.name} is deactivated: signed out everywhere, unable to sign in, "
        "API tokens revoked.",
        "success",
    )
    if user.role == Role.COACH:
        n = queries.active_client_count(user)
        if n:
            flash(
                f"{user.name} still has {n} active client{'s' if n != 1 else ''}. " + REASSIGN_HINT,
                "warning",
            )
    elif user.role == Role.SUPERVISOR:
        n = queries.reporting_coach_count(user)
        if n:
            flash(
                f"{n} active coach{'es' if n != 1 else ''} still report{'' if n != 1 else 's'} "
                f"to {user.name}: give them another supervisor.",
                "warning",
            )
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/admin/users/<int:user_id>/reactivate", methods=["POST"])
@access.roles(Role.ADMIN)
def reactivate_user(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.reactivate_user(user, actor=_actor())
    db.session.commit()
    flash(f"{user.name} can sign in again.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


# --- Programs --------------------------------------------------------------------------------


@bp.route("/admin/programs")
@access.roles(Role.ADMIN)
def programs():
    return render_template(
        "admin/programs.html",
        rows=queries.programs_overview(),
        month_names=list(calendar.month_name),
    )


def _program_form_page(form: ProgramForm, program: Program | None, status: int):
    return render_template(
        "admin/program_form.html", form=form, program=program, timezones=timezone_names()
    ), status


@bp.route("/admin/programs/new", methods=["GET", "POST"])
@access.roles(Role.ADMIN)
def new_program():
    form = ProgramForm()
    if request.method == "GET":
        form.timezone.data = "America/New_York"
        form.break_glass_minutes.data = 120
    if validate_in_one_pass(
        form, lambda: services.check_program(form.name.data, form.timezone.data)
    ):
        with web.saving(form, duplicate=("name", "Another program has this name.")) as saved:
            program = services.create_program(
                form.name.data,
                form.timezone.data,
                actor=_actor(),
                fiscal_year_start_month=form.fiscal_year_start_month.data,
                break_glass_minutes=form.break_glass_minutes.data or 120,
            )
        if saved:
            flash(f"Program {program.name} created.", "success")
            return redirect(url_for("admin.programs"))
    return _program_form_page(form, None, web.form_status())


@bp.route("/admin/programs/<int:program_id>/edit", methods=["GET", "POST"])
@access.roles(Role.ADMIN)
def edit_program(program_id: int):
    program = db.get_or_404(Program, program_id)
    form = ProgramForm(obj=program)

    def rules() -> None:
        services.check_program(form.name.data, form.timezone.data, except_id=program.id)

    if validate_in_one_pass(form, rules):
        with web.saving(form, duplicate=("name", "Another program has this name.")) as saved:
            services.update_program(
                program,
                form.name.data,
                form.timezone.data,
                actor=_actor(),
                fiscal_year_start_month=form.fiscal_year_start_month.data,
                break_glass_minutes=form.break_glass_minutes.data,
            )
        if saved:
            flash("Program saved.", "success")
            return redirect(url_for("admin.programs"))
    return _program_form_page(form, program, web.form_status())


# --- Teams -----------------------------------------------------------------------------------


@bp.route("/admin/teams")
@access.roles(Role.ADMIN)
def teams():
    program_id = _id_arg("program_id")
    return render_template(
        "admin/teams.html",
        rows=queries.teams_overview(program_id),
        programs=queries.all_programs(),
        program_id=program_id,
    )


@bp.route("/admin/teams/new", methods=["GET", "POST"])
@access.roles(Role.ADMIN)
def new_team():
    form = NewTeamForm()
    form.program_id.choices = program_choices(queries.all_programs(), blank="Choose a program")
    if request.method == "GET":
        form.program_id.data = _id_arg("program_id")
    if validate_in_one_pass(
        form,
        lambda: services.check_team_name(
            None if form.program_id.errors else form.program_id.data, form.name.data
        ),
    ):
        program = db.session.get(Program, form.program_id.data)
        with web.saving(form, duplicate=("name", "This program already has this team.")) as saved:
            team = services.create_team(program, form.name.data, actor=_actor())
        if saved:
            flash(f"Team {team.name} created.", "success")
            return redirect(url_for("admin.teams", program_id=team.program_id))
    return web.form_page("admin/team_form.html", form, team=None)


@bp.route("/admin/teams/<int:team_id>/edit", methods=["GET", "POST"])
@access.roles(Role.ADMIN)
def edit_team(team_id: int):
    team = db.get_or_404(Team, team_id)
    form = TeamNameForm(obj=team)

    def rules() -> None:
        services.check_team_name(team.program_id, form.name.data, except_id=team.id)

    if validate_in_one_pass(form, rules):
        with web.saving(form, duplicate=("name", "This program already has this team.")) as saved:
            services.rename_team(team, form.name.data, actor=_actor())
        if saved:
            flash("Team renamed.", "success")
            return redirect(url_for("admin.teams", program_id=team.program_id))
    return web.form_page("admin/team_form.html", form, team=team)


# --- Staff list ------------------------------------------------------------------------------


@bp.route("/admin/staff")
@access.roles(Role.PROGRAM_MANAGER, Role.ADMIN)
def staff():
    """A program's staff with caseload sizes (counts only). Program managers see their own
    program whatever the URL says; admins choose one."""
    user = _actor()
    programs: list[Program] = []
    if user.role == Role.PROGRAM_MANAGER:
        program = user.program
    else:
        programs = queries.all_programs()
        wanted = _id_arg("program_id")
        if wanted is not None:
            program = next((p for p in programs if p.id == wanted), None)
            if program is None:
                abort(404)
        else:
            own = next((p for p in programs if p.id == user.program_id), None)
            program = own or (programs[0] if programs else None)
    rows = queries.staff_of_program(program.id) if program is not None else []
    coaches = [row for row in rows if row.active_clients is not None]
    return render_template(
        "admin/staff.html",
        program=program,
        programs=programs,
        rows=rows,
        total_active=sum(row.active_clients or 0 for row in coaches if row.user.active),
        coach_count=sum(1 for row in coaches if row.user.active),
    )
