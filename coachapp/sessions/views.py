"""Sessions: log a session from the client's page, edit it, archive it; sign it, co-sign it
and add addenda once signed. Every route declares its access rule (coachapp.access)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coachapp import access, timeutil, web
from coachapp.extensions import db
from coachapp.forms import ArchiveForm, EmptyForm, validate_in_one_pass
from coachapp.goals import services as goal_services
from coachapp.models import Client, CoachingSession
from coachapp.sessions import bp, queries, services
from coachapp.sessions.forms import (
    NEW_GOAL_FIELDS,
    AddendumForm,
    CosignForm,
    ReplyForm,
    SessionForm,
    SignForm,
    session_rules,
)
from coachapp.sessions.places import place_label


def _with_new_goal(form: SessionForm, client: Client) -> dict:
    """The session's values, after setting the goal asked for in "Set a new goal" (if any),
    ticked as addressed. The view commits the goal and the session together, or neither."""
    data = form.session_data()
    goal = form.new_goal_data()
    if goal is not None:
        try:
            created = goal_services.create_goal(client, goal, actor=current_user)
        except goal_services.GoalRuleError as exc:
            raise services.SessionRuleError(
                {NEW_GOAL_FIELDS.get(name, name): msg for name, msg in exc.errors.items()}
            ) from exc
        data["goal_ids"] = [*data["goal_ids"], created.id]
    return data


@bp.route("/clients/<int:client_id>/sessions/new", methods=["GET", "POST"])
@access.client_route
def new(client: Client):
    """Log a session: today, completed and the client's active goals are one tap away."""
    program = client.program
    form = SessionForm(goals=queries.offered_goals(client, current_user))
    if request.method == "GET":
        form.date.data = timeutil.local_today(program)
    if validate_in_one_pass(form, session_rules(form, client)):
        with web.saving(form) as saved:
            services.create_session(client, _with_new_goal(form, client), actor=current_user)
        if saved:
            flash(
                "Session logged with a new goal." if form.new_goal_data() else "Session logged.",
                "success",
            )
            return web.client_page(client)
    return web.form_page("sessions/new.html", form, client=client)


def _edit_page(
    form,
    record: CoachingSession,
    client: Client,
    archive_form,
    status: int,
    reply=None,
    *,
    sign_form=None,
    cosign_form=None,
    addendum_form=None,
    refused: str | None = None,
):
    """The session's page: its form while unsigned (with "Sign" for its coach); once signed,
    the note read-only with its signature, co-signature and addenda (and their forms)."""
    return render_template(
        "sessions/edit.html",
        form=form,
        session_row=record,
        client=client,
        archive_form=archive_form,
        thread=queries.threads([record.id]).get(record.id, []),
        reply_form=reply or ReplyForm(formdata=None),
        sign_form=sign_form or SignForm(formdata=None),
        cosign_form=cosign_form or CosignForm(formdata=None),
        addendum_form=addendum_form or AddendumForm(formdata=None),
        addenda=queries.addenda([record]).get(record.id, []),
        signatures=queries.signatures(record),
        cosign_required=queries.cosign_required(record),
        can_sign=services.can_sign(record, current_user),
        can_cosign=services.can_cosign(record, current_user),
        can_add_addendum=services.can_add_addendum(record, current_user),
        refused=refused,
        place_label=place_label,
    ), status


def _signed_page(record: CoachingSession, client: Client, status: int = 200, **forms):
    return _edit_page(None, record, client, ArchiveForm(formdata=None), status, **forms)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@access.record_route(CoachingSession, "session_id")
def edit(record: CoachingSession, client: Client):
    """Edit a session; a stale edit (someone saved in between) is refused, nothing written.
    A signed session shows read-only; a post of its old edit form changes nothing (409)."""
    if record.is_signed:
        if request.method == "POST":
            return _signed_page(record, client, 409, refused=services.SIGNED_MESSAGE)
        return _signed_page(record, client)
    current_ids = queries.session_goal_ids(record)
    form = SessionForm(
        obj=record, goals=queries.offered_goals(client, current_user, keep_ids=current_ids)
    )
    if request.method == "GET":
        form.version.data = record.version
        form.goal_ids.data = current_ids
    if validate_in_one_pass(form, session_rules(form, client)):
        try:
            with web.saving(form) as saved:
                services.update_session(
                    record,
                    _with_new_goal(form, client),
                    version=form.version_value(),
                    actor=current_user,
                )
        except services.SignedSessionError as exc:
            db.session.rollback()
            return _signed_page(record, client, 409, refused=exc.message)
        if saved:
            flash("Session saved.", "success")
            return web.client_page(client)
    return _edit_page(form, record, client, ArchiveForm(formdata=None), web.form_status())


@bp.route("/sessions/<int:session_id>/archive", methods=["POST"])
@access.record_route(CoachingSession, "session_id")
def archive(record: CoachingSession, client: Client):
    """Archive a session logged by mistake (a reason is required)."""
    form = ArchiveForm()
    if not form.validate_on_submit():
        return _edit_page(_saved_form(record, client), record, client, form, 422)
    services.archive_session(record, reason=form.reason.data, actor=current_user)
    db.session.commit()
    flash("Session archived.", "success")
    return web.client_page(client)


