"""Recovery goals: set one from the client's page, edit it, change its status, archive it.
Every route declares its access rule (coachapp.access)."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user

from coachapp import access, timeutil, web
from coachapp.extensions import db
from coachapp.forms import ArchiveForm, validate_in_one_pass
from coachapp.goals import bp, services
from coachapp.goals.forms import GoalForm, GoalStatusForm
from coachapp.models import Client, Goal
from coachapp.models.enums import GoalStatus


@bp.route("/clients/<int:client_id>/goals/new", methods=["GET", "POST"])
@access.client_route
def new(client: Client):
    """Set a recovery goal with the client; it opens today unless told otherwise."""
    program = client.program
    form = GoalForm()
    if request.method == "GET":
        form.opened_on.data = timeutil.local_today(program)
    if validate_in_one_pass(form, lambda: services.check_goal(client, form.goal_data())):
        with web.saving(form) as saved:
            services.create_goal(client, form.goal_data(), actor=current_user)
        if saved:
            flash("Goal added.", "success")
            return web.client_page(client)
    return web.form_page("goals/new.html", form, client=client)


def _edit_page(form, record: Goal, client: Client, archive_form, status: int):
    return render_template(
        "goals/edit.html", form=form, goal=record, client=client, archive_form=archive_form
    ), status


@bp.route("/goals/<int:goal_id>/edit", methods=["GET", "POST"])
@access.record_route(Goal, "goal_id")
def edit(record: Goal, client: Client):
    """Edit a goal's domain, description and dates (optimistic locking)."""
    form = GoalForm(obj=record)
    if request.method == "GET":
        form.version.data = record.version

    def rules() -> None:
        services.check_goal(client, form.goal_data(), closed_on=record.closed_on)

    if validate_in_one_pass(form, rules):
        with web.saving(form) as saved:
            services.update_goal(
                record, form.goal_data(), version=form.version_value(), actor=current_user
            )
        if saved:
            flash("Goal saved.", "success")
            return web.client_page(client)
    return _edit_page(form, record, client, ArchiveForm(formdata=None), web.form_status())


@bp.route("/goals/<int:goal_id>/status", methods=["GET", "POST"])
@access.record_route(Goal, "goal_id")
def status(record: Goal, client: Client):
    """Achieved or discontinued on a day (today by default), or active again."""
    program = client.program
    form = GoalStatusForm()
    if request.method == "GET":
        form.version.data = record.version
        form.status.data = (
            GoalStatus.ACHIEVED.value
            if record.status == GoalStatus.ACTIVE
            else GoalStatus.ACTIVE.value
        )
        form.closed_on.data = record.closed_on or timeutil.local_today(program)

    def rules() -> None:
        # "Closed on" means nothing when the goal is opened again (see below).
        opening = form.status.data == GoalStatus.ACTIVE
        services.check_status(
            record, status=form.status.data, closed_on=None if opening else form.closed_on.data
        )

    if validate_in_one_pass(form, rules):
        with web.saving(form) as saved:
            services.change_status(
                record,
                status=form.status.data,
                # The page's "closed on" is the day of an achievement or discontinuation: it
                # means nothing when the goal is opened again.
                closed_on=form.closed_on.data if form.status.data in services.CLOSED else None,
                version=form.version_value(),
                actor=current_user,
            )
        if saved:
            flash(f"Goal marked {form.status.data}.", "success")
            return web.client_page(client)
    return web.form_page("goals/status.html", form, goal=record, client=client)


@bp.route("/goals/<int:goal_id>/archive", methods=["POST"])
@access.record_route(Goal, "goal_id")
def archive(record: Goal, client: Client):
    """Archive a goal entered by mistake (a reason is required)."""
    form = ArchiveForm()
    if not form.validate_on_submit():
        goal_form = GoalForm(obj=record, formdata=None)
        goal_form.version.data = record.version
        return _edit_page(goal_form, record, client, form, 422)
    services.archive_goal(record, reason=form.reason.data, actor=current_user)
    db.session.commit()
    flash("Goal archived.", "success")
    return web.client_page(client)
