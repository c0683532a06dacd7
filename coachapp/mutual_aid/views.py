"""Mutual-aid linkage on the client's page: the groups they attend and their sponsor or mentor.
Every route declares its access rule (coachapp.access)."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user

from coachapp import access, timeutil, web
from coachapp.extensions import db
from coachapp.forms import ArchiveForm, validate_in_one_pass
from coachapp.models import Client, MutualAidAttendance
from coachapp.mutual_aid import bp, queries, services
from coachapp.mutual_aid.forms import AttendanceForm, EndAttendanceForm, SupportForm
from coachapp.resources.queries import MODEL_LABELS, address_line, meeting_summary


@bp.route("/clients/<int:client_id>/mutual-aid/new", methods=["GET", "POST"])
@access.client_route
def new(client: Client):
    """Add a group the client attends (a directory meeting, or just its model). The meeting is
    picked from a list the form's "Find meetings" button narrows; that button saves nothing and
    gives the form back as typed."""
    program = client.program
    form = AttendanceForm(
        lookup=lambda rid: queries.meeting(client.program_id, rid),
        today_func=lambda: timeutil.local_today(program),
    )
    finding = form.finding()

    def data() -> dict:
        # Read after the form's checks: they look up the meeting picked (form.meeting).
        return {
            "meeting": form.meeting,
            "model": form.chosen_model(),
            "frequency": form.frequency.data,
            "since": form.since.data,
        }

    if not finding and validate_in_one_pass(
        form, lambda: services.check_attendance(client, data())
    ):
        with web.saving(form) as saved:
            services.add_attendance(client, data(), actor=current_user)
        if saved:
            flash("Mutual-aid group added.", "success")
            return web.client_page(client)
    choices = queries.meeting_choices(client.program_id, form.filters())
    # The meeting picked before a search stays offered (and checked) whatever the filters.
    chosen = form.meeting or queries.meeting(client.program_id, form.chosen_id())
    return render_template(
        "mutual_aid/new.html",
        form=form,
        client=client,
        choices=choices,
        pinned=chosen if chosen is not None and chosen not in choices.items else None,
        summary=meeting_summary,
        address_line=address_line,
        model_labels=MODEL_LABELS,
    ), web.form_status(saving=not finding)


def _end_page(record, client, form, archive_form, status: int):
    return render_template(
        "mutual_aid/end.html",
        record=record,
        client=client,
        form=form,
        archive_form=archive_form,
        model_labels=MODEL_LABELS,
    ), status


@bp.route("/mutual-aid/<int:attendance_id>/end", methods=["GET", "POST"])
@access.record_route(MutualAidAttendance, "attendance_id")
def end(record: MutualAidAttendance, client: Client):
    """The client stopped attending this group (GET shows the form; POST ends it)."""
    program = client.program
    form = EndAttendanceForm(today_func=lambda: timeutil.local_today(program))
    if request.method == "GET":
        form.ended_on.data = timeutil.local_today(program)
    if validate_in_one_pass(form, lambda: services.check_end(record, on=form.ended_on.data)):
        with web.saving(form) as saved:
            services.end_attendance(record, on=form.ended_on.data, actor=current_user)
        if saved:
            flash("Group marked as ended.", "success")
            return web.client_page(client)
    return _end_page(record, client, form, ArchiveForm(formdata=None), web.form_status())


@bp.route("/mutual-aid/<int:attendance_id>/archive", methods=["POST"])
@access.record_route(MutualAidAttendance, "attendance_id")
def archive(record: MutualAidAttendance, client: Client):
    """Archive a group entered by mistake (a reason is required)."""
    form = ArchiveForm()
    if not form.validate_on_submit():
        program = client.program
        end_form = EndAttendanceForm(formdata=None, ended_on=timeutil.local_today(program))
        return _end_page(record, client, end_form, form, 422)
    services.archive_attendance(record, reason=form.reason.data, actor=current_user)
    db.session.commit()
    flash("Mutual-aid group archived.", "success")
    return web.client_page(client)


@bp.route("/clients/<int:client_id>/mutual-aid/support", methods=["GET", "POST"])
@access.client_route
def support(client: Client):
    """Whether the client has a sponsor or a mentor, and since when."""
    program = client.program
    form = SupportForm(today_func=lambda: timeutil.local_today(program))
    if request.method == "GET":
        form.version.data = client.version
        form.support_person.data = client.support_person or ""
        form.support_person_since.data = client.support_person_since

    def rules() -> None:
        services.check_support(
            client,
            support_person=form.support_person.data or None,
            since=form.support_person_since.data,
        )

    if validate_in_one_pass(form, rules):
        with web.saving(form) as saved:
            services.set_support(
                client,
                support_person=form.support_person.data or None,
                since=form.support_person_since.data,
                version=form.version_value(),
                actor=current_user,
            )
        if saved:
            flash("Sponsor or mentor saved.", "success")
            return web.client_page(client)
    return web.form_page("mutual_aid/support.html", form, client=client)
