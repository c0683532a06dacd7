"""Referrals: refer a client from their page, move a referral through its statuses, edit its
notes or archive it, and the follow-ups list. Every route declares its access rule."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user

from coachapp import access, timeutil, web
from coachapp.extensions import db
from coachapp.forms import ArchiveForm, validate_in_one_pass
from coachapp.models import Client, Referral
from coachapp.models.base import parse_id
from coachapp.models.enums import ResourceCategory, Role
from coachapp.referrals import bp, queries, services
from coachapp.referrals.forms import NotesForm, ReferralForm, StatusForm, referral_rules
from coachapp.resources import queries as directory

FOLLOW_UPS_PER_PAGE = 50
MAX_OPTIONS = 500


NARROW = "narrow"  # the value of the form's "Narrow the list" button (name ``action``)


@bp.route("/clients/<int:client_id>/referrals/new", methods=["GET", "POST"])
@access.client_route
def new(client: Client):
    """Refer the client to a directory resource. ``category`` and ``q`` narrow the list: in
    the address (a link from the directory) or from the form's own "Narrow the list" button,
    which sends the whole form and shows it again with everything typed kept, saving
    nothing."""
    program = client.program
    narrowing = request.method == "POST" and request.form.get("action") == NARROW
    source = request.form if request.method == "POST" else request.args
    category = source.get("category", "", type=str)
    category = category if category in set(ResourceCategory) else ""
    q = source.get("q", "", type=str).strip()[:100]
    options = queries.resource_options(client.program_id, category=category, q=q, limit=MAX_OPTIONS)
    truncated = len(options) >= MAX_OPTIONS
    chosen_id = parse_id(
        request.form.get("resource_id")
        if request.method == "POST"
        else request.args.get("resource_id")
    )
    if chosen_id is not None and chosen_id not in {r.id for r in options}:
        # Narrowing the list never drops the resource already chosen.
        chosen = directory.referable_resource(client.program_id, chosen_id)
        if chosen is not None:
            options.insert(0, chosen)
    form = ReferralForm(resources=options)
    if request.method == "GET":
        form.referred_on.data = timeutil.local_today(program)
        if chosen_id is not None:
            form.resource_id.data = str(chosen_id)
    if not narrowing and validate_in_one_pass(form, referral_rules(form, client)):
        with web.saving(form) as saved:
            referral = services.create_referral(client, form.referral_data(), actor=current_user)
            resource_name = referral.resource.name
        if saved:
            flash(f"Referral to {resource_name} recorded.", "success")
            return web.client_page(client)
    return render_template(
        "referrals/new.html",
        form=form,
        client=client,
        category=category,
        q=q,
        categories=list(ResourceCategory),
        truncated=truncated,
        narrow=NARROW,
    ), web.form_status(saving=not narrowing)


@bp.route("/referrals/<int:referral_id>/status", methods=["GET", "POST"])
@access.record_route(Referral, "referral_id")
def status(record: Referral, client: Client):
    """Move a referral to a new status with its date; the change joins its history."""
    program = client.program
    form = StatusForm()
    if request.method == "GET":
        form.version.data = record.version
        form.changed_on.data = timeutil.local_today(program)

    def rules() -> None:
        services.check_status_change(record, status=form.status.data, on=form.changed_on.data)

    if validate_in_one_pass(form, rules):
        with web.saving(form) as saved:
            services.change_status(
                record,
                status=form.status.data,
                on=form.changed_on.data,
                version=form.version_value(),
                actor=current_user,
            )
        if saved:
            flash(f"Referral marked {form.status.data.replace('_', ' ')}.", "success")
            return web.client_page(client)
    return web.form_page("referrals/status.html", form, referral=record, client=client)


@bp.route("/referrals/<int:referral_id>/edit", methods=["GET", "POST"])
@access.record_route(Referral, "referral_id")
def edit(record: Referral, client: Client):
    """Edit a referral's notes (its status has its own form)."""
    form = NotesForm(obj=record)
    if request.method == "GET":
        form.version.data = record.version
    if form.validate_on_submit():
        with web.saving(form) as saved:
            services.update_notes(
                record, form.notes.data, version=form.version_value(), actor=current_user
            )
        if saved:
            flash("Referral notes saved.", "success")
            return web.client_page(client)
    return web.form_page(
        "referrals/edit.html",
        form,
        referral=record,
        client=client,
        archive_form=ArchiveForm(formdata=None),
    )


@bp.route("/referrals/<int:referral_id>/archive", methods=["POST"])
@access.record_route(Referral, "referral_id")
def archive(record: Referral, client: Client):
    """Archive a referral entered by mistake (a reason is required)."""
    form = ArchiveForm()
    if not form.validate_on_submit():
        return render_template(
            "referrals/edit.html",
            form=NotesForm(obj=record, formdata=None, version=record.version),
            referral=record,
            client=client,
            archive_form=form,
        ), 422
    services.archive_referral(record, reason=form.reason.data, actor=current_user)
    db.session.commit()
    flash("Referral archived.", "success")
    return web.client_page(client)


@bp.route("/referrals/follow-ups")
@access.roles(Role.COACH, Role.SUPERVISOR, client_data=True)
def follow_ups():
    """Referrals still ``referred`` more than 14 days after they were made, oldest first."""
    today = timeutil.local_today(current_user.program)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    pagination = db.paginate(
        queries.follow_ups(current_user, today),
        page=page,
        per_page=FOLLOW_UPS_PER_PAGE,
        error_out=False,
    )
    return render_template(
        "referrals/follow_ups.html",
        pagination=pagination,
        today=today,
        days=queries.FOLLOW_UP_DAYS,
    )