@bp.route("/clients/<int:client_id>/sessions")
@access.client_route
def older(client: Client):
    """The sessions older than the client page's latest ten, paged."""
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    return render_template(
        "sessions/older.html", client=client, **queries.older_sessions(client, current_user, page)
    )


@bp.route("/sessions/<int:session_id>/read", methods=["POST"])
@access.record_route(CoachingSession, "session_id")
def mark_read(record: CoachingSession, client: Client):
    """The session's coach marks the supervisor's comments on it read."""
    if EmptyForm().validate_on_submit() and services.mark_comments_read(record, actor=current_user):
        db.session.commit()
        flash("Comments marked read.", "success")
    target = web.safe_next(request.args.get("next")) or url_for(
        "clients.detail", client_id=client.id
    )
    return redirect(f"{target}#session-{record.id}")


def _saved_form(record: CoachingSession, client: Client) -> SessionForm | None:
    """The session's form as saved (none for a signed session: it shows read-only)."""
    return None if record.is_signed else _saved_session_form(record, client)


def _saved_session_form(record: CoachingSession, client: Client) -> SessionForm:
    current_ids = queries.session_goal_ids(record)
    form = SessionForm(
        obj=record,
        formdata=None,
        goals=queries.offered_goals(client, current_user, keep_ids=current_ids),
    )
    form.version.data = record.version
    form.goal_ids.data = current_ids
    return form


@bp.route("/sessions/<int:session_id>/reply", methods=["POST"])
@access.record_route(CoachingSession, "session_id")
def reply(record: CoachingSession, client: Client):
    """The session's coach answers the supervisor in the session's review thread."""
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            services.reply_to_review(record, form.body.data, actor=current_user)
            db.session.commit()
        except services.SessionRuleError as exc:
            db.session.rollback()
            form.body.errors.append(exc.message)
        else:
            flash("Reply added.", "success")
            return redirect(url_for("sessions.edit", session_id=record.id, _anchor="review"))
    return _edit_page(
        _saved_form(record, client), record, client, ArchiveForm(formdata=None), 422, form
    )


def _refused(record: CoachingSession, client: Client, status: int, **forms):
    """The session's page again, after a refused signing action (nothing saved)."""
    return _edit_page(
        _saved_form(record, client), record, client, ArchiveForm(formdata=None), status, **forms
    )


@bp.route("/sessions/<int:session_id>/sign", methods=["POST"])
@access.record_route(CoachingSession, "session_id")
def sign(record: CoachingSession, client: Client):
    """The session's coach signs the note (with the attestation ticked); read-only from then."""
    if not services.can_sign(record, current_user):
        abort(403)
    form = SignForm()
    if form.validate_on_submit():
        try:
            services.sign_session(record, actor=current_user)
            db.session.commit()
        except services.SignedSessionError as exc:
            db.session.rollback()
            return _refused(record, client, 409, refused=exc.message)
        except services.SessionRuleError as exc:
            db.session.rollback()
            form.confirm.errors = [exc.message]
        else:
            flash("Note signed. It is read-only now: corrections are addenda.", "success")
            return redirect(url_for("sessions.edit", session_id=record.id))
    return _refused(record, client, 422, sign_form=form)


@bp.route("/sessions/<int:session_id>/cosign", methods=["POST"])
@access.record_route(CoachingSession, "session_id")
def cosign(record: CoachingSession, client: Client):
    """A supervisor of the session's coach co-signs the signed note."""
    if not services.can_cosign(record, current_user):
        abort(403)
    form = CosignForm()
    if form.validate_on_submit():
        try:
            services.cosign_session(record, actor=current_user)
            db.session.commit()
        except services.SessionRuleError as exc:
            db.session.rollback()
            return _refused(record, client, 422, cosign_form=form, refused=exc.message)
        else:
            flash("Note co-signed.", "success")
            return redirect(url_for("sessions.edit", session_id=record.id))
    return _refused(record, client, 422, cosign_form=form)


@bp.route("/sessions/<int:session_id>/addenda", methods=["POST"])
@access.record_route(CoachingSession, "session_id")
def add_addendum(record: CoachingSession, client: Client):
    """A dated addendum to a signed note: the text and why (both required)."""
    if not services.can_add_addendum(record, current_user):
        abort(403)
    form = AddendumForm()
    if form.validate_on_submit():
        try:
            services.add_addendum(record, form.text.data, form.why.data, actor=current_user)
            db.session.commit()
        except services.SessionRuleError as exc:
            db.session.rollback()
            fields = {"text": form.text, "reason": form.why}
            if exc.field not in fields:  # not signed: no addendum form on its page
                return _refused(record, client, 422, addendum_form=form, refused=exc.message)
            for name, message in exc.errors.items():
                fields[name].errors = [message]
        else:
            flash("Addendum added under the note.", "success")
            return redirect(url_for("sessions.edit", session_id=record.id, _anchor="addenda"))
    return _refused(record, client, 422, addendum_form=form)
