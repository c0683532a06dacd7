"""Supervision notes (written by a supervisor, read and acknowledged by the coaches they name) and
coaches' credential progress with their training hours.

These pages are about staff, not about one client: they declare a role rule, and reach notes
only through ``queries.visible_notes`` and coaches only through ``queries.visible_coaches``
(404 outside). The clients a note discussed are shown through the reader's client scope.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coachapp import access, records, timeutil, web
from coachapp.extensions import db
from coachapp.forms import ArchiveForm, select_choices, validate_in_one_pass
from coachapp.models import SupervisionNote, User
from coachapp.models.enums import Role
from coachapp.supervision import bp, queries, services
from coachapp.supervision.forms import (
    AcknowledgeForm,
    SupervisionNoteForm,
    TrainingArchiveForm,
    TrainingForm,
)

NOTES_PER_PAGE = 50


# --- Supervision notes -------------------------------------------------------------------


def _note_rules(form: SupervisionNoteForm, *, note: SupervisionNote | None = None):
    """``services.check_note`` as a check of ``validate_in_one_pass``: its refusals named as
    the form's fields (coach_ids is the "coaches" field, client_ids "clients")."""

    def rules() -> None:
        try:
            services.check_note(
                form.note_data(),
                coach_ids=form.coaches.data or [],
                client_ids=form.clients.data or [],
                supervisor=current_user,
                note=note,
            )
        except services.NoteRuleError as exc:
            named = {form.RULE_FIELDS.get(k, k): message for k, message in exc.errors.items()}
            raise records.RuleError(named) from exc

    return rules


def _note_form(*, note: SupervisionNote | None = None) -> SupervisionNoteForm:
    """The note form with its choices: the supervisor's active coaches (plus, on edit, the
    coaches already named) and the clients in the supervisor's scope."""
    program = current_user.program
    form = SupervisionNoteForm()
    coaches = queries.team_coach_list(current_user)
    if note is not None:
        known = {c.id for c in coaches}
        coaches += [link.coach for link in note.coach_links if link.coach_id not in known]
    form.coaches.choices = select_choices([(c.id, c.name) for c in coaches])
    form.clients.choices = select_choices(
        [(c.id, f"{c.code} · {c.display_name}") for c in queries.client_choice_list(current_user)]
    )
    if request.method == "GET":
        if note is None:
            form.date.data = timeutil.local_today(program)
        else:
            for key in services.NOTE_FIELDS:
                getattr(form, key).data = getattr(note, key)
            form.version.data = note.version
            form.coaches.data = [link.coach_id for link in note.coach_links]
            visible = _offered(form.clients)
            form.clients.data = [cid for cid in queries.note_client_ids(note) if cid in visible]
    return form


def _offered(field) -> set[int]:
    return {choice.value for choice in field.choices}


@bp.route("/supervision/notes")
@access.roles(Role.SUPERVISOR, Role.COACH)
def notes():
    """A supervisor's notes (the ones they wrote); a coach's (the ones naming them)."""
    pending = current_user.role == Role.COACH and request.args.get("pending") == "1"
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    pagination = db.paginate(
        queries.note_list(current_user, pending_only=pending),
        page=page,
        per_page=NOTES_PER_PAGE,
        error_out=False,
    )
    return render_template(
        "supervision/notes.html",
        pagination=pagination,
        notes=pagination.items,
        pending=pending,
        to_acknowledge=(
            queries.unacknowledged_count(current_user) if current_user.role == Role.COACH else 0
        ),
    )


@bp.route("/supervision/notes/new", methods=["GET", "POST"])
@access.roles(Role.SUPERVISOR)
def new_note():
    form = _note_form()
    if validate_in_one_pass(form, _note_rules(form)):
        with web.saving(form) as saved:
            note = services.create_note(
                form.note_data(),
                coach_ids=form.coaches.data or [],
                client_ids=form.clients.data or [],
                actor=current_user,
            )
        if saved:
            flash(
                "Supervision note saved. The coaches named are asked to acknowledge it.",
                "success",
            )
            return redirect(url_for("supervision.note_detail", note_id=note.id))
    return web.form_page("supervision/note_form.html", form, note=None)


def _local_date(moment: datetime) -> date:
    """A stored UTC time as the reader's program-local calendar date."""
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timeutil.zone(current_user.program)).date()


@bp.route("/supervision/notes/<int:note_id>")
@access.roles(Role.SUPERVISOR, Role.COACH, client_data=True)
def note_detail(note_id: int):
    note = queries.get_note_or_404(note_id, current_user)
    clients, hidden_clients = queries.discussed_clients(note, current_user)
    my_link = next((x for x in note.coach_links if x.coach_id == current_user.id), None)
    return render_template(
        "supervision/note_detail.html",
        note=note,
        clients=clients,
        hidden_clients=hidden_clients,
        my_link=my_link,
        acknowledged_on={
            link.coach_id: _local_date(link.acknowledged_at)
            for link in note.coach_links
            if link.acknowledged_at is not None
        },
        is_author=note.supervisor_id == current_user.id,
        acknowledge_form=AcknowledgeForm(),
        archive_form=ArchiveForm(),
    )


