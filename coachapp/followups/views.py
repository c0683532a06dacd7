"""SUPRT follow-up interviews: record one as done from the client page, archive a mistaken
record, and the list of interviews due this week. Every route declares its access rule
(coachapp.access).

- ``/clients/<id>/followups/<episode>/<kind>`` (GET, POST): record an interview as done;
- ``/followups/<id>/archive`` (GET, POST): archive a record entered by mistake;
- ``/followups/due``: coaches their caseload, supervisors their team (``coach_id`` narrows it to
  one coach of it), program managers counts per coach only (no client named).
"""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_login import current_user

from coachapp import access, timeutil, web
from coachapp.extensions import db
from coachapp.followups import bp, metrics, queries, services
from coachapp.followups.forms import RecordForm, form_prefix
from coachapp.followups.schedule import (
    DUE_SOON_DAYS,
    KIND_LABELS,
    STATE_LABELS,
    state_of,
    window_for,
)
from coachapp.forms import ArchiveForm, validate_in_one_pass
from coachapp.models import Client, FollowUpInterview, User
from coachapp.models.base import parse_id
from coachapp.models.enums import InterviewKind, Role

FOLLOWUPS = "h-followups"  # the client page's follow-ups section


@bp.route("/clients/<int:client_id>/followups/<int:enrollment_id>/<kind>", methods=["GET", "POST"])
@access.client_route
def record(client: Client, enrollment_id: int, kind: str):
    """Record the ``kind`` interview of one episode as done (a date, today by default). A date
    outside the window is accepted, with a note that it will not count."""
    if kind not in set(InterviewKind):
        abort(404)
    episode = queries.episode_or_404(client, enrollment_id)
    program = client.program
    form = RecordForm(
        prefix=form_prefix(episode.id, kind), today_func=lambda: timeutil.local_today(program)
    )
    if request.method == "GET":
        form.done_on.data = timeutil.local_today(program)
    window = window_for(kind, episode.intake_date, episode.discharge_date)

    def rules() -> None:
        services.check_record(client, episode, kind, form.done_on.data)

    if validate_in_one_pass(form, rules):
        with web.saving(form) as saved:
            services.record_interview(client, episode, kind, form.done_on.data, actor=current_user)
        if saved:
            note = services.outside_window_note(window, form.done_on.data)
            if note:
                flash(f"{KIND_LABELS[InterviewKind(kind)]} interview recorded. {note}", "warning")
            else:
                flash(f"{KIND_LABELS[InterviewKind(kind)]} interview recorded as done.", "success")
            return web.client_page(client, FOLLOWUPS)
    return web.form_page(
        "followups/record.html",
        form,
        client=client,
        episode=episode,
        kind=kind,
        label=KIND_LABELS[InterviewKind(kind)],
        window=window,
        note=services.outside_window_note(window, form.done_on.data) if form.errors else None,
    )


def _archive_page(record: FollowUpInterview, client: Client, form: ArchiveForm, status: int):
    episode = record.enrollment
    window = window_for(record.kind, episode.intake_date, episode.discharge_date)
    state = state_of(window, record.done_on, timeutil.local_today(client.program))
    return render_template(
        "followups/archive.html",
        record=record,
        client=client,
        episode=episode,
        window=window,
        label=KIND_LABELS[InterviewKind(record.kind)],
        state_label=STATE_LABELS[state],
        form=form,
    ), status


@bp.route("/followups/<int:interview_id>/archive", methods=["GET", "POST"])
@access.record_route(FollowUpInterview, "interview_id")
def archive(record: FollowUpInterview, client: Client):
    """Archive an interview record entered by mistake (a reason is required); it can then be
    recorded again."""
    form = ArchiveForm()
    if request.method == "GET":
        return _archive_page(record, client, ArchiveForm(formdata=None), 200)
    if not form.validate_on_submit():
        return _archive_page(record, client, form, 422)
    services.archive_interview(record, reason=form.reason.data, actor=current_user)
    db.session.commit()
    flash("Interview record archived.", "success")
    return web.client_page(client, FOLLOWUPS)


def _team_coach(coach_arg: str | None) -> User | None:
    """The coach a supervisor narrowed the list to: one of their team, else 404."""
    if coach_arg in (None, ""):
        return None
    coach_id = parse_id(coach_arg)
    coach = db.session.get(User, coach_id) if coach_id else None
    if coach is None or coach.role != Role.COACH or coach.supervisor_id != current_user.id:
        abort(404)
    return coach


@bp.route("/followups/due")
@access.roles(Role.COACH, Role.SUPERVISOR, Role.PROGRAM_MANAGER, client_data=True)
def due():
    """Interviews due this week (window open, last day at most 7 days away), other open ones,
    and those opening in the next 7 days: the caseload of a coach, the team of a supervisor
    (one coach of it with ``coach_id``); counts per coach for a program manager."""
    today = timeutil.local_today(current_user.program)
    context: dict = {
        "today": today,
        "days": DUE_SOON_DAYS,
        "labels": KIND_LABELS,
        "buckets": metrics.BUCKETS,
    }
    if current_user.role == Role.PROGRAM_MANAGER:
        try:
            scope = access.report_scope(current_user)
        except access.ScopeError:
            abort(404)
        context["by_coach"] = metrics.counts_by_coach(scope, today)
        return render_template("followups/due.html", **context)
    coach = (
        _team_coach(request.args.get("coach_id")) if current_user.role == Role.SUPERVISOR else None
    )
    rows, counts = metrics.due_list(
        access.visible_client_ids(current_user), today, coach_id=coach.id if coach else None
    )
    if current_user.role == Role.SUPERVISOR:
        context["coaches"] = queries.team_coach_names(current_user)
        context["coach"] = coach
    context.update(rows=rows, counts=counts, limit=metrics.LIST_LIMIT)
    return render_template("followups/due.html", **context)
