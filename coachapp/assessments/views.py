"""BARC-10 assessments: record one from the client's page, read it, archive it. Every route
declares its access rule (coachapp.access)."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user

from coachapp import access, timeutil, web
from coachapp.assessments import bp, services
from coachapp.assessments.forms import AssessmentForm
from coachapp.extensions import db
from coachapp.forms import ArchiveForm, validate_in_one_pass
from coachapp.models import Assessment, Client
from coachapp.models.assessments import (
    BARC10_ANSWERS,
    BARC10_REMISSION_LINE,
    BARC10_STATEMENTS,
)


@bp.route("/clients/<int:client_id>/assessments/new", methods=["GET", "POST"])
@access.client_route
def new(client: Client):
    """The BARC-10: ten statements answered 1–6; the total is computed when saved."""
    program = client.program
    form = AssessmentForm()
    if request.method == "GET":
        form.administered_on.data = timeutil.local_today(program)
    data = {"administered_on": form.administered_on.data, "items": form.items()}
    if validate_in_one_pass(form, lambda: services.check_assessment(client, data)):
        with web.saving(form) as saved:
            assessment = services.create_assessment(client, data, actor=current_user)
        if saved:
            flash(f"BARC-10 recorded: total {assessment.total} of 60.", "success")
            return web.client_page(client)
    return web.form_page("assessments/new.html", form, client=client)


def _detail_page(record: Assessment, client: Client, archive_form, status: int):
    return render_template(
        "assessments/detail.html",
        assessment=record,
        client=client,
        answers=dict(BARC10_ANSWERS),
        statements=BARC10_STATEMENTS,
        line=BARC10_REMISSION_LINE,
        archive_form=archive_form,
    ), status


@bp.route("/assessments/<int:assessment_id>")
@access.record_route(Assessment, "assessment_id")
def detail(record: Assessment, client: Client):
    """One BARC-10: the answer to each statement and the total."""
    return _detail_page(record, client, ArchiveForm(formdata=None), 200)


@bp.route("/assessments/<int:assessment_id>/archive", methods=["POST"])
@access.record_route(Assessment, "assessment_id")
def archive(record: Assessment, client: Client):
    """Archive an assessment entered by mistake (a reason is required)."""
    form = ArchiveForm()
    if not form.validate_on_submit():
        return _detail_page(record, client, form, 422)
    services.archive_assessment(record, reason=form.reason.data, actor=current_user)
    db.session.commit()
    flash("BARC-10 archived.", "success")
    return web.client_page(client)