@bp.route("/supervision/notes/<int:note_id>/edit", methods=["GET", "POST"])
@access.roles(Role.SUPERVISOR, client_data=True)
def edit_note(note_id: int):
    note = queries.get_authored_note_or_404(note_id, current_user)
    form = _note_form(note=note)
    if validate_in_one_pass(form, _note_rules(form, note=note)):
        # Clients on the note the supervisor can no longer open stay on it (the service keeps
        # them): the form only offers the ones they can open.
        with web.saving(form) as saved:
            services.update_note(
                note,
                form.note_data(),
                coach_ids=form.coaches.data or [],
                client_ids=form.clients.data or [],
                version=form.version_value(),
                actor=current_user,
            )
        if saved:
            flash("Supervision note saved.", "success")
            return redirect(url_for("supervision.note_detail", note_id=note_id))
    return web.form_page("supervision/note_form.html", form, note=note)


@bp.route("/supervision/notes/<int:note_id>/archive", methods=["POST"])
@access.roles(Role.SUPERVISOR)
def archive_note(note_id: int):
    note = queries.get_authored_note_or_404(note_id, current_user)
    form = ArchiveForm()
    if not form.validate_on_submit():
        flash("Give a reason to archive this note.", "error")
        return redirect(url_for("supervision.note_detail", note_id=note.id))
    services.archive_note(note, reason=form.reason.data, actor=current_user)
    db.session.commit()
    flash("Supervision note archived. An admin can restore it.", "success")
    return redirect(url_for("supervision.notes"))


@bp.route("/supervision/notes/<int:note_id>/acknowledge", methods=["POST"])
@access.roles(Role.COACH)
def acknowledge_note(note_id: int):
    note = queries.get_note_or_404(note_id, current_user)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        abort(400)
    if services.acknowledge(note, current_user):
        db.session.commit()
        flash("Thank you: your supervisor can see you have read this note.", "success")
    return redirect(url_for("supervision.note_detail", note_id=note.id))


# --- Credential progress and training hours ----------------------------------------------


@bp.route("/supervision/progress")
@access.roles(Role.COACH, Role.SUPERVISOR)
def progress_index():
    """A coach goes to their own progress; a supervisor picks one of their coaches."""
    if current_user.role == Role.COACH:
        return redirect(url_for("supervision.progress", coach_id=current_user.id))
    return render_template(
        "supervision/progress_index.html", coaches=queries.coaches_overview(current_user)
    )


def _coach(coach_id: int) -> User:
    return queries.get_coach_or_404(coach_id, current_user)


def _progress_page(coach: User, archive_form: TrainingArchiveForm | None = None, status=200):
    training = queries.training_records(coach)
    if archive_form is None:
        archive_form = TrainingArchiveForm()
    archive_form.set_records(training)
    return render_template(
        "supervision/progress.html",
        coach=coach,
        figures=queries.progress(coach),
        training=training,
        archive_form=archive_form,
    ), status


@bp.route("/supervision/coaches/<int:coach_id>/progress")
@access.signed_in
def progress(coach_id: int):
    """The coach's IC&RC credential progress: the coach themself and their supervisor; 404 for
    anyone else."""
    return _progress_page(_coach(coach_id))


@bp.route("/supervision/coaches/<int:coach_id>/training/new", methods=["GET", "POST"])
@access.signed_in
def new_training(coach_id: int):
    coach = _coach(coach_id)
    program = coach.program
    form = TrainingForm(today_func=lambda: timeutil.local_today(program))
    if request.method == "GET":
        form.completed_on.data = timeutil.local_today(program)
    if form.validate_on_submit():
        services.create_training(
            coach,
            {key: getattr(form, key).data for key in services.TRAINING_FIELDS},
            actor=current_user,
        )
        db.session.commit()
        flash("Training hours added.", "success")
        return redirect(url_for("supervision.progress", coach_id=coach.id))
    return web.form_page("supervision/training_form.html", form, coach=coach)


@bp.route("/supervision/coaches/<int:coach_id>/training/archive", methods=["POST"])
@access.signed_in
def archive_training(coach_id: int):
    """Archive one of the coach's training records (chosen in the form, with a reason)."""
    coach = _coach(coach_id)
    form = TrainingArchiveForm()
    training = {r.id: r for r in queries.training_records(coach)}
    form.set_records(training.values())
    if not form.validate_on_submit():
        return _progress_page(coach, form, 422)
    services.archive_training(
        training[form.training_id.data], reason=form.reason.data, actor=current_user
    )
    db.session.commit()
    flash("Training record archived: its hours no longer count.", "success")
    return redirect(url_for("supervision.progress", coach_id=coach.id))
